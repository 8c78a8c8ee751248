"""``make help`` lists every target the Makefile documents, e2e included,
and writes no terminal escape codes into a pipe or a file; every target
installs the part of requirements.lock it uses before it uses it, with uv or
pip alike (``make -n``: what it would run, without running it)."""

from __future__ import annotations

import os
import re
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.scripts import script

ROOT = Path(__file__).resolve().parents[2]
APPS = [app.package for app in script("apps").apps(ROOT)]
# The Makefile, and the targets only one app has (mk/<package>.mk).
MAKEFILES = [ROOT / "Makefile", *sorted((ROOT / "mk").glob("*.mk"))]


def test_make_help_lists_every_documented_target_in_plain_text() -> None:
    shown = subprocess.run(
        ["make", "--no-print-directory", "help"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "\x1b" not in shown  # not a terminal: no bold
    listed = {line.split()[0] for line in shown.splitlines()}
    documented = {
        match.group(1)
        for makefile in MAKEFILES
        for match in re.finditer(r"^([\w%-]+):[^\n]*## ", makefile.read_text(), re.M)
    }
    assert documented <= listed
    assert {"e2e", "test-<app>", "test", "demo", "bench"} <= listed


# Each target that runs a tool from .venv, the extras that have its tools (in
# the order it installs them), and the command that uses them. `make demo`
# gets the demo extra and nothing more; `make lint` also builds the docs.
TARGETS = [
    ("demo", "demo", "scripts/demo.py"),
    ("demo-reset", "demo", "scripts/demo.py --reset"),
    ("test", "test", "bin/pytest -n"),
    ("test-shared", "test", "bin/pytest tests/shared"),
    *((f"test-{app}", "test", f"bin/pytest tests/{app}") for app in APPS),
    ("test-deploy", "test", "bin/pytest tests/deploy"),
    ("test-postgres", "test", "bin/pytest -q"),
    ("bench", "test", "-m bench.run"),
    ("e2e", "e2e", "bin/pytest tests/e2e"),
    ("lighthouse", "e2e", "scripts/lighthouse.py"),
    ("screenshots", "e2e", "scripts/screenshots.py"),
    ("lint", "lint docs", "bin/mypy"),
    ("lint", "lint docs", "bin/mkdocs build --strict"),
    ("docs", "docs", "bin/mkdocs serve --dev-addr 127.0.0.1:8000"),
    ("docs-build", "docs", "bin/mkdocs build --strict"),
    ("fmt", "lint", "bin/ruff format"),
    ("test-docker", "docker", "bin/pytest tests/docker"),
    ("test-operations", "test kubernetes", "bin/pytest tests/operations"),
    ("lock", "lock", "bin/uv pip compile pyproject.toml --all-extras"),
    # What each fork's make test, make lint and make demo use (the forks share .venv).
    ("check-forks", "test lint docs demo", "scripts/check_forks.py"),
]


def dry_run(target: str, venv: Path, uv: str = "") -> str:
    """What ``make TARGET`` would run on a fresh clone (``make -n``), with
    .venv at ``venv`` and ``uv`` as the installer (empty: pip)."""
    return subprocess.run(
        ["make", "--no-print-directory", "-n", target, f"VENV={venv}", f"UV={uv}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


@pytest.mark.parametrize(("target", "extras", "command"), TARGETS)
def test_each_target_installs_the_extras_it_uses_before_using_them(
    tmp_path: Path, target: str, extras: str, command: str
) -> None:
    commands = dry_run(target, tmp_path / "venv")
    assert re.findall(r"scripts/locked\.py (\S*)", commands) == extras.split()
    last_install = commands.rindex("scripts/locked.py")
    assert last_install < commands.index(command)


def documented_targets(makefiles: list[Path] = MAKEFILES) -> list[str]:
    targets = [
        target
        for makefile in makefiles
        for target in re.findall(r"^([\w-]+):[^\n]*## ", makefile.read_text(), re.M)
    ]
    return [*targets, *(f"test-{app}" for app in APPS)]


def test_every_target_that_runs_something_from_the_venv_installs_it_first(
    tmp_path: Path,
) -> None:
    venv = tmp_path / "venv"
    for target in documented_targets():
        commands = dry_run(target, venv)
        if f"{venv}/bin/" in commands:
            assert "scripts/locked.py" in commands, f"make {target} installs nothing first"
            assert commands.index("scripts/locked.py") < commands.index(f"{venv}/bin/"), target
    # A new target of the Makefile joins TARGETS, with its extra.
    listed = {target for target, _, _ in TARGETS}
    unlisted = {
        "help",
        "install",
        "clean",
        "chromium",
        "wrk",
        "prometheus",
        "kubectl",
        "app-checks",
        "fork",
    }
    assert set(documented_targets([ROOT / "Makefile"])) - unlisted == listed


def test_app_checks_runs_every_apps_own_checks(tmp_path: Path) -> None:
    commands = dry_run("app-checks", tmp_path / "venv")
    declared = {
        target
        for makefile in MAKEFILES[1:]
        for target in re.findall(r"^APP_CHECKS \+= (.+)$", makefile.read_text(), re.M)
    }
    done = re.search(r"app checks done: (.*)\"", commands)
    assert done is not None
    assert set(done.group(1).split()) == (declared or {"none"})


@pytest.mark.parametrize(
    ("uv", "creates", "installs"),
    [
        ("", "-m venv", "bin/python -m pip install"),  # the fallback: pip
        ("/opt/uv/bin/uv", "/opt/uv/bin/uv venv", "/opt/uv/bin/uv pip install"),
    ],
)
def test_uv_and_pip_install_the_same_part_of_the_lock_checked_against_its_hashes(
    tmp_path: Path, uv: str, creates: str, installs: str
) -> None:
    venv = tmp_path / "venv"
    commands = dry_run("demo", venv, uv=uv)
    assert creates in commands
    picked = f"{venv}/requirements-demo.txt"
    assert f"scripts/locked.py demo > {picked}\n" in commands
    [install] = [line for line in commands.splitlines() if installs in line]
    # Exactly the picked entries: pinned, hashed, nothing resolved anew.
    assert f"--require-hashes --no-deps -r {picked} " in install
    assert commands.index(creates) < commands.index(install)


def test_make_install_installs_every_extra(tmp_path: Path) -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    extras = set(pyproject["project"]["optional-dependencies"])
    commands = dry_run("install", tmp_path / "venv")
    assert set(re.findall(r"scripts/locked\.py (\S*)", commands)) == extras


def test_make_test_measures_coverage_only_when_asked_and_ci_asks() -> None:
    """``make test`` is the quick run; ``COVERAGE=yes`` adds the 90% gate, and
    CI (and the forks' check, as a fork's CI) runs it so."""
    # Not this run's own: a make running these tests passes its variables on
    # (MAKEFLAGS holds ``COVERAGE=yes`` under ``make test COVERAGE=yes``).
    inherited = {"COVERAGE", "MAKEFLAGS", "MAKEOVERRIDES", "MFLAGS", "MAKELEVEL"}
    environment = {name: value for name, value in os.environ.items() if name not in inherited}

    def pytest_line(*variables: str) -> str:
        shown = subprocess.run(
            ["make", "--no-print-directory", "-n", "test", *variables],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return next(line for line in shown.splitlines() if "bin/pytest -n" in line)

    assert "--cov" not in pytest_line()
    assert "--cov" not in pytest_line("COVERAGE=no")
    assert "--cov-fail-under=90" in pytest_line("COVERAGE=yes")
    assert "make test COVERAGE=yes\n" in (ROOT / ".ci/run").read_text()
    assert "run: make test COVERAGE=yes\n" in (ROOT / ".github/workflows/ci.yml").read_text()
    assert script("check_forks").STEP_VARIABLES["test"] == ["COVERAGE=yes"]
