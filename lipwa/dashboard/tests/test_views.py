"""The dashboard through Django's test client: roles on every view, CSRF, bad input, CSV, masking."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from lipwa.dashboard import urls

pytestmark = pytest.mark.django_db


def test_every_view_requires_login_and_declares_a_role(client):
    for pattern in urls.urlpatterns:
        view = pattern.callback
        if pattern.name in ("login", "logout", "css"):
            continue
        assert getattr(view, "required_role", None) in ("viewer", "operator", "admin"), pattern.name
    response = client.get("/dashboard/payments/")
    assert response.status_code == 302 and response["Location"].startswith("/dashboard/login/")


def test_login_with_a_wrong_password_says_so(client, staff):
    staff("viewer")
    response = client.post("/dashboard/login/", {"username": "viewer@shop.example", "password": "nope"})
    assert response.status_code == 200 and b"login-error" in response.content
    response = client.post("/dashboard/login/", {"username": "viewer@shop.example",
                                                  "password": "correct-horse-battery"})
    assert response.status_code == 302 and response["Location"] == "/dashboard/"


def test_a_user_of_no_merchant_is_refused(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("loner", password="x" * 12))
    assert client.get("/dashboard/").status_code == 403


def test_overview_cards_keep_currencies_apart(as_role, paid):
    paid(amount=150_000)
    paid(amount=50_000)
    paid(failure="insufficient_funds")
    page = as_role("viewer").get("/dashboard/").content.decode()
    assert "KES 2,000.00" in page  # collected today and this month
    assert 'id="success-rate">67 %' in page
    assert "<svg" in page and 'role="img"' in page


def test_list_masks_phones_and_filters(as_role, paid):
    ok = paid(phone="0712345678", reference="order-1")
    failed = paid(phone="0722000009", reference="order-2", failure="wrong_pin")
    client = as_role("viewer")
    page = client.get("/dashboard/payments/").content.decode()
    assert "+254712345678" not in page and "+254******678" in page
    only_failed = client.get("/dashboard/payments/", {"status": "failed"}).content.decode()
    assert failed.id in only_failed and ok.id not in only_failed
    by_phone = client.get("/dashboard/payments/", {"q": "0712 345 678"}).content.decode()
    assert ok.id in by_phone and failed.id not in by_phone
    by_reference = client.get("/dashboard/payments/", {"q": "order-2"}).content.decode()
    assert failed.id in by_reference and ok.id not in by_reference


@pytest.mark.parametrize("query, field", [({"status": "bogus"}, "status"), ({"date_from": "2026-13-01"}, "date_from"),
                                          ({"date_from": "2026-05-02", "date_to": "2026-05-01"}, "date_to"),
                                          ({"q": "x" * 101}, "q")])
def test_bad_filters_are_a_400_naming_the_field(as_role, query, field):
    response = as_role("viewer").get("/dashboard/payments/", query)
    assert response.status_code == 400
    assert field in response.context["form"].errors


def test_csv_export_has_the_filtered_rows_masked_and_formula_safe(as_role, paid):
    ok = paid(reference="=HYPERLINK(evil)")
    paid(failure="wrong_pin")
    response = as_role("viewer").get("/dashboard/payments.csv", {"status": "succeeded"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [r["id"] for r in rows] == [ok.id]
    assert rows[0]["amount"] == "1500.00" and rows[0]["currency"] == "KES"
    assert rows[0]["phone"] == "'+254******678"  # a leading + would make a spreadsheet formula
    assert rows[0]["merchant_reference"] == "'=HYPERLINK(evil)"


def test_detail_shows_the_full_phone_to_operators_only(client, staff, paid):
    payment = paid()
    client.force_login(staff("viewer"))
    page = client.get(f"/dashboard/payments/{payment.id}").content.decode()
    assert "+254712345678" not in page and "payment.succeeded" in page and "CHARGE" in page
    client.force_login(staff("operator"))
    assert "+254712345678" in client.get(f"/dashboard/payments/{payment.id}").content.decode()


def test_another_merchants_payment_is_not_found(as_role, paid):
    from lipwa.dashboard.services import staff_create
    from lipwa.merchants.services import merchant_create

    payment = paid()
    other = merchant_create(name="Other shop")
    membership, _ = staff_create(merchant_id=other.id, email="spy@other.example", role="admin",
                                 password="x" * 12)
    client = Client()
    client.force_login(membership.user)
    assert client.get(f"/dashboard/payments/{payment.id}").status_code == 404
    assert client.post(f"/dashboard/payments/{payment.id}/refund", {"amount": "1"}).status_code == 404


def test_viewer_cannot_refund_and_operator_cannot_manage_keys(client, staff, paid):
    payment = paid()
    client.force_login(staff("viewer"))
    assert client.post(f"/dashboard/payments/{payment.id}/refund", {"amount": "10"}).status_code == 403
    assert payment.refunds.count() == 0
    client.force_login(staff("operator"))
    assert client.get("/dashboard/keys/").status_code == 403
    assert client.post("/dashboard/keys/", {"name": "x"}).status_code == 403
    assert client.post("/dashboard/webhooks/", {"url": "https://example.com/h", "enabled_events": "*"}
                       ).status_code == 403


def test_refund_amount_errors_are_precise(as_role, paid):
    payment = paid(amount=10_000)
    client = as_role("operator")
    response = client.post(f"/dashboard/payments/{payment.id}/refund", {"amount": "1.005"})
    assert response.status_code == 400 and "Enter an amount in KES" in response.content.decode()
    response = client.post(f"/dashboard/payments/{payment.id}/refund", {"amount": "500"}, follow=True)
    assert "still refundable" in response.content.decode()
    assert payment.refunds.count() == 0


def test_posts_without_csrf_token_are_refused(staff, paid):
    payment = paid()
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff("admin"))
    assert client.post(f"/dashboard/payments/{payment.id}/refund", {"amount": "10"}).status_code == 403
    assert client.post("/dashboard/keys/", {"name": "x"}).status_code == 403


def test_every_form_field_has_a_label(as_role, paid):
    import re

    payment = paid()
    client = as_role("admin")
    for url in ("/dashboard/payments/", f"/dashboard/payments/{payment.id}", "/dashboard/keys/",
                "/dashboard/webhooks/", "/dashboard/accounts/new/mpesa", "/dashboard/refunds/",
                "/dashboard/reconciliation/", "/dashboard/reconciliation/review"):
        page = client.get(url).content.decode()
        labels = set(re.findall(r'<label for="([^"]+)"', page))
        for tag, attributes in re.findall(r"<(input|select|textarea)([^>]*)>", page):
            if 'type="hidden"' in attributes or 'type="submit"' in attributes:
                continue
            field_id = re.search(r'id="([^"]+)"', attributes)
            assert field_id and field_id.group(1) in labels, (url, tag, attributes)


def test_credentials_are_masked_and_the_form_comes_from_the_connector(as_role, merchant):
    from lipwa.connectors.registry import connector_class
    from lipwa.merchants.services import connector_account_create

    credentials = connector_class("mpesa").simulator_credentials("http://127.0.0.1:9/simulators/mpesa")
    connector_account_create(merchant=merchant, connector="mpesa", mode="test", credentials=credentials)
    client = as_role("admin")
    page = client.get("/dashboard/accounts/").content.decode()
    assert credentials["consumer_secret"] not in page and credentials["passkey"] not in page
    form = client.get("/dashboard/accounts/new/mpesa").content.decode()
    assert "Lipa na M-Pesa Online passkey" in form and 'type="password"' in form
    bad = client.post("/dashboard/accounts/new/mpesa", {"cred_consumer_key": "k", "cred_consumer_secret": "s",
                                                         "cred_shortcode": "174379", "cred_passkey": "p",
                                                         "cred_base_url": "https://api.safaricom.co.ke"},
                      follow=True)
    assert "must point at a simulator or a gateway sandbox" in bad.content.decode()
    assert client.get("/dashboard/accounts/new/nope").status_code == 404


def test_stylesheet_is_served_without_login(client):
    response = client.get("/dashboard/dashboard.css")
    assert response.status_code == 200 and b"header" in response.content


def test_an_admin_rejects_a_refund_with_a_note(client, staff, paid, merchant):
    from lipwa.merchants.services import merchant_configure
    from lipwa.payments.refunds import refund_create

    merchant_configure(merchant=merchant, refund_approval_thresholds={"KES": 0})
    payment = paid()
    refund = refund_create(merchant=merchant, mode="test", payment_id=payment.id, amount=100,
                           requested_by="operator@shop.example")
    client.force_login(staff("operator"))
    assert client.post(f"/dashboard/refunds/{refund.id}/reject", {"note": "no"}).status_code == 403
    client.force_login(staff("admin"))
    page = client.post(f"/dashboard/refunds/{refund.id}/reject", {"note": "duplicate request"},
                       follow=True).content.decode()
    assert f"Refund {refund.id} rejected." in page
    refund.refresh_from_db()
    assert (refund.status, refund.decided_by, refund.failure_message) == ("rejected", "admin@shop.example",
                                                                          "duplicate request")
    again = client.post(f"/dashboard/refunds/{refund.id}/approve", follow=True).content.decode()
    assert "already decided" in again
    assert client.post("/dashboard/refunds/rfd_nope/approve").status_code == 404


def test_a_webhook_endpoint_secret_is_shown_once_and_bad_urls_are_refused(as_role):
    client = as_role("admin")
    page = client.post("/dashboard/webhooks/", {"url": "https://shop.example/hooks/lipwa",
                                                "enabled_events": "payment.succeeded, refund.succeeded"})
    assert page.status_code == 200
    secret = page.context["secret"]
    assert secret.startswith("whsec_") and secret in page.content.decode()
    assert secret not in client.get("/dashboard/webhooks/").content.decode()
    bad = client.post("/dashboard/webhooks/", {"url": "https://shop.example/h", "enabled_events": "payment.nope"})
    assert bad.status_code == 400 and "unknown event types" in bad.content.decode()
    bad = client.post("/dashboard/webhooks/", {"url": "not a url", "enabled_events": "*"})
    assert bad.status_code == 400 and "url" in bad.context["form"].errors
