"""Pages for a ticket's owner: their list, a new ticket, a ticket and its replies.

Every query here filters by the logged-in user in SQL, so another user's
ticket is simply not found: 404, which also does not confirm it exists.
"""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from helpdesk import services
from helpdesk.extensions import db
from helpdesk.forms import ReplyForm, TicketForm
from helpdesk.models import Ticket, TicketStatus
from shared.auth import require_login
from shared.forms import form_status
from shared.pagination import paginate

bp = Blueprint("tickets", __name__, url_prefix="/tickets")
bp.before_request(require_login)  # every page here needs a logged-in user


@bp.get("/")
def list_tickets() -> ResponseReturnValue:
    pagination = paginate(
        db,
        services.own_tickets_query(current_user.id),
        per_page=current_app.config["TICKETS_PER_PAGE"],
    )
    return render_template("tickets/list.html", pagination=pagination)


@bp.route("/new", methods=["GET", "POST"])
def new_ticket() -> ResponseReturnValue:
    form = TicketForm()
    if form.validate_on_submit():
        ticket = services.open_ticket(
            current_user, title=form.title.data or "", description=form.description.data or ""
        )
        flash("Your ticket is open. Staff will reply here.", "success")
        return redirect(url_for(".show_ticket", ticket_id=ticket.id))
    return render_template("tickets/new.html", form=form), form_status(form)


@bp.get("/<id:ticket_id>")
def show_ticket(ticket_id: int) -> ResponseReturnValue:
    return _render_ticket(_own_ticket_or_404(ticket_id), ReplyForm())


@bp.post("/<id:ticket_id>/replies")
def reply(ticket_id: int) -> ResponseReturnValue:
    ticket = _own_ticket_or_404(ticket_id)
    form = ReplyForm()
    if not form.validate_on_submit():
        return _render_ticket(ticket, form), 422
    status_before = ticket.status
    services.add_reply(ticket, current_user, body=form.body.data or "")
    reopened = status_before is not TicketStatus.OPEN and ticket.status is TicketStatus.OPEN
    flash("Reply sent. The ticket is open again." if reopened else "Reply sent.", "success")
    return redirect(url_for(".show_ticket", ticket_id=ticket.id))


def _own_ticket_or_404(ticket_id: int) -> Ticket:
    return db.first_or_404(
        services.own_ticket(ticket_id, owner_id=current_user.id),
        description="There is no such ticket among yours.",
    )


def _render_ticket(ticket: Ticket, form: ReplyForm) -> str:
    return render_template(
        "tickets/detail.html",
        ticket=ticket,
        replies=services.public_replies(ticket),
        form=form,
        page_url=url_for(".show_ticket", ticket_id=ticket.id),
    )
