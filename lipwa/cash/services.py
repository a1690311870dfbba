"""Cash on delivery: every state change here is one transaction with its ledger postings and audit entry.

Lock order (docs/decisions.md): payment → its attempts (oldest first) → cash rows (assignment, rider,
collection) → ledger accounts. Every refusal is a LipwaError with a precise code, raised before anything is
written (or rolling the transaction back), and logged.
"""

from __future__ import annotations

import functools
import hmac
import logging
from datetime import UTC, date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Sum

from lipwa.audit.services import audit_record
from lipwa.common import clock
from lipwa.common.errors import Conflict, InvalidRequest, LipwaError, NotFound
from lipwa.common.money import CurrencyError, Money, currency_exponent
from lipwa.common.phones import InvalidPhone, parse_phone
from lipwa.connectors.types import ChargeResult, ResultStatus
from lipwa.ledger.codes import AccountKind, TransferCode
from lipwa.ledger.services import LedgerError, account_ensure, transfer_create
from lipwa.merchants.models import Merchant
from lipwa.payments.models import PaymentAttempt, PaymentIntent
from lipwa.payments.results import attempt_apply_result

from .models import (
    CashAssignment,
    CashCollection,
    CashDiscrepancy,
    CashRemittance,
    CashUp,
    CashUpStatus,
    DiscrepancyStatus,
    Rider,
)
from .photos import Photo, photo_store

log = logging.getLogger("lipwa.cash")

CASH_CONNECTOR = "cash"  # the connector id; named, not imported, because the core never imports a gateway
PIN_METADATA_KEY = "cash_pin"
# A cash payment can take a collection while it waits for one; after lipwa expired or the merchant cancelled
# it, cash a rider really took is still recorded (the core flags the payment for review, money moved).
_COLLECTABLE = {"requires_action", "processing", "expired", "cancelled"}
_ASSIGNABLE = {"requires_action", "processing"}


def _logged(action: str):
    """Log every refusal with its code (never its secrets), then let it reach the caller unchanged."""
    def decorate(function):
        @functools.wraps(function)
        def wrapper(*args, **kwargs):
            try:
                return function(*args, **kwargs)
            except LipwaError as exc:
                context = {k: v for k, v in kwargs.items() if k in ("payment_id", "rider_id", "day", "reference")}
                log.warning("cash %s refused (%s): %s %s", action, exc.code, exc.message, context)
                raise
        return wrapper
    return decorate


# -- riders ---------------------------------------------------------------------------------------------


@_logged("rider_create")
def rider_create(*, merchant: Merchant, mode: str, name: str, phone: str = "", by: str) -> Rider:
    name = (name or "").strip()
    if not name:
        raise InvalidRequest("name is required", param="name")
    phone_e164 = ""
    if phone:
        try:
            phone_e164 = parse_phone(phone, None).e164
        except InvalidPhone as exc:
            raise InvalidRequest(f"{exc}; send it in international form, e.g. +254712345678", param="phone",
                                 code="invalid_phone") from None
    with transaction.atomic():
        rider = Rider.objects.create(merchant=merchant, mode=mode, name=name[:200], phone=phone_e164,
                                     created_at=clock.now())
        audit_record(merchant_id=merchant.id, actor=by, action="rider.create", object_type="rider",
                     object_id=rider.id, details={"name": rider.name})
    log.info("rider %s created for merchant %s", rider.id, merchant.id)
    return rider


def _rider_locked(rider_id: str, *, merchant_id: str, mode: str) -> Rider:
    """The rider, locked; an unknown rider and another merchant's (or mode's) rider are the same 404."""
    rider = Rider.objects.select_for_update().filter(id=rider_id, merchant_id=merchant_id, mode=mode).first()
    if rider is None:
        raise NotFound(f"no rider {rider_id}", param="rider", code="rider_not_found")
    return rider


# -- assignment -----------------------------------------------------------------------------------------


