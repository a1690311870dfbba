"""The MTN MoMo client over a real loopback socket: known answers, headers, the token cache, transport failures."""

from __future__ import annotations

import base64
import threading
import uuid

import pytest

from lipwa.common import clock
from lipwa.common.http import GatewayUnreachable, OutcomeUnknown
from lipwa.connectors.mtn_momo.client import (
    MomoClient,
    MomoProvisioning,
    ProvisioningError,
    TokenRefused,
    provision_sandbox_user,
    token_path,
)
from lipwa.connectors.mtn_momo.credentials import MomoCredentials
from lipwa.connectors.mtn_momo.mapping import Answer, TransactionStatus

from .stub import (
    API_KEY,
    API_USER,
    API_USER_GET,
    COLLECTION_TOKEN,
    DISBURSEMENT_TOKEN,
    REFUND,
    RTP,
    RTP_STATUS,
    TRANSFER,
    Reply,
    closed_port_url,
    fixture,
)

REFERENCE = "3d76865f-710f-4c68-a76d-63190b4e9164"


def credentials(base_url: str, **overrides: str) -> MomoCredentials:
    values = {"base_url": base_url, "target_environment": "mtnuganda", "subscription_key": "sub-key-1",
              "api_user": "b5f1ec47-0d0a-4b8c-9c3f-1c2d3e4f5a6b", "api_key": "api-key-1"} | overrides
    return MomoCredentials.from_mapping(values)


def client(base_url: str, timeout_seconds: float = 5.0, product: str = "collection", **overrides: str) -> MomoClient:
    resolved = credentials(base_url, **overrides)
    product_credentials = resolved.collection if product == "collection" else resolved.disbursement
    return MomoClient(product_credentials, target_environment=resolved.target_environment.name,
                      timeout_seconds=timeout_seconds)


def request_to_pay(momo_client: MomoClient, callback_url: str | None = "http://cb.example.com/hooks/x/"):
    return momo_client.request_to_pay(reference=REFERENCE, amount="1000", currency="UGX", external_id="att_01TEST",
                                      msisdn="256772123456", payer_message="Clinic visit", payee_note="INV-1",
                                      callback_url=callback_url)


# -- the wire ---------------------------------------------------------------------------------------------


def test_token_paths_keep_their_trailing_slash():
    assert token_path("collection") == "/collection/token/"
    assert token_path("disbursement") == "/disbursement/token/"


def test_request_to_pay_sends_mtn_headers_and_body(momo):
    with client(momo.base_url) as momo_client:
        answer = request_to_pay(momo_client)
    assert answer == Answer(202)
    request = momo.requests_to(RTP)[0]
    assert request.method == "POST"
    headers = request.headers
    assert headers["authorization"] == "Bearer stub-token-1"
    assert headers["x-reference-id"] == REFERENCE
    assert headers["x-target-environment"] == "mtnuganda"
    assert headers["x-callback-url"] == "http://cb.example.com/hooks/x/"
    assert headers["ocp-apim-subscription-key"] == "sub-key-1"
    assert headers["content-type"] == "application/json"
    assert headers["user-agent"].startswith("lipwa-mtn-momo/")
    assert request.json() == {"amount": "1000", "currency": "UGX", "externalId": "att_01TEST",
                              "payer": {"partyIdType": "MSISDN", "partyId": "256772123456"},
                              "payerMessage": "Clinic visit", "payeeNote": "INV-1"}


def test_no_callback_url_means_no_header_rather_than_an_empty_one(momo):
    with client(momo.base_url) as momo_client:
        request_to_pay(momo_client, callback_url=None)
    assert "x-callback-url" not in momo.requests_to(RTP)[0].headers


def test_status_decodes_the_providers_sample(momo):
    momo.script(RTP_STATUS, Reply(200, fixture("requesttopay_status__failed_internal_processing_error")))
    with client(momo.base_url) as momo_client:
        status = momo_client.request_to_pay_status(REFERENCE)
    assert isinstance(status, TransactionStatus)
    assert (status.status, status.reason_code, status.financial_transaction_id) == (
        "FAILED", "INTERNAL_PROCESSING_ERROR", "1927264368")
    assert str(status.amount) == "50.00 EUR" and status.party_id == "46733123450"
    request = momo.requests_to(RTP_STATUS)[0]
    assert (request.method, request.path) == ("GET", f"{RTP}/{REFERENCE}")
    assert request.headers["x-target-environment"] == "mtnuganda"


