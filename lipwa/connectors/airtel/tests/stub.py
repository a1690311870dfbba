"""A scripted stand-in for Airtel on 127.0.0.1, for the client and connector tests.

It is deliberately dumb: each path answers what the test scripted, and every request is recorded. It serves
its own RSA key at /v1/rsa/encryption-keys so that tests can decrypt what the client signed and encrypted. The
real behaviour of Airtel is modelled by the simulator, which the contract battery uses; these tests pin the
connector's own decisions, one wire answer at a time, over a real socket (no mocks of httpx).
"""

from __future__ import annotations

import base64
import json
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.asymmetric import padding as asymmetric_padding
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"

TOKEN_PATH = "/auth/oauth2/token"
KEYS_PATH = "/v1/rsa/encryption-keys"
COLLECT_V1_PATH = "/merchant/v1/payments/"
COLLECT_V2_PATH = "/merchant/v2/payments/"
ENQUIRY_PATHS = "/standard/v1/payments/*"
REFUND_V1_PATH = "/standard/v1/payments/refund"
REFUND_V2_PATH = "/standard/v2/payments/refund"
DISBURSE_PATH = "/standard/v2/disbursements/"
DISBURSEMENT_ENQUIRY_PATHS = "/standard/v1/disbursements/*"
USER_PATHS = "/standard/v1/users/*"


def fixture(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


def fixture_bytes(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


@cache
def stub_private_key() -> RSAPrivateKey:
    """One key pair for the whole test run (generating one takes tens of milliseconds)."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_key_b64(key: RSAPrivateKey | None = None) -> str:
    der = (key or stub_private_key()).public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


def rsa_decrypt(value_b64: str, key: RSAPrivateKey | None = None) -> bytes:
    return (key or stub_private_key()).decrypt(base64.b64decode(value_b64), asymmetric_padding.PKCS1v15())


def aes_decrypt(key: bytes, iv: bytes, ciphertext: bytes) -> bytes:
    decryptor = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(decryptor.update(ciphertext) + decryptor.finalize()) + unpadder.finalize()


def unsign(headers: dict[str, str], key: RSAPrivateKey | None = None) -> bytes:
    """What x-signature encrypts, recovered with the private key as Airtel would (PROVIDERS.md §3.3)."""
    key_b64, _, iv_b64 = rsa_decrypt(headers["x-key"], key).decode("ascii").partition(":")
    return aes_decrypt(base64.b64decode(key_b64), base64.b64decode(iv_b64), base64.b64decode(headers["x-signature"]))


@dataclass(frozen=True)
class Received:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


@dataclass(frozen=True)
class Reply:
    status: int = 200
    body: object = None  # a dict or list is sent as JSON, bytes as they are
    hang: bool = False  # never answer (until the stub stops): the client's read timeout fires
    delay_seconds: float = 0.0


Responder = Callable[[Received], Reply]


def echo_id(name: str) -> Responder:
    """Answer with fixture `name`, its data.transaction.id replaced by the id in the request's path."""
    def respond(request: Received) -> Reply:
        body = fixture(name)
        if isinstance(body.get("data", {}).get("transaction"), dict):
            body["data"]["transaction"]["id"] = request.path.rsplit("/", 1)[-1]
        return Reply(200, body)
    return respond


class AirtelStub:
    """Scripted replies per path; by default a token, a key, an accepted push and a succeeded enquiry."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.tokens_issued = 0
        self.keys_served = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._scripts: dict[str, list[Reply]] = {}
        self._responders: dict[str, Responder] = {
            TOKEN_PATH: self._issue_token,
            KEYS_PATH: self._serve_key,
            COLLECT_V1_PATH: lambda _: Reply(200, fixture("collection__accepted")),
            COLLECT_V2_PATH: lambda _: Reply(200, fixture("collection__accepted")),
            ENQUIRY_PATHS: echo_id("enquiry__succeeded"),
            REFUND_V1_PATH: lambda _: Reply(200, fixture("refund__accepted")),
            REFUND_V2_PATH: lambda _: Reply(200, fixture("refund__accepted")),
            DISBURSE_PATH: lambda _: Reply(200, fixture("disbursement__succeeded")),
            DISBURSEMENT_ENQUIRY_PATHS: echo_id("disbursement__succeeded"),
            USER_PATHS: lambda _: Reply(200, fixture("user__found")),
        }
        self.token_expires_in: object = "180"
        self.token_delay_seconds = 0.0
        self.key_valid_upto = "2099-12-31T23:59:59Z"
        self.private_key = stub_private_key()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._server.stub = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02},
                                        daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> AirtelStub:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    def script(self, path: str, *replies: Reply) -> None:
        """Answer the next requests to `path` with `replies` in order; the last one then repeats."""
        with self._lock:
            self._scripts[path] = list(replies)

    def respond(self, path: str, responder: Responder) -> None:
        with self._lock:
            self._scripts.pop(path, None)
            self._responders[path] = responder

    def requests_to(self, path: str) -> list[Received]:
        with self._lock:
            return [request for request in self.received if _route(request.path, [path]) == path]

    def _issue_token(self, _: Received) -> Reply:
        with self._lock:
            self.tokens_issued += 1
            number = self.tokens_issued
        return Reply(200, {"access_token": f"stub-token-{number}", "expires_in": self.token_expires_in,
                           "token_type": "bearer"}, delay_seconds=self.token_delay_seconds)

    def _serve_key(self, _: Received) -> Reply:
        with self._lock:
            self.keys_served += 1
        return Reply(200, {"data": {"key_id": "stub-key", "key": public_key_b64(self.private_key),
                                    "valid_upto": self.key_valid_upto},
                           "status": {"code": "200", "message": "SUCCESS", "response_code": "DP02010001001",
                                      "success": True}})

    def _reply_for(self, request: Received) -> Reply:
        with self._lock:
            self.received.append(request)
            route = _route(request.path, [*self._scripts, *self._responders])
            script = self._scripts.get(route)
            if script:
                return script.pop(0) if len(script) > 1 else script[0]
            responder = self._responders.get(route)
        if responder is None:
            return Reply(404, {"status": {"code": "404", "message": "Resource not found", "success": False}})
        return responder(request)


def _route(path: str, routes: list[str]) -> str | None:
    """The exact route for `path`, else the longest wildcard route (`prefix/*`) that covers it."""
    if path in routes:
        return path
    wildcards = [r for r in routes if r.endswith("*") and path.startswith(r[:-1]) and "/" not in path[len(r) - 1:]]
    return max(wildcards, key=len, default=None)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (the name http.server dispatches to)
        self._handle()

    def do_POST(self) -> None:  # noqa: N802
        self._handle()

    def _handle(self) -> None:
        stub: AirtelStub = self.server.stub  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        parts = urlsplit(self.path)
        request = Received(method=self.command, path=parts.path, query=parse_qs(parts.query),
                           headers={k.lower(): v for k, v in self.headers.items()}, body=self.rfile.read(length))
        reply = stub._reply_for(request)
        if reply.hang:
            stub._stopping.wait(30)
            return
        if reply.delay_seconds:
            stub._stopping.wait(reply.delay_seconds)
        body = reply.body if isinstance(reply.body, bytes) else json.dumps(reply.body).encode()
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (http.server's signature)
        pass


def closed_port_url() -> str:
    """A loopback URL on which nothing listens, so connecting is refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"
