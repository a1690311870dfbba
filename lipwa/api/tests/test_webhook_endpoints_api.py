"""/v1/webhook_endpoints: create (secret shown once), list, retrieve, delete, rotate, enable, deliveries, replay;
and bad input, which gets a precise 4xx and changes nothing."""

from __future__ import annotations

import json

import pytest

from lipwa.webhooks_out.models import WebhookDelivery, WebhookEndpoint
from lipwa.webhooks_out.tests.receiver import Receiver

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _worker_keeps_the_test_connection(monkeypatch):
    # See lipwa/webhooks_out/tests/conftest.py: no live server here, so the test's transaction is kept.
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)


@pytest.fixture
def api(client, test_key):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {test_key}"}

    class Api:
        def get(self, path, **params):
            return client.get(path, params, **auth)

        def post(self, path, body=None, **headers):
            data = json.dumps(body) if body is not None else ""
            return client.post(path, data=data, content_type="application/json", **auth, **headers)

        def delete(self, path):
            return client.delete(path, **auth)

    return Api()


@pytest.fixture
def receiver(settings):
    settings.LIPWA_WEBHOOK_TIMEOUT_SECONDS = 0.3
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def other_key(db):
    from lipwa.merchants.services import api_key_create, merchant_create

    return api_key_create(merchant=merchant_create(name="Other merchant"), mode="test")[1]


def create(api, url="http://127.0.0.1:9/hook", events=("payment.succeeded",), **extra):
    response = api.post("/v1/webhook_endpoints", {"url": url, "enabled_events": list(events), **extra})
    assert response.status_code == 201, response.content
    return response.json()


def record_event(merchant, event_type="payment.succeeded"):
    from django.db import transaction

    from lipwa.payments.events import event_record
    from lipwa.payments.tests.factories import payment_with_attempt, unreachable_mpesa_account

    unreachable_mpesa_account(merchant)
    payment = payment_with_attempt(merchant)[0]
    with transaction.atomic():
        return event_record(payment, event_type)


def assert_error(response, status, param=None, code=None):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["message"] and error["request_id"].startswith("req_")
    if param:
        assert error["param"] == param, error
    if code:
        assert error["code"] == code, error
    return error


def test_create_shows_the_secret_once(api):
    created = create(api, description="orders service", events=["payment.succeeded", "payment.failed"])
    assert created["id"].startswith("we_") and created["object"] == "webhook_endpoint"
    assert created["secret"].startswith("whsec_") and len(created["secret"]) > 30
    assert created["enabled_events"] == ["payment.succeeded", "payment.failed"]
    assert (created["status"], created["livemode"], created["description"]) == ("enabled", False, "orders service")
    fetched = api.get(f"/v1/webhook_endpoints/{created['id']}").json()
    assert "secret" not in fetched and fetched["url"] == created["url"]
    listed = api.get("/v1/webhook_endpoints").json()
    assert [e["id"] for e in listed["data"]] == [created["id"]] and "secret" not in listed["data"][0]
    assert created["secret"] not in WebhookEndpoint.objects.get().secrets_encrypted


def test_create_is_idempotent_with_a_key(api):
    body = {"url": "http://127.0.0.1:9/hook", "enabled_events": ["*"]}
    first = api.post("/v1/webhook_endpoints", body, HTTP_IDEMPOTENCY_KEY="we-1")
    again = api.post("/v1/webhook_endpoints", body, HTTP_IDEMPOTENCY_KEY="we-1")
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and again["Idempotent-Replayed"] == "true"
    assert WebhookEndpoint.objects.count() == 1


def test_delete(api):
    endpoint = create(api)
    deleted = api.delete(f"/v1/webhook_endpoints/{endpoint['id']}")
    assert deleted.status_code == 200 and deleted.json() == {"id": endpoint["id"], "object": "webhook_endpoint",
                                                             "deleted": True}
    assert_error(api.get(f"/v1/webhook_endpoints/{endpoint['id']}"), 404, "id")
    assert_error(api.delete(f"/v1/webhook_endpoints/{endpoint['id']}"), 404)
    assert api.get("/v1/webhook_endpoints").json()["data"] == []


def test_rotate_secret(api):
    endpoint = create(api)
    rotated = api.post(f"/v1/webhook_endpoints/{endpoint['id']}/rotate_secret")
    assert rotated.status_code == 200, rotated.content
    assert rotated.json()["secret"] != endpoint["secret"]
    assert rotated.json()["previous_secret_expires_at"] - endpoint["created"] in range(86400, 86402)
    immediate = api.post(f"/v1/webhook_endpoints/{endpoint['id']}/rotate_secret", {"overlap_seconds": 0}).json()
    assert immediate["previous_secret_expires_at"] is None


