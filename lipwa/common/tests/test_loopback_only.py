"""The suite's guard: with LIPWA_LOOPBACK_ONLY=1 no outbound call leaves 127.0.0.1, not even for a DNS lookup."""

import pytest

from lipwa.common.http import GatewayUnreachable, HttpClient, loopback_only_refusal


@pytest.mark.parametrize("url", ["http://127.0.0.1:9/x", "http://localhost:8000/hooks", "http://[::1]:9/",
                                 "http://127.5.6.7/"])
def test_loopback_urls_may_be_called(url, monkeypatch):
    monkeypatch.setenv("LIPWA_LOOPBACK_ONLY", "1")
    assert loopback_only_refusal(url) is None


@pytest.mark.parametrize("url", ["http://cb.example.com/hooks/x/", "https://10.0.0.1/", "http://CB.example.com:8080/",
                                 "not a url"])
def test_other_hosts_are_refused(url, monkeypatch):
    monkeypatch.setenv("LIPWA_LOOPBACK_ONLY", "1")
    assert "outside loopback" in loopback_only_refusal(url)


def test_without_the_switch_nothing_is_refused(monkeypatch):
    monkeypatch.delenv("LIPWA_LOOPBACK_ONLY", raising=False)
    assert loopback_only_refusal("https://api.safaricom.co.ke/") is None


def test_the_http_client_refuses_unsent(monkeypatch):
    monkeypatch.setenv("LIPWA_LOOPBACK_ONLY", "1")
    with HttpClient("https://sandbox.safaricom.co.ke") as client, pytest.raises(GatewayUnreachable, match="not sent"):
        client.request("GET", "/oauth/v1/generate")

