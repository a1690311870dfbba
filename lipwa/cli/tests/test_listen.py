"""`lipwa listen`: a merchant's events, read through the public API with an API key over real HTTP, reach a local
receiver signed exactly like merchant webhooks; a target that is down is retried, lipwa being down is survived.

`listen.sleep` is replaced in every test: where listen would wait, the test makes the next thing happen (a
payment, a receiver coming up, a Ctrl-C), so nothing sleeps.
"""

from __future__ import annotations

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest
from lipwa_sdk import Lipwa, webhooks

from lipwa.cli.commands import listen as listen_command

pytestmark = pytest.mark.django_db(transaction=True)

CHARGE = {"amount": 10000, "currency": "KES", "method": "mobile_money", "phone": "0712345678"}


class Receiver:
    """A developer's local webhook handler on 127.0.0.1: records raw bodies and signature headers, answers 200."""

    def __init__(self, port: int = 0) -> None:
        self.received: list[tuple[bytes, str]] = []
        received = self.received

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers["Content-Length"]))
                received.append((body, self.headers.get(webhooks.HEADER, "")))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture
def api(lipwa_server, test_key):
    with Lipwa(test_key, base_url=lipwa_server.url, timeout=20) as sdk:
        yield sdk


@pytest.fixture
def when_idle(monkeypatch):
    """Replace listen's waits with `action(seconds, call_number)`; a run that never finishes fails instead."""
    calls: list[float] = []

    def install(action=lambda seconds, n: None, limit: int = 200):
        def fake_sleep(seconds: float) -> None:
            calls.append(seconds)
            assert len(calls) <= limit, f"listen kept waiting ({len(calls)} waits)"
            action(seconds, len(calls))

        monkeypatch.setattr(listen_command, "sleep", fake_sleep)
        return calls

    return install


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _said(err: str) -> list[str]:
    """stderr without the services' JSON log lines (payments the test itself makes log there)."""
    return [line for line in err.splitlines() if not line.startswith("{")]


def _secret(out: str) -> str:
    return next(line.split()[2] for line in out.splitlines() if line.startswith("Signing secret: "))


def _forwarded(out: str) -> list[tuple[str, str, str]]:
    return [tuple(line.split()[1:]) for line in out.splitlines() if line.startswith("→ ")]


def _pending_payment(merchant):
    from lipwa.payments.services import payment_create

    return payment_create(merchant=merchant, mode="test", confirm=False, **CHARGE)


def test_forwards_only_new_events_in_order_signed_like_webhooks(cli, lipwa_server, test_key, merchant, receiver,
                                                                when_idle):
    from lipwa.payments.selectors import event_get
    from lipwa.payments.services import payment_cancel
    from lipwa.payments.tests.factories import unreachable_mpesa_account
    from lipwa.webhooks_out.presenters import event_body

    unreachable_mpesa_account(merchant)
    before = _pending_payment(merchant)  # its event predates listen: not forwarded
    made = []

    def make_payments(seconds, n):
        if n == 1:
            made.extend(_pending_payment(merchant) for _ in range(2))
            payment_cancel(merchant=merchant, mode="test", payment_id=made[0].id)

    when_idle(make_payments)
    code, out, err = cli("listen", "--api-url", lipwa_server.url, "--api-key", test_key, "--forward-to", receiver.url,
                         "--max-events", "3")
    assert (code, _said(err)) == (0, [])
    assert out.splitlines()[0] == f"Ready! Forwarding test events from {lipwa_server.url} to {receiver.url}"
    secret = _secret(out)
    events = [webhooks.construct_event(body, header, secret) for body, header in receiver.received]
    assert [(e["type"], e["data"]["object"]["id"]) for e in events] == [
        ("payment.created", made[0].id), ("payment.created", made[1].id), ("payment.cancelled", made[0].id)]
    assert before.id not in {e["data"]["object"]["id"] for e in events}
    assert _forwarded(out) == [(e["type"], e["id"], "[200]") for e in events]
    for body, _ in receiver.received:  # byte for byte what a webhook delivery of the event sends
        assert body == event_body(event_get(merchant=merchant, mode="test", event_id=json.loads(body)["id"]))


def test_filter_forwards_a_real_payment_succeeding_through_the_simulator(cli, api, lipwa_server, test_key,
                                                                         simulator_account, receiver, when_idle,
                                                                         run_tasks):
    from lipwa.connectors.testing.contract import wait_for
    from lipwa.webhooks_in.models import InboundWebhook

    simulator_account("mpesa")
    paid = {}

    def customer_pays(seconds, n):
        if n == 1:
            paid.update(api.payments.create(**CHARGE))
            wait_for(lambda: InboundWebhook.objects.exists(), "the simulator's callback")
            run_tasks()

    when_idle(customer_pays)
    code, out, err = cli("listen", "--api-url", lipwa_server.url, "--api-key", test_key, "--forward-to", receiver.url,
                         "--events", "payment.succeeded,refund.*", "--interval", "0.05", "--max-events", "1")
    assert (code, _said(err)) == (0, [])
    [(body, header)] = receiver.received
    event = webhooks.construct_event(body, header, _secret(out))
    assert (event["type"], event["data"]["object"]["id"]) == ("payment.succeeded", paid["id"])
    assert _forwarded(out) == [("payment.succeeded", event["id"], "[200]")]
    created = [e["type"] for e in api.events.list_all()]
    assert "payment.created" in created and "payment.processing" in created  # there, but filtered out


