"""Statement parsers, one module per format; each is `parse(data, *, currency, preset) -> [StatementLine]`."""

from __future__ import annotations

from . import bank_csv, camt053, mpesa_csv, mt940
from .base import CREDIT, DEBIT, StatementLine, StatementParseError

PARSERS = {
    "mpesa_csv": mpesa_csv.parse,
    "bank_csv": bank_csv.parse,
    "mt940": mt940.parse,
    "camt053": camt053.parse,
}
PRESETS = bank_csv.PRESETS

__all__ = ["CREDIT", "DEBIT", "PARSERS", "PRESETS", "StatementLine", "StatementParseError"]
