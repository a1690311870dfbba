"""Prefixed, time-sortable ids: `pay_` + 26 Crockford base32 characters (48-bit ms time, 80-bit random).

Ids minted in the same millisecond by one process stay ordered (the random part is incremented), so a
cursor over ids is a cursor over creation time. An id that is itself a link's secret (a checkout session's
`/pay/<id>`) comes from `new_unguessable_id` instead: its 80 random bits are fresh every time, so holding one
link tells nothing about the next.
"""

from __future__ import annotations

import secrets
import threading
import time

PREFIXES = {
    "payment": "pay", "attempt": "att", "refund": "rfd", "event": "evt", "request": "req",
    "merchant": "mer", "connector_account": "ca", "inbound_webhook": "whi", "api_key": "key",
}
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_lock = threading.Lock()
_last_ms = 0
_last_random = 0


def _encode(value: int, length: int) -> str:
    chars = []
    for _ in range(length):
        value, index = divmod(value, 32)
        chars.append(_ALPHABET[index])
    return "".join(reversed(chars))


def new_id(prefix: str) -> str:
    global _last_ms, _last_random
    with _lock:
        now_ms = time.time_ns() // 1_000_000
        if now_ms <= _last_ms:
            now_ms = _last_ms
            _last_random += 1
            if _last_random >= 1 << 80:
                # The random part is spent for this millisecond; wrapping it to zero would mint an id that sorts
                # before the previous one, so borrow the next millisecond instead.
                now_ms += 1
                _last_random = secrets.randbits(80)
        else:
            _last_random = secrets.randbits(80)
        _last_ms = now_ms
        body = _encode(now_ms, 10) + _encode(_last_random, 16)
    return f"{prefix}_{body}"


def new_unguessable_id(prefix: str) -> str:
    """The same form as `new_id` (sortable by millisecond), with all 80 random bits fresh: ids of one
    millisecond are not ordered among themselves, and none can be derived from another."""
    return f"{prefix}_{_encode(time.time_ns() // 1_000_000, 10)}{_encode(secrets.randbits(80), 16)}"


def has_prefix(value: str, prefix: str) -> bool:
    """True for an id that `new_id(prefix)` could have minted: the prefix, `_`, then 26 Crockford characters."""
    if not isinstance(value, str) or not value.startswith(prefix + "_") or len(value) != len(prefix) + 27:
        return False
    return all(char in _ALPHABET for char in value[len(prefix) + 1:])
