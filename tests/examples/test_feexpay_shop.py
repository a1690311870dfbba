"""The FeexPay shop example end to end (XOF): the ways to pay offered in each country come from lipwa's
provider catalogue; orders paid by Moov in Benin, Wave in Côte d'Ivoire and card in Senegal, one declined in
Togo, each settled by lipwa's signed webhooks."""

from __future__ import annotations

import re

import httpx
import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
BASKET = {"customer_name": "Awa Diop", "qty_pagne": "1", "qty_sac": "0", "qty_karite": "2"}  # 12,000 + 2 × 3,000


def offered(app, country: str) -> dict[str, str]:
    """way-to-pay id → label, as the order form shows them."""
    page = app.http.get("/", params={"country": country}).text
    return dict(re.findall(r'<input type="radio" name="way_to_pay" value="(\w+)"[^>]*>\s*([^<]+?)\s*</label>', page))


def order(app, country: str, **fields) -> httpx.Response:
    return app.submit("/orders/", {**BASKET, "country": country, **fields})


def status(app, reference: str) -> str:
    return re.search(r'<p id="status" class="(\w+)"', app.http.get(f"/orders/{reference}/").text).group(1)


def reference_of(answer: httpx.Response) -> str:
    assert answer.status_code == 302, answer.text
    return re.search(r"/orders/(SIKA-\w+)/", answer.headers["location"]).group(1)


def test_ways_to_pay_per_country(start_example, simulator_account, settle, sdk):
    simulator_account("feexpay")
    app = start_example("feexpay_shop")

    assert set(offered(app, "BJ")) == {"mtn_bj", "moov_bj", "celtiis_bj", "card_xof"}
    assert set(offered(app, "CI")) == {"orange_ci", "mtn_ci", "moov_ci", "wave_ci", "card_xof"}
    assert set(offered(app, "TG")) == {"togocom_tg", "moov_tg", "card_xof"}
    assert offered(app, "CI")["wave_ci"] == "Wave (Côte d&#x27;Ivoire)"

    wrong_country = order(app, "TG", way_to_pay="wave_ci", phone="90123678")
    assert wrong_country.status_code == 400 and "Select a valid choice" in wrong_country.text
    short_number = order(app, "BJ", way_to_pay="moov_bj", phone="97123678")
    assert short_number.status_code == 400 and "Un numéro de Bénin a 10 chiffres." in short_number.text

    benin = reference_of(order(app, "BJ", way_to_pay="moov_bj", phone="01 96 12 36 78"))
    ivory = reference_of(order(app, "CI", way_to_pay="wave_ci", phone="07 07 12 36 78"))
    togo = reference_of(order(app, "TG", way_to_pay="moov_tg", phone="90 12 30 01"))  # …001: insufficient funds
    settle(lambda: status(app, benin) == "paid" and status(app, ivory) == "paid" and status(app, togo) == "failed",
           "the three mobile-money orders settled")
    assert "insufficient_funds" in app.http.get(f"/orders/{togo}/").text
    assert "18 000 XOF" in app.http.get(f"/orders/{benin}/").text

    to_card = order(app, "SN", way_to_pay="card_xof", email="awa@example.com")
    assert to_card.status_code == 302 and "/simulators/feexpay/" in to_card.headers["location"]
    back = httpx.post(to_card.headers["location"], data={"card_number": "4242 4242 4242 4242"}, trust_env=False)
    assert back.status_code == 302 and back.headers["location"].startswith(f"{app.url}/orders/SIKA-")
    senegal = re.search(r"/orders/(SIKA-\w+)/", back.headers["location"]).group(1)
    settle(lambda: status(app, senegal) == "paid", "the card order paid")

    payments = {p["merchant_reference"]: p for p in sdk.payments.list_all()}
    assert {(payments[r]["network"], payments[r]["phone"], payments[r]["status"]) for r in (benin, ivory, togo)} == {
        ("moov", "+2290196123678", "succeeded"), ("wave", "+2250707123678", "succeeded"),
        ("moov", "+22890123001", "failed")}
    assert {p["currency"] for p in payments.values()} == {"XOF"} and payments[senegal]["method"] == "card"