@pytest.mark.parametrize("body", [{"overlap_seconds": -1}, {"overlap_seconds": 10**9}, {"overlap_seconds": "1"}])
def test_rotate_secret_bad_overlap_changes_nothing(api, body):
    endpoint = create(api)
    stored = WebhookEndpoint.objects.get().secrets_encrypted
    assert_error(api.post(f"/v1/webhook_endpoints/{endpoint['id']}/rotate_secret", body), 400, "overlap_seconds")
    assert WebhookEndpoint.objects.get().secrets_encrypted == stored


def test_enable_a_disabled_endpoint(api):
    endpoint = create(api)
    WebhookEndpoint.objects.update(status="disabled", disabled_reason="failing for 3 days")
    assert api.get(f"/v1/webhook_endpoints/{endpoint['id']}").json()["disabled_reason"] == "failing for 3 days"
    enabled = api.post(f"/v1/webhook_endpoints/{endpoint['id']}/enable")
    assert enabled.status_code == 200
    assert (enabled.json()["status"], enabled.json()["disabled_reason"]) == ("enabled", None)


def test_deliveries_and_replay(api, merchant, receiver, run_tasks):
    endpoint = create(api, url=receiver.url)
    receiver.answer("fail")
    event = record_event(merchant)
    run_tasks()
    log = api.get(f"/v1/webhook_endpoints/{endpoint['id']}/deliveries").json()
    (delivery,) = log["data"]
    assert (delivery["event"], delivery["status"], delivery["last_status_code"]) == (event.id, "pending", 500)
    (attempt,) = delivery["attempts"]
    assert (attempt["succeeded"], attempt["status_code"], attempt["response_excerpt"]) == (False, 500, "boom")
    replayed = api.post(f"/v1/webhook_endpoints/{endpoint['id']}/replay", {"event": event.id})
    assert replayed.status_code == 202, replayed.content
    assert [d["id"] for d in replayed.json()["data"]] == [delivery["id"]]
    run_tasks()
    log = api.get(f"/v1/webhook_endpoints/{endpoint['id']}/deliveries", status="succeeded").json()
    assert [len(d["attempts"]) for d in log["data"]] == [2]
    assert log["data"][0]["attempts"][0]["succeeded"] is True, "newest attempt first"
    WebhookDelivery.objects.update(status="failed", next_attempt_at=None)
    bulk = api.post(f"/v1/webhook_endpoints/{endpoint['id']}/replay", {"since": 0, "status": "failed"})
    assert bulk.status_code == 202 and len(bulk.json()["data"]) == 1
    run_tasks()
    assert len(receiver.requests) == 3


@pytest.mark.parametrize("body, param", [
    ({}, "event"), ({"event": "evt_x", "since": 1}, "since"), ({"since": 1, "status": "succeeded"}, "status"),
    ({"since": -1}, "since"), ({"since": "yesterday"}, "since"), ({"event": "evt_missing"}, "event"),
    ({"evnt": "evt_x"}, "evnt"),
])
def test_replay_bad_input_changes_nothing(api, merchant, body, param):
    endpoint = create(api)
    record_event(merchant)
    before = list(WebhookDelivery.objects.values_list("id", "status", "next_attempt_at", "claim_token"))
    response = api.post(f"/v1/webhook_endpoints/{endpoint['id']}/replay", body)
    assert response.status_code in (400, 404)
    assert_error(response, response.status_code, param)
    assert list(WebhookDelivery.objects.values_list("id", "status", "next_attempt_at", "claim_token")) == before


def test_replay_of_a_disabled_endpoint_is_a_conflict(api, merchant):
    endpoint = create(api)
    event = record_event(merchant)
    WebhookEndpoint.objects.update(status="disabled")
    assert_error(api.post(f"/v1/webhook_endpoints/{endpoint['id']}/replay", {"event": event.id}), 409,
                 code="webhook_endpoint_disabled")


@pytest.mark.parametrize("url, code", [
    ("ftp://merchant.example/hook", "url_invalid_scheme"),
    ("merchant.example/hook", "url_invalid_scheme"),
    ("https://", None),
    ("https://user:password@merchant.example/hook", "url_has_credentials"),
    ("http://127.0.0.1:8000/v1/payments", "url_is_lipwa"),  # LIPWA_PUBLIC_URL of the test settings
    ("http://localhost:8000/v1/payments", "url_is_lipwa"),
    ("http://testserver/v1/payments", "url_is_lipwa"),  # the host this very request came to
    ("http://merchant.example:70000/", None),
    ("", None),
    ("x" * 2001, None),
])
def test_bad_urls_are_refused_and_nothing_is_created(api, url, code):
    response = api.post("/v1/webhook_endpoints", {"url": url, "enabled_events": ["*"]})
    assert_error(response, 400, "url", code)
    assert WebhookEndpoint.objects.count() == 0


