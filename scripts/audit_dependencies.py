"""Audit the pinned dependencies for known vulnerabilities with pip-audit (run by scripts/audit.sh in CI).

Policy:
- requirements.lock is what lipwa installs (runtime and test tools alike): a known vulnerability fails the audit.
- requirements-thirdparty.lock and requirements-bench.lock are never shipped: the third-party gateway clients run
  only in tests against the simulators on loopback, the benchmark tools only on a developer's machine. Their
  vulnerabilities are printed as warnings.
- When the advisory service cannot be reached, or answers for none of the packages (a mirror without its JSON
  API looks like that: every package "not found"), the audit is inconclusive: a clear warning, not a failure,
  so that CI without that service still runs the tests. A partial answer lists what could not be checked.

Accepted vulnerabilities (with a reason in docs/security.md) can be ignored with LIPWA_AUDIT_IGNORE=ID,ID.
Exit status: 0 clean or inconclusive, 1 known vulnerabilities in a lock whose policy is to fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LOCKS = {"requirements.lock": "fail", "requirements-thirdparty.lock": "warn", "requirements-bench.lock": "warn"}
SERVICES = ("pypi", "osv")


@dataclass
class Audit:
    vulnerable: list[str] = field(default_factory=list)  # "name version: ID (fix: …)"
    skipped: list[str] = field(default_factory=list)  # packages the service could not answer for
    audited: int = 0
    error: str = ""

    @property
    def conclusive(self) -> bool:
        return not self.error and self.audited > 0


def parse_report(report: dict, ignored: set[str]) -> Audit:
    """Read pip-audit's JSON report: which packages were audited, which skipped, which are vulnerable."""
    audit = Audit()
    for dependency in report.get("dependencies", []):
        name, version = dependency.get("name", "?"), dependency.get("version", "?")
        if "skip_reason" in dependency:
            audit.skipped.append(name)
            continue
        audit.audited += 1
        for vulnerability in dependency.get("vulns", []):
            ids = {vulnerability.get("id", "")} | set(vulnerability.get("aliases", []))
            if ids & ignored:
                continue
            fixes = ", ".join(vulnerability.get("fix_versions", [])) or "none yet"
            audit.vulnerable.append(f"{name} {version}: {vulnerability.get('id')} (fixed in: {fixes})")
    return audit


def run_pip_audit(lock: Path, service: str, ignored: set[str]) -> Audit:
    command = [sys.executable, "-m", "pip_audit", "--no-deps", "--disable-pip", "--progress-spinner", "off",
               "--format", "json", "--vulnerability-service", service, "--timeout", "20", "-r", str(lock)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
    except subprocess.TimeoutExpired:
        return Audit(error=f"pip-audit ({service}): took more than 10 minutes")
    try:
        return parse_report(json.loads(done.stdout), ignored)
    except ValueError:
        last_line = (done.stderr.strip().splitlines() or ["no output"])[-1]
        return Audit(error=f"pip-audit ({service}): {last_line[:300]}")


def audit_lock(lock: Path, ignored: set[str]) -> tuple[Audit, list[str]]:
    """The first service that answers for the packages, and why each one before it did not."""
    reasons = []
    audit = Audit()
    for service in SERVICES:
        audit = run_pip_audit(lock, service, ignored)
        if audit.conclusive:
            return audit, reasons
        reasons.append(f"{service}: {audit.error.split(': ', 1)[-1][:100]}" if audit.error else
                       f"{service}: answered for none of the {len(audit.skipped)} packages")
    return audit, reasons


def main() -> int:
    ignored = {item.strip() for item in os.environ.get("LIPWA_AUDIT_IGNORE", "").split(",") if item.strip()}
    failed = False
    for name, policy in LOCKS.items():
        lock = ROOT / name
        if not lock.exists():
            continue
        audit, reasons = audit_lock(lock, ignored)
        if not audit.conclusive:
            print(f"WARNING: {name} could not be audited ({'; '.join(reasons)}): the audit is INCONCLUSIVE, not "
                  "clean. Run `bash scripts/audit.sh` where the advisory service is reachable.")
            continue
        print(f"{name}: {audit.audited} packages audited, {len(audit.vulnerable)} known vulnerabilities")
        if audit.skipped:
            print(f"WARNING: {name}: not checked (unknown to the advisory service): {', '.join(audit.skipped)}")
        for line in audit.vulnerable:
            print(f"  {'VULNERABLE' if policy == 'fail' else 'warning (never shipped)'}: {line}")
        failed |= bool(audit.vulnerable) and policy == "fail"
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
