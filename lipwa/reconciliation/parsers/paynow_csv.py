"""Paynow (Zimbabwe) transaction export CSV from the merchant dashboard (PROVIDERS.md 7).

Columns as the dashboard's "export transactions" gives them: `Reference` is the merchant reference lipwa
sent (the attempt id, which lipwa keeps as the gateway reference), `Paynow Reference` Paynow's own id (the
receipt lipwa records; it may contain commas, so it is quoted), one unsigned `Amount` in major units. Money
arrived for `Paid`, `Awaiting Delivery` and `Delivered` (escrow), and for `Disputed` and `Refunded` rows (the
dispute or refund is recorded separately). A Paynow integration has one currency, so the file may have no
`Currency` column: then the import must say it. Times are Zimbabwe's (UTC+2) in `dd MMM yyyy HH:mm` or ISO.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from .base import CREDIT, StatementLine, StatementParseError, parse_amount
from .csvrows import cell, currency_cell, msisdn_digits, paid_rows, parse_datetime

COLUMNS = {"Date", "Reference", "Paynow Reference", "Details", "Method", "Phone", "Email", "Status", "Amount",
           "Fee", "Net", "Currency"}
REQUIRED = {"Date", "Reference", "Paynow Reference", "Status", "Amount"}
TIME_FORMATS = ("%d %b %Y %H:%M", "%d %b %Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M")
ZIMBABWE_OFFSET_MINUTES = 120
PAID = {"paid", "awaiting delivery", "delivered", "disputed", "refunded"}
SKIPPED = {"created", "sent", "cancelled", "failed"}


def parse(data: bytes, *, currency: str | None = None, preset: str | None = None) -> list[StatementLine]:
    return list(iter_lines(data, currency=currency, preset=preset))


def iter_lines(data: bytes | BinaryIO, *, currency: str | None = None, preset: str | None = None
               ) -> Iterator[StatementLine]:
    for number, row, columns in paid_rows(data, header_marker="Paynow Reference", known=COLUMNS, required=REQUIRED,
                                          paid=PAID, skipped=SKIPPED):
        yield _line(number, row, columns, currency)


def _line(number: int, row: dict[str, str], columns: dict[str, int], currency: str | None) -> StatementLine:
    paynow_reference, paynow_at = cell(row, columns, "Paynow Reference")
    reference = cell(row, columns, "Reference")[0]
    if not paynow_reference:
        raise StatementParseError(number, paynow_at, "a paid row without a Paynow reference")
    row_currency = currency_cell(row, columns, "Currency", currency, line=number)
    amount_text, amount_at = cell(row, columns, "Amount")
    amount = parse_amount(amount_text, row_currency, line=number, column=amount_at)
    if amount == 0:
        raise StatementParseError(number, amount_at, "a zero amount")
    fee_text, fee_at = cell(row, columns, "Fee")
    fee = parse_amount(fee_text, row_currency, line=number, column=fee_at) if fee_text else None
    net_text, net_at = cell(row, columns, "Net")
    if net_text and fee is not None and parse_amount(net_text, row_currency, line=number, column=net_at) != (
            amount - fee):
        raise StatementParseError(number, net_at, "Net is not Amount less Fee")
    date_text, date_at = cell(row, columns, "Date")
    status = cell(row, columns, "Status")[0]
    return StatementLine(
        line_number=number, reference=paynow_reference, external_reference=reference, amount_minor=amount,
        currency=row_currency, direction=CREDIT,
        booked_at=parse_datetime(date_text, TIME_FORMATS, ZIMBABWE_OFFSET_MINUTES, line=number, column=date_at),
        counterparty=msisdn_digits(cell(row, columns, "Phone")[0]),
        description=" ".join(part for part in (cell(row, columns, "Method")[0], cell(row, columns, "Details")[0],
                                               status if status.lower() != "paid" else "") if part),
        fee_minor=fee, raw=",".join(row.values()))
