"""The shop's JSON API, under ``/api``: one blueprint per resource."""

from flask import Flask

from shop_api.api.auth import bp as auth_bp
from shop_api.api.docs import bp as docs_bp
from shop_api.api.docs import swagger_ui_assets
from shop_api.api.orders import bp as orders_bp
from shop_api.api.products import bp as products_bp


def register_blueprints(app: Flask) -> None:
    for blueprint in (auth_bp, products_bp, orders_bp, docs_bp, swagger_ui_assets):
        app.register_blueprint(blueprint)
