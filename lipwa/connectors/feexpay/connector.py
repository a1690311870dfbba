"""FeexPay (Benin and West/Central Africa): mobile money per network, and cards through a hosted page.

Flows only: what to send, and what each kind of answer means for the charge. HTTP lives in `client.py`, wire
shapes and status tables in `mapping.py`, the webhook in `webhooks.py`, configuration in `credentials.py`, and
every FeexPay assumption (the provider catalogue, webhook signing, reason codes) in `catalogue.py`. The rules
(DESIGN.md §3):

- nothing invalid is ever sent: `validate_charge` refuses what FeexPay would refuse (limits, networks,
  currencies that do not match the payer's country);
- a request that was never sent is FAILED, safe to try again; a request whose answer was lost is UNKNOWN,
  never FAILED. FeexPay chooses the reference (5.2), so a lost answer leaves nothing to query: the signed
  webhook (adopted by amount and payer) or lipwa's expiry settles it;
- a status we do not know is UNKNOWN too, and is queried again.
"""

from __future__ import annotations

import logging
import re
import time
import unicodedata
from collections.abc import Callable

from lipwa.common.http import GatewayUnreachable, OutcomeUnknown
from lipwa.common.money import Money
from lipwa.common.networks import detect_networks
from lipwa.common.phones import mask_phone
from lipwa.connectors.base import Connector
from lipwa.connectors.errors import ConnectorConfigError, ConnectorInputError
from lipwa.connectors.types import (
    ChargeRequest,
    ChargeResult,
    FailureCode,
    InboundRequest,
    ResultStatus,
    SyncRequest,
    WebhookAck,
    WebhookParseResult,
    WebhookVerification,
)

from . import catalogue, webhooks
from .catalogue import Provider
from .client import FeexpayClient, UnexpectedResponse
from .credentials import CREDENTIAL_FIELDS, FeexpayCredentials
from .mapping import UNKNOWN, ErrorReply, LinkReply, Outcome, TransactionReply, WireFormatError, amount_money
from .mapping import initiate_http_outcome as http_outcome

log = logging.getLogger("lipwa.connectors.feexpay")

_NOT_CONFIGURED = Outcome(ResultStatus.FAILED, FailureCode.CONFIGURATION_ERROR)
_UNREACHABLE = Outcome(ResultStatus.FAILED, FailureCode.PROVIDER_UNAVAILABLE)
CARD_FLOW = "card"
# Currencies that only cards take: a charge in them is a card charge whatever else it carries.
_CARD_ONLY_CURRENCIES = catalogue.CARD_CURRENCIES - {p.currency for p in catalogue.PROVIDERS
                                                     if p.method == catalogue.MOBILE_MONEY}


