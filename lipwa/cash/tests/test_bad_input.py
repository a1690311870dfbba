"""Bad input: each refused with a precise error, nothing changed, and logged."""

from __future__ import annotations

import logging

import pytest

from lipwa.cash.photos import PHOTO_MAX_BYTES, photo_check
from lipwa.cash.services import (
    cash_collection_record,
    cash_payment_assign,
    cash_remittance_record,
    cash_up_run,
    rider_create,
)
from lipwa.common import clock
from lipwa.common.errors import LipwaError
from lipwa.ledger.selectors import ledger_verify

from .helpers import snapshot

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def assigned(cash_payment, rider):
    payment = cash_payment(metadata={"cash_pin": "4821"})
    cash_payment_assign(payment_id=payment.id, rider_id=rider.id, by="dispatcher")
    return payment


def refused(caplog, code: str, call):
    """Run `call`, expect a LipwaError with `code`, and prove nothing changed and the refusal was logged."""
    before = snapshot()
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="lipwa.cash"), pytest.raises(LipwaError) as caught:
        call()
    assert caught.value.code == code, caught.value.message
    assert snapshot() == before
    assert f"({code})" in caplog.text
    assert ledger_verify() == []
    return caught.value


def collect(payment, rider, **overrides):
    values = {"payment_id": payment.id, "rider_id": rider.id, "receipt_number": "R-1",
              "amount_minor": payment.amount_minor, "customer_pin": "4821", "by": "rider_app"}
    return lambda: cash_collection_record(**{**values, **overrides})


def test_cash_recorded_twice(assigned, rider, caplog):
    collect(assigned, rider)()
    error = refused(caplog, "cash_already_recorded", collect(assigned, rider, receipt_number="R-2"))
    assert error.status == 409 and "R-1" in error.message


def test_wrong_amount(assigned, rider, caplog):
    error = refused(caplog, "amount_mismatch", collect(assigned, rider, amount_minor=149_999))
    assert error.param == "amount" and "150000" in error.message


def test_wrong_pin_is_refused_and_never_logged(assigned, rider, caplog):
    error = refused(caplog, "wrong_pin", collect(assigned, rider, customer_pin="9999"))
    assert error.param == "customer_pin"
    assert "9999" not in caplog.text and "4821" not in caplog.text


def test_missing_pin_when_the_merchant_set_one(assigned, rider, caplog):
    refused(caplog, "customer_pin_required", collect(assigned, rider, customer_pin=None))


def test_unassigned_rider(cash_payment, rider, merchant, caplog):
    payment = cash_payment()
    refused(caplog, "rider_not_assigned", collect(payment, rider, customer_pin=None))
    other = rider_create(merchant=merchant, mode="test", name="Baraka", by="tests")
    cash_payment_assign(payment_id=payment.id, rider_id=rider.id, by="dispatcher")
    error = refused(caplog, "rider_not_assigned", collect(payment, other, customer_pin=None))
    assert rider.id in error.message


def test_unknown_rider_for_a_collection(assigned, caplog):
    class Ghost:
        id = "rdr_NOPE"

    refused(caplog, "rider_not_found", collect(assigned, Ghost))


def test_cash_up_for_an_unknown_rider(merchant, caplog):
    error = refused(caplog, "rider_not_found", lambda: cash_up_run(
        rider_id="rdr_NOPE", day=clock.now().date(), by="s", merchant=merchant, mode="test"))
    assert error.status == 404


def test_cash_up_for_another_merchants_rider(rider, caplog):
    from lipwa.merchants.services import merchant_create

    stranger = merchant_create(name="Other shop")
    refused(caplog, "rider_not_found", lambda: cash_up_run(
        rider_id=rider.id, day=clock.now().date(), by="s", merchant=stranger, mode="test"))
    refused(caplog, "rider_not_found", lambda: cash_up_run(
        rider_id=rider.id, day=clock.now().date(), by="s", merchant=rider.merchant, mode="live"))


def test_assign_another_merchants_rider(cash_payment, caplog):
    from lipwa.merchants.services import merchant_create

    stranger = rider_create(merchant=merchant_create(name="Other shop"), mode="test", name="X", by="t")
    payment = cash_payment()
    refused(caplog, "rider_not_found", lambda: cash_payment_assign(payment_id=payment.id, rider_id=stranger.id,
                                                                   by="dispatcher"))


def test_remittance_above_the_float(assigned, rider, merchant, caplog):
    collect(assigned, rider)()
    error = refused(caplog, "remittance_exceeds_float", lambda: cash_remittance_record(
        rider_id=rider.id, amount_minor=150_001, currency="KES", reference="SLIP-9", received_by="office",
        merchant=merchant, mode="test"))
    assert "1500.00 KES" in error.message
    refused(caplog, "remittance_exceeds_float", lambda: cash_remittance_record(
        rider_id=rider.id, amount_minor=1, currency="UGX", reference="SLIP-9", received_by="office",
        merchant=merchant, mode="test"))


def test_remittance_recorded_twice(assigned, rider, merchant, caplog):
    collect(assigned, rider)()
    remit = dict(rider_id=rider.id, amount_minor=100, currency="KES", reference="SLIP-1", received_by="office",
                 merchant=merchant, mode="test")
    cash_remittance_record(**remit)
    refused(caplog, "remittance_already_recorded", lambda: cash_remittance_record(**remit))


def test_photo_too_large_or_not_an_image():
    with pytest.raises(LipwaError) as too_large:
        photo_check(PNG + b"\x00" * PHOTO_MAX_BYTES)
    assert too_large.value.code == "photo_too_large"
    with pytest.raises(LipwaError) as not_image:
        photo_check(b"%PDF-1.7 not a photo")
    assert not_image.value.code == "photo_not_image"
    with pytest.raises(LipwaError) as mismatch:
        photo_check(PNG, "image/jpeg")
    assert mismatch.value.code == "photo_type_mismatch"


def test_photo_is_stored_by_digest(assigned, rider, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    photo = photo_check(PNG)
    collection = collect(assigned, rider, photo=photo)()
    assert collection.photo_sha256 == photo.sha256 and collection.photo_content_type == "image/png"
    assert (tmp_path / "media" / "cash" / f"{photo.sha256}.png").read_bytes() == PNG


def test_collection_for_a_payment_that_is_not_cash(merchant, rider, caplog):
    from lipwa.payments.tests.factories import payment_with_attempt, unreachable_mpesa_account

    unreachable_mpesa_account(merchant)
    payment, _ = payment_with_attempt(merchant)
    refused(caplog, "payment_not_cash", collect(payment, rider))


def test_the_cash_pin_is_never_shown_back(merchant):
    from lipwa.payments.presenters import payment_to_dict
    from lipwa.payments.tests.factories import payment_with_attempt, unreachable_mpesa_account

    unreachable_mpesa_account(merchant)
    payment, _ = payment_with_attempt(merchant)
    payment.metadata = {"cash_pin": "4321", "order": "A-7"}
    assert payment_to_dict(payment)["metadata"] == {"cash_pin": "••••", "order": "A-7"}
