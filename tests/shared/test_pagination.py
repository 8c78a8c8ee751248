"""``?page=``: bad values are 400, pages past the end are 404, an empty list
is an empty first page."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.shared.tiny_app import Note, db


def add_notes(app: Flask, count: int) -> None:
    with app.app_context():
        db.session.add_all(Note(text=f"note {n}") for n in range(count))
        db.session.commit()


def test_an_empty_list_is_an_empty_first_page(client: FlaskClient) -> None:
    response = client.get("/notes/list")
    assert response.status_code == 200
    assert response.get_json() == {"texts": [], "pages": 0}


def test_pages_split_the_list(app: Flask, client: FlaskClient) -> None:
    add_notes(app, 3)
    assert client.get("/notes/list").get_json() == {"texts": ["note 0", "note 1"], "pages": 2}
    assert client.get("/notes/list?page=2").get_json() == {"texts": ["note 2"], "pages": 2}


@pytest.mark.parametrize("page", ["abc", "-1", "0", "1.5", "", " ", "0" * 5000])
def test_a_page_that_is_not_a_positive_whole_number_is_400(client: FlaskClient, page: str) -> None:
    response = client.get("/notes/list", query_string={"page": page})
    assert response.status_code == 400
    assert "must be a whole number of 1 or more" in response.get_data(as_text=True)


@pytest.mark.parametrize("page", ["3", "100001", "99999999999999999999999", "9" * 5000])
def test_a_page_past_the_end_is_404(app: Flask, client: FlaskClient, page: str) -> None:
    add_notes(app, 3)
    response = client.get("/notes/list", query_string={"page": page})
    assert response.status_code == 404
    assert "There is no page" in response.get_data(as_text=True)


def test_leading_zeros_are_the_same_page(app: Flask, client: FlaskClient) -> None:
    add_notes(app, 3)
    for page in ("02", "0" * 30 + "2"):
        assert client.get(f"/notes/list?page={page}").get_json() == {
            "texts": ["note 2"],
            "pages": 2,
        }
