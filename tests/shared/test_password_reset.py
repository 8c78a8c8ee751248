"""Password reset: the same answer for any address, a mailed link that
expires, works once and cannot be forged, the usual password rule, and every
session of the account ended afterwards."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.auth_client import PASSWORD, AuthActions, csrf_token_from
from tests.shared.factories import make_user

NEW_PASSWORD = "a brand new passphrase"
LINK = re.compile(r"http://localhost/auth/password-reset/(\S+)")


def ask_for_a_link(client: FlaskClient, email: str) -> Any:
    token = csrf_token_from(client.get("/auth/password-reset"))
    return client.post("/auth/password-reset", data={"email": email, "csrf_token": token})


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


def test_the_answer_is_the_same_whether_or_not_the_address_has_an_account(
    app: Flask, client: FlaskClient, sent: list[Any]
) -> None:
    make_user(app, email="ann@example.com")
    known = ask_for_a_link(client, "Ann@Example.com")
    unknown = ask_for_a_link(client, "nobody@example.com")
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"] == "/auth/login"
    [mail] = sent  # only the real account gets mail
    assert mail.recipients == ["ann@example.com"]
    assert mail.subject == "Set a new password"
    assert "works once, for 60 minutes" in mail.body
    assert link_in(mail) in mail.html


def test_a_deactivated_account_gets_no_link(
    app: Flask, client: FlaskClient, sent: list[Any]
) -> None:
    make_user(app, email="gone@example.com", is_active=False)
    assert ask_for_a_link(client, "gone@example.com").status_code == 302
    assert sent == []


def test_the_link_sets_a_new_password_once_and_ends_every_session(
    app: Flask, client: FlaskClient, sent: list[Any]
) -> None:
    make_user(app, email="ann@example.com")
    elsewhere = app.test_client()  # Ann's other device, logged in
    AuthActions(elsewhere).login("ann@example.com", remember=True)
    assert elsewhere.get("/private").status_code == 200

    ask_for_a_link(client, "ann@example.com")
    link = link_in(sent[0])
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
    app: Flask,
    client: FlaskClient,
    sent: list[Any],
    password: str,
    confirm: str | None,
    message: str,
) -> None:
    make_user(app, email="ann@example.com")
    ask_for_a_link(client, "ann@example.com")
    refused = set_password(client, link_in(sent[0]), password, confirm)
    assert refused.status_code == 422
    assert message in refused.get_data(as_text=True)
    assert AuthActions(client).login("ann@example.com", PASSWORD).status_code == 302


def test_an_expired_link_is_refused(
    app: Flask, client: FlaskClient, sent: list[Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    make_user(app, email="ann@example.com")
    ask_for_a_link(client, "ann@example.com")
    link = link_in(sent[0])
    later = time.time() + 3601
    monkeypatch.setattr(time, "time", lambda: later)
    response = client.get(link)
    assert response.status_code == 302
    assert response.headers["Location"] == "/auth/password-reset"


@pytest.mark.parametrize("tamper", ["change one character", "another user", "no signature"])
def test_a_forged_link_is_refused(
    app: Flask, client: FlaskClient, sent: list[Any], tamper: str
) -> None:
    make_user(app, email="ann@example.com")
    make_user(app, email="bob@example.com")
    ask_for_a_link(client, "ann@example.com")
    token = link_in(sent[0]).rsplit("/", 1)[1]
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
    app: Flask, client: FlaskClient, sent: list[Any]
) -> None:
    make_user(app, email="ann@example.com")
    statuses = [ask_for_a_link(client, "ann@example.com").status_code for _ in range(4)]
    assert statuses == [302, 302, 302, 429]  # 3 per hour for one account
    assert len(sent) == 3
    others = [ask_for_a_link(client, f"x{n}@example.com").status_code for n in range(2)]
    assert others == [302, 429]  # 5 per minute from one address, whatever it asks


def test_a_reset_request_needs_a_csrf_token(app: Flask, client: FlaskClient) -> None:
    response = client.post("/auth/password-reset", data={"email": "ann@example.com"})
    assert response.status_code == 400
