"""Password reset: the same answer, and the same work, for any address; a
mailed link that expires, works once (even sent five times at once), cannot
be forged and is never stored or logged; the usual password rule, and every
session of the account ended afterwards."""

from __future__ import annotations

import logging
import re
import time
from typing import Any

import email_validator
import pytest
from celery import Celery
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from shared.auth import models as auth_models
from shared.auth.reset import (
    SALT,
    ResetLinkUsed,
    reset_password,
    reset_token,
    user_for_reset_token,
)
from shared.database import MAX_ID
from tests.app_fixtures import send_queued_mail
from tests.auth_client import PASSWORD, AuthActions, csrf_token_from
from tests.query_count import count_queries
from tests.shared.factories import make_user
from tests.shared.tiny_app import Outbox, User, db

NEW_PASSWORD = "a brand new passphrase"
LINK = re.compile(r"https?://[^/\s]+/auth/password-reset/(\S+)")


def ask_for_a_link(client: FlaskClient, email: str) -> Any:
    token = csrf_token_from(client.get("/auth/password-reset"))
    return client.post("/auth/password-reset", data={"email": email, "csrf_token": token})


def mailed_link(app: Flask) -> str:
    """The reset link in the one mail the worker's next round sends."""
    [mail] = send_queued_mail(app)
    return link_in(mail)


def link_in(mail: Any) -> str:
    match = LINK.search(mail.body)
    assert match, mail.body
    return f"/auth/password-reset/{match.group(1)}"


def set_password(client: FlaskClient, link: str, password: str, confirm: str | None = None) -> Any:
    token = csrf_token_from(client.get(link))
    data = {"password": password, "password_confirm": confirm or password, "csrf_token": token}
    return client.post(link, data=data)


def test_the_login_page_links_to_the_reset(client: FlaskClient) -> None:
    html = client.get("/auth/login").get_data(as_text=True)
    assert 'href="/auth/password-reset"' in html
    assert "Forgot your password?" in html


