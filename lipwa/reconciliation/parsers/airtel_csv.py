"""Airtel Money merchant statement CSV (PROVIDERS.md B.4).

Airtel publishes no column specification. The columns are those of the Airtel Money merchant portal's
statement download: `Transaction ID` is Airtel's `airtel_money_id` (the receipt lipwa records on success,
e.g. `MP261102.0914.A12345`), `Reference Number` the `transaction.id` lipwa sent with the collection, one
unsigned `Amount` with a `Dr/Cr` column for the direction, MSISDNs without the country code as Airtel's API
uses them. Only successful rows (`Success`, or Airtel's status code `TS`) moved money. Times are the
country's local time, chosen by the currency.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from .base import CREDIT, DEBIT, StatementLine, StatementParseError, parse_amount
from .csvrows import cell, currency_cell, local_offset_minutes, msisdn_digits, paid_rows, parse_datetime

COLUMNS = {"Transaction ID", "Transaction Date", "Reference Number", "Transaction Type", "Service Name",
           "Sender MSISDN", "Receiver MSISDN", "Description", "Dr/Cr", "Amount", "Fee", "Currency",
           "Previous Balance", "Post Balance", "Status"}
REQUIRED = {"Transaction ID", "Transaction Date", "Dr/Cr", "Amount", "Status", "Sender MSISDN", "Receiver MSISDN"}
TIME_FORMATS = ("%d-%m-%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M")
PAID = {"success", "successful", "ts"}
SKIPPED = {"failed", "tf", "pending", "tip", "ambiguous", "ta", "expired", "te", "refused"}
DIRECTIONS = {"cr": CREDIT, "dr": DEBIT}


def parse(data: bytes, *, currency: str | None = None, preset: str | None = None) -> list[StatementLine]:
    return list(iter_lines(data, currency=currency, preset=preset))


def iter_lines(data: bytes | BinaryIO, *, currency: str | None = None, preset: str | None = None
               ) -> Iterator[StatementLine]:
    for number, row, columns in paid_rows(data, header_marker="Transaction ID", known=COLUMNS, required=REQUIRED,
                                          paid=PAID, skipped=SKIPPED):
        yield _line(number, row, columns, currency)


def _line(number: int, row: dict[str, str], columns: dict[str, int], currency: str | None) -> StatementLine:
    transaction_id, id_at = cell(row, columns, "Transaction ID")
    if not transaction_id:
        raise StatementParseError(number, id_at, "a successful row without a transaction id")
    row_currency = currency_cell(row, columns, "Currency", currency, line=number)
    mark, mark_at = cell(row, columns, "Dr/Cr")
    if mark.lower() not in DIRECTIONS:
        raise StatementParseError(number, mark_at, f"{mark!r} is neither DR nor CR")
    direction = DIRECTIONS[mark.lower()]
    amount_text, amount_at = cell(row, columns, "Amount")
    amount = parse_amount(amount_text, row_currency, line=number, column=amount_at)
    if amount == 0:
        raise StatementParseError(number, amount_at, "a zero amount")
    fee_text, fee_at = cell(row, columns, "Fee")
    balance_text, balance_at = cell(row, columns, "Post Balance")
    date_text, date_at = cell(row, columns, "Transaction Date")
    return StatementLine(
        line_number=number, reference=transaction_id, amount_minor=amount, currency=row_currency,
        direction=direction,
        booked_at=parse_datetime(date_text, TIME_FORMATS, local_offset_minutes(row_currency), line=number,
                                 column=date_at),
        counterparty=msisdn_digits(cell(row, columns, "Sender MSISDN" if direction == CREDIT
                                        else "Receiver MSISDN")[0]),
        description=" ".join(part for part in (cell(row, columns, "Transaction Type")[0],
                                               cell(row, columns, "Description")[0]) if part),
        external_reference=cell(row, columns, "Reference Number")[0],
        fee_minor=parse_amount(fee_text, row_currency, line=number, column=fee_at) if fee_text else None,
        balance_minor=(parse_amount(balance_text, row_currency, line=number, column=balance_at, signed=True)
                       if balance_text else None),
        raw=",".join(row.values()))
