# Two commands: `make run` starts the whole product, `make test` runs every check. Both set themselves up.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The stamp changes whenever the pinned dependencies or the project metadata change.
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | sha1sum | cut -c1-12)

.PHONY: run test lint clean browser

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

clean:
	rm -rf $(VENV) .venv-thirdparty var
