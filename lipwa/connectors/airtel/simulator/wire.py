"""Airtel's wire conventions shared by the simulator's views: the status envelope, auth and header checks,
body parsing and the verification of signed (v2) requests.

Every answer carries Airtel's `status` block; a bad input is never a 500 of ours.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.asymmetric import padding as asymmetric_padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.http import HttpRequest, JsonResponse

from . import state

# PROVIDERS.md §3.9.
COUNTRY_CURRENCIES = {
    "UG": {"UGX"}, "KE": {"KES"}, "TZ": {"TZS"}, "RW": {"RWF"}, "ZM": {"ZMW"}, "MW": {"MWK"}, "CD": {"CDF", "USD"},
    "CG": {"XAF"}, "GA": {"XAF"}, "NE": {"XOF"}, "NG": {"NGN"}, "TD": {"XAF"}, "MG": {"MGA"}, "SC": {"SCR"},
}
# Zero-decimal currencies must be whole (§3.9, with MGA); the others take at most two decimals (ISO 4217).
WHOLE_CURRENCIES = {"UGX", "RWF", "XAF", "XOF", "MGA"}
# National numbers without the country code (§3.4, §3.9): 7 digits (SC) to 10 (NG).
MSISDN = re.compile(r"[0-9]{7,10}")
OK_RESULT_CODE = "ESB000010"


class Invalid(Exception):
    """A request Airtel refuses before processing it; `message` says which field."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def status_block(*, code: str = "200", message: str = "SUCCESS", response_code: str | None = None,
                 success: bool = True, result_code: str | None = OK_RESULT_CODE) -> dict:
    block: dict[str, object] = {"code": code, "message": message}
    if result_code:
        block["result_code"] = result_code
    if response_code:
        block["response_code"] = response_code
    block["success"] = success
    return block


def answer(data: dict, *, http_status: int = 200, **status_fields) -> JsonResponse:
    response = JsonResponse({"data": data, "status": status_block(**status_fields)}, status=http_status)
    if http_status >= 500:
        # A simulated 5xx (scenario 006) is the simulator working; Django would otherwise log an "Internal Server
        # Error", which sends people hunting for a crash that did not happen.
        response._has_been_logged = True
    return response


def refusal(response_code: str, message: str, *, http_status: int = 200) -> JsonResponse:
    """A business refusal: HTTP 200 with `success: false` and a DP code (§3.4)."""
    return answer({}, http_status=http_status, code=str(http_status), message=message, response_code=response_code,
                  success=False, result_code=None)


def bad_request(message: str) -> JsonResponse:
    """A malformed request (A: Airtel documents no body for these; this is its status block without a code)."""
    return answer({}, http_status=400, code="400", message=message, success=False, result_code=None)


def unauthorised() -> JsonResponse:
    # (A) Airtel's gateway answers an invalid or expired bearer with HTTP 401; clients refresh on 401 (§3.2).
    return JsonResponse({"error": "invalid_token", "error_description": "The access token is invalid or has expired"},
                        status=401)


class AfterSendResponse(JsonResponse):
    """A response that runs a hook once the server has written it.

    WSGI servers (and Django's test client) call `close()` after the last byte is sent, so a callback started
    from here can never overtake the response it belongs to.
    """

    def __init__(self, data: dict, *, after: Callable[[], object] | None, **kwargs) -> None:
        super().__init__(data, **kwargs)
        self._after = after

    def close(self) -> None:
        try:
            super().close()
        finally:
            after, self._after = self._after, None
            if after is not None:
                after()


def authorised_client(request: HttpRequest) -> str | None:
    """The client id the request's bearer token was issued to, or None."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer":
        return None
    return state.token_client(token.strip())


def country_and_currency(request: HttpRequest) -> tuple[str, str]:
    country = request.headers.get("X-Country", "").strip().upper()
    currency = request.headers.get("X-Currency", "").strip().upper()
    if country not in COUNTRY_CURRENCIES:
        raise Invalid("Invalid X-Country")
    if currency not in COUNTRY_CURRENCIES[country]:
        raise Invalid("Invalid X-Currency")
    return country, currency


def json_object(request: HttpRequest) -> dict:
    try:
        body = json.loads(request.body)
    except (ValueError, RecursionError):
        raise Invalid("Invalid request body") from None
    if not isinstance(body, dict):
        raise Invalid("Invalid request body")
    return body


def obj(body: dict, key: str) -> dict:
    value = body.get(key)
    if not isinstance(value, dict):
        raise Invalid(f"Invalid {key}")
    return value


def text(body: dict, key: str, where: str, *, required: bool = True) -> str:
    value = body.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise Invalid(f"Invalid {where}.{key}" if where else f"Invalid {key}")
    return value.strip()


def msisdn(body: dict, where: str) -> str:
    value = body.get("msisdn")
    value = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if not isinstance(value, str) or not MSISDN.fullmatch(value.strip()):
        # A number with the country code is refused: "Do not send country code in msisdn" (§3.4).
        raise Invalid(f"Invalid {where}.msisdn")
    return value.strip()


def amount(body: dict, currency: str) -> Decimal:
    value = body.get("amount")
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise Invalid("Invalid transaction.amount")
    try:
        parsed = Decimal(str(value).strip())
    except InvalidOperation:
        raise Invalid("Invalid transaction.amount") from None
    places = 0 if currency in WHOLE_CURRENCIES else 2
    if not parsed.is_finite() or parsed <= 0 or parsed != parsed.quantize(Decimal(1).scaleb(-places)):
        raise Invalid("Invalid transaction.amount")
    return Decimal(int(parsed)) if parsed == parsed.to_integral_value() else parsed


def setting_seconds(name: str, default: float) -> float:
    # Read on every call so that tests (and an operator) can change it without a restart.
    try:
        return max(float(getattr(settings, name, default)), 0.0)
    except (TypeError, ValueError):
        return default


# -- signed requests (§3.3) ---------------------------------------------------------------------------------


def signature_matches(request: HttpRequest) -> bool:
    """Decrypt `x-key` with the simulator's private key, then `x-signature` with the AES key and IV it holds,
    and compare with the body's exact bytes."""
    x_signature, x_key = request.headers.get("x-signature", ""), request.headers.get("x-key", "")
    if not x_signature or not x_key:
        return False
    try:
        material = state.private_key().decrypt(base64.b64decode(x_key, validate=True),
                                               asymmetric_padding.PKCS1v15()).decode("ascii")
        key_b64, colon, iv_b64 = material.partition(":")
        key, iv = base64.b64decode(key_b64, validate=True), base64.b64decode(iv_b64, validate=True)
        if not colon or len(key) != 32 or len(iv) != 16:
            return False
        decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        padded = decryptor.update(base64.b64decode(x_signature, validate=True)) + decryptor.finalize()
        unpadder = padding.PKCS7(algorithms.AES.block_size).unpadder()
        plaintext = unpadder.update(padded) + unpadder.finalize()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return False
    return plaintext == request.body


def decrypt_pin(encrypted: str) -> str | None:
    try:
        return state.private_key().decrypt(base64.b64decode(encrypted, validate=True),
                                           asymmetric_padding.PKCS1v15()).decode("ascii")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
