"""Who may do what to a recipe: anyone reads; the author edits; the author
or staff delete. Anonymous users are sent to the login page."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.auth_client import AuthActions
from tests.recipes.factories import image_bytes, make_recipe, make_user
from tests.routes import assert_the_matrix_lists_every_route

AUTHOR, OTHER, STAFF = "author@example.com", "other@example.com", "staff@example.com"

MATRIX = [
    ("GET", "/", {"anonymous": 200, "author": 200, "other": 200, "staff": 200}),
    ("GET", "/recipes/{id}", {"anonymous": 200, "author": 200, "other": 200, "staff": 200}),
    ("GET", "/recipes/new", {"anonymous": 302, "author": 200, "other": 200, "staff": 200}),
    ("POST", "/recipes/new", {"anonymous": 302, "author": 302, "other": 302, "staff": 302}),
    ("GET", "/recipes/{id}/edit", {"anonymous": 302, "author": 200, "other": 403, "staff": 403}),
    ("POST", "/recipes/{id}/edit", {"anonymous": 302, "author": 302, "other": 403, "staff": 403}),
    ("GET", "/recipes/{id}/delete", {"anonymous": 302, "author": 200, "other": 403, "staff": 200}),
    ("POST", "/recipes/{id}/delete", {"anonymous": 302, "author": 302, "other": 403, "staff": 302}),
]
CASES = [
    pytest.param(method, url, who, status, id=f"{who} {method} {url}")
    for method, url, expected in MATRIX
    for who, status in expected.items()
]


@pytest.mark.parametrize(("method", "url", "who", "status"), CASES)
def test_permission_matrix(
    app: Flask, client: FlaskClient, method: str, url: str, who: str, status: int
) -> None:
    author = make_user(app, AUTHOR)
    make_user(app, OTHER)
    make_user(app, STAFF, is_staff=True)
    recipe = make_recipe(app, author)
    auth = AuthActions(client)
    if who != "anonymous":
        auth.login({"author": AUTHOR, "other": OTHER, "staff": STAFF}[who])
    url = url.format(id=recipe.id)

    if method == "GET":
        response = client.get(url)
    else:
        data = {
            "title": "Changed",
            "ingredients": "salt",
            "instructions": "stir",
            "csrf_token": auth.csrf_token(),
            "image": (io.BytesIO(image_bytes()), "new.jpg"),
        }
        # As a browser sends it: from a page of the site (next, after a login).
        headers = {"Referer": "http://localhost/"}
        response = client.post(url, data=data, content_type="multipart/form-data", headers=headers)
    assert response.status_code == status
    if status == 302 and who == "anonymous":
        # A form's POST: back to the page it was sent from, after the login.
        back_to = url if method == "GET" else "/"
        assert response.headers["Location"] == f"/auth/login?next={quote(back_to, safe='')}"


def test_only_the_author_and_staff_see_the_buttons(app: Flask, client: FlaskClient) -> None:
    recipe = make_recipe(app, make_user(app, AUTHOR))
    make_user(app, OTHER)
    make_user(app, STAFF, is_staff=True)

    def buttons(email: str | None) -> tuple[bool, bool]:
        visitor = app.test_client()
        if email:
            AuthActions(visitor).login(email)
        html = visitor.get(f"/recipes/{recipe.id}").get_data(as_text=True)
        return (f"/recipes/{recipe.id}/edit" in html, f"/recipes/{recipe.id}/delete" in html)

    assert buttons(None) == (False, False)
    assert buttons(OTHER) == (False, False)
    assert buttons(AUTHOR) == (True, True)
    assert buttons(STAFF) == (False, True)


def test_the_matrix_lists_every_route_of_the_app(app: Flask) -> None:
    assert_the_matrix_lists_every_route(app, [(row[0], row[1]) for row in MATRIX])
