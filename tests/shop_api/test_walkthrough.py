"""The shop API guide's curl walk-through (docs/shop-api.md), run as written
against a live server with the demo data: each step answers what the guide says, and
a wrong password in step 1 says so instead of ending in a traceback."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.servers import ROOT, free_port, serve

pytestmark = pytest.mark.skipif(
    shutil.which("curl") is None, reason="the walk-through is written for curl, not installed"
)


def walkthrough() -> str:
    guide = (ROOT / "docs" / "shop-api.md").read_text()
    section = guide.split("## A walk through with curl", 1)[1]
    found = re.search(r"```sh\n(.*?)```", section, re.S)
    assert found is not None, "no sh block under 'A walk through with curl'"
    return found.group(1)


@pytest.fixture(scope="module")
def shop_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    folder = tmp_path_factory.mktemp("walkthrough")
    env = {
        **os.environ,
        "SHOP_API_DATABASE_URL": f"sqlite:///{folder / 'shop.sqlite3'}",
        "SHOP_API_REQUEST_LOG_ENABLED": "false",
    }
    flask = [sys.executable, "-m", "flask", "--app", "shop_api"]
    for step in (["db", "upgrade"], ["seed-demo"]):
        subprocess.run([*flask, *step], env=env, cwd=ROOT, check=True, capture_output=True)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = [*flask, "run", "--port", str(port), "--no-reload"]
    with serve(command, env, log=folder / "server.log", ready_url=f"{url}/healthz"):
        yield url


def run(script: str, url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["bash", "-c", script.replace("http://127.0.0.1:5002", url)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_walkthrough_answers_as_the_guide_says(shop_url: str) -> None:
    result = run(walkthrough(), shop_url)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    statuses = re.findall(r"^HTTP/1\.1 (\d{3})", out, re.M)
    # 2: the product list; 3 and 4: the order and its replay; 8: log out, then refused.
    assert statuses == ["200", "201", "201", "204", "401"]
    assert "Idempotent-Replayed: true" in out
    assert '"shortages"' in out  # 5: sold out, with what fell short
    assert '"quantity"' in out  # 6: 422 naming each field
    assert '"total_cents"' in out
    assert '"status": "cancelled"' in out or '"status":"cancelled"' in out  # 7
    again = run(walkthrough(), shop_url)
    assert "This order is already cancelled." in again.stdout  # 7, as its comment says


def test_a_wrong_password_in_step_one_fails_readably(shop_url: str) -> None:
    step_one = walkthrough().split("# 2.", 1)[0].replace('"demo-password"', '"not-the-password"')
    result = run(step_one + 'test -n "$TOKEN"', shop_url)
    assert result.returncode != 0
    assert "Login failed: Invalid e-mail or password." in result.stderr
    assert "Traceback" not in result.stderr