@pytest.mark.parametrize("reply, expected", [
    (Reply(404, fixture("requesttopay_status__not_found")), Answer(404, "RESOURCE_NOT_FOUND",
                                                                  "Requested resource was not found.")),
    (Reply(500, b"<html>oops</html>"), Answer(500)),
    (Reply(200, b"not json"), Answer(200, "", "unreadable body: Expecting value: line 1 column 1 (char 0)")),
])
def test_status_errors_come_back_as_answers(momo, reply, expected):
    momo.script(RTP_STATUS, reply)
    with client(momo.base_url) as momo_client:
        assert momo_client.request_to_pay_status(REFERENCE) == expected


def test_disbursement_uses_its_own_keys_token_and_paths(momo):
    with client(momo.base_url, product="disbursement", disbursement_subscription_key="disb-sub",
                disbursement_api_user="disb-user", disbursement_api_key="disb-key") as momo_client:
        momo_client.transfer(reference=REFERENCE, amount="5000", currency="UGX", external_id="pyt_1",
                             msisdn="256772123456", payer_message="Payout", payee_note="Payout")
        momo_client.refund(reference=str(uuid.uuid4()), amount="500", currency="UGX", external_id="rfd_1",
                           payer_message="Refund", payee_note="Refund", reference_to_refund=REFERENCE)
    token_request = momo.requests_to(DISBURSEMENT_TOKEN)[0]
    assert token_request.headers["authorization"] == "Basic " + base64.b64encode(b"disb-user:disb-key").decode()
    assert token_request.headers["ocp-apim-subscription-key"] == "disb-sub"
    transfer = momo.requests_to(TRANSFER)[0]
    assert transfer.json()["payee"] == {"partyIdType": "MSISDN", "partyId": "256772123456"}
    assert "x-callback-url" not in transfer.headers, "payouts are settled by status queries"
    refund = momo.requests_to(REFUND)[0].json()
    assert refund["referenceIdToRefund"] == REFERENCE
    assert momo.requests_to(COLLECTION_TOKEN) == []


def test_account_holder_endpoints(momo):
    with client(momo.base_url) as momo_client:
        assert momo_client.account_holder_active("256772123456") is True
        assert momo_client.basic_user_info("256772123456") == "Jane Nakato"
    paths = [request.path for request in momo.received[1:]]
    assert paths == ["/collection/v1_0/accountholder/msisdn/256772123456/active",
                     "/collection/v1_0/accountholder/msisdn/256772123456/basicuserinfo"]


# -- the token --------------------------------------------------------------------------------------------


def test_token_request_is_a_post_with_basic_auth_and_the_subscription_key(momo):
    with client(momo.base_url) as momo_client:
        assert momo_client.access_token() == "stub-token-1"
    request = momo.requests_to(COLLECTION_TOKEN)[0]
    assert request.method == "POST"
    expected = base64.b64encode(b"b5f1ec47-0d0a-4b8c-9c3f-1c2d3e4f5a6b:api-key-1").decode()
    assert request.headers["authorization"] == f"Basic {expected}"
    assert request.headers["ocp-apim-subscription-key"] == "sub-key-1"


@pytest.mark.parametrize("expires_in", [3600, "3600"])
def test_token_is_cached_across_clients_until_a_minute_before_expiry(momo, expires_in):
    momo.token_expires_in = expires_in
    clock.freeze()
    for _ in range(3):
        with client(momo.base_url) as momo_client:
            assert momo_client.access_token() == "stub-token-1"
    clock.advance(3600 - 60 - 1)
    with client(momo.base_url) as momo_client:
        assert momo_client.access_token() == "stub-token-1"
    clock.advance(1)
    with client(momo.base_url) as momo_client:
        assert momo_client.access_token() == "stub-token-2"
    assert momo.tokens_issued == 2


def test_tokens_are_per_user_product_and_key(momo):
    with client(momo.base_url) as first, client(momo.base_url, api_user="other-user") as second:
        assert first.access_token() != second.access_token()
    # Knowing an API user id is not enough to reuse its token: the keys are part of the cache key.
    with client(momo.base_url, api_key="guessed") as guesser:
        assert guesser.access_token() == "stub-token-3"
    with client(momo.base_url, subscription_key="other-sub") as other_subscription:
        assert other_subscription.access_token() == "stub-token-4"
    with client(momo.base_url, product="disbursement") as disbursement:
        assert disbursement.access_token() == "stub-token-5"


