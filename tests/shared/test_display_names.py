"""Display names: what other people see of an account instead of its
address. Chosen at sign-up or made from the address, unique in any case,
one line, one alphabet, changed on the account page."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.auth_client import AuthActions, csrf_token_from
from tests.shared.factories import make_user
from tests.shared.tiny_app import User, db


def register(client: FlaskClient, email: str, display_name: str = "") -> object:
    token = csrf_token_from(client.get("/auth/register"))
    data = {
        "email": email,
        "display_name": display_name,
        "password": "long enough pw",
        "password_confirm": "long enough pw",
        "csrf_token": token,
    }
    return client.post("/auth/register", data=data)


def display_names(app: Flask) -> dict[str, str]:
    with app.app_context():
        rows = db.session.execute(db.select(User.email, User.display_name))
        return dict(rows.all())  # type: ignore[arg-type]


def test_a_name_chosen_at_sign_up_is_shown_instead_of_the_address(
    app: Flask, client: FlaskClient
) -> None:
    assert register(client, "new@example.com", "  Ann   Lee ").status_code == 302  # type: ignore[attr-defined]
    assert display_names(app) == {"new@example.com": "Ann Lee"}
    html = client.get("/").get_data(as_text=True)
    assert ">Ann Lee</a>" in html
    assert 'href="/auth/account"' in html


def test_without_a_name_one_is_made_from_the_address_and_made_unique(
    app: Flask, client: FlaskClient
) -> None:
    make_user(app, email="ann@other.example", display_name="ann")
    assert register(client, "ann+news@example.com").status_code == 302  # type: ignore[attr-defined]
    name = display_names(app)["ann+news@example.com"]
    assert name.startswith("ann ")
    assert name[4:].isdigit()


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("ANN", "Another account shows this name."),
        ("ann@example.com", "Use letters, digits, spaces and . &#39; - _ only."),
        ("<b>Ann</b>", "Use letters, digits, spaces and . &#39; - _ only."),
        ("Ann\x0bX-Header: 1", "Keep this to one line"),
        ("\u0410nn", "Use one alphabet"),  # a Cyrillic A: passes for "Ann"
        ("x" * 41, "Field cannot be longer than 40 characters."),
    ],
    ids=[
        "taken in another case",
        "an address",
        "markup",
        "control character",
        "look-alike",
        "long",
    ],
)
def test_a_name_that_could_mislead_is_refused(
    app: Flask, client: FlaskClient, name: str, message: str
) -> None:
    make_user(app, email="ann@example.com", display_name="Ann")
    response = register(client, "new@example.com", name)
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert message in response.get_data(as_text=True)  # type: ignore[attr-defined]
    assert "new@example.com" not in display_names(app)


def test_the_account_page_shows_the_address_to_its_owner_and_changes_the_name(
    app: Flask, client: FlaskClient
) -> None:
    make_user(app, email="ann@example.com", display_name="ann")
    make_user(app, email="ben@example.com", display_name="Ben")
    assert client.get("/auth/account").status_code == 302  # log in first
    AuthActions(client).login("ann@example.com")
    page = client.get("/auth/account")
    assert "You log in as <strong>ann@example.com</strong>" in page.get_data(as_text=True)
    token = csrf_token_from(page)

    taken = client.post("/auth/account", data={"display_name": "ben", "csrf_token": token})
    assert taken.status_code == 422
    assert "Another account shows this name." in taken.get_data(as_text=True)

    same_in_capitals = client.post(
        "/auth/account", data={"display_name": "Ann", "csrf_token": token}
    )
    assert same_in_capitals.status_code == 302
    assert display_names(app)["ann@example.com"] == "Ann"


def test_the_account_page_needs_a_csrf_token(app: Flask, client: FlaskClient) -> None:
    make_user(app, email="ann@example.com")
    AuthActions(client).login("ann@example.com")
    assert client.post("/auth/account", data={"display_name": "Zed"}).status_code == 400


@pytest.mark.parametrize(
    ("first", "second"), [("Émile", "émile"), ("Straße", "STRASSE"), ("kate", "Kate")]
)
def test_names_that_differ_only_in_case_are_one_name_on_every_database(
    app: Flask, client: FlaskClient, first: str, second: str
) -> None:
    make_user(app, email="one@example.com", display_name=first)
    response = register(client, "two@example.com", second)
    assert response.status_code == 422  # type: ignore[attr-defined]
    assert "Another account shows this name." in response.get_data(as_text=True)  # type: ignore[attr-defined]


def test_changing_a_name_is_checked_like_a_new_one(app: Flask, client: FlaskClient) -> None:
    make_user(app, email="kate@example.com", display_name="kate")
    AuthActions(client).login("kate@example.com")
    token = csrf_token_from(client.get("/auth/account"))
    # The Kelvin sign is "K" after NFKC: "kate" once more, in disguise.
    sneaky = client.post("/auth/account", data={"display_name": "\u212aate", "csrf_token": token})
    assert sneaky.status_code == 422
    assert display_names(app)["kate@example.com"] == "kate"
