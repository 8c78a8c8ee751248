# The shop API's own Makefile targets, included by the Makefile (a fork
# without the shop has no such file). `make app-checks` runs APP_CHECKS in CI.
.PHONY: fuzz
APP_CHECKS += fuzz

fuzz: $(VENV)/.installed-fuzz ## schemathesis against a live shop API: no 5xx, every answer as documented
	$(BIN)/python scripts/shop_api/fuzz.py
