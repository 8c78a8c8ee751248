"""The recipe site's pages: one blueprint."""

from flask import Flask

from recipes.views.recipes import bp


def register_blueprints(app: Flask) -> None:
    app.register_blueprint(bp)