class FeexpayConnector(Connector):
    id = "feexpay"
    display_name = "FeexPay"
    methods = frozenset({catalogue.MOBILE_MONEY, catalogue.CARD})
    currencies = catalogue.CURRENCIES
    countries = catalogue.COUNTRIES
    networks = catalogue.NETWORKS
    routing_priority = 20  # an aggregator: the networks' own gateways go first
    credential_fields = CREDENTIAL_FIELDS
    callback_slug = "feexpay"
    default_expires_in_seconds = 15 * 60

    def __init__(self, account, *, sleep: Callable[[float], object] = time.sleep) -> None:
        super().__init__(account)
        self._sleep = sleep  # the status query's backoff; tests pass a recorder instead of waiting

    @classmethod
    def environment_of(cls, credentials) -> str:
        """Sandbox and live share FeexPay's host; the key says which (catalogue.SANDBOX_KEY_PREFIX)."""
        environment = super().environment_of(credentials)
        if environment == "production" and str(credentials.get("api_key", "")).startswith(
                catalogue.SANDBOX_KEY_PREFIX):
            return "sandbox"
        return environment

    @classmethod
    def simulator_credentials(cls, simulator_base_url: str) -> dict[str, str]:
        # FeexPay's API lives under /api on its host (5.1), and so does the simulator's.
        return {"base_url": f"{simulator_base_url}/api", "api_key": "sim_key", "shop_id": "sim_shop",
                "webhook_secret": "sim_secret"}

    @classmethod
    def provider_catalogue(cls, country: str | None = None) -> list[dict]:
        """The providers a payer in `country` can use (all when None), as JSON for `GET /v1/providers`."""
        return [provider.to_json() for provider in catalogue.providers(country)]

    # -- charges ------------------------------------------------------------------------------------------

    def validate_charge(self, request: ChargeRequest) -> None:
        charge_provider(request)

    def charge(self, request: ChargeRequest) -> ChargeResult:
        """A request to pay (PROCESSING: the prompt rings) or a card link (REQUIRES_ACTION: redirect)."""
        provider = charge_provider(request)  # the core has validated already; this guards the wire against bugs
        try:
            credentials = self._credentials()
        except ConnectorConfigError as exc:
            return _result(_NOT_CONFIGURED, message=str(exc))
        try:
            with self._client(credentials) as client:
                if provider.method == catalogue.CARD:
                    return self._charge_card(client, request)
                return self._request_to_pay(client, request, provider)
        except OutcomeUnknown as exc:
            log.warning("FeexPay charge for attempt %s sent but not answered (%s); outcome unknown",
                        request.attempt_id, exc)
            return _result(UNKNOWN, message="FeexPay did not answer; the outcome is unknown")
        except GatewayUnreachable as exc:
            return _result(_UNREACHABLE, message=f"FeexPay could not be reached, so nothing was sent: {exc}")
        except UnexpectedResponse as exc:
            # A 2xx we cannot read may still have created the request.
            log.warning("FeexPay charge for attempt %s: %s", request.attempt_id, exc)
            return _result(UNKNOWN, message=str(exc), status=f"HTTP {exc.http_status}")

    def _request_to_pay(self, client: FeexpayClient, request: ChargeRequest, provider: Provider) -> ChargeResult:
        first_name, _, last_name = request.customer_name.strip().partition(" ")
        reply = client.request_to_pay(
            network=provider.feexpay_network, phone_number=request.phone.msisdn, amount=request.amount.whole_major(),
            description=description(request), callback_info=request.attempt_id,
            webhook_url=self.account.callback_url, first_name=first_name, last_name=last_name.strip(),
            email=request.customer_email.strip())
        if isinstance(reply, ErrorReply):
            log.warning("FeexPay refused the request to pay of attempt %s: HTTP %s %s", request.attempt_id,
                        reply.http_status, reply.message)
            return _result(http_outcome(reply.http_status, reply.message), status=f"HTTP {reply.http_status}",
                           message=reply.message)
        log.info("FeexPay request to pay %s for attempt %s: %s", reply.reference, request.attempt_id, reply.status)
        return _transaction_result(reply, reply.reference, request.amount.currency)

    def _charge_card(self, client: FeexpayClient, request: ChargeRequest) -> ChargeResult:
        reply = client.create_link(amount=request.amount.whole_major(), currency=request.amount.currency,
                                   description=description(request), return_url=request.return_url,
                                   webhook_url=self.account.callback_url, callback_info=request.attempt_id)
        if isinstance(reply, ErrorReply):
            log.warning("FeexPay refused the card link of attempt %s: HTTP %s %s", request.attempt_id,
                        reply.http_status, reply.message)
            return _result(http_outcome(reply.http_status, reply.message), status=f"HTTP {reply.http_status}",
                           message=reply.message)
        return _link_result(reply)

    def charge_sync(self, request: SyncRequest) -> ChargeResult:
        """Ask FeexPay for the transaction's status (5.3). A card link has no status of its own: until its
        webhook names the transaction, the customer still has the page to act on."""
        state = request.connector_state or {}
        is_card = state.get("flow") == CARD_FLOW
        reference = state.get("reference") if is_card else request.gateway_reference
        if is_card and not reference:
            return _link_result(LinkReply(url=state.get("url", ""), link_id=request.gateway_reference or ""))
        if not reference:
            return _result(UNKNOWN, message="the request to pay was never answered, so there is no FeexPay "
                                             "reference to query; waiting for FeexPay's webhook")
        attempt_reference = request.gateway_reference if is_card else reference
        try:
            with self._client(self._credentials()) as client:
                reply = client.transaction_status(reference)
        except (ConnectorConfigError, GatewayUnreachable, OutcomeUnknown, UnexpectedResponse) as exc:
            # A query that fails says nothing about the payment; the core asks again later.
            log.warning("FeexPay status query for %s failed: %s", reference, exc)
            return _result(UNKNOWN, reference=attempt_reference, message=f"status query failed: {exc}")
        if isinstance(reply, ErrorReply):
            log.warning("FeexPay status query for %s answered HTTP %s %s", reference, reply.http_status,
                        reply.message)
            return _result(UNKNOWN, reference=attempt_reference, status=f"HTTP {reply.http_status}",
                           message=reply.message)
        if reply.reference != reference:
            log.error("FeexPay status query for %s answered about %s", reference, reply.reference)
            return _result(UNKNOWN, reference=attempt_reference,
                           message="the status query answered about another transaction")
        return _transaction_result(reply, attempt_reference, request.amount.currency,
                                   state={"reference": reference} if is_card else None)

    def _credentials(self) -> FeexpayCredentials:
        credentials = FeexpayCredentials.from_mapping(self.account.credentials)
        if self.account.mode == "live" and credentials.is_sandbox_key:
            # Same host for both modes (5.1): a sandbox key on a live account would "succeed" without money.
            raise ConnectorConfigError("a FeexPay sandbox key (test_…) cannot be used on a live account")
        return credentials

    def _client(self, credentials: FeexpayCredentials) -> FeexpayClient:
        return FeexpayClient(credentials, timeout_seconds=self.account.timeout_seconds, sleep=self._sleep)

    # -- callbacks ----------------------------------------------------------------------------------------

    def webhook_verify(self, inbound: InboundRequest) -> WebhookVerification:
        return webhooks.webhook_verify(inbound, str(self.account.credentials.get("webhook_secret") or ""))

    def webhook_parse(self, inbound: InboundRequest) -> WebhookParseResult:
        return webhooks.webhook_parse(inbound)

    def webhook_ack(self, accepted: bool) -> WebhookAck:
        return webhooks.webhook_ack(accepted)


