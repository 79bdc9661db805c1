# baocao: `make run` and `make test` set everything up on a fresh machine themselves.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run demo test lint services browser screenshots clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $@

# Migrates the database, applies BAOCAO_PLAN (the seed plan unless .env says otherwise) if its
# file changed since it was last applied and no other plan was applied by hand since, runs.
run: $(STAMP)
	$(BIN)/baocao run --apply-plan

# A season of the seed plan in under a minute, in a temporary folder: no token, no network.
demo: $(STAMP)
	$(BIN)/baocao demo

# PostgreSQL backs half of the storage tests; start the local server if it is installed but down.
services:
	@if command -v pg_ctlcluster >/dev/null 2>&1 && ! pg_isready -q -h 127.0.0.1 -p 5432; then \
		pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -n 1) main start || true; \
	fi

# The browser tests (tests/browser) drive Debian's chromium through Playwright, whose own browser
# download cannot work without the open internet. Installed here when we are root and it is
# missing; never fatal: without root or network the browser tests skip and say why.
CHROMIUM ?= $(or $(BAOCAO_TEST_CHROMIUM),/usr/bin/chromium)
APT_INSTALL := DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium

browser:
	@if [ ! -x "$(CHROMIUM)" ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "installing chromium for the browser tests"; \
		$(APT_INSTALL) >/dev/null 2>&1 \
		|| { apt-get update -qq >/dev/null 2>&1 && $(APT_INSTALL) >/dev/null 2>&1; } \
		|| echo "chromium could not be installed: the browser tests will be skipped"; \
	fi

# The user guide's pictures (docs/hinh/), taken again by the browser tests at phone and desktop size.
screenshots: $(STAMP) browser
	BAOCAO_SCREENSHOTS=docs/hinh $(BIN)/pytest -q -p no:cacheprovider tests/browser

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

# Bytecode compiled once: where PYTHONDONTWRITEBYTECODE is set, each of the hundreds of
# processes the tests start would otherwise compile every module again. Four workers on the
# machine's cores: many tests wait on real processes and sockets.
test: $(STAMP) services browser lint
	$(BIN)/python -m compileall -q bot handlers scheduler storage tests >/dev/null
	$(BIN)/pytest -n 4

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
