"""The payment flow behind the data-exchange endpoint: pick a method, enter a phone, pay, see the outcome.

The flow token is a checkout session id (`cs_…`, from `POST /v1/checkout_sessions`): the session fixes the
amount, currency, references and allowed methods, and `checkout_session_pay` gives one payment per submit,
exactly as on the hosted page. Screens: PAYMENT_METHOD → PAYMENT_STATUS → SUCCESS (docs/whatsapp-flows.md).
"""

from __future__ import annotations

from lipwa.checkout.selectors import checkout_session_public, checkout_session_status, session_methods
from lipwa.checkout.services import checkout_session_pay
from lipwa.common.errors import LipwaError
from lipwa.common.money import Money
from lipwa.merchants.models import Merchant
from lipwa.payments.selectors import payment_get

VERSION = "3.0"
# Methods a chat can complete: card needs a browser redirect, so it stays on the hosted page.
OFFERED = {"mobile_money": "Mobile money", "bank_transfer": "Bank transfer", "cash": "Cash on delivery"}
RETRYABLE = ("failed", "cancelled", "expired")


class InvalidFlowToken(Exception):
    """The flow token names no open checkout session of this merchant (answered 427)."""


class BadFlowRequest(ValueError):
    """A decrypted request this flow does not understand (answered 400)."""


def _amount_text(session) -> str:
    return f"{session.currency} {Money(session.amount_minor, session.currency).major_string()}"


def _screen(screen: str, data: dict) -> dict:
    return {"version": VERSION, "screen": screen, "data": data}


def _session(merchant: Merchant, flow_token: object):
    session = checkout_session_public(session_id=flow_token) if isinstance(flow_token, str) else None
    if session is None or session.merchant_id != merchant.id:
        raise InvalidFlowToken("the flow token names no checkout session of this merchant")
    if checkout_session_status(session) == "expired":
        raise InvalidFlowToken("the checkout session has expired")
    return session


def method_screen(session, error: str = "") -> dict:
    methods = [{"id": m, "title": OFFERED[m]} for m in session_methods(session) if m in OFFERED]
    return _screen("PAYMENT_METHOD", {
        "amount": _amount_text(session), "description": session.description or session.merchant.name,
        "methods": methods, "phone": (session.customer or {}).get("phone", ""),
        "has_error": bool(error), "error_message": error})


def _instructions(payment) -> str:
    action = payment.next_action or {}
    amount = f"{payment.currency} {Money(payment.amount_minor, payment.currency).major_string()}"
    if payment.method == "bank_transfer" and action.get("account_number"):
        return (f"Transfer {amount} to {action.get('bank_name', '')} account {action['account_number']} "
                f"({action.get('account_name', '')}) with reference {action.get('reference', '')}.")
    if payment.method == "cash":
        return f"Pay {amount} in cash on delivery; keep the receipt the rider gives you."
    return f"Approve the payment prompt on your phone to pay {amount}."


def status_screen(session, payment) -> dict:
    if payment.status == "succeeded":
        return _screen("SUCCESS", {"extension_message_response": {"params": {
            "flow_token": session.id, "payment": payment.id, "status": payment.status}}})
    if payment.status in RETRYABLE:
        reason = (payment.failure_code or payment.status).replace("_", " ")
        return method_screen(session, error=f"The payment did not go through ({reason}). Try again.")
    return _screen("PAYMENT_STATUS", {"payment": payment.id, "status": payment.status,
                                      "message": _instructions(payment)})


def _start(session, data: dict) -> dict:
    method, phone = data.get("method"), data.get("phone", "")
    if not isinstance(method, str) or method not in OFFERED:
        return method_screen(session, error="Choose a payment method.")
    if not isinstance(phone, str):
        return method_screen(session, error="Enter your phone number.")
    try:
        # based_on = the session's latest payment: a retry after a failure pays again, a repeated submit
        # while a payment is open gets that payment back.
        session, payment = checkout_session_pay(session_id=session.id, method=method, phone=phone.strip(),
                                                based_on=session.payment_id or "")
    except LipwaError as error:  # a bad phone, a method no longer offered: the customer can fix it
        return method_screen(session, error=error.message)
    return status_screen(session, payment)


def _latest(session) -> dict:
    if not session.payment_id:
        return method_screen(session)
    payment = payment_get(merchant=session.merchant, mode=session.mode, payment_id=session.payment_id)
    return status_screen(session, payment)


def flow_respond(*, merchant: Merchant, payload: dict) -> dict:
    """The answer (before encryption) to one decrypted request."""
    action = payload.get("action")
    if action == "ping":
        return {"data": {"status": "active"}}
    data = payload.get("data") if payload.get("data") is not None else {}
    if not isinstance(data, dict):
        raise BadFlowRequest("data must be an object")
    if "error" in data:  # the client reports an error it showed the customer: acknowledge it
        return {"version": VERSION, "data": {"acknowledged": True}}
    session = _session(merchant, payload.get("flow_token"))
    if action == "INIT":
        return _latest(session)
    if action == "BACK":
        return method_screen(session)
    if action == "data_exchange":
        screen = payload.get("screen")
        if screen == "PAYMENT_METHOD":
            return _start(session, data)
        if screen == "PAYMENT_STATUS":
            return _latest(session)
        raise BadFlowRequest(f"unknown screen {screen!r}")
    raise BadFlowRequest(f"unknown action {action!r}")
