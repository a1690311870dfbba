"""What every statement parser returns and raises, and the small pure helpers they share.

A parser is a pure function from the file (bytes, or a seekable binary file read incrementally) to
`StatementLine`s: no database, no clock. Any line it cannot read raises `StatementParseError` naming the line
and column (1-based), so an operator can open the file at the right place; the import then stores nothing.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import BinaryIO

from lipwa.common.money import CurrencyError, currency_exponent

CREDIT = "credit"
DEBIT = "debit"
ENTRY = "entry"
SETTLEMENT = "settlement"

# Amount columns never need more digits than this; the bound keeps a hostile file from building huge ints.
AMOUNT_CHARS_MAX = 40


class StatementParseError(ValueError):
    def __init__(self, line: int | None, column: int | str | None, message: str) -> None:
        self.line, self.column, self.message = line, column, message
        where = []
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column}")
        super().__init__(f"{', '.join(where)}: {message}" if where else message)


@dataclass(frozen=True)
class StatementLine:
    line_number: int
    reference: str  # the gateway's or bank's own id of the entry (receipt, AcctSvcrRef); "" if none
    amount_minor: int  # always positive; `direction` says which way the money went
    currency: str
    direction: str  # CREDIT (money in) or DEBIT
    booked_at: datetime  # timezone-aware
    counterparty: str = ""  # phone (possibly masked) or account of the other party
    description: str = ""
    payer_reference: str = ""  # what the payer typed: M-Pesa A/C No., camt EndToEndId, MT940 field 7
    account: str = ""  # our account the statement is for (MT940 :25:, camt Acct/Id), "" if the file has none
    balance_minor: int | None = None  # running balance after the entry, where the file has one
    date_only: bool = False  # the file gives a date without a time
    # The id lipwa gave the gateway where the file shows it as well as the gateway's own id (Paystack and
    # Paynow `Reference`, Airtel `Reference Number`); matching tries it after `reference`.
    external_reference: str = ""
    fee_minor: int | None = None  # the gateway's fee on this entry, where the file shows it
    kind: str = ENTRY  # ENTRY, or SETTLEMENT: one payout of many payments' net amounts to the merchant
    raw: str = field(default="", compare=False)


CHUNK_BYTES = 1024 * 1024


def open_text(stream: BinaryIO, *, encodings: tuple[str, ...] = ("utf-8", "cp1252")) -> io.TextIOWrapper:
    """A seekable binary file → a text stream in the first encoding the whole file decodes in (see
    `text_encoding`), read a chunk at a time; lines keep their own line ends (`newline=""`)."""
    encoding = text_encoding(stream, encodings=encodings)
    chosen = "utf-8-sig" if encoding == "utf-8" else encoding
    return io.TextIOWrapper(io.BufferedReader(_Unclosable(stream), CHUNK_BYTES), encoding=chosen, newline="")


def text_encoding(stream: BinaryIO, *, encodings: tuple[str, ...] = ("utf-8", "cp1252")) -> str:
    """The first of `encodings` the whole of a seekable binary file decodes in; the file is left rewound.

    The whole file decides (an invalid byte near the end must not leave half a file imported): a
    `StatementFile` already knows from its first pass, any other file is read once more in chunks, so memory
    stays at one chunk whatever the file's size. A NUL byte in the first 8 KiB means a binary file (an Excel
    or PDF export) and is refused. A UTF-8 BOM is the reader's to drop.
    """
    stream.seek(0)
    head = stream.read(8192)
    if not head or not head.strip():
        raise StatementParseError(None, None, "the file is empty")
    if b"\x00" in head:
        raise StatementParseError(None, None, "the file is binary (an Excel or PDF export?), not text")
    for encoding in encodings:
        known = stream.decodes(encoding) if isinstance(stream, StatementFile) else None
        if known if known is not None else _decodes(stream, encoding):
            stream.seek(0)
            return encoding
    raise StatementParseError(None, None, f"the file is not text in {', '.join(encodings)}")


def _decodes(stream: BinaryIO, encoding: str) -> bool:
    stream.seek(0)
    decoder = codecs.getincrementaldecoder(encoding)()
    try:
        while chunk := stream.read(CHUNK_BYTES):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


class StatementFile(io.RawIOBase):
    """A seekable binary statement file, read once up front (digest, size, which encodings decode it) and
    then by a parser, whose reads report progress as `on_progress(done_bytes, total_bytes)`.

    The first pass lets the parser skip its own encoding check, so the parse is the only pass that moves the
    progress bar; memory stays at one chunk.
    """

    def __init__(self, stream: BinaryIO, *, on_progress=None, bytes_max: int | None = None,
                 encodings: tuple[str, ...] = ("utf-8", "cp1252")) -> None:
        self._stream, self._on_progress = stream, on_progress
        digest = hashlib.sha256()
        decoders = {encoding: codecs.getincrementaldecoder(encoding)() for encoding in encodings}
        self._decodes = dict.fromkeys(encodings, True)
        self.size = 0
        stream.seek(0)
        while chunk := stream.read(CHUNK_BYTES):
            self.size += len(chunk)
            if bytes_max is not None and self.size > bytes_max:
                raise StatementTooLarge(bytes_max)
            digest.update(chunk)
            for encoding, decoder in decoders.items():
                self._decodes[encoding] = self._decodes[encoding] and _feed(decoder, chunk)
        for encoding, decoder in decoders.items():
            self._decodes[encoding] = self._decodes[encoding] and _feed(decoder, b"", final=True)
        self.sha256 = digest.hexdigest()
        stream.seek(0)
        self._position = self._reported = 0

    def decodes(self, encoding: str) -> bool | None:
        return self._decodes.get(encoding)

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self._position = self._stream.seek(offset, whence)
        return self._position

    def tell(self) -> int:
        return self._position

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._position += len(data)
        self._report()
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def _report(self) -> None:
        # Reported as the parse moves forward, at most every CHUNK_BYTES and once at the end.
        if self._on_progress is not None and (self._position - self._reported >= CHUNK_BYTES
                                              or (self._position == self.size != self._reported)):
            self._reported = self._position
            self._on_progress(self._position, self.size)


class StatementTooLarge(ValueError):
    def __init__(self, bytes_max: int) -> None:
        super().__init__(f"the file is larger than {bytes_max} bytes")
        self.bytes_max = bytes_max


def _feed(decoder, chunk: bytes, *, final: bool = False) -> bool:
    try:
        decoder.decode(chunk, final=final)
    except UnicodeDecodeError:
        return False
    return True


class _Unclosable(io.RawIOBase):
    """Lets a TextIOWrapper read the caller's stream without closing it when the wrapper is collected."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        data = self._stream.read(len(buffer))
        buffer[:len(data)] = data
        return len(data)


