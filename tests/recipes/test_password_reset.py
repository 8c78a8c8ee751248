"""The recipe site has "Forgot your password?" too: the link is mailed
through the site's own outbox and worker (the rules are tested in
tests/shared/test_password_reset.py)."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from recipes.extensions import db
from recipes.models import Outbox
from tests.app_fixtures import send_queued_mail
from tests.auth_client import csrf_token_from
from tests.recipes.factories import make_user


def test_a_reset_link_is_mailed_from_the_recipe_site(app: Flask, client: FlaskClient) -> None:
    make_user(app, "cook@example.com")
    assert "Forgot your password?" in client.get("/auth/login").get_data(as_text=True)
    token = csrf_token_from(client.get("/auth/password-reset"))
    form = {"email": "cook@example.com", "csrf_token": token}
    assert client.post("/auth/password-reset", data=form).status_code == 302
    [mail] = send_queued_mail(app)
    assert mail.sender == "Recipes <recipes@example.com>"
    assert "the Recipes account" in mail.body
    assert "/auth/password-reset/" in mail.body
    with app.app_context():
        assert db.session.scalar(select(Outbox.sent_at)) is not None
