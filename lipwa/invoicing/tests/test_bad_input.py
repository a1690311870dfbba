"""Every bad input to /v1/invoices and /v1/schedules gets a precise 4xx and changes nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lipwa.common import clock
from lipwa.invoicing.models import Invoice, InvoiceCounter, Schedule
from lipwa.payments.models import PaymentIntent
from lipwa.payments.tests.factories import unreachable_mpesa_account

from .helpers import pay

pytestmark = pytest.mark.django_db
DUE = (clock.now().date() + timedelta(days=30)).isoformat()
GOOD = {"currency": "KES", "due_date": DUE, "customer": {"name": "Otieno", "phone": "0712345678"},
        "lines": [{"description": "Tent hire", "quantity": 1, "unit_amount": 50_000, "tax_rate": 1600}]}


@pytest.fixture
def api(client, test_key, merchant):
    unreachable_mpesa_account(merchant)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {test_key}"}

    class Api:
        def post(self, path, body=None):
            return client.post(path, body or {}, content_type="application/json", **auth)

        def get(self, path):
            return client.get(path, **auth)

    return Api()


def _line(**changes):
    return {**GOOD, "lines": [{**GOOD["lines"][0], **changes}]}


BAD_INVOICES = [
    (_line(quantity=-1), "lines.0.quantity", "invalid_quantity"),
    (_line(quantity=0), "lines.0.quantity", "invalid_quantity"),
    (_line(quantity="1.2345"), "lines.0.quantity", "invalid_quantity"),
    (_line(quantity=1.5), "lines.0.quantity", "invalid_quantity"),
    (_line(unit_amount=-100), "lines.0.unit_amount", "invalid_amount"),
    (_line(unit_amount="100"), "lines.0.unit_amount", "parameter_invalid"),
    (_line(unit_amount=0), "lines", "invoice_empty"),
    (_line(tax_rate=10_001), "lines.0.tax_rate", "invalid_tax_rate"),
    (_line(description=" "), "lines.0.description", "invalid_request"),
    ({**GOOD, "lines": []}, "lines", "invoice_empty"),
    ({**GOOD, "currency": "XYZ"}, "currency", "currency_not_supported"),
    ({**GOOD, "currency": "kes"}, "currency", "invalid_request"),
    ({**GOOD, "due_date": "2020-01-01"}, "due_date", "due_date_in_past"),
    ({**GOOD, "due_date": "soon"}, "due_date", "parameter_invalid"),
    ({**GOOD, "customer": {"phone": "12"}}, "customer.phone", "invalid_phone"),
    ({**GOOD, "colour": "red"}, "colour", "parameter_invalid"),
]


@pytest.mark.parametrize("body, param, code", BAD_INVOICES)
def test_bad_invoice_is_refused(api, body, param, code):
    response = api.post("/v1/invoices", body)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert (error["param"], error["code"]) == (param, code), error
    assert not Invoice.objects.exists()


def _assert_unchanged(before: dict, invoice_id: str):
    assert Invoice.objects.filter(id=invoice_id).values().get() == before
    assert InvoiceCounter.objects.get().last_number == 1


def test_issue_twice_pay_void_and_paid_invoices(api, merchant):
    invoice = api.post("/v1/invoices", GOOD).json()
    assert api.post(f"/v1/invoices/{invoice['id']}/pay", {}).json()["error"]["code"] == "invoice_not_issued"
    assert api.post(f"/v1/invoices/{invoice['id']}/issue").status_code == 200
    before = Invoice.objects.filter(id=invoice["id"]).values().get()
    again = api.post(f"/v1/invoices/{invoice['id']}/issue")
    assert again.status_code == 409 and again.json()["error"]["code"] == "invoice_not_draft"
    too_much = api.post(f"/v1/invoices/{invoice['id']}/pay", {"amount": 58_001})
    assert too_much.status_code == 400 and too_much.json()["error"]["param"] == "amount"
    assert api.post(f"/v1/invoices/{invoice['id']}/pay", {"method": "cheque"}).status_code == 400
    _assert_unchanged(before, invoice["id"])
    assert not PaymentIntent.objects.exists()

    assert api.post(f"/v1/invoices/{invoice['id']}/void").json()["status"] == "void"
    voided = api.post(f"/v1/invoices/{invoice['id']}/pay", {})
    assert voided.status_code == 409 and voided.json()["error"]["code"] == "invoice_void"

    paid = api.post("/v1/invoices", GOOD).json()
    api.post(f"/v1/invoices/{paid['id']}/issue")
    pay(merchant, Invoice.objects.get(id=paid["id"]), 58_000)
    answer = api.post(f"/v1/invoices/{paid['id']}/pay", {})
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "invoice_paid"
    assert api.post(f"/v1/invoices/{paid['id']}/void").json()["error"]["code"] == "invoice_paid"
    assert PaymentIntent.objects.count() == 1


def test_unknown_ids_and_list_filters(api):
    assert api.get("/v1/invoices/inv_nope").status_code == 404
    assert api.get("/v1/invoices/inv_nope/pdf").status_code == 404
    assert api.post("/v1/invoices/inv_nope/issue").status_code == 404
    assert api.get("/v1/schedules/sch_nope").status_code == 404
    assert api.get("/v1/invoices?status=late").json()["error"]["param"] == "status"
    assert api.get("/v1/invoices?limit=0").json()["error"]["param"] == "limit"


SCHEDULE = {"currency": "KES", "total": 100_000, "description": "Premium",
            "instalments": [{"due_date": DUE}, {"due_date": DUE}]}
BAD_SCHEDULES = [
    ({**SCHEDULE, "total": -5}, "total", "invalid_amount"),
    ({**SCHEDULE, "total": 1}, "total", "instalment_too_small"),
    ({**SCHEDULE, "instalments": []}, "instalments", "invalid_request"),
    ({**SCHEDULE, "instalments": [{"due_date": DUE, "share": 5000}, {"due_date": DUE, "share": 4000}]},
     "instalments", "invalid_share"),
    ({**SCHEDULE, "instalments": [{"due_date": DUE, "share": 10_000}, {"due_date": DUE}]},
     "instalments.1.share", "invalid_share"),
    ({**SCHEDULE, "instalments": [{"due_date": DUE}, {"due_date": "2020-01-01"}]},
     "instalments.1.due_date", "due_date_in_past"),
    ({**SCHEDULE, "instalments": [{"due_date": DUE}, {"due_date": clock.now().date().isoformat()}]},
     "instalments", "due_dates_out_of_order"),
    ({**SCHEDULE, "currency": "XYZ"}, "currency", "currency_not_supported"),
]


@pytest.mark.parametrize("body, param, code", BAD_SCHEDULES)
def test_bad_schedule_is_refused(api, body, param, code):
    response = api.post("/v1/schedules", body)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert (error["param"], error["code"]) == (param, code), error
    assert not Schedule.objects.exists() and not Invoice.objects.exists()


def test_schedule_and_list_through_the_api(api):
    created = api.post("/v1/schedules", {**SCHEDULE, "total": 100_001,
                                         "instalments": [{"due_date": DUE}] * 3})
    assert created.status_code == 201, created.content
    schedule = created.json()
    assert [i["total"] for i in schedule["instalments"]] == [33_333, 33_333, 33_335]
    assert schedule["amount_due"] == 100_001 and schedule["amount_paid"] == 0
    assert api.get(f"/v1/schedules/{schedule['id']}").json() == schedule
    listed = api.get("/v1/invoices?status=open&limit=2").json()
    assert len(listed["data"]) == 2 and listed["has_more"] is True
    pdf = api.get(f"/v1/invoices/{schedule['instalments'][0]['id']}/pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
