"""Debian's Prometheus scraping every app live, as production runs them:
gunicorn with two workers in multiprocess mode (PROMETHEUS_MULTIPROC_DIR), and
the Celery worker with its prefork pool for an app that sends mail. Real
requests, a refused login and each app's own event (tests/operations/<package>/
metrics.py) must come back from Prometheus's HTTP API. The Grafana dashboards
(deploy/grafana/) are checked as dashboards, and each of their queries run on
this Prometheus; deploy/prometheus/prometheus.yml is checked by promtool."""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import requests

from tests.scripts import script
from tests.servers import ROOT, free_port, serve

APPS = script("apps").apps(ROOT)
DASHBOARDS = sorted((ROOT / "deploy" / "grafana").glob("*.json"))
DEADLINE = 120  # seconds; Prometheus scrapes every second, so a miss is a bug, not a wait


@dataclass
class LiveApp:
    package: str
    url: str
    hook: ModuleType  # tests/operations/<package>/metrics.py


def hook(package: str) -> ModuleType:
    return importlib.import_module(f"tests.operations.{package}.metrics")


def environment(app: Any, folder: Path, **more: str) -> dict[str, str]:
    settings = {
        "DATABASE_URL": f"sqlite:///{folder / 'app.sqlite3'}",
        "CELERY_BROKER_FOLDER": str(folder / "broker"),
        "MAIL_SEND_EVERY_SECONDS": "1",
        **hook(app.package).SETTINGS,
    }
    prefixed = {f"{app.prefix}_{name}": value for name, value in settings.items()}
    return {**os.environ, **prefixed, **more}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, list[LiveApp]]]:
    """Every app (and worker) up, and Prometheus scraping them: (its URL, the apps)."""
    root = tmp_path_factory.mktemp("live")
    targets, apps = [], []
    with ExitStack() as stack:
        for app in APPS:
            folder = root / app.package
            folder.mkdir()
            env = environment(app, folder, PROMETHEUS_MULTIPROC_DIR=str(folder / "web-metrics"))
            for command in hook(app.package).PREPARE:
                flask = [sys.executable, "-m", "flask", "--app", app.package, *command]
                subprocess.run(flask, cwd=ROOT, env=env, check=True, capture_output=True)
            port = free_port()
            gunicorn = [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py"]
            stack.enter_context(
                serve(
                    [*gunicorn, f"{app.package}:create_app()"],
                    {**env, "PORT": str(port), "GUNICORN_WORKERS": "2"},
                    log=folder / "gunicorn.log",
                    ready_url=f"http://127.0.0.1:{port}/healthz",
                )
            )
            targets.append(f"127.0.0.1:{port}")
            apps.append(LiveApp(app.package, f"http://127.0.0.1:{port}", hook(app.package)))
            if app.demo.get("worker"):
                targets.append(start_worker(stack, app, folder))
        yield stack.enter_context(prometheus(root, targets)), apps


def start_worker(stack: ExitStack, app: Any, folder: Path) -> str:
    """The app's Celery worker, prefork pool of two, beat inside: it sends due mail."""
    port = free_port()
    env = environment(
        app,
        folder,
        PROMETHEUS_MULTIPROC_DIR=str(folder / "worker-metrics"),
        **{f"{app.prefix}_WORKER_METRICS_PORT": str(port)},
    )
    command = [sys.executable, "-m", "celery", "--app", f"{app.package}.worker", "worker"]
    options = ["--beat", "--schedule", str(folder / "celerybeat"), "--concurrency", "2"]
    quiet = ["--loglevel", "WARNING", "--without-gossip", "--without-mingle", "--without-heartbeat"]
    stack.enter_context(
        serve(
            [*command, *options, *quiet],
            env,
            log=folder / "worker.log",
            ready_url=f"http://127.0.0.1:{port}/metrics",
        )
    )
    return f"127.0.0.1:{port}"


@contextmanager
def prometheus(root: Path, targets: list[str]) -> Iterator[str]:
    """Debian's Prometheus scraping ``targets`` every second; its URL."""
    config = {
        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
        "scrape_configs": [{"job_name": "apps", "static_configs": [{"targets": targets}]}],
    }
    (root / "prometheus.yml").write_text(json.dumps(config))  # JSON is YAML
    url = f"http://127.0.0.1:{free_port()}"
    command = [
        "/usr/bin/prometheus",
        f"--config.file={root / 'prometheus.yml'}",
        f"--storage.tsdb.path={root / 'tsdb'}",
        f"--web.listen-address={url.removeprefix('http://')}",
    ]
    with serve(command, os.environ, log=root / "prometheus.log", ready_url=f"{url}/-/ready"):
        yield url


def query(prometheus_url: str, promql: str) -> list[dict[str, Any]]:
    """The instant vector ``promql`` gives now; fails on a query Prometheus refuses.
    Grafana's ``$__rate_interval`` becomes a minute, as Grafana would make it."""
    promql = promql.replace("$__rate_interval", "1m")
    response = requests.get(f"{prometheus_url}/api/v1/query", params={"query": promql}, timeout=10)
    body = response.json()
    assert body["status"] == "success", f"{promql}: {body.get('error')}"
    return list(body["data"]["result"])


def wait_for(prometheus_url: str, promql: str) -> list[dict[str, Any]]:
    """The samples of ``promql`` once it has one above zero, polling until the deadline."""
    deadline = time.monotonic() + DEADLINE
    while True:
        result = query(prometheus_url, promql)
        if any(float(sample["value"][1]) > 0 for sample in result):
            return result
        assert time.monotonic() < deadline, f"Prometheus never had {promql} above 0: {result}"
        time.sleep(0.5)


def test_prometheus_reads_request_and_business_metrics_back(
    live: tuple[str, list[LiveApp]],
) -> None:
    prometheus_url, apps = live
    expected = {}
    for app in apps:
        requests.get(f"{app.url}/no-such-page", timeout=10)
        app.hook.refuse_login(app.url)
        for promql in app.hook.make_events(app.url):
            expected[promql] = app.package
    for app in apps:
        labels = f'app="{app.package}"'
        # By endpoint and status: a page nobody routes is one series, whatever its path.
        found = wait_for(
            prometheus_url, f'flask_http_request_duration_seconds_count{{{labels}, status="404"}}'
        )
        assert {sample["metric"]["endpoint"] for sample in found} == {"None"}
        wait_for(prometheus_url, f"sum(auth_logins_refused_total{{{labels}}})")
    for promql in expected:
        wait_for(prometheus_url, promql)


def test_metrics_are_not_served_through_a_proxy(live: tuple[str, list[LiveApp]]) -> None:
    for app in live[1]:
        assert requests.get(f"{app.url}/metrics", timeout=10).status_code == 200
        proxied = {"X-Forwarded-For": "203.0.113.9"}
        assert requests.get(f"{app.url}/metrics", headers=proxied, timeout=10).status_code == 404


def test_every_app_has_a_dashboard() -> None:
    assert sorted(path.stem for path in DASHBOARDS) == sorted(app.package for app in APPS)


@pytest.mark.parametrize("path", DASHBOARDS, ids=[path.stem for path in DASHBOARDS])
def test_a_dashboard_is_grafana_dashboard_json(path: Path) -> None:
    dashboard = json.loads(path.read_text())
    assert isinstance(dashboard["schemaVersion"], int)
    assert dashboard["title"]
    assert dashboard["uid"]
    panels = dashboard["panels"]
    ids = [panel["id"] for panel in panels]
    assert len(ids) == len(set(ids)), f"panel ids repeat: {ids}"
    for panel in panels:
        assert panel["type"] in {"timeseries", "stat", "row"}, panel["type"]
        assert {"h", "w", "x", "y"} <= set(panel["gridPos"])
        if panel["type"] == "row":
            continue
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}
        assert panel["targets"], panel["title"]
        for target in panel["targets"]:
            assert target["expr"]
            assert target["refId"]
    variables = dashboard["templating"]["list"]
    assert {"name": "datasource", "type": "datasource", "query": "prometheus"}.items() <= (
        variables[0].items()
    )


@pytest.mark.parametrize("path", DASHBOARDS, ids=[path.stem for path in DASHBOARDS])
def test_every_dashboard_query_runs_on_prometheus(
    live: tuple[str, list[LiveApp]], path: Path
) -> None:
    prometheus_url, apps = live
    for app in apps:  # a request within the rates' minute
        requests.get(f"{app.url}/healthz", timeout=10)
    dashboard = json.loads(path.read_text())
    expressions = [
        target["expr"] for panel in dashboard["panels"] for target in panel.get("targets", [])
    ]
    for promql in expressions:
        query(prometheus_url, promql)  # accepted, whether or not it has data yet
    # The first panel, the request rate, has data: a request was just made.
    wait_for(prometheus_url, expressions[0])


def test_the_compose_config_passes_promtool() -> None:
    config = ROOT / "deploy" / "prometheus" / "prometheus.yml"
    checked = subprocess.run(
        ["promtool", "check", "config", str(config)], capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    for app in APPS:  # one config for every app and any fork: it names none
        assert not app.names.search(config.read_text()), app.package
