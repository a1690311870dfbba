"""The POLA telemedicine example end to end (Tanzania, TZS through AzamPay): a consultation confirmed and call
minutes credited by lipwa's webhooks, exactly once even when every event is delivered again, and a wallet
with insufficient balance that leaves the purchase failed and credits nothing."""

from __future__ import annotations

import re

import pytest

from .conftest import answers_to_redeliveries, redeliver_every_event

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def page_of(app, reference: str) -> str:
    return app.http.get(f"/purchases/{reference}/").text


def status(app, reference: str) -> str:
    return re.search(r'<p id="status" class="(\w+)"', page_of(app, reference)).group(1)


def minutes(app, reference: str) -> int:
    return int(re.search(r'<strong id="minutes">(\d+)</strong>', page_of(app, reference)).group(1))


def buy(app, path: str, **fields) -> str:
    answer = app.submit(path, fields)
    assert answer.status_code == 302, answer.text
    return re.search(r"/purchases/(POLA-\w+)/", answer.headers["location"]).group(1)


def test_consultation_and_call_credits_through_azampay(start_example, simulator_account, settle, sdk):
    simulator_account("azampay")
    app = start_example("pola")

    bad = app.submit("/consultations/", {"specialty": "gp", "phone": "0754", "wallet": "vodacom"})
    assert bad.status_code == 400 and "Enter a Tanzanian mobile number." in bad.text
    unknown = app.submit("/credits/", {"bundle": "7", "phone": "0754123678", "wallet": "vodacom"})
    assert unknown.status_code == 400 and "Select a valid choice" in unknown.text

    consultation = buy(app, "/consultations/", specialty="paediatrics", phone="0754123678", wallet="vodacom")
    assert "TZS 25,000" in page_of(app, consultation)
    settle(lambda: status(app, consultation) == "paid", "the consultation confirmed")
    assert re.search(r'<strong id="room">POLA-\w+</strong>', page_of(app, consultation))

    credits = buy(app, "/credits/", bundle="60", phone="0654123678", wallet="tigo")
    settle(lambda: status(app, credits) == "paid", "the call minutes paid")
    assert minutes(app, credits) == 60

    # Insufficient balance (the simulator's …001 wallet): failed, and no minutes.
    short = buy(app, "/credits/", bundle="120", phone="0654123001", wallet="tigo")
    settle(lambda: status(app, short) == "failed", "the declined purchase")
    assert "insufficient_funds" in page_of(app, short) and minutes(app, short) == 0

    payments = {p["merchant_reference"]: p for p in sdk.payments.list_all()}
    assert {p["provider"] for p in payments.values()} == {"azampay"}
    assert (payments[consultation]["amount"], payments[consultation]["currency"]) == (2_500_000, "TZS")
    assert payments[credits]["network"] == "tigo" and payments[short]["status"] == "failed"

    # Every event delivered again: the minutes are credited once.
    assert redeliver_every_event(sdk, app.endpoint["id"]) >= 6
    settle(lambda: True, "the replayed deliveries")
    assert answers_to_redeliveries(sdk, app.endpoint["id"]) == {"already processed"}
    assert minutes(app, credits) == 60 and status(app, short) == "failed"
