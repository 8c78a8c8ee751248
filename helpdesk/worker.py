"""The help desk's Celery worker: ``celery --app helpdesk.worker worker``
(and ``celery --app helpdesk.worker beat`` for the periodic relay), run from
the repository root with the same environment as the web app."""

from helpdesk import create_app

flask_app = create_app()
celery = flask_app.extensions["celery"]
