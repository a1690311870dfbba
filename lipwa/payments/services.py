"""Payment services: every state change of a payment happens here, one database transaction each.

Row locks are always taken in this order: payment, then its attempts (oldest first). Gateways are called
outside any transaction, so a slow gateway never holds a lock.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction

from lipwa.common import clock
from lipwa.common.errors import Conflict, InvalidRequest, NotFound
from lipwa.common.fixed_sql import row_insert, row_update, rows_select
from lipwa.common.money import CurrencyError, Money, currency_exponent
from lipwa.common.phones import InvalidPhone, default_country_for_currency, parse_phone
from lipwa.connectors.errors import ConnectorInputError
from lipwa.connectors.registry import connector_class, connector_for_account
from lipwa.connectors.types import ChargeRequest, ChargeResult, ResultStatus, SyncRequest
from lipwa.merchants.models import Merchant
from lipwa.merchants.services import account_context

from .actions import saved_instrument_of
from .events import event_record
from .idempotency import idempotency_resource_record, idempotency_resource_recovered
from .models import METHODS, PaymentAttempt, PaymentIntent
from .results import attempt_apply_result
from .routing import Route, fee_for, payer_home_country, route_payment
from .states import PAYMENT_FINAL, AttemptStatus, PaymentStatus, payment_transition

log = logging.getLogger("lipwa.payments")

AMOUNT_MAX_MINOR = 10**13  # far above any mobile-money limit; a guard against unit mix-ups
EXPIRES_IN_MIN_SECONDS = 60
EXPIRES_IN_MAX_SECONDS = 90 * 24 * 3600
FIRST_SYNC_DELAY_SECONDS = 10
# What a locked payment comes with (unlocked): its account for the gateway call, its merchant for event snapshots.
LOCKED_PAYMENT_RELATED = ("connector_account", "merchant")


def payment_create(*, merchant: Merchant, mode: str, amount: int, currency: str, method: str,
                   provider: str | None = None, phone: str | None = None, customer: dict | None = None,
                   merchant_reference: str = "", description: str = "", metadata: dict | None = None,
                   return_url: str = "", expires_in: int | None = None, network: str | None = None,
                   reuse_payment: str | None = None, confirm: bool = True) -> PaymentIntent:
    """Validate, route and persist a payment, then (by default) send it to the gateway."""
    recovered = _payment_recovered(confirm)
    if recovered is not None:
        return recovered
    money = _validate_amount(amount, currency)
    if method not in dict(METHODS):
        raise InvalidRequest(f"method must be one of {', '.join(dict(METHODS))}", param="method")
    parsed_phone = _parse_payer_phone(phone or (customer or {}).get("phone"), method,
                                      default_country_for_currency(currency)
                                      or payer_home_country(merchant=merchant, mode=mode, method=method,
                                                            currency=currency))
    if expires_in is not None and not EXPIRES_IN_MIN_SECONDS <= expires_in <= EXPIRES_IN_MAX_SECONDS:
        raise InvalidRequest(f"expires_in must be between {EXPIRES_IN_MIN_SECONDS} and {EXPIRES_IN_MAX_SECONDS}"
                             " seconds", param="expires_in")
    now = clock.now()

    def draft(account, network: str | None, candidates=(), fee_minor: int = 0) -> PaymentIntent:
        cls = connector_class(account.connector)
        window = cls.expires_in_seconds(account.get_credentials()) if expires_in is None else expires_in
        return PaymentIntent(
            merchant=merchant, mode=mode, amount_minor=money.amount_minor, currency=currency, method=method,
            provider=cls.id, connector_account=account, phone_e164=parsed_phone.e164 if parsed_phone else "",
            country=parsed_phone.country if parsed_phone else "", network=network or "",
            network_candidates=list(candidates), fee_minor=fee_minor, customer=customer or {},
            merchant_reference=merchant_reference, description=description, metadata=metadata or {},
            return_url=return_url, expires_at=now + timedelta(seconds=window), created_at=now, updated_at=now,
        )

    def accepts(account, network: str | None) -> None:
        """Ask the connector itself before choosing its account (e.g. a currency its environment lacks)."""
        try:
            connector_for_account(account_context(account)).validate_charge(
                _charge_request(draft(account, network), "att_validate"))
        except ConnectorInputError as exc:
            raise InvalidRequest(exc.message, param=exc.param, code=exc.code) from None

    if reuse_payment:
        # Charged again on the earlier payment's saved instrument, through the account that holds it.
        earlier_attempt, _ = saved_instrument_of(merchant=merchant, mode=mode, payment_id=reuse_payment)
        account = earlier_attempt.connector_account
        route = Route(account=account, network=None, network_candidates=(), fee_minor=fee_for(account, money))
    else:
        route = route_payment(merchant=merchant, mode=mode, method=method, amount=money, provider=provider,
                              phone=parsed_phone, network=network, accepts=accepts)
    payment = draft(route.account, route.network, route.network_candidates, route.fee_minor)
    payment.reuses_payment_id = reuse_payment or ""
    with transaction.atomic():
        row_insert(payment)  # fixed SQL, as the payment's other hot statements (lipwa.common.fixed_sql)
        event_record(payment, "payment.created")
        idempotency_resource_record(payment.id)
        # Confirmed in the same transaction: the row was inserted here, so no one else can hold or change it,
        # and a crash leaves either nothing or a payment whose attempt the janitor will query.
        attempt = _attempt_start(payment, clock.now()) if confirm else None
    log.info("payment %s created: %s via %s", payment.id, money, payment.provider)
    return _attempt_send(payment, attempt) if attempt is not None else payment


def _payment_recovered(confirm: bool) -> PaymentIntent | None:
    """The payment an earlier run of this keyed request created before its process died: returned (and sent to the
    gateway if that run died before doing so) rather than created a second time."""
    payment_id = idempotency_resource_recovered()
    payment = PaymentIntent.objects.filter(id=payment_id).first() if payment_id else None
    if payment is None:
        return None
    log.warning("payment %s recovered for a retried request whose first run was abandoned", payment.id)
    if confirm and payment.status == PaymentStatus.PENDING and not payment.attempts.exists():
        return payment_confirm(payment_id=payment.id)
    return payment


def _validate_amount(amount: object, currency: object) -> Money:
    if not isinstance(currency, str) or len(currency) != 3 or not currency.isupper():
        raise InvalidRequest("currency must be an upper-case ISO 4217 code such as KES", param="currency")
    try:
        currency_exponent(currency)
    except CurrencyError:
        raise InvalidRequest(f"currency {currency} is not supported", param="currency",
                             code="currency_not_supported") from None
    if isinstance(amount, bool) or not isinstance(amount, int):
        raise InvalidRequest("amount must be an integer number of minor units (e.g. 10000 for KES 100.00)",
                             param="amount")
    if amount <= 0:
        raise InvalidRequest("amount must be greater than zero", param="amount", code="amount_too_small")
    if amount > AMOUNT_MAX_MINOR:
        raise InvalidRequest(f"amount must be at most {AMOUNT_MAX_MINOR} minor units", param="amount",
                             code="amount_too_large")
    return Money(amount, currency)


def _parse_payer_phone(raw: object, method: str, default_country: str | None):
    if raw in (None, ""):
        if method == "mobile_money":
            raise InvalidRequest("phone is required for mobile money", param="phone")
        return None
    try:
        return parse_phone(raw, default_country)
    except InvalidPhone as exc:
        raise InvalidRequest(f"{exc}; send it in international form, e.g. +254712345678", param="phone",
                             code="invalid_phone") from None


def _charge_request(payment: PaymentIntent, attempt_id: str) -> ChargeRequest:
    phone = parse_phone(payment.phone_e164) if payment.phone_e164 else None
    customer = payment.customer or {}
    return ChargeRequest(
        attempt_id=attempt_id, payment_id=payment.id, amount=Money(payment.amount_minor, payment.currency),
        phone=phone, merchant_reference=payment.merchant_reference, description=payment.description,
        customer_name=str(customer.get("name") or ""), customer_email=str(customer.get("email") or ""),
        return_url=payment.return_url, metadata={str(k): str(v) for k, v in (payment.metadata or {}).items()},
        network=payment.network or None, method=payment.method, expires_at=payment.expires_at,
    )


def payment_confirm(*, payment_id: str) -> PaymentIntent:
    """Create an attempt for a pending payment and send it to the gateway."""
    now = clock.now()
    with transaction.atomic():
        payment = _lock_payment(payment_id)
        if payment.status != PaymentStatus.PENDING:
            raise Conflict(f"payment {payment.id} is {payment.status}; only a pending payment can be confirmed",
                           code="payment_not_confirmable")
        if payment.expires_at <= now:
            raise Conflict(f"payment {payment.id} has expired", code="payment_expired")
        attempt = _attempt_start(payment, now)
    return _attempt_send(payment, attempt)


def _attempt_start(payment: PaymentIntent, now) -> PaymentAttempt:
    """Inside the caller's transaction, with the pending payment locked (or inserted by it): a new attempt, and
    the payment moves to `processing` with its event."""
    # The attempt is persisted (with a sync scheduled) before the gateway is called, so that a crash
    # between the two leaves an attempt the janitor will query rather than a charge nobody knows of.
    attempt = PaymentAttempt(
        payment=payment, connector_account=payment.connector_account, connector=payment.provider,
        amount_minor=payment.amount_minor, currency=payment.currency, status=AttemptStatus.PENDING,
        outcome_unknown=True, next_sync_at=now + timedelta(seconds=FIRST_SYNC_DELAY_SECONDS),
        created_at=now, updated_at=now,
    )
    row_insert(attempt)
    # The payment leaves `pending` in the same transaction, so a concurrent confirm finds it taken.
    payment_transition(payment.status, PaymentStatus.PROCESSING)
    payment.status = PaymentStatus.PROCESSING
    payment.updated_at = now
    row_update(payment, ("status", "updated_at"))
    event_record(payment, "payment.processing", attempt_id=attempt.id)
    return attempt


def _attempt_send(payment: PaymentIntent, attempt: PaymentAttempt) -> PaymentIntent:
    """Send a committed attempt to the gateway, outside any transaction, and apply the answer."""
    connector = connector_for_account(account_context(payment.connector_account))
    try:
        if payment.reuses_payment_id:
            _, instrument = saved_instrument_of(merchant=payment.merchant, mode=payment.mode,
                                                payment_id=payment.reuses_payment_id)
            result = connector.charge_saved(_charge_request(payment, attempt.id), instrument)
        else:
            result = connector.charge(_charge_request(payment, attempt.id))
    except Exception:  # a bug in a connector must not lose a charge that may have been sent
        log.exception("connector %s raised while charging attempt %s; outcome unknown", payment.provider,
                      attempt.id)
        result = ChargeResult(status=ResultStatus.UNKNOWN, gateway_message="connector error; outcome unknown")
    return attempt_apply_result(attempt_id=attempt.id, result=result, source="initiate", payment_id=payment.id)


def attempt_sync(*, attempt_id: str) -> PaymentIntent:
    """Ask the gateway what became of an attempt and apply the answer."""
    return attempt_apply_result(attempt_id=attempt_id, result=attempt_query(attempt_id=attempt_id), source="sync")


def attempt_query(*, attempt_id: str) -> ChargeResult:
    """Ask the gateway what became of an attempt, without applying the answer (no transaction is held
    during the gateway call). A connector that raises counts as an unknown outcome."""
    attempt = PaymentAttempt.objects.select_related("payment", "connector_account").filter(id=attempt_id).first()
    if attempt is None:
        raise NotFound(f"no attempt {attempt_id}")
    payment = attempt.payment
    request = SyncRequest(attempt_id=attempt.id, gateway_reference=attempt.gateway_reference,
                          amount=Money(attempt.amount_minor, attempt.currency),
                          phone=parse_phone(payment.phone_e164) if payment.phone_e164 else None,
                          connector_state=attempt.connector_state)
    connector = connector_for_account(account_context(attempt.connector_account))
    try:
        result = connector.charge_sync(request)
    except Exception:
        log.exception("connector %s raised while syncing attempt %s", attempt.connector, attempt.id)
        result = ChargeResult(status=ResultStatus.UNKNOWN, gateway_message="connector error during sync")
    return result


def payment_cancel(*, merchant: Merchant, mode: str, payment_id: str) -> PaymentIntent:
    with transaction.atomic():
        payment = _lock_payment(payment_id, merchant=merchant, mode=mode)
        if payment.status == PaymentStatus.CANCELLED:
            return payment
        if payment.status not in (PaymentStatus.PENDING, PaymentStatus.REQUIRES_ACTION):
            raise Conflict(f"payment {payment.id} is {payment.status} and can no longer be cancelled",
                           code="payment_not_cancellable")
        _end_payment(payment, PaymentStatus.CANCELLED)
    return payment


def payment_expire(*, payment_id: str) -> PaymentIntent:
    """End a payment whose window has passed without a final answer (never as `failed`)."""
    with transaction.atomic():
        payment = _lock_payment(payment_id)
        if payment.status in PAYMENT_FINAL or payment.expires_at > clock.now():
            return payment
        _end_payment(payment, PaymentStatus.EXPIRED)
    log.info("payment %s expired", payment.id)
    return payment


def _end_payment(payment: PaymentIntent, status: PaymentStatus) -> None:
    """Move a locked payment to cancelled/expired and stop waiting for its open attempts."""
    payment_transition(payment.status, status)
    now = clock.now()
    open_attempts = payment.attempts.select_for_update().exclude(
        status__in=[AttemptStatus.SUCCEEDED, AttemptStatus.FAILED, AttemptStatus.EXPIRED]).order_by("created_at")
    for attempt in open_attempts:
        attempt.status = AttemptStatus.EXPIRED
        attempt.next_sync_at = None
        attempt.updated_at = now
        attempt.save(update_fields=["status", "next_sync_at", "updated_at"])
    payment.status = status
    payment.next_action = None
    payment.updated_at = now
    payment.save(update_fields=["status", "next_action", "updated_at"])
    event_record(payment, f"payment.{status.value}")


def _lock_payment(payment_id: str, *, merchant: Merchant | None = None, mode: str | None = None) -> PaymentIntent:
    # FOR UPDATE OF the payment alone: PostgreSQL would otherwise lock the joined rows too, serialising every
    # payment of the account (and making their commits wait on its foreign-key checks). The merchant is read
    # by every event snapshot. Fixed SQL: the ORM compiled this join on every state change.
    if merchant is None:
        found = rows_select(PaymentIntent, "t.id = %s", [payment_id], related=LOCKED_PAYMENT_RELATED, lock=True)
    else:
        found = rows_select(PaymentIntent, "t.id = %s AND t.merchant_id = %s AND t.mode = %s",
                            [payment_id, merchant.id, mode], related=LOCKED_PAYMENT_RELATED, lock=True)
    if not found:
        raise NotFound(f"no payment {payment_id}", param="id")
    return found[0]


def attempt_sync_postpone(*, attempt_id: str) -> None:
    """A sync that could not even be made still moves the attempt along the backoff schedule, so a few
    broken attempts never hold the janitor's whole batch."""
    from .results import sync_delay_seconds

    with transaction.atomic():
        attempt = PaymentAttempt.objects.select_for_update().filter(id=attempt_id).first()
        if attempt is None or attempt.next_sync_at is None:
            return
        attempt.sync_count += 1
        attempt.next_sync_at = clock.now() + timedelta(seconds=sync_delay_seconds(attempt.sync_count))
        attempt.save(update_fields=["sync_count", "next_sync_at"])


def payment_review_clear(*, payment_id: str, reviewer: str, note: str = "") -> PaymentIntent:
    """A person looked at a payment flagged `needs_review` and clears the flag; the status is not touched
    (a correction, if one is needed, is its own ledger transfer). Audited; clearing twice is a no-op."""
    from lipwa.audit.services import audit_record

    with transaction.atomic():
        payment = _lock_payment(payment_id)
        if not payment.needs_review:
            return payment
        payment.needs_review = False
        payment.updated_at = clock.now()
        payment.save(update_fields=["needs_review", "updated_at"])
        audit_record(merchant_id=payment.merchant_id, actor=reviewer, action="payment.review_clear",
                     object_type="payment", object_id=payment.id, details={"note": note[:300]})
    return payment
