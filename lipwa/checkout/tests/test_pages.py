"""The hosted checkout page through Django's test client: every page, every language, every bad input."""

from __future__ import annotations

import pytest

from lipwa.checkout.models import CheckoutSession
from lipwa.common import clock
from lipwa.connectors.types import ChargeResult, ResultStatus
from lipwa.payments.models import PaymentIntent
from lipwa.payments.tests.factories import unreachable_mpesa_account

from .helpers import new_session, pdf_text, settle

pytestmark = pytest.mark.django_db


class PromptSent:
    """A gateway that accepts every prompt and answers later (the tests apply its answer with `settle`)."""

    def validate_charge(self, request) -> None:
        return None

    def charge(self, request) -> ChargeResult:
        return ChargeResult(ResultStatus.PROCESSING, gateway_reference=f"ws_{request.attempt_id}")


@pytest.fixture
def session(merchant, monkeypatch):
    unreachable_mpesa_account(merchant)
    monkeypatch.setattr("lipwa.payments.services.connector_for_account", lambda context: PromptSent())
    return new_session(merchant)


def pay(client, session, phone="0712345678", based_on="", **extra):
    return client.post(f"/pay/{session.id}/pay", {"method": "mobile_money", "phone": phone, "based_on": based_on,
                                                  **extra})


@pytest.mark.parametrize(("query", "headers", "expected", "lang"), [
    ("", {}, "Pay now", "en"),
    ("?lang=sw", {}, "Lipa sasa", "sw"),
    ("?lang=fr", {}, "Payer maintenant", "fr"),
    ("", {"HTTP_ACCEPT_LANGUAGE": "sw-KE,sw;q=0.9"}, "Lipa sasa", "sw"),
    ("", {"HTTP_ACCEPT_LANGUAGE": "fr-FR,fr;q=0.9"}, "Payer maintenant", "fr"),
    ("?lang=xx", {"HTTP_ACCEPT_LANGUAGE": "fr"}, "Pay now", "en"),  # an unknown language falls back to English
])
def test_the_form_speaks_the_customers_language(client, session, query, headers, expected, lang):
    response = client.get(f"/pay/{session.id}{query}", **headers)
    body = response.content.decode()
    assert response.status_code == 200
    assert expected in body and f'<html lang="{lang}">' in body
    assert "Test merchant" in body and "KES 1500.00" in body


def test_the_first_view_is_small_and_needs_no_script(client, session):
    response = client.get(f"/pay/{session.id}")
    assert len(response.content) < 30 * 1024
    # Only the inline network hint, which the form does not need (test_network_hint.py pays with script off).
    assert b"<script src" not in response.content and response.content.count(b"<script") == 2


def test_only_the_methods_the_merchant_configured_are_offered(client, session):
    body = client.get(f"/pay/{session.id}").content.decode()
    assert 'value="mobile_money"' in body
    assert 'value="card"' not in body and 'value="bank_transfer"' not in body


def test_a_method_not_offered_is_refused_and_nothing_is_charged(client, session):
    response = client.post(f"/pay/{session.id}/pay", {"method": "card", "phone": "0712345678", "based_on": ""})
    assert response.status_code == 400
    assert b"Choose one of the payment methods shown" in response.content
    assert PaymentIntent.objects.count() == 0


@pytest.mark.parametrize("lang,expected", [("en", "Enter a valid phone number"), ("sw", "Weka namba sahihi"),
                                           ("fr", "Saisissez un num")])
def test_an_invalid_phone_shows_the_form_again_with_the_error(client, session, lang, expected):
    response = pay(client, session, phone="12", lang=lang)
    assert response.status_code == 400
    assert expected in response.content.decode() and b'name="phone"' in response.content
    assert PaymentIntent.objects.count() == 0


def test_submit_shows_a_refreshing_status_page_with_the_detected_network(client, session):
    response = pay(client, session)
    assert response.status_code == 302 and response["Location"].startswith(f"/pay/{session.id}/status")
    page = client.get(response["Location"]).content.decode()
    assert '<meta http-equiv="refresh"' in page
    assert "+254712345678 (Safaricom)" in page
    assert "Check your phone" in page


def test_a_double_submit_shows_the_same_payment_and_charges_once(client, session):
    first = pay(client, session)
    second = pay(client, session)
    assert first["Location"] == second["Location"]
    assert PaymentIntent.objects.count() == 1
    assert client.get(f"/pay/{session.id}").content.count(b"Check your phone") == 1  # the open payment, not a form


def test_amount_and_currency_come_from_the_session_never_the_form(client, session):
    pay(client, session, amount="1", currency="UGX", amount_minor="1")
    payment = PaymentIntent.objects.get()
    assert (payment.amount_minor, payment.currency) == (150_000, "KES")
    assert payment.metadata == {"checkout_session": session.id}


