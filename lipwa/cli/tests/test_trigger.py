"""`lipwa trigger EVENT`: real test payments through the live simulators end in the named state."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("event, status, failure_code", [
    ("payment.succeeded", "succeeded", None),
    ("payment.failed", "failed", "insufficient_funds"),
    ("payment.cancelled", "cancelled", None),
    ("payment.expired", "expired", None),
])
def test_payment_events(cli, merchant, simulator_account, event, status, failure_code):
    from lipwa.payments.selectors import events_list, payment_get

    simulator_account("mpesa")
    code, out, err = cli("trigger", event, "--merchant", merchant.id)
    assert code == 0, err
    kind, payment_id, amount = out.split()[:3]
    assert kind == event and payment_id.startswith("pay_")
    payment = payment_get(merchant=merchant, mode="test", payment_id=payment_id)
    assert (payment.status, payment.failure_code or None) == (status, failure_code)
    assert event in {e.type for e in events_list(merchant=merchant, mode="test", limit=50)[0]}


def test_refund_succeeded_through_a_gateway_refund_api(cli, merchant, simulator_account):
    from lipwa.payments.selectors import refunds_list

    simulator_account("paystack")
    code, out, err = cli("trigger", "refund.succeeded", "--merchant", merchant.id, "--connector", "paystack")
    assert code == 0, err
    assert out.startswith("refund.succeeded  rfd_")
    [refund], _ = refunds_list(merchant=merchant, mode="test")
    assert refund.status == "succeeded" and refund.method == "gateway"


def test_refund_succeeded_recorded_by_hand_where_the_gateway_has_no_refund_api(cli, merchant, simulator_account):
    from lipwa.payments.selectors import refunds_list

    simulator_account("mpesa")
    code, out, err = cli("trigger", "refund.succeeded", "--merchant", merchant.id)
    assert code == 0, err
    [refund], _ = refunds_list(merchant=merchant, mode="test")
    assert refund.status == "succeeded" and refund.method == "manual"


@pytest.mark.parametrize("argv, words", [
    (("trigger", "payment.exploded"), "unknown event 'payment.exploded'"),
    (("trigger", "payment.succeeded", "--connector", "venmo"), "--connector must be one of"),
    (("trigger", "payment.succeeded", "--merchant", "mer_nope"), "no merchant mer_nope"),
    (("trigger", "payment.succeeded", "--timeout", "0"), "--timeout"),
    (("trigger",), "Missing argument"),
])
def test_bad_input(cli, argv, words):
    code, out, err = cli(*argv)
    assert code == 2 and words in err and err.startswith("error: ") and err.count("\n") == 1, err


def test_no_account_for_the_connector(cli, merchant):
    code, _, err = cli("trigger", "payment.succeeded", "--merchant", merchant.id, "--connector", "airtel")
    assert code == 2 and err.startswith("error: ") and "Traceback" not in err
