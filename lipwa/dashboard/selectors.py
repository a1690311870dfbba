"""Read-only queries behind the dashboard pages. Nothing here writes; writes go through each app's services.

The dashboard reads other apps' models here (and only here), so views never touch a model directly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncDate

from lipwa.common import clock
from lipwa.merchants.models import ApiKey, ConnectorAccount, Merchant
from lipwa.payments.models import PaymentIntent, Refund

from .models import StaffMembership

FINAL_STATUSES = ("succeeded", "failed", "cancelled", "expired")
OPEN_STATUSES = ("pending", "requires_action", "processing")
CALLBACK_SHOWN_MAX = 20_000  # characters of a raw callback body shown on the payment page
_DIGITS = re.compile(r"\D")
_PHONE_LIKE = re.compile(r"\+?[\d\s-]+")


def membership_for(*, user, merchant_id: str | None = None) -> StaffMembership | None:
    """The user's membership of the merchant chosen in the session, else their oldest one."""
    memberships = StaffMembership.objects.select_related("merchant").filter(user=user).order_by("created_at", "id")
    if merchant_id:
        chosen = memberships.filter(merchant_id=merchant_id).first()
        if chosen is not None:
            return chosen
    return memberships.first()


def memberships_of(*, user) -> list[StaffMembership]:
    return list(StaffMembership.objects.select_related("merchant").filter(user=user).order_by("merchant__name"))


def staff_list(*, merchant: Merchant) -> list[StaffMembership]:
    return list(StaffMembership.objects.select_related("user").filter(merchant=merchant).order_by("user__email"))


@dataclass(frozen=True)
class PaymentFilters:
    status: str = ""
    method: str = ""
    provider: str = ""
    date_from: date | None = None
    date_to: date | None = None
    search: str = ""


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def payments_search(*, merchant: Merchant, mode: str, filters: PaymentFilters) -> QuerySet:
    """Newest first. The search matches a payment id, any of the three references, or the payer's number typed
    in any form (07…, 2547…, +2547…): its significant digits are compared with the end of the stored E.164."""
    queryset = PaymentIntent.objects.filter(merchant=merchant, mode=mode)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.method:
        queryset = queryset.filter(method=filters.method)
    if filters.provider:
        queryset = queryset.filter(provider=filters.provider)
    if filters.date_from:
        queryset = queryset.filter(created_at__gte=_day_start(filters.date_from))
    if filters.date_to:
        queryset = queryset.filter(created_at__lt=_day_start(filters.date_to + timedelta(days=1)))
    term = filters.search.strip()
    if term:
        match = (Q(id=term) | Q(merchant_reference__icontains=term) | Q(gateway_reference=term)
                 | Q(receipt_number__iexact=term))
        digits = _DIGITS.sub("", term).lstrip("0")
        if len(digits) >= 6 and _PHONE_LIKE.fullmatch(term):
            match |= Q(phone_e164__endswith=digits[-9:])
        queryset = queryset.filter(match)
    return queryset.order_by("-id")


def payment_providers(*, merchant: Merchant, mode: str) -> list[str]:
    return sorted(set(PaymentIntent.objects.filter(merchant=merchant, mode=mode)
                      .values_list("provider", flat=True).distinct()))


def _sum_by_currency(queryset: QuerySet, field: str = "amount_minor") -> list[tuple[str, int]]:
    rows = queryset.values("currency").annotate(total=Sum(field)).order_by("currency")
    return [(row["currency"], row["total"] or 0) for row in rows]


def percent(part: int, whole: int) -> int | None:
    """`part` of `whole` in whole percent, rounded half up in integers; None when there is nothing to divide."""
    if whole <= 0:
        return None
    return (200 * part + whole) // (2 * whole)


def summary(*, merchant: Merchant, mode: str) -> dict:
    """The cards at the top of the dashboard, with money kept per currency (currencies never add up)."""
    now = clock.now()
    today = _day_start(now.date())
    month = _day_start(now.date().replace(day=1))
    payments = PaymentIntent.objects.filter(merchant=merchant, mode=mode)
    succeeded = payments.filter(status="succeeded")
    final_this_month = payments.filter(created_at__gte=month, status__in=FINAL_STATUSES)
    counts = final_this_month.aggregate(final=Count("id"), ok=Count("id", filter=Q(status="succeeded")))
    refunds = Refund.objects.filter(merchant=merchant, mode=mode, status="succeeded", succeeded_at__gte=month)
    return {
        "collected_today": _sum_by_currency(succeeded.filter(succeeded_at__gte=today)),
        "collected_month": _sum_by_currency(succeeded.filter(succeeded_at__gte=month)),
        "success_rate": percent(counts["ok"], counts["final"]),
        "final_count": counts["final"],
        "pending_count": payments.filter(status__in=OPEN_STATUSES).count(),
        "needs_review_count": payments.filter(needs_review=True).count(),
        "refunded_month": _sum_by_currency(refunds),
        "approvals_waiting": Refund.objects.filter(merchant=merchant, mode=mode,
                                                   status="requires_approval").count(),
    }


