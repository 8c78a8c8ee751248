"""docker-compose.yml and the pieces it includes, checked without a Docker
engine: against the Compose specification's schema, by Compose itself
(``config``), and against what the apps and the nginx templates actually read.
Each check runs for every app present (their manifests, ``<package>/app.toml``),
so a fork with one app runs them unchanged; an app's own services are checked
in ``tests/deploy/<package>/``. (tests/docker runs the image, nginx and
SeaweedFS for real.)"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.deploy.compose_files import (
    APPS,
    COMPOSE_FILE,
    FRAGMENTS,
    NGINX_TEMPLATES,
    ROOT,
    compose_config,
    nginx_template,
    resolved_config,
)

# Read by gunicorn.conf.py or the Dockerfile's command, not by the apps.
SERVER_VARIABLES = {
    "APP",
    "PORT",
    "GUNICORN_WORKERS",
    "GUNICORN_TIMEOUT",
    "GUNICORN_ACCESS_LOG",
    "FORWARDED_ALLOW_IPS",
}
each_app = pytest.mark.parametrize("app", APPS, ids=[app.package for app in APPS])


@pytest.fixture
def resolved() -> dict[str, Any]:
    return resolved_config()


def config_of(package: str) -> dict[str, Any]:
    app = importlib.import_module(package).create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return dict(app.config)


@pytest.mark.parametrize("path", [COMPOSE_FILE, *FRAGMENTS], ids=lambda path: path.name)
def test_the_file_follows_the_compose_specification(path: Path) -> None:
    result = subprocess.run(
        [
            *(sys.executable, "-m", "check_jsonschema"),
            *("--builtin-schema", "vendor.compose-spec", str(path)),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_dependabot_finds_every_file_that_pins_an_image() -> None:
    # It reads the files named like compose files in the folders it is given
    # (dependabot-core's docker_compose FileFetcher.FILENAME_REGEX), nothing else.
    dependabot = (ROOT / ".github" / "dependabot.yml").read_text()
    entry = dependabot.split("package-ecosystem: docker-compose", 1)[1].split("- package-", 1)[0]
    listed = re.search(r"directories: \[(.*)\]", entry)
    assert listed, entry
    folders = {folder.strip() for folder in listed.group(1).split(",")}
    for path in [COMPOSE_FILE, *FRAGMENTS]:
        if "image:" in path.read_text():
            assert "/" + path.parent.relative_to(ROOT).as_posix().removeprefix(".") in folders
            assert re.search(r"(docker-)?compose(?>\.[\w-]+)?\.ya?ml", path.name), path.name


def test_compose_refuses_to_start_without_the_secret_keys() -> None:
    result = compose_config({})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_the_file_includes_base_the_pieces_the_apps_need_and_each_app() -> None:
    """docker-compose.yml is what scripts/compose_file.py makes for the apps present."""
    from tests.scripts import script

    compose_file = script("compose_file")
    rendered = compose_file.render(APPS, compose_file.project_name(ROOT))
    assert COMPOSE_FILE.read_text() == rendered, "run python scripts/compose_file.py"
    for app in APPS:
        for piece in app.compose:
            assert f"compose/{piece}.compose.yml" in rendered


@each_app
def test_each_app_has_its_own_compose_file_and_it_is_included(app: Any) -> None:
    fragment = ROOT / "compose" / f"{app.package}.compose.yml"
    assert fragment in FRAGMENTS
    assert f"compose/{fragment.name}" in COMPOSE_FILE.read_text()


@each_app
def test_every_variable_passed_to_an_app_is_one_it_reads(
    resolved: dict[str, Any], app: Any
) -> None:
    known = set(config_of(app.package))
    known |= {"DATABASE_URL"}  # becomes SQLALCHEMY_DATABASE_URI
    for name in resolved["services"][app.package]["environment"]:
        if name in SERVER_VARIABLES:
            continue
        assert name.startswith(f"{app.prefix}_"), f"{app.package}: {name} has another app's prefix"
        assert name.removeprefix(f"{app.prefix}_") in known, f"{app.package} never reads {name}"


@each_app
def test_apps_wait_for_healthy_dependencies_and_check_readiness(
    resolved: dict[str, Any], app: Any
) -> None:
    services = resolved["services"]
    depends = services[app.package]["depends_on"]
    assert depends["postgres"]["condition"] == "service_healthy"
    assert depends["redis"]["condition"] == "service_healthy"
    assert "/readyz" in " ".join(services[app.package]["healthcheck"]["test"])
    environment = services[app.package]["environment"]
    assert environment[f"{app.prefix}_ENV"] == "production"
    assert environment[f"{app.prefix}_RATELIMIT_STORAGE_URI"].startswith("redis://redis")
    # Whatever it waits for to be healthy can say so.
    for dependency, wait in depends.items():
        if wait["condition"] == "service_healthy":
            assert "healthcheck" in services[dependency], dependency


@each_app
def test_an_app_has_a_worker_and_a_beat_on_the_redis_broker_when_it_sends_mail(
    resolved: dict[str, Any], app: Any
) -> None:
    services, prefix = resolved["services"], app.prefix
    app_environment = services[app.package]["environment"]
    roles = {role: services.get(f"{app.package}-{role}") for role in ("worker", "beat")}
    if not app.demo.get("worker"):  # its manifest says it has no Celery worker
        assert roles == {"worker": None, "beat": None}
        assert f"{prefix}_CELERY_BROKER_URL" not in app_environment
        return
    assert app_environment[f"{prefix}_CELERY_BROKER_URL"].startswith("redis://redis:6379/")
    assert app_environment[f"{prefix}_MAIL_SERVER"] == "mailpit"
    assert app_environment[f"{prefix}_EXTERNAL_URL"].startswith("http://localhost:")
    for role, service in roles.items():
        assert service is not None, f"no {app.package}-{role}"
        assert service["command"][:4] == ["celery", "--app", f"{app.package}.worker", role]
        assert service["image"] == services[app.package]["image"]
        # The same settings as the web app (the APP and gunicorn variables aside).
        expected = {k: v for k, v in app_environment.items() if k.startswith(f"{prefix}_")}
        assert service["environment"] == expected
        assert service["depends_on"][app.package]["condition"] == "service_healthy"  # migrated


def test_brokers_and_rate_limits_use_different_redis_databases(resolved: dict[str, Any]) -> None:
    services = resolved["services"]
    environments = [services[app.package]["environment"] for app in APPS]
    brokers = {
        environment[f"{app.prefix}_CELERY_BROKER_URL"]
        for app, environment in zip(APPS, environments, strict=True)
        if f"{app.prefix}_CELERY_BROKER_URL" in environment
    }
    limits = {
        environment[f"{app.prefix}_RATELIMIT_STORAGE_URI"]
        for app, environment in zip(APPS, environments, strict=True)
    }
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
    # `docker compose up --scale <app>=3` needs app services without fixed
    # host ports or container names; nginx reaches every replica by name.
    # (SeaweedFS and Mailpit run when an app needs them: compose/s3.compose.yml, mail.compose.yml.)
    services = resolved["services"]
    publishing = {name for name, service in services.items() if service.get("ports")}
    assert publishing == {"nginx"} | ({"seaweedfs", "mailpit"} & set(services))
    if "mailpit" in services:
        assert [int(port["published"]) for port in services["mailpit"]["ports"]] == [8025]
    assert not any("container_name" in service for service in services.values())
    published = {int(port["published"]) for port in services["nginx"]["ports"]}
    assert published == {app.port for app in APPS}


def test_nginx_renders_every_template_and_knows_every_name_they_use(
    resolved: dict[str, Any],
) -> None:
    nginx = resolved["services"]["nginx"]
    assert nginx["environment"]["NGINX_RESOLVER"] == "127.0.0.11"  # Docker's DNS
    mounted = {Path(volume["source"]).name: volume["target"] for volume in nginx["volumes"]}
    for template in NGINX_TEMPLATES:
        assert mounted.get(template.name) == f"/etc/nginx/templates/{template.name}"
        # Every ${NAME} a template uses is set, as the image's envsubst needs.
        names = set(re.findall(r"\$\{([A-Z_]+)\}", template.read_text()))
        assert names <= set(nginx["environment"]), template.name
    # The http-level part comes first: the image renders them in name order.
    assert min(template.name for template in NGINX_TEMPLATES) == "00-common.conf.template"


@each_app
def test_nginx_proxies_each_app_and_the_apps_trust_exactly_one_proxy(
    resolved: dict[str, Any], app: Any
) -> None:
    services = resolved["services"]
    nginx = services["nginx"]
    assert nginx["environment"][f"{app.prefix}_UPSTREAM"] == f"{app.package}:8000"
    listen = nginx["environment"][f"{app.prefix}_LISTEN"]
    assert listen in {str(port["target"]) for port in nginx["ports"]}
    assert app.package in nginx["depends_on"]
    environment = services[app.package]["environment"]
    assert environment[f"{app.prefix}_PROXY_COUNT"] == "1"
    # Production needs its host names; the container's HEALTHCHECK knocks at 127.0.0.1.
    assert "127.0.0.1" in json.loads(environment[f"{app.prefix}_TRUSTED_HOSTS"])


@each_app
def test_nginx_caps_each_body_at_the_apps_own_limit(app: Any) -> None:
    [server] = nginx_template(app.package).read_text().split("server {")[1:]
    listen = re.search(r"listen \$\{([A-Z_]+)_LISTEN\}", server)
    size = re.search(r"client_max_body_size (\d+);", server)
    assert listen, server
    assert size, server
    assert listen.group(1) == app.prefix
    assert int(size.group(1)) == config_of(app.package)["MAX_CONTENT_LENGTH"]


@each_app
def test_each_app_has_its_own_database(resolved: dict[str, Any], app: Any) -> None:
    url = resolved["services"][app.package]["environment"][f"{app.prefix}_DATABASE_URL"]
    assert url.rsplit("/", 1)[1] == app.package
    init_sql = ROOT / "docker" / "postgres" / f"{app.package}.sql"
    assert f"CREATE DATABASE {app.package};" in init_sql.read_text()
    mounted = {Path(volume["source"]) for volume in resolved["services"]["postgres"]["volumes"]}
    assert init_sql in mounted


def test_no_two_apps_share_a_database(resolved: dict[str, Any]) -> None:
    urls = {
        resolved["services"][app.package]["environment"][f"{app.prefix}_DATABASE_URL"]
        for app in APPS
    }
    assert {url.rsplit("/", 1)[1] for url in urls} == {app.package for app in APPS}
