"""Help desk mail: the owner hears of a staff reply and of a status change,
never of an internal note, and never of a staff member's address; each mail
is written in the same transaction as the change (the outbox) and sent by
the worker's next round (run here by ``send_queued_mail``), whatever the
broker or the SMTP server is doing meanwhile."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from celery import Celery
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from helpdesk import create_app
from helpdesk.extensions import db
from helpdesk.models import Outbox, User
from shared.clock import utcnow
from shared.config import ConfigurationError
from tests.app_fixtures import app_on_fresh_tables, send_queued_mail
from tests.auth_client import AuthActions, csrf_token_from
from tests.helpdesk.factories import make_ticket, make_user, post_form
from tests.servers import free_port

EXTERNAL_URL = "https://desk.example.com"


@pytest.fixture
def app(database_url: str) -> Iterator[Flask]:
    with app_on_fresh_tables(create_app, db, database_url, EXTERNAL_URL=EXTERNAL_URL) as app:
        yield app


@pytest.fixture
def owner(app: Flask) -> User:
    return make_user(app, "ann@example.com")


def outbox_rows(app: Flask) -> list[Outbox]:
    with app.app_context():
        rows = list(db.session.scalars(select(Outbox).order_by(Outbox.id)))
        db.session.expunge_all()
    return rows


def staff_reply(client: FlaskClient, ticket_id: int, body: str, *, internal: bool = False) -> None:
    page = f"/staff/tickets/{ticket_id}"
    data = {"body": body, **({"internal": "y"} if internal else {})}
    assert post_form(client, f"{page}/replies", data, token_page=page).status_code == 302


def test_a_staff_reply_is_mailed_to_the_owner(
    app: Flask, client: FlaskClient, owner: User, staff: User, auth: AuthActions
) -> None:
    auth.login("staff@example.com")
    ticket = make_ticket(app, owner, title="Printer <jams>")
    staff_reply(client, ticket.id, "Try the <b>blue</b> lever.")
    [mail] = send_queued_mail(app)
    assert mail.recipients == ["ann@example.com"]
    assert mail.subject == "New reply: Printer <jams>"
    assert mail.sender == "Help desk <helpdesk@example.com>"
    link = f"{EXTERNAL_URL}/tickets/{ticket.id}"
    assert "Try the <b>blue</b> lever." in mail.body  # plain text: as typed
    assert link in mail.body
    assert "Try the &lt;b&gt;blue&lt;/b&gt; lever." in mail.html  # HTML: escaped like a page
    assert "Printer &lt;jams&gt;" in mail.html
    assert f'href="{link}"' in mail.html
    [row] = outbox_rows(app)
    assert row.sent_at is not None
    assert row.attempts == 1


def test_a_status_change_is_mailed_and_an_internal_note_never_is(
    app: Flask, client: FlaskClient, owner: User, staff: User, auth: AuthActions
) -> None:
    auth.login("staff@example.com")
    ticket = make_ticket(app, owner, title="VPN down")
    staff_reply(client, ticket.id, "Secret: the CEO's laptop again", internal=True)
    assert outbox_rows(app) == []

    page = f"/staff/tickets/{ticket.id}"
    post_form(client, f"{page}/status", {"status": "resolved"}, token_page=page)
    [mail] = send_queued_mail(app)
    assert mail.subject == "Resolved: VPN down"
    assert "is now Resolved" in mail.body
    assert "reply on the ticket and it opens again" in mail.body
    for text in (mail.body, mail.html):
        assert "CEO" not in text  # nothing of the note, not even that there is one
        assert "note" not in text.lower()


def test_the_owners_own_reply_sends_no_mail(
    app: Flask, client: FlaskClient, auth: AuthActions, owner: User
) -> None:
    ticket = make_ticket(app, owner)
    auth.login("ann@example.com")
    page = f"/tickets/{ticket.id}"
    post_form(client, f"{page}/replies", {"body": "Any news?"}, token_page=page)
    assert outbox_rows(app) == []


def test_demo_data_sends_no_mail(app: Flask) -> None:
    assert app.test_cli_runner().invoke(args=["seed-demo"]).exit_code == 0
    assert outbox_rows(app) == []


def test_a_reply_saved_while_the_broker_is_down_is_mailed_once_the_worker_runs(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    down = f"redis://127.0.0.1:{free_port()}/0"
    with app_on_fresh_tables(create_app, db, database_url, CELERY_BROKER_URL=down) as app:
        owner = make_user(app, "ann@example.com")
        make_user(app, "staff@example.com", is_staff=True)
        ticket = make_ticket(app, owner)
        client = app.test_client()
        AuthActions(client).login("staff@example.com")

        def broker_call(*args: Any, **kwargs: Any) -> None:
            pytest.fail("the request talked to the broker")

        monkeypatch.setattr(Celery, "send_task", broker_call)
        staff_reply(client, ticket.id, "We are on it.")  # the request never waits for it
        [waiting] = outbox_rows(app)
        assert waiting.sent_at is None

        sent = send_queued_mail(app)  # the broker is back; the worker's next round
        assert [mail.recipients for mail in sent] == [["ann@example.com"]]
        assert send_queued_mail(app) == []  # sent once, not again
        assert outbox_rows(app)[0].sent_at is not None


def test_an_smtp_failure_is_recorded_and_a_later_try_sends(database_url: str) -> None:
    smtp_down = {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": free_port(),
        "MAIL_SUPPRESS_SEND": False,
    }
    with app_on_fresh_tables(create_app, db, database_url, **smtp_down) as app:
        owner = make_user(app, "ann@example.com")
        make_user(app, "staff@example.com", is_staff=True)
        ticket = make_ticket(app, owner)
        client = app.test_client()
        AuthActions(client).login("staff@example.com")

        staff_reply(client, ticket.id, "Fixed.")  # saved, though the mail cannot go yet
        assert send_queued_mail(app) == []
        [row] = outbox_rows(app)
        assert (row.sent_at, row.attempts) == (None, 1)
        assert "ConnectionRefusedError" in row.last_error

        app.extensions["mail"].suppress = True  # the server is back (recorded here)
        with app.app_context():
            due = db.session.get(Outbox, row.id)
            assert due is not None
            due.next_attempt_at = utcnow()  # its next attempt has come
            db.session.commit()
        assert len(send_queued_mail(app)) == 1
        assert outbox_rows(app)[0].last_error == ""


def test_a_title_written_to_forge_mail_headers_cannot(
    app: Flask, client: FlaskClient, owner: User, staff: User, auth: AuthActions
) -> None:
    # Refused on the form today; a title stored before that rule is made
    # one line in the subject all the same.
    auth.login("staff@example.com")
    ticket = make_ticket(app, owner, title="Printer\x0bReply-To: evil@example.com")
    staff_reply(client, ticket.id, "On it.")
    [mail] = send_queued_mail(app)
    assert mail.subject == "New reply: Printer Reply-To: evil@example.com"
    assert mail.reply_to is None


def test_replies_show_staff_by_display_name_never_by_address(
    app: Flask, client: FlaskClient, owner: User, staff: User, auth: AuthActions
) -> None:
    auth.login("staff@example.com")
    ticket = make_ticket(app, owner)
    staff_reply(client, ticket.id, "On it.")
    customer = app.test_client()
    AuthActions(customer).login("ann@example.com")
    html = customer.get(f"/tickets/{ticket.id}").get_data(as_text=True)
    assert "On it." in html
    assert f"<strong>{staff.display_name}</strong>" in html
    assert staff.email not in html
    mail_text = send_queued_mail(app)[0]
    assert staff.email not in mail_text.body + mail_text.html


def test_production_needs_the_external_url_for_links_in_mail(database_url: str) -> None:
    settings = {
        "ENV": "production",
        "SECRET_KEY": "x" * 40,
        "TRUSTED_HOSTS": ["desk.example.com"],
        "SQLALCHEMY_DATABASE_URI": database_url,
    }
    with pytest.raises(ConfigurationError, match="HELPDESK_EXTERNAL_URL"):
        create_app(settings)
    assert create_app({**settings, "EXTERNAL_URL": EXTERNAL_URL}).name == "helpdesk"


def test_a_password_reset_link_is_mailed_from_the_help_desk(
    app: Flask, client: FlaskClient, owner: User
) -> None:
    token = csrf_token_from(client.get("/auth/password-reset"))
    client.post("/auth/password-reset", data={"email": "ann@example.com", "csrf_token": token})
    [mail] = send_queued_mail(app)
    assert mail.sender == "Help desk <helpdesk@example.com>"
    assert "the Help desk account" in mail.body
    assert f"{EXTERNAL_URL}/auth/password-reset/" in mail.body
    [row] = outbox_rows(app)
    assert row.sent_at is not None
