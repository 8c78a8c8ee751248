"""Debian's nginx running docker/nginx/capstones.conf.template, rendered the
way the official image renders it (envsubst of ``${NAME}``), in front of
servers on this machine."""

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

from tests.servers import free_port, serve

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "docker" / "nginx" / "capstones.conf.template"
PLACEHOLDER = re.compile(r"\$\{([A-Z_]+)\}")


def nginx_binary() -> str:
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    assert nginx, "no nginx: run `make test-docker`, which installs Debian's package"
    return nginx


def render(values: Mapping[str, str]) -> str:
    """What the image's envsubst step writes to conf.d/ for these values."""
    text = TEMPLATE.read_text()
    missing = set(PLACEHOLDER.findall(text)) - set(values)
    assert not missing, f"no value for {sorted(missing)}"
    return PLACEHOLDER.sub(lambda match: values[match.group(1)], text)


def main_config(workdir: Path, site: Path) -> Path:
    """The image's nginx.conf, cut down to run from a temporary folder."""
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
        f"    include {site};\n"
        "}\n"
    )
    return config


def check_config(workdir: Path, values: Mapping[str, str]) -> subprocess.CompletedProcess[str]:
    """``nginx -t`` on the template rendered with ``values``."""
    site = workdir / "capstones.conf"
    site.write_text(render(values))
    config = main_config(workdir, site)
    return subprocess.run(
        [nginx_binary(), "-t", "-p", str(workdir), "-c", str(config)],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )


@contextmanager
def nginx_in_front(workdir: Path, upstreams: Mapping[str, str]) -> Iterator[dict[str, str]]:
    """nginx proxying each app name (helpdesk, shop_api, recipes) to the
    address given, on free ports; yields app name -> nginx's URL."""
    ports = {name: free_port() for name in ("helpdesk", "shop_api", "recipes")}
    values = {"NGINX_RESOLVER": "127.0.0.1"}
    for name, port in ports.items():
        values[f"{name.upper()}_LISTEN"] = f"127.0.0.1:{port}"
        # An unused app points at a closed port: nginx answers 502 for it.
        values[f"{name.upper()}_UPSTREAM"] = upstreams.get(name, f"127.0.0.1:{free_port()}")
    checked = check_config(workdir, values)
    assert checked.returncode == 0, checked.stderr
    config = workdir / "nginx.conf"
    command = [nginx_binary(), "-p", str(workdir), "-c", str(config), "-g", "daemon off;"]
    with serve(command, os.environ, log=workdir / "nginx.out"):
        urls = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
        _wait_for_listen(ports["helpdesk"])
        yield urls


def _wait_for_listen(port: int) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nginx did not listen on {port}")
