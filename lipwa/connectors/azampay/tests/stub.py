"""A scripted stand-in for AzamPay's three hosts on 127.0.0.1, for the client and connector tests.

One server plays all three hosts, each under its own path prefix (as the simulator does), so that a request
sent to the wrong host is visible in `requests_to`. The machinery (server, recording, scripting) is
`lipwa.connectors.testing.stub`; this module adds AzamPay's paths, default answers and token endpoint.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial
from pathlib import Path

from lipwa.common import clock
from lipwa.connectors.testing.stub import (
    Received,
    Reply,
    Responder,
    ScriptedStub,
    closed_port_url,
    load_fixture,
    load_fixture_bytes,
)

__all__ = ["AUTH", "BANK_PATH", "CHECKOUT", "DISBURSEMENT", "DISBURSE_PATH", "FIXTURES", "LOOKUP_PATH",
           "MNO_PATH", "STATUS_PATH", "TOKEN_PATH", "AzamPayStub", "Received", "Reply", "Responder",
           "closed_port_url", "fixture", "fixture_bytes"]

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
fixture = partial(load_fixture, FIXTURES)
fixture_bytes = partial(load_fixture_bytes, FIXTURES)

AUTH, CHECKOUT, DISBURSEMENT = "/auth", "/checkout", "/disbursement"
TOKEN_PATH = AUTH + "/AppRegistration/GenerateToken"
MNO_PATH = CHECKOUT + "/azampay/mno/checkout"
BANK_PATH = CHECKOUT + "/azampay/bank/checkout"
DISBURSE_PATH = DISBURSEMENT + "/api/v1/azampay/disburse"
STATUS_PATH = DISBURSEMENT + "/api/v1/azampay/transactionstatus"
LOOKUP_PATH = DISBURSEMENT + "/api/v1/azampay/namelookup"


class AzamPayStub(ScriptedStub):
    """Scripted replies per path; by default a token, an accepted checkout, a successful status query."""

    not_found = Reply(404, b"")

    def __init__(self) -> None:
        super().__init__({
            TOKEN_PATH: self._issue_token,
            MNO_PATH: lambda _: Reply(200, fixture("mno_checkout__accepted")),
            BANK_PATH: lambda _: Reply(200, fixture("bank_checkout__accepted")),
            STATUS_PATH: lambda _: Reply(200, fixture("transaction_status__success")),
            DISBURSE_PATH: lambda _: Reply(200, fixture("disburse__accepted")),
            LOOKUP_PATH: lambda _: Reply(200, fixture("name_lookup__found")),
        })
        self.tokens_issued = 0
        # `expire` of issued tokens: seconds from lipwa's clock, or a literal value when `token_expire` is set.
        self.token_lifetime_seconds = 24 * 3600
        self.token_expire: object = None
        self.token_delay_seconds = 0.0

    def credentials(self, **overrides: str) -> dict[str, str]:
        """Simulator-style credentials pointing each host field at this stub."""
        values = {"auth_base_url": self.base_url + AUTH, "base_url": self.base_url + CHECKOUT,
                  "disbursement_base_url": self.base_url + DISBURSEMENT, "app_name": "lipwa",
                  "client_id": "sim_key", "client_secret": "sim_secret", "api_key": "sim_api_key",
                  "payout_source_name": "Lipwa Demo", "payout_source_bank": "Azampesa",
                  "payout_source_account": "255700000000"}
        return values | overrides

    def _issue_token(self, _: Received) -> Reply:
        number = self.next_count("tokens_issued")
        expire = self.token_expire
        if expire is None:
            expire = (clock.now() + timedelta(seconds=self.token_lifetime_seconds)).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = {"data": {"accessToken": f"stub-token-{number}", "expire": expire}, "success": True,
                "message": "Token generated successfully", "statusCode": 200}
        return Reply(200, body, delay_seconds=self.token_delay_seconds)
