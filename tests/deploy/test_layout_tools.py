"""The formatter owns the layout: no file opts out of ``ruff format``
(``make fmt``), so a fork can reformat everything without surprises."""

from __future__ import annotations

from pathlib import Path

import yaml

from tests.scripts import script

ROOT = Path(__file__).resolve().parents[2]
APPS = tuple(app.package for app in script("apps").apps(ROOT))
OWN_CODE = ("shared", *APPS, "tests", "scripts", "bench")


def test_no_python_file_opts_out_of_the_formatter() -> None:
    # Spelled in two parts, so that this file does not match itself.
    markers = ("fmt: " + "skip", "fmt: " + "off")
    opted_out = [
        f"{path.relative_to(ROOT)}:{number}"
        for folder in OWN_CODE
        for path in (ROOT / folder).rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if any(marker in line for marker in markers)
    ]
    assert opted_out == []


def test_the_pre_commit_hooks_run_the_lint_tools_of_the_lock() -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert set(hooks) == {"ruff-check", "ruff-format", "mypy"}
    makefile = (ROOT / "Makefile").read_text()
    for hook in hooks.values():
        tool = hook["entry"].split()[0]
        assert tool.startswith(".venv/bin/"), tool  # the versions the lock pins
        assert f"$(BIN)/{tool.removeprefix('.venv/bin/')}" in makefile  # as `make lint` runs them
