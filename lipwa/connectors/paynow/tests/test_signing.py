"""The hash (PROVIDERS.md 7.4), pinned by the worked examples of Paynow's developer hub.

"Generating Hash" and "Validating Hash" publish an integration key, a message and the hash Paynow expects; both
examples are reproduced here byte for byte, and so is the official Python SDK's encoding trap.
"""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, quote_plus, urlencode

from lipwa.connectors.paynow.mapping import FormMessage
from lipwa.connectors.paynow.signing import hash_matches, message_hash, signed

from .stub import fixture

DOCS_KEY = "3e9fed89-60e1-4ce5-ab6e-6b1eb2d4f977"
# "Generating a hash for an outbound message": the fields in the order the page lists them.
DOCS_OUTBOUND = [
    ("id", "1201"), ("reference", "TEST REF"), ("amount", "99.99"), ("additionalinfo", "A test ticket transaction"),
    ("returnurl", "http://www.google.com/search?q=returnurl"), ("resulturl", "http://www.google.com/search?q=resulturl"),
    ("status", "Message"),
]
DOCS_OUTBOUND_HASH = ("2A033FC38798D913D42ECB786B9B19645ADEDBDE788862032F1BD82CF3B92DEF"
                      "84F316385D5B40DBB35F1A4FD7D5BFE73835174136463CDD48C9366B0749C689")
DOCS_INBOUND_HASH = ("750DD0B0DF374678707BB5AF915AF81C228B9058AD57BB7120569EC68BBB9C2E"
                     "FC1B26C6375D2BC562AC909B3CD6B2AF1D42E1A5E479FFAC8F4FB3FDCE71DF4D")


def test_outbound_known_answer_from_paynows_docs():
    assert message_hash(DOCS_OUTBOUND, DOCS_KEY) == DOCS_OUTBOUND_HASH
    # Written out by hand too, as the page does: the values joined, then the key.
    joined = ("1201TEST REF99.99A test ticket transactionhttp://www.google.com/search?q=returnurl"
              "http://www.google.com/search?q=resulturlMessage" + DOCS_KEY)
    assert hashlib.sha512(joined.encode()).hexdigest().upper() == DOCS_OUTBOUND_HASH


def test_signed_appends_the_hash_last():
    pairs = signed(list(DOCS_OUTBOUND), DOCS_KEY)
    assert pairs[:-1] == DOCS_OUTBOUND
    assert pairs[-1] == ("hash", DOCS_OUTBOUND_HASH)


def test_inbound_known_answer_from_paynows_docs():
    body = fixture("initiate__web_ok")["body"]
    message = FormMessage.decode(body)
    assert message.get("hash") == DOCS_INBOUND_HASH
    assert message.get("pollurl") == ("https://staging.paynow.co.zw/Interface/CheckPayment/"
                                      "?guid=c7ed41da-0159-46da-b428-69549f770413")
    assert message_hash(message.pairs, DOCS_KEY) == DOCS_INBOUND_HASH
    assert hash_matches(message.pairs, DOCS_KEY)


def test_the_key_is_lower_cased_like_the_official_sdk():
    assert message_hash(DOCS_OUTBOUND, DOCS_KEY.upper()) == DOCS_OUTBOUND_HASH


def test_the_hash_compares_case_insensitively_and_ignores_the_hash_fields_case():
    lower = [*DOCS_OUTBOUND, ("HASH", DOCS_OUTBOUND_HASH.lower())]
    assert hash_matches(lower, DOCS_KEY)


def test_the_order_of_the_fields_matters():
    swapped = [DOCS_OUTBOUND[1], DOCS_OUTBOUND[0], *DOCS_OUTBOUND[2:], ("hash", DOCS_OUTBOUND_HASH)]
    assert not hash_matches(swapped, DOCS_KEY)


def test_a_missing_empty_or_repeated_hash_never_matches():
    assert not hash_matches(DOCS_OUTBOUND, DOCS_KEY)
    assert not hash_matches([*DOCS_OUTBOUND, ("hash", "")], DOCS_KEY)
    assert not hash_matches([*DOCS_OUTBOUND, ("hash", DOCS_OUTBOUND_HASH), ("hash", DOCS_OUTBOUND_HASH)], DOCS_KEY)
    assert not hash_matches([*DOCS_OUTBOUND, ("hash", DOCS_OUTBOUND_HASH)], "another-key")


def test_the_official_sdks_double_encoding_verifies_over_once_decoded_values():
    """The SDK quote_plus-encodes values (not the URLs) before hashing, then requests encodes them again
    (PROVIDERS.md 7.4). Decoding once gives back what the SDK hashed, so the hash verifies."""
    values = {"reference": "INV 1", "amount": "10.0", "id": "1201", "additionalinfo": "Honey, ",
              "authemail": "buyer@example.com", "status": "Message"}
    body = {key: quote_plus(value) for key, value in values.items()}
    body["resulturl"] = "http://shop.example/result?x=1"
    body["returnurl"] = "http://shop.example/return"
    sdk_hash = hashlib.sha512(("".join(body.values()) + DOCS_KEY.lower()).encode()).hexdigest().upper()
    wire = urlencode([*body.items(), ("hash", sdk_hash)])
    once = parse_qsl(wire, keep_blank_values=True)
    assert dict(once)["reference"] == "INV+1" and dict(once)["authemail"] == "buyer%40example.com"
    assert hash_matches(once, DOCS_KEY)
    twice = [(key, value.replace("+", " ").replace("%40", "@")) for key, value in once]
    assert not hash_matches(twice, DOCS_KEY), "decoding twice breaks the hash, as it does at Paynow"


def test_utf8_values_are_hashed_as_utf8():
    pairs = [("reference", "Café 7"), ("status", "Message")]
    expected = hashlib.sha512(("Café 7Message" + DOCS_KEY).encode("utf-8")).hexdigest().upper()
    assert message_hash(pairs, DOCS_KEY) == expected
