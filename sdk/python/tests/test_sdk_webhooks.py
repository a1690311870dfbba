"""lipwa_sdk.webhooks agrees with lipwa.webhooks_out.signing: both run on the same vectors, and the SDK
verifies headers that lipwa's own signer produced."""

from __future__ import annotations

import json

import pytest
from lipwa_sdk import webhooks
from lipwa_sdk.webhooks import SignatureVerificationError

from lipwa.webhooks_out import signing

SECRET = "whsec_test_0123456789abcdef"
OLD_SECRET = "whsec_old_fedcba9876543210"
BODY = json.dumps({"id": "evt_1", "object": "event", "type": "payment.succeeded",
                   "data": {"object": {"id": "pay_1", "amount": 10000, "currency": "KES"}}}).encode()
NOW = 1_764_072_000
# HMAC-SHA256 of "1764072000.<BODY>" keyed with SECRET, computed once with hmac directly and written down, so
# that the same mistake made in both implementations would still be caught.
KNOWN = "4a2780731768a1cb0bfebed91b13ffce89e6dbb2ec7989a7a7ca6a8ff81bf83a"

SERVER_ERRORS = {
    "missing_header": signing.MissingSignatureHeader,
    "malformed_header": signing.MalformedSignatureHeader,
    "timestamp_outside_tolerance": signing.TimestampOutsideTolerance,
    "no_matching_signature": signing.NoMatchingSignature,
}


def header(*secrets: str, timestamp: int = NOW, body: bytes = BODY) -> str:
    return signing.signature_header(body, list(secrets), timestamp)


VECTORS = [
    # (name, body, header, now, expected failure code or None)
    ("valid", BODY, header(SECRET), NOW, None),
    ("valid at the edge of the tolerance", BODY, header(SECRET), NOW + 300, None),
    ("clock behind the sender", BODY, header(SECRET), NOW - 300, None),
    ("tampered body", BODY.replace(b"10000", b"99999"), header(SECRET), NOW, "no_matching_signature"),
    ("old timestamp", BODY, header(SECRET), NOW + 301, "timestamp_outside_tolerance"),
    ("future timestamp", BODY, header(SECRET), NOW - 301, "timestamp_outside_tolerance"),
    ("wrong secret", BODY, header("whsec_other"), NOW, "no_matching_signature"),
    ("rotation: new then old, receiver has the new", BODY, header(SECRET, OLD_SECRET), NOW, None),
    ("rotation: receiver still has the old", BODY, header(OLD_SECRET, SECRET), NOW, None),
    ("rotation: neither is ours", BODY, header("whsec_a", "whsec_b"), NOW, "no_matching_signature"),
    ("unknown scheme beside v1 is ignored", BODY, header(SECRET) + ",v0=abc", NOW, None),
    ("missing header", BODY, None, NOW, "missing_header"),
    ("blank header", BODY, "  ", NOW, "missing_header"),
    ("no t", BODY, f"v1={KNOWN}", NOW, "malformed_header"),
    ("no v1", BODY, f"t={NOW}", NOW, "malformed_header"),
    ("two t", BODY, f"t={NOW},t={NOW},v1={KNOWN}", NOW, "malformed_header"),
    ("t not a number", BODY, f"t=soon,v1={KNOWN}", NOW, "malformed_header"),
    ("item without =", BODY, f"t={NOW},v1", NOW, "malformed_header"),
    ("upper-case hex", BODY, f"t={NOW},v1={KNOWN.upper()}", NOW, "malformed_header"),
    ("short signature", BODY, f"t={NOW},v1={KNOWN[:10]}", NOW, "malformed_header"),
    ("stripe-style spaces are tolerated", BODY, f"t={NOW}, v1={KNOWN}", NOW, None),
]


@pytest.mark.parametrize("name,body,value,now,failure", VECTORS, ids=[v[0] for v in VECTORS])
def test_sdk_and_server_agree(name, body, value, now, failure):
    if failure is None:
        assert signing.verify_signature(body, value, SECRET, now=now) == NOW
        assert webhooks.verify_header(body, value, SECRET, now=now) == NOW
        return
    with pytest.raises(SERVER_ERRORS[failure]):
        signing.verify_signature(body, value, SECRET, now=now)
    with pytest.raises(SignatureVerificationError) as caught:
        webhooks.verify_header(body, value, SECRET, now=now)
    assert caught.value.code == failure, str(caught.value)


def test_construct_event_returns_the_event_signed_by_lipwa():
    event = webhooks.construct_event(BODY, header(SECRET), SECRET, now=NOW)
    assert event["id"] == "evt_1" and event["data"]["object"]["amount"] == 10000


def test_construct_event_uses_the_wall_clock_by_default():
    import time

    fresh = signing.signature_header(BODY, [SECRET], int(time.time()))
    assert webhooks.construct_event(BODY, fresh, SECRET)["type"] == "payment.succeeded"
    with pytest.raises(SignatureVerificationError) as caught:
        webhooks.construct_event(BODY, header(SECRET), SECRET)  # signed in 2025, long outside 300 s
    assert caught.value.code == "timestamp_outside_tolerance"
    assert webhooks.construct_event(BODY, header(SECRET), SECRET, tolerance=None)["id"] == "evt_1"


def test_construct_event_refuses_a_signed_body_that_is_not_an_event():
    for body in (b"not json", b"[1, 2]"):
        with pytest.raises(SignatureVerificationError) as caught:
            webhooks.construct_event(body, header(SECRET, body=body), SECRET, now=NOW)
        assert caught.value.code == "invalid_payload"


def test_sdk_headers_verify_on_the_server_side():
    value = webhooks.signature_header(BODY, [SECRET, OLD_SECRET], NOW)
    assert value == header(SECRET, OLD_SECRET)
    assert signing.verify_signature(BODY, value, OLD_SECRET, now=NOW) == NOW
    assert KNOWN == signing.compute_signature(BODY, SECRET, NOW) == webhooks.compute_signature(BODY, SECRET, NOW)


def test_str_bodies_are_the_same_bytes():
    assert webhooks.construct_event(BODY.decode(), header(SECRET), SECRET, now=NOW)["id"] == "evt_1"
