"""Who may do what: every route x anonymous, owner, another user, staff.

Another user's ticket is a 404 (not a 403), so its existence is not
confirmed; the staff area is 403 for logged-in non-staff.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.auth_client import AuthActions
from tests.helpdesk.factories import make_ticket, make_user
from tests.routes import assert_the_matrix_lists_every_route

OWNER, OTHER, STAFF = "owner@example.com", "other@example.com", "staff@example.com"

# (method, url, form data, {who: expected status})
MATRIX = [
    ("GET", "/", {}, {"anonymous": 302, "owner": 302, "other": 302, "staff": 302}),
    ("GET", "/tickets/", {}, {"anonymous": 302, "owner": 200, "other": 200, "staff": 200}),
    ("GET", "/tickets/new", {}, {"anonymous": 302, "owner": 200, "other": 200, "staff": 200}),
    (
        "POST",
        "/tickets/new",
        {"title": "T", "description": "D"},
        {"anonymous": 302, "owner": 302, "other": 302, "staff": 302},
    ),
    ("GET", "/tickets/{id}", {}, {"anonymous": 302, "owner": 200, "other": 404, "staff": 404}),
    (
        "POST",
        "/tickets/{id}/replies",
        {"body": "hi"},
        {"anonymous": 302, "owner": 302, "other": 404, "staff": 404},
    ),
    ("GET", "/staff/tickets/", {}, {"anonymous": 302, "owner": 403, "other": 403, "staff": 200}),
    (
        "GET",
        "/staff/tickets/{id}",
        {},
        {"anonymous": 302, "owner": 403, "other": 403, "staff": 200},
    ),
    (
        "POST",
        "/staff/tickets/{id}/status",
        {"status": "pending"},
        {"anonymous": 302, "owner": 403, "other": 403, "staff": 302},
    ),
    (
        "POST",
        "/staff/tickets/{id}/replies",
        {"body": "hi"},
        {"anonymous": 302, "owner": 403, "other": 403, "staff": 302},
    ),
]
CASES = [
    pytest.param(method, url, data, who, expected, id=f"{who} {method} {url}")
    for method, url, data, expectations in MATRIX
    for who, expected in expectations.items()
]


@pytest.mark.parametrize(("method", "url", "data", "who", "expected"), CASES)
def test_permission_matrix(
    app: Flask,
    client: FlaskClient,
    method: str,
    url: str,
    data: dict[str, str],
    who: str,
    expected: int,
) -> None:
    owner = make_user(app, OWNER)
    make_user(app, OTHER)
    make_user(app, STAFF, is_staff=True)
    ticket = make_ticket(app, owner)
    auth = AuthActions(client)
    if who != "anonymous":
        auth.login({"owner": OWNER, "other": OTHER, "staff": STAFF}[who])
    url = url.format(id=ticket.id)

    if method == "GET":
        response = client.get(url)
    else:
        # As a browser sends it: from a page of the site (next, after a login).
        response = client.post(
            url,
            data={**data, "csrf_token": auth.csrf_token()},
            headers={"Referer": "http://localhost/"},
        )

    assert response.status_code == expected
    if expected == 302 and who == "anonymous" and url != "/":
        # A form's POST: back to the page it was sent from, after the login.
        back_to = url if method == "GET" else "/"
        assert response.headers["Location"] == f"/auth/login?next={quote(back_to, safe='')}"


def test_a_missing_ticket_is_404_for_staff_too(app: Flask, client: FlaskClient) -> None:
    make_user(app, STAFF, is_staff=True)
    AuthActions(client).login(STAFF)
    assert client.get("/staff/tickets/999").status_code == 404
    assert client.get("/tickets/999").status_code == 404


POST_ROUTES = [
    "/tickets/new",
    "/tickets/{id}/replies",
    "/staff/tickets/{id}/status",
    "/staff/tickets/{id}/replies",
    "/auth/logout",
]


@pytest.mark.parametrize("url", POST_ROUTES)
def test_every_post_needs_a_csrf_token(app: Flask, client: FlaskClient, url: str) -> None:
    staff = make_user(app, STAFF, is_staff=True)
    ticket = make_ticket(app, staff)
    AuthActions(client).login(STAFF)
    data = {"title": "T", "description": "D", "body": "hi", "status": "pending"}
    response = client.post(url.format(id=ticket.id), data=data)
    assert response.status_code == 400
    assert "The CSRF token is missing" in response.get_data(as_text=True)


@pytest.mark.parametrize("ticket_id", ["0", "99999999999999999999", "2147483648", "-1"])
def test_ids_out_of_range_are_404_not_500(app: Flask, client: FlaskClient, ticket_id: str) -> None:
    make_user(app, STAFF, is_staff=True)
    AuthActions(client).login(STAFF)
    assert client.get(f"/tickets/{ticket_id}").status_code == 404
    assert client.get(f"/staff/tickets/{ticket_id}").status_code == 404


def test_the_matrix_lists_every_route_of_the_app(app: Flask) -> None:
    assert_the_matrix_lists_every_route(app, [(row[0], row[1]) for row in MATRIX])
