"""The help desk's blueprints: ``tickets`` for owners, ``staff`` for staff."""

from flask import Flask, redirect, url_for
from flask.typing import ResponseReturnValue

from helpdesk.views.staff import bp as staff_bp
from helpdesk.views.tickets import bp as tickets_bp


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(tickets_bp)
    app.register_blueprint(staff_bp)
    app.add_url_rule("/", "index", index)


def index() -> ResponseReturnValue:
    return redirect(url_for("tickets.list_tickets"))
