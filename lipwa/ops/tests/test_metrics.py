"""/metrics over real HTTP: request latency, gateway calls, payments by status, queue depth, webhook backlog."""

from __future__ import annotations

import re

import httpx
import pytest
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

pytestmark = pytest.mark.django_db(transaction=True)


def scrape(base_url: str, **headers: str) -> dict[tuple[str, tuple], float]:
    response = httpx.get(f"{base_url}/metrics", headers=headers, timeout=10, trust_env=False)
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_payments_gateway_calls_and_requests_are_measured(lipwa_server, simulator_account, test_key, run_tasks):
    simulator_account("mpesa")
    base = lipwa_server.url
    before = scrape(base)
    route = dict(route="/v1/payments", method="POST", status="201")
    own_before = REGISTRY.get_sample_value("lipwa_http_request_duration_seconds_count", route) or 0
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {test_key}"}, timeout=20,
                      trust_env=False) as api:
        created = api.post("/v1/payments", json={"amount": 10000, "currency": "KES", "method": "mobile_money",
                                                 "phone": "0712345678", "provider": "mpesa"})
        assert created.status_code == 201, created.text
    after = scrape(base)
    # At least: processes of a parallel test run share the metrics directory, and their requests count too.
    assert value(after, "lipwa_http_request_duration_seconds_count", **route) >= \
        value(before, "lipwa_http_request_duration_seconds_count", **route) + 1
    # This process (the live server runs in it) counted exactly one.
    assert REGISTRY.get_sample_value("lipwa_http_request_duration_seconds_count", route) == own_before + 1
    stk = dict(connector="mpesa", operation="POST /mpesa/stkpush/v1/processrequest")
    assert value(after, "lipwa_gateway_request_duration_seconds_count", **stk) >= \
        value(before, "lipwa_gateway_request_duration_seconds_count", **stk) + 1
    assert value(after, "lipwa_gateway_requests_total", **stk, outcome="2xx") >= 1
    status = created.json()["status"]
    assert value(after, "lipwa_payments", status=status, provider="mpesa", mode="test") == 1
    assert value(after, "lipwa_database_up") == 1


def test_gateway_errors_are_counted(lipwa_server, simulator_account, test_key):
    simulator_account("mpesa")
    error = dict(connector="mpesa", operation="POST /mpesa/stkpush/v1/processrequest", kind="5xx")
    before = value(scrape(lipwa_server.url), "lipwa_gateway_errors_total", **error)
    with httpx.Client(base_url=lipwa_server.url, headers={"Authorization": f"Bearer {test_key}"}, timeout=20,
                      trust_env=False) as api:
        # …006: the simulated gateway answers 5xx.
        api.post("/v1/payments", json={"amount": 10000, "currency": "KES", "method": "mobile_money",
                                       "phone": "0712345006", "provider": "mpesa"})
    assert value(scrape(lipwa_server.url), "lipwa_gateway_errors_total", **error) >= before + 1


def test_queue_depth_webhook_backlog_and_heartbeat_come_from_the_database(lipwa_server, merchant, run_tasks):
    from lipwa.ops.tasks import worker_heartbeat
    from lipwa.payments.events import event_record_object
    from lipwa.webhooks_out.services import webhook_endpoint_create

    webhook_endpoint_create(merchant=merchant, mode="test", url="https://merchant.example/hooks",
                            enabled_events=["*"])
    event_record_object(merchant_id=merchant.id, mode="test", event_type="payment.succeeded", obj={"id": "x"})
    worker_heartbeat.enqueue()
    samples = scrape(lipwa_server.url)
    assert value(samples, "lipwa_task_queue_depth", queue="default") >= 1
    assert value(samples, "lipwa_task_queue_depth", queue="webhooks") >= 1
    assert value(samples, "lipwa_webhook_deliveries_pending") == 1
    assert ("lipwa_worker_heartbeat_age_seconds", ()) not in samples  # no worker has run yet
    run_tasks(raise_on_failure=False)  # the delivery fails (no such host) and waits for a retry
    samples = scrape(lipwa_server.url)
    assert value(samples, "lipwa_task_queue_depth", queue="default") == 0
    assert 0 <= value(samples, "lipwa_worker_heartbeat_age_seconds") < 60


def test_metrics_need_the_token_when_one_is_configured(lipwa_server, settings):
    settings.LIPWA_METRICS_TOKEN = "metrics-token-for-tests"
    url = f"{lipwa_server.url}/metrics"
    refused = httpx.get(url, trust_env=False)
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "invalid_metrics_token"
    assert httpx.get(url, headers={"Authorization": "Bearer wrong"}, trust_env=False).status_code == 401
    assert scrape(lipwa_server.url, Authorization="Bearer metrics-token-for-tests")


def test_without_a_token_only_loopback_clients_are_answered(client):
    refused = client.get("/metrics", REMOTE_ADDR="10.1.2.3")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "metrics_loopback_only"
    assert client.get("/metrics", REMOTE_ADDR="::1").status_code == 200
    assert client.post("/metrics", REMOTE_ADDR="127.0.0.1").status_code == 405


def test_http_routes_are_patterns_not_raw_paths(lipwa_server):
    httpx.get(f"{lipwa_server.url}/v1/payments/pay_NOPE", trust_env=False)
    httpx.get(f"{lipwa_server.url}/no/such/page", trust_env=False)
    samples = scrape(lipwa_server.url)
    routes = {dict(labels).get("route") for name, labels in samples if name.startswith("lipwa_http_request")}
    assert "/v1/payments/<payment_id>" in routes and "unmatched" in routes
    assert not any(route and re.search(r"pay_NOPE|no/such", route) for route in routes)