# -- validation -------------------------------------------------------------------------------------------


def charge_provider(request: ChargeRequest) -> Provider:
    """The catalogue entry that will carry `request`; raises ConnectorInputError when none can."""
    if is_card_charge(request):
        provider = catalogue.card_provider(request.amount.currency)
        if provider is None:
            raise ConnectorInputError(
                f"FeexPay takes cards in {', '.join(sorted(catalogue.CARD_CURRENCIES))}, not "
                f"{request.amount.currency}", param="currency", code="currency_not_supported")
    else:
        provider = _mobile_money_provider(request)
    _validate_amount(request.amount, provider)
    return provider


def is_card_charge(request: ChargeRequest) -> bool:
    """ChargeRequest does not say which method the payment chose, so: its `method` if a later core passes one;
    otherwise a card-only currency, or no phone to ring, means the hosted card page."""
    method = getattr(request, "method", None)
    if method:
        return method == catalogue.CARD
    return request.amount.currency in _CARD_ONLY_CURRENCIES or request.phone is None


def _mobile_money_provider(request: ChargeRequest) -> Provider:
    phone = request.phone
    if phone is None:  # unreachable today (no phone means card), kept for a core that passes `method`
        raise ConnectorInputError("phone is required for FeexPay mobile money, in international form "
                                  "(e.g. +2290197000000)", param="phone", code="phone_required")
    if phone.country not in catalogue.COUNTRIES:
        raise ConnectorInputError(
            f"FeexPay mobile money serves {', '.join(sorted(catalogue.COUNTRIES))}; {mask_phone(phone.msisdn)} "
            f"is a {phone.country} number", param="phone", code="invalid_phone")
    offered = catalogue.networks_of(phone.country)
    network = request.network or next((n for n in detect_networks(phone) if n in offered), None)
    if network is None:
        raise ConnectorInputError(
            f"say which network {mask_phone(phone.msisdn)} is on: FeexPay offers {', '.join(offered)} in "
            f"{phone.country}", param="network", code="network_required")
    provider = catalogue.mobile_money_provider(phone.country, network)
    if provider is None:
        raise ConnectorInputError(f"FeexPay offers {', '.join(offered)} in {phone.country}, not {network!r}",
                                  param="network", code="network_not_supported")
    if request.amount.currency != provider.currency:
        raise ConnectorInputError(f"{provider.name} charges {provider.currency}, not {request.amount.currency}",
                                  param="currency", code="currency_not_supported")
    return provider


