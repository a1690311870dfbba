"""MTN MoMo's wire conventions shared by the simulator's views: error bodies, the checks MTN's API gateway makes
before a request reaches the wallet platform, and field parsing.

Two error shapes exist at MTN (PROVIDERS.md 2.1, 2.4): the API gateway's `{"statusCode", "message"}` (subscription
key, token, unknown path) and the platform's `{"code", "message"}`. A bad input is never a 500 of ours.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

from . import state

SUBSCRIPTION_KEY = "sim_subscription_key"
# Real subscription keys are 32 hex digits, and some client libraries check that shape before sending; this
# one is accepted as the same key, so such libraries work unchanged.
SUBSCRIPTION_KEY_HEX = "5151515151515151515151515151515a"
SUBSCRIPTION_KEYS = frozenset({SUBSCRIPTION_KEY, SUBSCRIPTION_KEY_HEX})
MISSING_KEY = ("Access denied due to missing subscription key. Make sure to include subscription key when making "
               "requests to an API.")
INVALID_KEY = ("Access denied due to invalid subscription key. Make sure to provide a valid key for an active "
               "subscription.")
INVALID_TOKEN = "Access token is missing or invalid."

# X-Target-Environment → (currencies it settles in). The sandbox takes EUR only; production the country's
# currency (PROVIDERS.md 2.1, 2.4, 2.11). Liberia's wallets also hold USD (A).
TARGET_ENVIRONMENTS: dict[str, tuple[str, ...]] = {
    "sandbox": ("EUR",), "mtnuganda": ("UGX",), "mtnghana": ("GHS",), "mtnivorycoast": ("XOF",),
    "mtnzambia": ("ZMW",), "mtncameroon": ("XAF",), "mtnbenin": ("XOF",), "mtncongo": ("XAF",),
    "mtnswaziland": ("SZL",), "mtnguineaconakry": ("GNF",), "mtnsouthafrica": ("ZAR",),
    "mtnliberia": ("LRD", "USD"), "mtnsouthsudan": ("SSP",), "mtnnigeria": ("NGN",), "mtnrwanda": ("RWF",),
}
# Currencies without minor units take whole amounts only (PROVIDERS.md 2.4, 2.11); the others up to 2 decimals.
ZERO_DECIMAL_CURRENCIES = frozenset({"UGX", "RWF", "XAF", "XOF", "GNF"})
NOTE_MAX_CHARS = 160
MSISDN = re.compile(r"[1-9][0-9]{7,14}")
PARTY_ID_TYPES = ("MSISDN", "EMAIL", "PARTY_CODE")


class Refused(Exception):
    """A request the simulated MTN refuses; `response` is exactly what it answers."""

    def __init__(self, response: HttpResponse) -> None:
        super().__init__(response.status_code)
        self.response = response


def gateway_error(status: int, message: str) -> JsonResponse:
    """The API gateway's own error body (subscription key, token, unknown path)."""
    return _quiet(JsonResponse({"statusCode": status, "message": message}, status=status))


def platform_error(status: int, code: str, message: str) -> JsonResponse:
    """The wallet platform's error body `{"code", "message"}` (2.4, 2.5)."""
    return _quiet(JsonResponse({"code": code, "message": message}, status=status))


def bad_request(message: str) -> JsonResponse:
    # (P) MTN documents 400 only as "bad headers/UUID/currency/length" with `{"code", "message"}` or an empty
    # body (2.4); the code is ours, the message says exactly which part was refused.
    return platform_error(400, "BAD_REQUEST", message)


def not_found_resource() -> JsonResponse:
    return platform_error(404, "RESOURCE_NOT_FOUND", "Requested resource was not found.")


def duplicate_reference() -> JsonResponse:
    return platform_error(409, "RESOURCE_ALREADY_EXIST", "Duplicated reference id. Creation of resource failed.")


def _quiet(response: HttpResponse) -> HttpResponse:
    if response.status_code >= 500:
        # A simulated 5xx is the simulator working; Django would otherwise log each one as a server error.
        response._has_been_logged = True
    return response


class AfterSendResponse(HttpResponse):
    """A response that runs a hook once the server has written it.

    WSGI servers (and Django's test client) call `close()` after the last byte is sent, so a callback
    started from here can never overtake the response it belongs to.
    """

    def __init__(self, *, status: int, after: Callable[[], object] | None) -> None:
        super().__init__(b"", status=status)
        self._after = after

    def close(self) -> None:
        try:
            super().close()
        finally:
            after, self._after = self._after, None
            if after is not None:
                after()


# -- the API gateway's checks -----------------------------------------------------------------------------


def check_subscription_key(request: HttpRequest) -> None:
    key = request.headers.get("Ocp-Apim-Subscription-Key")
    if not key:
        raise Refused(gateway_error(401, MISSING_KEY))
    if key not in SUBSCRIPTION_KEYS:
        raise Refused(gateway_error(401, INVALID_KEY))


def check_bearer(request: HttpRequest, product: str) -> state.Token:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    found = state.token_get(token.strip(), product) if scheme.lower() == "bearer" else None
    if found is None:
        raise Refused(gateway_error(401, INVALID_TOKEN))
    return found


