"""Retries and idempotency keys against a scripted 127.0.0.1 stub: which answers are retried, and that every
retry of one call carries the same Idempotency-Key (so a retried charge can never be a second charge)."""

from __future__ import annotations

import asyncio
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from lipwa_sdk import (
    APIConnectionError,
    APIError,
    AsyncLipwa,
    IdempotencyError,
    InvalidRequestError,
    Lipwa,
    RateLimitError,
)

PAYMENT = {"id": "pay_1", "object": "payment", "status": "processing", "amount": 100, "currency": "KES",
           "future_field": "kept"}


def _error(type_: str, code: str, param: str | None = None) -> dict:
    return {"error": {"type": type_, "code": code, "message": f"{code} happened", "param": param,
                      "request_id": "req_stub"}}


class Stub:
    """Answers each request with the next scripted (status, body) — or None to drop the connection unanswered."""

    def __init__(self, script):
        self.script = list(script)
        self.requests: list[dict] = []
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output quiet
                pass

            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                stub.requests.append({"method": self.command, "path": self.path, "headers": dict(self.headers),
                                      "body": self.rfile.read(length)})
                step = stub.script.pop(0)
                if step is None:
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return
                status, body = step
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.send_header("Request-Id", "req_header")
                self.end_headers()
                self.wfile.write(raw)

            do_GET = do_POST = do_DELETE = _answer

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def keys(self) -> list[str | None]:
        return [r["headers"].get("Idempotency-Key") for r in self.requests]


@pytest.fixture
def stub():
    servers = []

    def make(*script):
        server = Stub(script)
        server.thread.start()
        servers.append(server)
        return server

    yield make
    for server in servers:
        server.server.shutdown()
        server.server.server_close()


def _client(server, sleeps, **kwargs):
    return Lipwa("sk_test_stub_key_0000000000", base_url=server.url, sleep=sleeps.append, **kwargs)


def test_503_then_201_is_retried_with_the_same_generated_key(stub):
    server = stub((503, _error("api_error", "internal_error")), (201, PAYMENT))
    sleeps: list[float] = []
    payment = _client(server, sleeps).payments.create(amount=100, currency="KES", phone="0712345678")
    assert payment["id"] == "pay_1" and payment["future_field"] == "kept"
    first, second = server.keys()
    assert first and first == second, "the retry must carry the key of the first try"
    assert len(first) == 36, "a uuid4"
    assert sleeps == [0.5]
    assert server.requests[0]["body"] == server.requests[1]["body"]
    assert server.requests[0]["headers"]["Authorization"] == "Bearer sk_test_stub_key_0000000000"


def test_dropped_connection_then_success_reuses_the_callers_key(stub):
    server = stub(None, (201, PAYMENT))
    sleeps: list[float] = []
    _client(server, sleeps).payments.create(amount=100, currency="KES", idempotency_key="order-7")
    assert server.keys() == ["order-7", "order-7"]


def test_409_in_flight_and_429_are_retried_with_backoff(stub):
    server = stub((409, _error("idempotency_error", "idempotency_key_in_use")),
                  (429, _error("rate_limit_error", "rate_limited")), (201, PAYMENT))
    sleeps: list[float] = []
    _client(server, sleeps).payments.cancel("pay_1")
    assert len(set(server.keys())) == 1 and len(server.requests) == 3
    assert sleeps == [0.5, 1.0]


def test_each_call_gets_its_own_key(stub):
    server = stub((201, PAYMENT), (201, PAYMENT))
    client = _client(server, [])
    client.payments.create(amount=100, currency="KES")
    client.payments.create(amount=100, currency="KES")
    first, second = server.keys()
    assert first != second


