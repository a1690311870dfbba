"""Network detection in routing: overrides, history, limits and fees, and the next network to try."""

from __future__ import annotations

import pytest

from lipwa.common.errors import InvalidRequest, NotFound
from lipwa.connectors.types import ChargeResult, FailureCode, ResultStatus
from lipwa.merchants.services import connector_account_configure
from lipwa.payments.models import PhoneNetwork
from lipwa.payments.networks import phone_network_delete, phone_network_get, phone_network_set
from lipwa.payments.presenters import payment_to_dict
from lipwa.payments.results import attempt_apply_result
from lipwa.payments.services import payment_create

from .factories import payment_with_attempt, unreachable_mpesa_account

pytestmark = pytest.mark.django_db
SAFARICOM, AIRTEL_KE = "0712345678", "0733123456"


def create(merchant, phone, **kwargs):
    return payment_create(merchant=merchant, mode="test", amount=kwargs.pop("amount", 10000), currency="KES",
                          method="mobile_money", phone=phone, confirm=False, **kwargs)


def test_routes_by_detected_network(merchant):
    unreachable_mpesa_account(merchant)
    payment = create(merchant, SAFARICOM)
    assert (payment.provider, payment.network, payment.network_candidates) == ("mpesa", "safaricom", ["safaricom"])


def test_a_network_the_merchant_has_no_account_for_is_refused_naming_it(merchant):
    unreachable_mpesa_account(merchant)
    with pytest.raises(InvalidRequest) as refused:
        create(merchant, AIRTEL_KE)
    assert refused.value.code == "no_connector_account" and "airtel" in refused.value.message


def test_explicit_provider_is_trusted_for_a_ported_number(merchant):
    unreachable_mpesa_account(merchant)
    payment = create(merchant, AIRTEL_KE, provider="mpesa")
    assert (payment.provider, payment.network) == ("mpesa", "safaricom")


def test_merchant_override_routes_a_ported_number(merchant):
    unreachable_mpesa_account(merchant)
    phone_network_set(merchant=merchant, phone="+254733123456", network="safaricom")
    payment = create(merchant, AIRTEL_KE)
    assert payment.network == "safaricom"
    assert payment.network_candidates == ["safaricom", "airtel"]
    assert phone_network_get(merchant=merchant, phone="+254733123456")["source"] == "override"


def test_explicit_network_must_be_known(merchant):
    unreachable_mpesa_account(merchant)
    with pytest.raises(InvalidRequest) as refused:
        create(merchant, SAFARICOM, network="vodafone-atlantis")
    assert (refused.value.param, refused.value.code) == ("network", "network_unknown")


def test_success_remembers_the_network_but_never_over_an_override(merchant):
    unreachable_mpesa_account(merchant)
    payment, attempt = payment_with_attempt(merchant, phone="+254712345678")
    payment.network = "safaricom"
    payment.save(update_fields=["network"])
    attempt_apply_result(attempt_id=attempt.id, source="callback",
                         result=ChargeResult(ResultStatus.SUCCEEDED, gateway_reference="ws_CO_net1"))
    assert PhoneNetwork.objects.get(phone_e164="+254712345678").source == "last_success"
    phone_network_set(merchant=merchant, phone="+254712345678", network="airtel")
    payment, attempt = payment_with_attempt(merchant, phone="+254712345678")
    payment.network = "safaricom"
    payment.save(update_fields=["network"])
    attempt_apply_result(attempt_id=attempt.id, source="callback",
                         result=ChargeResult(ResultStatus.SUCCEEDED, gateway_reference="ws_CO_net2"))
    assert PhoneNetwork.objects.get(phone_e164="+254712345678").network == "airtel"


def test_subscriber_not_found_offers_the_next_candidate(merchant):
    unreachable_mpesa_account(merchant)
    payment, attempt = payment_with_attempt(merchant)
    payment.network, payment.network_candidates = "airtel", ["airtel", "halotel"]
    payment.save(update_fields=["network", "network_candidates"])
    attempt_apply_result(attempt_id=attempt.id, source="initiate", result=ChargeResult(
        ResultStatus.FAILED, failure_code=FailureCode.SUBSCRIBER_NOT_FOUND))
    payment.refresh_from_db()
    shown = payment_to_dict(payment)
    assert (shown["status"], shown["failure_code"], shown["retry_networks"]) == (
        "failed", "subscriber_not_found", ["halotel"])


