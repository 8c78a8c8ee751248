"""Hostile input to the help desk is a clear 4xx, never a 500, on SQLite
and PostgreSQL alike (make test-postgres runs this module there too)."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient

from helpdesk.extensions import db
from helpdesk.models import Ticket
from tests.auth_client import AuthActions
from tests.helpdesk.factories import make_user, post_form


def ticket_count(app: Flask) -> int:
    with app.app_context():
        return int(db.session.scalar(db.select(db.func.count()).select_from(Ticket)))


@pytest.mark.parametrize("query", [{"page": "²"}, {"page": "٣"}, {"q": "printer\x00"}])
def test_odd_query_strings_on_the_lists_are_400(
    app: Flask, client: FlaskClient, auth: AuthActions, query: dict[str, str]
) -> None:
    make_user(app, "staff@example.com", is_staff=True)
    auth.login("staff@example.com")
    assert client.get("/tickets/", query_string=query).status_code == 400
    assert client.get("/staff/tickets/", query_string=query).status_code == 400


@pytest.mark.parametrize("field", ["title", "description"])
def test_a_nul_in_a_ticket_field_is_a_field_error(
    app: Flask, client: FlaskClient, auth: AuthActions, field: str
) -> None:
    make_user(app)
    auth.login()
    data = {"title": "Printer jams", "description": "Every page.", field: "Printer\x00jams"}
    response = post_form(client, "/tickets/new", data, token_page="/tickets/new")
    assert response.status_code == 422
    assert "Remove the NUL character" in response.get_data(as_text=True)
    assert ticket_count(app) == 0


@pytest.mark.parametrize(
    "body",
    [{"title": 42, "description": True}, {"title": ["x"], "description": {"y": 1}}],
    ids=["number-and-boolean", "list-and-object"],
)
def test_a_json_body_on_the_ticket_form_is_415(
    app: Flask, client: FlaskClient, auth: AuthActions, body: dict[str, object]
) -> None:
    make_user(app)
    auth.login()
    response = client.post("/tickets/new", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 415
    assert ticket_count(app) == 0
