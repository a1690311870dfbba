"""Large MT940 and camt.053 statements: read incrementally with flat memory, imported in batches, and a bad
entry far into the file (or a file cut off mid-stream) named precisely, with nothing stored."""

from __future__ import annotations

import io
import os
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pytest

from lipwa.common.errors import InvalidRequest
from lipwa.reconciliation import importing
from lipwa.reconciliation.models import Statement, StatementLine
from lipwa.reconciliation.parsers import LINE_READERS, PARSERS, StatementParseError, base, mt940
from lipwa.reconciliation.services import statement_import

# tracemalloc slows the parse (about 2 ms per camt.053 entry), so the memory tests default to files of a few
# MB; LIPWA_TEST_STATEMENT_ENTRIES=200000 runs them at a year of a busy account (a 23 MB MT940 and an
# 81 MB camt.053 peak at about 0.2 MB each).
ENTRIES = int(os.environ.get("LIPWA_TEST_STATEMENT_ENTRIES", "0")) or None
MT940_HEADER_LINES = 5  # the entries' :61: lines start on line 6, three lines apart
CAMT_HEADER_LINES = 2  # one entry a line from line 3


def mt940_chunks(entries: int, *, bad_entry: int | None = None, closed: bool = True) -> Iterator[str]:
    yield ("{1:F01EQBLKENAXXXX0000000000}{2:O9401200261103EQBLKENAXXXX00000000002611031200N}{4:\n:20:STMT\n"
           ":25:EQBLKENA/0170299001234\n:28C:00307/001\n:60F:C261102KES100000,00\n")
    for n in range(entries):
        amount = f"{100 + n % 900}.00" if n == bad_entry else f"{100 + n % 900},00"
        yield (f":61:2611031103C{amount}NTRFLPW-{n:08d}//FT{n:010d}\nTRF FROM CUSTOMER {n}\n"
               f":86:/EREF/LPW-{n:08d}/REMI/Order {n}\n")
    if closed:
        yield ":62F:C270101KES204850,00\n-}\n"


def camt_chunks(entries: int, *, bad_entry: int | None = None) -> Iterator[str]:
    yield ('<?xml version="1.0" encoding="UTF-8"?>\n<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">'
           "<BkToCstmrStmt><GrpHdr><MsgId>M</MsgId></GrpHdr><Stmt><Id>S</Id>"
           "<Acct><Id><Othr><Id>0170299001234</Id></Othr></Id></Acct>\n")
    for n in range(entries):
        indicator = "CR" if n == bad_entry else "CRDT"
        yield (f'<Ntry><Amt Ccy="KES">{100 + n % 900}.00</Amt><CdtDbtInd>{indicator}</CdtDbtInd><Sts><Cd>BOOK</Cd>'
               f"</Sts><BookgDt><DtTm>2026-11-03T11:20:05+03:00</DtTm></BookgDt><AcctSvcrRef>FT{n:010d}</AcctSvcrRef>"
               f"<NtryDtls><TxDtls><Refs><EndToEndId>LPW-{n:08d}</EndToEndId></Refs><RltdPties><DbtrAcct><Id><Othr>"
               f"<Id>011{n:010d}</Id></Othr></Id></DbtrAcct></RltdPties><RmtInf><Ustrd>Order {n}</Ustrd></RmtInf>"
               "</TxDtls></NtryDtls></Ntry>\n")
    yield "</Stmt></BkToCstmrStmt></Document>\n"


CHUNKS = {"mt940": mt940_chunks, "camt053": camt_chunks}


def as_bytes(chunks: Iterator[str]) -> bytes:
    return "".join(chunks).encode()


def written(path: Path, chunks: Iterator[str]) -> Path:
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.writelines(chunks)
    return path


def peak_bytes(path: Path, fmt: str) -> tuple[int, int]:
    """(lines read, tracemalloc peak) of streaming the file through the importer's reader for `fmt`."""
    with open(path, "rb") as stream:
        statement_file = base.StatementFile(stream)
        tracemalloc.start()
        try:
            count = sum(1 for _ in LINE_READERS[fmt](statement_file))
            return count, tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()


