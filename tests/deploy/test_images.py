"""The Dockerfile and gunicorn.conf.py, checked without a Docker engine."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = (ROOT / "Dockerfile").read_text()


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
    for app in ("helpdesk", "shop_api", "recipes"):
        result = subprocess.run(
            [sys.executable, "-m", "gunicorn", "--check-config", "-c", "gunicorn.conf.py",
             f"{app}:create_app()"],
            cwd=ROOT, capture_output=True, text=True, check=False, timeout=60,
            env={**os.environ, f"{app.upper()}_DATABASE_URL": f"sqlite:///{tmp_path}/{app}.db"},
        )  # fmt: skip
        assert result.returncode == 0, result.stdout + result.stderr


def test_the_dockerfile_installs_runtime_dependencies_only_in_a_cached_layer() -> None:
    assert DOCKERFILE.startswith("# ")
    assert "FROM python:3.11-slim" in DOCKERFILE
    assert "[dev]" not in DOCKERFILE
    # pyproject.toml is copied and installed before any source code.
    assert DOCKERFILE.index("COPY pyproject.toml") < DOCKERFILE.index("pip install")
    assert DOCKERFILE.index("pip install") < DOCKERFILE.index("COPY shared")


def test_the_dependency_step_of_the_dockerfile_works_on_our_pyproject() -> None:
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(d.startswith("gunicorn") for d in dependencies)
    assert not any(d.startswith(("pytest", "moto", "playwright")) for d in dependencies)


def test_the_container_runs_as_a_user_with_a_healthcheck() -> None:
    assert "\nUSER app\n" in DOCKERFILE
    assert "HEALTHCHECK" in DOCKERFILE
    assert "/healthz" in DOCKERFILE
    assert "db upgrade && exec gunicorn -c gunicorn.conf.py" in DOCKERFILE
