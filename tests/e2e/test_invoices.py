"""An invoice paid through the M-Pesa simulator over real HTTP: issue, pay link (STK push), the simulator's
callback succeeds the payment, and the same transaction marks the invoice paid; the PDF then says so."""

from __future__ import annotations

import io
from datetime import timedelta

import httpx
import pytest
from pypdf import PdfReader

from lipwa.common import clock

pytestmark = pytest.mark.django_db(transaction=True)


def _settle(api, run_tasks, payment_id: str) -> dict:
    from lipwa.payments.tasks import attempts_sync_due

    for _ in range(6):
        run_tasks()
        payment = api.get(f"/v1/payments/{payment_id}").json()
        if payment["status"] == "succeeded":
            return payment
        clock.advance(61)
        attempts_sync_due.call()
    return api.get(f"/v1/payments/{payment_id}").json()


def test_invoice_paid_in_two_parts_through_mpesa(lipwa_server, simulator_account, test_key, run_tasks):
    simulator_account("mpesa")
    due = (clock.now().date() + timedelta(days=7)).isoformat()
    with httpx.Client(base_url=lipwa_server.url, headers={"Authorization": f"Bearer {test_key}"}, timeout=20,
                      trust_env=False) as api:
        created = api.post("/v1/invoices", json={
            "currency": "KES", "due_date": due, "customer": {"name": "Achieng", "phone": "+254712345678"},
            "lines": [{"description": "Boda delivery", "quantity": "2.5", "unit_amount": 20_000, "tax_rate": 1600}]})
        assert created.status_code == 201, created.text
        invoice = created.json()
        assert invoice["total"] == 58_000 and invoice["number"] is None
        issued = api.post(f"/v1/invoices/{invoice['id']}/issue", headers={"Idempotency-Key": "issue-1"}).json()
        assert issued["number"].startswith(f"INV-{clock.now().year}-") and issued["status"] == "open"

        part = api.post(f"/v1/invoices/{invoice['id']}/pay", json={"amount": 8_000})
        assert part.status_code == 201, part.text
        assert part.json()["merchant_reference"] == issued["number"]
        assert part.json()["metadata"] == {"invoice": invoice["id"]}
        assert _settle(api, run_tasks, part.json()["id"])["status"] == "succeeded"
        halfway = api.get(f"/v1/invoices/{invoice['id']}").json()
        assert (halfway["status"], halfway["amount_paid"], halfway["amount_due"]) == ("partially_paid", 8_000, 50_000)

        rest = api.post(f"/v1/invoices/{invoice['id']}/pay", json={}).json()
        assert rest["amount"] == 50_000 and rest["phone"] == "+254712345678"
        paid_payment = _settle(api, run_tasks, rest["id"])
        assert paid_payment["status"] == "succeeded" and paid_payment["receipt_number"]
        paid = api.get(f"/v1/invoices/{invoice['id']}").json()
        assert (paid["status"], paid["amount_paid"], paid["amount_due"]) == ("paid", 58_000, 0)

        pdf = api.get(f"/v1/invoices/{invoice['id']}/pdf")
        text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
        assert issued["number"] in text and "Status: paid" in text and "KES 580.00" in text
