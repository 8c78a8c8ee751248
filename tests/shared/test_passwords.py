"""The one password rule, for forms, the API and the CLI alike: NFKC, at
least 8 characters that are not all spaces, not a common password."""

from __future__ import annotations

import unicodedata
from typing import Any

import pytest
from flask import Flask

from shared.auth.passwords import hash_password, password_problem, verify_password
from shared.auth.services import WeakPassword, authenticate, create_user


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "at least 8 characters"),
        (" " * 8, "not only spaces"),
        ("\t \u3000\u00a0    ", "not only spaces"),
        ("\u200b" * 8, "not only spaces or invisible"),  # zero-width spaces
        ("password", "commonest passwords"),
        ("PassWord1", "commonest passwords"),
        ("12345678", "commonest passwords"),
        ("ｐａｓｓｗｏｒｄ", "commonest passwords"),  # noqa: RUF001 -- fullwidth: NFKC makes it "password"
        ("x" * 129, "at most 128"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password: str, problem: str) -> None:
    reason = password_problem(password)
    assert reason is not None
    assert problem in reason


@pytest.mark.parametrize("password", ["correct horse battery", "        x", "Ünïcödé-pass"])
def test_reasonable_passwords_pass(password: str) -> None:
    assert password_problem(password) is None


def test_passwords_are_hashed_with_scrypt_at_its_full_cost() -> None:
    # The fixture users' hash (tests/auth_client.py) is cheaper; this one is
    # what the app stores: scrypt with N = 2**15, r = 8, p = 1 and a salt.
    method, salt, digest = hash_password("correct horse battery").split("$")
    assert method == "scrypt:32768:8:1"
    assert len(salt) == 16
    assert len(digest) == 128  # 64 bytes, hex


def test_a_password_matches_in_any_unicode_normal_form() -> None:
    composed = unicodedata.normalize("NFC", "crème brûlée 42")
    decomposed = unicodedata.normalize("NFD", composed)
    assert composed != decomposed
    stored = hash_password(decomposed)
    assert verify_password(stored, composed)
    assert not verify_password(stored, "creme brulee 42")


def test_create_user_applies_the_rule_and_login_normalises(app: Flask) -> None:
    with app.app_context():
        with pytest.raises(WeakPassword):
            create_user(email="a@example.com", password=" " * 12)
        create_user(email="b@example.com", password=unicodedata.normalize("NFD", "é" * 8))
        user: Any = authenticate("b@example.com", unicodedata.normalize("NFC", "é" * 8))
        assert user is not None
