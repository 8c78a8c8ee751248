"""The recipe site's Celery worker, which sends its mail (password reset
links): ``celery --app recipes.worker worker`` (and ``celery --app
recipes.worker beat`` for the periodic relay), from the repository root with
the same environment as the web app."""

from recipes import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
