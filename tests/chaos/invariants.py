"""The invariants a chaos run must leave standing, checked from the database (and the simulators' own records).

`check_payments` returns (figures, problems): figures for the summary, and one line per broken invariant. An empty
problem list is the pass condition.
"""

from __future__ import annotations

from collections import Counter

from .plan import PlannedPayment

OPEN_PAYMENT = ("pending", "requires_action", "processing")
OPEN_ATTEMPT = ("pending", "processing", "requires_action")
STUCK_CALLBACK = ("received", "awaiting_confirmation")


def gateway_charges() -> set[tuple[str, int]]:
    """(payer's last nine digits, amount in major units) of every charge the in-process simulators received."""
    from lipwa.connectors.airtel.simulator import state as airtel
    from lipwa.connectors.mpesa.simulator import state as mpesa
    from lipwa.connectors.mtn_momo.simulator import state as mtn_momo

    seen = {(r.phone[-9:], int(r.amount)) for r in mpesa.requests_snapshot()}
    seen |= {(str(o.party.get("partyId", ""))[-9:], int(o.amount)) for o in mtn_momo.operations_snapshot()
             if o.kind == "requesttopay"}
    with airtel.shared.lock:
        seen |= {(t.msisdn[-9:], int(t.amount)) for t in airtel._collections.values()}
    return seen


def _never_reached_gateway(planned: PlannedPayment, got: tuple[str, str], charges: set | None) -> bool:
    """A call refused before it reached the gateway (a connect or token timeout on a loaded machine: "nothing was
    sent") rightly fails the payment as provider_unavailable, whatever the scenario would have done; the simulator
    then has no record of the charge."""
    if charges is None or got != ("failed", "provider_unavailable"):
        return False
    major = planned.amount_minor // 100 if planned.currency == "KES" else planned.amount_minor
    return (planned.phone[-9:], major) not in charges


def check_payments(payments: dict[str, PlannedPayment], charges: set | None = None) -> tuple[dict, list[str]]:
    from lipwa.ledger.models import Transfer
    from lipwa.ledger.selectors import ledger_verify
    from lipwa.payments.models import PaymentAttempt, PaymentEvent, PaymentIntent

    problems: list[str] = []
    figures: Counter = Counter()
    ids = list(payments)
    rows = {p.id: p for p in _chunked(PaymentIntent.objects, ids)}
    attempts: dict[str, list] = {}
    for attempt in _chunked(PaymentAttempt.objects, ids, field="payment_id"):
        attempts.setdefault(attempt.payment_id, []).append(attempt)
    charges = Counter(t.payment_id for t in _chunked(Transfer.objects.filter(code="CHARGE"), ids, field="payment_id"))
    final_events = Counter((e.payment_id, e.type) for e in _chunked(
        PaymentEvent.objects.filter(type__in=["payment.succeeded", "payment.failed", "payment.expired"]), ids,
        field="payment_id"))
    for payment_id, planned in payments.items():
        payment = rows.get(payment_id)
        if payment is None:
            problems.append(f"{payment_id} ({planned.scenario}) is missing")
            continue
        figures[f"final {payment.status}"] += 1
        got = (payment.status, payment.failure_code or "")
        want = (planned.expected_status, planned.expected_failure_code)
        own = attempts.get(payment_id, [])
        if got != want and _unresolvable(planned, payment, own):
            figures["expired, the gateway never identified (left to reconciliation)"] += 1
        elif got != want and _never_reached_gateway(planned, got, charges):
            figures["failed before reaching the gateway (nothing sent)"] += 1
        elif got != want:
            problems.append(f"{payment_id} (gateway {planned.connector}, scenario {planned.scenario}) ended {got}, "
                            f"the simulator says {want}")
        succeeded_attempts = sum(a.status == "succeeded" for a in own)
        if charges[payment_id] != succeeded_attempts or charges[payment_id] > 1:
            problems.append(f"{payment_id}: {charges[payment_id]} CHARGE transfer(s) for {succeeded_attempts} "
                            "succeeded attempt(s)")
        final_type = f"payment.{payment.status}"
        if payment.status in ("succeeded", "failed", "expired") and final_events[(payment_id, final_type)] != 1:
            problems.append(f"{payment_id}: {final_events[(payment_id, final_type)]} {final_type} events")
        if payment.needs_review:
            problems.append(f"{payment_id} ({planned.scenario}) was flagged for review")
        open_attempts = [a.id for a in own if a.status in OPEN_ATTEMPT]
        if open_attempts:
            problems.append(f"{payment_id}: attempts still open: {open_attempts}")
    figures["charges in the ledger"] = sum(charges.values())
    problems += [f"ledger verify: {line}" for line in ledger_verify()]
    return dict(figures), problems


# Gateways whose status query needs the reference only their answer to the initiate call carries (Daraja's
# CheckoutRequestID). MTN MoMo and Airtel are asked by lipwa's own reference, so they are never excused.
QUERYABLE_ONLY_BY_THEIR_REFERENCE = {"mpesa"}


def _unresolvable(planned: PlannedPayment, payment, attempts) -> bool:
    """The one outcome lipwa cannot know: the initiate call's answer was lost, the gateway can be asked by no
    reference of ours, and every callback was lost too. lipwa then lets the payment expire (never fails it); the
    gateway's statement settles it in reconciliation."""
    return (planned.connector in QUERYABLE_ONLY_BY_THEIR_REFERENCE and payment.status == "expired"
            and not any(a.gateway_reference for a in attempts))


def check_simulator_truth(payments: dict[str, PlannedPayment]) -> list[str]:
    """Cross-check against Daraja's simulator records: a succeeded M-Pesa payment is an STK request that
    succeeded there, and a failed one is not."""
    from lipwa.connectors.mpesa.simulator import state
    from lipwa.payments.models import PaymentIntent

    truth = {r.checkout_request_id: r.result_code for r in state.requests_snapshot()}
    problems = []
    mpesa = [pid for pid, planned in payments.items() if planned.connector == "mpesa"]
    for payment in _chunked(PaymentIntent.objects, mpesa):
        code = truth.get(payment.gateway_reference or "")
        if payment.status == "succeeded" and code != 0:
            problems.append(f"{payment.id} succeeded but Daraja's record says {code}")
        if payment.status == "failed" and code == 0:
            problems.append(f"{payment.id} failed but Daraja's record says it succeeded")
    return problems


def check_queue_and_callbacks() -> tuple[dict, list[str]]:
    """Nothing waits forever: no callback left unprocessed, no job left queued or failed."""
    from django_tasks_db.models import DBTaskResult

    from lipwa.webhooks_in.models import InboundWebhook

    callbacks = Counter(InboundWebhook.objects.values_list("status", flat=True))
    tasks = Counter(DBTaskResult.objects.values_list("status", flat=True))
    problems = [f"{n} callback(s) still {status}" for status, n in callbacks.items() if status in STUCK_CALLBACK]
    problems += [f"{n} job(s) still {status}" for status, n in tasks.items() if status in ("READY", "RUNNING")]
    for failed in DBTaskResult.objects.failed()[:5]:
        problems.append(f"job {failed.task_path} failed: {failed.exception_class_path}")
    figures = {f"callbacks {status}": n for status, n in sorted(callbacks.items())}
    figures.update({f"jobs {status.lower()}": n for status, n in sorted(tasks.items())})
    return figures, problems


def _chunked(queryset, ids: list[str], field: str = "id", size: int = 2000):
    """`field IN ids` in chunks (SQLite caps the number of query parameters)."""
    for start in range(0, len(ids), size):
        yield from queryset.filter(**{f"{field}__in": ids[start:start + size]})