def test_since_forwards_the_events_after_it_first(cli, lipwa_server, test_key, merchant, receiver, when_idle, api):
    from lipwa.payments.tests.factories import unreachable_mpesa_account

    unreachable_mpesa_account(merchant)
    first, second, third = (_pending_payment(merchant) for _ in range(3))
    since = api.events.list(limit=3).data[-1]["id"]  # the first payment's event
    when_idle()
    code, out, _ = cli("listen", "--api-url", lipwa_server.url, "--api-key", test_key, "--forward-to", receiver.url,
                       "--since", since, "--max-events", "2")
    assert code == 0
    assert [json.loads(body)["data"]["object"]["id"] for body, _ in receiver.received] == [second.id, third.id]


def test_a_target_that_is_down_is_retried_with_backoff_not_skipped(cli, lipwa_server, test_key, merchant, when_idle):
    from lipwa.payments.tests.factories import unreachable_mpesa_account

    unreachable_mpesa_account(merchant)
    port, started = _free_port(), []

    def developer_starts_the_app_late(seconds, n):
        if n == 1:
            _pending_payment(merchant)
        elif seconds >= 1:  # the second retry: the app is up now
            started.append(Receiver(port))

    waits = when_idle(developer_starts_the_app_late)
    try:
        code, out, err = cli("listen", "--api-url", lipwa_server.url, "--api-key", test_key, "--forward-to",
                             f"http://127.0.0.1:{port}/hooks", "--max-events", "1")
    finally:
        for server in started:
            server.close()
    assert code == 0, err
    assert waits[1:] == [0.5, 1.0]  # backoff doubles between tries of the same event
    warnings = _said(err)
    assert len(warnings) == 2 and all(" not delivered to " in line and "ConnectError" in line for line in warnings)
    [(body, header)] = started[0].received
    assert webhooks.construct_event(body, header, _secret(out))["type"] == "payment.created"
    assert _forwarded(out)[0][2] == "[200]"


def test_non_2xx_answers_are_printed_and_exit_1(cli, lipwa_server, test_key, merchant, when_idle):
    from lipwa.payments.tests.factories import unreachable_mpesa_account

    unreachable_mpesa_account(merchant)
    when_idle(lambda seconds, n: n == 1 and _pending_payment(merchant))
    # lipwa itself is the target here: its 404 for an unknown path is the developer's handler refusing the event.
    code, out, _ = cli("listen", "--api-url", lipwa_server.url, "--api-key", test_key, "--forward-to",
                       f"{lipwa_server.url}/no-such-hook", "--max-events", "1")
    assert code == 1 and _forwarded(out)[0][0] == "payment.created" and _forwarded(out)[0][2] == "[404]"


def test_lipwa_unreachable_is_one_warning_then_ctrl_c_exits_130(cli, receiver, when_idle):
    def interrupt_later(seconds, n):
        if n == 5:
            raise KeyboardInterrupt

    when_idle(interrupt_later)
    code, out, err = cli("listen", "--api-url", f"http://127.0.0.1:{_free_port()}", "--api-key",
                         "sk_test_" + "a" * 24, "--forward-to", receiver.url)
    assert code == 130 and out == ""
    assert _said(err)[0].startswith("warning: lipwa at http://127.0.0.1:") and "still trying" in err
    assert _said(err)[1:] == ["stopped"]


class LipwaComingUp:
    """lipwa reachable on `port` only once started: a loopback proxy in front of the live server."""

    def __init__(self, port: int, upstream: str) -> None:
        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - the http.server API
                answer = httpx.get(upstream + self.path, headers={"Authorization": self.headers["Authorization"]},
                                   trust_env=False, timeout=20)
                self.send_response(answer.status_code)
                self.send_header("Content-Type", answer.headers["Content-Type"])
                self.send_header("Content-Length", str(len(answer.content)))
                self.end_headers()
                self.wfile.write(answer.content)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def test_lipwa_down_at_first_is_one_warning_then_events_flow(cli, lipwa_server, test_key, merchant, receiver,
                                                             when_idle):
    from lipwa.payments.tests.factories import unreachable_mpesa_account

    unreachable_mpesa_account(merchant)
    port, proxies = _free_port(), []

    def lipwa_comes_up_then_a_payment(seconds, n):
        if n == 3:
            proxies.append(LipwaComingUp(port, lipwa_server.url))
        elif n == 4:  # the first idle poll through the proxy
            _pending_payment(merchant)

    when_idle(lipwa_comes_up_then_a_payment)
    try:
        code, out, err = cli("listen", "--api-url", f"http://127.0.0.1:{port}", "--api-key", test_key,
                             "--forward-to", receiver.url, "--max-events", "1")
    finally:
        for proxy in proxies:
            proxy.close()
    assert code == 0, err
    warning, recovered = _said(err)
    assert warning.startswith(f"warning: lipwa at http://127.0.0.1:{port} is unreachable") and "ConnectError" in warning
    assert recovered == f"lipwa at http://127.0.0.1:{port} answers again"
    assert [e[0] for e in _forwarded(out)] == ["payment.created"] and len(receiver.received) == 1