# -- memory ------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("fmt", "entries"), [("mt940", 20_000), ("camt053", 5_000)])
def test_a_large_bank_statement_is_read_in_flat_memory(fmt, entries, tmp_path, monkeypatch):
    monkeypatch.setattr(base, "CHUNK_BYTES", 64 * 1024)  # the read buffer, so what is left is the parse's own
    entries = ENTRIES or entries
    small = written(tmp_path / f"small.{fmt}", CHUNKS[fmt](entries // 10))
    large = written(tmp_path / f"large.{fmt}", CHUNKS[fmt](entries))
    assert large.stat().st_size > 1024 * 1024
    small_count, small_peak = peak_bytes(small, fmt)
    large_count, large_peak = peak_bytes(large, fmt)
    assert (small_count, large_count) == (entries // 10, entries)
    # Ten times the entries, the same memory: one entry (and one read buffer) at a time, never the file.
    assert large_peak < 512 * 1024 and large_peak < large.stat().st_size / 4, (small_peak, large_peak)
    assert large_peak < small_peak + 64 * 1024, (small_peak, large_peak)


# -- import: batches, progress, all or nothing ---------------------------------------------------------------

@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["mt940", "camt053"])
def test_a_large_bank_statement_imports_in_batches_with_progress(fmt, merchant, monkeypatch):
    monkeypatch.setattr(importing, "BATCH_LINES", 500)
    monkeypatch.setattr(base, "CHUNK_BYTES", 64 * 1024)
    data = as_bytes(CHUNKS[fmt](3_000))
    seen: list[tuple[int, int]] = []
    statement = statement_import(merchant=merchant, mode="test", format=fmt, filename=f"year.{fmt}",
                                 stream=io.BytesIO(data), on_progress=lambda done, total: seen.append((done, total)))
    assert (statement.lines_in_file, statement.lines_new, statement.source) == (3_000, 3_000,
                                                                                 "account:0170299001234")
    assert StatementLine.objects.filter(statement=statement).count() == 3_000
    last = StatementLine.objects.get(statement=statement, reference="FT0000002999")
    assert last.line_number == (MT940_HEADER_LINES + 1 + 3 * 2_999 if fmt == "mt940" else 3_000)
    assert last.payer_reference == "LPW-00002999" and last.amount_minor == (100 + 2_999 % 900) * 100
    assert seen[-1] == (len(data), len(data)) and len(seen) >= 3
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


@pytest.mark.django_db
@pytest.mark.parametrize(("fmt", "where"), [
    ("mt940", f"line {MT940_HEADER_LINES + 1 + 3 * 2_990}, column 5: statement line"),
    ("camt053", "line 2991, column CdtDbtInd: 'CR' is neither CRDT nor DBIT"),  # the 2,991st entry
])
def test_a_bad_entry_after_many_batches_stores_nothing(fmt, where, merchant, monkeypatch):
    monkeypatch.setattr(importing, "BATCH_LINES", 500)
    with pytest.raises(InvalidRequest) as caught:
        statement_import(merchant=merchant, mode="test", format=fmt, filename="year.bank",
                         stream=io.BytesIO(as_bytes(CHUNKS[fmt](3_000, bad_entry=2_990))))
    assert caught.value.message.startswith(f"year.bank: {where}"), caught.value.message
    assert caught.value.code == "statement_invalid"
    assert not Statement.objects.exists() and not StatementLine.objects.exists()


@pytest.mark.django_db
def test_a_camt053_cut_off_mid_entry_is_named_by_line_and_stores_nothing(merchant, monkeypatch):
    monkeypatch.setattr(importing, "BATCH_LINES", 500)
    data = as_bytes(camt_chunks(3_000))
    line = CAMT_HEADER_LINES + 1 + 2_900  # the 2,901st entry's
    cut = data[:sum(len(text) + 1 for text in data.split(b"\n")[:line - 1]) + 200]  # 200 bytes into it
    with pytest.raises(InvalidRequest) as caught:
        statement_import(merchant=merchant, mode="test", format="camt053", filename="cut.xml", stream=io.BytesIO(cut))
    assert caught.value.message.startswith(f"cut.xml: line {line}, column "), caught.value.message
    assert "not well-formed XML (truncated?)" in caught.value.message
    assert not Statement.objects.exists() and not StatementLine.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("closed", "words"), [
    (False, "block 4 is never closed with '-}': the file is truncated"),
    (True, "no closing balance (:62F:/:62M:): the file is truncated"),
])
def test_an_mt940_cut_off_after_many_batches_stores_nothing(closed, words, merchant, monkeypatch):
    monkeypatch.setattr(importing, "BATCH_LINES", 500)
    data = as_bytes(mt940_chunks(3_000, closed=closed))
    if closed:  # block 4 is closed, but without its closing balance
        data = data.replace(b":62F:", b":64:")
    with pytest.raises(InvalidRequest) as caught:
        statement_import(merchant=merchant, mode="test", format="mt940", filename="cut.sta", stream=io.BytesIO(data))
    assert words in caught.value.message
    assert not Statement.objects.exists() and not StatementLine.objects.exists()


# -- what streaming must not change ----------------------------------------------------------------------------

def test_mt940_encoding_is_the_whole_file_s():
    # Valid UTF-8 up to a cp1252 byte in the last field: the whole file is cp1252, as when it was read whole.
    data = as_bytes(mt940_chunks(3)).replace(b"CUSTOMER 0", "CÜSTOMER 0".encode())
    data = data.replace(b"-}", "\n:64:C270101KES1,00 caf\xe9".encode("latin-1") + b"\n-}")
    first = mt940.parse(data)[0]
    assert first.description.startswith("TRF FROM C\u00c3\u0153STOMER 0")  # cp1252 mojibake of "Ü"
    assert mt940.parse(data.replace(b"\xe9", b"e"))[0].description.startswith("TRF FROM CÜSTOMER 0")


def test_mt940_line_numbers_do_not_depend_on_line_ends():
    data = as_bytes(mt940_chunks(4, bad_entry=3))
    for line_end in (b"\n", b"\r\n", b"\r"):
        with pytest.raises(StatementParseError) as caught:
            mt940.parse(data.replace(b"\n", line_end))
        assert (caught.value.line, caught.value.column) == (MT940_HEADER_LINES + 1 + 3 * 3, 5)


def test_mt940_entry_before_its_header_and_overlong_lines_are_refused(monkeypatch):
    data = as_bytes(mt940_chunks(2))
    with pytest.raises(StatementParseError) as caught:
        mt940.parse(data.replace(b":60F:", b":60X:"))
    assert caught.value.line == 6 and "no opening balance (:60F:/:60M:) before the first" in caught.value.message
    monkeypatch.setattr(mt940, "LINE_CHARS_MAX", 200)
    with pytest.raises(StatementParseError) as caught:
        mt940.parse(data.replace(b"TRF FROM CUSTOMER 1", b"X" * 300))
    assert caught.value.line == 10 and "longer than 200 characters" in caught.value.message
    monkeypatch.setattr(mt940, "FIELD_CHARS_MAX", 200)
    with pytest.raises(StatementParseError) as caught:
        mt940.parse(data.replace(b"TRF FROM CUSTOMER 1", b"X\n" * 150))
    assert caught.value.line == 9 and "field :61: runs over 200 characters" in caught.value.message


def test_camt053_refuses_an_unknown_declared_encoding():
    data = as_bytes(camt_chunks(1)).replace(b'encoding="UTF-8"', b'encoding="UTF-8S"')
    with pytest.raises(StatementParseError) as caught:
        PARSERS["camt053"](data)
    assert caught.value.line == 1 and "unknown encoding" in caught.value.message


def test_camt053_entries_outside_a_statement_are_not_lines_and_the_account_is_per_statement():
    data = as_bytes(camt_chunks(2)).replace(b"</Stmt>", b"</Stmt><Stmt><Id>T</Id>"
                                            b"<Acct><Id><IBAN>KE00123</IBAN></Id></Acct>" + b"<Ntry><Amt Ccy='KES'>"
                                            b"1.00</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>"
                                            b"2026-11-04</Dt></BookgDt></Ntry></Stmt><Other><Stmt><Ntry/></Stmt>"
                                            b"</Other>")
    lines = PARSERS["camt053"](data)
    assert [(line.line_number, line.account, line.direction) for line in lines] == [
        (1, "0170299001234", "credit"), (2, "0170299001234", "credit"), (3, "KE00123", "debit")]
