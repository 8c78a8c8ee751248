"""What every app suite's conftest needs: an app on fresh tables, and users
made directly in the database (with the password hashed once, not per test)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TypeVar

from flask import Flask
from flask_mail import Message
from flask_sqlalchemy import SQLAlchemy
from jinja2 import Environment
from jinja2.bccache import Bucket, BytecodeCache

from shared.auth import UserAccountMixin
from shared.mail import send_due
from tests.auth_client import PASSWORD_HASH

UserT = TypeVar("UserT", bound=UserAccountMixin)
TEST_SETTINGS = {"TESTING": True, "MAIL_SERVER": "localhost", "EXTERNAL_URL": "http://localhost"}


class CompiledTemplates(BytecodeCache):
    """Jinja's bytecode cache, kept in this test process's memory (Jinja's
    documented way: subclass ``BytecodeCache``). Each test builds a new app, so
    a new Jinja environment, which would compile every template it renders
    again: that was most of an HTML test's time. Jinja checks the bytecode
    against a hash of the template's source, so an edited template is
    compiled anew; and the key holds the environment's extensions, as code
    compiled with one app's (Bootstrap-Flask adds ``do``) is not another's."""

    def __init__(self) -> None:
        self.bytecode: dict[str, bytes] = {}

    def get_bucket(
        self, environment: Environment, name: str, filename: str | None, source: str
    ) -> Bucket:
        extensions = ",".join(sorted(environment.extensions))
        return super().get_bucket(environment, f"{name}|{extensions}", filename, source)

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.bytecode:
            bucket.bytecode_from_string(self.bytecode[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.bytecode[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = CompiledTemplates()


@contextmanager
def app_on_fresh_tables(
    create_app: Callable[[Mapping[str, Any]], Flask],
    db: SQLAlchemy,
    database_url: str,
    **config: Any,
) -> Iterator[Flask]:
    """An app in test mode whose tables are created before and dropped after.
    Mail is recorded, not sent (Flask-Mail suppresses sending while TESTING):
    see ``send_queued_mail``."""
    app = create_app({**TEST_SETTINGS, "SQLALCHEMY_DATABASE_URI": database_url, **config})
    app.jinja_env.bytecode_cache = COMPILED_TEMPLATES
    # A SQLite file is new for each test (tmp_path); a PostgreSQL database is
    # shared by all, so it is emptied before and after.
    shared_database = not database_url.startswith("sqlite")
    with app.app_context():
        if shared_database:
            db.drop_all()
        db.create_all()
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            if shared_database:
                db.drop_all()
            db.engine.dispose()


def save_user(
    app: Flask, db: SQLAlchemy, user_model: type[UserT], email: str, **overrides: Any
) -> UserT:
    """A saved, detached user whose password is tests.auth_client.PASSWORD,
    shown as the address's local part unless ``display_name`` says otherwise."""
    overrides.setdefault("display_name", email.split("@")[0])
    with app.app_context():
        user = user_model(email=email, password_hash=PASSWORD_HASH, **overrides)
        user.rotate_session_token()
        db.session.add(user)
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
    return user


def send_queued_mail(app: Flask) -> list[Message]:
    """What the worker's next round sends (shared/mail.py): every mail that
    is due, recorded by Flask-Mail instead of sent (TESTING)."""
    with app.app_context(), app.extensions["mail"].record_messages() as sent:
        send_due()
    return list(sent)
