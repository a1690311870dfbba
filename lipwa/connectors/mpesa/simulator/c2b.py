"""C2B in the Daraja simulator: register URLs, and the sandbox-only simulate (PROVIDERS.md 1.7).

    POST mpesa/c2b/v1|v2/registerurl  {ShortCode, ResponseType, ConfirmationURL, ValidationURL}
    POST mpesa/c2b/v1|v2/simulate     {ShortCode, CommandID, Amount, Msisdn, BillRefNumber}

Both answer `{"OriginatorCoversationID", "ResponseCode": "0", "ResponseDescription"}`, with Safaricom's
misspelt key. After a simulate, once its response is written and the delay has passed, the confirmation is
POSTed to the shortcode's registered ConfirmationURL with every value a string. The v1 confirmation carries
MSISDN as the SHA-256 hex of the number, v2 a masked number (`2547 ***** 149`).

Not modelled: the validation call (External Validation is off on a shortcode unless Safaricom enables it,
so ResponseType never comes into play), production's register-once rule, and real payer names. A simulate
for a shortcode with no registered URLs is accepted and nothing is POSTed, which is what the sandbox does
when URLs were not registered first.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from lipwa.common import clock
from lipwa.common.phones import mask_phone

from . import callbacks, state, wire

log = logging.getLogger("lipwa.simulators.mpesa")

TRANSACTION_TYPES = {"CustomerPayBillOnline": "Pay Bill", "CustomerBuyGoodsOnline": "Buy Goods"}
RESPONSE_TYPES = {"completed": "Completed", "cancelled": "Cancelled"}
# The sandbox's simulated payer; real confirmations carry the customer's registered names.
PAYER_NAMES = ("NICHOLAS", "", "")


@csrf_exempt
def register_url(request: HttpRequest, version: str) -> JsonResponse:
    refusal = wire.refuse_unauthorised_post(request)
    if refusal is not None:
        return refusal
    try:
        body = wire.json_object(request, "ShortCode")
        shortcode = wire.matching(body, "ShortCode", wire.SHORTCODE)
        response_type = RESPONSE_TYPES.get(str(body.get("ResponseType", "")).lower())
        if response_type is None:
            raise wire.Invalid("ResponseType")
        registration = state.C2bRegistration(
            shortcode=shortcode, response_type=response_type,
            confirmation_url=wire.http_url(body, "ConfirmationURL"),
            validation_url=wire.http_url(body, "ValidationURL"),
        )
    except wire.Invalid as invalid:
        return wire.bad_request(invalid.field)
    state.c2b_register(registration)
    return JsonResponse({"OriginatorCoversationID": state.new_conversation_id(), "ResponseCode": "0",
                         "ResponseDescription": "success"})


@csrf_exempt
def simulate(request: HttpRequest, version: str) -> JsonResponse:
    refusal = wire.refuse_unauthorised_post(request)
    if refusal is not None:
        return refusal
    try:
        body = wire.json_object(request, "ShortCode")
        shortcode = wire.matching(body, "ShortCode", wire.SHORTCODE)
        command = body.get("CommandID")
        if command not in TRANSACTION_TYPES:
            raise wire.Invalid("CommandID")
        amount = wire.amount(body)
        # The docs spell it Msisdn; several clients send MSISDN.
        msisdn_field = "Msisdn" if "Msisdn" in body or "MSISDN" not in body else "MSISDN"
        msisdn = wire.matching(body, msisdn_field, wire.MSISDN)
        bill_ref = wire.text(body, "BillRefNumber", required=False)
    except wire.Invalid as invalid:
        return wire.bad_request(invalid.field)
    registration = state.c2b_registration(shortcode)
    after = None
    if registration is None:
        log.warning("mpesa simulator: C2B simulate for %s, which has no registered URLs; nothing is sent", shortcode)
    else:
        confirmation = confirmation_body(version=version, shortcode=shortcode, command=command, amount=amount,
                                         msisdn=msisdn, bill_ref=bill_ref)
        delay_seconds = wire.setting_seconds("LIPWA_SIMULATOR_DELAY_SECONDS", 2.0)
        after = functools.partial(callbacks.schedule_body, confirmation["TransID"], registration.confirmation_url,
                                  json.dumps(confirmation).encode(), delay_seconds)
        log.info("mpesa simulator: C2B %s from %s to %s", confirmation["TransID"], mask_phone(msisdn), shortcode)
    return wire.AfterSendResponse({"OriginatorCoversationID": state.new_conversation_id(), "ResponseCode": "0",
                                   "ResponseDescription": "Accept the service request successfully."}, after=after)


def confirmation_body(*, version: str, shortcode: str, command: str, amount: int, msisdn: str,
                      bill_ref: str) -> dict[str, str]:
    """The confirmation M-Pesa POSTs for a C2B payment; it also credits the shortcode's balance."""
    now = clock.now()
    balance = state.c2b_credit(shortcode, amount)
    first, middle, last = PAYER_NAMES
    return {
        "TransactionType": TRANSACTION_TYPES[command],
        "TransID": state.new_receipt_number(now),
        "TransTime": now.astimezone(state.EAT).strftime("%Y%m%d%H%M%S"),
        "TransAmount": f"{amount}.00",
        "BusinessShortCode": shortcode,
        "BillRefNumber": bill_ref,
        "InvoiceNumber": "",
        "OrgAccountBalance": f"{balance}.00",
        "ThirdPartyTransID": "",
        "MSISDN": _msisdn_as_sent(version, msisdn),
        "FirstName": first,
        "MiddleName": middle,
        "LastName": last,
    }


def _msisdn_as_sent(version: str, msisdn: str) -> str:
    # C2B never reveals the payer's number: v1 hashes it, v2 masks it (PROVIDERS.md 1.7).
    if version == "v1":
        return hashlib.sha256(msisdn.encode()).hexdigest()
    return f"{msisdn[:4]} ***** {msisdn[-3:]}"
