"""Paystack dashboard exports (PROVIDERS.md 6): the transactions export and the settlements export.

The layout is told by the header: a `Settlement ID` column without a `Reference` column is the settlements
export. Amounts are in major units with two decimals, as the dashboard shows them (the API's kobo/pesewas
are not what the CSV holds); timestamps are ISO 8601, in UTC when they carry no offset.

- Transactions: `Transaction ID` is Paystack's own id (the line's reference), `Reference` the reference
  lipwa gave (`lipwa-att-…`, matched to the payment's gateway reference), `Fees` what Paystack kept. Only
  `success` rows, and `reversed` ones (the money arrived; its reversal is a refund lipwa records), count.
- Settlements: one line per payout to the merchant's bank (`kind` settlement), the `Settled Amount` being
  the net of many payments (`Total Amount` − `Total Fees`, checked); matched many-to-one.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from .base import CREDIT, SETTLEMENT, StatementLine, StatementParseError, parse_amount
from .csvrows import cell, csv_rows, currency_cell, parse_iso_datetime, status_included

TRANSACTION_COLUMNS = {"Transaction ID", "Reference", "Status", "Channel", "Currency", "Amount", "Fees",
                       "Customer Email", "Customer Phone", "Customer Name", "Paid At", "Created At",
                       "Gateway Response", "Settlement ID", "Settled"}
TRANSACTION_REQUIRED = {"Transaction ID", "Reference", "Status", "Currency", "Amount", "Paid At"}
SETTLEMENT_COLUMNS = {"Settlement ID", "Settlement Date", "Status", "Currency", "Total Amount", "Total Fees",
                      "Settled Amount", "Transactions", "Bank", "Account Number", "Subaccount"}
SETTLEMENT_REQUIRED = {"Settlement ID", "Settlement Date", "Status", "Currency", "Settled Amount"}
PAID = {"success", "reversed"}
SKIPPED = {"failed", "abandoned", "pending", "ongoing", "processing", "queued"}
SETTLED = {"success", "processed", "settled"}
NOT_SETTLED = {"pending", "processing", "failed"}


def parse(data: bytes, *, currency: str | None = None, preset: str | None = None) -> list[StatementLine]:
    return list(iter_lines(data, currency=currency, preset=preset))


def iter_lines(data: bytes | BinaryIO, *, currency: str | None = None, preset: str | None = None
               ) -> Iterator[StatementLine]:
    rows = csv_rows(data, header_marker=("Transaction ID", "Settlement ID"),
                    known=TRANSACTION_COLUMNS | SETTLEMENT_COLUMNS, required=set())
    settlements: bool | None = None
    for number, row, columns in rows:
        if settlements is None:  # the layout is the header's: checked once, on the first row
            settlements = "Reference" not in columns and "Settlement ID" in columns
            _check_columns(number, columns, SETTLEMENT_COLUMNS if settlements else TRANSACTION_COLUMNS,
                           SETTLEMENT_REQUIRED if settlements else TRANSACTION_REQUIRED)
        status, status_at = cell(row, columns, "Status")
        if settlements:
            if status_included(status, paid=SETTLED, skipped=NOT_SETTLED, line=number, column=status_at):
                yield _settlement(number, row, columns, currency)
        elif status_included(status, paid=PAID, skipped=SKIPPED, line=number, column=status_at):
            yield _transaction(number, row, columns, currency)


def _check_columns(number: int, columns: dict[str, int], known: set[str], required: set[str]) -> None:
    # The header was read before the first row; its line is not kept, so the first row names it.
    for name, index in columns.items():
        if name not in known:
            raise StatementParseError(number, index, f"column {name!r} does not belong in this export")
    missing = sorted(required - set(columns))
    if missing:
        raise StatementParseError(number, None, f"missing column(s) {', '.join(map(repr, missing))}")


def _amount(number: int, row: dict, columns: dict, name: str, currency: str, *, required: bool = True) -> int | None:
    text, at = cell(row, columns, name)
    if not text:
        if required:
            raise StatementParseError(number, at, f"no {name}")
        return None
    return parse_amount(text, currency, line=number, column=at)


def _transaction(number: int, row: dict, columns: dict, currency: str | None) -> StatementLine:
    transaction_id, id_at = cell(row, columns, "Transaction ID")
    reference, reference_at = cell(row, columns, "Reference")
    if not transaction_id or not reference:
        raise StatementParseError(number, id_at if not transaction_id else reference_at,
                                  "a paid row needs both a transaction id and a reference")
    row_currency = currency_cell(row, columns, "Currency", currency, line=number)
    amount = _amount(number, row, columns, "Amount", row_currency)
    if amount == 0:
        raise StatementParseError(number, cell(row, columns, "Amount")[1], "a zero amount")
    paid_at, paid_at_column = cell(row, columns, "Paid At")
    booked_at, date_only = parse_iso_datetime(paid_at, line=number, column=paid_at_column)
    status = cell(row, columns, "Status")[0].lower()
    return StatementLine(
        line_number=number, reference=transaction_id, external_reference=reference, amount_minor=amount,
        currency=row_currency, direction=CREDIT, booked_at=booked_at, date_only=date_only,
        counterparty=cell(row, columns, "Customer Phone")[0],
        description=" ".join(part for part in (cell(row, columns, "Channel")[0],
                                               cell(row, columns, "Customer Email")[0],
                                               "reversed" if status == "reversed" else "") if part),
        payer_reference=cell(row, columns, "Settlement ID")[0],
        fee_minor=_amount(number, row, columns, "Fees", row_currency, required=False),
        raw=",".join(row.values()))


def _settlement(number: int, row: dict, columns: dict, currency: str | None) -> StatementLine:
    settlement_id, id_at = cell(row, columns, "Settlement ID")
    if not settlement_id:
        raise StatementParseError(number, id_at, "a settlement without an id")
    row_currency = currency_cell(row, columns, "Currency", currency, line=number)
    settled = _amount(number, row, columns, "Settled Amount", row_currency)
    total = _amount(number, row, columns, "Total Amount", row_currency, required=False)
    fees = _amount(number, row, columns, "Total Fees", row_currency, required=False)
    if total is not None and fees is not None and total - fees != settled:
        raise StatementParseError(number, cell(row, columns, "Settled Amount")[1],
                                  "the settled amount is not the total amount less the total fees")
    if settled == 0:
        raise StatementParseError(number, cell(row, columns, "Settled Amount")[1], "a zero settlement")
    day, day_at = cell(row, columns, "Settlement Date")
    booked_at, date_only = parse_iso_datetime(day, line=number, column=day_at)
    count = cell(row, columns, "Transactions")[0]
    return StatementLine(
        line_number=number, reference=settlement_id, amount_minor=settled, currency=row_currency,
        direction=CREDIT, booked_at=booked_at, date_only=date_only, kind=SETTLEMENT, fee_minor=fees,
        counterparty=cell(row, columns, "Account Number")[0],
        description=f"Paystack settlement{f' of {count} payments' if count else ''}",
        raw=",".join(row.values()))
