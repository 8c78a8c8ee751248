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
import yaml

from tests.deploy.compose_files import (
    APPS,
    COMPOSE_FILE,
    FRAGMENTS,
    NGINX_TEMPLATES,
    ROOT,
    SECRETS,
    compose_config,
    compose_variables,
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
# The VOLUMEs the pinned images declare (their Dockerfiles: docker-library's
# postgres and redis, seaweedfs's docker/Dockerfile.go_build, prometheus's
# Dockerfile; nginx's and Mailpit's declare none). tests/docker/test_compose.py
# reads them from the images themselves.
DECLARED_VOLUMES = {
    "postgres": "/var/lib/postgresql/data",
    "redis": "/data",
    "chrislusf/seaweedfs": "/data",
    "prom/prometheus": "/prometheus",
}
PROMETHEUS_CONFIG = ROOT / "deploy" / "prometheus" / "prometheus.yml"
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
    for secret in SECRETS:  # each one alone: the S3 secret guards a public port's files
        result = compose_config({name: value for name, value in SECRETS.items() if name != secret})
        assert result.returncode != 0
        assert f"set {secret} in .env" in result.stderr


def test_the_pages_without_a_login_answer_this_machine_only() -> None:
    """Mailpit shows every mail, reset links included; Prometheus every app's numbers."""
    services = resolved_config()["services"]
    unguarded = [name for name in ("mailpit", "prometheus") if name in services]
    assert "prometheus" in unguarded  # (Mailpit only where an app sends mail)
    for name in unguarded:
        assert {port["host_ip"] for port in services[name]["ports"]} == {"127.0.0.1"}, name


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


def built_image(resolved: dict[str, Any]) -> str:
    """The image compose builds: the project's name, tagged local."""
    return f"{resolved['name']}:local"


def test_one_service_builds_the_image_and_every_app_service_runs_it(
    resolved: dict[str, Any],
) -> None:
    # A build per service would build the one image as many times, leave
    # untagged copies, and recreate every container on each `up --build`.
    services = resolved["services"]
    [builder] = [name for name, service in services.items() if "build" in service]
    assert services[builder]["image"] == built_image(resolved)
    assert services[builder]["scale"] == 0  # built, never run
    assert services[builder]["build"]["context"] == str(ROOT)
    users = {
        name for name, service in services.items() if service["image"] == built_image(resolved)
    }
    for app in APPS:
        roles = [f"{app.package}-worker", f"{app.package}-beat"] if app.demo.get("worker") else []
        assert {app.package, *roles} <= users
    for name in users - {builder}:
        assert services[name]["pull_policy"] == "never", name  # no registry has it


def test_the_image_is_named_after_the_project_so_a_fork_builds_its_own() -> None:
    result = compose_config({**SECRETS, "COMPOSE_PROJECT_NAME": "my-portfolio"})
    assert result.returncode == 0, result.stderr
    resolved = json.loads(result.stdout)
    assert built_image(resolved) == "my-portfolio:local"
    assert {app.package for app in APPS} <= {
        name
        for name, service in resolved["services"].items()
        if service["image"] == "my-portfolio:local"
    }


def test_every_image_is_pinned_to_a_version(resolved: dict[str, Any]) -> None:
    for name, service in resolved["services"].items():
        image = service["image"]
        repository, _, tag = image.rpartition(":")
        assert repository, f"{name}: {image} names no tag"
        assert tag, f"{name}: {image} names no tag"
        assert tag != "latest", f"{name}: {image}"
        if image != built_image(resolved):  # pulled: a version, not a moving major
            assert re.fullmatch(r"v?\d+\.\d+(\.\d+)?(-alpine)?", tag), f"{name}: {image}"
    assert not any(
        service["image"].startswith("minio/") for service in resolved["services"].values()
    )


def test_only_nginx_prometheus_the_s3_endpoint_and_mailpit_publish_ports(
    resolved: dict[str, Any],
) -> None:
    # `docker compose up --scale <app>=3` needs app services without fixed
    # host ports or container names; nginx reaches every replica by name.
    # (SeaweedFS and Mailpit run when an app needs them: compose/s3.compose.yml, mail.compose.yml.)
    services = resolved["services"]
    publishing = {name for name, service in services.items() if service.get("ports")}
    assert publishing == {"nginx", "prometheus"} | ({"seaweedfs", "mailpit"} & set(services))
    if "mailpit" in services:
        assert [int(port["published"]) for port in services["mailpit"]["ports"]] == [8025]
    # Prometheus has no login: on this machine only, never on every address.
    [prometheus] = services["prometheus"]["ports"]
    assert (prometheus["host_ip"], int(prometheus["published"])) == ("127.0.0.1", 9090)
    assert not any("container_name" in service for service in services.values())
    published = {int(port["published"]) for port in services["nginx"]["ports"]}
    assert published == {app.port for app in APPS}


def test_the_header_names_every_service_that_publishes_a_port(resolved: dict[str, Any]) -> None:
    header = COMPOSE_FILE.read_text().split("\nname:", 1)[0]
    sentence = re.search(r"# Only (.*?) publish ports", header, re.DOTALL)
    assert sentence, header
    named = sentence.group(1).lower()
    for name, service in resolved["services"].items():
        if service.get("ports"):
            assert name in named, f"the header of docker-compose.yml does not name {name}"


def test_changing_a_published_port_moves_the_url_made_from_it() -> None:
    # An app's EXTERNAL_URL (links in mail) and the S3 endpoint browsers load
    # presigned links from default to localhost on the published port.
    moved = {f"{app.prefix}_HTTP_PORT": str(6100 + index) for index, app in enumerate(APPS)}
    moved["S3_HTTP_PORT"] = "9433"
    result = compose_config({**SECRETS, **moved})
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    published = {str(port["published"]) for port in services["nginx"]["ports"]}
    assert published == {moved[f"{app.prefix}_HTTP_PORT"] for app in APPS}
    for app in APPS:
        environment = services[app.package]["environment"]
        app_port = moved[f"{app.prefix}_HTTP_PORT"]
        if f"{app.prefix}_EXTERNAL_URL" in environment:
            assert environment[f"{app.prefix}_EXTERNAL_URL"] == f"http://localhost:{app_port}"
        if f"{app.prefix}_S3_PUBLIC_ENDPOINT_URL" in environment:
            assert [str(port["published"]) for port in services["seaweedfs"]["ports"]] == ["9433"]
            assert environment[f"{app.prefix}_S3_PUBLIC_ENDPOINT_URL"] == "http://localhost:9433"


def test_a_url_set_on_its_own_wins_over_the_port() -> None:
    urls = {f"{app.prefix}_EXTERNAL_URL": f"https://{app.slug}.example.com" for app in APPS}
    urls["S3_PUBLIC_ENDPOINT_URL"] = "https://files.example.com"
    result = compose_config({**SECRETS, **urls, "S3_HTTP_PORT": "9433"})
    assert result.returncode == 0, result.stderr
    services = json.loads(result.stdout)["services"]
    for app in APPS:
        environment = services[app.package]["environment"]
        if f"{app.prefix}_EXTERNAL_URL" in environment:
            assert environment[f"{app.prefix}_EXTERNAL_URL"] == urls[f"{app.prefix}_EXTERNAL_URL"]
        if f"{app.prefix}_S3_PUBLIC_ENDPOINT_URL" in environment:
            assert (
                environment[f"{app.prefix}_S3_PUBLIC_ENDPOINT_URL"] == "https://files.example.com"
            )


def test_every_variable_compose_reads_is_documented_in_env_example() -> None:
    documented = set(
        re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", (ROOT / ".env.example").read_text(), re.MULTILINE)
    )
    # COMPOSE_PROJECT_NAME: Compose sets it from `name:` in docker-compose.yml.
    missing = compose_variables() - documented - {"COMPOSE_PROJECT_NAME"}
    assert not missing, f"not in .env.example (docker/env/): {sorted(missing)}"


def test_every_volume_an_image_declares_has_a_named_volume(resolved: dict[str, Any]) -> None:
    # Otherwise each new container of the service gets a new anonymous volume:
    # one more left behind on every `down`/`up`, and missed by `down -v`.
    seen = set()
    for name, service in resolved["services"].items():
        repository = service["image"].rpartition(":")[0]
        if repository not in DECLARED_VOLUMES:
            continue
        seen.add(repository)
        named = {
            volume["target"]: volume["source"]
            for volume in service.get("volumes", [])
            if volume["type"] == "volume"
        }
        assert DECLARED_VOLUMES[repository] in named, f"{name}: no named volume"
        assert named[DECLARED_VOLUMES[repository]] in resolved["volumes"], name
    # compose/base.compose.yml's and compose/metrics.compose.yml's, in every fork
    assert {"postgres", "redis", "prom/prometheus"} <= seen


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


def scraped_aliases() -> dict[str, tuple[str, int]]:
    """What deploy/prometheus/prometheus.yml scrapes: job, (DNS name, port)."""
    config = yaml.safe_load(PROMETHEUS_CONFIG.read_text())
    return {
        job["job_name"]: (name, lookup["port"])
        for job in config["scrape_configs"]
        for lookup in job["dns_sd_configs"]
        for name in lookup["names"]
    }


def aliases(service: dict[str, Any]) -> set[str]:
    return {
        alias
        for network in (service.get("networks") or {}).values()
        for alias in (network or {}).get("aliases", [])
    }


def test_prometheus_reads_the_shared_config(resolved: dict[str, Any]) -> None:
    prometheus = resolved["services"]["prometheus"]
    mounted = {volume["target"]: volume for volume in prometheus["volumes"]}
    config = mounted["/etc/prometheus/prometheus.yml"]  # where the image's command reads it
    assert Path(config["source"]) == PROMETHEUS_CONFIG
    assert config["read_only"]


def test_prometheus_finds_every_app_and_worker_by_their_aliases(resolved: dict[str, Any]) -> None:
    # deploy/prometheus/prometheus.yml names no app: it asks Docker's DNS for
    # these aliases, which every replica of the service carries.
    assert scraped_aliases() == {"apps": ("app-metrics", 8000), "workers": ("worker-metrics", 9808)}
    services = resolved["services"]
    expected = {}
    for app in APPS:
        expected[app.package] = {"app-metrics"}
        if app.demo.get("worker"):
            expected[f"{app.package}-worker"] = {"worker-metrics"}
            # Beat serves no metrics (shared/worker.py): found, it would be a target that is down.
            expected[f"{app.package}-beat"] = set()
            assert int(config_of(app.package)["WORKER_METRICS_PORT"]) == 9808
    # Nothing else carries them (nginx, a one-shot job such as create-bucket).
    assert {name: aliases(service) for name, service in services.items()} == {
        name: expected.get(name, set()) for name in services
    }
