"""The Paynow client over a real loopback socket: exact request bodies and hashes, answers, transport failures."""

from __future__ import annotations

import pytest

from lipwa.common.http import GatewayUnreachable, OutcomeUnknown
from lipwa.connectors.paynow.client import Initiation, PaynowClient, UnexpectedResponse, UnsafePollUrl
from lipwa.connectors.paynow.credentials import PaynowCredentials

from .stub import EXPRESS_PATH, KEY, POLL_PATH, WEB_PATH, Reply, closed_port_url, fixture_body, paynow_hash, signed

INITIATION = Initiation(reference="att_01TEST", amount="10.00", additional_info="Order 7 & co",
                        return_url="https://shop.example/return?o=7", result_url="https://pay.example/hooks/paynow/x/",
                        auth_email="merchant@example.com")


def client(base_url: str, timeout_seconds: float = 5.0, **overrides: str) -> PaynowClient:
    values = {"base_url": base_url, "integration_id": "sim_key", "integration_key": KEY} | overrides
    return PaynowClient(PaynowCredentials.from_mapping(values), timeout_seconds=timeout_seconds)


def test_web_initiate_sends_the_documented_fields_in_order_with_their_hash(paynow):
    with client(paynow.base_url) as paynow_client:
        reply = paynow_client.initiate_web(INITIATION)
    assert reply.response.ok and reply.hash_verified
    assert reply.response.browser_url == paynow.browser_url
    request = paynow.requests_to(WEB_PATH)[0]
    assert (request.method, request.headers["content-type"]) == ("POST", "application/x-www-form-urlencoded")
    pairs = request.pairs()
    assert [key for key, _ in pairs] == ["id", "reference", "amount", "additionalinfo", "returnurl", "resulturl",
                                         "authemail", "status", "hash"]
    values = [value for key, value in pairs if key != "hash"]
    assert values == ["sim_key", "att_01TEST", "10.00", "Order 7 & co", "https://shop.example/return?o=7",
                      "https://pay.example/hooks/paynow/x/", "merchant@example.com", "Message"]
    # The hash is over the values as Paynow decodes them once: raw, not pre-encoded.
    assert dict(pairs)["hash"] == paynow_hash(values)
    assert b"Order+7+%26+co" in request.body


def test_express_initiate_adds_phone_and_method_before_status(paynow):
    with client(paynow.base_url) as paynow_client:
        reply = paynow_client.initiate_express(INITIATION, method="ecocash", phone="0771234567")
    assert reply.response.ok and reply.hash_verified
    assert reply.response.instructions == "Approve on your phone"
    pairs = paynow.requests_to(EXPRESS_PATH)[0].pairs()
    assert [key for key, _ in pairs][-5:] == ["authemail", "phone", "method", "status", "hash"]
    assert dict(pairs)["hash"] == paynow_hash([value for key, value in pairs if key != "hash"])


def test_optional_fields_are_left_out_when_empty(paynow):
    bare = Initiation(reference="r1", amount="1.00", additional_info="", return_url="https://a.test/",
                      result_url="https://b.test/")
    with client(paynow.base_url) as paynow_client:
        paynow_client.initiate_web(bare)
    keys = [key for key, _ in paynow.requests_to(WEB_PATH)[0].pairs()]
    assert keys == ["id", "reference", "amount", "returnurl", "resulturl", "status", "hash"]


@pytest.mark.parametrize("name, verified", [("initiate__ok_wrong_hash", False), ("initiate__ok_without_hash", False),
                                            ("initiate__express_ok", True)])
def test_the_answers_hash_is_checked(paynow, name, verified):
    paynow.script(EXPRESS_PATH, Reply(200, fixture_body(name)))
    with client(paynow.base_url) as paynow_client:
        reply = paynow_client.initiate_express(INITIATION, method="ecocash", phone="0771234567")
    assert reply.response.ok and reply.hash_verified is verified


