"""The tutorial-style shop the benchmark compares the shop API with
(bench/shop_api/tutorial.py) reads ``?page=`` the way tutorials do."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest


def test_the_tutorials_list_reads_a_page_that_is_not_a_number_as_page_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # request.args.get("page", 1, type=int): a value int() refuses gives the default.
    monkeypatch.setenv("BENCH_DATABASE_URL", f"sqlite:///{tmp_path / 'tutorial.sqlite3'}")
    monkeypatch.delitem(sys.modules, "bench.shop_api.tutorial", raising=False)
    tutorial = importlib.import_module("bench.shop_api.tutorial")
    with tutorial.app.app_context():
        tutorial.db.create_all()
        tutorial.db.session.add_all(
            tutorial.Product(
                name=f"Mug {number:02}", description="", price_cents=1, currency="EUR", stock=1
            )
            for number in range(25)
        )
        tutorial.db.session.commit()
    client = tutorial.app.test_client()
    answer = client.get("/api/products/?page=abc")
    assert answer.status_code == 200
    assert answer.get_json() == client.get("/api/products/?page=1").get_json()
    assert answer.get_json()["page"] == 1


def test_the_in_process_timing_counts_only_requests_that_were_answered_200() -> None:
    """bench/shop_api/in_process.py: a fast error would make its numbers a lie."""
    from flask import Flask

    from bench.shop_api.in_process import per_request

    app = Flask(__name__)
    app.get("/")(lambda: "hello")
    assert per_request(app, "/", requests=5) > 0
    with pytest.raises(SystemExit, match="not every answer was a 200"):
        per_request(app, "/missing", requests=5)
