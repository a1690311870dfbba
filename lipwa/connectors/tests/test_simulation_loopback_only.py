"""Simulator callbacks obey the suite's loopback-only guard (lipwa.common.http.loopback_only_refusal)."""

import logging

from lipwa.connectors.simulation import post_best_effort


def test_a_simulator_callback_to_another_host_is_not_sent(monkeypatch, caplog):
    monkeypatch.setenv("LIPWA_LOOPBACK_ONLY", "1")
    log = logging.getLogger("lipwa.simulators.test")
    with caplog.at_level(logging.WARNING, logger="lipwa.simulators.test"):
        assert post_best_effort("http://cb.example.com/cb", b"{}", headers={}, log=log, what="sim: callback") is None
    assert "not sent" in caplog.text
