"""Large statements: parsed incrementally from a file, stored in batches, with progress reported, and still
all or nothing."""

from __future__ import annotations

import io

import pytest

from lipwa.common.errors import InvalidRequest
from lipwa.reconciliation import importing
from lipwa.reconciliation.models import Statement, StatementLine
from lipwa.reconciliation.parsers import base
from lipwa.reconciliation.services import statement_import

pytestmark = pytest.mark.django_db

HEADER = "Receipt No.,Completion Time,Details,Transaction Status,Paid In,Withdrawn,Other Party Info\n"


def mpesa_file(rows: int, *, bad_row: int | None = None) -> bytes:
    body = io.StringIO()
    body.write(HEADER)
    for n in range(rows):
        amount = "1O.00" if n == bad_row else f"{10 + n % 50}.00"
        body.write(f"SK{n:08d},01-11-2026 09:{n // 60 % 60:02d}:{n % 60:02d},Pay Bill from 2547****{n % 1000:03d}"
                   f" - CUSTOMER {n},Completed,{amount},,2547****{n % 1000:03d} - CUSTOMER\n")
    return body.getvalue().encode()


def test_a_large_file_streams_in_batches_with_progress(merchant, monkeypatch):
    # Small chunks and batches stand in for a large file (the code path is the same, the test stays fast).
    monkeypatch.setattr(importing, "BATCH_LINES", 1000)
    monkeypatch.setattr(base, "CHUNK_BYTES", 64 * 1024)
    data = mpesa_file(5_000)
    assert len(data) > 5 * base.CHUNK_BYTES
    seen: list[tuple[int, int]] = []
    statement = statement_import(merchant=merchant, mode="test", format="mpesa_csv", filename="year.csv",
                                 stream=io.BytesIO(data), on_progress=lambda done, total: seen.append((done, total)))
    assert (statement.lines_in_file, statement.lines_new) == (5_000, 5_000)
    assert StatementLine.objects.filter(statement=statement).count() == 5_000
    assert seen[-1] == (len(data), len(data)) and len(seen) >= 5
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)  # only forward
    # The same file again, from bytes this time: every line known, nothing stored.
    again = statement_import(merchant=merchant, mode="test", format="mpesa_csv", filename="year.csv", data=data)
    assert (again.lines_new, again.lines_known, again.file_sha256) == (0, 5_000, statement.file_sha256)


def test_a_bad_line_after_many_batches_stores_nothing(merchant, monkeypatch):
    monkeypatch.setattr(importing, "BATCH_LINES", 500)
    with pytest.raises(InvalidRequest) as caught:
        statement_import(merchant=merchant, mode="test", format="mpesa_csv", filename="year.csv",
                         stream=io.BytesIO(mpesa_file(3_000, bad_row=2_990)))
    assert "year.csv: line 2992, column 5 (Paid In)" in caught.value.message
    assert not Statement.objects.exists() and not StatementLine.objects.exists()


def test_an_unseekable_stream_is_spooled(merchant):
    class Pipe(io.RawIOBase):
        def __init__(self, data: bytes) -> None:
            self._data = io.BytesIO(data)

        def readable(self) -> bool:
            return True

        def seekable(self) -> bool:
            return False

        def readinto(self, buffer) -> int:
            chunk = self._data.read(len(buffer))
            buffer[:len(chunk)] = chunk
            return len(chunk)

    statement = statement_import(merchant=merchant, mode="test", format="mpesa_csv", filename="pipe.csv",
                                 stream=Pipe(mpesa_file(10)))
    assert statement.lines_new == 10


def test_bytes_and_stream_are_exclusive_and_size_is_bounded(merchant, monkeypatch):
    for kwargs in ({}, {"data": b"x", "stream": io.BytesIO(b"x")}, {"data": "text"}):
        with pytest.raises(InvalidRequest) as caught:
            statement_import(merchant=merchant, mode="test", format="mpesa_csv", filename="f.csv", **kwargs)
        assert caught.value.code == "file_required"
    monkeypatch.setattr(importing, "STATEMENT_BYTES_MAX", 100)
    with pytest.raises(InvalidRequest) as caught:
        statement_import(merchant=merchant, mode="test", format="mpesa_csv", filename="f.csv", data=mpesa_file(5))
    assert caught.value.code == "file_too_large" and not Statement.objects.exists()
