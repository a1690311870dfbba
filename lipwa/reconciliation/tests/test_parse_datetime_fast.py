"""Statement times in the usual zero-padded formats are read without strptime; the answer (or the refusal)
must be exactly strptime's."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lipwa.reconciliation.parsers.base import StatementParseError
from lipwa.reconciliation.parsers.csvrows import parse_datetime

FORMATS = ("%d-%m-%Y %H:%M:%S", "%Y-%m-%d %H:%M:%S")
ZONE = timezone(timedelta(hours=3))


def _strptime(text: str) -> datetime | None:
    for fmt in FORMATS:
        try:
            return datetime.strptime(text.strip(), fmt).replace(tzinfo=ZONE)
        except ValueError:
            continue
    return None


def _parsed(text: str) -> datetime | None:
    try:
        return parse_datetime(text, FORMATS, 180, line=1, column="Completion Time")
    except StatementParseError:
        return None


two = st.integers(0, 99).map(lambda n: f"{n:02d}")
texts = st.one_of(
    st.builds(lambda d, m, y, h, mi, s: f"{d}-{m}-{y} {h}:{mi}:{s}", two, two, st.integers(1, 9999).map(str),
              two, two, two),
    st.builds(lambda y, m, d, h, mi, s: f"{y}-{m}-{d} {h}:{mi}:{s}", st.integers(0, 9999).map(lambda n: f"{n:04d}"),
              two, two, two, two, two),
    st.datetimes().map(lambda t: t.strftime(FORMATS[0])),
    st.text(alphabet="0123456789-: ٣", max_size=20),
)


@settings(max_examples=500, deadline=None)
@given(texts)
def test_fast_path_agrees_with_strptime(text):
    assert _parsed(text) == _strptime(text)
    if _parsed(text) is not None:
        assert _parsed(text).utcoffset() == timedelta(hours=3)


@pytest.mark.parametrize("text", ["31-02-2026 10:00:00", "00-01-2026 10:00:00", "01-01-2026 24:00:00",
                                  "1-1-2026 1:02:03"])
def test_edges_agree_with_strptime(text):
    assert _parsed(text) == _strptime(text)
