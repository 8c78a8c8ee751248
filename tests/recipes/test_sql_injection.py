"""SQL injection: classic payloads in the recipe site's search, tag filter,
page number and ids. Each is plain text to the database (bound parameters):
it matches nothing and every table keeps its rows."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from recipes.extensions import db
from tests.injection import (
    PAYLOADS,
    assert_no_leak,
    assert_nothing_changed,
    in_path,
    row_counts,
    table_names,
)
from tests.recipes.factories import make_recipe, make_user


@pytest.fixture
def seeded_row_counts(app: Flask) -> dict[str, int]:
    """Saves a cook's two recipes; each table's row count after that."""
    cook = make_user(app)
    make_recipe(app, cook, "Tomato soup", tags=["soup"])
    make_recipe(app, cook, "Apple pie", tags=["sweet"])
    return row_counts(app, db)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_search_tag_page_and_id_take_a_payload_as_text(
    app: Flask, client: FlaskClient, seeded_row_counts: dict[str, int], payload: str
) -> None:
    tables = table_names(app, db)
    for parameter in ("q", "tag"):
        response = client.get("/", query_string={parameter: payload})
        assert response.status_code == 200, parameter
        html = response.get_data(as_text=True)
        assert 'data-testid="empty-state"' in html, parameter
        assert_no_leak(html, "Tomato soup", "Apple pie")
    assert client.get("/", query_string={"page": payload}).status_code == 400
    assert client.get(f"/recipes/{in_path(payload)}").status_code == 404
    assert_nothing_changed(app, db, seeded_row_counts, tables)
