"""A scripted stand-in for Paynow on 127.0.0.1, for the client and connector tests.

The machinery (server, recording, scripting) is `lipwa.connectors.testing.stub`; this module adds Paynow's
paths, its default answers and its signed form bodies. Bodies are signed here with hashlib directly, from
PROVIDERS.md 7.4, not with the connector's own signing module.
"""

from __future__ import annotations

import hashlib
from functools import partial
from pathlib import Path

from lipwa.connectors.testing.stub import (
    Received,
    Reply,
    Responder,
    ScriptedStub,
    closed_port_url,
    form_body,
    load_fixture,
)

__all__ = ["EXPRESS_PATH", "FIXTURES", "KEY", "POLL_PATH", "REFERENCE", "WEB_PATH", "PaynowStub", "Received",
           "Reply", "Responder", "closed_port_url", "fixture", "fixture_body", "paynow_hash", "signed", "unsigned"]

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
fixture = partial(load_fixture, FIXTURES)

WEB_PATH = "/interface/initiatetransaction"
EXPRESS_PATH = "/interface/remotetransaction"
POLL_PATH = "/Interface/CheckPayment/"
KEY = "sim_secret"
REFERENCE = "att_01TEST"


def fixture_body(name: str) -> bytes:
    return fixture(name)["body"].encode()


def paynow_hash(values: list[str], key: str = KEY) -> str:
    return hashlib.sha512(("".join(values) + key.lower()).encode("utf-8")).hexdigest().upper()


def signed(pairs: list[tuple[str, str]], key: str = KEY) -> bytes:
    """A form body with Paynow's hash appended (values in order, then the key, SHA-512, upper-case hex)."""
    return form_body([*pairs, ("hash", paynow_hash([value for _, value in pairs], key))])


def unsigned(pairs: list[tuple[str, str]]) -> bytes:
    return form_body(pairs)


class PaynowStub(ScriptedStub):
    """Scripted replies per path; by default an accepted web checkout, an accepted EcoCash push, and Paid."""

    # Paynow answers form-encoded text as HTML, and nothing at all when it has nothing to say.
    content_type = "text/html; charset=utf-8"
    empty_body = b""
    not_found = Reply(404, b"<html>not found</html>")

    def __init__(self) -> None:
        super().__init__({
            WEB_PATH: lambda _: Reply(200, signed([("status", "Ok"), ("browserurl", self.browser_url),
                                                   ("pollurl", self.poll_url), ("paynowreference", "9,510")])),
            EXPRESS_PATH: lambda _: Reply(200, signed([("status", "Ok"), ("pollurl", self.poll_url),
                                                       ("paynowreference", "9,510"),
                                                       ("instructions", "Approve on your phone")])),
            POLL_PATH: lambda _: Reply(200, self.poll_body("Paid")),
        })

    @property
    def poll_url(self) -> str:
        return f"{self.base_url}{POLL_PATH}?guid=c7ed41da-0159-46da-b428-69549f770413"

    @property
    def browser_url(self) -> str:
        return f"{self.base_url}/Payment/ConfirmPayment/9510"

    def poll_body(self, status: str, reference: str = REFERENCE, amount: str = "10.00", key: str = KEY) -> bytes:
        return signed([("reference", reference), ("paynowreference", "9,510"), ("amount", amount),
                       ("status", status), ("pollurl", self.poll_url)], key)
