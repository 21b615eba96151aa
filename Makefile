# Everyday targets. `make help` lists them. Every target installs what it needs first.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV ?= .venv
PY := $(VENV)/bin/python
PIP_VERSION := 26.1.2
PORT ?= 7071

.PHONY: help install run test test-fast lint fmt typecheck importlint bench clean token migrate console client client-check chromium screenshots check-invariants

help: ## list the targets
	@grep -hE '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@$(PY) -c 'import sys; sys.exit(sys.version_info[:2] < (3, 13))' 2>/dev/null || \
	  { rm -rf $(VENV) && $$(scripts/find-python.sh) -m venv $(VENV); }  # a .venv from before Python 3.13 is remade
	$(PY) -m pip install --quiet --disable-pip-version-check pip==$(PIP_VERSION)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	@touch $@

install: $(VENV)/.installed node_modules/.installed web/node_modules/.installed ## create .venv and install pinned Python and npm dependencies

run: install console ## start Azurite, the local host and the local AutoML backend; console http://127.0.0.1:$(PORT)/, API /api
	PORT=$(PORT) $(PY) -m devhost.stack

test: install ## run every check: ruff, mypy, import-linter, pytest (starts its own Azurite)
	$(MAKE) --no-print-directory infra-check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(MAKE) --no-print-directory console-test chromium
	$(PY) -m pytest $(PYTEST_ARGS)

test-fast: install ## unit tests only (no Azurite, no training)
	$(PY) -m pytest tests/unit $(PYTEST_ARGS)

lint: install ## ruff lint and import-linter layering contracts
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

fmt: install ## format the code with ruff
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

typecheck: install ## mypy (strict on domain/ and functions/)
	$(VENV)/bin/mypy

importlint: install ## import-linter contracts only
	$(VENV)/bin/lint-imports

bench: install ## run every benchmark under bench/ (each prints JSON); one of them: make bench BENCH=serving
	@for b in bench/$(or $(BENCH),*).py; do echo "== $$b"; $(PY) $$b || exit 1; done

token: install ## print a dev token: make token USER=alice [ADMIN=1]
	$(PY) -m devhost token --user $(or $(USER_NAME),$(USER),dev) $(if $(ADMIN),--platform-admin,)

migrate: install ## run pending schema migrations against DATA_STORAGE_CONNECTION_STRING
	$(PY) -m domain.storage.migrate

check-invariants: install ## orphans, name rows, owners, quotas, stray processes: 0 each (the make run stack, or $$DATA_STORAGE_CONNECTION_STRING)
	$(PY) -m tools.invariants $(if $(SETTLE),--settle $(SETTLE),)

clean: ## remove the virtual environment, node_modules and caches
	rm -rf $(VENV) node_modules web/node_modules web/dist web/test-results .pytest_cache .mypy_cache .ruff_cache .import_linter_cache .local .venv-bench-mlflow
	rm -rf $(CHECKOV_VENV)

# Offline infrastructure checks (docs/adr/0006-offline-infra-checks.md). checkov has its own virtual environment: it
# pins packaging and pycep-parser versions that clash with the dev tools.
CHECKOV_VENV ?= .venv-checkov
.PHONY: infra-check

$(CHECKOV_VENV)/.installed: requirements-checkov.txt
	@test -x $(CHECKOV_VENV)/bin/python || $$(scripts/find-python.sh) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check pip==$(PIP_VERSION)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	@touch $@

infra-check: install $(CHECKOV_VENV)/.installed ## Bicep checks offline: own checker (tree-sitter) + checkov
	$(PY) -m tools.infra_check
	$(PY) -m tools.infra_check.checkov_gate --checkov $(CHECKOV_VENV)/bin/checkov

# The web console (web/, docs/adr/0016-web-console.md). Its npm dependencies are pinned in web/package-lock.json.
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.ts web/budget.ts \
	web/openapi.json web/tsconfig.json

web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --silent
	@touch $@

web/dist/index.html: web/node_modules/.installed $(WEB_SOURCES)
	cd web && npm run --silent build

console: web/dist/index.html ## build the web console into web/dist when its sources changed (prints the bundle size)

console-test: web/node_modules/.installed ## the console's type check and vitest component tests
	cd web && npx tsc --noEmit -p . && npx vitest run

client: install ## regenerate the console's typed API client from the served OpenAPI document
	$(PY) scripts/openapi.py > web/openapi.json
	cd web && npm run --silent client

.PHONY: client-check
client-check: install ## generate a client from the OpenAPI document as `make client` does; type-check a console's calls
	scripts/client-check.sh

chromium: ## install Debian's Chromium for the browser tests when it is missing (needs root or sudo)
	@test -x /usr/bin/chromium || scripts/install-chromium.sh

screenshots: install chromium ## run the browser test and copy one screenshot per screen to docs/screenshots/
	UPDATE_SCREENSHOTS=1 $(PY) -m pytest tests/browser -q
