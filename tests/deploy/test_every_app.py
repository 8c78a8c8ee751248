"""What every app must do the same way, checked once for all three: its
migrations build the schema its models describe and go down and up again,
on SQLite and PostgreSQL (a model changed without a migration fails here,
naming the change); ``create-user`` is registered; ``seed-demo`` refuses to
run in production unless forced; no page template has inline styles or scripts."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade
from flask_sqlalchemy import SQLAlchemy

import helpdesk
import helpdesk.extensions
import recipes
import recipes.extensions
import shop_api
import shop_api.extensions
from tests import migration_checks
from tests.app_fixtures import app_on_fresh_tables

ROOT = Path(__file__).resolve().parents[2]
APPS: dict[str, tuple[Callable[..., Flask], SQLAlchemy, set[str]]] = {
    "helpdesk": (
        helpdesk.create_app,
        helpdesk.extensions.db,
        {"users", "tickets", "replies", "status_changes", "outbox"},
    ),
    "shop_api": (
        shop_api.create_app,
        shop_api.extensions.db,
        {"users", "products", "orders", "order_lines", "api_tokens", "idempotency_keys"},
    ),
    "recipes": (
        recipes.create_app,
        recipes.extensions.db,
        {"users", "recipes", "tags", "recipe_tags", "outbox"},
    ),
}


# What the CSP (default-src 'self', no 'unsafe-inline') refuses in a page: style
# attributes, <style> blocks, <script> without src, on...= handlers.
INLINE = re.compile(r"\sstyle\s*=|<style\b|<script(?![^>]*\ssrc=)|\son[a-z]+\s*=", re.IGNORECASE)


@pytest.fixture(params=list(APPS))
def each_app(request: pytest.FixtureRequest) -> tuple[Callable[..., Flask], SQLAlchemy, set[str]]:
    return APPS[request.param]


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


# The revision each app had before display names: users made then get one.
BEFORE_DISPLAY_NAMES = {
    "helpdesk": "d18b03b33f4e",
    "shop_api": "c1fea9e01a64",
    "recipes": "9d8e9f28aede",
}
# A row pointing at the first user: SQLite copies the users table to change
# it, which must not break (or drop) what points at it.
POINTING_AT_A_USER = {
    "helpdesk": "INSERT INTO tickets (title, description, status, created_by_id, created_at, "
    "updated_at) VALUES ('t', 'd', 'open', 1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
    "shop_api": "INSERT INTO api_tokens (user_id, token_hash, created_at, expires_at) "
    "VALUES (1, 'h', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
    "recipes": "INSERT INTO recipes (title, ingredients, instructions, author_id, image_key, "
    "thumbnail_key, image_content_type, original_filename, created_at, updated_at) "
    "VALUES ('t', 'i', 'i', 1, 'k', 'tk', 'image/jpeg', '', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)",
}


@pytest.mark.parametrize("app_name", list(APPS))
def test_accounts_made_before_display_names_get_unique_ones(
    app_name: str, database_url: str
) -> None:
    create_app, db, _tables = APPS[app_name]
    with migration_checks.app_without_tables(create_app, db, database_url):
        upgrade(revision=BEFORE_DISPLAY_NAMES[app_name])
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
            connection.execute(db.text(POINTING_AT_A_USER[app_name]))
        upgrade()
        with db.engine.connect() as connection:
            names = connection.execute(
                db.text("SELECT email, display_name FROM users ORDER BY id")
            ).all()
            table = POINTING_AT_A_USER[app_name].split()[2]
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
