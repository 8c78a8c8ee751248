"""The help desk's CLI: ``create-user`` and ``seed-demo``."""

import json
from datetime import timedelta
from pathlib import Path

import click
from flask import Flask

from helpdesk import services
from helpdesk.extensions import db
from helpdesk.models import Ticket, TicketStatus
from shared.auth import get_or_create_user
from shared.clock import utcnow
from shared.commands import DEMO_PASSWORD, DEMO_STAFF, create_user_command, seed_demo_command

# Address -> display name: what everyone but the owner (and staff) sees.
DEMO_NAMES = {
    DEMO_STAFF: "Sam Rivera",
    "ann@example.com": "Ann Lee",
    "ben@example.com": "Ben Okafor",
}
DEMO_CUSTOMERS = ("ann@example.com", "ben@example.com")
# Each ticket's public replies ("staff:..." or "owner:..."), then its internal
# notes, then the status changes staff make, applied in that order.
DEMO_TICKETS = json.loads((Path(__file__).parent / "demo_tickets.json").read_text("utf-8"))


def register_commands(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_demo)


@seed_demo_command
def seed_demo() -> None:
    """Add demo users and tickets. Safe to run again: existing ones are kept."""
    staff = get_or_create_user(
        email=DEMO_STAFF, password=DEMO_PASSWORD, display_name=DEMO_NAMES[DEMO_STAFF], is_staff=True
    )
    owners = {
        email: get_or_create_user(
            email=email, password=DEMO_PASSWORD, display_name=DEMO_NAMES[email]
        )
        for email in DEMO_CUSTOMERS
    }
    added = 0
    for age, demo in enumerate(DEMO_TICKETS):
        owner = owners[demo["owner"]]
        exists = db.session.scalar(
            db.select(Ticket.id).where(
                Ticket.created_by_id == owner.id, Ticket.title == demo["title"]
            )
        )
        if exists:
            continue
        ticket = services.open_ticket(owner, title=demo["title"], description=demo["description"])
        # Spread the demo over the past days, so the lists have an order to show.
        ticket.created_at = utcnow() - timedelta(days=len(DEMO_TICKETS) - age)
        db.session.commit()
        for text in demo.get("replies", []):
            who, _, body = text.partition(":")
            services.add_reply(ticket, staff if who == "staff" else owner, body=body, notify=False)
        for note in demo.get("internal_notes", []):
            services.add_reply(ticket, staff, body=note, internal=True)
        for status in demo.get("statuses", []):
            services.change_status(ticket, TicketStatus(status), staff, notify=False)
        _spread_from_opening(ticket)
        added += 1
    click.echo(f"Demo tickets: {added} added, {len(DEMO_TICKETS) - added} already there.")
    click.echo(f"Log in as staff {DEMO_STAFF} or customer {' / '.join(DEMO_CUSTOMERS)},")
    click.echo(f"all with the password {DEMO_PASSWORD!r}.")


def _spread_from_opening(ticket: Ticket) -> None:
    """Each reply, note and status change an hour after the one before it, from
    the day the ticket was opened: its "last activity" reads as a real desk's."""
    moment = ticket.created_at
    for event in sorted(ticket.replies, key=lambda reply: reply.id):
        moment += timedelta(hours=1)
        event.created_at = moment
    for change in sorted(ticket.status_changes, key=lambda change: change.id):
        moment += timedelta(hours=1)
        change.changed_at = moment
    ticket.updated_at = moment
    if ticket.resolved_at is not None:
        ticket.resolved_at = moment
    db.session.commit()
