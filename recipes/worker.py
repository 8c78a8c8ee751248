"""The recipe site's Celery worker, which sends its mail (password reset links):
``celery --app recipes.worker worker`` and ``celery --app recipes.worker beat``."""

from recipes import create_app
from shared.worker import worker_celery

celery = worker_celery(create_app())
