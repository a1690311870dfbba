"""The Kenyan insurer example end to end: a policy whose premium is a lipwa schedule of three instalments; one
paid by M-Pesa STK push, one by card on Paystack's hosted page, one declined (insufficient funds); receipts
as PDF and the payment history, all updated only by lipwa's signed webhooks."""

from __future__ import annotations

import json
import re
import time

import httpx
import pytest

from lipwa.webhooks_out.signing import signature_header

from .conftest import answers_to_redeliveries, form_action, html_row, redeliver_every_event

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
VISA = {"card_number": "4084 0840 8408 4081", "expiry": "12/39", "cvv": "408"}
POLICY = {"holder_name": "Wanjiku Kamau", "phone": "0712345678", "email": "wanjiku@example.com", "cover": "motor",
          "annual_premium_kes": "36000", "instalments": "3"}


def premium_row(app, number: str, instalment: int) -> str:
    return html_row(app.http.get(f"/policies/{number}/").text, f"premium-{instalment}")


def history_rows(app) -> dict[str, str]:
    """payment id → its history row."""
    page = app.http.get("/history/").text
    return {row_id: html_row(page, row_id) for row_id in set(re.findall(r'<tr id="(pay_\w+)">', page))}


def test_premium_schedule_paid_by_mpesa_and_card(start_example, simulator_account, settle, sdk):
    simulator_account("mpesa")
    simulator_account("paystack")
    app = start_example("insurer")

    refused = app.submit("/policies/", {**POLICY, "phone": "12345"})
    assert refused.status_code == 400 and "Enter a Kenyan mobile number." in refused.text
    created = app.submit("/policies/", POLICY)
    assert created.status_code == 302, created.text
    number = created.headers["location"].rstrip("/").rsplit("/", 1)[-1]
    for instalment in (1, 2, 3):
        assert "KES 12,000.00" in premium_row(app, number, instalment)
    invoices = sdk.invoices.list(limit=10).data
    assert len(invoices) == 3 and {i["total"] for i in invoices} == {1_200_000}
    assert len({i["schedule"] for i in invoices}) == 1

    # Instalment 1: an STK push; the premium is paid when lipwa's webhook says so.
    first = premium_row(app, number, 1)
    assert app.submit(form_action(first, "/mpesa/"), {"phone": "0712345678"}).status_code == 302
    settle(lambda: ">paid<" in premium_row(app, number, 1), "instalment 1 paid via the webhook")
    twice = app.submit(form_action(first, "/mpesa/"), {"phone": "0712345678"})
    assert twice.status_code == 409 and "Instalment 1 is already paid." in twice.text

    # Instalment 2: by card on the (simulated) Paystack page, then back to the policy page.
    to_card = app.submit(form_action(premium_row(app, number, 2), "/card/"), {})
    assert to_card.status_code == 302 and "/simulators/paystack/" in to_card.headers["location"]
    checkout = to_card.headers["location"]
    assert httpx.get(checkout, trust_env=False).status_code == 200
    paid_page = httpx.post(checkout, data=VISA, trust_env=False)
    assert paid_page.status_code == 302 and paid_page.headers["location"].startswith(f"{app.url}/policies/{number}/")
    assert "being confirmed" in app.http.get(paid_page.headers["location"]).text
    settle(lambda: ">paid<" in premium_row(app, number, 2), "instalment 2 paid via the webhook")

    # Instalment 3: the customer's wallet is short (the simulator's …001 number); it stays due.
    app.submit(form_action(premium_row(app, number, 3), "/mpesa/"), {"phone": "0712345001"})
    settle(lambda: any("insufficient_funds" in row for row in history_rows(app).values()), "the decline")
    assert ">paid<" not in premium_row(app, number, 3)
    bad_phone = app.submit(form_action(premium_row(app, number, 3), "/mpesa/"), {"phone": "07"})
    assert bad_phone.status_code == 400 and "Enter an M-Pesa number." in bad_phone.text

    rows = history_rows(app)
    assert sorted(("succeeded" in r, "failed" in r) for r in rows.values()) == [(False, True), (True, False),
                                                                                (True, False)]
    for payment_id, row in rows.items():
        receipt = app.http.get(f"/payments/{payment_id}/receipt/")
        if "succeeded" in row:
            assert receipt.headers["content-type"] == "application/pdf" and receipt.content.startswith(b"%PDF")
        else:
            assert receipt.status_code == 404
    paid = {i["instalment"]: i["status"] for i in sdk.invoices.list(limit=10).data}
    assert paid == {1: "paid", 2: "paid", 3: "open"}

    _webhooks_are_verified_and_idempotent(app, sdk, settle, rows)


def _webhooks_are_verified_and_idempotent(app, sdk, settle, rows):
    endpoint = app.endpoint
    assert app.http.post("/webhooks/lipwa/", content=b"{}").status_code == 400
    forged = app.http.post("/webhooks/lipwa/", content=b"{}", headers={
        "Lipwa-Signature": signature_header(b"{}", ["whsec_not_the_secret"], int(time.time()))})
    assert forged.status_code == 400 and forged.text == "no_matching_signature"

    # Every event again (a replay): nothing changes.
    before = history_rows(app)
    assert redeliver_every_event(sdk, endpoint["id"]) >= 6
    settle(lambda: True, "the replayed deliveries")
    assert answers_to_redeliveries(sdk, endpoint["id"]) == {"already processed"}
    assert history_rows(app) == before

    # An older event arriving late under a new id (out of order): a succeeded payment stays succeeded.
    paid_id = next(pid for pid, row in rows.items() if "succeeded" in row)
    processing = next(e for e in sdk.events.list_all(type="payment.processing")
                      if e["data"]["object"]["id"] == paid_id)
    late = json.dumps({**processing, "id": "evt_late_copy"}).encode()
    answer = app.http.post("/webhooks/lipwa/", content=late, headers={
        "Lipwa-Signature": signature_header(late, [endpoint["secret"]], int(time.time()))})
    assert answer.status_code == 200
    assert "succeeded" in history_rows(app)[paid_id]
