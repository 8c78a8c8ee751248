"""Classic SQL injection payloads, for the per-app ``test_sql_injection.py``
modules. Every query in this project sends user input as a bound parameter
(``WHERE title LIKE ?`` with the text beside the statement, never inside it),
so to the database each payload is just text: it matches nothing, and
nothing is dropped. The tests prove it by sending them everywhere a user
types something that reaches SQL: searches, filters, page numbers and ids.
"""

from __future__ import annotations

from urllib.parse import quote

from flask import Flask
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import func, inspect, select

PAYLOADS = [
    "' OR '1'='1",
    "' OR 1=1 --",
    '" OR ""="',
    "'; DROP TABLE users; --",
    "1; DROP TABLE users",
    "1 OR 1=1",
    "' UNION SELECT email, password_hash FROM users --",
    "admin'--",
    "%",  # LIKE's own wildcards: escaped, so they match themselves only
    "_",
    "\\",
]


def in_path(payload: str) -> str:
    """The payload as one URL path segment (``/items/<payload>``)."""
    return quote(payload, safe="")


def row_counts(app: Flask, db: SQLAlchemy) -> dict[str, int]:
    """Every table and its row count: what a dropped or emptied table would change."""
    with app.app_context():
        return {
            table.name: int(db.session.scalar(select(func.count()).select_from(table)) or 0)
            for table in db.metadata.sorted_tables
        }


def table_names(app: Flask, db: SQLAlchemy) -> set[str]:
    with app.app_context():
        return set(inspect(db.engine).get_table_names())


def assert_nothing_changed(
    app: Flask, db: SQLAlchemy, before: dict[str, int], tables: set[str]
) -> None:
    assert table_names(app, db) == tables
    assert row_counts(app, db) == before


def assert_no_leak(body: str, *secrets: str) -> None:
    """No password hash, and none of the texts the user may not see."""
    assert "scrypt:" not in body
    for secret in secrets:
        assert secret not in body
