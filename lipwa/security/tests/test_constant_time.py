"""A lint over the whole tree: secrets, signatures and tokens are compared with hmac.compare_digest (or
lipwa.common.crypto.constant_time_equals), never with == or !=, whose running time tells an attacker how many
leading characters of a guess were right."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from lipwa.common.crypto import constant_time_equals

ROOT = Path(__file__).resolve().parents[3]
SOURCES = [ROOT / "lipwa", ROOT / "sdk" / "python" / "src"]
# The last word of a name that holds something an attacker must not be able to guess piece by piece.
SECRET_WORDS = {"signature", "sig", "secret", "token", "digest", "hmac", "passkey", "password", "pin", "otp",
                "hash", "checksum", "mac"}
SECRET_NAMES = {"api_key", "x_key", "raw_key", "consumer_secret", "client_secret"}
# Comparisons that look like secrets but are not, each with the reason.
ALLOWED = {
    ("lipwa/payments/idempotency.py", "request_hash"): "a fingerprint of the caller's own request, not a secret",
    ("lipwa/webhooks_out/deliveries.py", "claim_token"): "a worker's own claim marker, never from a request",
}


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript):
        return _name(node.value)
    return None


def _secretish(name: str | None) -> bool:
    if not name:
        return False
    lowered = name.lower()
    return lowered in SECRET_NAMES or lowered.rsplit("_", 1)[-1] in SECRET_WORDS


def _harmless(node: ast.AST) -> bool:
    """Comparing with None, a number, a bool or the empty string reveals nothing about a secret."""
    return isinstance(node, ast.Constant) and (node.value is None or node.value == "" or
                                               isinstance(node.value, (bool, int, float)))


def non_constant_time_comparisons(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        for op, left, right in zip(node.ops, operands[:-1], operands[1:], strict=True):
            if not isinstance(op, (ast.Eq, ast.NotEq)) or _harmless(left) or _harmless(right):
                continue
            for side in (left, right):
                if _secretish(_name(side)):
                    found.append((node.lineno, _name(side)))
    return found


def _python_files():
    for source in SOURCES:
        for path in sorted(source.rglob("*.py")):
            # Simulators check the gateways' published sandbox credentials and test cards, and are never mounted
            # in production (LIPWA_SIMULATORS_ENABLED is forced off there).
            if not {"tests", "migrations", "simulator"} & set(path.parts):
                yield path


def test_no_secret_is_compared_with_equals():
    offenders = []
    for path in _python_files():
        relative = path.relative_to(ROOT).as_posix()
        for line, name in non_constant_time_comparisons(path):
            if (relative, name) not in ALLOWED:
                offenders.append(f"{relative}:{line} compares {name} with ==/!=")
    assert not offenders, "use hmac.compare_digest / crypto.constant_time_equals:\n" + "\n".join(offenders)


def test_the_lint_catches_what_it_should(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def check(request, expected_signature, account):\n"
                      "    if request.headers['sig'] == expected_signature: pass\n"
                      "    if account.webhook_secret != request.body: pass\n"
                      "    if token is None or token == '': pass\n"
                      "    if len(signature) == 64: pass\n")
    assert non_constant_time_comparisons(sample) == [(2, "expected_signature"), (3, "webhook_secret")]


@pytest.mark.parametrize(("left", "right", "equal"), [
    ("abc", "abc", True), ("abc", "abd", False), (b"abc", "abc", True), ("abc", None, False), (None, None, False),
    ("", "", True), ("é", "é", True),
])
def test_constant_time_equals(left, right, equal):
    assert constant_time_equals(left, right) is equal
