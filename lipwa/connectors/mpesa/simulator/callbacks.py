"""POSTing the STK callback (`{"Body": {"stkCallback": …}}`, PROVIDERS.md 1.5) to the request's CallBackURL.

Delivery is best effort, as Daraja's is: an unreachable URL or an error answer is logged and recorded
in `state.deliveries_snapshot()`, never raised, and never retried.
"""

from __future__ import annotations

import json
import logging
import threading

from lipwa.connectors import simulation

from . import state

log = logging.getLogger("lipwa.simulators.mpesa")

_AMOUNT_PLACEHOLDER = "__lipwa_simulator_amount__"


def callback_body(request: state.StkRequest) -> bytes:
    """The exact callback JSON: numeric ResultCode, CallbackMetadata only on success."""
    callback: dict[str, object] = {
        "MerchantRequestID": request.merchant_request_id,
        "CheckoutRequestID": request.checkout_request_id,
        "ResultCode": request.result_code,
        "ResultDesc": request.result_desc,
    }
    if request.result_code == 0:
        callback["CallbackMetadata"] = {"Item": [
            {"Name": "Amount", "Value": _AMOUNT_PLACEHOLDER},
            {"Name": "MpesaReceiptNumber", "Value": request.receipt},
            {"Name": "TransactionDate", "Value": request.transaction_date},
            {"Name": "PhoneNumber", "Value": int(request.phone)},
        ]}
    text = json.dumps({"Body": {"stkCallback": callback}})
    # Daraja writes the amount with two decimals (`1.00`): a JSON number a client must not assume is an
    # int. json.dumps cannot produce that lexical form from a float, so it is spliced in.
    return text.replace(json.dumps(_AMOUNT_PLACEHOLDER), f"{request.amount}.00").encode()


def deliver(request: state.StkRequest, times: int = 1) -> None:
    """POST the STK callback `times` times, one after the other, in the calling thread."""
    deliver_body(request.checkout_request_id, request.callback_url, callback_body(request), times)


def deliver_body(reference: str, url: str, body: bytes, times: int = 1) -> None:
    for _ in range(times):
        status = _post(url, body)
        state.delivery_record(state.Delivery(reference, url, status))
        log.info("mpesa simulator: callback for %s -> %s", reference, status)


def schedule(request: state.StkRequest, times: int, delay_seconds: float) -> threading.Timer:
    """Deliver the STK callback in a daemon thread after `delay_seconds` of real time."""
    return _start_timer(request.checkout_request_id, lambda: deliver(request, times), delay_seconds)


def schedule_body(reference: str, url: str, body: bytes, delay_seconds: float) -> threading.Timer:
    return _start_timer(reference, lambda: deliver_body(reference, url, body), delay_seconds)


def _start_timer(reference: str, send, delay_seconds: float) -> threading.Timer:
    return simulation.start_timer(state.shared, name=f"mpesa-sim-callback-{reference}", delay_seconds=delay_seconds,
                                  send=send, log=log, failure=f"mpesa simulator: callback for {reference}")


def _post(url: str, body: bytes) -> int | None:
    return simulation.post_best_effort(url, body, headers={"Content-Type": "application/json"}, log=log,
                                       what="mpesa simulator: callback")