def _validate_amount(amount: Money, provider: Provider) -> None:
    if not amount.is_whole_major():
        raise ConnectorInputError(
            f"amount {amount.amount_minor} is {amount.currency} {amount.major_string()}, but FeexPay takes whole "
            f"{amount.currency} only; send a multiple of {10 ** amount.exponent}", param="amount",
            code="amount_precision")
    if amount.amount_minor < provider.amount_min:
        raise ConnectorInputError(
            f"amount {amount.amount_minor} is below FeexPay's minimum of {_show(provider.amount_min, amount)} for "
            f"{provider.name} (amount {provider.amount_min})", param="amount", code="amount_too_small")
    if amount.amount_minor > provider.amount_max:
        raise ConnectorInputError(
            f"amount {amount.amount_minor} is above FeexPay's maximum of {_show(provider.amount_max, amount)} for "
            f"{provider.name} (amount {provider.amount_max})", param="amount", code="amount_too_large")


def _show(amount_minor: int, like: Money) -> str:
    whole = Money(amount_minor, like.currency).whole_major()
    return f"{like.currency} {whole:,}"


# -- what FeexPay shows the customer ------------------------------------------------------------------------

# 5.2: letters, digits and spaces only; anything else (even "-") makes some operators refuse silently.
_DESCRIPTION_UNSAFE = re.compile(r"[^A-Za-z0-9 ]")


def plain_text(value: str, max_chars: int = catalogue.DESCRIPTION_MAX_CHARS) -> str:
    """`value` as letters, digits and single spaces: accents dropped ("Dépôt" → "Depot"), punctuation turned
    into spaces ("INV-7" → "INV 7"), then cut to `max_chars`."""
    ascii_only = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return " ".join(_DESCRIPTION_UNSAFE.sub(" ", ascii_only).split())[:max_chars].strip()


def description(request: ChargeRequest) -> str:
    """The description, else the merchant's reference, else the payment id's random tail."""
    return (plain_text(request.description) or plain_text(request.merchant_reference)
            or plain_text(f"Paiement {request.payment_id[-12:]}"))


# -- results ----------------------------------------------------------------------------------------------


def _result(outcome: Outcome, *, reference: str | None = None, status: str = "", message: str = "",
            state: dict[str, str] | None = None, amount: Money | None = None) -> ChargeResult:
    return ChargeResult(status=outcome.status, failure_code=outcome.failure_code, gateway_reference=reference,
                        gateway_status=status, gateway_message=message, connector_state=state or {}, amount=amount)


def _transaction_result(reply: TransactionReply, reference: str, currency: str,
                        state: dict[str, str] | None = None) -> ChargeResult:
    try:
        amount = amount_money(reply.amount, currency)
    except WireFormatError as exc:
        log.warning("FeexPay transaction %s: %s; the amount is ignored", reply.reference, exc)
        amount = None
    status = f"{reply.status} {reply.reason}" if reply.reason else reply.status
    return _result(reply.outcome, reference=reference, status=status, message=reply.message or reply.reason,
                   state=state, amount=amount)


def _link_result(reply: LinkReply) -> ChargeResult:
    """The customer must open the hosted page. Without a URL (an attempt stored before one was known) the
    result still says REQUIRES_ACTION, and the payment keeps the redirect it already has."""
    next_action = {"type": "redirect", "url": reply.url} if reply.url else None
    state = {"flow": CARD_FLOW, "url": reply.url} if reply.url else {"flow": CARD_FLOW}
    return ChargeResult(status=ResultStatus.REQUIRES_ACTION, gateway_reference=reply.link_id or None,
                        gateway_status="LINK", next_action=next_action, connector_state=state)
