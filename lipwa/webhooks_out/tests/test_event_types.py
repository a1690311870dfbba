"""Every event type the core records can be subscribed to, and endpoint inputs are checked precisely."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from lipwa.common.errors import InvalidRequest
from lipwa.payments.states import PaymentStatus
from lipwa.webhooks_out.event_types import EVENT_TYPES, event_type_matches
from lipwa.webhooks_out.validation import check_enabled_events, check_endpoint_url, origin_of

PAYMENTS = Path(__file__).resolve().parents[2] / "payments"
# A literal type passed to event_record (or to a module's own `_event` wrapper of it).
LITERAL_EVENT_TYPE = re.compile(r"""(?:event_record|_event)\([^()]*?["']((?:payment|refund|payout)\.[a-z_]+)["']""")
OWN = [("lipwa.example.com", 443), ("127.0.0.1", 8000)]


def test_every_literal_event_type_the_core_records_is_in_the_catalogue():
    found = set()
    for path in PAYMENTS.glob("*.py"):
        found |= set(LITERAL_EVENT_TYPE.findall(path.read_text()))
    assert "payment.created" in found
    assert found - EVENT_TYPES == set()


def test_every_payment_status_but_pending_is_an_event_type():
    assert {f"payment.{s.value}" for s in PaymentStatus} - EVENT_TYPES == {"payment.pending"}


def test_matching():
    assert event_type_matches(["*"], "refund.succeeded")
    assert event_type_matches(["payment.failed", "payment.succeeded"], "payment.succeeded")
    assert not event_type_matches(["payment.failed"], "payment.succeeded")


def test_enabled_events_are_normalised():
    assert check_enabled_events(["payment.failed", "payment.failed", "payment.succeeded"]) == [
        "payment.failed", "payment.succeeded"]
    assert check_enabled_events(["payment.failed", "*"]) == ["*"]


def test_unknown_event_types_are_named():
    with pytest.raises(InvalidRequest) as refused:
        check_enabled_events(["payment.succeeded", "payment.sucess", "charge.paid"])
    assert refused.value.param == "enabled_events" and refused.value.code == "unknown_event_types"
    assert "'payment.sucess'" in refused.value.message and "'charge.paid'" in refused.value.message


@pytest.mark.parametrize("url", [
    "https://merchant.example/hooks/lipwa", "http://127.0.0.1:9999/hook", "http://localhost:3000/",
    "https://lipwa.example.com:8443/other-port", "http://[::1]:9000/x",
])
def test_urls_that_are_allowed(url):
    assert check_endpoint_url(f"  {url} ", OWN) == url


@pytest.mark.parametrize("url, code", [
    ("", None), ("ftp://merchant.example/", "url_invalid_scheme"), ("merchant.example/hooks", "url_invalid_scheme"),
    ("javascript:alert(1)", "url_invalid_scheme"), ("http://", None), ("http:///path", None),
    ("https://user:pw@merchant.example/", "url_has_credentials"),
    ("https://user@merchant.example/", "url_has_credentials"),
    ("https://lipwa.example.com/v1/payments", "url_is_lipwa"), ("https://LIPWA.example.com.:443/", "url_is_lipwa"),
    ("http://127.0.0.1:8000/v1/payments", "url_is_lipwa"), ("http://localhost:8000/", "url_is_lipwa"),
    ("http://[::1]:8000/", "url_is_lipwa"), ("http://0.0.0.0:8000/", "url_is_lipwa"),
    ("http://merchant.example:99999/", None), ("http://merchant.example/a b", None),
    ("http://merchant.example/\nX-Injected: 1", None), ("http://mérchant.example/", None),
    ("http://x/" + "a" * 2000, None),
])
def test_urls_that_are_refused_with_param_url(url, code):
    with pytest.raises(InvalidRequest) as refused:
        check_endpoint_url(url, OWN)
    assert refused.value.param == "url"
    if code:
        assert refused.value.code == code


def test_origin_of():
    assert origin_of("https://lipwa.example.com") == ("lipwa.example.com", 443)
    assert origin_of("http://testserver/") == ("testserver", 80)
    assert origin_of("127.0.0.1:8000") == ("127.0.0.1", 8000)
    assert origin_of("http://bad:port") is None
