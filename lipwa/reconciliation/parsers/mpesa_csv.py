"""M-Pesa organisation (Paybill/Till) statement CSV, as the org portal exports it (PROVIDERS.md B.3).

Header lines (organisation, shortcode, period) may precede the column row. Only `Completed` rows are
statement lines: failed ones moved no money. Times are East Africa Time (UTC+3, no daylight saving).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from .base import CREDIT, DEBIT, StatementLine, StatementParseError, parse_amount
from .csvrows import cell, csv_rows, parse_datetime

COLUMNS = {"Receipt No.", "Completion Time", "Initiation Time", "Details", "Transaction Status", "Paid In",
           "Withdrawn", "Balance", "Balance Confirmed", "Reason Type", "Other Party Info",
           "Linked Transaction ID", "A/C No."}
REQUIRED = {"Receipt No.", "Completion Time", "Details", "Transaction Status", "Paid In", "Withdrawn"}
TIME_FORMATS = ("%d-%m-%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S")
EAT_OFFSET_MINUTES = 180


def parse(data: bytes, *, currency: str | None = None, preset: str | None = None) -> list[StatementLine]:
    return list(iter_lines(data, currency=currency, preset=preset))


def iter_lines(data: bytes | BinaryIO, *, currency: str | None = None, preset: str | None = None
               ) -> Iterator[StatementLine]:
    currency = currency or "KES"
    for number, row, columns in csv_rows(data, header_marker="Receipt No.", known=COLUMNS, required=REQUIRED):
        status, _ = cell(row, columns, "Transaction Status")
        if status.lower() != "completed":
            continue
        yield _line(number, row, columns, currency)


def _line(number: int, row: dict[str, str], columns: dict[str, int], currency: str) -> StatementLine:
    receipt, receipt_at = cell(row, columns, "Receipt No.")
    if not receipt:
        raise StatementParseError(number, receipt_at, "a completed row without a receipt number")
    paid_in, paid_in_at = cell(row, columns, "Paid In")
    withdrawn, withdrawn_at = cell(row, columns, "Withdrawn")
    if bool(paid_in) == bool(withdrawn):
        raise StatementParseError(number, paid_in_at, "exactly one of Paid In and Withdrawn must be filled")
    if paid_in:
        direction, amount = CREDIT, parse_amount(paid_in, currency, line=number, column=paid_in_at)
    else:
        # The portal shows withdrawals as negative numbers; either sign means money out.
        direction = DEBIT
        amount = abs(parse_amount(withdrawn, currency, line=number, column=withdrawn_at, signed=True))
    if amount == 0:
        raise StatementParseError(number, paid_in_at if paid_in else withdrawn_at, "a zero amount")
    completed, completed_at = cell(row, columns, "Completion Time")
    balance, balance_at = cell(row, columns, "Balance")
    other, _ = cell(row, columns, "Other Party Info")
    return StatementLine(
        line_number=number, reference=receipt, amount_minor=amount, currency=currency, direction=direction,
        booked_at=parse_datetime(completed, TIME_FORMATS, EAT_OFFSET_MINUTES, line=number, column=completed_at),
        counterparty=other.split(" - ", 1)[0].strip(), description=cell(row, columns, "Details")[0],
        payer_reference=cell(row, columns, "A/C No.")[0],
        balance_minor=(parse_amount(balance, currency, line=number, column=balance_at, signed=True)
                       if balance else None),
        raw=",".join(row.values()))
