"""The shop API's part of a running ``make demo`` (tests/deploy/test_demo.py
calls it): the seeded catalogue answers."""

from __future__ import annotations

from pathlib import Path

import requests


def check_serving(base: str, log: Path) -> None:
    assert requests.get(f"{base}/api/products/", timeout=10).status_code == 200
