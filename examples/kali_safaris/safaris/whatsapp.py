"""The WhatsApp message that starts the payment Flow. lipwa serves the Flow's encrypted data-exchange endpoint;
the Flow token is the charge's lipwa checkout session id, so the Flow pays exactly that charge."""

import logging

import httpx
from django.conf import settings

from .models import Charge

log = logging.getLogger(__name__)


def flow_message(charge: Charge) -> dict:
    """An interactive Flow message (WhatsApp Cloud API, `POST /{phone-number-id}/messages`)."""
    booking = charge.booking
    what = {"full": "the full price", "deposit": "the 50% deposit", "balance": "the balance"}[charge.part]
    return {
        "messaging_product": "whatsapp", "recipient_type": "individual", "to": booking.phone.lstrip("+"),
        "type": "interactive",
        "interactive": {
            "type": "flow",
            "header": {"type": "text", "text": f"Kali Safaris · {booking.reference}"},
            "body": {"text": f"{booking.safari_name}, {booking.travel_date:%d %b %Y}, {booking.travellers} "
                             f"traveller(s). Pay {what}: {charge.amount_display} by EcoCash, OneMoney or InnBucks."},
            "footer": {"text": "Payments through Paynow"},
            "action": {"name": "flow", "parameters": {
                "flow_message_version": "3", "flow_id": settings.WHATSAPP_FLOW_ID, "flow_cta": "Pay now",
                "flow_token": charge.checkout_session_id, "flow_action": "data_exchange"}},
        },
    }


def flow_send(charge: Charge) -> bool:
    """Send the Flow; False when WhatsApp is not configured or refused (the web checkout still works)."""
    if not settings.WHATSAPP_TOKEN:
        return False
    url = f"{settings.WHATSAPP_API_URL}/{settings.WHATSAPP_PHONE_NUMBER_ID}/messages"
    try:
        response = httpx.post(url, json=flow_message(charge), timeout=10,
                              headers={"Authorization": f"Bearer {settings.WHATSAPP_TOKEN}"})
        response.raise_for_status()
    except httpx.HTTPError as error:
        log.warning("WhatsApp refused the payment flow for %s: %s", charge.booking.reference, error)
        return False
    Charge.objects.filter(id=charge.id).update(whatsapp_sent=True)
    return True
