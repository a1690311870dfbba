"""Known-answer vectors for the envelope: the harness (playing Meta) and the endpoint's code agree byte for byte."""

from __future__ import annotations

import base64
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lipwa.whatsapp.crypto import (
    MalformedRequest,
    UndecryptableRequest,
    flip_iv,
    generate_key_pair,
    open_request,
    seal_response,
    signature_valid,
)
from lipwa.whatsapp.testing import MetaHarness

PRIVATE, PUBLIC = generate_key_pair()
KEY = bytes(range(16))
IV = bytes(range(100, 116))


def test_flipped_iv_vector():
    assert flip_iv(bytes([0x00, 0xFF, 0x0F, 0xA5])) == bytes([0xFF, 0x00, 0xF0, 0x5A])


def test_signature_vector():
    # HMAC-SHA256("secret", "body"), computed independently.
    expected = "sha256=dc46983557fea127b43af721467eb9b3fde2338fe3e14f51952aa8478c13d355"
    assert signature_valid(b"body", expected, "secret")
    assert signature_valid(b"body", expected.upper().replace("SHA256=", "sha256="), "secret")
    assert not signature_valid(b"body", expected, "other")
    assert not signature_valid(b"body", expected[7:], "secret")
    assert not signature_valid(b"body", None, "secret")


def test_response_vector():
    """A fixed key, IV and answer give fixed bytes: AES-128-GCM under the inverted IV."""
    harness = MetaHarness(PUBLIC, "s" * 16)
    sealed = harness.seal({"action": "ping"}, aes_key=KEY, iv=IV)
    opened = open_request(sealed.body, PRIVATE)
    assert (opened.payload, opened.aes_key, opened.iv) == ({"action": "ping"}, KEY, IV)
    answer = seal_response({"data": {"status": "active"}}, opened)
    assert answer == "6A1OUeQwFcmZ8K6dudybJumzsCGYD+feVzlEMIGYy9zdrbBmTgaPBlvpLFc="
    assert sealed.open_answer(answer) == {"data": {"status": "active"}}


@settings(max_examples=25, deadline=None)
@given(payload=st.dictionaries(st.text(max_size=10), st.one_of(st.text(max_size=30), st.integers()), max_size=5))
def test_any_payload_round_trips(payload):
    harness = MetaHarness(PUBLIC, "s" * 16)
    sealed = harness.seal(payload)
    opened = open_request(sealed.body, PRIVATE)
    assert opened.payload == payload
    assert sealed.open_answer(seal_response(payload, opened)) == payload


def test_wrong_key_and_bad_envelopes():
    _, other_public = generate_key_pair()
    with pytest.raises(UndecryptableRequest):
        open_request(MetaHarness(other_public, "s" * 16).seal({"a": 1}).body, PRIVATE)
    envelope = json.loads(MetaHarness(PUBLIC, "s" * 16).seal({"a": 1}).body)
    for bad in ({**envelope, "initial_vector": base64.b64encode(b"short").decode()},
                {k: v for k, v in envelope.items() if k != "encrypted_aes_key"}):
        with pytest.raises(MalformedRequest):
            open_request(json.dumps(bad).encode(), PRIVATE)
