"""What every app must do the same way, checked once for each app found: its
migrations build the schema its models describe and go down and up again,
on SQLite and PostgreSQL (a model changed without a migration fails here,
naming the change); ``create-user`` is registered; ``seed-demo`` refuses to
run in production unless forced; no page template has inline styles or scripts."""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from flask_sqlalchemy import SQLAlchemy

from tests import migration_checks
from tests.app_fixtures import app_on_fresh_tables
from tests.scripts import script

ROOT = Path(__file__).resolve().parents[2]
# Each app, and what its own suite says these checks should find
# (tests/<package>/expectations.py: its tables, the data its migrations keep).
APPS: dict[str, ModuleType] = {
    app.package: importlib.import_module(f"tests.{app.package}.expectations")
    for app in script("apps").apps(ROOT)
}


# What the CSP (default-src 'self', no 'unsafe-inline') refuses in a page: style
# attributes, <style> blocks, <script> without src, on...= handlers.
INLINE = re.compile(r"\sstyle\s*=|<style\b|<script(?![^>]*\ssrc=)|\son[a-z]+\s*=", re.IGNORECASE)


@pytest.fixture(params=list(APPS))
def each_app(request: pytest.FixtureRequest) -> tuple[Callable[..., Flask], SQLAlchemy, set[str]]:
    expected = APPS[request.param]
    return expected.create_app, expected.db, expected.TABLES


@pytest.fixture
def empty_app(each_app: Any, database_url: str) -> Iterator[tuple[Flask, SQLAlchemy, set[str]]]:
    create_app, db, tables = each_app
    with migration_checks.app_without_tables(create_app, db, database_url) as app:
        yield app, db, tables


@pytest.fixture
def app_and_db(each_app: Any, database_url: str) -> Iterator[tuple[Flask, SQLAlchemy]]:
    create_app, db, _tables = each_app
    with app_on_fresh_tables(create_app, db, database_url) as app:
        yield app, db


def test_upgrade_builds_every_table(empty_app: Any) -> None:
    _app, db, tables = empty_app
    migration_checks.assert_upgrade_builds(db, tables)


def test_models_and_migrations_agree(empty_app: Any) -> None:
    _app, db, _tables = empty_app
    migration_checks.assert_models_match_migrations(db)


def test_upgrade_downgrade_upgrade(empty_app: Any) -> None:
    _app, db, tables = empty_app
    migration_checks.assert_round_trip(db, tables)


@pytest.mark.parametrize("package", list(APPS))
def test_no_migration_gives_a_boolean_sqlites_0_or_1_as_its_default(package: str) -> None:
    """Autogenerate writes ``server_default=true()`` as ``sa.text('1')``, SQLite's
    true, which PostgreSQL refuses for a boolean (a run on SQLite alone would
    never say so): a migration writes ``sa.true()`` or ``sa.false()``."""
    sqlite_only = re.compile(
        r"sa\.Boolean\([^)]*\).*server_default=sa\.text\(['\"][01]['\"]\)", re.I
    )
    wrong = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in sorted((ROOT / package / "migrations" / "versions").glob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if sqlite_only.search(line)
    ]
    assert wrong == [], "write server_default=sa.true() or sa.false() there"


def test_create_user_is_registered(app_and_db: Any) -> None:
    app, db = app_and_db
    result = app.test_cli_runner().invoke(
        args=["create-user", "boss@example.com", "--staff", "--password", "x" * 12]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        rows = db.session.execute(
            db.text("SELECT is_staff FROM users WHERE email = :e"), {"e": "boss@example.com"}
        ).all()
    assert [bool(is_staff) for (is_staff,) in rows] == [True]


def test_seed_demo_refuses_in_production_without_force(app_and_db: Any) -> None:
    app, _db = app_and_db
    app.config["ENV"] = "production"
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 1
    assert "this app runs in production" in result.output
    assert "--force" in result.output


@pytest.mark.parametrize("app_name", list(APPS))
def test_a_request_a_hook_refuses_keeps_its_request_id_and_is_timed(
    app_name: str, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """The request log's and the metrics' hooks run before the others: a login
    refused before its view runs (by the guard against JSON on a page; in the
    API, by its rate limit, one attempt a day here) still carries the proxy's
    request id, in its answer and its log line, with its time, and is timed in
    /metrics."""
    expected = APPS[app_name]
    limit = {"AUTH_LOGIN_ATTEMPT_RATE_LIMIT": "1 per day"}  # read at each request
    with app_on_fresh_tables(expected.create_app, expected.db, database_url, **limit) as app:
        client = app.test_client()
        client.post(expected.LOGIN, json={})
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="capstones.requests"):
            refused = client.post(expected.LOGIN, json={}, headers={"X-Request-ID": "proxy-1"})
        scraped = client.get("/metrics").get_data(as_text=True)
    status = refused.status_code
    assert status in (415, 429)  # the guard against JSON on a page, the rate limiter
    assert refused.headers["X-Request-ID"] == "proxy-1"
    [line] = [
        record.getMessage() for record in caplog.records if record.name == "capstones.requests"
    ]
    assert re.fullmatch(rf"POST {expected.LOGIN} {status} \d+\.\dms request_id=proxy-1", line)
    timed = rf'flask_http_request_duration_seconds_count\{{[^}}]*status="{status}"[^}}]*\}} '
    assert re.search(timed, scraped), scraped


@pytest.mark.parametrize("app_name", list(APPS))
def test_accounts_made_before_display_names_get_unique_ones(
    app_name: str, database_url: str
) -> None:
    expected = APPS[app_name]
    db = expected.db
    with migration_checks.app_without_tables(expected.create_app, db, database_url):
        upgrade(revision=expected.BEFORE_DISPLAY_NAMES)
        with db.engine.begin() as connection:
            for email in ("ann@example.com", "ann@other.example", "+++@example.com"):
                connection.execute(
                    db.text(
                        "INSERT INTO users (email, password_hash, is_staff, is_active, "
                        "session_token, created_at) VALUES (:e, 'x', false, true, :e, "
                        "CURRENT_TIMESTAMP)"
                    ),
                    {"e": email},
                )
            connection.execute(db.text(expected.POINTING_AT_A_USER))
        upgrade()
        with db.engine.connect() as connection:
            names = connection.execute(
                db.text("SELECT email, display_name FROM users ORDER BY id")
            ).all()
            table = expected.POINTING_AT_A_USER.split()[2]
            assert connection.execute(db.text(f"SELECT count(*) FROM {table}")).scalar() == 1  # noqa: S608
    assert [tuple(row) for row in names] == [
        ("ann@example.com", "ann"),
        ("ann@other.example", "ann 2"),
        ("+++@example.com", "member"),
    ]


@pytest.mark.parametrize("package", ["shared", *APPS])
def test_page_templates_have_no_inline_styles_or_scripts(package: str) -> None:
    # Mail is not a page: no CSP applies, and mail clients need inline styles.
    templates = ROOT / package / "templates"
    pages = [path for path in templates.rglob("*.html") if "mail" not in path.parts]
    assert pages
    inline = {
        str(path.relative_to(ROOT)): found.group()
        for path in pages
        if (found := INLINE.search(path.read_text()))
    }
    assert inline == {}
