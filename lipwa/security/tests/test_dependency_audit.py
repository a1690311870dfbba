"""The CI dependency audit (scripts/audit_dependencies.py): fails on a known vulnerability in what lipwa
installs, warns for never-shipped locks, and never mistakes an unreachable advisory service for a clean bill."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "audit_dependencies.py"
spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
audit_dependencies = importlib.util.module_from_spec(spec)
sys.modules.setdefault("audit_dependencies", audit_dependencies)  # dataclasses look their module up there
spec.loader.exec_module(audit_dependencies)

CLEAN = {"dependencies": [{"name": "django", "version": "5.2.19", "vulns": []},
                          {"name": "httpx", "version": "0.28.1", "vulns": []}], "fixes": []}
VULNERABLE = {"dependencies": [{"name": "requests", "version": "2.21.0", "vulns": [
    {"id": "PYSEC-2023-74", "aliases": ["CVE-2023-32681", "GHSA-j8r2-6x86-q33q"], "fix_versions": ["2.31.0"]}]},
    {"name": "django", "version": "5.2.19", "vulns": []}], "fixes": []}
# What a package mirror without PyPI's JSON API makes pip-audit say: everything skipped, exit status 0.
NOTHING_ANSWERED = {"dependencies": [
    {"name": "django", "skip_reason": "Dependency not found on PyPI and could not be audited: django (5.2.19)"},
    {"name": "httpx", "skip_reason": "Dependency not found on PyPI and could not be audited: httpx (0.28.1)"}]}


def test_a_known_vulnerability_is_reported_with_its_fix():
    audit = audit_dependencies.parse_report(VULNERABLE, ignored=set())
    assert audit.conclusive and audit.audited == 2
    assert audit.vulnerable == ["requests 2.21.0: PYSEC-2023-74 (fixed in: 2.31.0)"]


def test_an_accepted_vulnerability_can_be_ignored_by_any_alias():
    assert audit_dependencies.parse_report(VULNERABLE, ignored={"CVE-2023-32681"}).vulnerable == []


def test_every_package_skipped_is_inconclusive_not_clean():
    audit = audit_dependencies.parse_report(NOTHING_ANSWERED, ignored=set())
    assert not audit.conclusive and audit.skipped == ["django", "httpx"]


@pytest.fixture
def fake_services(monkeypatch, tmp_path):
    """Replace the pip-audit run by canned reports per (lock, service); the locks are files in tmp_path."""
    answers: dict[tuple[str, str], object] = {}

    def run(lock, service, ignored):
        answer = answers.get((lock.name, service), NOTHING_ANSWERED)
        if isinstance(answer, str):
            return audit_dependencies.Audit(error=f"pip-audit ({service}): {answer}")
        return audit_dependencies.parse_report(answer, ignored)

    monkeypatch.setattr(audit_dependencies, "run_pip_audit", run)
    monkeypatch.setattr(audit_dependencies, "ROOT", tmp_path)
    for name in audit_dependencies.LOCKS:
        (tmp_path / name).write_text("django==5.2.19\n")
    return answers


def test_the_audit_fails_on_a_vulnerability_in_what_lipwa_installs(fake_services, capsys):
    fake_services[("requirements.lock", "pypi")] = VULNERABLE
    assert audit_dependencies.main() == 1
    assert "VULNERABLE: requests 2.21.0" in capsys.readouterr().out


def test_never_shipped_locks_only_warn(fake_services, capsys):
    fake_services[("requirements.lock", "pypi")] = CLEAN
    fake_services[("requirements-thirdparty.lock", "osv")] = VULNERABLE
    assert audit_dependencies.main() == 0
    out = capsys.readouterr().out
    assert "requirements.lock: 2 packages audited, 0 known vulnerabilities" in out
    assert "warning (never shipped): requests 2.21.0" in out


def test_an_unreachable_service_warns_and_passes(fake_services, capsys):
    fake_services[("requirements.lock", "osv")] = "ConnectionError: Failed to resolve"
    assert audit_dependencies.main() == 0
    out = capsys.readouterr().out
    assert "requirements.lock could not be audited (pypi: answered for none of the 2 packages; osv: " \
           "ConnectionError: Failed to resolve)" in out
    assert "INCONCLUSIVE" in out
