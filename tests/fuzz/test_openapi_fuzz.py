"""Property-based fuzzing of every documented operation of /v1/openapi.json with schemathesis.

Each operation gets generated requests (valid and invalid) sent in-process through the real WSGI app and the
real database, authenticated with a test API key. Every answer must be documented: no 5xx, a status code the
operation declares, and a body that matches the declared schema.

Purely random input rarely gets past validation, so part of the generated requests take realistic values
(currencies, amounts, phone numbers of the simulator scenarios) and the ids of real objects of the merchant
(`world`), so that the services behind each endpoint are reached too.
"""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from config.wsgi import application
from lipwa.api.v1.api import api
from lipwa.connectors.registry import connector_class
from lipwa.merchants.services import connector_account_create

# The document /v1/openapi.json serves (test_the_fuzzed_document_is_the_served_one checks it), built directly
# because collection must not touch the database, which the rate limiter in front of the URL does.
DOCUMENT = json.loads(json.dumps(api.get_openapi_schema(path_prefix="/v1/")))
schema = schemathesis.openapi.from_dict(DOCUMENT)
schema.app = application

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db]

CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
# Enough to reach every operation's services within `make test` (about 40 s on two cores); search deeper with
# LIPWA_FUZZ_EXAMPLES=300 .venv/bin/pytest -m fuzz.
MAX_EXAMPLES = int(os.environ.get("LIPWA_FUZZ_EXAMPLES", "30"))

STATEMENT = Path(__file__).resolve().parents[2] / "lipwa/reconciliation/tests/fixtures/statement__mpesa_paybill.csv"
# The ids of the objects `world` created, by the name the API gives them in paths and bodies.
WORLD: dict[str, list[str]] = {}

PHONES = ["0712345678", "+254712345001", "254712345002", "0712345005", "0712345009", "+255754123456",
          "+256772123456", "+22997123456", "0000", "+999123"]
REALISTIC: dict[str, st.SearchStrategy] = {
    "currency": st.sampled_from(["KES", "TZS", "UGX", "XOF", "USD", "NGN", "kes", "ZZZ"]),
    "amount": st.one_of(st.integers(min_value=-10, max_value=10**12), st.sampled_from([100, 10000, 0])),
    "total": st.integers(min_value=-10, max_value=10**9),
    "phone": st.sampled_from(PHONES),
    "provider": st.sampled_from(["mpesa", "bank_transfer", "cash", "paystack", "nope"]),
    "method": st.sampled_from(["mobile_money", "bank_transfer", "cash", "card"]),
    "due_date": st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 1, 1)).map(date.isoformat),
    "day": st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 1, 1)).map(date.isoformat),
    "url": st.sampled_from(["https://example.com/hooks", "http://127.0.0.1:9/x", "ftp://x", "not a url"]),
    "enabled_events": st.sampled_from([["*"], ["payment.succeeded"], ["nope"], []]),
    "line_number": st.integers(min_value=0, max_value=6),
}
# Path parameters and body fields that name an object of the merchant.
ID_FIELDS = {"payment_id": "payment", "payment": "payment", "reuse_payment": "payment", "rider": "rider",
             "invoice_id": "invoice", "schedule_id": "schedule", "endpoint_id": "endpoint",
             "session_id": "session", "refund_id": "refund", "event_id": "event", "account_id": "account",
             "statement_id": "statement", "payout_id": "payout", "clock_id": "clock",
             "discrepancy_id": "discrepancy"}


def _known(field: str) -> st.SearchStrategy | None:
    ids = WORLD.get(ID_FIELDS.get(field, ""), [])
    if ids:
        return st.sampled_from(ids)
    return REALISTIC.get(field)


def _sometimes_realistic(values, template: dict | None = None):
    """Keep the generated values, or replace some of them by realistic ones or real ids, or start from a
    valid request and let a few generated values into it."""
    if not isinstance(values, dict):
        return st.just(values)
    fields = {*values, *(template or {})}
    replacements = {field: strategy for field in fields if (strategy := _known(field)) is not None}
    choices = [st.just(values)]
    if replacements:
        overrides = st.fixed_dictionaries({}, optional=replacements)
        choices.append(overrides.map(lambda chosen: {**values, **chosen}))
    if template:
        generated = st.fixed_dictionaries({}, optional={field: st.just(value) for field, value in values.items()})
        choices.append(st.tuples(generated, st.fixed_dictionaries({}, optional=replacements))
                       .map(lambda parts: {**template, **parts[1], **parts[0]}))
    return st.one_of(choices)


