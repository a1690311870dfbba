"""Outbound HTTP against real loopback servers: what counts as unreachable, and what as an unknown outcome."""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from lipwa.common.http import GatewayUnreachable, HttpClient, HttpResponse, OutcomeUnknown

TIMEOUT_SECONDS = 0.3
SLOW_SECONDS = 0.5  # longer than the client's read timeout; the server wakes early at teardown


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format, *args):  # noqa: A002 - the signature is the standard library's
        pass

    def _record(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        self.server.received.append((self.command, self.path, body))
        return body

    def _send(self, status: int, body: bytes, content_type: str = "application/json", **headers: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name.replace("_", "-"), value)
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):  # noqa: N802 - the standard library's name
        self._dispatch()

    def do_POST(self):  # noqa: N802
        self._dispatch()

    def _dispatch(self) -> None:
        body = self._record()
        path = self.path.split("?")[0]
        if path.endswith("/ok"):
            self._send(200, json.dumps({"ok": True, "path": self.path}).encode(), X_Gateway="sim")
        elif path == "/echo":
            self._send(201, json.dumps({"method": self.command, "body": body.decode()}).encode())
        elif path == "/status/503":
            self._send(503, b'{"error":"busy"}')
        elif path == "/not-utf8":
            self._send(200, b"caf\xe9", content_type="text/plain")
        elif path == "/redirect":
            self._send(302, b"", Location="/ok")
        elif path == "/slow":
            self.server.stop.wait(SLOW_SECONDS)
            self._send(200, b'{"late":true}')
        elif path == "/slow-body":
            self.send_response(200)
            self.send_header("Content-Length", "20")
            self.end_headers()
            self.wfile.write(b'{"partial":')
            self.wfile.flush()
            self.server.stop.wait(SLOW_SECONDS)
            self.wfile.write(b"true}    ")
        elif path == "/truncated":
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b'{"status":"acc')
            self.wfile.flush()
            self._hang_up()
        elif path == "/hang-up":
            self._hang_up()  # the request was read (and perhaps acted on), but no answer comes
        elif path == "/garbled-gzip":
            self._send(200, b"this is not gzip at all", content_type="application/json", Content_Encoding="gzip")
        elif path == "/not-http":
            self.wfile.write(b"SSH-2.0-OpenSSH_9.6\r\n")
            self.wfile.flush()
            self._hang_up()
        else:
            self._send(404, b'{"error":"no route"}')

    def _hang_up(self) -> None:
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[tuple[str, str, bytes]] = []
        self.stop = threading.Event()

    def handle_error(self, request, client_address):
        pass  # the client hanging up on a slow handler is expected here

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@pytest.fixture
def server() -> Iterator[_Server]:
    httpd = _Server()
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        httpd.stop.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=2)


@pytest.fixture
def client(server: _Server) -> Iterator[HttpClient]:
    with HttpClient(server.url, timeout=TIMEOUT_SECONDS) as http:
        yield http


@pytest.fixture
def closed_port() -> int:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return port


def test_normal_response(client, server):
    response = client.request("GET", "/ok")
    assert isinstance(response, HttpResponse)
    assert response.status_code == 200
    assert response.json() == {"ok": True, "path": "/ok"}
    assert response.headers["content-type"] == "application/json"
    assert response.headers["x-gateway"] == "sim"
    assert json.loads(response.text) == response.json()
    assert server.received == [("GET", "/ok", b"")]


def test_post_json_and_query_params(client, server):
    response = client.request("POST", "/echo", json={"amount": 1050})
    assert response.status_code == 201
    assert response.json() == {"method": "POST", "body": '{"amount":1050}'}
    client.request("GET", "/ok", params={"a": "1"})
    assert server.received[-1][1] == "/ok?a=1"


def test_base_url_path_is_kept(server):
    with HttpClient(server.url + "/gateway/", timeout=TIMEOUT_SECONDS) as http:
        response = http.request("GET", "/v1/ok")
    assert response.json()["path"] == "/gateway/v1/ok"


def test_http_error_statuses_are_responses_not_exceptions(client):
    response = client.request("GET", "/status/503")
    assert response.status_code == 503
    assert response.json() == {"error": "busy"}


