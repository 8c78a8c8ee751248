# One image for the three apps; APP picks which one runs.
#   docker build -t flask-capstones .
#   docker run -e APP=helpdesk -e HELPDESK_SECRET_KEY=... -p 8000:8000 flask-capstones
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    APP=helpdesk \
    PORT=8000

WORKDIR /app

# Dependencies first, from pyproject.toml alone: this layer is rebuilt only
# when the dependencies change, not on every code change. No dev extra.
COPY pyproject.toml ./
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY gunicorn.conf.py ./
COPY shared ./shared
COPY helpdesk ./helpdesk
COPY shop_api ./shop_api
COPY recipes ./recipes

# Not root: a hole in the app is not a hole in the container.
RUN useradd --create-home --uid 10001 app \
    && mkdir -p /app/instance \
    && chown app:app /app/instance
USER app

EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=2)"

# Migrate, then serve. exec: gunicorn becomes PID 1 and gets the stop signal.
CMD ["sh", "-c", "flask --app \"$APP\" db upgrade && exec gunicorn -c gunicorn.conf.py \"$APP:create_app()\""]
