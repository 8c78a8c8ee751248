"""The tiny app's Celery worker, as an app's ``<package>/worker.py``:
``celery --app tests.shared.tiny_worker worker``, set up by ``TINY_*`` variables."""

from shared.worker import worker_celery
from tests.shared.tiny_app import create_app

celery = worker_celery(create_app())
