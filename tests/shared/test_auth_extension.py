"""The ``Auth`` and ``MailOutbox`` extensions keep each app's state in the app:
one ``Auth`` bound to two apps, each with its own ``db`` and ``User``, leaves
each app with its own account rules and its own Flask-Login user loader; one
outbox bound to both queues and sends each app's mail from its own table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask
from flask.typing import ResponseReturnValue
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from flask_sqlalchemy import SQLAlchemy
from jinja2 import DictLoader
from sqlalchemy.orm import DeclarativeBase

from shared.auth import Auth, UserAccountMixin, create_user
from shared.config import configure
from shared.database import init_database, make_registry
from shared.mail import MailOutbox, OutboxMixin, queue_mail, send_due
from tests.app_fixtures import TEST_SETTINGS


def app_with_its_own_users(
    auth: Auth, database: Path, outbox: MailOutbox | None = None
) -> tuple[Flask, SQLAlchemy]:
    """An app with its own ``db`` and ``User`` table, bound to ``auth``, as each
    app binds its own."""

    class Base(DeclarativeBase):
        registry = make_registry()

    db = SQLAlchemy(model_class=Base)

    class User(UserAccountMixin, db.Model):  # type: ignore[name-defined,misc]
        __tablename__ = "users"

    class Outbox(OutboxMixin, db.Model):  # type: ignore[name-defined,misc]
        pass

    app = Flask(__name__)
    configure(
        app, "TINY", {}, {**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}"}
    )
    init_database(app, db)
    (outbox or MailOutbox()).init_app(app, db=db, model=Outbox)
    auth.init_app(app, db=db, user_model=User, limiter=Limiter(get_remote_address, app=app))

    @app.get("/me")
    @login_required
    def me() -> ResponseReturnValue:
        return str(current_user.email)

    with app.app_context():
        db.create_all()
    return app, db


def logged_in_as(app: Flask, email: str) -> Any:
    """A client whose session holds ``email``'s login, as the login page leaves it."""
    with app.app_context():
        login_id = create_user(email=email, password="long enough pw").get_id()
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = login_id
    return client


def test_one_auth_bound_to_two_apps_loads_each_apps_own_users(tmp_path: Path) -> None:
    auth = Auth()
    first, first_db = app_with_its_own_users(auth, tmp_path / "first.sqlite3")
    second, second_db = app_with_its_own_users(auth, tmp_path / "second.sqlite3")
    ann, ben = logged_in_as(first, "ann@example.com"), logged_in_as(second, "ben@example.com")
    assert first.login_manager is not second.login_manager  # type: ignore[attr-defined]
    # Binding the second app changed nothing of the first's.
    assert ann.get("/me").get_data(as_text=True) == "ann@example.com"
    assert ben.get("/me").get_data(as_text=True) == "ben@example.com"
    for app, db in ((first, first_db), (second, second_db)):
        with app.app_context():
            db.engine.dispose()


def test_one_outbox_bound_to_two_apps_queues_and_sends_each_apps_own_mail(
    tmp_path: Path,
) -> None:
    outbox = MailOutbox()
    first, first_db = app_with_its_own_users(Auth(), tmp_path / "first.sqlite3", outbox)
    second, second_db = app_with_its_own_users(Auth(), tmp_path / "second.sqlite3", outbox)
    apps = {"first": (first, first_db), "second": (second, second_db)}
    for name, (app, db) in apps.items():
        app.jinja_env.loader = DictLoader({"mail/t.txt": "Hello", "mail/t.html": "<p>Hello</p>"})
        with app.test_request_context():
            queue_mail(to=f"{name}@example.com", subject="Hello", template="t")
            db.session.commit()

    def waiting(name: str) -> list[str]:
        app, db = apps[name]
        with app.app_context():
            model = app.extensions["outbox"]["model"]
            return list(
                db.session.scalars(db.select(model.recipient).where(model.sent_at.is_(None)))
            )

    assert waiting("first") == ["first@example.com"]  # each app's row in its own table
    assert waiting("second") == ["second@example.com"]
    with first.app_context():
        assert send_due() == 1
    assert waiting("first") == []
    assert waiting("second") == ["second@example.com"]  # the first app sent only its own
    for app, db in apps.values():
        with app.app_context():
            db.engine.dispose()
