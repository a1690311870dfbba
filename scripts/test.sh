#!/usr/bin/env bash
# The whole suite: lint, import contracts, then pytest in parallel. DATABASE_URL selects PostgreSQL.
set -uo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin

$BIN/ruff check . || exit 1
$BIN/lint-imports --no-cache || exit 1

export LIPWA_VAR_DIR="${LIPWA_VAR_DIR:-$PWD/var/test}"
mkdir -p "$LIPWA_VAR_DIR"
workers="${PYTEST_WORKERS:-auto}"
$BIN/pytest -n "$workers" --dist loadfile -q "$@"
status=$?
if [ $status -eq 5 ]; then
  echo "make test: pytest collected no tests; that is a failure here" >&2
  exit 1
fi
exit $status
