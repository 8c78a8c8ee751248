"""The textbook configuration: one class per environment, the one to use named
by an environment variable and loaded with ``app.config.from_object`` (the
Flask docs' "Development / Production" pattern, with the per-class
``init_app`` hook of Grinberg's *Flask Web Development*). The apps here do
something else: defaults, then ``<PREFIX>_*`` environment variables read by
``app.config.from_prefixed_env``, then the test's dict
(``shared/config.py:configure``); docs/textbook-answers.md compares the two.

Run it: ``FLASK_CONFIG=production SECRET_KEY=... flask --app
docs/examples/config_classes.py run``. Proved by ``tests/deploy/test_examples.py``.
"""

import os

from flask import Flask, current_app, jsonify
from flask.typing import ResponseReturnValue


class Config:
    """What every environment shares. Only UPPERCASE attributes become settings.

    The class body runs once, when this module is imported: an environment
    variable set after that is not seen (the tests show it)."""

    SECRET_KEY = os.environ.get("SECRET_KEY")
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SESSION_COOKIE_SAMESITE = "Lax"

    @classmethod
    def init_app(cls, app: Flask) -> None:
        """Checks and set-up one environment needs once the settings are loaded."""


class DevelopmentConfig(Config):
    # Debug mode is not set here: the Flask docs advise `flask run --debug`,
    # since the reloader and debugger start before the app's config is read.
    SECRET_KEY = Config.SECRET_KEY or "dev"  # a development key, refused in production
    SQLALCHEMY_DATABASE_URI = Config.SQLALCHEMY_DATABASE_URI or "sqlite:///dev.sqlite3"


class TestingConfig(Config):
    TESTING = True  # exceptions reach the test instead of becoming 500 pages
    SECRET_KEY = "test"  # noqa: S105 -- signs only the test's own cookies
    SQLALCHEMY_DATABASE_URI = "sqlite://"  # in memory: every test run starts empty


class ProductionConfig(Config):
    SESSION_COOKIE_SECURE = True  # the session cookie travels over HTTPS only

    @classmethod
    def init_app(cls, app: Flask) -> None:
        # No fallback secret in production: whoever knows the key can forge sessions.
        if not app.config["SECRET_KEY"]:
            raise RuntimeError("FLASK_CONFIG=production needs SECRET_KEY.")
        if not app.config["SQLALCHEMY_DATABASE_URI"]:
            raise RuntimeError("FLASK_CONFIG=production needs DATABASE_URL.")


config: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def create_app(config_name: str | None = None) -> Flask:
    """The app with the settings of ``config_name``, or of ``FLASK_CONFIG``
    (its own variable: ``FLASK_ENV`` is gone since Flask 2.3)."""
    config_name = config_name or os.environ.get("FLASK_CONFIG", "development")
    config_class = config[config_name]  # an unknown name stops the app: KeyError
    app = Flask(__name__)
    app.config.from_object(config_class)
    config_class.init_app(app)

    @app.get("/")
    def settings() -> ResponseReturnValue:
        return jsonify(
            config=config_name,
            testing=current_app.testing,
            secure_cookies=current_app.config["SESSION_COOKIE_SECURE"],
        )

    return app
