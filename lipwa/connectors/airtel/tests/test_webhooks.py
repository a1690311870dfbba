"""The Airtel callback (PROVIDERS.md §3.6): the hash, with its re-serialisation quirk, and precise parsing.

The signed fixtures carry hashes computed with `openssl dgst -sha256 -hmac sim_secret -binary | base64` over
the compact transaction text (see test_signing), never with our own code.
"""

from __future__ import annotations

import json

import pytest

from lipwa.connectors.airtel.webhooks import callback_decode, raw_member, webhook_ack, webhook_parse, webhook_verify
from lipwa.connectors.errors import WebhookParseError
from lipwa.connectors.types import FailureCode, InboundRequest, ResultStatus, WebhookVerification

from .stub import FIXTURES, fixture, fixture_bytes

S, F, V = ResultStatus, FailureCode, WebhookVerification
SECRET = "sim_secret"


def inbound(body: bytes | dict) -> InboundRequest:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return InboundRequest(headers={"content-type": "application/json"}, body=raw, remote_addr="41.210.0.1")


# -- verification ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [
    "callback__succeeded_signed",  # compact, so the raw text is the hashed text
    "callback__signed_pretty_printed",  # spaces and newlines: only the compact re-serialisation matches
    "callback__signed_raw_unicode",  # "é" hashed as raw UTF-8: only the raw text matches (json.dumps escapes it)
])
def test_signed_callbacks_verify(name):
    assert webhook_verify(inbound(fixture_bytes(name)), SECRET) is V.VERIFIED


def test_each_quirk_needs_its_own_candidate():
    # The pretty-printed body's raw text is not what was hashed; the raw unicode body's re-serialisation is not.
    _, raw = raw_member(fixture_bytes("callback__signed_pretty_printed").decode(), "transaction")
    assert "\n" in raw
    _, raw = raw_member(fixture_bytes("callback__signed_raw_unicode").decode(), "transaction")
    assert "é" in raw and json.dumps(json.loads(raw), separators=(",", ":")) != raw


@pytest.mark.parametrize("mutate", [
    lambda body: body["transaction"].update(status_code="TF"),  # the payload changed after hashing
    lambda body: body.update(hash="qDOToBuq5h9cxs8juVlRJ2gLy1Om/WqnXotnzRULXaa="),
    lambda body: body.pop("hash"),  # a secret is configured, so the hash is required
    lambda body: body.update(hash=""),
    lambda body: body.update(hash=123),
])
def test_a_wrong_or_missing_hash_is_rejected(mutate):
    body = fixture("callback__succeeded_signed")
    mutate(body)
    assert webhook_verify(inbound(body), SECRET) is V.REJECTED


def test_another_secret_is_rejected():
    assert webhook_verify(inbound(fixture_bytes("callback__succeeded_signed")), "client_secret_2") is V.REJECTED


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"hash": "x"}', b'{"transaction": "x", "hash": "x"}'])
def test_garbage_with_a_secret_is_rejected(body):
    assert webhook_verify(inbound(body), SECRET) is V.REJECTED


@pytest.mark.parametrize("name", ["callback__succeeded", "callback__succeeded_signed", "callback__failed"])
def test_without_a_callback_secret_nothing_can_be_verified(name):
    assert webhook_verify(inbound(fixture_bytes(name)), "") is V.UNVERIFIABLE


# -- parsing -----------------------------------------------------------------------------------------------

# fixture → (status, failure_code, receipt, dedupe_key)
EXPECTED = {
    "callback__succeeded": (S.SUCCEEDED, None, "MP210603.1234.L06941", "airtel:BBZMiscxy:TS"),
    "callback__succeeded_signed": (S.SUCCEEDED, None, "MP210603.1234.L06941", "airtel:BBZMiscxy:TS"),
    "callback__signed_pretty_printed": (S.SUCCEEDED, None, "MP210603.1234.L06941", "airtel:BBZMiscxy:TS"),
    "callback__signed_raw_unicode": (S.SUCCEEDED, None, "MP210603.1234.L06942", "airtel:BBZMiscxy:TS"),
    # TF carries no reason in a callback: the enquiry's response code gives it.
    "callback__failed": (S.UNKNOWN, None, None, "airtel:BBZMiscxz:TF"),
}


