"""Statement parsers, one module per format.

Each module has `iter_lines(data, *, currency, preset)` (bytes or a seekable binary file → lines, read
incrementally) and `parse(...)` (the same as a list).
"""

from __future__ import annotations

from . import airtel_csv, bank_csv, camt053, mpesa_csv, mt940, mtn_momo_csv, paynow_csv, paystack_csv
from .base import CREDIT, DEBIT, ENTRY, SETTLEMENT, StatementLine, StatementParseError

PARSERS = {
    "mpesa_csv": mpesa_csv.parse,
    "mtn_momo_csv": mtn_momo_csv.parse,
    "airtel_csv": airtel_csv.parse,
    "paystack_csv": paystack_csv.parse,
    "paynow_csv": paynow_csv.parse,
    "bank_csv": bank_csv.parse,
    "mt940": mt940.parse,
    "camt053": camt053.parse,
}

LINE_READERS = {
    "mpesa_csv": mpesa_csv.iter_lines,
    "mtn_momo_csv": mtn_momo_csv.iter_lines,
    "airtel_csv": airtel_csv.iter_lines,
    "paystack_csv": paystack_csv.iter_lines,
    "paynow_csv": paynow_csv.iter_lines,
    "bank_csv": bank_csv.iter_lines,
    "mt940": mt940.iter_lines,
    "camt053": camt053.iter_lines,
}
PRESETS = bank_csv.PRESETS

__all__ = ["CREDIT", "DEBIT", "ENTRY", "LINE_READERS", "PARSERS", "PRESETS", "SETTLEMENT", "StatementLine",
           "StatementParseError"]
