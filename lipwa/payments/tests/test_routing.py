"""route_payment: which connector account carries a payment, and the precise refusal when none can.

The registry is pinned to M-Pesa plus a second connector defined here, so that routing has a real choice to
make and these tests do not change meaning as more gateways are registered.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import override_settings

from lipwa.common import clock
from lipwa.common.errors import InvalidRequest
from lipwa.common.money import Money
from lipwa.common.phones import parse_phone
from lipwa.connectors import registry
from lipwa.connectors.base import Connector
from lipwa.merchants.models import ConnectorAccount
from lipwa.merchants.services import connector_account_create, merchant_create
from lipwa.payments.routing import route_payment
from lipwa.payments.services import payment_create

from .factories import unreachable_mpesa_account

pytestmark = pytest.mark.django_db

SAFARICOM = "+254712345678"
AIRTEL_KE = "+254733123456"
MTN_BJ = "+2290197123456"
MTN_UG = "+256772123456"


class WestTestConnector(Connector):
    """A second connector, registered only in these tests: XOF in Benin and Senegal, and Airtel in Kenya."""

    id = "zz_west"
    display_name = "West test connector"
    methods = frozenset({"mobile_money", "cash"})
    currencies = frozenset({"XOF", "KES"})
    countries = frozenset({"BJ", "SN", "KE"})
    networks = frozenset({"mtn", "moov", "airtel"})
    credential_fields = ()
    callback_slug = "zz-west"

    def validate_charge(self, request):
        raise NotImplementedError

    def charge(self, request):
        raise NotImplementedError

    def charge_sync(self, request):
        raise NotImplementedError

    def webhook_verify(self, inbound):
        raise NotImplementedError

    def webhook_parse(self, inbound):
        raise NotImplementedError

    def webhook_ack(self, accepted):
        raise NotImplementedError


@pytest.fixture(autouse=True)
def two_connectors():
    registry._connectors.cache_clear()
    with override_settings(LIPWA_CONNECTORS=["lipwa.connectors.mpesa.connector.MpesaConnector",
                                             f"{__name__}.WestTestConnector"]):
        yield
        registry._connectors.cache_clear()
    registry._connectors.cache_clear()


def west_account(merchant, mode="test"):
    return connector_account_create(merchant=merchant, connector="zz_west", mode=mode, credentials={})


def route(merchant, *, mode="test", method="mobile_money", amount=10000, currency="KES", provider=None,
          phone: str | None = SAFARICOM, network=None):
    return route_payment(merchant=merchant, mode=mode, method=method, amount=Money(amount, currency),
                         provider=provider, phone=parse_phone(phone) if phone else None, network=network)


def refused(merchant, **kwargs) -> InvalidRequest:
    with pytest.raises(InvalidRequest) as caught:
        route(merchant, **kwargs)
    return caught.value


def _age(account, seconds: int) -> None:
    """Make `account` older than the others: the oldest active account of a connector is chosen."""
    ConnectorAccount.objects.filter(pk=account.pk).update(created_at=clock.now() - timedelta(seconds=seconds))


# -- refusals ------------------------------------------------------------------------------------------------

def test_unknown_provider(merchant):
    unreachable_mpesa_account(merchant)
    error = refused(merchant, provider="paypal")
    assert (error.code, error.param) == ("unknown_provider", "provider")
    assert "paypal" in error.message and "mpesa" in error.message, "names the provider and the known ones"


def test_method_not_supported_by_the_named_provider(merchant):
    unreachable_mpesa_account(merchant)
    error = refused(merchant, provider="mpesa", method="card", phone=None)
    assert (error.code, error.param) == ("method_not_supported", "method")
    assert error.message == "mpesa cannot take method 'card'"


def test_method_not_supported_by_any_connector(merchant):
    unreachable_mpesa_account(merchant)
    error = refused(merchant, method="card", phone=None)
    assert (error.code, error.param) == ("method_not_supported", "method")
    assert error.message == "no connector can take method 'card'"


def test_currency_not_supported(merchant):
    unreachable_mpesa_account(merchant)
    error = refused(merchant, provider="mpesa", currency="UGX", phone=MTN_UG)
    assert (error.code, error.param) == ("currency_not_supported", "currency")
    assert error.message == "mpesa cannot take UGX for mobile_money"
    error = refused(merchant, currency="UGX", phone=MTN_UG)
    assert error.message == "no connector can take UGX for mobile_money"


def test_country_not_supported(merchant):
    unreachable_mpesa_account(merchant)
    error = refused(merchant, provider="mpesa", phone=MTN_UG)
    assert (error.code, error.param) == ("country_not_supported", "phone")
    assert error.message == "mpesa cannot charge a phone number from UG in KES"
    assert refused(merchant, phone=MTN_UG).message == "no connector can charge a phone number from UG in KES"


def test_country_comes_from_the_payer_phone(merchant):
    unreachable_mpesa_account(merchant)
    with pytest.raises(InvalidRequest) as caught:
        payment_create(merchant=merchant, mode="test", amount=10000, currency="KES", method="mobile_money",
                       phone=MTN_UG, confirm=False)
    assert (caught.value.code, caught.value.param) == ("country_not_supported", "phone")


def test_no_account_in_the_key_mode(merchant):
    unreachable_mpesa_account(merchant)  # a test account only
    error = refused(merchant, mode="live")
    assert (error.code, error.param) == ("no_connector_account", "provider")
    assert "live" in error.message and "mpesa" in error.message
    assert refused(merchant, mode="live", provider="mpesa").code == "no_connector_account"


def test_another_merchants_account_is_never_used(merchant):
    unreachable_mpesa_account(merchant_create(name="Other"))
    assert refused(merchant).code == "no_connector_account"


def test_inactive_account_is_skipped(merchant):
    inactive = unreachable_mpesa_account(merchant)
    inactive.is_active = False
    inactive.save()
    _age(inactive, 60)
    active = unreachable_mpesa_account(merchant)
    assert route(merchant).account.id == active.id
    assert route(merchant, provider="mpesa").account.id == active.id


def test_only_inactive_accounts_is_no_account(merchant):
    account = unreachable_mpesa_account(merchant)
    account.is_active = False
    account.save()
    assert refused(merchant).code == "no_connector_account"
    assert refused(merchant, provider="mpesa").code == "no_connector_account"


def test_the_oldest_active_account_is_chosen(merchant):
    newer = unreachable_mpesa_account(merchant)
    older = unreachable_mpesa_account(merchant)
    _age(older, 60)
    assert route(merchant).account.id == older.id != newer.id


# -- choosing among connectors -------------------------------------------------------------------------------

def test_provider_omitted_routes_to_the_only_matching_connector(merchant):
    mpesa = unreachable_mpesa_account(merchant)
    west = west_account(merchant)
    # Only the second connector takes XOF from Benin, or cash.
    chosen = route(merchant, currency="XOF", phone=MTN_BJ)
    assert (chosen.account.id, chosen.network) == (west.id, "mtn")
    assert route(merchant, method="cash", phone=None).account.id == west.id
    # Both take KES from Kenya; the payer's network decides.
    assert (route(merchant).account.id, route(merchant).network) == (mpesa.id, "safaricom")
    assert (route(merchant, phone=AIRTEL_KE).account.id, route(merchant, phone=AIRTEL_KE).network) == (
        west.id, "airtel")


def test_a_named_provider_overrides_the_choice(merchant):
    unreachable_mpesa_account(merchant)
    west = west_account(merchant)
    assert route(merchant, provider="zz_west").account.id == west.id


def test_a_connector_without_an_account_is_passed_over(merchant):
    west = west_account(merchant)
    assert route(merchant, method="cash", phone=None).account.id == west.id
    assert refused(merchant, provider="mpesa").code == "no_connector_account"


def test_a_network_no_account_can_reach_is_refused_naming_it(merchant):
    west_account(merchant)  # it could reach Airtel, but the payer is on Safaricom
    error = refused(merchant)
    assert error.code == "no_connector_account"
    assert "safaricom" in error.message


def test_an_account_in_the_other_mode_does_not_count(merchant):
    unreachable_mpesa_account(merchant)
    west_account(merchant)
    assert refused(merchant, mode="live", currency="XOF", phone=MTN_BJ).code == "no_connector_account"


def _refuse(account_id: str):
    def accepts(account, network):
        if account.id == account_id:
            raise InvalidRequest("this integration settles in another currency", param="currency",
                                 code="currency_not_supported")
    return accepts


@pytest.mark.parametrize("provider", [None, "zz_west"])
def test_an_account_that_refuses_does_not_hide_the_connectors_other_accounts(merchant, provider):
    # E.g. Paynow's USD and ZWG integrations: the older one refuses a ZWG charge, the newer one takes it.
    older, newer = west_account(merchant), west_account(merchant)
    _age(older, 60)
    chosen = route_payment(merchant=merchant, mode="test", method="mobile_money", amount=Money(10000, "XOF"),
                           provider=provider, phone=parse_phone(MTN_BJ), accepts=_refuse(older.id))
    assert chosen.account.id == newer.id


def test_when_every_account_refuses_the_first_refusal_is_reported(merchant):
    only = west_account(merchant)
    with pytest.raises(InvalidRequest) as caught:
        route_payment(merchant=merchant, mode="test", method="mobile_money", amount=Money(10000, "XOF"),
                      provider=None, phone=parse_phone(MTN_BJ), accepts=_refuse(only.id))
    assert caught.value.code == "currency_not_supported"


def test_no_home_country_is_guessed_when_the_accounts_serve_several_countries(merchant):
    from lipwa.payments.routing import payer_home_country

    assert payer_home_country(merchant=merchant, mode="test", method="mobile_money", currency="XOF") is None
    west_account(merchant)  # XOF in Benin and Senegal: ambiguous
    assert payer_home_country(merchant=merchant, mode="test", method="mobile_money", currency="XOF") is None


@override_settings(LIPWA_CONNECTORS=["lipwa.connectors.mpesa.connector.MpesaConnector",
                                     "lipwa.connectors.paynow.connector.PaynowConnector"])
def test_a_local_zimbabwean_number_is_understood_for_a_usd_payment_through_paynow(merchant):
    registry._connectors.cache_clear()
    credentials = registry.connector_class("paynow").simulator_credentials("http://127.0.0.1:9/simulators/paynow")
    connector_account_create(merchant=merchant, connector="paynow", mode="test", credentials=credentials)
    # USD has no home country; the merchant's only USD mobile-money account serves Zimbabwe.
    payment = payment_create(merchant=merchant, mode="test", amount=1000, currency="USD", method="mobile_money",
                             phone="0771 234 567", confirm=False)
    assert (payment.phone_e164, payment.provider) == ("+263771234567", "paynow")