def _payment_locked(payment_id: str, merchant: Merchant | None, mode: str | None) -> PaymentIntent:
    queryset = PaymentIntent.objects.select_for_update()
    if merchant is not None:
        queryset = queryset.filter(merchant=merchant, mode=mode)
    payment = queryset.filter(id=payment_id).first()
    if payment is None:
        raise NotFound(f"no payment {payment_id}", param="payment")
    if payment.provider != CASH_CONNECTOR:
        raise InvalidRequest(f"payment {payment.id} is a {payment.provider} payment, not cash on delivery",
                             param="payment", code="payment_not_cash")
    return payment


def _cash_attempt_locked(payment: PaymentIntent) -> PaymentAttempt:
    """Lock the payment's attempts oldest first and return the newest (a cash payment has one)."""
    attempts = list(PaymentAttempt.objects.select_for_update().filter(payment=payment).order_by("created_at", "id"))
    if not attempts:
        raise Conflict(f"payment {payment.id} was never confirmed", code="payment_not_confirmed")
    return attempts[-1]


@_logged("assign")
def cash_payment_assign(*, payment_id: str, rider_id: str, by: str, merchant: Merchant | None = None,
                        mode: str | None = None) -> CashAssignment:
    """Give a cash payment to a rider (again, to hand it to another rider before collection)."""
    with transaction.atomic():
        payment = _payment_locked(payment_id, merchant, mode)
        attempt = _cash_attempt_locked(payment)
        if payment.status not in _ASSIGNABLE:
            raise Conflict(f"payment {payment.id} is {payment.status}; only a payment awaiting collection can be "
                           "assigned", param="payment", code="payment_not_assignable")
        rider = _rider_locked(rider_id, merchant_id=payment.merchant_id, mode=payment.mode)
        if not rider.active:
            raise Conflict(f"rider {rider.id} is inactive", param="rider", code="rider_inactive")
        now = clock.now()
        previous = CashAssignment.objects.select_for_update().filter(payment=payment).first()
        assignment = previous or CashAssignment(payment=payment)
        previous_rider = previous.rider_id if previous else None
        assignment.rider, assignment.assigned_at, assignment.assigned_by = rider, now, by[:150]
        assignment.save()
        # The customer's instructions name the rider; the core keeps next_action and changes no status.
        next_action = {**(payment.next_action or {}), "rider": rider.id}
        attempt_apply_result(attempt_id=attempt.id, source="operator", result=ChargeResult(
            ResultStatus.REQUIRES_ACTION, gateway_reference=attempt.gateway_reference, next_action=next_action,
            gateway_status="awaiting_collection"))
        audit_record(merchant_id=payment.merchant_id, actor=by, action="cash.assign", object_type="payment",
                     object_id=payment.id, details={"rider": rider.id, "previous_rider": previous_rider})
    log.info("cash payment %s assigned to rider %s by %s", payment.id, rider.id, by)
    return assignment


# -- collection -----------------------------------------------------------------------------------------


def _check_receipt(receipt_number: object) -> str:
    if not isinstance(receipt_number, str) or not receipt_number.strip():
        raise InvalidRequest("receipt_number is required: the number on the receipt the rider gave",
                             param="receipt_number")
    if len(receipt_number.strip()) > 100:
        raise InvalidRequest("receipt_number must be at most 100 characters", param="receipt_number")
    return receipt_number.strip()


def _check_amount(amount_minor: object) -> int:
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor <= 0:
        raise InvalidRequest("amount must be a positive integer number of minor units", param="amount")
    return amount_minor


def _check_pin(payment: PaymentIntent, customer_pin: str | None) -> bool:
    """True when a PIN was checked. A PIN the merchant set is required; compared in constant time."""
    expected = str((payment.metadata or {}).get(PIN_METADATA_KEY) or "")
    if not expected:
        if customer_pin:
            raise InvalidRequest(f"payment {payment.id} has no customer PIN to check (set metadata.cash_pin when "
                                 "creating it)", param="customer_pin", code="customer_pin_not_set")
        return False
    if not customer_pin:
        raise InvalidRequest(f"payment {payment.id} needs the customer's PIN to record the collection",
                             param="customer_pin", code="customer_pin_required")
    if not hmac.compare_digest(expected.encode(), customer_pin.encode()):
        raise InvalidRequest("the customer PIN does not match", param="customer_pin", code="wrong_pin")
    return True


