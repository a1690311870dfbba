"""The Django admin for platform staff: every page renders, badges are coloured, bulk actions use services."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib import admin

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("root", "root@lipwa.example", "x" * 12))
    return client


def test_every_lipwa_admin_page_renders(superuser_client, paid):
    paid()
    lipwa_models = [m for m in admin.site._registry if m.__module__.startswith("lipwa.")]
    assert len(lipwa_models) >= 20
    for model in lipwa_models:
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        assert superuser_client.get(url).status_code == 200, url
        assert superuser_client.get(url, {"q": "x"}).status_code == 200, url


def test_payment_list_has_coloured_badges_masked_phones_and_filters(superuser_client, paid):
    payment = paid(phone="0712345678")
    page = superuser_client.get("/admin/payments/paymentintent/", {"status__exact": "succeeded"}).content.decode()
    assert payment.id in page and 'class="badge" style="color:#05603a' in page
    assert "+254712345678" not in page and "+254******678" in page
    detail = superuser_client.get(f"/admin/payments/paymentintent/{payment.id}/change/").content.decode()
    assert "+254712345678" not in detail


def test_mark_reviewed_clears_the_flag_and_is_audited(superuser_client, paid):
    from lipwa.audit.services import audit_trail
    from lipwa.payments.models import PaymentIntent

    payment = paid()
    PaymentIntent.objects.filter(id=payment.id).update(needs_review=True)
    response = superuser_client.post("/admin/payments/paymentintent/",
                                     {"action": "mark_reviewed", "_selected_action": [payment.id]}, follow=True)
    assert "1 payment(s) marked reviewed" in response.content.decode()
    payment.refresh_from_db()
    assert not payment.needs_review
    assert [e.action for e in audit_trail(object_id=payment.id)] == ["payment.review_clear"]


def test_retry_sync_asks_the_gateway_about_open_attempts(superuser_client, merchant, cash_account):
    from lipwa.payments.services import payment_create

    payment = payment_create(merchant=merchant, mode="test", amount=5_000, currency="KES", method="cash")
    assert payment.status == "requires_action"
    response = superuser_client.post("/admin/payments/paymentintent/",
                                     {"action": "retry_sync", "_selected_action": [payment.id]}, follow=True)
    assert "1 open attempt(s) synced" in response.content.decode()


def test_replay_action_restarts_deliveries_through_the_service(superuser_client, merchant, paid):
    from lipwa.webhooks_out.models import WebhookDelivery
    from lipwa.webhooks_out.services import webhook_endpoint_create

    webhook_endpoint_create(merchant=merchant, mode="test", url="http://127.0.0.1:9/hooks",
                            enabled_events=["payment.succeeded"])
    paid()
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(id=delivery.id).update(status="failed", next_attempt_at=None)
    response = superuser_client.post("/admin/webhooks_out/webhookdelivery/",
                                     {"action": "replay", "_selected_action": [delivery.id]}, follow=True)
    assert "1 delivery(ies) queued again" in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.next_attempt_at is not None


def test_export_selected_payments_to_csv(superuser_client, paid):
    payment = paid(reference="@SUM(A1)")
    response = superuser_client.post("/admin/payments/paymentintent/",
                                     {"action": "export", "_selected_action": [payment.id]})
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert rows[0]["id"] == payment.id and rows[0]["merchant_reference"] == "'@SUM(A1)"
    assert "phone_e164" not in rows[0]
