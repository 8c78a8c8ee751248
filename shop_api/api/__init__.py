"""The shop's JSON API, under ``/api``: one blueprint per resource, and the
one place where a business refusal becomes an HTTP answer."""

from flask import Flask, current_app
from flask.typing import ResponseReturnValue

from shared.auth import (
    DisplayNameTaken,
    EmailTaken,
    InvalidDisplayName,
    InvalidEmail,
    WeakPassword,
)
from shared.errors import Problem
from shop_api.api.auth import bp as auth_bp
from shop_api.api.docs import bp as docs_bp
from shop_api.api.docs import start_page, swagger_ui_assets
from shop_api.api.orders import bp as orders_bp
from shop_api.api.products import bp as products_bp
from shop_api.services import ShopError


def register_blueprints(app: Flask) -> None:
    for blueprint in (auth_bp, products_bp, orders_bp, docs_bp, swagger_ui_assets, start_page):
        app.register_blueprint(blueprint)
    app.register_error_handler(ShopError, answer_refusal)
    for account_refusal in (
        EmailTaken,
        DisplayNameTaken,
        InvalidEmail,
        InvalidDisplayName,
        WeakPassword,
    ):
        app.register_error_handler(account_refusal, answer_account_refusal)


def answer_refusal(refusal: ShopError) -> ResponseReturnValue:
    """Any ShopError a view lets through: problem JSON with the status the
    refusal carries (422 or 409) and the fields a client needs to react."""
    fields = refusal.problem_fields()
    problem = Problem(
        refusal.status, str(refusal), errors=fields.get("errors"), extra=fields.get("extra")
    )
    return current_app.handle_http_exception(problem)


def answer_account_refusal(refusal: Exception) -> ResponseReturnValue:
    """The shared account rules' refusals (registration), as problem JSON: a
    taken address or name conflicts (409); a bad address, name or password
    names its field (422)."""
    if isinstance(refusal, EmailTaken):
        problem = Problem(409, "An account with this e-mail already exists.")
    elif isinstance(refusal, DisplayNameTaken):
        problem = Problem(409, "Another account shows this display name. Choose another.")
    else:
        fields: dict[type[Exception], str] = {
            InvalidEmail: "email",
            InvalidDisplayName: "display_name",
            WeakPassword: "password",
        }
        field = fields[type(refusal)]
        problem = Problem(422, "The request body is not valid.", errors={field: [str(refusal)]})
    return current_app.handle_http_exception(problem)
