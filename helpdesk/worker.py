"""The help desk's Celery worker: ``celery --app helpdesk.worker worker``
(and ``celery --app helpdesk.worker beat``, which asks it to send due mail), run from
the repository root with the same environment as the web app."""

from helpdesk import create_app
from shared.worker import worker_celery

celery = worker_celery(create_app())
