"""Instalment plans: the total is split exactly over invoices that are all created and issued at once.

Issuing every instalment up front (rather than when each falls due) gives the customer every number and pay
link from day one and keeps the schedule a single transaction; the reminder task nudges before each due date.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction

from lipwa.common import clock
from lipwa.common.errors import InvalidRequest
from lipwa.merchants.models import Merchant

from .models import Schedule
from .services import invoice_build, number_assign, validate_currency, validate_customer, validate_due_date
from .totals import AMOUNT_MAX_MINOR, line_compute, split_exact

INSTALMENTS_MAX = 60


def split_equal(total: int, count: int) -> list[int]:
    """Equal parts rounded down, the remainder on the last: never loses or invents a minor unit."""
    part = total // count
    return [part] * (count - 1) + [total - part * (count - 1)]


def _amounts(total: int, instalments: list[dict]) -> list[int]:
    shares = [i.get("share") for i in instalments]
    if all(s is None for s in shares):
        return split_equal(total, len(instalments))
    for index, share in enumerate(shares):
        if isinstance(share, bool) or not isinstance(share, int) or not 0 < share <= 10_000:
            raise InvalidRequest("share must be given on every instalment or none, in basis points from 1 to "
                                 "10000", param=f"instalments.{index}.share", code="invalid_share")
    if sum(shares) != 10_000:
        raise InvalidRequest(f"instalment shares must add up to 10000 basis points (100 %), not {sum(shares)}",
                             param="instalments", code="invalid_share")
    return split_exact(total, shares)


def schedule_create(*, merchant: Merchant, mode: str, currency: str, total: int, description: str,
                    instalments: list[dict], customer: dict | None = None) -> Schedule:
    """`instalments`: [{"due_date": date, "share": basis points (optional)}], due dates in order."""
    currency = validate_currency(currency)
    if isinstance(total, bool) or not isinstance(total, int) or not 0 < total <= AMOUNT_MAX_MINOR:
        raise InvalidRequest(f"total must be an integer number of minor units from 1 to {AMOUNT_MAX_MINOR}",
                             param="total", code="invalid_amount")
    if not isinstance(instalments, list) or not 1 <= len(instalments) <= INSTALMENTS_MAX:
        raise InvalidRequest(f"a schedule has 1 to {INSTALMENTS_MAX} instalments", param="instalments")
    dates = [validate_due_date(i.get("due_date"), f"instalments.{n}.due_date") for n, i in enumerate(instalments)]
    if dates != sorted(dates):
        raise InvalidRequest("instalment due dates must be in order", param="instalments",
                             code="due_dates_out_of_order")
    amounts = _amounts(total, instalments)
    if min(amounts) <= 0:
        raise InvalidRequest("every instalment must be at least one minor unit; the total is too small for "
                             "this split", param="total", code="instalment_too_small")
    customer = validate_customer(customer, currency)
    with transaction.atomic():
        schedule = Schedule.objects.create(merchant=merchant, mode=mode, currency=currency, total_minor=total,
                                           description=description, customer=customer, created_at=clock.now())
        for number, (due, amount) in enumerate(zip(dates, amounts, strict=True), start=1):
            _instalment_issue(schedule, number, len(amounts), due, amount)
    return schedule


def _instalment_issue(schedule: Schedule, number: int, count: int, due: date, amount: int) -> None:
    line = line_compute(description=f"{schedule.description} — instalment {number} of {count}"[:500],
                        quantity_milli=1000, unit_amount_minor=amount, tax_rate_bp=0)
    invoice = invoice_build(merchant=schedule.merchant, mode=schedule.mode, currency=schedule.currency,
                            lines=[line], due_date=due, customer=schedule.customer,
                            description=schedule.description, schedule=schedule, instalment=number)
    number_assign(invoice)
