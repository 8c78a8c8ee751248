"""``make demo`` (scripts/demo.py): every endpoint comes up healthy and
seeded, Ctrl-C leaves nothing behind, a busy port is reported clearly."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import requests

from tests.servers import free_ports

ROOT = Path(__file__).resolve().parents[2]


def demo_env(ports: list[int]) -> dict[str, str]:
    names = ("HELPDESK_PORT", "SHOP_API_PORT", "RECIPES_PORT", "DEMO_S3_PORT")
    return {**os.environ, **dict(zip(names, map(str, ports), strict=True))}


def answers(url: str) -> int:
    with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310
        return int(response.status)


def test_demo_serves_everything_and_stops_cleanly(tmp_path: Path) -> None:
    ports = free_ports(4)
    log = (tmp_path / "demo.log").open("w+")
    demo = subprocess.Popen(
        [sys.executable, "scripts/demo.py"],
        cwd=ROOT,
        env=demo_env(ports),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 120
        while "Press Ctrl-C" not in (tmp_path / "demo.log").read_text():
            assert demo.poll() is None, (tmp_path / "demo.log").read_text()
            assert time.monotonic() < deadline, "the demo did not come up in time"
            time.sleep(0.5)
        output = (tmp_path / "demo.log").read_text()
        for port in ports[:3]:
            assert answers(f"http://127.0.0.1:{port}/readyz") == 200
            assert f"http://127.0.0.1:{port}/" in output
        assert answers(f"http://127.0.0.1:{ports[1]}/api/products/") == 200
        assert "staff@example.com (staff)" in output
        assert "demo-password" in output
        # A forgotten password: the reset link is printed here by the help
        # desk's worker, and it opens the form to set a new password.
        link = reset_link_printed_for(f"http://127.0.0.1:{ports[0]}", tmp_path / "demo.log")
        page = requests.get(link, timeout=10)
        assert page.status_code == 200
        assert "ann@example.com" in page.text
    finally:
        demo.send_signal(signal.SIGINT)
        assert demo.wait(timeout=30) == 0
        log.close()
    for port in ports:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(("127.0.0.1", port))  # nothing is left listening


def reset_link_printed_for(base: str, log: Path) -> str:
    browser = requests.Session()
    form = browser.get(f"{base}/auth/password-reset", timeout=10).text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form)
    assert token, form
    answer = browser.post(
        f"{base}/auth/password-reset",
        data={"email": "ann@example.com", "csrf_token": token.group(1)},
        timeout=10,
    )
    assert answer.status_code == 200  # redirected to the login page
    deadline = time.monotonic() + 60
    while not (found := re.search(rf"{re.escape(base)}/auth/password-reset/\S+", log.read_text())):
        assert time.monotonic() < deadline, f"no reset link printed:\n{log.read_text()}"
        time.sleep(0.5)
    return found.group(0)


def test_a_busy_port_is_reported(tmp_path: Path) -> None:
    ports = free_ports(4)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", ports[0]))
        squatter.listen()
        result = subprocess.run(
            [sys.executable, "scripts/demo.py"],
            cwd=ROOT,
            env=demo_env(ports),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert result.returncode == 1
    assert f"Port {ports[0]} (Help desk) is in use" in result.stdout
    assert "HELPDESK_PORT" in result.stdout