def test_the_public_url_setting_is_honoured(api, settings):
    settings.LIPWA_PUBLIC_URL = "https://pay.example.co.ke"
    response = api.post("/v1/webhook_endpoints", {"url": "https://pay.example.co.ke/hooks", "enabled_events": ["*"]})
    assert_error(response, 400, "url", "url_is_lipwa")
    assert create(api, url="http://127.0.0.1:8000/merchant-receiver")["url"].endswith(":8000/merchant-receiver")


@pytest.mark.parametrize("events, param, needle", [
    (["payment.succeeded", "payment.sucess", "charge.paid"], "enabled_events", "'payment.sucess'"),
    ([], "enabled_events", "at least one"),
    ([5], "enabled_events.0", None),
    ("payment.succeeded", "enabled_events", None),
])
def test_bad_event_types_are_refused_and_nothing_is_created(api, events, param, needle):
    error = assert_error(api.post("/v1/webhook_endpoints", {"url": "http://127.0.0.1:9/", "enabled_events": events}),
                         400, param)
    if needle:
        assert needle in error["message"]
    if events and param == "enabled_events" and needle:
        assert "'charge.paid'" in error["message"]
    assert WebhookEndpoint.objects.count() == 0


@pytest.mark.parametrize("body, param", [
    ({"enabled_events": ["*"]}, "url"),
    ({"url": "http://127.0.0.1:9/"}, "enabled_events"),
    ({"url": "http://127.0.0.1:9/", "enabled_events": ["*"], "description": "d" * 501}, "description"),
    ({"url": "http://127.0.0.1:9/", "enabled_events": ["*"], "secret": "whsec_mine"}, "secret"),
])
def test_missing_or_unknown_fields(api, body, param):
    assert_error(api.post("/v1/webhook_endpoints", body), 400, param)
    assert WebhookEndpoint.objects.count() == 0


def test_too_many_endpoints(api):
    from lipwa.webhooks_out.services import ENDPOINTS_PER_MODE_MAX

    for n in range(ENDPOINTS_PER_MODE_MAX):
        create(api, url=f"http://127.0.0.1:9/{n}")
    assert_error(api.post("/v1/webhook_endpoints", {"url": "http://127.0.0.1:9/x", "enabled_events": ["*"]}), 400,
                 code="webhook_endpoint_limit")
    assert WebhookEndpoint.objects.count() == ENDPOINTS_PER_MODE_MAX


@pytest.mark.parametrize("method, suffix, body", [
    ("get", "", None), ("delete", "", None), ("post", "/rotate_secret", None), ("post", "/enable", None),
    ("get", "/deliveries", None), ("post", "/replay", {"since": 0}),
])
def test_another_merchants_endpoint_is_404_and_unchanged(api, client, other_key, method, suffix, body):
    endpoint = create(api)
    WebhookEndpoint.objects.update(status="disabled")
    before = list(WebhookEndpoint.objects.values())
    path = f"/v1/webhook_endpoints/{endpoint['id']}{suffix}"
    auth = {"HTTP_AUTHORIZATION": f"Bearer {other_key}"}
    if method == "post":
        response = client.post(path, data=json.dumps(body) if body else "", content_type="application/json", **auth)
    else:
        response = getattr(client, method)(path, **auth)
    assert_error(response, 404, "id")
    assert list(WebhookEndpoint.objects.values()) == before
    assert client.get("/v1/webhook_endpoints", **auth).json()["data"] == []


def test_a_live_key_does_not_see_test_endpoints(api, client, merchant):
    from lipwa.merchants.services import api_key_create

    endpoint = create(api)
    live = {"HTTP_AUTHORIZATION": f"Bearer {api_key_create(merchant=merchant, mode='live')[1]}"}
    assert client.get("/v1/webhook_endpoints", **live).json()["data"] == []
    assert client.get(f"/v1/webhook_endpoints/{endpoint['id']}", **live).status_code == 404


@pytest.mark.parametrize("query, param", [("status=bogus", "status"), ("limit=0", "limit"), ("colour=red", "colour"),
                                          ("starting_after=whd_missing", "starting_after")])
def test_delivery_log_filters_are_validated(api, query, param):
    endpoint = create(api)
    response = api.get(f"/v1/webhook_endpoints/{endpoint['id']}/deliveries?{query}")
    assert response.status_code in (400, 404)
    assert response.json()["error"]["param"] == param
