"""Idempotency-Key records: claim, replay, mismatch, in-flight, 5xx, expiry and scoping."""

from __future__ import annotations

import json

import pytest

from lipwa.common import clock
from lipwa.common.errors import IdempotencyError, InvalidRequest
from lipwa.merchants.services import merchant_create
from lipwa.payments.idempotency import (
    KEY_MAX_LENGTH,
    REPLAY_WINDOW,
    idempotency_begin,
    idempotency_complete,
    idempotency_records_purge,
    request_fingerprint,
)
from lipwa.payments.models import IdempotencyRecord

pytestmark = pytest.mark.django_db

BODY = json.dumps({"amount": 10000, "currency": "KES", "method": "mobile_money"}).encode()


def begin(merchant, key="key-1", *, mode="test", method="POST", path="/v1/payments", body=BODY):
    return idempotency_begin(merchant=merchant, mode=mode, key=key, method=method, path=path, body=body)


def complete(record, status=201, body=b'{"id": "pay_1"}'):
    idempotency_complete(record=record, status=status, body=body, content_type="application/json")


@pytest.mark.parametrize("key", ["", "x" * (KEY_MAX_LENGTH + 1), "abc\n", "tab\there", "nul\x00", "bell\x07"],
                         ids=["empty", "256-chars", "newline", "tab", "nul", "control"])
def test_invalid_keys(merchant, key):
    with pytest.raises(InvalidRequest) as caught:
        begin(merchant, key)
    assert (caught.value.code, caught.value.param) == ("idempotency_key_invalid", "Idempotency-Key")
    assert IdempotencyRecord.objects.count() == 0


@pytest.mark.parametrize("key", ["a", "x" * KEY_MAX_LENGTH, "order 42 / retry", "9f1c-4d2e-ü"])
def test_valid_keys(merchant, key):
    record, stored = begin(merchant, key)
    assert record is not None and stored is None


def test_first_request_proceeds_and_a_replay_gets_the_stored_response(merchant):
    record, stored = begin(merchant)
    assert stored is None and record.in_flight
    complete(record, 201, b'{"id": "pay_1"}')
    again, stored = begin(merchant)
    assert again is None
    assert (stored.status, stored.body, stored.content_type) == (201, b'{"id": "pay_1"}', "application/json")


def test_a_4xx_response_is_stored_and_replayed(merchant):
    record, _ = begin(merchant)
    complete(record, 400, b'{"error": {}}')
    _, stored = begin(merchant)
    assert stored.status == 400


def test_a_repeat_while_in_flight_is_409(merchant):
    begin(merchant)
    with pytest.raises(IdempotencyError) as caught:
        begin(merchant)
    assert (caught.value.status, caught.value.code) == (409, "idempotency_key_in_use")


@pytest.mark.parametrize("status", [500, 502, 503])
def test_a_5xx_is_not_stored_so_the_caller_can_retry(merchant, status):
    record, _ = begin(merchant)
    complete(record, status, b"oops")
    assert not IdempotencyRecord.objects.filter(pk=record.pk).exists()
    retry, stored = begin(merchant)
    assert retry is not None and stored is None


@pytest.mark.parametrize("change", [
    {"body": json.dumps({"amount": 10001, "currency": "KES", "method": "mobile_money"}).encode()},
    {"body": json.dumps({"amount": "10000", "currency": "KES", "method": "mobile_money"}).encode()},
    {"body": b"not json"},
    {"path": "/v1/refunds"},
    {"method": "DELETE"},
], ids=["other-amount", "amount-as-string", "not-json", "other-path", "other-method"])
def test_same_key_for_a_different_request_is_422(merchant, change):
    record, _ = begin(merchant)
    complete(record)
    with pytest.raises(IdempotencyError) as caught:
        begin(merchant, **change)
    assert (caught.value.status, caught.value.code) == (422, "idempotency_key_mismatch")


def test_json_key_order_and_whitespace_do_not_matter(merchant):
    record, _ = begin(merchant, body=b'{"amount": 10000, "currency": "KES", "method": "mobile_money"}')
    complete(record)
    _, stored = begin(merchant, body=b'{"method":"mobile_money","currency":"KES",  "amount":10000}')
    assert stored is not None


def test_fingerprint_values_matter_order_does_not():
    assert request_fingerprint("POST", "/p", b'{"a": 1, "b": 2}') == request_fingerprint("POST", "/p",
                                                                                        b'{"b":2,"a":1}')
    assert request_fingerprint("POST", "/p", b'{"a": 1}') != request_fingerprint("POST", "/p", b'{"a": 2}')
    assert request_fingerprint("POST", "/p", b'{"a": [1, 2]}') != request_fingerprint("POST", "/p",
                                                                                     b'{"a": [2, 1]}')
    assert request_fingerprint("POST", "/p", b"\xff\xfe") != request_fingerprint("POST", "/p", b"\xff")


def test_a_replay_works_until_24_hours_and_then_the_key_is_free(merchant):
    assert REPLAY_WINDOW.total_seconds() == 24 * 3600
    record, _ = begin(merchant)
    complete(record)
    clock.advance(24 * 3600 - 1)
    assert begin(merchant)[1] is not None, "still replayed just before 24 h"
    clock.advance(2)
    fresh, stored = begin(merchant)
    assert fresh is not None and stored is None, "a new request runs after 24 h"
    assert fresh.pk != record.pk
    assert IdempotencyRecord.objects.count() == 1


def test_after_expiry_a_different_body_is_a_new_request_not_a_mismatch(merchant):
    record, _ = begin(merchant)
    complete(record)
    clock.advance(24 * 3600 + 1)
    fresh, stored = begin(merchant, body=b'{"amount": 1}')
    assert fresh is not None and stored is None


def test_keys_are_scoped_per_merchant_and_per_mode(merchant):
    other = merchant_create(name="Other merchant")
    record, _ = begin(merchant)
    complete(record)
    for owner, mode in [(other, "test"), (merchant, "live")]:
        claimed, stored = begin(owner, mode=mode, body=b'{"something": "else"}')
        assert claimed is not None and stored is None, (owner, mode)
    assert IdempotencyRecord.objects.count() == 3


def test_purge_deletes_only_expired_records(merchant):
    old, _ = begin(merchant, "old")
    complete(old)
    clock.advance(12 * 3600)
    new, _ = begin(merchant, "new")
    clock.advance(12 * 3600)
    assert idempotency_records_purge() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]


def test_stored_responses_are_encrypted_at_rest(merchant):
    from lipwa.payments.idempotency import idempotency_begin, idempotency_complete
    from lipwa.payments.models import IdempotencyRecord

    record, _ = idempotency_begin(merchant=merchant, mode="test", key="secret-1", method="POST",
                                  path="/v1/webhook_endpoints", body=b"{}")
    idempotency_complete(record=record, status=201, body=b'{"secret": "whsec_plaintext"}',
                         content_type="application/json")
    stored = bytes(IdempotencyRecord.objects.get(pk=record.pk).response_body)
    assert b"whsec_plaintext" not in stored
    _, replay = idempotency_begin(merchant=merchant, mode="test", key="secret-1", method="POST",
                                  path="/v1/webhook_endpoints", body=b"{}")
    assert replay.body == b'{"secret": "whsec_plaintext"}'
