"""MTN MoMo merchant (partner portal) statement CSV (PROVIDERS.md B.4).

MTN publishes no column specification. The columns below are those of the MoMo partner portal's
"transactions" export as merchants receive it; the portal writes parties as `FRI:<msisdn>/MSISDN` and one
signed `Amount` (negative when money left the account). `Id` is MTN's `financialTransactionId`, the receipt
lipwa records when a request-to-pay succeeds; `External Transaction Id` is the `externalId` lipwa sent.
Only `Successful` rows moved money. Times are the country's local time, chosen by the currency.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from .base import CREDIT, DEBIT, StatementLine, StatementParseError, parse_amount
from .csvrows import cell, currency_cell, local_offset_minutes, msisdn_digits, paid_rows, parse_datetime

COLUMNS = {"Id", "External Transaction Id", "Date", "Status", "Type", "Provider Category", "Information",
           "Note / Message", "From", "From Name", "To", "To Name", "Initiated By", "On Behalf Of", "Amount",
           "Currency", "Fee", "Fee Currency", "Balance"}
REQUIRED = {"Id", "Date", "Status", "Type", "From", "To", "Amount", "Currency"}
TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M")
PAID = {"successful"}
SKIPPED = {"failed", "pending", "rejected", "timeout", "expired", "cancelled"}


def parse(data: bytes, *, currency: str | None = None, preset: str | None = None) -> list[StatementLine]:
    return list(iter_lines(data, currency=currency, preset=preset))


def iter_lines(data: bytes | BinaryIO, *, currency: str | None = None, preset: str | None = None
               ) -> Iterator[StatementLine]:
    for number, row, columns in paid_rows(data, header_marker="External Transaction Id", known=COLUMNS,
                                          required=REQUIRED, paid=PAID, skipped=SKIPPED):
        yield _line(number, row, columns, currency)


def _line(number: int, row: dict[str, str], columns: dict[str, int], currency: str | None) -> StatementLine:
    transaction_id, id_at = cell(row, columns, "Id")
    if not transaction_id:
        raise StatementParseError(number, id_at, "a successful row without a transaction id")
    row_currency = currency_cell(row, columns, "Currency", currency, line=number)
    amount_text, amount_at = cell(row, columns, "Amount")
    value = parse_amount(amount_text, row_currency, line=number, column=amount_at, signed=True)
    if value == 0:
        raise StatementParseError(number, amount_at, "a zero amount")
    direction = CREDIT if value > 0 else DEBIT
    date_text, date_at = cell(row, columns, "Date")
    balance_text, balance_at = cell(row, columns, "Balance")
    return StatementLine(
        line_number=number, reference=transaction_id, amount_minor=abs(value), currency=row_currency,
        direction=direction,
        booked_at=parse_datetime(date_text, TIME_FORMATS, local_offset_minutes(row_currency), line=number,
                                 column=date_at),
        counterparty=msisdn_digits(cell(row, columns, "From" if direction == CREDIT else "To")[0]),
        description=" ".join(part for part in (cell(row, columns, "Type")[0], cell(row, columns, "Information")[0],
                                               cell(row, columns, "Note / Message")[0]) if part),
        external_reference=cell(row, columns, "External Transaction Id")[0],
        fee_minor=_fee(number, row, columns, row_currency),
        balance_minor=(parse_amount(balance_text, row_currency, line=number, column=balance_at, signed=True)
                       if balance_text else None),
        raw=",".join(row.values()))


def _fee(number: int, row: dict[str, str], columns: dict[str, int], currency: str) -> int | None:
    fee_text, fee_at = cell(row, columns, "Fee")
    if not fee_text:
        return None
    fee_currency, fee_currency_at = cell(row, columns, "Fee Currency")
    if fee_currency and fee_currency != currency:
        raise StatementParseError(number, fee_currency_at, f"the fee is in {fee_currency!r}, the amount in "
                                  f"{currency}")
    # The portal prints fees as negative numbers on some exports; either sign is the fee MTN kept.
    return abs(parse_amount(fee_text, currency, line=number, column=fee_at, signed=True))
