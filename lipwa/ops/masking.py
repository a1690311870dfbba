"""Mask personal data and secrets in everything lipwa logs.

Every log record, ours, Django's, gunicorn's or the task worker's, goes through `mask_text` (messages,
tracebacks) or `mask_value` (structured fields) before it is written. Code should still avoid logging
secrets; this is the net under it. Rules, applied in this order:

- `Authorization` values (`Bearer …`, `Basic …`): only the last 4 characters of a bearer token stay
- API keys `sk_test_…`/`sk_live_…` (also `pk_`, `rk_`): the prefix and the last 4 characters stay
- webhook signing secrets `whsec_…`: the prefix stays
- `name=value` / `"name": "value"` where the name says secret (password, passkey, secret, token, api key…)
- the token in callback URLs (`/hooks/<gateway>/<account>/<token>/`)
- card numbers (13-19 digits passing the Luhn check): the first 6 and the last 4 digits stay
- phone numbers (`+…`, international digits starting with 2, or local `0…`): the country code and the
  last 3 digits stay
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping

from phonenumbers import COUNTRY_CODE_TO_REGION_CODE

MASK = "****"

# Names of fields whose whole value is a secret, in dicts and in `name=value` text.
SECRET_NAME = re.compile(
    r"pass(?:word|wd|key|phrase)?|secret|token|api[_-]?key|apikey|authorization|credential|private[_-]?key"
    r"|encryption[_-]?key|signature|cookie", re.IGNORECASE)
SECRET_NAMES_EXACT = {"pin", "otp", "cvv", "cvc", "key", "hash"}

_AUTH_SCHEME = re.compile(r"\b(Bearer|Token)\s+([A-Za-z0-9._~+/=-]{5,})", re.IGNORECASE)
_BASIC = re.compile(r"\b(Basic)\s+[A-Za-z0-9+/=]{4,}", re.IGNORECASE)
_API_KEY = re.compile(r"\b((?:sk|pk|rk)_(?:test|live)_)([A-Za-z0-9_-]+)")
_WEBHOOK_SECRET = re.compile(r"\b(whsec_)[A-Za-z0-9_-]+")
_NAMED_SECRET = re.compile(
    r"""(?P<name>["']?[\w-]*(?:pass(?:word|wd|key|phrase)?|secret|token|api[_-]?key|apikey|private[_-]?key"""
    r"""|encryption[_-]?key)"""
    r"""[\w-]*["']?)(?P<sep>\s*[:=]\s*)(?P<quote>["']?)"""
    # A comma ends the value only before a space or the next `name=`: "KEYS=new,old" is one value.
    r"""(?P<value>(?:[^"'\s,;&}\])]|,(?!\s|[\w-]+\s*[:=]))+)""", re.IGNORECASE)
_CALLBACK_TOKEN = re.compile(r"(/hooks/[\w-]+/[\w-]+/)([^/\s?\"']+)")
_CARD = re.compile(r"(?<![\w.])(?:\d[ -]?){12,18}\d(?!\w|\.\d)")
# `+` (or its URL encoding) then 7-15 digits; international digits of African numbers (2…, 11-13 digits);
# local numbers (0 then 9 digits).
_PHONE_PLUS = re.compile(r"(?<![\w+])(\+|%2B)(\d{7,15})(?!\d)", re.IGNORECASE)
_PHONE_INTERNATIONAL = re.compile(r"(?<![\w.+%])(2\d{10,12})(?!\w|\.\d)")
_PHONE_LOCAL = re.compile(r"(?<![\w.+%])(0[1-9]\d{8})(?!\w|\.\d)")


def _country_code_length(digits: str) -> int:
    for length in (1, 2, 3):
        if int(digits[:length] or 0) in COUNTRY_CODE_TO_REGION_CODE:
            return length
    return 3


def mask_digits(digits: str, keep_start: int, keep_end: int = 3) -> str:
    hidden = len(digits) - keep_start - keep_end
    if hidden <= 0:
        return "*" * len(digits)
    return digits[:keep_start] + "*" * hidden + digits[-keep_end:]


def _luhn_ok(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def _mask_card(match: re.Match) -> str:
    digits = re.sub(r"\D", "", match.group(0))
    if not 13 <= len(digits) <= 19 or not _luhn_ok(digits):
        return match.group(0)
    return mask_digits(digits, 6, 4)


def _mask_plus_phone(match: re.Match) -> str:
    digits = match.group(2)
    return match.group(1) + mask_digits(digits, _country_code_length(digits))


def _mask_named_secret(match: re.Match) -> str:
    return f"{match['name']}{match['sep']}{match['quote']}{MASK}"


def mask_text(text: str) -> str:
    """`text` with every secret and personal number in it masked."""
    if not text:
        return text
    text = _AUTH_SCHEME.sub(lambda m: f"{m.group(1)} {MASK}{m.group(2)[-4:]}", text)
    text = _BASIC.sub(lambda m: f"{m.group(1)} {MASK}", text)
    text = _API_KEY.sub(lambda m: f"{m.group(1)}{MASK}{m.group(2)[-4:]}", text)
    text = _WEBHOOK_SECRET.sub(lambda m: f"{m.group(1)}{MASK}", text)
    text = _NAMED_SECRET.sub(_mask_named_secret, text)
    text = _CALLBACK_TOKEN.sub(lambda m: f"{m.group(1)}{MASK}", text)
    text = _CARD.sub(_mask_card, text)
    text = _PHONE_PLUS.sub(_mask_plus_phone, text)
    text = _PHONE_INTERNATIONAL.sub(lambda m: mask_digits(m.group(1), _country_code_length(m.group(1))), text)
    return _PHONE_LOCAL.sub(lambda m: mask_digits(m.group(1), 1), text)


def is_secret_name(name: object) -> bool:
    if not isinstance(name, str):
        return False
    return name.lower() in SECRET_NAMES_EXACT or SECRET_NAME.search(name) is not None


def mask_value(value: object, _depth: int = 0) -> object:
    """Mask a structured value: whole values under secret-sounding keys, and text everywhere."""
    if _depth > 8:
        return MASK
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, Mapping):
        return {key: MASK if is_secret_name(key) and item not in (None, "") else mask_value(item, _depth + 1)
                for key, item in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [mask_value(item, _depth + 1) for item in value]
    if isinstance(value, (bytes, bytearray)):
        return mask_text(bytes(value).decode("utf-8", errors="replace"))
    if value is None or isinstance(value, (bool, int, float)):
        return value
    return mask_text(str(value))


# Keys that the log pipeline itself sets; their values are ours, not data to mask.
_PIPELINE_KEYS = {"ts", "level", "logger", "request_id", "merchant_id", "payment_id", "task_id", "pid"}


def mask_event_dict(logger: object, method_name: str, event_dict: dict) -> dict:
    """structlog processor: mask every field of a log entry."""
    for key, value in list(event_dict.items()):
        if key in _PIPELINE_KEYS or key.startswith("_"):
            continue
        if is_secret_name(key) and key != "event" and value not in (None, ""):
            event_dict[key] = MASK
        else:
            event_dict[key] = mask_value(value)
    return event_dict


class MaskingFilter(logging.Filter):
    """For handlers that do not use lipwa's structured formatter: masks the message and its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: log it as it is rather than lose the record
            message = str(record.msg)
        record.msg = mask_text(message)
        record.args = None
        return True
