"""/v1/events: the event log, newest first, filtered and paginated, scoped to the key's merchant and mode."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.db import transaction

from lipwa.common import clock
from lipwa.payments.events import event_record
from lipwa.payments.models import PaymentEvent
from lipwa.payments.tests.factories import payment_with_attempt, unreachable_mpesa_account

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def get(client, test_key):
    def send(path, key=test_key, **params):
        return client.get(path, params, HTTP_AUTHORIZATION=f"Bearer {key}")

    return send


@pytest.fixture
def events(merchant):
    """payment.created at T0, then payment.processing at T0+100 and payment.succeeded at T0+200."""
    clock.freeze(T0)
    unreachable_mpesa_account(merchant)
    payment = payment_with_attempt(merchant)[0]
    recorded = [PaymentEvent.objects.get(payment=payment, type="payment.created")]
    for event_type in ("payment.processing", "payment.succeeded"):
        clock.advance(100)
        with transaction.atomic():
            recorded.append(event_record(payment, event_type))
    return recorded


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [e["id"] for e in response.json()["data"]]


def test_list_is_newest_first_in_the_public_shape(get, events):
    body = get("/v1/events").json()
    assert [e["id"] for e in body["data"]] == [e.id for e in reversed(events)]
    assert (body["object"], body["has_more"]) == ("list", False)
    first = body["data"][0]
    assert set(first) == {"id", "object", "type", "created", "livemode", "data"}
    assert (first["object"], first["type"], first["livemode"]) == ("event", "payment.succeeded", False)
    assert first["created"] == int(T0.timestamp()) + 200
    assert first["data"]["object"]["id"] == events[0].payment_id and first["data"]["object"]["object"] == "payment"


def test_retrieve(get, events):
    response = get(f"/v1/events/{events[1].id}")
    assert response.status_code == 200 and response.json()["type"] == "payment.processing"
    assert response.json() == get("/v1/events").json()["data"][1]


@pytest.mark.parametrize("type_filter, expected", [
    ("payment.succeeded", [2]), ("payment.*", [2, 1, 0]), ("*", [2, 1, 0]), ("refund.*", []),
    ("payment.pending", []),
])
def test_type_filter_exact_or_family(get, events, type_filter, expected):
    assert ids(get("/v1/events", type=type_filter)) == [events[i].id for i in expected]


def test_created_filters(get, events):
    start = int(T0.timestamp())
    assert ids(get("/v1/events", **{"created[gte]": start + 100})) == [events[2].id, events[1].id]
    assert ids(get("/v1/events", **{"created[lte]": start + 100})) == [events[1].id, events[0].id]
    assert ids(get("/v1/events", **{"created[gte]": start + 50, "created[lte]": start + 150})) == [events[1].id]


def test_cursor_pagination_walks_every_event_once(get, events):
    seen, cursor = [], None
    while True:
        body = get("/v1/events", limit=1, **({"starting_after": cursor} if cursor else {})).json()
        seen += [e["id"] for e in body["data"]]
        if not body["has_more"]:
            break
        cursor = seen[-1]
    assert seen == [e.id for e in reversed(events)]


def test_oldest_first_follows_the_log_after_a_cursor(get, events):
    assert ids(get("/v1/events", order="asc")) == [e.id for e in events]
    assert ids(get("/v1/events", order="desc")) == [e.id for e in reversed(events)]
    body = get("/v1/events", order="asc", starting_after=events[0].id, limit=1).json()
    assert ([e["id"] for e in body["data"]], body["has_more"]) == ([events[1].id], True)
    assert ids(get("/v1/events", order="asc", starting_after=events[2].id)) == []
    assert ids(get("/v1/events", order="asc", type="payment.succeeded")) == [events[2].id]


def test_events_belong_to_their_payments_mode(get, events, merchant):
    from lipwa.merchants.services import api_key_create, connector_account_create
    from lipwa.payments.services import payment_create

    credentials = {"base_url": "https://api.safaricom.co.ke", "consumer_key": "k", "consumer_secret": "s",
                   "shortcode": "174379", "passkey": "p"}
    connector_account_create(merchant=merchant, connector="mpesa", mode="live", credentials=credentials)
    live_payment = payment_create(merchant=merchant, mode="live", amount=10000, currency="KES",
                                  method="mobile_money", provider="mpesa", phone="+254712345678", confirm=False)
    live_key = api_key_create(merchant=merchant, mode="live")[1]
    live_events = get("/v1/events", key=live_key).json()["data"]
    assert [(e["type"], e["livemode"]) for e in live_events] == [("payment.created", True)]
    assert live_events[0]["data"]["object"]["id"] == live_payment.id
    assert live_payment.id not in str(get("/v1/events").json())
    assert get(f"/v1/events/{events[0].id}", key=live_key).status_code == 404
    assert get("/v1/events", starting_after=events[0].id, key=live_key).status_code == 404


def test_another_merchant_sees_nothing(get, events):
    from lipwa.merchants.services import api_key_create, merchant_create

    other_key = api_key_create(merchant=merchant_create(name="Other"), mode="test")[1]
    assert ids(get("/v1/events", key=other_key)) == []
    response = get(f"/v1/events/{events[0].id}", key=other_key)
    assert response.status_code == 404 and response.json()["error"]["type"] == "not_found"


@pytest.mark.parametrize("params, param", [
    ({"limit": "0"}, "limit"), ({"limit": "101"}, "limit"), ({"limit": "ten"}, "limit"),
    ({"created[gte]": "yesterday"}, "created[gte]"), ({"created[lte]": "-1"}, "created[lte]"),
    ({"type": "payment.*.x"}, "type"), ({"type": "Payment Succeeded"}, "type"), ({"type": "pay*"}, "type"),
    ({"starting_after": "evt_missing"}, "starting_after"), ({"colour": "red"}, "colour"),
    ({"order": "ascending"}, "order"), ({"order": ""}, "order"),
])
def test_list_filters_are_validated(get, events, params, param):
    response = get("/v1/events", **params)
    assert response.status_code in (400, 404), response.content
    assert response.json()["error"]["param"] == param


def test_unknown_event_is_404_and_auth_is_required(get, client, events):
    assert get("/v1/events/evt_nope").status_code == 404
    assert client.get("/v1/events").status_code == 401