def test_text_replaces_undecodable_bytes(client):
    response = client.request("GET", "/not-utf8")
    assert response.body == b"caf\xe9"
    assert response.text == "caf\ufffd"


def test_redirects_are_not_followed(client, server):
    response = client.request("GET", "/redirect")
    assert response.status_code == 302
    assert response.headers["location"] == "/ok"
    assert [path for _, path, _ in server.received] == ["/redirect"]


def test_read_timeout_is_an_unknown_outcome(client, server, caplog):
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="lipwa.http"), pytest.raises(OutcomeUnknown) as info:
        client.request("POST", "/slow", json={"phone": "254712345678"})
    assert time.monotonic() - started < SLOW_SECONDS + 0.2
    # The gateway did receive the request: that is exactly why the outcome is unknown, not failed.
    assert server.received and server.received[0][:2] == ("POST", "/slow")
    assert isinstance(info.value.__cause__, httpx.ReadTimeout)
    assert not isinstance(info.value, GatewayUnreachable)
    assert "outcome unknown" in caplog.text
    assert "254712345678" not in caplog.text and "254712345678" not in str(info.value)


def test_timeout_while_reading_the_body_is_an_unknown_outcome(client):
    with pytest.raises(OutcomeUnknown):
        client.request("GET", "/slow-body")


def test_connection_closed_mid_response_is_an_unknown_outcome(client, server):
    with pytest.raises(OutcomeUnknown):
        client.request("POST", "/truncated", json={"amount": 1050})
    assert server.received[0][:2] == ("POST", "/truncated")


def test_connection_closed_before_any_response_is_an_unknown_outcome(client, server):
    with pytest.raises(OutcomeUnknown):
        client.request("POST", "/hang-up", json={"amount": 1050})
    assert server.received[0][:2] == ("POST", "/hang-up")


def test_garbled_response_body_is_an_unknown_outcome(client):
    # The gateway answered, so something may have happened; a raw httpx.DecodingError used to escape here.
    with pytest.raises(OutcomeUnknown):
        client.request("POST", "/garbled-gzip", json={})


def test_a_non_http_answer_is_an_unknown_outcome(client):
    with pytest.raises(OutcomeUnknown):
        client.request("POST", "/not-http", json={})


def test_closed_port_is_unreachable(closed_port):
    started = time.monotonic()
    with HttpClient(f"http://127.0.0.1:{closed_port}", timeout=TIMEOUT_SECONDS) as http:
        with pytest.raises(GatewayUnreachable) as info:
            http.request("POST", "/stkpush", json={"amount": 1})
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert not isinstance(info.value, OutcomeUnknown)
    assert "POST /stkpush" in str(info.value)
    assert time.monotonic() - started < 2


def test_unsupported_scheme_is_unreachable():
    with HttpClient("ftp://127.0.0.1:21", timeout=TIMEOUT_SECONDS) as http:
        with pytest.raises(GatewayUnreachable):
            http.request("GET", "/file")


def test_environment_proxies_are_ignored(server, closed_port, monkeypatch):
    # A stray HTTP_PROXY on a worker must not reroute gateway traffic (or secrets) through someone else.
    for name in ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"]:
        monkeypatch.setenv(name, f"http://127.0.0.1:{closed_port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with HttpClient(server.url, timeout=TIMEOUT_SECONDS) as http:
        assert http.request("GET", "/ok").status_code == 200


def test_the_client_is_reusable_after_an_unknown_outcome(client, server):
    with pytest.raises(OutcomeUnknown):
        client.request("GET", "/truncated")
    assert client.request("GET", "/ok").status_code == 200


def test_close_is_final(server):
    http = HttpClient(server.url, timeout=TIMEOUT_SECONDS)
    assert http.request("GET", "/ok").status_code == 200
    http.close()
    with pytest.raises(RuntimeError):
        http.request("GET", "/ok")


def test_exceptions_are_distinct_and_not_value_errors():
    assert not issubclass(OutcomeUnknown, GatewayUnreachable)
    assert not issubclass(GatewayUnreachable, OutcomeUnknown)
    for cls in (OutcomeUnknown, GatewayUnreachable):
        assert not issubclass(cls, ValueError)


def test_response_json_of_invalid_body_raises_value_error():
    with pytest.raises(ValueError):
        HttpResponse(200, {}, b"<html>").json()