def volume_by(*, merchant: Merchant, mode: str, field: str, days: int = 30) -> list[dict]:
    """Payments created in the last `days` days grouped by `field` (method, provider or day): how many, how
    many succeeded of those that ended, and the success rate in percent."""
    since = _day_start(clock.now().date() - timedelta(days=days - 1))
    queryset = PaymentIntent.objects.filter(merchant=merchant, mode=mode, created_at__gte=since)
    if field == "day":
        queryset = queryset.annotate(day=TruncDate("created_at"))
    elif field not in ("method", "provider"):
        raise ValueError(f"cannot group payments by {field!r}")
    rows = (queryset.values(field)
            .annotate(total=Count("id"), ok=Count("id", filter=Q(status="succeeded")),
                      final=Count("id", filter=Q(status__in=FINAL_STATUSES)))
            .order_by(field))
    result = [{"label": str(row[field]), "total": row["total"], "succeeded": row["ok"],
               "rate": percent(row["ok"], row["final"])} for row in rows]
    if field == "day":
        by_day = {row["label"]: row for row in result}
        result = [by_day.get(str(day), {"label": str(day), "total": 0, "succeeded": 0, "rate": None})
                  for day in (since.date() + timedelta(days=n) for n in range(days))]
    return result


def payment_detail_extras(*, payment: PaymentIntent) -> dict:
    """Attempts, refunds, raw gateway callbacks and ledger transfers of one payment (already authorised)."""
    from lipwa.ledger.models import Transfer
    from lipwa.webhooks_in.models import InboundWebhook

    attempts = list(payment.attempts.order_by("created_at"))
    callbacks = list(InboundWebhook.objects.filter(attempt_id__in=[a.id for a in attempts]).order_by("received_at"))
    for callback in callbacks:
        callback.body_text = bytes(callback.body or b"").decode("utf-8", errors="replace")[:CALLBACK_SHOWN_MAX]
    transfers = list(Transfer.objects.select_related("debit_account", "credit_account")
                     .filter(payment_id=payment.id).order_by("created_at", "id"))
    refunds = list(payment.refunds.order_by("created_at"))
    return {"attempts": attempts, "callbacks": callbacks, "transfers": transfers, "refunds": refunds}


def refunds_waiting(*, merchant: Merchant, mode: str) -> list[Refund]:
    return list(Refund.objects.select_related("payment").filter(merchant=merchant, mode=mode)
                .order_by("-id")[:200])


def refund_of_merchant(*, merchant: Merchant, mode: str, refund_id: str) -> Refund | None:
    return Refund.objects.filter(id=refund_id, merchant=merchant, mode=mode).first()


def api_keys_list(*, merchant: Merchant, mode: str) -> list[ApiKey]:
    return list(ApiKey.objects.filter(merchant=merchant, mode=mode).order_by("-created_at"))


def api_key_of_merchant(*, merchant: Merchant, key_id: str) -> ApiKey | None:
    return ApiKey.objects.filter(merchant=merchant, id=key_id).first()


def connector_accounts_list(*, merchant: Merchant, mode: str) -> list[ConnectorAccount]:
    return list(ConnectorAccount.objects.filter(merchant=merchant, mode=mode).order_by("connector", "created_at"))


def connector_account_of_merchant(*, merchant: Merchant, mode: str, account_id: str) -> ConnectorAccount | None:
    return ConnectorAccount.objects.filter(merchant=merchant, mode=mode, id=account_id).first()


def webhook_delivery_of_merchant(*, merchant: Merchant, mode: str, delivery_id: str):
    from lipwa.webhooks_out.models import WebhookDelivery

    return (WebhookDelivery.objects.select_related("endpoint")
            .filter(id=delivery_id, endpoint__merchant=merchant, endpoint__mode=mode).first())


def statements_list(*, merchant: Merchant, mode: str, limit: int = 100) -> list:
    from lipwa.reconciliation.models import Statement

    return list(Statement.objects.filter(merchant=merchant, mode=mode).order_by("-imported_at")[:limit])
