"""SQLite connections are set up for a web app: foreign keys, WAL, lock waits."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import text

from tests.conftest import TEST_DATABASE_URL
from tests.shared.tiny_app import db

sqlite_only = pytest.mark.skipif(
    bool(TEST_DATABASE_URL), reason="SQLite pragmas; this run uses TEST_DATABASE_URL"
)


@sqlite_only
def test_sqlite_connections_enforce_foreign_keys_and_wait_for_locks(app: Flask) -> None:
    with app.app_context():
        assert db.session.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert db.session.execute(text("PRAGMA busy_timeout")).scalar() == 10_000
        assert db.session.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_constraints_follow_the_naming_convention(app: Flask) -> None:
    names = {c.name for c in db.metadata.tables["users"].constraints}
    assert {"pk_users", "uq_users_email", "ck_users_email_lowercase"} <= names


@pytest.mark.parametrize(
    ("url", "status"),
    [("/things/1", 200), ("/things/2147483647", 200), ("/things/0", 404), ("/things/01", 404),
     ("/things/2147483648", 404), ("/things/99999999999999999999", 404), ("/things/x", 404)],
)  # fmt: skip
def test_id_converter_keeps_ids_in_the_column_range(app: Flask, url: str, status: int) -> None:
    app.add_url_rule("/things/<id:thing_id>", "thing", lambda thing_id: str(thing_id))
    assert app.test_client().get(url).status_code == status


@pytest.mark.parametrize("thing_id", ["0", "007", "2147483648", "99999999999999999999"])
def test_an_out_of_range_id_is_404_for_every_method(app: Flask, thing_id: str) -> None:
    # Werkzeug answers 405 instead of 404 when a converter refuses a value
    # that another method's rule on the same path would take.
    app.add_url_rule("/things/<id:thing_id>", "read", lambda thing_id: "read")
    app.add_url_rule(
        "/things/<id:thing_id>", "change", lambda thing_id: "change", methods=["PATCH"]
    )
    client = app.test_client()
    assert client.get(f"/things/{thing_id}").status_code == 404
    assert client.patch(f"/things/{thing_id}").status_code == 404
