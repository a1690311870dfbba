"""/v1/test_clocks through the API: expiry, janitor re-queries, reminders and overdue run when the clock moves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest

pytestmark = pytest.mark.django_db(transaction=True)

MPESA = {"amount": 10000, "currency": "KES", "method": "mobile_money", "provider": "mpesa"}


@pytest.fixture
def api(lipwa_server, test_key):
    with httpx.Client(base_url=lipwa_server.url, headers={"Authorization": f"Bearer {test_key}"},
                      timeout=20, trust_env=False) as client:
        yield client


def _clock(api, **body) -> dict:
    created = api.post("/v1/test_clocks", json=body)
    assert created.status_code == 201, created.text
    return created.json()


def _advance(api, clock_id: str, **body) -> dict:
    response = api.post(f"/v1/test_clocks/{clock_id}/advance", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def test_expiry_runs_for_the_clocks_payments_only(api, simulator_account):
    simulator_account("bank_transfer")
    test_clock = _clock(api, name="expiry")
    body = {"amount": 5000, "currency": "KES", "method": "bank_transfer", "expires_in": 3600}
    on_clock = api.post("/v1/payments", json={**body, "test_clock": test_clock["id"]}).json()
    off_clock = api.post("/v1/payments", json=body).json()
    assert on_clock["status"] == off_clock["status"] == "requires_action"
    assert on_clock["expires_at"] == test_clock["frozen_time"] + 3600

    early = _advance(api, test_clock["id"], seconds=3599)
    assert early["advanced"]["payments_expired"] == 0
    assert api.get(f"/v1/payments/{on_clock['id']}").json()["status"] == "requires_action"
    moved = _advance(api, test_clock["id"], seconds=1)
    assert moved["frozen_time"] == test_clock["frozen_time"] + 3600 and moved["status"] == "ready"
    assert moved["advanced"]["payments_expired"] == 1
    assert moved["attached"] == [{"object": "payment", "id": on_clock["id"]}]
    assert api.get(f"/v1/payments/{on_clock['id']}").json()["status"] == "expired"
    assert api.get(f"/v1/payments/{off_clock['id']}").json()["status"] == "requires_action"
    events = api.get("/v1/events", params={"type": "payment.expired"}).json()["data"]
    assert [e["data"]["object"]["id"] for e in events] == [on_clock["id"]]


def test_janitor_requery_resolves_a_payment_whose_callback_never_comes(api, simulator_account):
    simulator_account("mpesa")
    test_clock = _clock(api)
    payment = api.post("/v1/payments", json={**MPESA, "phone": "0712345004", "test_clock": test_clock["id"]}).json()
    assert payment["status"] == "processing", payment
    nothing_yet = _advance(api, test_clock["id"], seconds=5)  # the first re-query is due after 10 s
    assert nothing_yet["advanced"]["attempts_synced"] == 0
    assert api.get(f"/v1/payments/{payment['id']}").json()["status"] == "processing"
    moved = _advance(api, test_clock["id"], seconds=5)
    assert moved["advanced"]["attempts_synced"] == 1
    settled = api.get(f"/v1/payments/{payment['id']}").json()
    assert settled["status"] == "succeeded"  # an STK query gives no receipt number; the status is what counts


def test_schedule_reminders_then_overdue(api, merchant):
    from lipwa.payments.tests.factories import unreachable_mpesa_account

    unreachable_mpesa_account(merchant)
    start = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0) + timedelta(days=1)
    test_clock = _clock(api, frozen_time=int(start.timestamp()))
    due = [(start + timedelta(days=days)).date().isoformat() for days in (5, 20)]
    created = api.post("/v1/schedules", json={"currency": "KES", "total": 100_000, "description": "Premium",
                                              "instalments": [{"due_date": d} for d in due],
                                              "test_clock": test_clock["id"]})
    assert created.status_code == 201, created.text
    schedule = created.json()

    def statuses() -> list[str]:
        invoices = api.get("/v1/invoices").json()["data"]
        return [i["status"] for i in sorted(invoices, key=lambda i: i["due_date"])]

    assert statuses() == ["open", "open"]
    first = _advance(api, test_clock["id"], seconds=2 * 86400)  # reminders start 3 days before the due date
    assert first["advanced"] == {"attempts_synced": 0, "payments_expired": 0, "invoices_overdue": 0,
                                 "invoice_reminders": 1}
    second = _advance(api, test_clock["id"], seconds=4 * 86400)  # past the first due date
    assert second["advanced"]["invoices_overdue"] == 1 and second["advanced"]["invoice_reminders"] == 0
    assert statuses() == ["overdue", "open"]
    third = _advance(api, test_clock["id"], to=int((start + timedelta(days=30)).timestamp()))
    assert third["advanced"]["invoice_reminders"] == 1 and third["advanced"]["invoices_overdue"] == 1
    assert statuses() == ["overdue", "overdue"]
    reminders = api.get("/v1/events", params={"type": "invoice.reminder_due"}).json()["data"]
    assert len(reminders) == 2
    assert {"object": "schedule", "id": schedule["id"]} in third["attached"]


def test_bad_input(api, merchant, simulator_account):
    from lipwa.merchants.services import api_key_create

    simulator_account("bank_transfer")
    test_clock = _clock(api)
    now = int(datetime.now(UTC).timestamp())
    cases = [
        ("post", "/v1/test_clocks", {"frozen_time": now - 86400}, 400, "frozen_time", "frozen_time_in_past"),
        ("post", "/v1/test_clocks", {"frozen_time": "tomorrow"}, 400, "frozen_time", "parameter_invalid"),
        ("post", "/v1/test_clocks", {"when": 1}, 400, "when", "parameter_invalid"),
        ("post", f"/v1/test_clocks/{test_clock['id']}/advance", {}, 400, "to", "invalid_request"),
        ("post", f"/v1/test_clocks/{test_clock['id']}/advance", {"to": now, "seconds": 5}, 400, "to",
         "invalid_request"),
        ("post", f"/v1/test_clocks/{test_clock['id']}/advance", {"to": test_clock["frozen_time"]}, 400, "to",
         "test_clock_backwards"),
        ("post", f"/v1/test_clocks/{test_clock['id']}/advance", {"seconds": -1}, 400, "seconds", "invalid_request"),
        ("post", f"/v1/test_clocks/{test_clock['id']}/advance", {"seconds": 10**9}, 400, "seconds",
         "invalid_request"),
        ("post", "/v1/test_clocks/clock_nope/advance", {"seconds": 1}, 404, "id", "test_clock_not_found"),
        ("get", "/v1/test_clocks/clock_nope", None, 404, "id", "test_clock_not_found"),
        ("post", "/v1/payments", {"amount": 5000, "currency": "KES", "method": "bank_transfer",
                                  "test_clock": "clock_nope"}, 404, "test_clock", "test_clock_not_found"),
    ]
    for method, path, body, status, param, code in cases:
        response = api.request(method.upper(), path, json=body)
        assert response.status_code == status, (path, body, response.text)
        error = response.json()["error"]
        assert (error["param"], error["code"]) == (param, code), (path, body, error)
    assert api.get(f"/v1/test_clocks/{test_clock['id']}").json()["frozen_time"] == test_clock["frozen_time"]

    _, live_key = api_key_create(merchant=merchant, mode="live")
    live = {"Authorization": f"Bearer {live_key}"}
    for path, body in (("/v1/test_clocks", {}), ("/v1/payments", {"amount": 5000, "currency": "KES",
                                                                  "method": "bank_transfer",
                                                                  "test_clock": test_clock["id"]})):
        refused = api.post(path, json=body, headers=live)
        assert refused.status_code == 403, refused.text
        assert refused.json()["error"]["code"] == "test_clock_live_mode"
    assert api.get(f"/v1/test_clocks/{test_clock['id']}", headers=live).status_code == 403
