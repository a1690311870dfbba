"""Verify `Lipwa-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]` and parse the event (docs/webhooks.md).

Each v1 is the hex HMAC-SHA256 of "<t>.<raw body>" keyed with the endpoint's whole `whsec_…` secret; during a
secret rotation the header carries one v1 per active secret, and any match is enough. The rules mirror
lipwa.webhooks_out.signing exactly (the SDK does not import lipwa; the tests check both on the same vectors).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from .errors import LipwaError

HEADER = "Lipwa-Signature"
SCHEME = "v1"
DEFAULT_TOLERANCE = 300
_HEX_DIGITS = frozenset("0123456789abcdef")


class SignatureVerificationError(LipwaError):
    """The delivery cannot be trusted. `code` says why: missing_header, malformed_header,
    timestamp_outside_tolerance, no_matching_signature or invalid_payload."""

    def __init__(self, message: str, code: str, header: str | None = None) -> None:
        super().__init__(message, type="signature_verification_error", code=code)
        self.header = header


def compute_signature(payload: bytes | str, secret: str, timestamp: int) -> str:
    message = str(int(timestamp)).encode() + b"." + _as_bytes(payload)
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(payload: bytes | str, secrets: list[str], timestamp: int) -> str:
    """A header as lipwa would send it; for your own receiver's tests."""
    if not secrets:
        raise ValueError("at least one signing secret is needed")
    return ",".join([f"t={int(timestamp)}"] + [f"{SCHEME}={compute_signature(payload, s, timestamp)}"
                                                for s in secrets])


def verify_header(payload: bytes | str, header: str | None, secret: str, tolerance: float | None = DEFAULT_TOLERANCE,
                  now: float | None = None) -> int:
    """Returns the signed timestamp, or raises SignatureVerificationError. `tolerance=None` skips the age
    check (for stored deliveries in your own tests); `now` defaults to this machine's clock."""
    timestamp, signatures = _parse_header(header)
    if tolerance is not None:
        current = time.time() if now is None else now
        if abs(current - timestamp) > tolerance:
            raise SignatureVerificationError(
                f"{HEADER} timestamp {timestamp} is {int(current - timestamp)} s from now; "
                f"the tolerance is {tolerance:g} s", "timestamp_outside_tolerance", header)
    expected = compute_signature(payload, secret, timestamp)
    matched = False
    for candidate in signatures:  # no early exit: timing must not tell which signature matched
        matched |= hmac.compare_digest(expected, candidate)
    if not matched:
        raise SignatureVerificationError(f"no {SCHEME} signature in {HEADER} matches this secret and body",
                                         "no_matching_signature", header)
    return timestamp


def construct_event(payload: bytes | str, header: str | None, secret: str, tolerance: float | None = DEFAULT_TOLERANCE,
                    now: float | None = None) -> dict[str, Any]:
    """Verify a delivery and return its event. Pass the raw body exactly as received: re-serialised JSON
    will not match the signature."""
    verify_header(payload, header, secret, tolerance=tolerance, now=now)
    try:
        event = json.loads(_as_bytes(payload))
    except (ValueError, UnicodeDecodeError) as error:
        raise SignatureVerificationError(f"the signed body is not JSON: {error}", "invalid_payload", header) from error
    if not isinstance(event, dict):
        raise SignatureVerificationError("the signed body is not a JSON object", "invalid_payload", header)
    return event


def _parse_header(header: str | None) -> tuple[int, list[str]]:
    # Schemes other than v1 are ignored, so a future scheme can be added beside v1 without breaking receivers.
    if header is None or not header.strip():
        raise SignatureVerificationError(f"no {HEADER} header", "missing_header", header)
    timestamp: int | None = None
    signatures: list[str] = []
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if not sep:
            raise _malformed(f"{HEADER} item {item.strip()!r} is not key=value", header)
        if key == "t":
            if timestamp is not None or not value.isascii() or not value.isdigit() or len(value) > 12:
                raise _malformed(f"{HEADER} must carry one t=<unix seconds>", header)
            timestamp = int(value)
        elif key == SCHEME:
            if len(value) != 64 or not set(value) <= _HEX_DIGITS:
                raise _malformed(f"{HEADER} {SCHEME} signature is not 64 lower-case hex digits", header)
            signatures.append(value)
    if timestamp is None:
        raise _malformed(f"{HEADER} has no t=<unix seconds>", header)
    if not signatures:
        raise _malformed(f"{HEADER} has no {SCHEME}= signature", header)
    return timestamp, signatures


def _malformed(message: str, header: str | None) -> SignatureVerificationError:
    return SignatureVerificationError(message, "malformed_header", header)


def _as_bytes(value: bytes | str) -> bytes:
    return value.encode() if isinstance(value, str) else bytes(value)
