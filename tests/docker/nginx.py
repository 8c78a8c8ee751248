"""Debian's nginx running docker/nginx/*.conf.template (the common part and
each app's server block), rendered the way the official image renders them
(envsubst of ``${NAME}`` into conf.d/, read in name order), in front of
servers on this machine. The apps are the ones whose manifests are present."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from tests.e2e.live_servers import LiveApp, live_app
from tests.scripts import script
from tests.servers import free_port, serve

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = sorted((ROOT / "docker" / "nginx").glob("*.conf.template"))
PLACEHOLDER = re.compile(r"\$\{([A-Z_]+)\}")
APPS = script("apps").apps(ROOT)


def compose_values() -> dict[str, str]:
    """What compose/*.compose.yml tell the nginx container: Docker's DNS, and each
    app's port and service name (tests/deploy/test_compose.py checks them)."""
    values = {"NGINX_RESOLVER": "127.0.0.11"}
    for app in APPS:
        values[f"{app.prefix}_LISTEN"] = str(app.port)
        values[f"{app.prefix}_UPSTREAM"] = f"{app.package}:8000"
    return values


def nginx_binary() -> str:
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    assert nginx, "no nginx: run `make test-docker`, which installs Debian's package"
    return nginx


def render(template: Path, values: Mapping[str, str]) -> str:
    """What the image's envsubst step writes to conf.d/ for these values."""
    text = template.read_text()
    missing = set(PLACEHOLDER.findall(text)) - set(values)
    assert not missing, f"{template.name}: no value for {sorted(missing)}"
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def main_config(workdir: Path, values: Mapping[str, str]) -> Path:
    """The image's nginx.conf, cut down to run from a temporary folder, and
    its conf.d/ with every template rendered."""
    conf_d = workdir / "conf.d"
    conf_d.mkdir(exist_ok=True)
    for template in TEMPLATES:
        (conf_d / template.name.removesuffix(".template")).write_text(render(template, values))
    temp = {name: workdir / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    for folder in temp.values():
        folder.mkdir(exist_ok=True)
    # As root, workers would switch to `nobody`, who cannot write into
    # pytest's private temporary folders.
    user = "user root;\n" if os.geteuid() == 0 else ""
    config = workdir / "nginx.conf"
    config.write_text(
        f"{user}worker_processes 1;\npid {workdir / 'nginx.pid'};\n"
        f"error_log {workdir / 'error.log'} warn;\n"
        "events { worker_connections 512; }\n"
        "http {\n"
        f"    client_body_temp_path {temp['body']};\n    proxy_temp_path {temp['proxy']};\n"
        f"    fastcgi_temp_path {temp['fastcgi']};\n    uwsgi_temp_path {temp['uwsgi']};\n"
        f"    scgi_temp_path {temp['scgi']};\n"
        f"    include {conf_d}/*.conf;\n"
        "}\n"
    )
    return config


def check_config(workdir: Path, values: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """``nginx -t`` on the templates rendered with ``values``."""
    config = main_config(workdir, values)
    return subprocess.run(
        [nginx_binary(), "-t", "-p", str(workdir), "-c", str(config)],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )


@contextmanager
def nginx_in_front(workdir: Path, upstreams: Mapping[str, str]) -> Iterator[dict[str, str]]:
    """nginx proxying each app (by package name) to the address given, on free
    ports; yields package -> nginx's URL for every app present."""
    ports = {app.package: free_port() for app in APPS}
    values = {"NGINX_RESOLVER": "127.0.0.1"}
    for app in APPS:
        values[f"{app.prefix}_LISTEN"] = f"127.0.0.1:{ports[app.package]}"
        # An app left out points at a closed port: nginx answers 502 for it.
        values[f"{app.prefix}_UPSTREAM"] = upstreams.get(app.package, f"127.0.0.1:{free_port()}")
    checked = check_config(workdir, values)
    assert checked.returncode == 0, checked.stderr
    config = workdir / "nginx.conf"
    command = [nginx_binary(), "-p", str(workdir), "-c", str(config), "-g", "daemon off;"]
    with serve(command, os.environ, log=workdir / "nginx.out"):
        for port in ports.values():
            _wait_for_listen(port)
        yield {package: f"http://127.0.0.1:{port}" for package, port in ports.items()}


@contextmanager
def behind_nginx(
    package: str,
    prefix: str,
    workdir: Path,
    *,
    extra_env: Mapping[str, str] | None = None,
    workers: int = 2,
) -> Iterator[tuple[str, LiveApp]]:
    """One app under gunicorn (``workers`` sync workers), told it is behind one
    proxy, with nginx in front; yields nginx's URL for it and the app itself
    (for going around nginx)."""
    env = {f"{prefix}_PROXY_COUNT": "1", **(extra_env or {})}
    with (
        live_app(package, workdir, extra_env=env, workers=workers) as app,
        nginx_in_front(workdir, {package: app.url.removeprefix("http://")}) as urls,
    ):
        yield urls[package], app


def _wait_for_listen(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nginx did not listen on {port}")