def test_a_link_that_works_for_one_minute_says_minute(app: Flask, client: FlaskClient) -> None:
    app.config["PASSWORD_RESET_MAX_AGE"] = 90  # seconds; the mail says whole minutes
    make_user(app, email="ann@example.com")
    ask_for_a_link(client, "ann@example.com")
    [mail] = send_queued_mail(app)
    assert "works once, for 1 minute:" in mail.body


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(
    app: Flask, client: FlaskClient
) -> None:
    make_user(app, email="ann@example.com")
    known = ask_for_a_link(client, "Ann@Example.com")
    unknown = ask_for_a_link(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"] == "/auth/login"
    [mail] = send_queued_mail(app)  # only the real account gets mail
    assert mail.recipients == ["ann@example.com"]
    assert mail.subject == "Set a new password"
    assert "works once, for 60 minutes" in mail.body
    assert link_in(mail) in mail.html
    with app.app_context():  # the stranger's request left nothing behind
        assert db.session.scalars(db.select(Outbox.recipient)).all() == ["ann@example.com"]


@pytest.mark.parametrize(
    ("mail_server", "says", "never_says"),
    [
        # Mail is sent: the user looks in their mailbox.
        ("smtp.example.com", "Check your mailbox (and the spam folder)", "terminal"),
        # No mail server (make demo): the mail is printed, and the page says where.
        ("", "the mail is printed in the terminal that runs the app", "mailbox"),
    ],
)
def test_the_answer_says_where_the_mail_went(
    app_factory: Any, mail_server: str, says: str, never_says: str
) -> None:
    client = app_factory(MAIL_SERVER=mail_server).test_client()
    make_user(client.application, email="ann@example.com")
    page = client.get(ask_for_a_link(client, "ann@example.com").headers["Location"])
    text = page.get_data(as_text=True)
    assert says in text
    assert never_says not in text
    assert "the link works once, for a limited time" in text


def test_a_reset_request_does_the_same_work_for_any_address_and_never_waits_for_the_broker(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(app, email="ann@example.com")
    make_user(app, email="off@example.com", is_active=False)
    page_token = csrf_token_from(client.get("/auth/password-reset"))

    def broker_call(*args: Any, **kwargs: Any) -> None:
        pytest.fail("a reset request talked to the broker")

    monkeypatch.setattr(Celery, "send_task", broker_call)
    work = {}
    for email in ("ann@example.com", "nobody@example.com", "off@example.com"):
        with count_queries(app, db) as statements:
            response = client.post(
                "/auth/password-reset", data={"email": email, "csrf_token": page_token}
            )
        assert response.status_code == 302
        work[email] = statements
    # The same statements in the same order: no lookup, one INSERT. Whether
    # the address has an account is found out by the worker, later.
    assert work["ann@example.com"] == work["nobody@example.com"] == work["off@example.com"]
    assert [s.split()[0] for s in work["ann@example.com"]] == ["INSERT"]


def test_a_deactivated_account_gets_no_link(app: Flask, client: FlaskClient) -> None:
    make_user(app, email="gone@example.com", is_active=False)
    assert ask_for_a_link(client, "gone@example.com").status_code == 302
    assert send_queued_mail(app) == []


def test_the_link_is_never_stored_nor_logged(
    app: Flask, client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    make_user(app, email="ann@example.com")
    ask_for_a_link(client, "ann@example.com")
    link = mailed_link(app)
    token = link.rsplit("/", 1)[1]
    with app.app_context():
        [row] = db.session.scalars(db.select(Outbox)).all()
        assert row.sent_at is not None
        assert token not in row.text_body + row.html_body + row.subject
    with caplog.at_level(logging.INFO, logger="capstones.requests"):
        assert client.get(link).status_code == 200
    logged = [record.getMessage() for record in caplog.records]
    assert any("GET /auth/password-reset/<token> 200" in line for line in logged), logged
    assert not any(token in line for line in logged)


def test_the_link_sets_a_new_password_once_and_ends_every_session(
    app: Flask, client: FlaskClient
) -> None:
    make_user(app, email="ann@example.com")
    elsewhere = app.test_client()  # Ann's other device, logged in
    AuthActions(elsewhere).login("ann@example.com", remember=True)
    assert elsewhere.get("/private").status_code == 200

    ask_for_a_link(client, "ann@example.com")
    link = mailed_link(app)
    page = client.get(link)
    assert page.status_code == 200
    assert "ann@example.com" in page.get_data(as_text=True)
    done = set_password(client, link, NEW_PASSWORD)
    assert done.status_code == 302
    assert done.headers["Location"] == "/auth/login"

    assert elsewhere.get("/private").status_code == 302  # that session is over
    auth = AuthActions(client)
    assert auth.login("ann@example.com", PASSWORD).status_code == 422
    assert auth.login("ann@example.com", NEW_PASSWORD).status_code == 302

    again = AuthActions(app.test_client())
    used = again._client.get(link)  # the same link a second time
    assert used.status_code == 302
    assert used.headers["Location"] == "/auth/password-reset"
    assert "expired or was already used" in again._client.get("/auth/password-reset").get_data(
        as_text=True
    )


@pytest.mark.parametrize(
    ("password", "confirm", "message"),
    [
        ("short", None, "at least 8 characters"),
        ("password123", None, "commonest passwords"),
        (NEW_PASSWORD, "something else", "do not match"),
    ],
)
def test_the_new_password_follows_the_password_rule(
    app: Flask, client: FlaskClient, password: str, confirm: str | None, message: str
) -> None:
    make_user(app, email="ann@example.com")
    ask_for_a_link(client, "ann@example.com")
    refused = set_password(client, mailed_link(app), password, confirm)
    assert refused.status_code == 422
    assert message in refused.get_data(as_text=True)
    assert AuthActions(client).login("ann@example.com", PASSWORD).status_code == 302


def test_a_link_used_by_two_requests_at_once_sets_the_password_once(app: Flask) -> None:
    # Five POSTs of one link at the same moment all pass the token check
    # before any of them writes. Here that interleaving is played out step by
    # step (both requests check the link, then both write), so the outcome
    # does not depend on a race: the second write finds the hash changed.
    make_user(app, email="ann@example.com")
    with app.test_request_context():
        token = _token_for(app, "ann@example.com")
    with app.app_context():
        first = user_for_reset_token(token)
        assert first is not None
        db.session.expunge(first)
    with app.app_context():
        second = user_for_reset_token(token)
        assert second is not None
        db.session.expunge(second)
    with app.app_context():
        reset_password(first, NEW_PASSWORD)
    with app.app_context(), pytest.raises(ResetLinkUsed):
        reset_password(second, "another new passphrase")
    assert AuthActions(app.test_client()).login("ann@example.com", NEW_PASSWORD).status_code == 302


def _token_for(app: Flask, email: str) -> str:
    user = db.session.scalar(db.select(User).where(User.email == email))
    assert user is not None
    return reset_token(user)


@pytest.mark.parametrize("user_id", [MAX_ID + 1, 2**70, 0, -1])
def test_a_signed_link_naming_an_impossible_user_is_refused(
    app: Flask, client: FlaskClient, user_id: int
) -> None:
    serializer = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=SALT)
    token = serializer.dumps({"user": user_id, "pw": "x"})
    response = client.get(f"/auth/password-reset/{token}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/password-reset"


def test_an_expired_link_is_refused(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(app, email="ann@example.com")
    ask_for_a_link(client, "ann@example.com")
    link = mailed_link(app)
    later = time.time() + 3601
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.get(link)
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/password-reset"


@pytest.mark.parametrize("tamper", ["change one character", "another user", "no signature"])
def test_a_forged_link_is_refused(app: Flask, client: FlaskClient, tamper: str) -> None:
    make_user(app, email="ann@example.com")
    make_user(app, email="bob@example.com")
    ask_for_a_link(client, "ann@example.com")
    token = mailed_link(app).rsplit("/", 1)[1]
    payload, timestamp, signature = token.split(".")
    forged = {
        # The signature's first character: its last one may only carry padding bits.
        "change one character": f"{payload}.{timestamp}.{'B' if signature[0] == 'A' else 'A'}"
        + signature[1:],
        "another user": f"eyJ1c2VyIjoyfQ.{timestamp}.{signature}",  # {"user":2}
        "no signature": payload,
    }[tamper]
    response = client.get(f"/auth/password-reset/{forged}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/password-reset"


def test_reset_requests_are_rate_limited_per_address_and_per_account(
    app: Flask, client: FlaskClient
) -> None:
    make_user(app, email="ann@example.com")
    statuses = [ask_for_a_link(client, "ann@example.com").status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]  # 3 per hour for one account
    assert len(send_queued_mail(app)) == 3
    others = [ask_for_a_link(client, f"x{n}@example.com").status_code for n in range(2)]
    assert others == [302, 429]  # 5 per minute from one address, whatever it asks


def test_a_reset_request_needs_a_csrf_token(app: Flask, client: FlaskClient) -> None:
    response = client.post("/auth/password-reset", data={"email": "ann@example.com"})
    assert response.status_code == 400


@pytest.mark.parametrize("page", ["/auth/password-reset", "/auth/login", "/auth/register"])
def test_a_huge_address_is_refused_before_any_e_mail_parsing(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch, page: str
) -> None:
    parsed: list[str] = []

    def validate_email(email: str, **_options: Any) -> None:
        parsed.append(email)
        raise email_validator.EmailNotValidError("not reached")

    monkeypatch.setattr(email_validator, "validate_email", validate_email)
    monkeypatch.setattr(auth_models, "validate_email", validate_email)
    token = csrf_token_from(client.get(page))
    huge = "a" * 450_000 + "@example.com"
    response = client.post(page, data={"email": huge, "password": "x" * 10, "csrf_token": token})
    assert response.status_code == 422
    assert "Field cannot be longer than 254 characters." in response.get_data(as_text=True)
    assert parsed == []  # refused on its length alone
