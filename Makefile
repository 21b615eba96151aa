# Everyday targets. `make help` lists them. Every target installs what it needs first.
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV ?= .venv
PY := $(VENV)/bin/python
PIP_VERSION := 26.1.2
PORT ?= 7071

.PHONY: help install run test test-fast lint fmt typecheck importlint bench clean token migrate check-invariants

help: ## list the targets
	@grep -hE '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || $$(scripts/find-python.sh) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check pip==$(PIP_VERSION)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --silent
	@touch $@

install: $(VENV)/.installed node_modules/.installed ## create .venv and install pinned Python and npm dependencies

run: install ## start Azurite, the local host and the local AutoML backend; API on http://127.0.0.1:$(PORT)/api
	PORT=$(PORT) $(PY) -m devhost.stack

test: install ## run every check: ruff, mypy, import-linter, pytest (starts its own Azurite)
	$(MAKE) --no-print-directory infra-check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
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

bench: install ## run every benchmark under bench/ (each prints JSON)
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

token: install ## print a dev token: make token USER=alice [ADMIN=1]
	$(PY) -m devhost token --user $(or $(USER_NAME),$(USER),dev) $(if $(ADMIN),--platform-admin,)

migrate: install ## run pending schema migrations against DATA_STORAGE_CONNECTION_STRING
	$(PY) -m domain.storage.migrate

check-invariants: install ## orphans, name rows, owners, quotas, stray processes: 0 each (the make run stack, or $$DATA_STORAGE_CONNECTION_STRING)
	$(PY) -m tools.invariants $(if $(SETTLE),--settle $(SETTLE),)

clean: ## remove the virtual environment, node_modules and caches
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache .import_linter_cache .local
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
