"""Factories for the help desk's tests: users, tickets and replies saved
straight into the database, and a form post with its CSRF token."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from helpdesk.extensions import db
from helpdesk.models import Reply, StatusChange, Ticket, User
from tests.app_fixtures import save_user
from tests.auth_client import AuthActions


def make_user(app: Flask, email: str = "ann@example.com", **overrides: Any) -> User:
    return save_user(app, db, User, email, **overrides)


def make_ticket(app: Flask, owner: User, **overrides: Any) -> Ticket:
    fields = {"title": "Printer jams", "description": "Every second page.", **overrides}
    with app.app_context():
        ticket = Ticket(created_by_id=owner.id, **fields)
        db.session.add(ticket)
        db.session.commit()
        db.session.refresh(ticket)
        db.session.expunge(ticket)
    return ticket


def make_reply(
    app: Flask, ticket: Ticket, author: User, body: str, *, internal: bool = False
) -> None:
    with app.app_context():
        db.session.add(
            Reply(ticket_id=ticket.id, author_id=author.id, body=body, internal=internal)
        )
        db.session.commit()


def post_form(
    client: FlaskClient, url: str, data: dict[str, str], *, token_page: str
) -> TestResponse:
    """POST like a browser: with the CSRF token from the page the form is on."""
    token = AuthActions(client).csrf_token(token_page)
    return client.post(url, data={**data, "csrf_token": token})


def reload_ticket(app: Flask, ticket_id: int) -> tuple[Ticket, list[Reply], list[StatusChange]]:
    with app.app_context():
        ticket = db.session.get(Ticket, ticket_id)
        assert ticket is not None
        replies = list(ticket.replies)
        changes = list(ticket.status_changes)
        db.session.expunge_all()
    return ticket, replies, changes
