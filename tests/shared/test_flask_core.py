"""The Flask basics an interview asks about, as the shared package uses them:
a microframework completed by extensions, an application factory binding
them with ``init_app``, a WSGI callable, ``url_for`` and ``redirect``, Jinja2
templates on the shared layout, the request hooks, and the ORM session
(``add``, ``flush``, ``commit``). Each test fails without the code it names."""

from __future__ import annotations

from typing import Any

from flask import Flask, render_template_string, url_for
from sqlalchemy import create_engine, func, select, text
from werkzeug.test import EnvironBuilder

from tests.shared.tiny_app import Note, db


def test_the_microframework_gets_its_database_forms_and_login_from_extensions(
    app: Flask,
) -> None:
    # Flask itself: routing, templates, a session cookie, the CLI; no extension.
    assert Flask("bare").extensions == {}
    # The app binds each extension it chose: the ORM, CSRF, rate limits, mail.
    assert {"sqlalchemy", "csrf", "limiter"} <= set(app.extensions)
    assert app.login_manager is not None  # type: ignore[attr-defined]  # Flask-Login's


def test_the_application_factory_binds_one_extension_to_each_app_with_init_app(
    app_factory: Any,
) -> None:
    first, second = app_factory(), app_factory()
    assert first is not second
    # One module-level ``db``, bound by init_app to each app: an engine per app.
    with first.app_context():
        first_engine = db.engine
    with second.app_context():
        assert db.engine is not first_engine


def test_the_app_is_a_wsgi_callable(app: Flask) -> None:
    # What gunicorn does: call the app with a WSGI environ and start_response.
    environ = EnvironBuilder(path="/").get_environ()
    started: list[str] = []
    body = b"".join(app.wsgi_app(environ, lambda status, headers: started.append(status)))
    assert started == ["200 OK"]
    assert b"home page" in body


def test_url_for_builds_each_link_from_its_endpoint_and_redirect_uses_it(app: Flask) -> None:
    with app.test_request_context():
        assert url_for("index") == "/"
        login = url_for("auth.login")
        assert login == "/auth/login"
    refused = app.test_client().get("/private")  # @login_required redirects to it
    assert refused.status_code == 302
    assert refused.headers["Location"] == f"{login}?next=%2Fprivate"


def test_a_jinja_template_extends_the_shared_layout_escapes_values_and_has_filters(
    app: Flask,
) -> None:
    page = (
        '{% extends "base.html" %}{% block content %}'
        "<p>{{ text }}</p>{{ size | megabytes }}{% endblock %}"
    )
    with app.test_request_context():
        html = render_template_string(page, text="<script>x</script>", size=2_000_000)
    assert "<p>&lt;script&gt;x&lt;/script&gt;</p>" in html  # autoescaped
    assert "<title>" in html  # the layout it extends
    assert "Tiny" in html
    assert "</p>2 MB" in html  # the project's megabytes filter ran


def test_the_shared_before_request_and_after_request_hooks_run_on_every_request(
    app: Flask,
) -> None:
    def names(hooks: list[Any]) -> list[str]:
        return [getattr(hook, "__name__", "") for hook in hooks]

    # init_request_logging's pair: a timer before, one log line after.
    assert "start_timer" in names(app.before_request_funcs[None])
    assert "log_request" in names(app.after_request_funcs[None])
    response = app.test_client().get("/")
    # after_request hooks add the request id and the security headers.
    assert response.headers["X-Request-Id"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_db_session_add_stages_flush_sends_and_only_commit_stores_for_others(
    app: Flask,
) -> None:
    """The guide's "Alice was added but is not in the database"."""
    with app.app_context():
        other = create_engine(db.engine.url)  # another connection, as another worker

        def count_seen_by_others() -> int:
            with other.connect() as connection:
                return connection.execute(select(func.count()).select_from(Note)).scalar_one()

        note = Note(text="added")
        db.session.add(note)  # staged in the session: no SQL yet
        assert note.id is None
        db.session.flush()  # INSERT sent inside the open transaction
        assert note.id is not None
        db.session.commit()  # only now can another connection see the row
        assert count_seen_by_others() == 1
        db.session.add(Note(text="never committed"))
        db.session.flush()
        db.session.rollback()
        assert count_seen_by_others() == 1
        assert db.session.execute(text("SELECT count(*) FROM notes")).scalar_one() == 1
        other.dispose()
