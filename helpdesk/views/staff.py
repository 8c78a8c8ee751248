"""The staff area: every ticket, internal notes, status changes. One
``before_request`` guard covers every view, even one added later: anonymous
users go to the login page, logged-in non-staff get 403."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from helpdesk import services
from helpdesk.extensions import db
from helpdesk.forms import StaffReplyForm, StatusForm
from helpdesk.models import Ticket, TicketStatus
from shared.auth import require_staff
from shared.pagination import paginate

bp = Blueprint("staff", __name__, url_prefix="/staff/tickets")
bp.before_request(require_staff)


@bp.get("/")
def list_tickets() -> ResponseReturnValue:
    status = _status_filter()
    search = request.args.get("q", "").strip()[:200] or None
    # The counts follow the search, so they are also the list's length (no
    # second COUNT): a filter added to the list must filter the counts too.
    counts = services.count_by_status(search)
    pagination = paginate(
        db,
        services.staff_tickets_query(status=status, search=search),
        per_page=current_app.config["TICKETS_PER_PAGE"],
        total=counts.by_status[status] if status else counts.total,
    )
    return render_template(
        "staff/list.html",
        pagination=pagination,
        counts=counts,
        status=status,
        search=search or "",
        statuses=list(TicketStatus),
    )


@bp.get("/<id:ticket_id>")
def show_ticket(ticket_id: int) -> ResponseReturnValue:
    ticket = _ticket_or_404(ticket_id)
    return _render_ticket(ticket, StatusForm(status=ticket.status.value), StaffReplyForm())


@bp.post("/<id:ticket_id>/status")
def change_status(ticket_id: int) -> ResponseReturnValue:
    ticket = _ticket_or_404(ticket_id)
    form = StatusForm()
    if form.validate_on_submit():
        new_status = TicketStatus(form.status.data)
        try:
            services.change_status(ticket, new_status, current_user)
        except services.HelpdeskError as error:
            form.status.errors = [*form.status.errors, str(error)]
        else:
            flash(f"Status changed to {new_status.label}.", "success")
            return redirect(url_for(".show_ticket", ticket_id=ticket_id))
    ticket = _ticket_or_404(ticket_id)  # reloaded: a refused change may have rolled back
    return _render_ticket(ticket, form, StaffReplyForm()), 422


@bp.post("/<id:ticket_id>/replies")
def reply(ticket_id: int) -> ResponseReturnValue:
    ticket = _ticket_or_404(ticket_id)
    form = StaffReplyForm()
    if not form.validate_on_submit():
        return _render_ticket(ticket, StatusForm(status=ticket.status.value), form), 422
    internal = bool(form.internal.data)
    services.add_reply(ticket, current_user, body=form.body.data or "", internal=internal)
    flash("Internal note added." if internal else "Reply sent to the customer.", "success")
    return redirect(url_for(".show_ticket", ticket_id=ticket_id))


def _status_filter() -> TicketStatus | None:
    raw = request.args.get("status")
    try:
        return TicketStatus(raw) if raw else None
    except ValueError:
        abort(400, f"Unknown status {raw!r}: use open, pending or resolved.")


def _ticket_or_404(ticket_id: int) -> Ticket:
    return db.first_or_404(
        services.ticket_for_staff(ticket_id), description="There is no such ticket."
    )


def _render_ticket(ticket: Ticket, status_form: StatusForm, reply_form: StaffReplyForm) -> str:
    return render_template(
        "staff/detail.html",
        ticket=ticket,
        status_form=status_form,
        reply_form=reply_form,
        page_url=url_for(".show_ticket", ticket_id=ticket.id),
    )
