"""The SDK's schedules, reconciliation, riders and cash, and providers resources against the real lipwa server
over 127.0.0.1."""

from __future__ import annotations

import pytest
from lipwa_sdk import InvalidRequestError, Lipwa, NotFoundError

from lipwa.common import clock

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def client(lipwa_server, merchant, test_key):
    from lipwa.connectors.registry import connector_class
    from lipwa.merchants.services import connector_account_create

    for connector in ("bank_transfer", "cash"):
        connector_account_create(merchant=merchant, connector=connector, mode="test",
                                 credentials=connector_class(connector).simulator_credentials(""))
    with Lipwa(test_key, base_url=lipwa_server.url, timeout=20) as sdk:
        yield sdk


def test_schedule_of_instalment_invoices(client):
    due = clock.now().date().isoformat()
    schedule = client.schedules.create(currency="KES", total=100_001, description="Premium", instalments=[
        {"due_date": due}, {"due_date": due}], customer={"name": "Wanjiku", "phone": "+254712345678"})
    assert schedule["object"] == "schedule" and schedule["status"] == "active"
    assert [i["total"] for i in schedule["instalments"]] == [50_000, 50_001]
    assert all(i["status"] == "open" and i["number"] for i in schedule["instalments"])
    assert client.schedules.retrieve(schedule["id"])["amount_due"] == 100_001
    with pytest.raises(InvalidRequestError) as caught:
        client.schedules.create(currency="KES", total=0, description="x", instalments=[{"due_date": due}])
    assert caught.value.param == "total"
    with pytest.raises(NotFoundError):
        client.schedules.retrieve("sch_missing")


def mt940(reference: str, amount: str) -> bytes:
    day = clock.now().strftime("%y%m%d")
    return "\n".join([
        "{1:F01EQBLKENAXXXX0000000000}{2:O9401200" + day + "EQBLKENAXXXX00000000002611031200N}{4:",
        f":20:STMT{day}", ":25:EQBLKENA/0170299001234", ":28C:00001/001", f":60F:C{day}KES0,00",
        f":61:{day}{day[2:]}C{amount}NTRFNONREF//FT{day}01", f":86:/REMI/{reference}",
        f":62F:C{day}KES{amount}", "-}", ""]).encode()


def test_statement_upload_and_reconcile_settles_a_bank_transfer(client):
    payment = client.payments.create(amount=250_000, currency="KES", method="bank_transfer")
    reference = payment["next_action"]["reference"]
    statement = client.reconciliation.upload_statement(file=mt940(reference, "2500,00"), format="mt940",
                                                       filename="equity.sta")
    assert statement["counts"]["lines_new"] == 1 and statement["filename"] == "equity.sta"
    reconciled = client.reconciliation.reconcile(statement["id"])
    assert [m["payment"] for m in reconciled["matches"]] == [payment["id"]]
    assert client.reconciliation.retrieve_statement(statement["id"])["counts"]["matched"] == 1
    assert client.payments.retrieve(payment["id"])["status"] == "succeeded"

    with pytest.raises(InvalidRequestError) as caught:
        client.reconciliation.upload_statement(file=b"x", format="")
    assert caught.value.param == "format"
    with pytest.raises(ValueError):
        client.reconciliation.upload_statement(file="not bytes", format="mt940")


def test_cash_on_delivery_through_riders_and_collections(client):
    payment = client.payments.create(amount=1_500, currency="KES", method="cash", merchant_reference="order-9")
    rider = client.riders.create(name="Juma", phone="+254722000111")
    client.payments.assign_rider(payment["id"], rider["id"])
    collected = client.cash.collect(payment=payment["id"], rider=rider["id"], receipt_number="RB-1", amount=1_500)
    assert collected["payment"] == payment["id"]
    assert client.payments.retrieve(payment["id"])["status"] == "succeeded"
    assert [r["id"] for r in client.riders.list()] == [rider["id"]]
    remitted = client.cash.remit(rider=rider["id"], amount=1_500, currency="KES", reference="SLIP-1")
    assert remitted["amount"] == 1_500
    cash_up = client.cash.cash_up(rider=rider["id"], day=clock.now().date().isoformat())
    assert cash_up["data"][0]["difference"] == 0


def test_providers_per_country(client):
    benin = {p["id"]: p for p in client.providers.list(country="BJ")}
    assert {e["network"] for e in benin["feexpay"]["catalogue"] if e["method"] == "mobile_money"} == {
        "mtn", "moov", "celtiis"}
    assert benin["feexpay"]["configured"] is False
    with pytest.raises(InvalidRequestError):
        client.providers.list(country="Benin")

