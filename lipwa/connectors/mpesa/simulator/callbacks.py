"""POSTing the STK callback (`{"Body": {"stkCallback": …}}`, PROVIDERS.md 1.5) to the request's CallBackURL.

Delivery is best effort, as Daraja's is: an unreachable URL or an error answer is logged and recorded
in `state.deliveries_snapshot()`, never raised, and never retried.
"""

from __future__ import annotations

import json
import logging
import threading

import httpx

from . import state

log = logging.getLogger("lipwa.simulators.mpesa")

# Short enough that an unreachable receiver cannot stall the synchronous delivery of scenario 008 for long.
DELIVERY_TIMEOUT = httpx.Timeout(connect=5.0, read=10.0, write=5.0, pool=5.0)
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
    # Tracked in `state` so that `state.reset()` can cancel a delivery that has not started yet.
    timer: threading.Timer

    def run() -> None:
        try:
            send()
        except Exception:  # a delivery thread must never die noisily; Daraja's delivery is best effort too
            log.exception("mpesa simulator: callback for %s could not be delivered", reference)
        finally:
            state.timer_done(timer)

    timer = threading.Timer(max(delay_seconds, 0.0), run)
    timer.daemon = True
    timer.name = f"mpesa-sim-callback-{reference}"
    state.timer_track(timer)
    timer.start()
    return timer


def _post(url: str, body: bytes) -> int | None:
    try:
        with httpx.Client(timeout=DELIVERY_TIMEOUT, trust_env=False, follow_redirects=False) as client:
            response = client.post(url, content=body, headers={"Content-Type": "application/json"})
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        log.warning("mpesa simulator: callback to %s failed: %s: %s", url, type(exc).__name__, exc)
        return None
    if response.status_code >= 300:
        log.warning("mpesa simulator: callback to %s answered HTTP %s", url, response.status_code)
    return response.status_code
