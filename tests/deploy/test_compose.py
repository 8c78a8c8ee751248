"""docker-compose.yml, checked without a Docker engine: against the Compose
specification's schema, by Compose itself (``config``), and against what
the apps and the nginx template actually read. (tests/docker runs the image,
nginx and SeaweedFS for real.)"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import compose
import pytest

from shared.errors import megabytes

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "docker-compose.yml"
NGINX_TEMPLATE = ROOT / "docker" / "nginx" / "capstones.conf.template"
DOCKER_COMPOSE = Path(compose.__file__).parent / "docker-compose"
SECRETS = {
    "HELPDESK_SECRET_KEY": "h" * 40,
    "SHOP_API_SECRET_KEY": "s" * 40,
    "RECIPES_SECRET_KEY": "r" * 40,
}
APPS = {"helpdesk": "HELPDESK", "shop_api": "SHOP_API", "recipes": "RECIPES"}
# Read by gunicorn.conf.py or the Dockerfile's command, not by the apps.
SERVER_VARIABLES = {
    "APP",
    "PORT",
    "GUNICORN_WORKERS",
    "GUNICORN_TIMEOUT",
    "GUNICORN_ACCESS_LOG",
    "FORWARDED_ALLOW_IPS",
}


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
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(COMPOSE_FILE),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
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
    assert recipes["seaweedfs"]["condition"] == "service_healthy"
    assert recipes["create-bucket"]["condition"] == "service_completed_successfully"
    for dependency in ("postgres", "redis", "seaweedfs"):
        assert "healthcheck" in services[dependency]


@pytest.mark.parametrize("app", ["helpdesk", "recipes"])
def test_each_mail_sending_app_has_a_worker_and_a_beat_on_the_redis_broker(
    resolved: dict[str, Any], app: str
) -> None:
    services, prefix = resolved["services"], APPS[app]
    app_environment = services[app]["environment"]
    assert app_environment[f"{prefix}_CELERY_BROKER_URL"].startswith("redis://redis:6379/")
    assert app_environment[f"{prefix}_MAIL_SERVER"] == "mailpit"
    assert app_environment[f"{prefix}_EXTERNAL_URL"].startswith("http://localhost:")
    for role in ("worker", "beat"):
        service = services[f"{app}-{role}"]
        assert service["command"][:4] == ["celery", "--app", f"{app}.worker", role]
        assert service["image"] == services[app]["image"]
        # The same settings as the web app (the APP and gunicorn variables aside).
        expected = {k: v for k, v in app_environment.items() if k.startswith(f"{prefix}_")}
        assert service["environment"] == expected
        assert service["depends_on"][app]["condition"] == "service_healthy"  # migrated
    brokers = {
        services[a]["environment"][f"{APPS[a]}_CELERY_BROKER_URL"] for a in ("helpdesk", "recipes")
    }
    limits = {services[a]["environment"][f"{APPS[a]}_RATELIMIT_STORAGE_URI"] for a in APPS}
    assert not brokers & limits  # one Redis database per use


def test_postgres_counts_as_healthy_only_once_it_listens_on_tcp(resolved: dict[str, Any]) -> None:
    # During first-start initialisation PostgreSQL listens on its socket only.
    check = " ".join(resolved["services"]["postgres"]["healthcheck"]["test"])
    assert "pg_isready -h 127.0.0.1" in check


def test_every_image_is_pinned_to_a_version(resolved: dict[str, Any]) -> None:
    for name, service in resolved["services"].items():
        image = service["image"]
        repository, _, tag = image.rpartition(":")
        assert repository, f"{name}: {image} names no tag"
        assert tag, f"{name}: {image} names no tag"
        assert tag != "latest", f"{name}: {image}"
        if "build" not in service:  # pulled from a registry: a version, not a moving major
            assert re.fullmatch(r"v?\d+\.\d+(\.\d+)?(-alpine)?", tag), f"{name}: {image}"
    assert not any(
        service["image"].startswith("minio/") for service in resolved["services"].values()
    )


def test_only_nginx_the_s3_endpoint_and_mailpit_publish_ports(resolved: dict[str, Any]) -> None:
    # `docker compose up --scale shop_api=3` needs app services without fixed
    # host ports or container names; nginx reaches every replica by name.
    services = resolved["services"]
    publishing = {name for name, service in services.items() if service.get("ports")}
    assert publishing == {"nginx", "seaweedfs", "mailpit"}
    assert [int(port["published"]) for port in services["mailpit"]["ports"]] == [8025]
    assert not any("container_name" in service for service in services.values())
    published = {int(port["published"]) for port in services["nginx"]["ports"]}
    assert published == {5001, 5002, 5003}


def test_nginx_proxies_each_app_and_the_apps_trust_exactly_one_proxy(
    resolved: dict[str, Any],
) -> None:
    services = resolved["services"]
    nginx = services["nginx"]
    template = NGINX_TEMPLATE.read_text()
    # Every ${NAME} the template uses is set, as the image's envsubst needs.
    assert set(re.findall(r"\$\{([A-Z_]+)\}", template)) <= set(nginx["environment"])
    assert nginx["environment"]["NGINX_RESOLVER"] == "127.0.0.11"  # Docker's DNS
    mounted = [volume["target"] for volume in nginx["volumes"]]
    assert "/etc/nginx/templates/capstones.conf.template" in mounted
    for service, prefix in APPS.items():
        assert nginx["environment"][f"{prefix}_UPSTREAM"] == f"{service}:8000"
        environment = services[service]["environment"]
        assert environment[f"{prefix}_PROXY_COUNT"] == "1"
        # Production needs its host names; the container's HEALTHCHECK knocks at 127.0.0.1.
        assert "127.0.0.1" in json.loads(environment[f"{prefix}_TRUSTED_HOSTS"])


def test_nginx_caps_each_body_at_the_apps_own_limit() -> None:
    servers = NGINX_TEMPLATE.read_text().split("server {")[1:]
    limits = {}
    for server in servers:
        listen = re.search(r"listen \$\{([A-Z_]+)_LISTEN\}", server)
        size = re.search(r"client_max_body_size (\d+);", server)
        assert listen, server
        assert size, server
        limits[listen.group(1)] = int(size.group(1))
    for service, prefix in APPS.items():
        module = __import__(service)
        app = module.create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
        assert limits[prefix] == app.config["MAX_CONTENT_LENGTH"], service
    # The recipe site's own 413 names its photo limit, as the app's form does.
    recipes_server = next(server for server in servers if "${RECIPES_LISTEN}" in server)
    photo_limit = __import__("recipes").create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert f"photos can be up to {megabytes(photo_limit.config['MAX_PHOTO_BYTES'])}" in (
        recipes_server
    )


def test_presigned_image_urls_name_a_host_the_browser_reaches(resolved: dict[str, Any]) -> None:
    environment = resolved["services"]["recipes"]["environment"]
    assert environment["RECIPES_S3_ENDPOINT_URL"] == "http://seaweedfs:8333"
    assert environment["RECIPES_S3_PUBLIC_ENDPOINT_URL"] == "http://localhost:8333"
    published = {int(port["published"]) for port in resolved["services"]["seaweedfs"]["ports"]}
    assert published == {8333}


def test_the_bucket_is_made_by_the_apps_own_command_with_the_same_keys(
    resolved: dict[str, Any],
) -> None:
    services = resolved["services"]
    create_bucket, recipes, seaweedfs = (
        services["create-bucket"],
        services["recipes"],
        services["seaweedfs"],
    )
    assert create_bucket["command"] == ["flask", "--app", "recipes", "create-bucket"]
    assert create_bucket["restart"] == "no"
    for name in ("RECIPES_S3_ENDPOINT_URL", "RECIPES_S3_BUCKET", "RECIPES_S3_ACCESS_KEY_ID"):
        assert create_bucket["environment"][name] == recipes["environment"][name]
    # SeaweedFS's one identity is the app's: with it set, anonymous reads are refused.
    assert (
        seaweedfs["environment"]["AWS_ACCESS_KEY_ID"]
        == (recipes["environment"]["RECIPES_S3_ACCESS_KEY_ID"])
    )
    assert (
        seaweedfs["environment"]["AWS_SECRET_ACCESS_KEY"]
        == (recipes["environment"]["RECIPES_S3_SECRET_ACCESS_KEY"])
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
