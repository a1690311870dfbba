"""/v1/providers: which gateways, networks and limits are available, optionally for one country."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from lipwa.common.errors import InvalidRequest
from lipwa.payments.selectors import providers_list

from .schemas import ErrorOut

router = Router(tags=["providers"])


@router.get("/providers", response={200: dict, 400: ErrorOut, 401: ErrorOut},
            summary="Gateways and their per-network catalogue")
def list_providers(request: HttpRequest, country: str | None = None):
    if country is not None and not (len(country) == 2 and country.isalpha()):
        raise InvalidRequest("country must be an ISO 3166 alpha-2 code such as BJ", param="country")
    key = request.auth
    return {"object": "list",
            "data": providers_list(merchant=key.merchant, mode=key.mode, country=country.upper() if country else None)}
