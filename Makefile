# roofops: `make demo` and `make test` are all a fresh machine needs (Python 3.11 and make).
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

UV = $(shell command -v uv 2>/dev/null || echo python3 -m uv)
RUN = $(UV) run --frozen
PYTEST_ARGS ?=
# Two workers (pytest-xdist): each gets its own SQLite file or PostgreSQL database.
PYTEST_WORKERS ?= 2
HOST ?= 127.0.0.1
PORT ?= 8000
# Examples per API operation in `make schemathesis` (about two minutes on two cores).
SCHEMATHESIS_EXAMPLES ?= 10

.PHONY: help setup demo serve worker migrate lint typecheck test test-sqlite test-postgres \
        schemathesis browser-setup docker

help: ## List the targets (with this machine's values)
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) \
	  | sed -e 's/\$$(HOST)/$(HOST)/g' -e 's/\$$(PORT)/$(PORT)/g' -e 's/\$$(PYTEST_WORKERS)/$(PYTEST_WORKERS)/g' \
	  | awk -F ':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

setup: ## Install uv if missing and the locked environment (.venv)
	@scripts/bootstrap

demo: setup ## Migrate, build (or reuse) the demo company, print the sign-in, serve it
	$(RUN) roofops demo
	$(RUN) roofops serve --host $(HOST) --port $(PORT)

serve: setup ## Serve the app at http://$(HOST):$(PORT) (SQLite migrates itself)
	$(RUN) roofops serve --host $(HOST) --port $(PORT)

worker: setup ## Run a background worker (PostgreSQL deployments)
	$(RUN) roofops worker

migrate: setup ## Migrate the configured database to the latest revision
	$(RUN) roofops db upgrade

lint: setup ## ruff (lint and format check) and the import contracts
	$(RUN) ruff check src tests
	$(RUN) ruff format --check src tests
	$(RUN) lint-imports

typecheck: setup ## mypy (strict)
	$(RUN) mypy

browser-setup: ## Install Debian's Chromium for the browser tests (apt-get, as root)
	@scripts/bootstrap --chromium || { [[ "$${CI:-}" != true ]] && echo "==> browser tests will be skipped"; }

# Prerequisites run in this order (do not use -j): cheap checks first, then both databases.
test: setup browser-setup lint typecheck test-sqlite test-postgres schemathesis ## Everything CI runs: lint, types, contracts, suite on SQLite and PostgreSQL, the API contract

test-sqlite: setup ## The suite on a fresh SQLite file ($(PYTEST_WORKERS) workers)
	@echo "==> pytest on SQLite $(browser_note)"
	$(RUN) pytest -q -n $(PYTEST_WORKERS) $(call browser_filter) $(PYTEST_ARGS)

test-postgres: setup ## The suite on PostgreSQL: ROOFOPS_TEST_DATABASE_URL, the local server, or a throwaway cluster
	@echo "==> pytest on PostgreSQL $(browser_note)"
	PYTHON=.venv/bin/python scripts/with-postgres $(RUN) pytest -q -n $(PYTEST_WORKERS) $(call browser_filter) $(PYTEST_ARGS)

schemathesis: setup ## The API against its OpenAPI document: schemathesis, in process, bounded and seeded
	@echo "==> schemathesis ($(SCHEMATHESIS_EXAMPLES) examples per operation, derandomized)"
	ROOFOPS_SCHEMATHESIS=1 ROOFOPS_SCHEMATHESIS_EXAMPLES=$(SCHEMATHESIS_EXAMPLES) \
		$(RUN) pytest -q -n $(PYTEST_WORKERS) tests/test_schemathesis.py

docker: ## Build the container image (needs a Docker engine)
	docker build -t roofops:latest .

# Without Chromium the browser tests are deselected (and reported); CI installs it instead.
browser_filter = $(if $(wildcard /usr/bin/chromium),,-m "not browser")
browser_note = $(if $(wildcard /usr/bin/chromium),,(no /usr/bin/chromium: browser tests deselected))
