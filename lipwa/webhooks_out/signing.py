"""Signatures of merchant webhooks: `Lipwa-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]` (DESIGN.md §6).

Each `v1` is the hex HMAC-SHA256 of `"<t>.<raw body>"`, keyed with the endpoint's signing secret (the whole
`whsec_…` string as UTF-8). While a rotated secret is still in its overlap window the header carries one `v1`
per active secret, newest first, so a receiver holding either secret accepts the delivery.

This module uses the standard library only, so that the SDK and merchants' own receivers can copy it
unchanged; lipwa's clock is deliberately not used here (a receiver checks against its own wall clock).
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Sequence

HEADER = "Lipwa-Signature"
SCHEME = "v1"
DEFAULT_TOLERANCE_SECONDS = 300
_HEX_DIGITS = frozenset("0123456789abcdef")


class SignatureError(ValueError):
    """The delivery cannot be trusted; the subclass says why."""


class MissingSignatureHeader(SignatureError):
    pass


class MalformedSignatureHeader(SignatureError):
    pass


class TimestampOutsideTolerance(SignatureError):
    pass


class NoMatchingSignature(SignatureError):
    pass


def _as_bytes(value: bytes | str) -> bytes:
    return value.encode() if isinstance(value, str) else bytes(value)


def compute_signature(payload: bytes | str, secret: str, timestamp: int) -> str:
    """The hex HMAC-SHA256 of `"<timestamp>.<payload>"` keyed with `secret`."""
    message = str(int(timestamp)).encode() + b"." + _as_bytes(payload)
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(payload: bytes | str, secrets: Sequence[str], timestamp: int) -> str:
    """The header value for `payload`, signed with every secret in `secrets` (newest first)."""
    if not secrets:
        raise ValueError("at least one signing secret is needed")
    parts = [f"t={int(timestamp)}"]
    parts += [f"{SCHEME}={compute_signature(payload, secret, timestamp)}" for secret in secrets]
    return ",".join(parts)


def parse_header(header: str | None) -> tuple[int, list[str]]:
    """Split a header into its timestamp and its v1 signatures; schemes other than v1 are ignored so that a
    future scheme can be added beside v1 without breaking receivers."""
    if header is None or not header.strip():
        raise MissingSignatureHeader(f"no {HEADER} header")
    timestamp: int | None = None
    signatures: list[str] = []
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if not sep:
            raise MalformedSignatureHeader(f"{HEADER} item {item.strip()!r} is not key=value")
        if key == "t":
            if timestamp is not None or not value.isascii() or not value.isdigit() or len(value) > 12:
                raise MalformedSignatureHeader(f"{HEADER} must carry one t=<unix seconds>")
            timestamp = int(value)
        elif key == SCHEME:
            if len(value) != 64 or not set(value) <= _HEX_DIGITS:
                raise MalformedSignatureHeader(f"{HEADER} {SCHEME} signature is not 64 lower-case hex digits")
            signatures.append(value)
    if timestamp is None:
        raise MalformedSignatureHeader(f"{HEADER} has no t=<unix seconds>")
    if not signatures:
        raise MalformedSignatureHeader(f"{HEADER} has no {SCHEME}= signature")
    return timestamp, signatures


def verify_signature(payload: bytes | str, header: str | None, secret: str,
                     tolerance_seconds: float | None = DEFAULT_TOLERANCE_SECONDS, now: float | None = None) -> int:
    """Check a delivery: returns its timestamp, or raises the SignatureError subclass naming the problem.

    `payload` must be the raw body as received (re-serialised JSON will not match). A timestamp further than
    `tolerance_seconds` from `now` either way is refused, which bounds replays of a captured delivery;
    pass None to skip that check (for example when replaying stored deliveries in your own tests).
    """
    timestamp, signatures = parse_header(header)
    if tolerance_seconds is not None:
        current = time.time() if now is None else now
        if abs(current - timestamp) > tolerance_seconds:
            raise TimestampOutsideTolerance(
                f"{HEADER} timestamp {timestamp} is {int(current - timestamp)} s from now; "
                f"the tolerance is {tolerance_seconds:g} s")
    expected = compute_signature(payload, secret, timestamp)
    # Compare with every signature (no early exit) so timing does not tell which one matched.
    matched = False
    for candidate in signatures:
        matched |= hmac.compare_digest(expected, candidate)
    if not matched:
        raise NoMatchingSignature(f"no {SCHEME} signature in {HEADER} matches this secret and body")
    return timestamp