def _check_collectable(payment: PaymentIntent, rider: Rider, amount_minor: int) -> None:
    existing = CashCollection.objects.filter(payment=payment).first()
    if existing is not None:
        raise Conflict(f"cash for payment {payment.id} was already recorded ({existing.id}, receipt "
                       f"{existing.receipt_number})", param="payment", code="cash_already_recorded")
    if payment.status not in _COLLECTABLE:
        raise Conflict(f"payment {payment.id} is {payment.status}; cash cannot be recorded for it",
                       param="payment", code="payment_not_collectable")
    assignment = CashAssignment.objects.select_for_update().filter(payment=payment).first()
    if assignment is None or assignment.rider_id != rider.id:
        held_by = f"assigned to rider {assignment.rider_id}" if assignment else "not assigned to any rider"
        raise Conflict(f"payment {payment.id} is {held_by}, not to rider {rider.id}", param="rider",
                       code="rider_not_assigned")
    if amount_minor != payment.amount_minor:
        raise InvalidRequest(f"amount {amount_minor} does not match the payment's {payment.amount_minor} "
                             f"{payment.currency} minor units", param="amount", code="amount_mismatch")


@_logged("collection_record")
def cash_collection_record(*, payment_id: str, rider_id: str, receipt_number: str, amount_minor: int,
                           photo: Photo | None = None, customer_pin: str | None = None, by: str,
                           merchant: Merchant | None = None, mode: str | None = None) -> CashCollection:
    """Record cash a rider took for a payment: the payment succeeds and the rider's float goes up."""
    receipt_number, amount_minor = _check_receipt(receipt_number), _check_amount(amount_minor)
    with transaction.atomic():
        payment = _payment_locked(payment_id, merchant, mode)
        attempt = _cash_attempt_locked(payment)
        rider = _rider_locked(rider_id, merchant_id=payment.merchant_id, mode=payment.mode)
        _check_collectable(payment, rider, amount_minor)
        pin_verified = _check_pin(payment, customer_pin)
        if photo is not None:
            photo_store(photo)
        try:
            with transaction.atomic():
                collection = CashCollection.objects.create(
                    payment=payment, attempt_id=attempt.id, rider=rider, amount_minor=amount_minor,
                    currency=payment.currency, receipt_number=receipt_number,
                    photo_sha256=photo.sha256 if photo else "", photo_content_type=photo.content_type if photo else "",
                    customer_pin_verified=pin_verified, collected_at=clock.now(), recorded_by=by[:150])
        except IntegrityError:  # recorded concurrently on a database without row locks
            raise Conflict(f"cash for payment {payment.id} was already recorded", param="payment",
                           code="cash_already_recorded") from None
        attempt_apply_result(attempt_id=attempt.id, source="operator", result=ChargeResult(
            ResultStatus.SUCCEEDED, gateway_reference=attempt.gateway_reference, receipt_number=receipt_number,
            amount=Money(amount_minor, payment.currency), gateway_status="collected"))
        attempt.refresh_from_db(fields=["status"])
        if attempt.status != "succeeded":  # our own fault: the core refused the result; roll everything back
            raise RuntimeError(f"attempt {attempt.id} did not take the collection (status {attempt.status})")
        _post_collection(payment, attempt, rider, collection)
        audit_record(merchant_id=payment.merchant_id, actor=by, action="cash.collect", object_type="payment",
                     object_id=payment.id, details={"collection": collection.id, "rider": rider.id,
                                                    "amount": amount_minor, "currency": payment.currency,
                                                    "receipt_number": receipt_number, "photo": bool(photo),
                                                    "customer_pin_verified": pin_verified})
    log.info("cash collected for payment %s by rider %s: %s", payment.id, rider.id,
             Money(amount_minor, payment.currency))
    return collection


