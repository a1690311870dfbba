"""Masking of personal data and secrets in log text and structured log fields."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lipwa.ops.masking import MASK, MaskingFilter, mask_text, mask_value


@pytest.mark.parametrize("raw, masked", [
    ("to +254712345678 now", "to +254******678 now"),
    ("msisdn 254712345678", "msisdn 254******678"),
    ("local 0712345678.", "local 0******678."),
    ("phone=%2B256772123678&x=1", "phone=%2B256******678&x=1"),
    ("benin +2290197100678", "benin +229*******678"),
    ("south africa 27821234567", "south africa 27******567"),
    ("us +14155550123", "us +1*******123"),
])
def test_phone_numbers_keep_country_code_and_last_three_digits(raw, masked):
    assert mask_text(raw) == masked


@pytest.mark.parametrize("raw, masked", [
    ("Authorization: Bearer sk_test_readme_walkthrough_0001", "Authorization: Bearer ****0001"),
    ("key sk_live_abcdefghijklmnop1234 used", "key sk_live_****1234 used"),
    ("pk_test_0123456789abcdef", "pk_test_****cdef"),
    ("secret whsec_Abc123xyz_-Q", "secret whsec_****"),
    ("Authorization: Basic dXNlcjpwYXNzd29yZA==", "Authorization: Basic ****"),
    ('{"consumer_secret": "sim_secret", "passkey":"bfb279f9aa9bdbcf"}',
     '{"consumer_secret": "****", "passkey":"****"}'),
    ("password=hunter2&next=1", "password=****&next=1"),
    ("api_key: abc123def", "api_key: ****"),
    ("LIPWA_ENCRYPTION_KEYS=bmV3,b2xk", "LIPWA_ENCRYPTION_KEYS=****"),
    ("password=hunter2,user=ada", "password=****,user=ada"),
    ("{'access_token': 'eyJhbGciOi.x.y'}", "{'access_token': '****'}"),
    ("POST /hooks/mpesa/ca_01ABC/tok.en-value/ 200", "POST /hooks/mpesa/ca_01ABC/****/ 200"),
])
def test_keys_tokens_and_named_secrets_are_masked(raw, masked):
    assert mask_text(raw) == masked


def test_card_numbers_keep_bin_and_last_four_only_when_luhn_valid():
    assert mask_text("card 4242 4242 4242 4242 ok") == "card 424242******4242 ok"
    assert mask_text("pan=4111-1111-1111-1111") == "pan=411111******1111"
    assert mask_text("order 1234567890123") == "order 1234567890123"  # not a card: fails Luhn


def test_ordinary_numbers_and_ids_stay_readable():
    text = ("amount 100000 KES at 20261125151537 epoch 1764083737000 ws_CO_191220191020363925 "
            "pay_01JD2X5Q8M3K receipt SJK4H7Y2 status 200")
    assert mask_text(text) == text


def test_structured_values_mask_secret_keys_whole_and_text_inside():
    value = {"credentials": {"consumer_key": "x"}, "phone": "+254712345678", "api_key": "sk_test_x",
             "amount": 1000, "nested": [{"password": "p", "note": "call 0712345678"}], "pin": "1234", "ok": None}
    assert mask_value(value) == {"credentials": MASK, "phone": "+254******678", "api_key": MASK, "amount": 1000,
                                 "nested": [{"password": MASK, "note": "call 0******678"}], "pin": MASK,
                                 "ok": None}


def test_filter_masks_message_and_arguments_of_plain_records():
    record = logging.LogRecord("lipwa.x", logging.INFO, __file__, 1, "paying %s with %s", ("+254712345678",
                               "sk_test_abcdefghijklmnopqrs"), None)
    assert MaskingFilter().filter(record)
    assert record.getMessage() == "paying +254******678 with sk_test_****pqrs"


african_codes = st.sampled_from(["254", "255", "256", "250", "233", "234", "229", "263", "260", "27", "20"])


@given(code=african_codes, subscriber=st.from_regex(r"[1-9]\d{8}", fullmatch=True),
       before=st.sampled_from(["", "to ", "phone=", '"msisdn": "', "(", "party "]),
       plus=st.sampled_from(["+", "", "%2B"]))
def test_no_international_number_survives(code, subscriber, before, plus):
    number = code + subscriber
    masked = mask_text(f"{before}{plus}{number} end")
    assert number not in masked
    assert subscriber[-3:] in masked  # the last digits stay, for support


@given(mode=st.sampled_from(["test", "live"]), body=st.from_regex(r"[A-Za-z0-9_-]{16,60}", fullmatch=True),
       before=st.sampled_from(["", "Bearer ", "key=", "invalid API key ", '"authorization": "Bearer ']))
def test_no_api_key_survives(mode, body, before):
    key = f"sk_{mode}_{body}"
    masked = mask_text(f"{before}{key} end")
    assert key not in masked
    assert body[:-4] not in masked or len(body[:-4]) < 4


@given(st.text(max_size=200))
def test_masking_is_idempotent_and_never_fails(text):
    once = mask_text(text)
    assert mask_text(once) == once
