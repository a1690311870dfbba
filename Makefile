# Two commands: `make run` starts the whole product, `make test` runs every check. Both set themselves up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The stamp changes whenever the pinned dependencies or the project metadata change.
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha1sum | cut -c1-12)

.PHONY: run test lint clean browser bench bench-tools chaos

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	set -o pipefail; $(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock 2>&1 \
	  | { grep -v "^WARNING: Location" || true; }
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e sdk/python
	@rm -f $(VENV)/.installed-*
	@touch $@

run: $(STAMP)
	$(BIN)/lipwa run

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Third-party client libraries whose pins clash with lipwa's own (mtnmomo wants requests 2.21) get a
# virtualenv of their own; tests run them in a subprocess against the simulators over loopback.
THIRDPARTY_STAMP := .venv-thirdparty/.installed-$(shell sha1sum requirements-thirdparty.lock | cut -c1-12)

$(THIRDPARTY_STAMP): requirements-thirdparty.lock
	@test -x .venv-thirdparty/bin/python || $(PYTHON) -m venv .venv-thirdparty
	set -o pipefail; .venv-thirdparty/bin/python -m pip install --quiet --disable-pip-version-check \
	  -r requirements-thirdparty.lock 2>&1 | { grep -v "^WARNING: Location" || true; }
	@rm -f .venv-thirdparty/.installed-*
	@touch $@

# Browser tests drive Debian's Chromium (Playwright's own browser download cannot work here).
browser:
	@command -v chromium >/dev/null || { \
	  echo "installing Debian chromium for the browser tests"; \
	  $(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq && \
	  $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq chromium >/dev/null; }

test: $(STAMP) $(THIRDPARTY_STAMP) browser
	bash scripts/test.sh

# Benchmarks (docs/benchmarks.md), never part of `make test`. Their tools (DuckDB, py-spy) are
# pinned in requirements-bench.lock; wrk and pgbench come from Debian. PostgreSQL must answer at 127.0.0.1:5432.
# `make bench BENCH="create_payment callbacks"` runs only those.
BENCH_STAMP := $(VENV)/.bench-installed-$(shell sha1sum requirements-bench.lock | cut -c1-12)

$(BENCH_STAMP): requirements-bench.lock $(STAMP)
	set -o pipefail; $(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-bench.lock \
	  2>&1 | { grep -v "^WARNING: Location" || true; }
	@rm -f $(VENV)/.bench-installed-*
	@touch $@

bench-tools:
	@command -v wrk >/dev/null && command -v pgbench >/dev/null || { \
	  echo "installing wrk and pgbench for the benchmarks"; \
	  $(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq && \
	  $(if $(filter 0,$(shell id -u)),,sudo) apt-get install -y -qq wrk postgresql-client >/dev/null; }

bench: $(BENCH_STAMP) bench-tools
	$(BIN)/python -m bench.run $(BENCH)

clean:
	rm -rf $(VENV) .venv-thirdparty .venv-audit var

# Fault injection at full size (docs/reliability.md): 10,000 payments with mangled callbacks and random gateway
# faults, kill -9 of the worker and a web process under load, a PostgreSQL connection cut mid-transaction. Needs
# PostgreSQL at 127.0.0.1:5432 (DATABASE_URL to choose the server; the runs create and drop their own databases).
CHAOS_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/lipwa_chaos
CHAOS_TIMEOUT_SECONDS ?= 900

chaos: $(STAMP)
	@pg_isready -h 127.0.0.1 -p 5432 -q || { echo "make chaos: PostgreSQL must answer at 127.0.0.1:5432" >&2; exit 1; }
	rm -rf var/chaos-run
	export DATABASE_URL="$${DATABASE_URL:-$(CHAOS_DATABASE_URL)}" LIPWA_VAR_DIR="$(CURDIR)/var/chaos-run" \
	  LIPWA_LOG_LEVEL=WARNING CHAOS_PAYMENTS="$${CHAOS_PAYMENTS:-10000}" CHAOS_SHARDS=2 \
	  CHAOS_KILL_PAYMENTS="$${CHAOS_KILL_PAYMENTS:-500}"; \
	timeout $(CHAOS_TIMEOUT_SECONDS) $(BIN)/pytest -m chaos -n 2 --dist load -q tests/chaos; status=$$?; \
	$(BIN)/python tests/chaos/summary.py var/chaos-run/chaos; \
	[ $$status -eq 124 ] && echo "make chaos: stopped after $(CHAOS_TIMEOUT_SECONDS) s" >&2; exit $$status