@pytest.mark.parametrize(("code", "lang", "expected"), [
    ("customer_cancelled", "en", "You cancelled the request on your phone"),
    ("insufficient_funds", "en", "Insufficient balance"),
    ("insufficient_funds", "sw", "Salio halitoshi"),
    ("insufficient_funds", "fr", "Solde insuffisant"),
    ("wrong_pin", "en", "The PIN entered was wrong"),
    ("customer_timeout", "sw", "Hukujibu ombi"),
])
def test_each_failure_has_a_clear_message_and_a_retry(client, session, code, lang, expected):
    pay(client, session)
    settle(PaymentIntent.objects.get(), failure=code)
    page = client.get(f"/pay/{session.id}/status?lang={lang}").content.decode()
    assert expected in page
    assert 'id="retry"' in page and "http-equiv" not in page  # final: no more refreshing


def test_retry_makes_a_new_payment_once_and_the_old_form_cannot_make_another(client, session):
    pay(client, session)
    failed = settle(PaymentIntent.objects.get(), failure="insufficient_funds")
    assert pay(client, session, based_on=failed.id).status_code == 302
    assert pay(client, session, based_on=failed.id).status_code == 302  # the retry button pressed twice
    assert pay(client, session).status_code == 302  # and the first form, resent
    session.refresh_from_db()
    assert PaymentIntent.objects.count() == 2 and session.payment_id != failed.id
    settle(session.payment)
    assert b"Payment received" in client.get(f"/pay/{session.id}").content


def test_a_paid_session_shows_its_receipt_and_takes_no_second_payment(client, session):
    pay(client, session)
    settle(PaymentIntent.objects.get(), receipt="SIM9RECEIPT")
    page = client.get(f"/pay/{session.id}?lang=sw").content.decode()
    assert "Malipo yamepokelewa" in page and "SIM9RECEIPT" in page and "receipt.pdf" in page
    assert pay(client, session).status_code == 302 and pay(client, session, based_on="forged").status_code == 302
    assert PaymentIntent.objects.count() == 1
    pdf = client.get(f"/pay/{session.id}/receipt.pdf")
    assert pdf["Content-Type"] == "application/pdf"
    text = pdf_text(pdf.content)
    for expected in ("Test merchant", "1500.00 KES", "Mobile money", "mpesa", "SIM9RECEIPT", "order-42"):
        assert expected in text


def test_no_receipt_before_payment(client, session):
    assert client.get(f"/pay/{session.id}/receipt.pdf").status_code == 404
    pay(client, session)
    assert client.get(f"/pay/{session.id}/receipt.pdf").status_code == 404


@pytest.mark.parametrize("lang,expected", [("en", "Payment link not found"), ("sw", "Kiungo cha malipo"),
                                           ("fr", "Lien de paiement introuvable")])
def test_an_unknown_session_is_a_clear_404(client, db, lang, expected):
    for response in (client.get(f"/pay/cs_nope?lang={lang}"), client.post(f"/pay/cs_nope/pay?lang={lang}"),
                     client.get(f"/pay/cs_nope/status?lang={lang}"), client.get("/pay/cs_nope/receipt.pdf")):
        assert response.status_code == 404
    assert expected in client.get(f"/pay/cs_nope?lang={lang}").content.decode()


def test_an_expired_session_is_a_clear_410_and_charges_nothing(client, session):
    clock.advance(24 * 3600 + 1)
    response = client.get(f"/pay/{session.id}")
    assert response.status_code == 410 and b"expired" in response.content
    assert pay(client, session).status_code == 410
    assert PaymentIntent.objects.count() == 0


def test_offline_instructions_are_shown_with_the_reference(client, session):
    pay(client, session)
    payment = PaymentIntent.objects.get()
    payment.status = "requires_action"
    payment.next_action = {"type": "bank_transfer_instructions", "bank_name": "KCB", "account_number": "1234567",
                           "reference": "LPW-7Q2X", "amount": 150000, "currency": "KES"}
    payment.save()
    page = client.get(f"/pay/{session.id}/status").content.decode()
    assert "LPW-7Q2X" in page and "KCB" in page and "1234567" in page and "To complete your payment" in page


def test_translations_are_complete_and_compiled(settings):
    """The committed .mo files must match the .po files (make test runs where gettext may be missing)."""
    import gettext
    import re
    from pathlib import Path

    locale = Path(__file__).resolve().parent.parent / "locale"
    for lang in ("sw", "fr"):
        po = (locale / lang / "LC_MESSAGES" / "django.po").read_text()
        pairs = re.findall(r'^msgid "(.+)"\nmsgstr "(.*)"$', po, re.M)
        compiled = gettext.GNUTranslations(open(locale / lang / "LC_MESSAGES" / "django.mo", "rb"))
        assert len(pairs) > 40
        for msgid, msgstr in pairs:
            assert msgstr, f"{lang}: {msgid!r} is not translated"
            assert compiled.gettext(msgid.replace('\\"', '"')) == msgstr.replace('\\"', '"'), msgid


def test_sessions_are_stored_per_merchant(merchant, session):
    assert CheckoutSession.objects.get().merchant == merchant
