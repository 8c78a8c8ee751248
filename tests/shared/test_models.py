"""The user mixin: stored e-mail spelling, password hashing, the database's
own guarantees."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy.exc import IntegrityError

from shared.auth import EmailTaken, create_user
from shared.auth.services import authenticate
from tests.auth_client import PASSWORD
from tests.shared.factories import make_user
from tests.shared.tiny_app import User, db


def test_the_database_refuses_a_mixed_case_email(app: Flask) -> None:
    with app.app_context():
        db.session.add(User(email="Ann@Example.com", password_hash="x", session_token="t"))
        with pytest.raises(IntegrityError):
            db.session.commit()


def test_the_database_refuses_a_duplicate_email(app: Flask) -> None:
    make_user(app, email="ann@example.com")
    with app.app_context():
        db.session.add(User(email="ann@example.com", password_hash="x", session_token="t2"))
        with pytest.raises(IntegrityError):
            db.session.commit()


def test_create_user_normalises_and_refuses_duplicates(app: Flask) -> None:
    with app.app_context():
        user = create_user(email=" Zoe@Example.ORG ", password="a good password")
        assert user.email == "zoe@example.org"
        assert user.is_active
        assert not user.is_staff
        assert user.created_at is not None
        with pytest.raises(EmailTaken):
            create_user(email="zoe@example.org", password="another password")


def test_authenticate_returns_the_user_only_for_the_right_password(app: Flask) -> None:
    make_user(app)
    with app.app_context():
        assert authenticate("ann@example.com", PASSWORD) is not None
        assert authenticate("ann@example.com", "wrong") is None
        assert authenticate("nobody@example.com", PASSWORD) is None


def test_user_repr_names_the_email(app: Flask) -> None:
    user = make_user(app)
    assert repr(user) == f"<User {user.id} ann@example.com>"


def test_get_or_create_user_keeps_an_existing_account(app: Flask) -> None:
    from shared.auth.services import get_or_create_user

    existing = make_user(app, email="ann@example.com")
    with app.app_context():
        again = get_or_create_user(email="ANN@example.com", password="another password")
        assert again.id == existing.id
        assert again.check_password(PASSWORD)  # the password was not reset
        created = get_or_create_user(email="new@example.com", password="a good password")
        assert created.id != existing.id
        assert created.check_password("a good password")