def test_ctrl_c_while_listening_exits_130(cli, lipwa_server, test_key, receiver, when_idle):
    def interrupt(seconds, n):
        raise KeyboardInterrupt

    when_idle(interrupt)
    code, out, err = cli("listen", "--api-url", lipwa_server.url, "--api-key", test_key, "--forward-to", receiver.url)
    assert (code, _said(err)) == (130, ["stopped"]) and out.startswith("Ready! ")


def test_a_refused_key_is_one_line_and_exit_2(cli, lipwa_server, receiver, when_idle):
    when_idle(limit=0)
    code, out, err = cli("listen", "--api-url", lipwa_server.url, "--api-key", "sk_test_" + "z" * 24,
                         "--forward-to", receiver.url)
    assert code == 2 and out == "" and len(err.splitlines()) == 1
    assert err.startswith(f"error: lipwa at {lipwa_server.url} refused the API key")


@pytest.mark.parametrize("argv, message", [
    (["--forward-to", "localhost:3000/hooks"], "--forward-to must be an http(s) URL"),
    (["--forward-to", "http://127.0.0.1:9/hooks", "--api-url", "lipwa-host:8000"], "--api-url must be an http(s)"),
    (["--forward-to", "http://127.0.0.1:9/hooks", "--api-key", ""], "--api-key is required"),
    (["--forward-to", "http://127.0.0.1:9/hooks", "--api-key", "pk_test_abc"], "--api-key must be a secret key"),
    (["--forward-to", "http://127.0.0.1:9/hooks", "--events", " , "], "--events must name event types"),
    (["--forward-to", "http://127.0.0.1:9/hooks", "--interval", "0"], "--interval"),
])
def test_bad_input_is_one_line_and_exit_2(cli, monkeypatch, argv, message):
    monkeypatch.delenv("LIPWA_API_KEY", raising=False)
    if "--api-key" not in argv:
        argv = [*argv, "--api-key", "sk_test_" + "a" * 24]
    code, out, err = cli("listen", *argv)
    assert code == 2 and out == "" and len(err.splitlines()) == 1 and message in err


def test_since_must_name_an_event_of_the_key(cli, lipwa_server, test_key, receiver, when_idle):
    when_idle(limit=0)
    code, _, err = cli("listen", "--api-url", lipwa_server.url, "--api-key", test_key, "--forward-to", receiver.url,
                       "--since", "evt_01KAAAAAAAAAAAAAAAAAAAAAAA")
    assert code == 2 and "--since names no event" in err


def test_api_url_and_key_come_from_the_environment(cli, lipwa_server, test_key, receiver, when_idle, monkeypatch):
    monkeypatch.setenv("LIPWA_API_URL", lipwa_server.url)
    monkeypatch.setenv("LIPWA_API_KEY", test_key)
    when_idle(lambda seconds, n: (_ for _ in ()).throw(KeyboardInterrupt))
    code, out, _ = cli("listen", "--forward-to", receiver.url)
    assert code == 130 and f"from {lipwa_server.url} to" in out


def test_an_event_committed_late_with_an_older_id_is_still_forwarded_once(api, merchant, monkeypatch):
    """An id is minted before its transaction commits, so an event can appear behind one already seen."""
    from django.apps import apps

    from lipwa.common.ids import new_id
    from lipwa.payments.tests.factories import unreachable_mpesa_account

    unreachable_mpesa_account(merchant)
    held = new_id("evt")  # minted now by a transaction that commits only after the next event
    _pending_payment(merchant)
    follower = listen_command.EventFollower(api)
    follower.start_now()
    assert follower.poll() == []
    id_field = apps.get_model("payments", "PaymentEvent")._meta.get_field("id")
    monkeypatch.setattr(id_field, "_get_default", lambda: held)
    late = _pending_payment(merchant)
    monkeypatch.undo()
    assert [(e["id"], e["data"]["object"]["id"]) for e in follower.poll()] == [(held, late.id)]
    assert follower.poll() == []


def test_events_older_than_the_lookback_are_forgotten_behind_the_anchor():
    def event_id(ms: int) -> str:
        digits = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
        return "evt_" + "".join(digits[(ms >> (5 * i)) & 31] for i in reversed(range(10))) + "0" * 16

    old, older_kept, newest = event_id(1_000_000), event_id(1_000_000 + 20_000), event_id(1_000_000 + 45_000)
    follower = listen_command.EventFollower(client=None)
    follower.seen = {old, older_kept, newest}
    follower._forget_old()
    assert (follower.anchor, follower.seen) == (old, {older_kept, newest})
