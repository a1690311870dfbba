"""The Flow JSON merchants upload to Meta declares every screen and data field the endpoint sends."""

from __future__ import annotations

import json
from pathlib import Path

FLOW = json.loads((Path(__file__).resolve().parents[1] / "flow.json").read_text())


def test_screens_and_fields_match_the_endpoint():
    screens = {screen["id"]: screen for screen in FLOW["screens"]}
    assert set(screens) == {"PAYMENT_METHOD", "PAYMENT_STATUS"}
    assert set(screens["PAYMENT_METHOD"]["data"]) == {"amount", "description", "methods", "phone", "has_error",
                                                      "error_message"}
    assert set(screens["PAYMENT_STATUS"]["data"]) == {"payment", "status", "message"}
    assert FLOW["data_api_version"] == "3.0"
