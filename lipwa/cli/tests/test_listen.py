"""`lipwa listen --forward-to`: events reach a local receiver signed exactly like merchant webhooks."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from lipwa.webhooks_out.signing import HEADER, verify_signature

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def receiver():
    """A local HTTP server that records what it receives and answers 200."""
    received: list[tuple[bytes, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the http.server API
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((body, self.headers.get(HEADER, "")))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hooks", received
    server.shutdown()
    server.server_close()


def _keep_creating_payments(merchant, stop: threading.Event) -> threading.Thread:
    """Payments (payment.created events) appear while listen runs, as they would from a merchant's traffic."""
    from django.db import connection

    from lipwa.payments.services import payment_create

    def work():
        try:
            while not stop.wait(0.05):
                payment_create(merchant=merchant, mode="test", amount=5000, currency="KES", method="mobile_money",
                               phone="0712345678", confirm=False)
        finally:
            connection.close()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def test_forwards_new_events_signed(cli, merchant, receiver):
    from lipwa.payments.services import payment_create
    from lipwa.payments.tests.factories import unreachable_mpesa_account

    url, received = receiver
    unreachable_mpesa_account(merchant)
    before = payment_create(merchant=merchant, mode="test", amount=5000, currency="KES", method="mobile_money",
                            phone="0712345678", confirm=False)
    stop = threading.Event()
    thread = _keep_creating_payments(merchant, stop)
    try:
        code, out, err = cli("listen", "--forward-to", url, "--merchant", merchant.id, "--interval", "0.05",
                             "--max-events", "2", "--events", "payment.*")
    finally:
        stop.set()
        thread.join()
    assert code == 0, err
    secret = next(line.split()[2] for line in out.splitlines() if line.startswith("Signing secret: "))
    assert secret.startswith("whsec_")
    assert len(received) == 2
    forwarded_ids = [line.split()[3] for line in out.splitlines() if line.endswith("-> 200")]
    for body, header in received:
        verify_signature(body, header, secret)  # raises if the signature is wrong
        event = json.loads(body)
        assert event["type"] == "payment.created" and event["data"]["object"]["id"] != before.id
    assert forwarded_ids == [json.loads(body)["id"] for body, _ in received]


def test_unreachable_receiver_is_reported_and_exit_1(cli, merchant):
    from lipwa.payments.tests.factories import unreachable_mpesa_account

    unreachable_mpesa_account(merchant)
    stop = threading.Event()
    thread = _keep_creating_payments(merchant, stop)
    try:
        code, out, _ = cli("listen", "--forward-to", "http://127.0.0.1:9/hooks", "--merchant", merchant.id,
                           "--interval", "0.05", "--max-events", "1")
    finally:
        stop.set()
        thread.join()
    assert code == 1 and "-> error: ConnectError" in out


@pytest.mark.parametrize("argv, words", [
    (("--forward-to", "localhost:3000"), "--forward-to must be an http(s) URL"),
    (("--forward-to", "ftp://example.test/x"), "--forward-to must be an http(s) URL"),
    (("--forward-to", "http://127.0.0.1:3000", "--merchant", "mer_nope"), "no merchant mer_nope"),
    (("--forward-to", "http://127.0.0.1:3000", "--interval", "0"), "--interval"),
    (("--forward-to", "http://127.0.0.1:3000", "--events", " , "), "--events must name event types"),
    ((), "Missing option '--forward-to'"),
])
def test_bad_input(cli, argv, words):
    code, _, err = cli("listen", *argv)
    assert code == 2 and words in err and err.count("\n") == 1, err
