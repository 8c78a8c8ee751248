"""Hostile input to the recipe site is a clear 4xx, never a 500, on SQLite
and PostgreSQL alike (make test-postgres runs this module there too)."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.auth_client import AuthActions
from tests.recipes.factories import image_bytes, make_user, post_recipe, recipe_count


@pytest.mark.parametrize("query", [{"q": "soup\x00"}, {"page": "²"}, {"page": "①"}])
def test_odd_query_strings_on_the_home_page_are_400(
    client: FlaskClient, query: dict[str, str]
) -> None:
    assert client.get("/", query_string=query).status_code == 400


def test_a_nul_in_a_recipe_field_is_a_field_error(
    app: Flask, client: FlaskClient, auth: AuthActions
) -> None:
    make_user(app)
    auth.login("cook@example.com")
    response = post_recipe(client, data=image_bytes(), title="Tomato\x00soup")
    assert response.status_code == 422
    assert "Remove the NUL character" in response.get_data(as_text=True)
    assert recipe_count(app) == 0


@pytest.mark.parametrize(
    "body",
    [{"title": 1, "ingredients": ["a"], "instructions": {"b": 2}}, {"title": "Soup"}],
    ids=["wrong-types", "strings"],
)
def test_a_json_body_on_the_recipe_form_is_415(
    app: Flask, client: FlaskClient, auth: AuthActions, body: dict[str, object]
) -> None:
    make_user(app)
    auth.login("cook@example.com")
    response = client.post("/recipes/new", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 415
    assert recipe_count(app) == 0