def _valid_bodies() -> dict[tuple[str, str], dict]:
    """One valid request body per write, so that generated values get past the first field."""
    payment, rider = (WORLD.get("payment") or ["pay_x"])[-1], (WORLD.get("rider") or ["rdr_x"])[0]
    return {
        ("POST", "/v1/payments"): {"amount": 10000, "currency": "KES", "method": "mobile_money",
                                   "phone": "0712345678"},
        ("POST", "/v1/payments/{payment_id}/assign_rider"): {"rider": rider},
        ("POST", "/v1/cash/collections"): {"payment": payment, "rider": rider, "receipt_number": "R1",
                                           "amount": 2500},
        ("POST", "/v1/cash/remittances"): {"rider": rider, "amount": 2500, "currency": "KES", "reference": "D1"},
        ("POST", "/v1/cash/cash_ups"): {"rider": rider, "day": "2030-01-01"},
        ("POST", "/v1/checkout_sessions"): {"amount": 4000, "currency": "KES"},
        ("POST", "/v1/refunds"): {"payment": WORLD.get("payment", ["pay_x"])[0], "amount": 100},
        ("POST", "/v1/payouts"): {"amount": 1000, "currency": "KES", "provider": "mpesa",
                                  "phone": "0712345678"},
        ("POST", "/v1/phone_networks"): {"phone": "+254712345678", "network": "safaricom"},
        ("POST", "/v1/invoices"): {"currency": "KES", "due_date": "2030-01-01",
                                   "lines": [{"description": "Consultation", "unit_amount": 3000}]},
        ("POST", "/v1/invoices/{invoice_id}/pay"): {"method": "mobile_money", "phone": "0712345678"},
        ("POST", "/v1/schedules"): {"currency": "KES", "total": 9000, "description": "Premium",
                                    "instalments": [{"due_date": "2030-01-01"}, {"due_date": "2030-02-01"}]},
        ("POST", "/v1/webhook_endpoints"): {"url": "https://example.com/hooks", "enabled_events": ["*"]},
    }


@schema.hook
def flatmap_body(context, body):
    operation = context.operation
    template = _valid_bodies().get((operation.method.upper(), operation.path)) if operation else None
    return _sometimes_realistic(body, template)


@schema.hook
def flatmap_path_parameters(context, path_parameters):
    return _sometimes_realistic(path_parameters)


@contextmanager
def _connection_kept_open():
    """The WSGI handler closes the database connection after each request; the test's transaction lives on
    it, so keep it open while the fuzzer calls the app in-process (Django's test client does the same, and
    reconnects the signal after each of its own requests, hence around every call)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def world(merchant, test_key):
    """A merchant with gateways and some objects of every kind, made through the API itself. Mobile money goes
    to an M-Pesa account on a closed loopback port: the gateway is unreachable, which lipwa must handle too,
    and the fuzzer never waits for a simulator."""
    for connector in ("mpesa", "bank_transfer", "cash"):
        credentials = connector_class(connector).simulator_credentials(f"http://127.0.0.1:9/simulators/{connector}")
        connector_account_create(merchant=merchant, connector=connector, mode="test", credentials=credentials,
                                 timeout_seconds=2.0)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {test_key}")

    def create(path: str, body: dict, kind: str) -> dict:
        response = client.post(path, body, content_type="application/json")
        assert response.status_code in (200, 201, 202), (path, response.content)
        data = response.json()
        WORLD.setdefault(kind, []).append(data["id"])
        return data

    WORLD.clear()
    create("/v1/payments", {"amount": 10000, "currency": "KES", "method": "mobile_money", "phone": "0712345678"},
           "payment")
    create("/v1/payments", {"amount": 5000, "currency": "KES", "method": "bank_transfer"}, "payment")
    create("/v1/payments", {"amount": 2500, "currency": "KES", "method": "cash", "phone": "0712345678"}, "payment")
    create("/v1/riders", {"name": "Rider", "phone": "+254712345678"}, "rider")
    create("/v1/invoices", {"currency": "KES", "due_date": "2030-01-01", "customer": {"phone": "0712345678"},
                            "lines": [{"description": "Consultation", "unit_amount": 3000}]}, "invoice")
    create("/v1/schedules", {"currency": "KES", "total": 9000, "description": "Premium",
                             "instalments": [{"due_date": "2030-01-01"}, {"due_date": "2030-02-01"}]}, "schedule")
    create("/v1/webhook_endpoints", {"url": "https://example.com/hooks", "enabled_events": ["*"]}, "endpoint")
    create("/v1/checkout_sessions", {"amount": 4000, "currency": "KES"}, "session")
    create("/v1/test_clocks", {"name": "fuzz"}, "clock")
    with open(STATEMENT, "rb") as upload:
        statement = client.post("/v1/reconciliation/statements", {"file": upload, "format": "mpesa_csv"})
    assert statement.status_code == 201, statement.content
    WORLD["statement"] = [statement.json()["id"]]
    client.post(f"/v1/reconciliation/statements/{WORLD['statement'][0]}/reconcile")
    WORLD["discrepancy"] = [d["id"] for d in client.get("/v1/reconciliation/discrepancies").json()["data"][:5]]
    WORLD["event"] = [e["id"] for e in client.get("/v1/events").json()["data"][:5]]
    WORLD["account"] = [a["id"] for a in client.get("/v1/ledger/accounts").json()["data"][:5]]
    yield WORLD
    WORLD.clear()


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                 HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_every_operation_answers_as_documented(case, world, test_key):
    with _connection_kept_open():
        case.call_and_validate(headers={"Authorization": f"Bearer {test_key}"}, checks=CHECKS)


def test_the_fuzzed_document_is_the_served_one():
    assert Client().get("/v1/openapi.json").json() == DOCUMENT
