"""Lipwa-Signature: known-answer vectors, every refusal, and properties over any body."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lipwa.webhooks_out.signing import (
    MalformedSignatureHeader,
    MissingSignatureHeader,
    NoMatchingSignature,
    SignatureError,
    TimestampOutsideTolerance,
    compute_signature,
    signature_header,
    verify_signature,
)

SECRET = "whsec_test_5ecret"
T = 1700000000
BODY = b'{"id":"evt_01HZX","object":"event","type":"payment.succeeded"}'
# Computed outside Python: printf '%s' '1700000000.<BODY>' | openssl dgst -sha256 -hmac whsec_test_5ecret
EXPECTED = "5343d85a9b005d8ae410f41626d259fa362de96b384f95b344a6bb12481d2302"
EXPECTED_EMPTY_BODY = "b7ae3ce05f5e5b4eac892da42a79c75caa158728d109f66129c708605af2092f"


def test_known_answer_vectors():
    assert compute_signature(BODY, SECRET, T) == EXPECTED
    assert compute_signature(b"", SECRET, T) == EXPECTED_EMPTY_BODY
    assert compute_signature(BODY.decode(), SECRET, T) == EXPECTED, "a str body is its UTF-8 bytes"


def test_the_formula_is_hmac_sha256_of_timestamp_dot_body():
    independent = hmac.new(SECRET.encode(), f"{T}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert independent == EXPECTED


def test_header_carries_one_v1_per_secret_newest_first():
    header = signature_header(BODY, [SECRET, "whsec_old"], T)
    assert header == f"t={T},v1={EXPECTED},v1={compute_signature(BODY, 'whsec_old', T)}"
    with pytest.raises(ValueError):
        signature_header(BODY, [], T)


def test_verify_accepts_any_matching_signature_and_returns_the_timestamp():
    header = signature_header(BODY, ["whsec_new", SECRET], T)
    assert verify_signature(BODY, header, SECRET, now=T) == T
    assert verify_signature(BODY, f" t={T} , v0=abc, v1={EXPECTED} ", SECRET, now=T) == T, "other schemes ignored"


@pytest.mark.parametrize("header", [None, "", "   "])
def test_missing_header(header):
    with pytest.raises(MissingSignatureHeader):
        verify_signature(BODY, header, SECRET, now=T)


@pytest.mark.parametrize("header", [
    "garbage",
    f"v1={EXPECTED}",
    f"t={T}",
    f"t=abc,v1={EXPECTED}",
    f"t=-5,v1={EXPECTED}",
    f"t={T},t={T},v1={EXPECTED}",
    f"t={T},v1=zz",
    f"t={T},v1={EXPECTED.upper()}",
    f"t={T},v1={EXPECTED}00",
    f"t=１７,v1={EXPECTED}",
])
def test_malformed_header(header):
    with pytest.raises(MalformedSignatureHeader):
        verify_signature(BODY, header, SECRET, now=T)


@pytest.mark.parametrize("now", [T + 301, T - 301])
def test_timestamp_outside_tolerance_either_way(now):
    with pytest.raises(TimestampOutsideTolerance):
        verify_signature(BODY, f"t={T},v1={EXPECTED}", SECRET, now=now)


def test_timestamp_within_tolerance_and_tolerance_off():
    header = f"t={T},v1={EXPECTED}"
    assert verify_signature(BODY, header, SECRET, now=T + 300) == T
    assert verify_signature(BODY, header, SECRET, tolerance_seconds=10, now=T - 10) == T
    assert verify_signature(BODY, header, SECRET, tolerance_seconds=None, now=T + 10**6) == T


@pytest.mark.parametrize("body, secret, timestamp", [
    (BODY, "whsec_wrong", T),
    (BODY + b" ", SECRET, T),
    (BODY, SECRET, T + 1),
])
def test_no_matching_signature(body, secret, timestamp):
    header = f"t={timestamp},v1={EXPECTED}"
    with pytest.raises(NoMatchingSignature):
        verify_signature(body, header, secret, now=timestamp)


def test_every_refusal_is_a_signature_error_and_a_value_error():
    for error in (MissingSignatureHeader, MalformedSignatureHeader, TimestampOutsideTolerance, NoMatchingSignature):
        assert issubclass(error, SignatureError) and issubclass(error, ValueError)


@given(body=st.binary(max_size=2000), secret=st.text(min_size=1, max_size=80),
       timestamp=st.integers(min_value=0, max_value=10**11))
def test_sign_then_verify_round_trips_for_any_body(body, secret, timestamp):
    header = signature_header(body, [secret], timestamp)
    assert verify_signature(body, header, secret, now=timestamp) == timestamp


@given(body=st.binary(min_size=1, max_size=2000), data=st.data())
def test_any_single_byte_change_to_the_body_fails(body, data):
    header = signature_header(body, [SECRET], T)
    index = data.draw(st.integers(min_value=0, max_value=len(body) - 1))
    replacement = data.draw(st.integers(min_value=0, max_value=255).filter(lambda b: b != body[index]))
    tampered = body[:index] + bytes([replacement]) + body[index + 1:]
    with pytest.raises(NoMatchingSignature):
        verify_signature(tampered, header, SECRET, now=T)
