"""The help desk's CLI: ``create-user`` and ``seed-demo``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import click
from flask import Flask

from helpdesk import services
from helpdesk.extensions import db
from helpdesk.models import Ticket, TicketStatus
from shared.auth import get_or_create_user
from shared.clock import utcnow
from shared.commands import create_user_command, seed_demo_command

DEMO_PASSWORD = "demo-password"  # noqa: S105 -- printed for the demo on purpose
DEMO_STAFF = "staff@example.com"
DEMO_CUSTOMERS = ("ann@example.com", "ben@example.com")


@dataclass(frozen=True)
class DemoTicket:
    owner: str
    title: str
    description: str
    # Status changes staff make, in order, after the replies and notes.
    statuses: tuple[TicketStatus, ...] = ()
    # "staff:..." or "owner:..." public replies, in order.
    replies: tuple[str, ...] = ()
    internal_notes: tuple[str, ...] = ()


ANN, BEN = DEMO_CUSTOMERS
OPEN, PENDING, RESOLVED = TicketStatus.OPEN, TicketStatus.PENDING, TicketStatus.RESOLVED
DEMO_TICKETS = (
    DemoTicket(
        ANN,
        "Cannot log in to the VPN",
        "Since this morning the VPN client says 'authentication failed'.\n"
        "I changed my password yesterday.",
        statuses=(PENDING, RESOLVED),
        replies=(
            "staff:Your new password needs a minute to reach the VPN. Can you try again now?",
            "owner:It works now, thank you!",
        ),
        internal_notes=("Password sync lag again; third report this week.",),
    ),
    DemoTicket(
        ANN,
        "Printer on floor 3 jams",
        "Every second page jams in tray 2.",
        statuses=(PENDING,),
        replies=("staff:A technician is booked for Thursday.",),
        internal_notes=("Vendor ticket #4471.",),
    ),
    DemoTicket(ANN, "Request: second monitor", 'Could I get a second 27" monitor for my desk?'),
    DemoTicket(
        ANN,
        "Laptop battery drains fast",
        "Battery goes from 100% to 20% in two hours.",
        statuses=(PENDING,),
        replies=("owner:It is a 2021 model, if that helps.",),
        internal_notes=("Check the warranty before replacing.",),
    ),
    DemoTicket(
        ANN,
        "Shared drive is read-only",
        "I cannot save files to the Marketing share.",
        statuses=(RESOLVED,),
        replies=("staff:Fixed: your account was missing from the Marketing group.",),
    ),
    DemoTicket(ANN, "Calendar invites arrive twice", "Every meeting invite shows up twice."),
    DemoTicket(
        BEN,
        "New starter needs an account",
        "Carla starts on Monday in Finance.",
        statuses=(PENDING, RESOLVED),
        replies=("staff:Account created; details sent to her manager.",),
        internal_notes=("Finance template applied.",),
    ),
    DemoTicket(
        BEN,
        "Wi-Fi drops in meeting room B",
        "Video calls cut out every few minutes.",
        statuses=(PENDING,),
        internal_notes=("Access point B2 firmware is outdated.",),
    ),
    DemoTicket(
        BEN,
        "Phishing e-mail received",
        "Got an e-mail asking for my password. I forwarded it to you.",
        statuses=(RESOLVED,),
        replies=("staff:Thanks for reporting it. The sender is now blocked.",),
    ),
    DemoTicket(
        BEN,
        "Install Python 3.12",
        "I need Python 3.12 for a data project.",
        replies=("owner:Ideally with pip and venv.",),
    ),
    DemoTicket(
        BEN,
        "Keyboard missing keys",
        "The 'E' key came off.",
        statuses=(RESOLVED, OPEN),
        replies=(
            "staff:Replacement sent.",
            "owner:The replacement has a UK layout; I need US.",
        ),
    ),
    DemoTicket(
        BEN, "Access to the sales dashboard", "Please grant read access to the Q3 dashboard."
    ),
)


def register_commands(app: Flask) -> None:
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_demo)


@seed_demo_command
def seed_demo() -> None:
    """Add demo users and tickets. Safe to run again: existing ones are kept."""
    staff = get_or_create_user(email=DEMO_STAFF, password=DEMO_PASSWORD, is_staff=True)
    owners = {
        email: get_or_create_user(email=email, password=DEMO_PASSWORD) for email in DEMO_CUSTOMERS
    }
    added = 0
    for age, demo in enumerate(DEMO_TICKETS):
        owner = owners[demo.owner]
        exists = db.session.scalar(
            db.select(Ticket.id).where(Ticket.created_by_id == owner.id, Ticket.title == demo.title)
        )
        if exists:
            continue
        ticket = services.open_ticket(owner, title=demo.title, description=demo.description)
        # Spread the demo over the past days, so the lists have an order to show.
        ticket.created_at = utcnow() - timedelta(days=len(DEMO_TICKETS) - age)
        db.session.commit()
        for text in demo.replies:
            who, _, body = text.partition(":")
            services.add_reply(ticket, staff if who == "staff" else owner, body=body, notify=False)
        for note in demo.internal_notes:
            services.add_reply(ticket, staff, body=note, internal=True)
        for status in demo.statuses:
            services.change_status(ticket, status, staff, notify=False)
        added += 1
    click.echo(f"Demo tickets: {added} added, {len(DEMO_TICKETS) - added} already there.")
    click.echo(
        f"Log in as staff {DEMO_STAFF} or customer {DEMO_CUSTOMERS[0]} / {DEMO_CUSTOMERS[1]},"
    )
    click.echo(f"all with the password {DEMO_PASSWORD!r}.")
