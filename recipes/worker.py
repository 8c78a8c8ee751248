"""The recipe site's Celery worker, which sends its mail (password reset
links): ``celery --app recipes.worker worker`` (and ``celery --app
recipes.worker beat``, which asks it to send due mail), from the repository root with
the same environment as the web app."""

from recipes import create_app
from shared.worker import worker_celery

celery = worker_celery(create_app())
