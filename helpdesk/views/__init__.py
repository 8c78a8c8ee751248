"""The help desk's blueprints: ``tickets`` for owners, ``staff`` for staff."""

from flask import Flask, redirect, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user

from helpdesk.views.staff import bp as staff_bp
from helpdesk.views.tickets import bp as tickets_bp


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(tickets_bp)
    app.register_blueprint(staff_bp)
    app.add_url_rule("/", "index", index)


def index() -> ResponseReturnValue:
    """Home, and where login lands: staff work from "All tickets", everyone
    else from their own."""
    if current_user.is_authenticated and current_user.is_staff:
        return redirect(url_for("staff.list_tickets"))
    return redirect(url_for("tickets.list_tickets"))
