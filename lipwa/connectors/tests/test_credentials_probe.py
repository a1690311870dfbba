""""Test connection" proves credentials at the gateway (`Connector.credentials_probe`), over real HTTP to each
simulator: right credentials pass, a wrong secret fails naming what was refused, a gateway that is down
"did not answer", and gateways without a side-effect-free authenticated call say so."""

from __future__ import annotations

import pytest

from lipwa.connectors.base import NO_CREDENTIALS_PROBE
from lipwa.connectors.registry import connector_class
from lipwa.merchants.services import connector_account_create, connector_account_test

pytestmark = pytest.mark.django_db(transaction=True)

# connector -> (the secret field a typo goes into, the words of the refusal, the probed URL field)
PROBED = {
    "mpesa": ("consumer_secret", "M-Pesa refused the consumer key/secret (HTTP 401 401.002.01)", "base_url"),
    "mtn_momo": ("api_key", "MTN MoMo refused the collection API user/API key/subscription key (HTTP 401 "
                 "login_failed)", "base_url"),
    "airtel": ("client_secret", "Airtel refused the client id/secret (HTTP 401)", "base_url"),
    "azampay": ("client_secret", "AzamPay refused the client id/secret (HTTP 423", "auth_base_url"),
    "paystack": ("secret_key", "Paystack refused the secret key (HTTP 401: Invalid key)", "base_url"),
}
WRONG_SECRET = "sim_wrong_secret_9f3c"


def _account(merchant, connector: str, base_url: str, **changes: str):
    credentials = {**connector_class(connector).simulator_credentials(base_url), **changes}
    return connector_account_create(merchant=merchant, connector=connector, mode="test", credentials=credentials)


def _checks(account) -> dict[str, tuple[bool, str]]:
    return {name: (passed, message) for name, passed, message in connector_account_test(account=account)}


@pytest.mark.parametrize("connector", sorted(PROBED))
def test_right_credentials_are_accepted_by_the_gateway(connector, simulator_account):
    field = PROBED[connector][2]
    passed, message = _checks(simulator_account(connector))[field]
    assert passed, message
    assert "answered" in message and "accepted" in message


@pytest.mark.parametrize("connector", sorted(PROBED))
def test_a_wrong_secret_is_refused_by_name_without_leaking_it(connector, lipwa_server, merchant):
    secret_field, refusal, field = PROBED[connector]
    base_url = f"{lipwa_server.url}/simulators/{connector}"
    account = _account(merchant, connector, base_url, **{secret_field: WRONG_SECRET})
    checks = _checks(account)
    assert checks["credentials"][0] is True  # well-formed: only the gateway can tell it is wrong
    passed, message = checks[field]
    assert passed is False and refusal in message, message
    assert WRONG_SECRET not in str(checks) and "sim_secret" not in str(checks)


@pytest.mark.parametrize("connector", sorted(PROBED))
def test_a_gateway_that_is_down_did_not_answer(connector, merchant):
    account = _account(merchant, connector, f"http://127.0.0.1:9/simulators/{connector}")
    checks = _checks(account)
    passed, message = checks[PROBED[connector][2]]
    assert passed is False and "did not answer" in message and "127.0.0.1:9" in message


def test_a_cached_token_does_not_make_a_revoked_secret_pass(simulator_account, monkeypatch):
    """The probe always asks the gateway: a token cached before the secret was rotated proves nothing."""
    from lipwa.connectors.mpesa.simulator import views

    account = simulator_account("mpesa")
    assert _checks(account)["base_url"][0] is True
    # As if the merchant rotated the secret on Daraja's portal, after lipwa had cached a token for the old one.
    monkeypatch.setattr(views, "CONSUMER_SECRET", "rotated_at_the_gateway")
    passed, message = _checks(account)["base_url"]
    assert passed is False and "M-Pesa refused the consumer key/secret" in message


def test_mtn_checks_the_disbursement_keys_only_when_the_account_has_its_own(lipwa_server, merchant):
    base_url = f"{lipwa_server.url}/simulators/mtn_momo"
    collect_only = _checks(_account(merchant, "mtn_momo", base_url))["base_url"]
    assert collect_only[0] and "the collection token request" in collect_only[1]
    own = _checks(_account(merchant, "mtn_momo", base_url, disbursement_api_key=WRONG_SECRET,
                           disbursement_api_user="sim_key"))["base_url"]
    assert own == (False, f"MTN MoMo refused the disbursement API user/API key/subscription key (HTTP 401 "
                          f"login_failed) at {base_url}")


def test_mtn_names_a_subscription_key_the_gateway_does_not_know(lipwa_server, merchant):
    base_url = f"{lipwa_server.url}/simulators/mtn_momo"
    passed, message = _checks(_account(merchant, "mtn_momo", base_url, subscription_key=WRONG_SECRET))["base_url"]
    assert passed is False and message.startswith("MTN MoMo refused the collection API user/API key/subscription "
                                                  "key (HTTP 401"), message
    assert WRONG_SECRET not in message


def test_azampay_checks_its_other_hosts_answer(simulator_account):
    checks = _checks(simulator_account("azampay"))
    assert list(checks) == ["credentials", "auth_base_url", "base_url", "disbursement_base_url"]
    assert all(passed for passed, _ in checks.values()), checks


@pytest.mark.parametrize("connector", ["feexpay", "paynow"])
def test_gateways_without_a_side_effect_free_check_fall_back_to_reachability_and_say_so(connector,
                                                                                       simulator_account):
    checks = _checks(simulator_account(connector))
    passed, message = checks["base_url"]
    assert passed and "answered" in message and NO_CREDENTIALS_PROBE in message
    assert "only reachability was checked" in message


def test_unusable_credentials_are_not_sent(lipwa_server, merchant):
    account = _account(merchant, "mpesa", f"{lipwa_server.url}/simulators/mpesa")
    account.set_credentials({**account.get_credentials(), "shortcode": "12"})  # as if edited outside the service
    checks = _checks(account)
    assert checks["credentials"][0] is False
    assert checks["base_url"][0] is True and "credentials not tried" in checks["base_url"][1]


def test_the_paystack_simulator_answers_balance_only_for_its_secret_key(lipwa_server):
    import httpx

    url = f"{lipwa_server.url}/simulators/paystack/balance"
    with httpx.Client(trust_env=False) as client:
        refused = client.get(url, headers={"Authorization": "Bearer sk_test_not_the_simulators"})
        answered = client.get(url, headers={"Authorization": "Bearer sim_secret"})
        wrong_method = client.post(url, headers={"Authorization": "Bearer sim_secret"})
    assert (refused.status_code, refused.json()) == (401, {"status": False, "message": "Invalid key"})
    assert answered.status_code == 200 and answered.json()["message"] == "Balances retrieved"
    assert answered.json()["data"] == [{"currency": c, "balance": 0} for c in ("NGN", "GHS", "KES", "ZAR", "USD")]
    assert wrong_method.status_code == 405