def check_target_environment(request: HttpRequest, user: state.ApiUser) -> str:
    environment = request.headers.get("X-Target-Environment", "").strip()
    if not environment:
        raise Refused(bad_request("X-Target-Environment header is missing"))
    if environment not in TARGET_ENVIRONMENTS or not user.allows_environment(environment):
        raise Refused(platform_error(500, "NOT_ALLOWED_TARGET_ENVIRONMENT",
                                     "Access to target environment is forbidden."))
    return environment


def authorised(request: HttpRequest, product: str) -> tuple[state.ApiUser, str]:
    """Subscription key, bearer token and target environment, in the order MTN checks them."""
    check_subscription_key(request)
    token = check_bearer(request, product)
    user = state.api_user_get(token.api_user)
    if user is None:  # the user was forgotten (reset) while its token lived on
        raise Refused(gateway_error(401, INVALID_TOKEN))
    return user, check_target_environment(request, user)


def reference_id(request: HttpRequest) -> str:
    """X-Reference-Id must be a UUID version 4 (2.11)."""
    return uuid4_text(request.headers.get("X-Reference-Id", ""), "X-Reference-Id")


def uuid4_text(value: object, name: str) -> str:
    try:
        parsed = uuid.UUID(str(value).strip()) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.version != 4 or parsed.variant != uuid.RFC_4122:
        raise Refused(bad_request(f"{name} must be a UUID version 4"))
    return str(parsed)


def setting_seconds(name: str, default: float) -> float:
    # Read on every call so that tests (and an operator) can change it without a restart.
    try:
        return max(float(getattr(settings, name, default)), 0.0)
    except (TypeError, ValueError):
        return default


# -- the body -----------------------------------------------------------------------------------------------


def json_object(request: HttpRequest) -> dict:
    try:
        body = json.loads(request.body or b"null")
    except (ValueError, RecursionError):
        raise Refused(bad_request("the body is not JSON")) from None
    if not isinstance(body, dict):
        raise Refused(bad_request("the body must be a JSON object"))
    return body


def amount(body: dict) -> Decimal:
    value = body.get("amount")
    if not isinstance(value, str):  # a string on the wire (2.4)
        raise Refused(bad_request("amount must be a string"))
    try:
        parsed = Decimal(value.strip())
    except InvalidOperation:
        raise Refused(bad_request("amount is not a number")) from None
    if not parsed.is_finite() or parsed <= 0 or parsed.as_tuple().exponent < -2:
        raise Refused(bad_request("amount must be positive with at most 2 decimals"))
    return parsed


def currency(body: dict, environment: str, value: Decimal) -> str:
    code = body.get("currency")
    if not isinstance(code, str) or not re.fullmatch(r"[A-Z]{3}", code):
        raise Refused(bad_request("currency must be an ISO 4217 code"))
    if code not in TARGET_ENVIRONMENTS[environment]:
        raise Refused(platform_error(500, "INVALID_CURRENCY", "Currency not supported."))
    if code in ZERO_DECIMAL_CURRENCIES and value != value.to_integral_value():
        raise Refused(bad_request(f"{code} amounts have no decimals"))
    return code


def party(body: dict, field: str) -> dict[str, str]:
    value = body.get(field)
    if not isinstance(value, dict) or value.get("partyIdType") not in PARTY_ID_TYPES:
        raise Refused(bad_request(f"{field}.partyIdType must be one of {', '.join(PARTY_ID_TYPES)}"))
    party_id = value.get("partyId")
    if not isinstance(party_id, str) or not party_id.strip():
        raise Refused(bad_request(f"{field}.partyId is required"))
    if value["partyIdType"] == "MSISDN" and not MSISDN.fullmatch(party_id):
        raise Refused(bad_request(f"{field}.partyId must be an MSISDN with country code, digits only"))
    return {"partyIdType": value["partyIdType"], "partyId": party_id}


def note(body: dict, field: str) -> str:
    value = body.get(field, "")
    if value is None:
        return ""
    if not isinstance(value, str) or len(value) > NOTE_MAX_CHARS:
        raise Refused(bad_request(f"{field} must be a string of at most {NOTE_MAX_CHARS} characters"))
    if "'" in value:  # MTN answers 400 to apostrophes in these fields (2.4)
        raise Refused(bad_request(f"{field} contains a character that is not allowed"))
    return value


def external_id(body: dict) -> str:
    value = body.get("externalId", "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Refused(bad_request("externalId must be a string"))
    return value


def callback_url(request: HttpRequest, user: state.ApiUser) -> str:
    """X-Callback-Url: optional, never empty when present, and on the API user's providerCallbackHost (2.4)."""
    if "X-Callback-Url" not in request.headers:
        return ""
    url = request.headers["X-Callback-Url"].strip()
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        host = None
    if not url or parts.scheme not in ("http", "https") or not host:
        raise Refused(bad_request("X-Callback-Url must be an http(s) URL"))
    if not user.allows_callback_host(host):
        raise Refused(platform_error(500, "INVALID_CALLBACK_URL_HOST",
                                     "Callback URL with different host name than configured for API User"))
    return url