def _post_collection(payment: PaymentIntent, attempt: PaymentAttempt, rider: Rider,
                     collection: CashCollection) -> None:
    """The core posted CHARGE (clearing → merchant available); the cash is in the rider's hands, not at a
    gateway, so clear it into the rider's cash in transit."""
    def account(kind: AccountKind, reference: str):
        return account_ensure(merchant=payment.merchant_id, mode=payment.mode, currency=payment.currency,
                              kind=kind, reference=reference)

    transfer_create(transfer_id=f"{collection.id}:collect", debit=account(AccountKind.CASH_IN_TRANSIT, rider.id),
                    credit=account(AccountKind.GATEWAY_CLEARING, attempt.connector_account_id),
                    amount_minor=collection.amount_minor, code=TransferCode.CASH_COLLECTION, payment_id=payment.id,
                    description=f"cash collected by rider {rider.id}, receipt {collection.receipt_number}")


# -- remittance -----------------------------------------------------------------------------------------


def rider_float_account(rider: Rider, currency: str):
    return account_ensure(merchant=rider.merchant_id, mode=rider.mode, currency=currency,
                          kind=AccountKind.CASH_IN_TRANSIT, reference=rider.id)


@_logged("remittance_record")
def cash_remittance_record(*, rider_id: str, amount_minor: int, currency: str, reference: str, received_by: str,
                           merchant: Merchant, mode: str) -> CashRemittance:
    """Cash a rider handed in: their float goes down (never below zero) and the merchant's settlement up."""
    amount_minor = _check_amount(amount_minor)
    try:
        currency_exponent(currency)
    except CurrencyError:
        raise InvalidRequest(f"currency {currency!r} is not supported", param="currency",
                             code="currency_not_supported") from None
    reference = (reference or "").strip()
    if not reference or len(reference) > 100:
        raise InvalidRequest("reference is required (the deposit slip or office receipt), at most 100 characters",
                             param="reference")
    with transaction.atomic():
        rider = _rider_locked(rider_id, merchant_id=merchant.id, mode=mode)
        if CashRemittance.objects.filter(rider=rider, reference=reference).exists():
            raise Conflict(f"remittance {reference} of rider {rider.id} was already recorded", param="reference",
                           code="remittance_already_recorded")
        held = rider_float_account(rider, currency)
        float_minor = held.debits_posted - held.credits_posted
        if amount_minor > float_minor:
            raise _exceeds_float(rider, amount_minor, float_minor, currency)
        remittance = CashRemittance.objects.create(rider=rider, amount_minor=amount_minor, currency=currency,
                                                   reference=reference, remitted_at=clock.now(),
                                                   received_by=received_by[:150])
        settlement = account_ensure(merchant=merchant.id, mode=mode, currency=currency, kind=AccountKind.SETTLEMENT)
        try:
            transfer_create(transfer_id=f"{remittance.id}:remit", debit=settlement, credit=held,
                            amount_minor=amount_minor, code=TransferCode.SETTLEMENT,
                            description=f"cash remitted by rider {rider.id}, reference {reference}")
        except LedgerError as exc:  # the float changed under us: the account's own floor refused it
            if exc.code != "insufficient_balance":
                raise
            raise _exceeds_float(rider, amount_minor, float_minor, currency) from None
        audit_record(merchant_id=merchant.id, actor=received_by, action="cash.remit", object_type="rider",
                     object_id=rider.id, details={"remittance": remittance.id, "amount": amount_minor,
                                                  "currency": currency, "reference": reference})
    log.info("rider %s remitted %s (%s)", rider.id, Money(amount_minor, currency), reference)
    return remittance


def _exceeds_float(rider: Rider, amount_minor: int, float_minor: int, currency: str) -> Conflict:
    return Conflict(f"rider {rider.id} holds {Money(max(float_minor, 0), currency)}; a remittance of "
                    f"{Money(amount_minor, currency)} would take their float below zero", param="amount",
                    code="remittance_exceeds_float")


# -- cash-up --------------------------------------------------------------------------------------------


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """A cash-up day is a UTC calendar day (see docs/decisions.md)."""
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return start, start + timedelta(days=1)


def _sums_by_currency(queryset, field: str, start: datetime, end: datetime) -> dict[str, int]:
    rows = (queryset.filter(**{f"{field}__gte": start, f"{field}__lt": end}).values("currency")
            .annotate(total=Sum("amount_minor")))
    return {row["currency"]: row["total"] for row in rows}


