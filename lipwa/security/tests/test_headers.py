"""Secure headers everywhere, and the strict Content-Security-Policy with a per-response nonce on pages."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from lipwa.security.models import RateLimitCounter

pytestmark = pytest.mark.django_db

NONCE = re.compile(r"'nonce-([A-Za-z0-9_-]{20,})'")


@pytest.fixture
def checkout_url(test_key, merchant):
    from lipwa.merchants.services import connector_account_create

    connector_account_create(merchant=merchant, connector="mpesa", mode="test", credentials={
        "consumer_key": "sim_key", "consumer_secret": "sim_secret", "shortcode": "174379", "passkey": "pk",
        "base_url": "http://127.0.0.1:9/simulators/mpesa"})
    response = Client().post("/v1/checkout_sessions", {"amount": 1000, "currency": "KES"},
                             content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {test_key}")
    assert response.status_code == 201, response.content
    return response.json()["url"].split("://", 1)[1].split("/", 1)[1]


def _policy(response) -> dict[str, str]:
    return {name: value for name, _, value in
            (part.strip().partition(" ") for part in response["Content-Security-Policy"].split(";"))}


def test_the_checkout_page_has_a_strict_policy_and_its_script_the_nonce(checkout_url):
    response = Client().get(f"/{checkout_url}")
    assert response.status_code == 200
    policy = _policy(response)
    nonce = NONCE.search(policy["script-src"]).group(1)
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert policy["base-uri"] == "'none'" and policy["form-action"] == "'self'"
    html = response.content.decode()
    scripts = re.findall(r"<script(?![^>]*application/json)[^>]*>", html)
    assert scripts and all(f'nonce="{nonce}"' in tag for tag in scripts)
    assert f'<style nonce="{nonce}">' in html
    assert response["X-Frame-Options"] == "DENY"
    assert "camera=()" in response["Permissions-Policy"]


def test_every_response_gets_a_fresh_nonce(checkout_url):
    first, second = (NONCE.search(Client().get(f"/{checkout_url}")["Content-Security-Policy"]).group(1)
                     for _ in range(2))
    assert first != second


def test_the_dashboard_has_the_same_policy():
    response = Client().get("/dashboard/login/")
    assert response.status_code == 200
    assert NONCE.search(_policy(response)["script-src"])
    assert _policy(response)["frame-ancestors"] == "'none'"


@pytest.mark.parametrize("path", ["/v1/balance", "/v1/payments/pay_missing", "/healthz", "/pay/cs_missing"])
def test_common_headers_on_every_kind_of_answer(path, test_key):
    response = Client().get(path, HTTP_AUTHORIZATION=f"Bearer {test_key}")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_early_refusals_carry_the_headers_too(test_key, settings):
    settings.LIPWA_RATE_LIMIT_PER_IP = 1
    RateLimitCounter.objects.all().delete()
    client = Client(REMOTE_ADDR="192.0.2.200")
    client.get("/v1/balance", HTTP_AUTHORIZATION=f"Bearer {test_key}")
    refused = client.get("/v1/balance", HTTP_AUTHORIZATION=f"Bearer {test_key}")
    settings.LIPWA_MAX_BODY_BYTES = 10
    too_big = Client(REMOTE_ADDR="192.0.2.201").post("/v1/payments", {"amount": 100000000000},
                                                     content_type="application/json",
                                                     HTTP_AUTHORIZATION=f"Bearer {test_key}")
    for response, status in ((refused, 429), (too_big, 413)):
        assert response.status_code == status
        assert response["X-Content-Type-Options"] == "nosniff" and response["X-Frame-Options"] == "DENY"
        assert response["Content-Security-Policy"].startswith("default-src 'none'")


def test_api_answers_allow_nothing_to_load(test_key):
    response = Client().get("/v1/balance", HTTP_AUTHORIZATION=f"Bearer {test_key}")
    assert response["Content-Security-Policy"] == "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"


def test_hsts_over_https_when_configured(settings):
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    secure = Client().get("/healthz", secure=True)
    assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "Strict-Transport-Security" not in Client().get("/healthz")  # never over plain HTTP


def test_production_settings_turn_hsts_on():
    """Load the real production settings in a fresh interpreter (they refuse to load without their env)."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production", "LIPWA_SECRET_KEY": "x" * 50,
           "LIPWA_ENCRYPTION_KEY": "dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcy0hISE=", "LIPWA_ALLOWED_HOSTS": "pay.example",
           "DATABASE_URL": "postgres://lipwa@127.0.0.1:5432/lipwa", "LIPWA_BEHIND_TLS_PROXY": "1"}
    env.pop("LIPWA_LOG_FORMAT", None)
    code = ("from django.conf import settings as s; "
            "print(s.SECURE_HSTS_SECONDS, s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SECURE_PROXY_SSL_HEADER, s.DEBUG)")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60,
                         cwd=Path(__file__).resolve().parents[3])
    assert out.stdout.split() == ["31536000", "True", "('HTTP_X_FORWARDED_PROTO',", "'https')", "False"], out.stderr
