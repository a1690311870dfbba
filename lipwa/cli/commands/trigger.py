"""`lipwa trigger EVENT`: make a real test payment (or refund) end in that state through a gateway simulator.

The payer's phone number picks the simulator scenario (DESIGN.md §6: …000 pays, …001 has insufficient funds);
the command waits for the outcome, re-querying the gateway itself so it works without a worker running.
"""

from __future__ import annotations

import time

import typer

from ..context import EXIT_FAILURE, CommandFailed, django_setup, echo, merchant_or_demo, operator
from .payments import money_text

# connector → (currency, amount in minor units, payer phone with {} for the scenario's last three digits);
# the same test payers as the connectors' contract tests.
PAYERS = {
    "mpesa": ("KES", 10000, "0712345{}"),
    "mtn_momo": ("UGX", 1000, "+256772123{}"),
    "airtel": ("UGX", 1000, "+256752123{}"),
    "azampay": ("TZS", 100_000, "+255754123{}"),
    "feexpay": ("XOF", 1000, "+2290197100{}"),
    "paystack": ("KES", 10000, "+254712345{}"),
    "paynow": ("USD", 1000, "+263771234{}"),
}
EVENTS = ("payment.succeeded", "payment.failed", "payment.cancelled", "payment.expired", "refund.succeeded")
FINAL = ("succeeded", "failed", "cancelled", "expired")
QUERY_EVERY_SECONDS = 0.5


def trigger(event: str = typer.Argument(..., help="one of " + ", ".join(EVENTS)),
            merchant: str | None = typer.Option(None, envvar="LIPWA_MERCHANT",
                                                help="mer_… (default: the demo merchant)"),
            connector: str = typer.Option("mpesa", help="mobile-money connector: " + ", ".join(PAYERS)),
            timeout: float = typer.Option(30.0, min=1, max=600, help="seconds to wait for the gateway")) -> int:
    """Create a real test payment that ends in EVENT's state through the simulator (test mode only)."""
    if event not in EVENTS:
        raise CommandFailed(f"unknown event {event!r}; one of {', '.join(EVENTS)}")
    if connector not in PAYERS:
        raise CommandFailed(f"--connector must be one of {', '.join(PAYERS)}")
    django_setup()
    owner = merchant_or_demo(merchant)
    run = {"payment.succeeded": _succeeded, "payment.failed": _failed, "payment.cancelled": _cancelled,
           "payment.expired": _expired, "refund.succeeded": _refund_succeeded}[event]
    expected = event.split(".")[1]
    obj = run(owner, connector, timeout)
    kind = "refund" if event.startswith("refund.") else "payment"
    echo(f"{kind}.{obj.status}  {obj.id}  {money_text(obj.amount_minor, obj.currency)}")
    if obj.status != expected:
        raise CommandFailed(f"{obj.id} ended {obj.status}, not {expected}", exit_code=EXIT_FAILURE)
    return 0


def _create(merchant, connector: str, scenario: str, *, confirm: bool = True, expires_in: int | None = None):
    from lipwa.payments.services import payment_create

    currency, amount, phone = PAYERS[connector]
    return payment_create(merchant=merchant, mode="test", amount=amount, currency=currency, method="mobile_money",
                          provider=connector, phone=phone.format(scenario), confirm=confirm, expires_in=expires_in,
                          merchant_reference=f"trigger-{scenario}", description="lipwa trigger")


def _settle(payment, timeout: float):
    """Wait for a final status, querying the gateway like the janitor would (no worker needed)."""
    from lipwa.payments.selectors import open_attempts_of, payment_get
    from lipwa.payments.services import attempt_sync

    deadline = time.monotonic() + timeout
    while True:
        payment = payment_get(merchant=payment.merchant, mode="test", payment_id=payment.id)
        if payment.status in FINAL:
            return payment
        if time.monotonic() >= deadline:
            raise CommandFailed(f"{payment.id} is still {payment.status} after {timeout:g} s: is the simulator "
                                "reachable (`lipwa run`)?", exit_code=EXIT_FAILURE)
        time.sleep(QUERY_EVERY_SECONDS)  # the simulated customer answers in real time
        for attempt_id in open_attempts_of(payment_id=payment.id):
            attempt_sync(attempt_id=attempt_id)


def _succeeded(merchant, connector: str, timeout: float):
    return _settle(_create(merchant, connector, "000"), timeout)


def _failed(merchant, connector: str, timeout: float):
    return _settle(_create(merchant, connector, "001"), timeout)  # insufficient funds


def _cancelled(merchant, connector: str, timeout: float):
    from lipwa.payments.services import payment_cancel

    payment = _create(merchant, connector, "000", confirm=False)  # cancellable until sent to the customer
    return payment_cancel(merchant=merchant, mode="test", payment_id=payment.id)


def _expired(merchant, connector: str, timeout: float):
    """A payment on a test clock, which is then moved past the payment's window: no waiting."""
    from lipwa.payments.selectors import payment_get
    from lipwa.testclocks.services import on_test_clock, test_clock_advance, test_clock_create

    test_clock = test_clock_create(merchant=merchant, mode="test", name="lipwa trigger payment.expired")
    payment = on_test_clock(merchant=merchant, mode="test", clock_id=test_clock.id, object_type="payment",
                            create=lambda: _create(merchant, connector, "000", confirm=False, expires_in=60))
    test_clock_advance(merchant=merchant, mode="test", clock_id=test_clock.id, seconds=61)
    return payment_get(merchant=merchant, mode="test", payment_id=payment.id)


def _refund_succeeded(merchant, connector: str, timeout: float):
    from lipwa.payments.refunds import refund_create, refund_record_manual, refund_sync
    from lipwa.payments.selectors import refund_get

    payment = _settle(_create(merchant, connector, "000"), timeout)
    if payment.status != "succeeded":
        raise CommandFailed(f"the payment to refund ended {payment.status}", exit_code=EXIT_FAILURE)
    refund = refund_create(merchant=merchant, mode="test", payment_id=payment.id,
                           amount=max(1, payment.amount_minor // 2), reason="lipwa trigger", requested_by=operator())
    deadline = time.monotonic() + timeout
    while refund.status not in ("succeeded", "failed", "rejected"):
        if refund.status == "pending" and refund.method == "manual":  # a gateway without refund API: by hand
            refund = refund_record_manual(refund_id=refund.id, operator=operator(),
                                          evidence={"reference": "lipwa-trigger", "note": "lipwa trigger"})
            continue
        if refund.status == "requires_approval" or time.monotonic() >= deadline:
            break
        time.sleep(QUERY_EVERY_SECONDS)
        refund_sync(refund_id=refund.id)
        refund = refund_get(merchant=merchant, mode="test", refund_id=refund.id)
    return refund


def register(app: typer.Typer) -> None:
    app.command()(trigger)
