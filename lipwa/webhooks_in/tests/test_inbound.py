"""Gateway callbacks over real HTTP: /hooks/daraja/<account_id>/<token>/ on the live server.

Every callback is stored before anything else looks at it, refused ones included, so a row is evidence.
A Daraja callback is unsigned: it only counts when the status query agrees with it. Payments use a payer
number ending in 004, for which the simulator never sends a callback of its own (so none races ours) and
its status query answers success; 001 is a number whose status query answers insufficient funds.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from django_tasks_db.models import DBTaskResult

from lipwa.common import clock, crypto
from lipwa.connectors.testing.contract import wait_for
from lipwa.merchants.services import callback_token, callback_url
from lipwa.payments.models import PaymentEvent, PaymentIntent
from lipwa.payments.services import payment_create
from lipwa.webhooks_in.models import InboundWebhook
from lipwa.webhooks_in.services import inbound_webhook_process

pytestmark = pytest.mark.django_db(transaction=True)

# Read as data, not imported: the core's tests must not import a gateway's package.
FIXTURES = Path(__file__).resolve().parents[2] / "connectors" / "mpesa" / "fixtures"
NO_CALLBACK_PHONE = "+254712345004"
INSUFFICIENT_FUNDS_PHONE = "+254712345001"
ACK = {"ResultCode": 0, "ResultDesc": "Accepted"}


def stk_callback(reference: str, *, amount: str | None = "100.00", receipt: str = "SIM7RT61SV",
                 phone: int = 254712345004, fixture: str = "stk_callback__succeeded") -> bytes:
    """A Daraja STK callback built from a recorded fixture; the amount is spliced in as Daraja writes it."""
    data = json.loads((FIXTURES / f"{fixture}.json").read_text())
    stk = data["Body"]["stkCallback"]
    stk["CheckoutRequestID"] = reference
    if "CallbackMetadata" in stk:
        values = {"Amount": "__amount__", "MpesaReceiptNumber": receipt, "PhoneNumber": phone}
        for item in stk["CallbackMetadata"]["Item"]:
            item["Value"] = values.get(item["Name"], item.get("Value"))
    text = json.dumps(data)
    return text.replace('"__amount__"', amount if amount is not None else "null").encode()


@pytest.fixture
def account(simulator_account):
    return simulator_account("mpesa")


@pytest.fixture
def http(lipwa_server):
    with httpx.Client(timeout=10, trust_env=False, headers={"Content-Type": "application/json"}) as client:
        yield client


def create(account, phone: str = NO_CALLBACK_PHONE) -> PaymentIntent:
    payment = payment_create(merchant=account.merchant, mode="test", amount=10000, currency="KES",
                             method="mobile_money", provider="mpesa", phone=phone)
    assert payment.status == "processing" and payment.gateway_reference, payment.failure_message
    return payment


def events(payment) -> list[str]:
    return list(PaymentEvent.objects.filter(payment=payment).order_by("id").values_list("type", flat=True))


def snapshot(payment) -> tuple:
    payment = PaymentIntent.objects.get(pk=payment.pk)
    attempt = payment.attempts.get()
    return (payment.status, payment.needs_review, payment.receipt_number, attempt.status, attempt.sync_count,
            tuple(events(payment)))


def rows() -> list[InboundWebhook]:
    return list(InboundWebhook.objects.order_by("received_at", "id"))


def assert_refused(response, status: int, message: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert (error["type"], error["code"], error["message"]) == ("invalid_request_error", "callback_refused", message)
    assert error["request_id"].startswith("req_")


# -- refused at the door: stored, nothing queued, nothing changed ----------------------------------------------

def test_wrong_token_is_refused_and_kept_as_evidence(account, http, lipwa_server, run_tasks):
    payment = create(account)
    before, tasks_before = snapshot(payment), DBTaskResult.objects.count()
    body = stk_callback(payment.gateway_reference)
    response = http.post(f"{lipwa_server.url}/hooks/daraja/{account.id}/{'x' * 40}/", content=body)
    assert_refused(response, 403, "wrong callback token")
    [row] = rows()
    assert (row.status, row.status_reason, row.connector) == ("rejected", "wrong callback token", "mpesa")
    assert bytes(row.body) == body
    assert row.connector_account_id is None, "an unauthenticated row is not attributed to the account"
    assert DBTaskResult.objects.count() == tasks_before, "nothing is queued"
    run_tasks()
    assert snapshot(payment) == before


def test_missing_token_is_refused(account, http, lipwa_server):
    response = http.post(f"{lipwa_server.url}/hooks/daraja/{account.id}/", content=stk_callback("ws_CO_1"))
    assert_refused(response, 403, "missing callback token")
    assert [(r.status, r.status_reason) for r in rows()] == [("rejected", "missing callback token")]


def test_the_old_token_stops_working_when_the_salt_rotates(account, http):
    old_url = callback_url(account)
    account.callback_salt = crypto.random_token()
    account.save()
    assert_refused(http.post(old_url, content=stk_callback("ws_CO_1")), 403, "wrong callback token")
    assert http.post(callback_url(account), content=stk_callback("ws_CO_1")).status_code == 200


def test_unknown_account_is_404_and_stored(account, http, lipwa_server):
    token = callback_token(account)
    response = http.post(f"{lipwa_server.url}/hooks/daraja/ca_nosuch/{token}/", content=b"{}")
    assert_refused(response, 404, "unknown connector account in callback path")
    [row] = rows()
    assert (row.status, row.connector, row.connector_account_id) == ("rejected", "mpesa", None)
    assert row.path.startswith("/hooks/daraja/ca_nosuch/")


def test_unknown_slug_is_404_and_stored(account, http, lipwa_server):
    response = http.post(f"{lipwa_server.url}/hooks/nosuch/{account.id}/{callback_token(account)}/", content=b"{}")
    assert_refused(response, 404, "unknown connector in callback path")
    [row] = rows()
    assert (row.status, row.connector, row.connector_account_id) == ("rejected", "nosuch", None)


def test_get_is_405(account, http):
    assert http.get(callback_url(account)).status_code == 405
    assert rows() == []


def test_the_token_is_not_stored_in_clear(account, http):
    http.post(callback_url(account), content=stk_callback("ws_CO_1"))
    [row] = rows()
    token = callback_token(account)
    assert token not in row.path and row.path.startswith(f"/hooks/daraja/{account.id}/")
    assert token[-4:] in row.path, "the masked form keeps enough to tell tokens apart"


def test_credential_headers_are_not_stored(account, http):
    http.post(callback_url(account), content=stk_callback("ws_CO_1"),
              headers={"Authorization": "Bearer hunter2", "Cookie": "session=abc", "X-Forwarded-For": "10.0.0.1"})
    [row] = rows()
    assert "authorization" not in row.headers and "cookie" not in row.headers
    assert row.headers["x-forwarded-for"] == "10.0.0.1"


def test_an_oversized_body_is_413(account, http, settings):
    settings.LIPWA_MAX_BODY_BYTES = 1024
    body = stk_callback("ws_CO_" + "9" * 2000)
    response = http.post(callback_url(account), content=body)
    assert response.status_code == 413
    error = response.json()["error"]
    assert (error["type"], error["code"]) == ("invalid_request_error", "body_too_large")
    assert "1024" in error["message"]
    assert rows() == []


# -- accepted at the door, judged in the worker ----------------------------------------------------------------

def test_a_callback_for_an_unknown_reference_is_kept_unmatched(account, http, run_tasks):
    payment = create(account)  # same amount and payer as the callback, but it already has its own reference
    before = snapshot(payment)
    response = http.post(callback_url(account), content=stk_callback("ws_CO_NOBODY_KNOWS_THIS"))
    assert response.status_code == 200 and response.json() == ACK
    [row] = rows()
    assert (row.status, row.connector_account_id) == ("received", account.id)
    run_tasks()
    row.refresh_from_db()
    assert (row.status, row.gateway_reference) == ("unmatched", "ws_CO_NOBODY_KNOWS_THIS")
    assert row.status_reason == "no attempt carries this gateway reference yet"
    assert snapshot(payment) == before


def test_a_callback_names_attempts_of_its_own_account_only(simulator_account, http, run_tasks):
    theirs = simulator_account("mpesa")
    payment = create(theirs)
    mine = simulator_account("mpesa")  # created after the payment, so routing could not have chosen it
    assert payment.connector_account_id == theirs.id
    before = snapshot(payment)
    http.post(callback_url(mine), content=stk_callback(payment.gateway_reference))
    run_tasks()
    assert [r.status for r in rows()] == ["unmatched"]
    assert snapshot(payment) == before


MISSING_ID = json.dumps({"Body": {"stkCallback": {"MerchantRequestID": "1", "ResultCode": 0,
                                                  "ResultDesc": "ok"}}}).encode()
RESULT_CODE_DICT = json.dumps({"Body": {"stkCallback": {"CheckoutRequestID": "ws_CO_1", "ResultCode": {"a": 1},
                                                        "ResultDesc": "ok"}}}).encode()


@pytest.mark.parametrize("body, reason", [
    (b"this is not json", "the callback body is not JSON"),
    (b"", "the callback body is not JSON"),
    (b"[1, 2]", "the callback body is an array, not a JSON object"),
    (b'{"Body": {}}', "Body.stkCallback is missing or null, not an object; this is not an STK callback"),
    (b'{"Body": "x"}', "the callback's Body is a string, not an object; this is not an STK callback"),
    (MISSING_ID, "stkCallback.CheckoutRequestID must be a string, but it is missing or null"),
    (RESULT_CODE_DICT, "stkCallback.ResultCode must be a number or a code such as SFC_IC0003, got {'a': 1}"),
], ids=["not-json", "empty", "array", "no-stkCallback", "body-string", "no-CheckoutRequestID", "ResultCode-dict"])
def test_a_malformed_body_is_acknowledged_stored_then_rejected(account, http, run_tasks, body, reason):
    response = http.post(callback_url(account), content=body)
    assert response.status_code == 200 and response.json() == ACK, "acknowledged: Daraja would only retry"
    [row] = rows()
    assert (row.status, bytes(row.body)) == ("received", body)
    run_tasks()
    row.refresh_from_db()
    assert (row.status, row.status_reason) == ("rejected", f"unparseable: {reason}")
    assert row.processed_at is not None


def test_a_forged_success_is_contradicted_by_the_status_query(account, http, run_tasks):
    payment = create(account, INSUFFICIENT_FUNDS_PHONE)
    wait_for(lambda: len(rows()) == 1, "the simulator's own (failure) callback")
    body = stk_callback(payment.gateway_reference, phone=254712345001, receipt="FORGED0001")
    assert http.post(callback_url(account), content=body).status_code == 200
    forged = InboundWebhook.objects.get(body=body)
    # The forged callback is judged first, while the payment is still processing.
    assert inbound_webhook_process(webhook_id=forged.id) == "processed"
    forged.refresh_from_db()
    assert forged.status_reason == "contradicted by status query (failed); query result applied"
    payment.refresh_from_db()
    assert (payment.status, payment.failure_code, payment.receipt_number) == ("failed", "insufficient_funds", "")
    run_tasks()
    payment.refresh_from_db()
    assert (payment.status, payment.failure_code) == ("failed", "insufficient_funds")
    assert "payment.succeeded" not in events(payment)
    assert events(payment).count("payment.failed") == 1


def test_a_confirmed_callback_is_applied_whole_so_the_success_event_has_its_receipt(account, http, run_tasks):
    payment = create(account)
    body = stk_callback(payment.gateway_reference, receipt="SIMRCPT001")
    assert http.post(callback_url(account), content=body).status_code == 200
    run_tasks()
    [succeeded] = PaymentEvent.objects.filter(payment=payment, type="payment.succeeded")
    assert succeeded.data["object"]["receipt_number"] == "SIMRCPT001", "not patched in after the event"
    [row] = rows()
    assert (row.status, row.attempt_id, row.process_count) == ("processed", payment.attempts.get().id, 1)
    assert row.gateway_reference == payment.gateway_reference
    assert row.received_at <= row.processed_at <= clock.now(), "stored as the aware time it was processed at"


def test_a_replayed_success_is_a_duplicate(account, http, run_tasks):
    payment = create(account)
    body = stk_callback(payment.gateway_reference, receipt="SIM7RT61SV")
    assert http.post(callback_url(account), content=body).status_code == 200
    run_tasks()
    payment.refresh_from_db()
    assert (payment.status, payment.receipt_number) == ("succeeded", "SIM7RT61SV")
    assert http.post(callback_url(account), content=body).status_code == 200
    run_tasks()
    first, replay = rows()
    assert (first.status, first.status_reason) == ("processed", "confirmed by status query")
    assert (replay.status, replay.status_reason) == ("duplicate", "same event already processed")
    assert events(payment).count("payment.succeeded") == 1


def test_a_success_for_another_amount_is_not_applied_and_flags_review(account, http, run_tasks):
    payment = create(account)
    body = stk_callback(payment.gateway_reference, amount="99.00", receipt="WRONGAMT01")
    assert http.post(callback_url(account), content=body).status_code == 200
    run_tasks()
    payment.refresh_from_db()
    attempt = payment.attempts.get()
    assert payment.needs_review
    assert events(payment).count("payment.review_required") == 1
    review = PaymentEvent.objects.get(payment=payment, type="payment.review_required")
    assert "99.00 KES" in review.data["reason"]
    # The status query (asked before the callback counts) confirmed the charge lipwa sent, for its own amount;
    # nothing of the callback was taken.
    assert (payment.status, attempt.status) == ("succeeded", "succeeded")
    assert payment.receipt_number == attempt.receipt_number == ""
    assert events(payment).count("payment.succeeded") == 1


def test_a_callback_ahead_of_the_status_query_keeps_its_receipt(account, http, run_tasks, settings):
    from lipwa.common import clock
    from lipwa.payments.tasks import attempts_sync_due

    settings.LIPWA_SIMULATOR_DELAY_SECONDS = 30  # the query says "being processed" for 30 s
    payment = create(account)
    body = stk_callback(payment.gateway_reference, receipt="EARLY00001")
    assert http.post(callback_url(account), content=body).status_code == 200
    run_tasks()
    clock.advance(31)
    attempts_sync_due.call()
    run_tasks()
    payment.refresh_from_db()
    assert payment.status == "succeeded"
    assert payment.receipt_number == "EARLY00001"