def test_every_callback_fixture_has_an_expectation():
    assert {path.stem for path in FIXTURES.glob("callback__*.json")} == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_callback_fixtures_parse(name):
    status, failure_code, receipt, dedupe_key = EXPECTED[name]
    transaction = fixture(name)["transaction"]
    parsed = webhook_parse(inbound(fixture_bytes(name)))
    assert parsed.gateway_reference == parsed.result.gateway_reference == transaction["id"]
    assert parsed.dedupe_key == dedupe_key
    result = parsed.result
    assert (result.status, result.failure_code, result.receipt_number) == (status, failure_code, receipt)
    assert (result.gateway_status, result.gateway_message) == (transaction["status_code"], transaction["message"])
    assert result.connector_state == {"airtel_money_id": transaction["airtel_money_id"]}
    assert result.amount is None  # Airtel's callback carries no amount


@pytest.mark.parametrize("status_code, status", [("TIP", S.PROCESSING), ("TA", S.UNKNOWN), ("TE", S.EXPIRED),
                                                 ("ts", S.SUCCEEDED), ("XX", S.UNKNOWN)])
def test_other_status_codes_go_through_the_table(status_code, status):
    body = fixture("callback__succeeded")
    body["transaction"]["status_code"] = status_code
    assert webhook_parse(inbound(body)).result.status is status


def test_duplicates_share_a_dedupe_key_and_a_different_answer_does_not():
    first = webhook_parse(inbound(fixture("callback__succeeded")))
    again = webhook_parse(inbound(json.dumps(fixture("callback__succeeded"), indent=2).encode()))
    failed = fixture("callback__succeeded")
    failed["transaction"]["status_code"] = "TF"
    assert first.dedupe_key == again.dedupe_key != webhook_parse(inbound(failed)).dedupe_key


def test_a_callback_without_airtel_money_id_still_parses():
    body = fixture("callback__succeeded")
    del body["transaction"]["airtel_money_id"], body["transaction"]["message"]
    result = webhook_parse(inbound(body)).result
    assert (result.status, result.receipt_number, result.connector_state) == (S.SUCCEEDED, None, {})


def callback(**transaction) -> dict:
    body = fixture("callback__succeeded")
    for key, value in transaction.items():
        if value is ...:
            body["transaction"].pop(key)
        else:
            body["transaction"][key] = value
    return body


@pytest.mark.parametrize("body, message", [
    (b"", "not JSON"),
    (b"\xff\xfe{}", "not JSON"),
    (b'{"transaction": {}} trailing', "not JSON"),
    (b"[1, 2]", "the callback body is an array, not a JSON object"),
    (b"{}", "the callback's transaction is missing or null"),
    (b'{"transaction": []}', "the callback's transaction is an array"),
    (callback(id=...), "transaction.id must be a string, but it is missing or null"),
    (callback(id=12345), "transaction.id must be a string, but it is a number"),
    (callback(id="  "), "transaction.id is empty"),
    (callback(status_code=...), "transaction.status_code must be a string, but it is missing or null"),
    (callback(status_code=True), "transaction.status_code must be a string, but it is a boolean"),
    (callback(message=["x"]), "transaction.message must be a string, but it is an array"),
    (callback(airtel_money_id=7), "transaction.airtel_money_id must be a string, but it is a number"),
    ({**fixture("callback__succeeded"), "hash": 5}, "the callback's hash must be a string, but it is a number"),
])
def test_malformed_callbacks_are_refused_with_a_precise_message(body, message):
    with pytest.raises(WebhookParseError) as excinfo:
        webhook_parse(inbound(body))
    assert message in str(excinfo.value)


def test_decode_keeps_the_hash():
    assert callback_decode(fixture_bytes("callback__succeeded_signed")).hash.startswith("qDOT")
    assert callback_decode(fixture_bytes("callback__succeeded")).hash is None


# -- the raw member reader ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text, member", [
    ('{"transaction":{"a":1}}', '{"a":1}'),
    ('  {\n "hash" : "x" ,\n "transaction" : { "a" : [1, 2.50] } \n}\n', '{ "a" : [1, 2.50] }'),
    ('{"t":"{\\"transaction\\":1}","transaction":"x"}', '"x"'),  # a key inside a string is not a key
    ('{"transaction":1,"transaction":{"b":2}}', '{"b":2}'),  # the last duplicate wins, as in json.loads
    ('{"other":1}', None),
    ("{}", None),
])
def test_raw_member(text, member):
    data, raw = raw_member(text, "transaction")
    assert data == json.loads(text)
    assert raw == member


def test_acks():
    accepted, rejected = webhook_ack(True), webhook_ack(False)
    assert (accepted.status_code, rejected.status_code) == (200, 400)
    assert accepted.content_type == rejected.content_type == "application/json"
    assert json.loads(accepted.body) == {"status": "received"}
