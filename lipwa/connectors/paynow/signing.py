"""Paynow's message hash (PROVIDERS.md 7.4), the only authentication Paynow has, in both directions.

1. Take the message's fields in the order they appear on the wire, leaving out `hash` (any case).
2. Concatenate the values only, exactly as they are after one form-decode of the body.
3. Append the integration key, lower-cased as the official SDK does (keys are lower-case GUIDs).
4. SHA-512 of the UTF-8 bytes, as upper-case hex. Compare case-insensitively.

Outgoing messages are hashed over the raw values that the HTTP layer then form-encodes once, so Paynow's single
decode gives back exactly what was hashed. Pinned by the two worked examples of Paynow's developer hub
("Generating Hash", "Validating Hash") in tests/test_signing.py.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from lipwa.common.crypto import constant_time_equals

HASH_FIELD = "hash"


def message_hash(pairs: Iterable[tuple[str, str]], integration_key: str) -> str:
    """The upper-case hex SHA-512 of the values of `pairs` (wire order, `hash` left out) plus the key."""
    joined = "".join(value for key, value in pairs if key.lower() != HASH_FIELD)
    return hashlib.sha512((joined + integration_key.lower()).encode("utf-8")).hexdigest().upper()


def signed(pairs: list[tuple[str, str]], integration_key: str) -> list[tuple[str, str]]:
    """`pairs` with their hash appended as the last field, as Paynow expects it."""
    return [*pairs, (HASH_FIELD, message_hash(pairs, integration_key))]


def hash_matches(pairs: Iterable[tuple[str, str]], integration_key: str) -> bool:
    """True when the message carries exactly one hash and it is the right one for its other fields.

    A message with two `hash` fields is refused: which one Paynow meant cannot be known.
    """
    pairs = list(pairs)
    received = [value for key, value in pairs if key.lower() == HASH_FIELD]
    if len(received) != 1 or not received[0]:
        return False
    expected = message_hash(pairs, integration_key)
    return constant_time_equals(received[0].strip().upper(), expected)
