"""The bank account a merchant's customers pay into, and how long they have to pay.

`CREDENTIAL_FIELDS` drives the dashboard form. Nothing here is secret: the details are printed on every
set of payment instructions. `credentials_validate` explains every bad field in words an operator can act
on; `BankTransferCredentials.from_mapping` raises `ConnectorConfigError` for an unusable account.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from lipwa.common.money import CURRENCY_EXPONENTS
from lipwa.connectors.credentials import FieldSet, raise_unless_usable
from lipwa.connectors.types import CredentialField

EXPIRY_DAYS_DEFAULT = 7
EXPIRY_DAYS_MIN = 1
EXPIRY_DAYS_MAX = 90

# Bank account numbers and IBANs: letters, digits, spaces and dashes as printed on a statement.
_ACCOUNT_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9 -]{3,40}")
# ISO 9362: 4 bank, 2 country, 2 location, optional 3 branch.
_SWIFT = re.compile(r"[A-Z]{4}[A-Z]{2}[A-Z0-9]{2}([A-Z0-9]{3})?")

CREDENTIAL_FIELDS: tuple[CredentialField, ...] = (
    CredentialField("bank_name", "Bank name", help_text="As customers know it, e.g. Equity Bank Kenya."),
    CredentialField("account_name", "Account name", help_text="The name the account is held in."),
    CredentialField("account_number", "Account number", help_text="Or IBAN, as printed on your statements."),
    CredentialField("branch", "Branch", required=False, help_text="Branch name or code, if customers need it."),
    CredentialField("swift", "SWIFT/BIC", required=False, help_text="For transfers from abroad."),
    CredentialField("currencies", "Currencies", default="KES",
                    help_text="Comma-separated ISO 4217 codes this account receives, e.g. KES,USD."),
    CredentialField("expiry_days", "Days to pay", default=str(EXPIRY_DAYS_DEFAULT),
                    help_text=f"How long a customer has to make the transfer ({EXPIRY_DAYS_MIN}-{EXPIRY_DAYS_MAX})."),
)
_FIELDS = FieldSet(CREDENTIAL_FIELDS)


def credentials_validate(values: Mapping[str, object]) -> dict[str, str]:
    """Return {field name: what is wrong with it}; an empty dict means the account is usable."""
    resolved = _FIELDS.resolve(values)
    errors = _FIELDS.missing(resolved)
    if resolved["account_number"] and not _ACCOUNT_NUMBER.fullmatch(resolved["account_number"]):
        errors["account_number"] = "Account number must be 4 to 41 letters, digits, spaces or dashes."
    if resolved["swift"] and not _SWIFT.fullmatch(resolved["swift"]):
        errors["swift"] = "SWIFT/BIC must be 8 or 11 characters, e.g. EQBLKENA."
    unknown = [code for code in _split_currencies(resolved["currencies"]) if code not in CURRENCY_EXPONENTS]
    if unknown:
        errors["currencies"] = f"Currencies lipwa does not support: {', '.join(unknown)}."
    elif not _split_currencies(resolved["currencies"]):
        errors["currencies"] = "Give at least one currency, e.g. KES."
    days = resolved["expiry_days"]
    if not (days.isascii() and days.isdigit() and EXPIRY_DAYS_MIN <= int(days) <= EXPIRY_DAYS_MAX):
        errors["expiry_days"] = f"Days to pay must be a whole number from {EXPIRY_DAYS_MIN} to {EXPIRY_DAYS_MAX}."
    return errors


def _split_currencies(text: str) -> list[str]:
    return [code.strip().upper() for code in text.split(",") if code.strip()]


@dataclass(frozen=True, slots=True)
class BankTransferCredentials:
    bank_name: str
    account_name: str
    account_number: str
    branch: str
    swift: str
    currencies: frozenset[str]
    expiry_days: int

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> BankTransferCredentials:
        raise_unless_usable(credentials_validate(values), "bank transfer account is not usable")
        resolved = _FIELDS.resolve(values)
        return cls(bank_name=resolved["bank_name"], account_name=resolved["account_name"],
                   account_number=resolved["account_number"], branch=resolved["branch"], swift=resolved["swift"],
                   currencies=frozenset(_split_currencies(resolved["currencies"])),
                   expiry_days=int(resolved["expiry_days"]))


def demo_credentials() -> dict[str, str]:
    """The demo merchant's bank: made-up details that look like a Kenyan bank account."""
    return {"bank_name": "Demo Bank Kenya", "account_name": "Demo Merchant Ltd", "account_number": "0100012345678",
            "branch": "Westlands", "swift": "DEMOKENA", "currencies": "KES,TZS,UGX,USD",
            "expiry_days": str(EXPIRY_DAYS_DEFAULT)}
