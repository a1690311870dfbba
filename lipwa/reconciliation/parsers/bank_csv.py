"""A bank's CSV export, read through a column-mapping preset (data, one per bank export layout).

Banks agree on nothing: column names, one signed amount or separate credit and debit columns, day-first
dates, comma decimals. A preset names all of that; adding a bank is adding a dict here, not code.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO

from .base import CREDIT, DEBIT, StatementLine, StatementParseError, parse_amount
from .csvrows import cell, csv_rows, parse_datetime

PRESETS: dict[str, dict] = {
    # Equity Bank Kenya online-banking export: separate money-in / money-out columns, day-first dates.
    "equity_ke": {
        "date": "Transaction Date", "date_formats": ("%d/%m/%Y", "%d-%m-%Y"), "credit": "Money In",
        "debit": "Money Out", "reference": "Reference", "description": "Narrative", "balance": "Balance",
        "decimal_separator": ".", "thousands_separator": ",", "utc_offset_minutes": 180,
    },
    # A francophone West-African bank (Ecobank-style XOF export): one signed amount, comma decimals.
    "ecobank_xof": {
        "date": "Date opération", "date_formats": ("%d/%m/%Y",), "amount": "Montant",
        "reference": "Référence", "description": "Libellé", "balance": "Solde", "delimiter": ";",
        "decimal_separator": ",", "thousands_separator": " ", "utc_offset_minutes": 0,
    },
}


def parse(data: bytes, *, currency: str | None = None, preset: str | None = None) -> list[StatementLine]:
    return list(iter_lines(data, currency=currency, preset=preset))


def iter_lines(data: bytes | BinaryIO, *, currency: str | None = None, preset: str | None = None
               ) -> Iterator[StatementLine]:
    if not preset:
        raise StatementParseError(None, None, f"a bank CSV needs a preset: one of {', '.join(sorted(PRESETS))}")
    if preset not in PRESETS:
        raise StatementParseError(None, None, f"unknown preset {preset!r}; known: {', '.join(sorted(PRESETS))}")
    if not currency:
        raise StatementParseError(None, None, "a bank CSV does not say its currency: give one")
    spec = PRESETS[preset]
    amount_columns = {spec["amount"]} if "amount" in spec else {spec["credit"], spec["debit"]}
    required = {spec["date"], spec["reference"], spec["description"]} | amount_columns
    for number, row, columns in csv_rows(data, header_marker=spec["date"], known=None, required=required,
                                         delimiter=spec.get("delimiter", ",")):
        yield _line(number, row, columns, spec, currency)


def _amount(number: int, row: dict, columns: dict, spec: dict, currency: str) -> tuple[str, int]:
    options = {"decimal_separator": spec["decimal_separator"], "thousands_separator": spec["thousands_separator"]}
    if "amount" in spec:
        text, at = cell(row, columns, spec["amount"])
        if not text:
            raise StatementParseError(number, at, "no amount")
        value = parse_amount(text, currency, line=number, column=at, signed=True, **options)
        if value == 0:
            raise StatementParseError(number, at, "a zero amount")
        return (CREDIT if value > 0 else DEBIT), abs(value)
    credit, credit_at = cell(row, columns, spec["credit"])
    debit, debit_at = cell(row, columns, spec["debit"])
    if bool(credit) == bool(debit):
        raise StatementParseError(number, credit_at, f"exactly one of {spec['credit']} and {spec['debit']} "
                                  "must be filled")
    text, at, direction = (credit, credit_at, CREDIT) if credit else (debit, debit_at, DEBIT)
    value = parse_amount(text, currency, line=number, column=at, **options)
    if value == 0:
        raise StatementParseError(number, at, "a zero amount")
    return direction, value


def _line(number: int, row: dict, columns: dict, spec: dict, currency: str) -> StatementLine:
    direction, amount = _amount(number, row, columns, spec, currency)
    date_text, date_at = cell(row, columns, spec["date"])
    balance_text, balance_at = cell(row, columns, spec["balance"]) if spec.get("balance") else ("", "")
    balance = None
    if balance_text:
        balance = parse_amount(balance_text, currency, line=number, column=balance_at, signed=True,
                               decimal_separator=spec["decimal_separator"],
                               thousands_separator=spec["thousands_separator"])
    return StatementLine(
        line_number=number, reference=cell(row, columns, spec["reference"])[0], amount_minor=amount,
        currency=currency, direction=direction,
        booked_at=parse_datetime(date_text, spec["date_formats"], spec["utc_offset_minutes"], line=number,
                                 column=date_at),
        description=cell(row, columns, spec["description"])[0], balance_minor=balance, date_only=True,
        raw=spec.get("delimiter", ",").join(row.values()))