@pytest.mark.parametrize("status,error,raised", [
    (400, _error("invalid_request_error", "invalid_phone", "phone"), InvalidRequestError),
    (409, _error("invalid_request_error", "payment_not_cancellable"), InvalidRequestError),
    (422, _error("idempotency_error", "idempotency_key_mismatch", "Idempotency-Key"), IdempotencyError),
])
def test_client_errors_are_never_retried(stub, status, error, raised):
    server = stub((status, error))
    sleeps: list[float] = []
    with pytest.raises(raised) as caught:
        _client(server, sleeps).payments.create(amount=100, currency="KES")
    assert len(server.requests) == 1 and sleeps == []
    assert caught.value.status == status and caught.value.code == error["error"]["code"]
    assert caught.value.request_id == "req_stub"


def test_gives_up_after_max_retries(stub):
    server = stub(*[(429, _error("rate_limit_error", "rate_limited"))] * 2)
    sleeps: list[float] = []
    with pytest.raises(RateLimitError):
        _client(server, sleeps, max_retries=1).payments.retrieve("pay_1")
    assert len(server.requests) == 2 and sleeps == [0.5]
    assert server.keys() == [None, None], "reads carry no Idempotency-Key"


def test_a_body_that_is_not_lipwas_format_is_an_api_error(stub):
    server = stub((502, ["not", "an", "error"]))
    with pytest.raises(APIError) as caught:
        _client(server, [], max_retries=0).payments.retrieve("pay_1")
    assert caught.value.status == 502 and caught.value.request_id == "req_header"


def test_no_server_is_an_api_connection_error(stub):
    server = stub()
    server.server.shutdown()
    server.server.server_close()  # the port is closed: connections are refused
    sleeps: list[float] = []
    with pytest.raises(APIConnectionError):
        _client(server, sleeps, max_retries=2).payments.retrieve("pay_1")
    assert sleeps == [0.5, 1.0]


def test_bad_constructor_arguments_are_refused():
    with pytest.raises(ValueError):
        Lipwa("")
    with pytest.raises(ValueError):
        Lipwa("sk_test_x", max_retries=-1)
    with pytest.raises(ValueError):
        Lipwa("sk_test_x").payments.retrieve("")


def test_async_client_retries_with_the_same_key(stub):
    server = stub((500, _error("api_error", "internal_error")), (201, PAYMENT))
    sleeps: list[float] = []

    async def record(seconds: float) -> None:
        sleeps.append(seconds)

    async def run():
        async with AsyncLipwa("sk_test_stub_key_0000000000", base_url=server.url, sleep=record) as client:
            return await client.payments.create(amount=100, currency="KES")

    assert asyncio.run(run())["id"] == "pay_1"
    first, second = server.keys()
    assert first == second and sleeps == [0.5]


def test_list_all_walks_starting_after(stub):
    server = stub((200, {"object": "list", "data": [{"id": "pay_3"}, {"id": "pay_2"}], "has_more": True}),
                  (200, {"object": "list", "data": [{"id": "pay_1"}], "has_more": False}))
    ids = [p["id"] for p in _client(server, []).payments.list_all(status="succeeded", created_gte=5, limit=2)]
    assert ids == ["pay_3", "pay_2", "pay_1"]
    assert server.requests[0]["path"] == "/v1/payments?status=succeeded&created%5Bgte%5D=5&limit=2"
    assert server.requests[1]["path"].endswith("&starting_after=pay_2")


def test_upload_retried_after_503_sends_the_same_bytes_and_key(stub):
    server = stub((503, _error("api_error", "internal_error")), (201, {**PAYMENT, "object": "statement"}))
    sleeps: list[float] = []
    _client(server, sleeps).reconciliation.upload_statement(file=b"line 1\n", format="bank_csv", preset="equity_ke",
                                                            currency="KES", filename='my "statement".csv')
    first, second = server.requests
    assert first["body"] == second["body"] and server.keys()[0] == server.keys()[1]
    assert first["headers"]["Content-Type"].startswith("multipart/form-data; boundary=")
    assert b'filename="my %22statement%22.csv"' in first["body"] and b"line 1\n" in first["body"]
