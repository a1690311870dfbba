"""/v1/phone_networks: tell lipwa which network a customer's (ported) number is on."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Status

from lipwa.payments.networks import phone_network_delete, phone_network_get, phone_network_set

from .schemas import ErrorOut, PhoneNetworkIn, PhoneNetworkOut

router = Router(tags=["phone networks"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut}


@router.post("/phone_networks", response={200: PhoneNetworkOut, **ERRORS}, summary="Override a number's network")
def set_phone_network(request: HttpRequest, body: PhoneNetworkIn):
    merchant = request.auth.merchant
    phone_network_set(merchant=merchant, phone=body.phone, network=body.network)
    return phone_network_get(merchant=merchant, phone=body.phone)


@router.get("/phone_networks/{phone}", response={200: PhoneNetworkOut, **ERRORS}, summary="A number's network")
def get_phone_network(request: HttpRequest, phone: str):
    return phone_network_get(merchant=request.auth.merchant, phone=phone)


@router.delete("/phone_networks/{phone}", response={204: None, **ERRORS}, summary="Forget a number's network")
def delete_phone_network(request: HttpRequest, phone: str):
    phone_network_delete(merchant=request.auth.merchant, phone=phone)
    return Status(204, None)
