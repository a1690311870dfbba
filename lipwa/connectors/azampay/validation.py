"""What AzamPay can take, checked before anything is sent: amounts, payer numbers, networks, banks.

Every refusal is a `ConnectorInputError` with the `param` and `code` the API reports to the merchant, and a
message that names the limit. Phone numbers in messages are masked.
"""

from __future__ import annotations

import re

from lipwa.common.money import Money
from lipwa.common.networks import detect_networks
from lipwa.common.phones import Phone, mask_phone
from lipwa.connectors.errors import ConnectorInputError

from .mapping import (
    AMOUNT_MAX_SHILLINGS,
    AMOUNT_MIN_SHILLINGS,
    BANK_PROVIDERS,
    CURRENCY,
    MSISDN_PATTERN,
    NETWORK_PROVIDERS,
)

_NETWORK_NAMES = ", ".join(sorted(NETWORK_PROVIDERS))
# Bank account numbers: digits, as Tanzanian banks issue them (A: 4.4 gives no format; CRDB and NMB use 10 to
# 13 digits, the bounds are kept loose so that a new format is the bank's to refuse).
_BANK_ACCOUNT = re.compile(r"\d{6,20}")
# One-time passwords sent by the bank (A: 4.4 says only "customer OTP obtained out of band").
_OTP = re.compile(r"\d{4,8}")


def validate_amount(amount: Money) -> None:
    if amount.currency != CURRENCY:
        raise ConnectorInputError(f"AzamPay charges in TZS only, not {amount.currency}", param="currency",
                                  code="currency_not_supported")
    if not amount.is_whole_major():
        raise ConnectorInputError(
            f"amount {amount.amount_minor} is TZS {amount.major_string()}, but AzamPay takes whole shillings only; "
            "send a multiple of 100 (TZS amounts are in cents)", param="amount", code="amount_precision")
    shillings = amount.whole_major()
    if shillings < AMOUNT_MIN_SHILLINGS:
        raise ConnectorInputError(
            f"amount {amount.amount_minor} is below AzamPay's minimum of TZS {AMOUNT_MIN_SHILLINGS:,} "
            f"(amount {AMOUNT_MIN_SHILLINGS * 100})", param="amount", code="amount_too_small")
    if shillings > AMOUNT_MAX_SHILLINGS:
        raise ConnectorInputError(
            f"amount {amount.amount_minor} is above AzamPay's maximum of TZS {AMOUNT_MAX_SHILLINGS:,} per payment "
            f"(amount {AMOUNT_MAX_SHILLINGS * 100})", param="amount", code="amount_too_large")


def validate_phone(phone: Phone | None) -> Phone:
    if phone is None:
        raise ConnectorInputError("phone is required for AzamPay: the payer's Tanzanian mobile number, "
                                  "e.g. +255754123456", param="phone", code="phone_required")
    if not MSISDN_PATTERN.fullmatch(phone.msisdn):
        raise ConnectorInputError(
            f"AzamPay needs a Tanzanian mobile number (+2556… or +2557…); {mask_phone(phone.msisdn)} is not one",
            param="phone", code="invalid_phone")
    return phone


def provider_for(phone: Phone, network: str | None) -> str:
    """AzamPay's `provider` for the payer: the network the merchant named, else the one the prefix suggests.

    Numbers are portable (4.9), so a named network always wins over the prefix. Azampesa is a wallet that no
    prefix reveals: it is reached only by naming the network "azampesa".
    """
    if network is not None and network.strip():
        key = network.strip().lower()
        if key not in NETWORK_PROVIDERS:
            raise ConnectorInputError(f"AzamPay cannot charge the network {network[:20]!r}; it takes "
                                      f"{_NETWORK_NAMES}", param="network", code="network_not_supported")
        return NETWORK_PROVIDERS[key]
    candidates = detect_networks(phone)
    # 069 is Airtel for one source and Halotel for another (4.9); the most likely comes first.
    supported = [candidate for candidate in candidates if candidate in NETWORK_PROVIDERS]
    if supported:
        return NETWORK_PROVIDERS[supported[0]]
    if candidates:
        raise ConnectorInputError(
            f"{mask_phone(phone.msisdn)} is a {candidates[0]} number, which AzamPay does not serve; it takes "
            f"{_NETWORK_NAMES}", param="phone", code="network_not_supported")
    raise ConnectorInputError(
        f"the mobile network of {mask_phone(phone.msisdn)} cannot be told from its prefix; name it as the "
        f"network ({_NETWORK_NAMES}; azampesa for an AzamPesa wallet)", param="phone", code="network_unknown")


def validate_bank(bank: str, account_number: str, otp: str) -> str:
    """AzamPay's bank `provider` (CRDB or NMB, 4.4), after checking the account number and OTP."""
    provider = (bank or "").strip().upper()
    if provider not in BANK_PROVIDERS:
        named = (bank or "")[:20]
        raise ConnectorInputError(f"AzamPay bank checkout takes {' or '.join(BANK_PROVIDERS)}, not {named!r}",
                                  param="bank", code="bank_not_supported")
    if not _BANK_ACCOUNT.fullmatch((account_number or "").strip()):
        raise ConnectorInputError("the bank account number must be 6 to 20 digits", param="account_number",
                                  code="invalid_account_number")
    if not _OTP.fullmatch((otp or "").strip()):
        raise ConnectorInputError("the OTP must be the 4 to 8 digits the bank sent the customer", param="otp",
                                  code="invalid_otp")
    return provider
