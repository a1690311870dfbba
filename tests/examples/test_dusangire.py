"""The DUSANGIRE shop example end to end (Rwanda, RWF): orders paid by MTN MoMo, by Airtel Money after a
declined first try, by card (USD), by bank transfer settled through a reconciled MT940 statement, and by cash
on delivery collected by a rider; each order is an invoice whose PDF the customer can download."""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest

from .conftest import form_action, html_row

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
VISA = {"card_number": "4084 0840 8408 4081", "expiry": "12/39", "cvv": "408"}
CUSTOMER = {"customer_name": "Aline Uwase", "email": "", "address": "KG 11 Ave, Kigali", "qty_coffee": "2",
            "qty_basket": "1", "qty_tea": "0"}  # 2 × 6,500 + 25,000 = RWF 38,000


@pytest.fixture
def accounts(lipwa_server, merchant, simulator_account):
    from lipwa.connectors.registry import connector_class
    from lipwa.merchants.services import connector_account_create

    # MTN's Rwandan target environment, which settles in RWF (the simulator default targets Uganda).
    mtn = connector_class("mtn_momo").simulator_credentials(f"{lipwa_server.url}/simulators/mtn_momo")
    connector_account_create(merchant=merchant, connector="mtn_momo", mode="test",
                             credentials={**mtn, "target_environment": "mtnrwanda"})
    simulator_account("airtel")
    simulator_account("paystack")
    bank = connector_class("bank_transfer").simulator_credentials("")
    connector_account_create(merchant=merchant, connector="bank_transfer", mode="test", credentials={
        **bank, "bank_name": "Bank of Kigali", "branch": "Kigali", "swift": "BKIGRWRW", "currencies": "RWF"})
    connector_account_create(merchant=merchant, connector="cash", mode="test", credentials={})


def place(app, **fields) -> httpx.Response:
    placed = app.submit("/orders/", {**CUSTOMER, **fields})
    assert placed.status_code == 302, placed.text
    return placed


def reference_in(url: str) -> str:
    return re.search(r"/orders/(DSG-\w+)/", url).group(1)


def order(app, **fields) -> str:
    """Place an order paid on the shop's side (not by card) and return its reference."""
    return reference_in(place(app, **fields).headers["location"])


def status(app, reference: str) -> str:
    return re.search(r'<p id="status" class="(\w+)"', app.http.get(f"/orders/{reference}/").text).group(1)


def test_mobile_money_and_card_orders(start_example, accounts, settle, sdk):
    app = start_example("dusangire")
    nothing = app.submit("/orders/", {**CUSTOMER, "qty_coffee": "0", "qty_basket": "0", "phone": "0788123678",
                                      "method": "mtn_momo"})
    assert nothing.status_code == 400 and "Choose at least one item." in nothing.text
    no_email = app.submit("/orders/", {**CUSTOMER, "phone": "0788123678", "method": "card"})
    assert no_email.status_code == 400 and "A card payment needs an email address." in no_email.text

    mtn = order(app, phone="0788123678", method="mtn_momo")
    assert "RWF 38,000" in app.http.get(f"/orders/{mtn}/").text
    settle(lambda: status(app, mtn) == "paid", "the MTN MoMo order paid via the webhook")

    # Airtel: the first wallet is short of funds (…001); the customer tries again from another number.
    airtel = order(app, phone="0732123001", method="airtel")
    settle(lambda: status(app, airtel) == "payment_failed", "the Airtel decline")
    assert "insufficient_funds" in app.http.get(f"/orders/{airtel}/").text
    page = app.http.get(f"/orders/{airtel}/").text
    assert app.submit(form_action(page, "/retry/"), {"phone": "0732123678"}).status_code == 302
    settle(lambda: status(app, airtel) == "paid", "the Airtel retry paid")

    checkout = place(app, phone="0788123678", method="card", email="aline@example.com").headers["location"]
    assert "/simulators/paystack/" in checkout
    back = httpx.post(checkout, data=VISA, trust_env=False)
    assert back.status_code == 302 and back.headers["location"].startswith(f"{app.url}/orders/")
    card = reference_in(back.headers["location"])
    settle(lambda: status(app, card) == "paid", "the card order paid")
    assert "USD 29.00" in app.http.get(f"/orders/{card}/").text  # 2 × 5.00 + 19.00, the posted USD prices

    invoices = {i["number"]: i for i in sdk.invoices.list(limit=10).data}
    assert {i["status"] for i in invoices.values()} == {"paid"} and len(invoices) == 3
    pdf = app.http.get(f"/orders/{mtn}/invoice.pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    providers = {p["provider"] for p in sdk.payments.list_all() if p["status"] == "succeeded"}
    assert providers == {"mtn_momo", "airtel", "paystack"}


def mt940(reference: str, amount: int) -> bytes:
    """Today's Bank of Kigali-style MT940 with the customer's transfer, plus a credit nobody can explain."""
    day = date.today().strftime("%y%m%d")
    return "\n".join([
        "{1:F01BKIGRWRWXXXX0000000000}{2:O9401200" + day + "BKIGRWRWXXXX00000000002611031200N}{4:",
        f":20:STMT{day}", ":25:BKIGRWRW/000400012345", ":28C:00001/001", f":60F:C{day}RWF1000000,00",
        f":61:{day}{day[2:]}C{amount},00NTRFNONREF//FT{day}0001", "TRF FROM ALINE UWASE",
        f":86:/REMI/{reference.lower()} dusangire",
        f":61:{day}{day[2:]}C5000,00NTRFNONREF//FT{day}0002", ":86:/REMI/CASH DEPOSIT",
        f":62F:C{day}RWF{1_000_000 + amount + 5000},00", "-}", ""]).encode()


def test_bank_transfer_and_cash_on_delivery(start_example, accounts, settle):
    app = start_example("dusangire")

    bank = order(app, phone="0788123678", method="bank_transfer")
    page = app.http.get(f"/orders/{bank}/").text
    reference = re.search(r'<strong id="bank-reference">([\w-]+)</strong>', page).group(1)
    assert reference.startswith("LPW-") and "RWF 38,000" in page
    bad = app.http.post("/staff/statements/", files={"file": ("bk.sta", b"not a statement")},
                        data={"format": "mt940", "csrfmiddlewaretoken": app.http.cookies["csrftoken"]})
    assert bad.status_code == 400 and "lipwa refused the statement" in bad.text
    uploaded = app.http.post("/staff/statements/", files={"file": ("bk.sta", mt940(reference, 38_000))},
                             data={"format": "mt940", "csrfmiddlewaretoken": app.http.cookies["csrftoken"]})
    assert uploaded.status_code == 200, uploaded.text
    assert "1 matched" in uploaded.text and "missing_in_lipwa" in uploaded.text
    settle(lambda: status(app, bank) == "paid", "the bank transfer order paid after reconciliation")

    cash = order(app, phone="0788123678", method="cash")
    assert "in cash on delivery" in app.http.get(f"/orders/{cash}/").text
    row = html_row(app.http.get("/staff/").text, cash)
    assert app.submit(form_action(row, "/dispatch/"), {"rider_name": "Jean Bosco"}).status_code == 302
    row = html_row(app.http.get("/staff/").text, cash)
    assert app.submit(form_action(row, "/collect/"), {"receipt_number": "RB-0042"}).status_code == 302
    settle(lambda: status(app, cash) == "paid", "the cash order paid after collection")
    assert "receipt RB-0042" in app.http.get(f"/orders/{cash}/").text
