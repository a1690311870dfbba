"""HTTP views of the MTN MoMo simulator: sandbox provisioning, tokens, account holders, unknown paths
(PROVIDERS.md 2.2, 2.3, 2.9). Request to pay, transfers and refunds are in `operations`.
"""

from __future__ import annotations

import base64
import binascii
import functools
import logging
from collections.abc import Callable
from hmac import compare_digest

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from lipwa.common.phones import mask_phone

from . import scenarios, state, wire

log = logging.getLogger("lipwa.simulators.mtn_momo")

NOT_FOUND_MESSAGE = "Resource not found"


def mtn_view(*methods: str) -> Callable:
    """CSRF-exempt; other methods get the API gateway's 404 (it matches operations by method and path);
    a `wire.Refused` raised anywhere becomes the response it carries."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in methods:
                return wire.gateway_error(404, NOT_FOUND_MESSAGE)
            try:
                return view(request, *args, **kwargs)
            except wire.Refused as refused:
                return refused.response

        return wrapper

    return decorate


# -- provisioning (sandbox only, 2.2) ------------------------------------------------------------------------


@mtn_view("POST")
def api_user_create(request: HttpRequest) -> HttpResponse:
    """`POST /v1_0/apiuser` with `X-Reference-Id` (the new user's id) and `{"providerCallbackHost"}` → 201."""
    wire.check_subscription_key(request)
    api_user = wire.reference_id(request)
    body = wire.json_object(request)
    host = body.get("providerCallbackHost")
    if not isinstance(host, str) or not host.strip():
        raise wire.Refused(wire.bad_request("providerCallbackHost is required"))
    if not state.api_user_create(api_user, host.strip()):
        return wire.duplicate_reference()
    log.info("mtn_momo simulator: API user %s created for callback host %s", api_user, host)
    return HttpResponse(status=201)


@mtn_view("GET")
def api_user_get(request: HttpRequest, api_user: str) -> HttpResponse:
    wire.check_subscription_key(request)
    user = state.api_user_get(api_user)
    # The pre-provisioned sim_key user is, like a production user from the partner portal, not readable here.
    if user is None or user.provider_callback_host is None:
        return wire.not_found_resource()
    return JsonResponse({"providerCallbackHost": user.provider_callback_host,
                         "targetEnvironment": user.target_environment})


@mtn_view("POST")
def api_key_create(request: HttpRequest, api_user: str) -> HttpResponse:
    wire.check_subscription_key(request)
    key = state.api_key_create(api_user)
    if key is None:
        return wire.not_found_resource()
    return JsonResponse({"apiKey": key}, status=201)


# -- tokens (2.3) -----------------------------------------------------------------------------------------


@mtn_view("POST")
def token(request: HttpRequest, product: str) -> HttpResponse:
    """`POST /<product>/token/` with Basic api_user:api_key; a body, if any, and X-Target-Environment are ignored."""
    wire.check_subscription_key(request)
    credentials = _basic_credentials(request.headers.get("Authorization", ""))
    user = state.api_user_get(credentials[0]) if credentials else None
    if user is None or user.api_key is None or not compare_digest(credentials[1].encode(), user.api_key.encode()):
        # (A) PROVIDERS.md 2.3: `{"error": "login_failed"}`-style body.
        return JsonResponse({"error": "login_failed"}, status=401)
    return JsonResponse({"access_token": state.token_issue(product, user.api_user), "token_type": "access_token",
                         "expires_in": state.TOKEN_LIFETIME_SECONDS})


def _basic_credentials(header: str) -> tuple[str, str] | None:
    scheme, _, encoded = header.partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    api_user, colon, api_key = decoded.partition(":")
    return (api_user, api_key) if colon else None


# -- account holders (2.9) ---------------------------------------------------------------------------------


@mtn_view("GET")
def account_holder_active(request: HttpRequest, msisdn: str) -> HttpResponse:
    wire.authorised(request, "collection")
    status, body = scenarios.account_holder_answer(msisdn)
    log.info("mtn_momo simulator: account holder %s -> %s", mask_phone(msisdn), status)
    return wire.platform_error(status, body["code"], body["message"]) if "code" in body else JsonResponse(body)


@mtn_view("GET")
def basic_user_info(request: HttpRequest, msisdn: str) -> HttpResponse:
    """(A) field names per PROVIDERS.md 2.9; the name is made up from the number so tests can predict it."""
    wire.authorised(request, "collection")
    status, body = scenarios.account_holder_answer(msisdn)
    if "code" in body:
        return wire.platform_error(status, body["code"], body["message"])
    return JsonResponse({"given_name": "Sim", "family_name": f"Customer {msisdn[-3:]}"})


@csrf_exempt
def not_found(request: HttpRequest, path: str = "") -> HttpResponse:
    """Any other path under the simulator answers as MTN's API gateway does for an unknown operation."""
    return wire.gateway_error(404, NOT_FOUND_MESSAGE)
