"""/v1/checkout_sessions and /v1/payments/{id}/receipt over the API, with every bad input; emailed receipts."""

from __future__ import annotations

import pytest
from django.core import mail

from lipwa.checkout.receipts_email import receipt_email_send
from lipwa.payments.models import PaymentIntent
from lipwa.payments.tests.factories import payment_with_attempt, succeeded_payment, unreachable_mpesa_account

from .helpers import new_session, pdf_text, settle

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(client, test_key, merchant):
    unreachable_mpesa_account(merchant)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {test_key}"}

    class Api:
        def post(self, path, body):
            return client.post(path, body, content_type="application/json", **auth)

        def get(self, path):
            return client.get(path, **auth)

    return Api()


def test_create_and_retrieve_a_session(api, settings):
    settings.LIPWA_PUBLIC_URL = "https://pay.example.co.ke"
    response = api.post("/v1/checkout_sessions", {
        "amount": 150000, "currency": "KES", "methods": ["mobile_money"], "merchant_reference": "order-42",
        "customer": {"email": "wanjiru@example.com"}, "return_url": "https://shop.example/done", "expires_in": 3600})
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["id"].startswith("cs_") and body["url"] == f"https://pay.example.co.ke/pay/{body['id']}"
    assert (body["status"], body["amount"], body["currency"], body["payment"]) == ("open", 150000, "KES", None)
    fetched = api.get(f"/v1/checkout_sessions/{body['id']}")
    assert fetched.status_code == 200 and fetched.json() == body


@pytest.mark.parametrize(("body", "status", "param"), [
    ({"amount": "100", "currency": "KES"}, 400, "amount"),
    ({"amount": 10.5, "currency": "KES"}, 400, "amount"),
    ({"amount": 0, "currency": "KES"}, 400, "amount"),
    ({"amount": 100, "currency": "kes"}, 400, "currency"),
    ({"amount": 100, "currency": "XYZ"}, 400, "currency"),
    ({"amount": 100, "currency": "NGN"}, 400, "currency"),  # no account takes NGN
    ({"amount": 100, "currency": "KES", "methods": ["card"]}, 400, "methods"),  # no card account
    ({"amount": 100, "currency": "KES", "methods": ["crypto"]}, 400, "methods.0"),
    ({"amount": 100, "currency": "KES", "expires_in": 10}, 400, "expires_in"),
    ({"amount": 100, "currency": "KES", "return_url": "javascript:alert(1)"}, 400, "return_url"),
    ({"amount": 100, "currency": "KES", "colour": "red"}, 400, "colour"),
])
def test_bad_input_is_refused_and_creates_nothing(api, body, status, param):
    from lipwa.checkout.models import CheckoutSession

    response = api.post("/v1/checkout_sessions", body)
    assert response.status_code == status, response.content
    assert response.json()["error"]["param"] == param
    assert CheckoutSession.objects.count() == 0


def test_unknown_or_foreign_session_is_404(api, merchant):
    from lipwa.merchants.services import merchant_create

    other = merchant_create(name="Other")
    unreachable_mpesa_account(other)
    foreign = new_session(other)
    for session_id in ("cs_nope", foreign.id):
        response = api.get(f"/v1/checkout_sessions/{session_id}")
        assert response.status_code == 404 and response.json()["error"]["param"] == "id"


def test_payment_receipt_pdf(api, merchant):
    payment = succeeded_payment(merchant)
    response = api.get(f"/v1/payments/{payment.id}/receipt")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert "RCPT000001" in text and "Test merchant" in text and "100.00 KES" in text


def test_receipt_of_an_unpaid_or_unknown_payment_is_refused(api, merchant):
    payment, _ = payment_with_attempt(merchant)
    assert api.get(f"/v1/payments/{payment.id}/receipt").status_code == 409
    assert api.get("/v1/payments/pay_nope/receipt").status_code == 404


@pytest.mark.django_db(transaction=True)
def test_receipt_is_emailed_once_when_the_customer_gave_an_email(merchant, run_tasks):
    unreachable_mpesa_account(merchant)
    payment, _ = payment_with_attempt(merchant)
    PaymentIntent.objects.filter(id=payment.id).update(customer={"email": "wanjiru@example.com"})
    settle(payment)
    run_tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["wanjiru@example.com"] and "Test merchant" in message.subject
    assert message.attachments[0][2] == "application/pdf"
    assert receipt_email_send(payment_id=payment.id) is False  # a second run sends nothing
    run_tasks()
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_no_email_without_an_address(merchant, run_tasks):
    unreachable_mpesa_account(merchant)
    succeeded_payment(merchant)
    run_tasks()
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_a_receipt_whose_job_was_lost_is_sent_by_the_sweep(merchant, run_tasks):
    from django_tasks_db.models import DBTaskResult

    from lipwa.checkout.receipts_email import receipt_emails_send_due
    from lipwa.common import clock

    unreachable_mpesa_account(merchant)
    payment, _ = payment_with_attempt(merchant)
    PaymentIntent.objects.filter(id=payment.id).update(customer={"email": "wanjiru@example.com"})
    settle(payment)
    # The job was queued in the success's own transaction; here its worker dies with it (the row is lost).
    assert DBTaskResult.objects.filter(task_path__endswith="receipt_email_task").count() == 1
    DBTaskResult.objects.filter(task_path__endswith="receipt_email_task").delete()
    assert receipt_emails_send_due() == 0, "too early: the job may still be on its way"
    clock.advance(11 * 60)
    assert receipt_emails_send_due() == 1
    assert receipt_emails_send_due() == 0
    assert [m.to for m in mail.outbox] == [["wanjiru@example.com"]]