def as_stream(data: bytes | BinaryIO) -> BinaryIO:
    return io.BytesIO(bytes(data)) if isinstance(data, bytes | bytearray) else data


def exponent_of(currency: str) -> int:
    try:
        return currency_exponent(currency)
    except CurrencyError:
        raise StatementParseError(None, None, f"unsupported currency {currency!r}") from None


_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def parse_amount(text: str, currency: str, *, line: int, column: int | str, decimal_separator: str = ".",
                 thousands_separator: str = ",", signed: bool = False) -> int:
    """A decimal amount in major units → integer minor units, exactly (never through a float).

    Refuses a negative amount unless `signed` (the caller gives the sign its meaning), and more decimals
    than the currency has.
    """
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    if thousands_separator:
        cleaned = cleaned.replace(thousands_separator, "")
    if decimal_separator != ".":
        cleaned = cleaned.replace(decimal_separator, ".")
    if not cleaned or len(cleaned) > AMOUNT_CHARS_MAX or not _PLAIN_NUMBER.match(cleaned):
        raise StatementParseError(line, column, f"{text.strip()!r} is not an amount")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise StatementParseError(line, column, f"{text.strip()!r} is not an amount") from None
    if value < 0 and not signed:
        raise StatementParseError(line, column, f"negative amount {text.strip()!r}")
    exponent = exponent_of(currency)
    minor = value.scaleb(exponent)
    if minor != minor.to_integral_value():
        raise StatementParseError(line, column, f"{text.strip()!r} has more decimals than {currency} allows")
    return int(minor)
