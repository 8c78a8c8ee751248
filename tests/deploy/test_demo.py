"""``make demo`` (scripts/demo.py): every endpoint comes up healthy and
seeded, Ctrl-C leaves nothing behind, a busy port is reported clearly."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_ports(count: int) -> list[int]:
    sockets = [socket.socket() for _ in range(count)]
    for probe in sockets:
        probe.bind(("127.0.0.1", 0))
    ports = [int(probe.getsockname()[1]) for probe in sockets]
    for probe in sockets:
        probe.close()
    return ports


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
        [sys.executable, "scripts/demo.py"], cwd=ROOT, env=demo_env(ports),
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
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
    finally:
        demo.send_signal(signal.SIGINT)
        assert demo.wait(timeout=30) == 0
        log.close()
    for port in ports:
        with socket.socket() as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(("127.0.0.1", port))  # nothing is left listening


def test_a_busy_port_is_reported(tmp_path: Path) -> None:
    ports = free_ports(4)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", ports[0]))
        squatter.listen()
        result = subprocess.run(
            [sys.executable, "scripts/demo.py"], cwd=ROOT, env=demo_env(ports),
            capture_output=True, text=True, timeout=60, check=False,
        )  # fmt: skip
    assert result.returncode == 1
    assert f"Port {ports[0]} (Help desk) is in use" in result.stdout
    assert "HELPDESK_PORT" in result.stdout
