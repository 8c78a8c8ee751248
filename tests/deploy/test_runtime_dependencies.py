"""The runtime set alone (requirements.lock, what the image installs) runs the
documented production setup: every database and storage URL scheme that
docker-compose.yml and .env.example use finds its driver, and each app starts.

A fresh virtual environment gets the lock and nothing else, so a driver that
only the dev extra brings in (psycopg once was) fails here, not in a
container restarting forever at `flask db upgrade`.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
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

import helpdesk, recipes, shop_api
for module in (helpdesk, shop_api, recipes):
    module.create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    print("ok", module.__name__)
"""


def schemes_in_use() -> set[str]:
    text = (ROOT / "docker-compose.yml").read_text() + (ROOT / ".env.example").read_text()
    return set(URL_SCHEME.findall(text))


def test_compose_and_the_example_settings_use_these_schemes() -> None:
    assert {"postgresql+psycopg", "redis"} <= schemes_in_use()


@pytest.fixture(scope="module")
def runtime_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("runtime-venv")
    # No pip of its own: this environment's pip installs into it (--python),
    # and nothing is byte-compiled up front. A third of the time, same packages.
    venv.create(target, with_pip=False)
    python = target / "bin" / "python"
    installed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "--no-compile",
            "--require-hashes",
            "-r",
            str(ROOT / "requirements.lock"),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert installed.returncode == 0, installed.stderr[-3000:]
    return python


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
    for app in ("helpdesk", "shop_api", "recipes"):
        assert f"ok {app}" in result.stdout
    # The check ran in the fresh environment, not in this one.
    assert sys.executable != str(runtime_python)