@pytest.mark.parametrize("amount, code", [(9900, "amount_too_small"), (500_100, "amount_too_large")])
def test_account_limits_refuse_up_front_naming_the_limit(merchant, amount, code):
    account = unreachable_mpesa_account(merchant)
    connector_account_configure(account=account, limits={"KES": {"min": 10000, "max": 500000}})
    with pytest.raises(InvalidRequest) as refused:
        create(merchant, SAFARICOM, amount=amount)
    assert refused.value.code == code and refused.value.param == "amount"
    assert ("100.00 KES" if code == "amount_too_small" else "5000.00 KES") in refused.value.message


def test_fees_are_fixed_plus_basis_points_rounded_half_up(merchant):
    account = unreachable_mpesa_account(merchant)
    connector_account_configure(account=account, fees={"KES": {"fixed": 1000, "percent_bps": 150}})
    assert create(merchant, SAFARICOM, amount=10000).fee_minor == 1000 + 150
    assert create(merchant, SAFARICOM, amount=10100).fee_minor == 1000 + 152  # 151.5 rounds up


@pytest.mark.parametrize("limits, fees", [
    ({"KES": {"min": 500, "max": 100}}, None), ({"XXX": {"min": 1}}, None), ({"KES": {"min": -1}}, None),
    ({"KES": {"min": 1.5}}, None), ({"KES": {"floor": 1}}, None), ("KES", None),
    (None, {"KES": {"percent_bps": 10001}}), (None, {"KES": {"fixed": True}}),
])
def test_bad_limit_and_fee_configuration_is_refused(merchant, limits, fees):
    account = unreachable_mpesa_account(merchant)
    with pytest.raises(InvalidRequest):
        connector_account_configure(account=account, limits=limits, fees=fees)
    account.refresh_from_db()
    assert account.limits == {} and account.fees == {}


def test_phone_network_api(client, merchant, test_key):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {test_key}"}
    set_ = client.post("/v1/phone_networks", {"phone": "+255754123456", "network": "tigo"},
                       content_type="application/json", **auth)
    assert set_.status_code == 200 and set_.json()["network"] == "tigo" and set_.json()["detected"] == ["vodacom"]
    bad = client.post("/v1/phone_networks", {"phone": "+255754123456", "network": "safaricom"},
                      content_type="application/json", **auth)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "network_unknown"
    garbage = client.post("/v1/phone_networks", {"phone": "not a phone", "network": "tigo"},
                          content_type="application/json", **auth)
    assert garbage.status_code == 400 and garbage.json()["error"]["param"] == "phone"
    assert client.delete("/v1/phone_networks/+255754123456", **auth).status_code == 204
    assert client.delete("/v1/phone_networks/+255754123456", **auth).status_code == 404
    with pytest.raises(NotFound):
        phone_network_delete(merchant=merchant, phone="+255754123456")


def test_remembering_inserts_then_updates_a_learned_network_in_one_statement(merchant, django_assert_num_queries):
    from datetime import timedelta

    from lipwa.common import clock
    from lipwa.payments.networks import phone_network_remember

    clock.freeze()
    with django_assert_num_queries(1):
        phone_network_remember(merchant_id=merchant.id, phone_e164="+256772123456", network="mtn")
    first = PhoneNetwork.objects.get(phone_e164="+256772123456")
    assert (first.network, first.source) == ("mtn", "last_success")
    clock.advance(300)
    with django_assert_num_queries(1):  # the number was ported: the last success wins
        phone_network_remember(merchant_id=merchant.id, phone_e164="+256772123456", network="airtel")
    learned = PhoneNetwork.objects.get(phone_e164="+256772123456")
    assert (learned.network, learned.source) == ("airtel", "last_success")
    assert learned.updated_at == first.updated_at + timedelta(minutes=5)
    phone_network_set(merchant=merchant, phone="+256772123456", network="mtn")
    phone_network_remember(merchant_id=merchant.id, phone_e164="+256772123456", network="airtel")
    kept = PhoneNetwork.objects.get(phone_e164="+256772123456")
    assert (kept.network, kept.source) == ("mtn", "override")
    phone_network_remember(merchant_id=merchant.id, phone_e164="", network="mtn")  # nothing to remember
    assert PhoneNetwork.objects.count() == 1
