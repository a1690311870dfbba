"""Charges that go beyond one prompt: answering a step the gateway asked for (an OTP), and charging a saved
instrument (a card authorization) again without the customer, e.g. for recurring premiums."""

from __future__ import annotations

import logging

from lipwa.common.errors import Conflict, InvalidRequest, NotFound
from lipwa.common.money import Money
from lipwa.common.phones import parse_phone
from lipwa.connectors.errors import ConnectorInputError, NotSupported
from lipwa.connectors.registry import connector_for_account
from lipwa.connectors.types import ChargeResult, ResultStatus, SyncRequest
from lipwa.merchants.models import Merchant
from lipwa.merchants.services import account_context

from .models import PaymentAttempt, PaymentIntent
from .results import attempt_apply_result
from .states import AttemptStatus, PaymentStatus

log = logging.getLogger("lipwa.payments")
# next_action types that an action answers, and the action's name.
ACTION_FOR_STEP = {"send_otp": "otp"}


def payment_submit_action(*, merchant: Merchant, mode: str, payment_id: str, action: str, value: str
                          ) -> PaymentIntent:
    """Pass the customer's answer (e.g. the OTP) to the gateway and apply what it says next."""
    payment = PaymentIntent.objects.filter(id=payment_id, merchant=merchant, mode=mode).first()
    if payment is None:
        raise NotFound(f"no payment {payment_id}", param="id")
    step = (payment.next_action or {}).get("type")
    if payment.status != PaymentStatus.REQUIRES_ACTION or ACTION_FOR_STEP.get(step) != action:
        raise Conflict(f"payment {payment.id} is {payment.status} and is not waiting for an {action}",
                       code="action_not_expected")
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequest(f"{action} must not be empty", param=action)
    attempt = (payment.attempts.filter(status=AttemptStatus.REQUIRES_ACTION).select_related("connector_account")
               .order_by("-created_at").first())
    connector = connector_for_account(account_context(attempt.connector_account))
    request = SyncRequest(attempt_id=attempt.id, gateway_reference=attempt.gateway_reference,
                          amount=Money(attempt.amount_minor, attempt.currency),
                          phone=parse_phone(payment.phone_e164) if payment.phone_e164 else None,
                          connector_state=attempt.connector_state)
    try:
        result = connector.action_submit(request, action, value.strip())
    except ConnectorInputError as exc:
        raise InvalidRequest(exc.message, param=action, code=exc.code) from None
    except NotSupported as exc:
        raise Conflict(str(exc), code="action_not_supported") from None
    except Exception:  # the charge exists; a connector fault must not fail it
        log.exception("connector raised on %s for attempt %s; outcome unknown", action, attempt.id)
        result = ChargeResult(status=ResultStatus.UNKNOWN)
    return attempt_apply_result(attempt_id=attempt.id, result=result, source="action")


def saved_instrument_of(*, merchant: Merchant, mode: str, payment_id: str) -> tuple[PaymentAttempt, dict]:
    """The successful attempt of an earlier payment and the instrument it left, or a precise refusal."""
    earlier = PaymentIntent.objects.filter(id=payment_id, merchant=merchant, mode=mode).first()
    if earlier is None:
        raise NotFound(f"no payment {payment_id}", param="reuse_payment")
    attempt = (earlier.attempts.filter(status=AttemptStatus.SUCCEEDED).select_related("connector_account")
               .order_by("created_at").first())
    if attempt is None:
        raise InvalidRequest(f"payment {payment_id} did not succeed; only a paid payment's card can be charged "
                             "again", param="reuse_payment", code="no_saved_instrument")
    if not attempt.connector_account.is_active:
        raise InvalidRequest(f"the account that charged {payment_id} is no longer active", param="reuse_payment",
                             code="no_saved_instrument")
    connector = connector_for_account(account_context(attempt.connector_account))
    instrument = connector.saved_instrument(attempt.connector_state)
    if not instrument:
        raise InvalidRequest(f"payment {payment_id} left nothing that can be charged again (no reusable "
                             "authorization)", param="reuse_payment", code="no_saved_instrument")
    return attempt, instrument
