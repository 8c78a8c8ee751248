"""docker-compose.yml, checked without a Docker engine: against the Compose
specification's schema, by Compose itself (``config``), and against what
the apps actually read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import compose
import pytest

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKER_COMPOSE = Path(compose.__file__).parent / "docker-compose"
SECRETS = {
    "HELPDESK_SECRET_KEY": "h" * 40,
    "SHOP_API_SECRET_KEY": "s" * 40,
    "RECIPES_SECRET_KEY": "r" * 40,
}
APPS = {"helpdesk": "HELPDESK", "shop_api": "SHOP_API", "recipes": "RECIPES"}
# Read by gunicorn.conf.py or the Dockerfile's command, not by the apps.
SERVER_VARIABLES = {"APP", "PORT", "GUNICORN_WORKERS", "GUNICORN_TIMEOUT", "FORWARDED_ALLOW_IPS"}


def compose_config(extra_env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_SECRET_KEY")}
    return subprocess.run(
        [str(DOCKER_COMPOSE), "-f", str(COMPOSE_FILE), "config", "--format", "json"],
        env={**env, **extra_env},
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )


@pytest.fixture(scope="module")
def resolved() -> dict[str, Any]:
    result = compose_config(SECRETS)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def test_the_file_follows_the_compose_specification() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec",
         str(COMPOSE_FILE)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_refuses_to_start_without_the_secret_keys() -> None:
    result = compose_config({})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_every_variable_passed_to_an_app_is_one_it_reads(resolved: dict[str, Any]) -> None:
    for service, prefix in APPS.items():
        module = __import__(service)
        known = set(module.create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"}).config)
        known |= {"DATABASE_URL"}  # becomes SQLALCHEMY_DATABASE_URI
        for name in resolved["services"][service]["environment"]:
            if name in SERVER_VARIABLES:
                continue
            assert name.startswith(f"{prefix}_"), f"{service}: {name} has another app's prefix"
            assert name.removeprefix(f"{prefix}_") in known, f"{service} never reads {name}"


def test_apps_wait_for_healthy_dependencies_and_check_readiness(resolved: dict[str, Any]) -> None:
    services = resolved["services"]
    for service in APPS:
        depends = services[service]["depends_on"]
        assert depends["postgres"]["condition"] == "service_healthy"
        assert depends["redis"]["condition"] == "service_healthy"
        assert "/readyz" in " ".join(services[service]["healthcheck"]["test"])
        environment = services[service]["environment"]
        assert environment[f"{APPS[service]}_ENV"] == "production"
        assert environment[f"{APPS[service]}_RATELIMIT_STORAGE_URI"].startswith("redis://redis")
    recipes = services["recipes"]["depends_on"]
    assert recipes["create-bucket"]["condition"] == "service_completed_successfully"
    for dependency in ("postgres", "redis", "minio"):
        assert "healthcheck" in services[dependency]


def test_presigned_image_urls_name_a_host_the_browser_reaches(resolved: dict[str, Any]) -> None:
    environment = resolved["services"]["recipes"]["environment"]
    assert environment["RECIPES_S3_ENDPOINT_URL"] == "http://minio:9000"
    assert environment["RECIPES_S3_PUBLIC_ENDPOINT_URL"] == "http://localhost:9000"
    assert "9000:9000" in json.dumps(resolved["services"]["minio"]["ports"]) or any(
        port["published"] == "9000" for port in resolved["services"]["minio"]["ports"]
    )


def test_each_app_has_its_own_database(resolved: dict[str, Any]) -> None:
    urls = {
        resolved["services"][service]["environment"][f"{prefix}_DATABASE_URL"]
        for service, prefix in APPS.items()
    }
    assert {url.rsplit("/", 1)[1] for url in urls} == set(APPS)
    init_sql = (ROOT / "docker" / "postgres-init.sql").read_text()
    for name in APPS:
        assert f"CREATE DATABASE {name};" in init_sql
