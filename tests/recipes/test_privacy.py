"""No page shows a visitor or a signed-in cook anyone's e-mail address but
their own: authors appear by display name, on cards and recipe pages alike."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.auth_client import AuthActions
from tests.every_page import addresses_on_every_page, assert_no_page_shows_another_address
from tests.recipes.factories import make_recipe, make_user


def test_no_page_shows_a_visitor_or_a_cook_anyone_elses_address(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    ann = make_user(app, "ann@example.com", display_name="Ann")
    bob = make_user(app, "bob@example.com", display_name="Bob the Baker")
    theirs = make_recipe(app, bob, title="Sourdough", tags=("bread",))
    values: dict[str, list[object]] = {"recipe_id": [theirs.id], "token": ["not-a-token"]}
    lists = ("/?tag=bread", "/?page=1")

    shown = addresses_on_every_page(app, client, values, extra_urls=lists)
    assert_no_page_shows_another_address(shown, viewer=None)

    auth.login("ann@example.com")
    mine = make_recipe(app, ann, title="Rye", tags=("bread",))  # her edit and delete pages too
    values["recipe_id"].append(mine.id)
    shown = addresses_on_every_page(app, client, values, extra_urls=lists)
    assert_no_page_shows_another_address(shown, viewer="ann@example.com")
    # The walk did see Bob's recipes, with Bob by name.
    assert "Bob the Baker" in client.get(f"/recipes/{theirs.id}").get_data(as_text=True)
    assert "Bob the Baker" in client.get("/?tag=bread").get_data(as_text=True)
