# Every target that needs Python depends on `install`, so a fresh clone needs
# nothing but `make demo` or `make test`.  Run `make help` for the list.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Each suite runs in its own pytest process: the apps share code, never state,
# and coverage of shared/ is measured by its own tests only.
APPS   := helpdesk shop_api recipes
SUITES := shared $(APPS) deploy
COVERAGE_MIN := 90
PG_DEFAULT_URL := postgresql+psycopg://postgres@127.0.0.1:5432/test

.DEFAULT_GOAL := help
.PHONY: help install demo test test-postgres test-deploy fuzz e2e screenshots chromium lint fmt clean $(addprefix test-,$(SUITES))

help: ## List the targets
	@awk 'BEGIN {FS = ":.*## "} /^[$$()a-zA-Z_%, -]+:.*## / {sub(/^\$$\(addprefix test-,\$$\(APPS\)\)/, "test-<app>", $$1); printf "  \033[1m%-15s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

install: $(STAMP) ## Create .venv and install the project with its dev tools (only when pyproject.toml changed)

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required, found " + sys.version.split()[0])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

demo: install ## Migrate, seed and serve every app that exists so far
	@$(BIN)/python scripts/demo.py

test: install ## Run every test suite (SQLite, in-memory rate limits)
	@set -e; for suite in $(SUITES); do $(MAKE) --no-print-directory test-$$suite; done

test-shared: install ## Tests of the shared package, with branch coverage (fails under 90%)
	$(BIN)/pytest tests/shared --cov=shared --cov-branch --cov-report=term-missing:skip-covered --cov-fail-under=$(COVERAGE_MIN)

test-deploy: install ## docker-compose.yml, Dockerfile and gunicorn.conf.py, without a Docker engine
	$(BIN)/pytest tests/deploy

# A static pattern rule: plain pattern rules are never used for .PHONY targets.
$(addprefix test-,$(APPS)): test-%: install ## Tests of one app: make test-helpdesk, ...
	$(BIN)/pytest tests/$* --cov=$* --cov-branch --cov-report=term-missing:skip-covered

test-postgres: install ## Every suite again on PostgreSQL (TEST_DATABASE_URL, default: local server)
	@set -e; export TEST_DATABASE_URL="$${TEST_DATABASE_URL:-$(PG_DEFAULT_URL)}"; \
	  case "$$TEST_DATABASE_URL" in postgresql*) ;; *) echo "TEST_DATABASE_URL must be a PostgreSQL URL"; exit 2;; esac; \
	  echo "Running the suites on $$TEST_DATABASE_URL"; \
	  for suite in $(SUITES); do $(BIN)/pytest tests/$$suite -q -p no:cacheprovider; done

fuzz: install ## schemathesis against a live shop API: no 5xx, every answer as documented
	$(BIN)/python scripts/fuzz_api.py

chromium: ## Install Debian's Chromium for the browser tests (apt, as root), unless it is there
	@if [ -x /usr/bin/chromium ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing Chromium with apt-get..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
	  echo "The browser tests need Chromium at /usr/bin/chromium."; \
	  echo "Install it with: sudo apt-get install -y chromium   (Debian/Ubuntu), then run make e2e again."; \
	  exit 1; \
	fi

e2e: install chromium ## Browser tests: Playwright drives headless Chromium against real servers
	$(BIN)/pytest tests/e2e

screenshots: install chromium ## PNGs of the key pages into docs/screenshots/ (for the README)
	$(BIN)/python scripts/screenshots.py

lint: install ## ruff check, ruff format --check, mypy, and the CI workflow against its schema
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/ci.yml

fmt: install ## Format and auto-fix what ruff can
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean: ## Remove .venv, caches and instance databases
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov build *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find . -path ./.git -prune -o -type d -name instance -prune -exec rm -rf {} +