def test_the_docs_answer_verifies_with_the_docs_key(paynow):
    paynow.script(WEB_PATH, Reply(200, fixture_body("initiate__web_ok")))
    with client(paynow.base_url, integration_key="3e9fed89-60e1-4ce5-ab6e-6b1eb2d4f977") as paynow_client:
        assert paynow_client.initiate_web(INITIATION).hash_verified


def test_error_answers_are_returned_not_raised(paynow):
    paynow.script(WEB_PATH, Reply(200, fixture_body("initiate__error_invalid_hash")))
    with client(paynow.base_url) as paynow_client:
        reply = paynow_client.initiate_web(INITIATION)
    assert reply.response.is_error and not reply.hash_verified
    assert reply.response.error.startswith("Invalid Hash.")


def test_poll_sends_an_empty_post_to_the_poll_url(paynow):
    with client(paynow.base_url) as paynow_client:
        reply = paynow_client.poll(paynow.poll_url)
    assert reply.hash_verified and reply.status.status == "Paid" and reply.status.reference == "att_01TEST"
    request = paynow.requests_to(POLL_PATH)[0]
    assert (request.method, request.body, request.query_string) == (
        "POST", b"", "guid=c7ed41da-0159-46da-b428-69549f770413")


def test_poll_with_a_wrong_hash_is_not_verified(paynow):
    paynow.script(POLL_PATH, Reply(200, paynow.poll_body("Paid", key="forged")))
    with client(paynow.base_url) as paynow_client:
        assert not paynow_client.poll(paynow.poll_url).hash_verified


def test_poll_error_answer(paynow):
    paynow.script(POLL_PATH, Reply(200, b"status=Error&error=Invalid+transaction"))
    with client(paynow.base_url) as paynow_client:
        reply = paynow_client.poll(paynow.poll_url)
    assert (reply.status, reply.error, reply.hash_verified) == (None, "Invalid transaction", False)


@pytest.mark.parametrize("poll_url", ["https://evil.example/Interface/CheckPayment/?guid=x",
                                      "http://169.254.169.254/latest/meta-data/", "file:///etc/passwd"])
def test_poll_urls_elsewhere_are_never_requested(paynow, poll_url):
    with client(paynow.base_url) as paynow_client, pytest.raises(UnsafePollUrl):
        paynow_client.poll(poll_url)
    assert paynow.received == []


def test_a_poll_url_on_another_port_of_the_same_host_is_refused(paynow):
    with client(paynow.base_url) as paynow_client, pytest.raises(UnsafePollUrl):
        paynow_client.poll(closed_port_url() + POLL_PATH)


# -- transport and answers that are not Paynow's ------------------------------------------------------------


def test_a_lost_answer_is_outcome_unknown(paynow):
    paynow.script(WEB_PATH, Reply(hang=True))
    with client(paynow.base_url, timeout_seconds=0.3) as paynow_client, pytest.raises(OutcomeUnknown):
        paynow_client.initiate_web(INITIATION)


def test_a_refused_connection_is_gateway_unreachable():
    with client(closed_port_url()) as paynow_client, pytest.raises(GatewayUnreachable):
        paynow_client.initiate_web(INITIATION)


@pytest.mark.parametrize("reply, detail", [
    (Reply(503, b"<html>Service Unavailable</html>"), "HTTP error status"),
    (Reply(200, b"<html>a captive portal</html>"), "not form-encoded"),
    (Reply(200, b""), "empty body"),
    (Reply(200, b"browserurl=https%3a%2f%2fx"), "status is missing"),
])
def test_unexpected_answers(paynow, reply, detail):
    paynow.script(WEB_PATH, reply)
    with client(paynow.base_url) as paynow_client, pytest.raises(UnexpectedResponse) as excinfo:
        paynow_client.initiate_web(INITIATION)
    assert excinfo.value.http_status == reply.status
    assert detail in str(excinfo.value)


def test_a_poll_answer_without_a_reference_is_unexpected(paynow):
    paynow.script(POLL_PATH, Reply(200, signed([("status", "Paid")])))
    with client(paynow.base_url) as paynow_client, pytest.raises(UnexpectedResponse):
        paynow_client.poll(paynow.poll_url)
