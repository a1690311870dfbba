"""The review queue's actions: resolving discrepancies (with correcting ledger transfers) and attaching
unmatched credits to a payment or an invoice.

Each action is one transaction: the discrepancy row is locked first (so resolving twice is refused, not
done twice), then the payment, then ledger accounts (docs/decisions.md, lock order), and the audit record
is written inside it. Corrections are new balanced transfers (CORRECTION), never edits; a transfer id is
`<discrepancy id>:<action>`, so a retried action cannot post twice.

- `accept_statement`: the statement is right; the merchant's balance is corrected to it. An amount
  mismatch on a succeeded payment moves the difference between the gateway's clearing account and the
  merchant's available balance; a fee difference between the merchant's balance and fees; a payment
  missing from the statement has its charge taken back (available → clearing).
- `write_off`: lipwa's books are brought in line with the statement without touching the merchant's balance:
  the same difference goes to the corrections account instead. A note is required.
- `mark_reviewed`: someone looked at it; it stays in the queue (status `reviewed`) until resolved.
"""

from __future__ import annotations

import logging

from django.db import transaction

from lipwa.audit.services import audit_record
from lipwa.common import clock
from lipwa.common.errors import Conflict, InvalidRequest, NotFound
from lipwa.ledger.codes import AccountKind, TransferCode
from lipwa.ledger.services import LedgerError, account_ensure, transfer_create

from . import models as m

log = logging.getLogger("lipwa.reconciliation")

ACTIONS = ("accept_statement", "write_off", "mark_reviewed")
NOTE_CHARS_MAX = 1000
UNRESOLVED = ("open", "reviewed")


def resolve_discrepancy(discrepancy: m.Discrepancy, *, action: str, actor: str, note: str = "") -> m.Discrepancy:
    if action not in ACTIONS:
        raise InvalidRequest(f"action must be one of {', '.join(ACTIONS)}", param="action", code="action_unknown")
    actor, note = _who_and_why(actor, note)
    if action == "write_off" and not note:
        raise InvalidRequest("a write-off needs a note saying why", param="note", code="note_required")
    with transaction.atomic():
        locked = m.Discrepancy.objects.select_for_update().filter(id=discrepancy.id).first()
        if locked is None:
            raise NotFound(f"no discrepancy {discrepancy.id}", param="id", code="discrepancy_not_found")
        if locked.status == "resolved":
            raise Conflict(f"discrepancy {locked.id} was already resolved ({locked.resolution})",
                           code="discrepancy_resolved")
        now = clock.now()
        if action == "mark_reviewed":
            if locked.status == "reviewed":
                raise Conflict(f"discrepancy {locked.id} was already reviewed", code="discrepancy_reviewed")
            locked.status, locked.reviewed_at = "reviewed", now
        else:
            transfer = _correct(locked, action)
            locked.status, locked.resolution, locked.resolved_at = "resolved", action, now
            if transfer is not None:
                locked.details = {**locked.details, "correction": transfer}
        locked.resolved_by, locked.note = actor, note
        locked.save()
        audit_record(merchant_id=locked.merchant_id, actor=actor, action=f"discrepancy.{action}",
                     object_type="discrepancy", object_id=locked.id,
                     details={"kind": locked.kind, "note": note, "correction": locked.details.get("correction")})
    log.info("discrepancy %s: %s by %s", locked.id, action, actor)
    return locked


def _who_and_why(actor: object, note: object) -> tuple[str, str]:
    if not isinstance(actor, str) or not actor.strip():
        raise InvalidRequest("say who resolves it", param="actor", code="actor_required")
    if not isinstance(note, str) or len(note) > NOTE_CHARS_MAX:
        raise InvalidRequest(f"note must be text of at most {NOTE_CHARS_MAX} characters", param="note")
    return actor.strip()[:150], note.strip()


def _correct(discrepancy: m.Discrepancy, action: str) -> dict | None:
    """Post the correction an accepted or written-off discrepancy needs; None when nothing in lipwa's books
    differs from the statement (money lipwa never booked: attach the line instead, or write it off)."""
    kind = discrepancy.kind
    if kind in ("missing_in_lipwa", "duplicate", "settlement_unmatched"):
        if action == "accept_statement":
            raise Conflict(f"a {kind} discrepancy has no lipwa figure to correct: attach the line to a payment "
                           "or an invoice, or write it off", code="action_not_applicable")
        return None
    payment = _succeeded_payment(discrepancy)
    line = discrepancy.line
    if kind == "amount_mismatch":
        delta, other = line.amount_minor - payment.amount_minor, AccountKind.GATEWAY_CLEARING
    elif kind == "fee_difference":
        delta, other = payment.fee_minor - line.fee_minor, AccountKind.FEES
    else:  # missing_in_statement: the money the charge booked never reached the gateway's account
        delta, other = -payment.amount_minor, AccountKind.GATEWAY_CLEARING
    if delta == 0:
        return None

    def account(kind: AccountKind):
        reference = payment.connector_account_id if kind == AccountKind.GATEWAY_CLEARING else ""
        return account_ensure(merchant=payment.merchant_id, mode=payment.mode, currency=payment.currency,
                              kind=kind, reference=reference)

    # accept: `other` against the merchant's balance; write-off: `other` against the corrections account.
    ours = account(AccountKind.MERCHANT_AVAILABLE if action == "accept_statement" else AccountKind.CORRECTIONS)
    theirs = account(other)
    # A positive delta is money the merchant has and lipwa did not book: from `theirs` into `ours`.
    debit, credit = (theirs, ours) if delta > 0 else (ours, theirs)
    transfer_id = f"{discrepancy.id}:{action}"
    try:
        transfer_create(transfer_id=transfer_id, debit=debit, credit=credit, amount_minor=abs(delta),
                        code=TransferCode.CORRECTION, payment_id=payment.id,
                        description=f"{kind} {discrepancy.id}: {action}")
    except LedgerError as exc:
        raise Conflict(f"the correction cannot be posted: {exc.message}", code=exc.code) from None
    return {"transfer": transfer_id, "amount": abs(delta), "currency": payment.currency,
            "debit": debit.kind, "credit": credit.kind}


def _succeeded_payment(discrepancy: m.Discrepancy):
    from lipwa.payments.models import PaymentIntent

    payment = PaymentIntent.objects.select_for_update().filter(id=discrepancy.payment_id).first()
    if payment is None or payment.status != "succeeded":
        status = payment.status if payment else "missing"
        raise Conflict(f"payment {discrepancy.payment_id} is {status}: only a succeeded payment's books can be "
                       "corrected; confirm or attach it first", code="payment_not_succeeded")
    return payment