@_logged("cash_up_run")
def cash_up_run(*, rider_id: str, day: date, by: str, merchant: Merchant, mode: str) -> list[CashUp]:
    """Compare a rider's collections with their remittances for `day`, per currency; open a discrepancy for
    any difference. Running it again returns the cash-ups already made (idempotent)."""
    if not isinstance(day, date) or day > clock.now().date():
        raise InvalidRequest("day must be a date no later than today (UTC)", param="day", code="day_invalid")
    start, end = day_bounds(day)
    with transaction.atomic():
        rider = _rider_locked(rider_id, merchant_id=merchant.id, mode=mode)  # serialises cash-ups of a rider
        collected = _sums_by_currency(CashCollection.objects.filter(rider=rider), "collected_at", start, end)
        remitted = _sums_by_currency(CashRemittance.objects.filter(rider=rider), "remitted_at", start, end)
        results = []
        for currency in sorted(set(collected) | set(remitted)):
            totals = (collected.get(currency, 0), remitted.get(currency, 0))
            existing = CashUp.objects.filter(rider=rider, day=day, currency=currency).first()
            if existing is not None:
                if (existing.collected_minor, existing.remitted_minor) != totals:
                    log.warning("cash-up %s of rider %s for %s is older than later records (now %s collected, "
                                "%s remitted)", existing.id, rider.id, day, *totals)
                results.append(existing)
                continue
            results.append(_cash_up_create(rider, day, currency, *totals, by=by))
    return results


def _cash_up_create(rider: Rider, day: date, currency: str, collected_minor: int, remitted_minor: int, *,
                    by: str) -> CashUp:
    difference = collected_minor - remitted_minor
    now = clock.now()
    cash_up = CashUp.objects.create(
        rider=rider, day=day, currency=currency, collected_minor=collected_minor, remitted_minor=remitted_minor,
        difference_minor=difference, status=CashUpStatus.DISCREPANCY if difference else CashUpStatus.BALANCED,
        closed_by=by[:150], created_at=now)
    details = {"day": day.isoformat(), "currency": currency, "collected": collected_minor,
               "remitted": remitted_minor, "difference": difference}
    if difference:
        discrepancy = CashDiscrepancy.objects.create(cash_up=cash_up, amount_minor=difference, currency=currency,
                                                     created_at=now)
        details["discrepancy"] = discrepancy.id
        log.warning("rider %s cash-up %s for %s: collected %s, remitted %s, difference %s", rider.id, cash_up.id,
                    day, collected_minor, remitted_minor, Money(difference, currency))
    audit_record(merchant_id=rider.merchant_id, actor=by, action="cash.cash_up", object_type="rider",
                 object_id=rider.id, details={"cash_up": cash_up.id, **details})
    return cash_up


@_logged("discrepancy_resolve")
def cash_discrepancy_resolve(*, discrepancy_id: str, note: str, by: str, merchant: Merchant,
                             mode: str) -> CashDiscrepancy:
    if not (note or "").strip():
        raise InvalidRequest("note is required: say how the difference was settled", param="note")
    with transaction.atomic():
        discrepancy = (CashDiscrepancy.objects.select_for_update().select_related("cash_up__rider")
                       .filter(id=discrepancy_id, cash_up__rider__merchant=merchant, cash_up__rider__mode=mode)
                       .first())
        if discrepancy is None:
            raise NotFound(f"no cash discrepancy {discrepancy_id}", param="id")
        if discrepancy.status == DiscrepancyStatus.RESOLVED:
            raise Conflict(f"discrepancy {discrepancy.id} is already resolved", code="discrepancy_resolved")
        discrepancy.status, discrepancy.note = DiscrepancyStatus.RESOLVED, note.strip()[:500]
        discrepancy.save(update_fields=["status", "note"])
        audit_record(merchant_id=merchant.id, actor=by, action="cash.discrepancy_resolve",
                     object_type="cash_discrepancy", object_id=discrepancy.id, details={"note": discrepancy.note})
    return discrepancy
