"""Payouts: one transaction per state change, with its ledger posting and its event.

The amount is held in the ledger (merchant available → gateway clearing, pending) when the payout is
created, posted when the gateway pays the wallet and voided when it refuses; a timeout leaves it
processing and re-queried, never failed because time passed. Lock order: payout → ledger accounts.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db import transaction

from lipwa.common import clock
from lipwa.common.errors import Conflict, InvalidRequest, NotFound
from lipwa.common.money import Money
from lipwa.common.phones import InvalidPhone, default_country_for_currency, parse_phone
from lipwa.connectors.base import Connector
from lipwa.connectors.registry import connector_class, connector_for_account
from lipwa.connectors.types import (
    FailureCode,
    OperationResult,
    OperationSyncRequest,
    PayoutRequest,
    ResultStatus,
)
from lipwa.ledger.postings import payout_hold, payout_settle
from lipwa.ledger.services import LedgerError
from lipwa.merchants.models import Merchant
from lipwa.merchants.services import account_context
from lipwa.payments.events import event_record_object
from lipwa.payments.results import sync_delay_seconds
from lipwa.payments.routing import route_payment

from .models import Payout

log = logging.getLogger("lipwa.payouts")

RESULT_TO_STATUS = {
    ResultStatus.SUCCEEDED: "succeeded", ResultStatus.FAILED: "failed", ResultStatus.CANCELLED: "failed",
    ResultStatus.EXPIRED: "failed", ResultStatus.PENDING: "processing", ResultStatus.PROCESSING: "processing",
    ResultStatus.REQUIRES_ACTION: "processing", ResultStatus.UNKNOWN: "processing",
}
TRANSITIONS = {"pending": {"processing", "succeeded", "failed"}, "processing": {"succeeded", "failed"},
               "succeeded": set(), "failed": set()}


def payout_to_dict(payout: Payout) -> dict:
    return {"id": payout.id, "object": "payout", "livemode": payout.mode == "live", "status": payout.status,
            "amount": payout.amount_minor, "currency": payout.currency, "provider": payout.connector,
            "phone": payout.phone_e164, "network": payout.network or None,
            "recipient_name": payout.recipient_name or None, "description": payout.description or None,
            "merchant_reference": payout.merchant_reference or None,
            "gateway_reference": payout.gateway_reference or None, "failure_code": payout.failure_code or None,
            "failure_message": payout.failure_message or None, "created": int(payout.created_at.timestamp()),
            "succeeded_at": int(payout.succeeded_at.timestamp()) if payout.succeeded_at else None}


def _pays_out(cls: type[Connector]) -> bool:
    return cls.payout is not Connector.payout


def payout_create(*, merchant: Merchant, mode: str, amount: int, currency: str, phone: str,
                  provider: str | None = None, network: str | None = None, recipient_name: str = "",
                  description: str = "", merchant_reference: str = "", requested_by: str) -> Payout:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidRequest("amount must be a positive integer of minor units", param="amount")
    try:
        money = Money(amount, currency)
        wallet = parse_phone(phone, default_country_for_currency(currency))
    except InvalidPhone as exc:
        raise InvalidRequest(str(exc), param="phone", code="invalid_phone") from None
    except (ValueError, TypeError):
        raise InvalidRequest(f"currency {currency!r} is not supported", param="currency",
                             code="currency_not_supported") from None

    def accepts(account, chosen_network):
        if not _pays_out(connector_class(account.connector)):
            raise InvalidRequest(f"{account.connector} cannot send payouts", param="provider",
                                 code="payouts_not_supported")

    route = route_payment(merchant=merchant, mode=mode, method="mobile_money", amount=money, provider=provider,
                          phone=wallet, network=network, accepts=accepts)
    now = clock.now()
    with transaction.atomic():
        payout = Payout.objects.create(
            merchant=merchant, mode=mode, connector_account=route.account, connector=route.account.connector,
            amount_minor=amount, currency=currency, phone_e164=wallet.e164, network=route.network or "",
            recipient_name=recipient_name[:200], description=description[:300],
            merchant_reference=merchant_reference[:200], requested_by=requested_by, created_at=now, updated_at=now,
            outcome_unknown=True, next_sync_at=now + timedelta(seconds=sync_delay_seconds(0)))
        try:
            payout_hold(merchant_id=merchant.id, mode=mode, currency=currency,
                        connector_account_id=route.account.id, payout_id=payout.id, amount_minor=amount)
        except LedgerError as error:
            raise Conflict(f"cannot pay out {money}: {error.message}", code="balance_insufficient") from None
        event_record_object(merchant_id=merchant.id, mode=mode, event_type="payout.created",
                            obj=payout_to_dict(payout))
    return payout_send(payout_id=payout.id)


def payout_send(*, payout_id: str) -> Payout:
    payout = Payout.objects.select_related("connector_account").get(id=payout_id)
    connector = connector_for_account(account_context(payout.connector_account))
    request = PayoutRequest(payout_id=payout.id, amount=Money(payout.amount_minor, payout.currency),
                            phone=parse_phone(payout.phone_e164), recipient_name=payout.recipient_name,
                            description=payout.description, network=payout.network or None)
    try:
        result = connector.payout(request)
    except Exception:  # a connector bug must not lose a payout that may have been sent
        log.exception("connector raised while paying out %s; outcome unknown", payout_id)
        result = OperationResult(status=ResultStatus.UNKNOWN, gateway_message="connector error; outcome unknown")
    return payout_apply_result(payout_id=payout_id, result=result)


def payout_apply_result(*, payout_id: str, result: OperationResult) -> Payout:
    with transaction.atomic():
        payout = Payout.objects.select_for_update().filter(id=payout_id).first()
        if payout is None:
            raise NotFound(f"no payout {payout_id}")
        target = RESULT_TO_STATUS[result.status]
        if payout.status in ("succeeded", "failed"):
            if target != payout.status and target != "processing":
                log.error("payout %s is %s but the gateway now says %s", payout.id, payout.status, result.status)
            return payout
        if target != payout.status and target not in TRANSITIONS[payout.status]:
            raise AssertionError(f"payout cannot move from {payout.status!r} to {target!r}")
        now = clock.now()
        changed = target != payout.status
        payout.status = target
        payout.gateway_reference = payout.gateway_reference or (result.gateway_reference or "")
        payout.gateway_status = (result.gateway_status or payout.gateway_status)[:100]
        payout.connector_state = {**payout.connector_state, **result.connector_state}
        payout.outcome_unknown = result.status is ResultStatus.UNKNOWN
        payout.next_sync_at = (now + timedelta(seconds=sync_delay_seconds(payout.sync_count))
                               if target == "processing" else None)
        if target == "failed":
            payout.failure_code = str(result.failure_code or FailureCode.PROVIDER_DECLINED)
            payout.failure_message = (result.gateway_message or payout.failure_code)[:300]
            payout_settle(payout_id=payout.id, paid=False)
        if target == "succeeded":
            payout.succeeded_at = now
            payout_settle(payout_id=payout.id, paid=True)
        payout.updated_at = now
        payout.save()
        if changed:
            event_record_object(merchant_id=payout.merchant_id, mode=payout.mode, event_type=f"payout.{target}",
                                obj=payout_to_dict(payout))
    return payout


def payout_sync(*, payout_id: str) -> Payout:
    payout = Payout.objects.select_related("connector_account").get(id=payout_id)
    if payout.status != "processing":
        return payout
    connector = connector_for_account(account_context(payout.connector_account))
    request = OperationSyncRequest(operation_id=payout.id, gateway_reference=payout.gateway_reference or None,
                                   amount=Money(payout.amount_minor, payout.currency),
                                   connector_state=payout.connector_state)
    try:
        result = connector.payout_sync(request)
    except Exception:
        log.exception("payout sync of %s failed", payout_id)
        result = OperationResult(status=ResultStatus.UNKNOWN)
    Payout.objects.filter(id=payout_id).update(sync_count=payout.sync_count + 1)
    return payout_apply_result(payout_id=payout_id, result=result)


def payouts_due_for_sync(*, limit: int = 100) -> list[str]:
    return list(Payout.objects.filter(status="processing", next_sync_at__lte=clock.now())
                .order_by("next_sync_at").values_list("id", flat=True)[:limit])


def payout_get(*, merchant: Merchant, mode: str, payout_id: str) -> Payout:
    payout = Payout.objects.filter(id=payout_id, merchant=merchant, mode=mode).first()
    if payout is None:
        raise NotFound(f"no payout {payout_id}", param="id")
    return payout
