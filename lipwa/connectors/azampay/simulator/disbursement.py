"""HTTP views of the AzamPay simulator's disbursement host (PROVIDERS.md 4.7).

    POST /api/v1/azampay/disburse            {source, destination, transferDetails, externalReferenceId, remarks}
    GET  /api/v1/azampay/transactionstatus   ?pgReferenceId=&bankName=[&externalId=]
    POST /api/v1/azampay/namelookup          {bankName, accountNumber}

The status endpoint answers for disbursements and, by the project's (P) contract (4.7), for checkouts too:
`pgReferenceId` may be AzamPay's `transactionId` or the merchant's own `externalId`/`externalReferenceId`, so
that a checkout whose answer was lost can still be found.
"""

from __future__ import annotations

import logging
import time

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from lipwa.common import clock
from lipwa.common.phones import mask_phone

from . import scenarios, state, wire

log = logging.getLogger("lipwa.simulators.azampay")

DEFAULT_DELAY_SECONDS = 2.0
DEFAULT_HANG_SECONDS = 35.0
_PARTY_FIELDS = ("countryCode", "fullName", "bankName", "accountNumber")


@csrf_exempt
def disburse(request: HttpRequest) -> HttpResponse:
    refusal = wire.refuse_unauthorised(request, "POST")
    if refusal is not None:
        return refusal
    try:
        body = wire.json_object(request)
    except wire.BadBody:
        return wire.unreadable_body()
    fields = wire.Fields(body)
    _party(fields, body, "source")
    destination = _party(fields, body, "destination")
    transfer = wire.Fields(body.get("transferDetails"), "transferDetails")
    transfer.text("type")
    amount = transfer.amount()
    transfer.text("date")
    reference = fields.text("externalReferenceId", max_chars=128)
    fields.text("remarks", required=False)
    errors = {**fields.errors, **transfer.errors}
    if errors:
        return wire.problem(errors)
    account = destination["accountNumber"]
    outcome = scenarios.outcome_for_payout(account)
    if outcome.initiate_fails:
        return wire.envelope(503, "Service temporarily unavailable")  # 006: refused before processing
    delay_seconds = wire.setting_seconds("LIPWA_SIMULATOR_DELAY_SECONDS", DEFAULT_DELAY_SECONDS)
    created = state.disbursement_create(reference=reference, provider=destination["bankName"], account_number=account,
                                        amount=amount, scenario=outcome.scenario, status=outcome.status,
                                        message=outcome.message, delay_seconds=delay_seconds)
    if created is None:
        return wire.envelope(400, f"Duplicate externalReferenceId {reference}")  # (P): an id is used once
    log.info("azampay simulator: disbursement %s to %s, scenario %s", reference, mask_phone(account),
             outcome.scenario)
    if outcome.initiate_hangs:
        time.sleep(wire.setting_seconds("LIPWA_SIMULATOR_HANG_SECONDS", DEFAULT_HANG_SECONDS))
    # (P) `data` is the status, "pending" until the status query says otherwise (4.7: meaning of data A).
    return JsonResponse({"data": scenarios.PENDING, "message": "Disbursement request accepted", "success": True,
                         "statusCode": 200})


def _party(fields: wire.Fields, body: dict, name: str) -> dict[str, str]:
    party = wire.Fields(body.get(name), name)
    values = {key: party.text(key) for key in _PARTY_FIELDS}
    currency = party.text("currency")
    if currency and currency != "TZS":
        party.fail("currency", "The currency field must be TZS.")
    if values["accountNumber"] and not values["accountNumber"].isdigit():
        party.fail("accountNumber", "The accountNumber field must be digits.")
    for key, messages in party.errors.items():
        fields.errors.setdefault(key, []).extend(messages)
    return values


@csrf_exempt
def transaction_status(request: HttpRequest) -> HttpResponse:
    refusal = wire.refuse_unauthorised(request, "GET")
    if refusal is not None:
        return refusal
    reference = request.GET.get("pgReferenceId", "").strip()
    bank_name = request.GET.get("bankName", "").strip()
    errors = {name: [f"The {name} field is required."] for name, value in
              (("pgReferenceId", reference), ("bankName", bank_name)) if not value}
    if errors:
        return wire.problem(errors)
    external = request.GET.get("externalId", "").strip()
    now = clock.now()
    for found in (state.checkout_find(reference), state.disbursement_get(reference),
                  external and state.checkout_find(external), external and state.disbursement_get(external)):
        if found:
            status, message = found.status_at(now)
            return JsonResponse({"data": status, "message": message, "success": True, "statusCode": 200})
    return wire.envelope(404, "Transaction not found")


@csrf_exempt
def name_lookup(request: HttpRequest) -> HttpResponse:
    refusal = wire.refuse_unauthorised(request, "POST")
    if refusal is not None:
        return refusal
    try:
        fields = wire.Fields(wire.json_object(request))
    except wire.BadBody:
        return wire.unreadable_body()
    bank_name = fields.text("bankName")
    account = fields.text("accountNumber")
    if account and not account.isdigit():
        fields.fail("accountNumber", "The accountNumber field must be digits.")
    if fields.errors:
        return wire.problem(fields.errors)
    name = scenarios.name_for(account)
    return JsonResponse({"name": name or "", "message": "Name lookup successful" if name else "Account not found",
                         "success": name is not None, "accountNumber": account, "bankName": bank_name})
