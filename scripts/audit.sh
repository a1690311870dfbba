#!/usr/bin/env bash
# Dependency audit with pip-audit, from a virtualenv of its own (.venv-audit) so the app's pins never move.
# Fails on known vulnerabilities in requirements.lock; warns (and passes) when the advisory service or PyPI
# cannot be reached. Policy and details: scripts/audit_dependencies.py, docs/security.md.
set -uo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
stamp=".venv-audit/.installed-$(sha1sum requirements-audit.lock | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  { test -x .venv-audit/bin/python || "$PYTHON" -m venv .venv-audit; } &&
  .venv-audit/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-audit.lock 2>&1 \
    | { grep -v "^WARNING: Location" || true; }
  if [ "${PIPESTATUS[0]}" -ne 0 ] || ! .venv-audit/bin/python -c "import pip_audit" 2>/dev/null; then
    echo "WARNING: pip-audit could not be installed (no package index?); dependency audit SKIPPED" >&2
    exit 0
  fi
  rm -f .venv-audit/.installed-* && touch "$stamp"
fi
.venv-audit/bin/python scripts/audit_dependencies.py