def test_concurrent_callers_share_one_token_request(momo):
    momo.token_delay_seconds = 0.2
    tokens: list[str] = []
    errors: list[BaseException] = []

    def fetch() -> None:
        try:
            with client(momo.base_url) as momo_client:
                tokens.append(momo_client.access_token())
        except BaseException as exc:  # surfaced below; a thread's exception is otherwise lost
            errors.append(exc)

    threads = [threading.Thread(target=fetch) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert not errors
    assert tokens == ["stub-token-1"] * 8
    assert momo.tokens_issued == 1


def test_a_refused_token_is_dropped_and_the_call_retried_once(momo):
    with client(momo.base_url) as momo_client:
        momo_client.access_token()  # cache stub-token-1, which MTN will then refuse
        momo.script(RTP, Reply(401, fixture("error__invalid_access_token")), Reply(202))
        assert request_to_pay(momo_client) == Answer(202)
    posts = momo.requests_to(RTP)
    assert [p.headers["authorization"] for p in posts] == ["Bearer stub-token-1", "Bearer stub-token-2"]
    assert posts[0].body == posts[1].body
    assert posts[0].headers["x-reference-id"] == posts[1].headers["x-reference-id"], "the same reference"


def test_the_retry_happens_only_once(momo):
    momo.script(RTP, Reply(401, fixture("error__invalid_subscription_key")))
    with client(momo.base_url) as momo_client:
        answer = request_to_pay(momo_client)
    assert answer.http_status == 401 and "subscription key" in answer.message
    assert len(momo.requests_to(RTP)) == 2
    assert momo.tokens_issued == 2


def test_refused_credentials(momo):
    momo.script(COLLECTION_TOKEN, Reply(401, fixture("token__login_failed")))
    with client(momo.base_url) as momo_client, pytest.raises(TokenRefused) as excinfo:
        request_to_pay(momo_client)
    assert (excinfo.value.http_status, excinfo.value.code) == (401, "login_failed")
    assert "api-key-1" not in str(excinfo.value) and "sub-key-1" not in str(excinfo.value)
    assert momo.requests_to(RTP) == [], "nothing is sent without a token"


@pytest.mark.parametrize("reply", [Reply(503, b"<html>down</html>"), Reply(200, b"not json"),
                                   Reply(200, {"expires_in": 3600}), Reply(hang=True)])
def test_token_trouble_means_nothing_was_sent(momo, reply):
    # Even a lost token answer is GatewayUnreachable, not OutcomeUnknown: the API call was never made.
    momo.script(COLLECTION_TOKEN, reply)
    with client(momo.base_url, timeout_seconds=0.3) as momo_client, pytest.raises(GatewayUnreachable):
        request_to_pay(momo_client)
    assert momo.requests_to(RTP) == []


# -- transport --------------------------------------------------------------------------------------------


def test_a_lost_answer_is_outcome_unknown(momo):
    momo.script(RTP, Reply(hang=True))
    with client(momo.base_url, timeout_seconds=0.3) as momo_client, pytest.raises(OutcomeUnknown):
        request_to_pay(momo_client)


def test_a_refused_connection_is_gateway_unreachable():
    with client(closed_port_url()) as momo_client, pytest.raises(GatewayUnreachable):
        request_to_pay(momo_client)


# -- sandbox provisioning (2.2) -------------------------------------------------------------------------------


def test_provisioning_creates_a_user_and_a_key(momo):
    api_user, api_key = provision_sandbox_user(momo.base_url, "sub-key-1", "cb.example.com")
    assert uuid.UUID(api_user).version == 4
    assert api_key == "b0431db58a9b41faa8f5860230xxxxxx"
    create = momo.requests_to(API_USER)[0]
    assert create.headers["x-reference-id"] == api_user
    assert create.headers["ocp-apim-subscription-key"] == "sub-key-1"
    assert create.json() == {"providerCallbackHost": "cb.example.com"}
    assert momo.requests_to(API_KEY)[0].path == f"/v1_0/apiuser/{api_user}/apikey"


def test_provisioning_reads_the_user(momo):
    with MomoProvisioning(momo.base_url, "sub-key-1") as provisioning:
        info = provisioning.api_user("b5f1ec47-0d0a-4b8c-9c3f-1c2d3e4f5a6b")
    assert (info.provider_callback_host, info.target_environment) == ("cb.example.com", "sandbox")
    assert momo.requests_to(API_USER_GET)[0].method == "GET"


def test_provisioning_refusals_raise_with_mtn_s_code(momo):
    momo.script(API_USER, Reply(409, fixture("requesttopay__duplicate_reference")))
    with MomoProvisioning(momo.base_url, "sub-key-1") as provisioning, pytest.raises(ProvisioningError) as excinfo:
        provisioning.create_api_user("cb.example.com", api_user=REFERENCE)
    assert excinfo.value.answer.code == "RESOURCE_ALREADY_EXIST"
    assert "sub-key-1" not in str(excinfo.value)
