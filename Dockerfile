# One image for every app of the repository; APP (the package name) picks which
# one runs. Unset, it is the only app there is (a fork of one app needs none).
#   docker build -t flask-capstones .
#   docker run -e APP=<package> -e <PREFIX>_SECRET_KEY=... -p 8000:8000 flask-capstones
# Anything after the image name runs instead of the server, with the same
# environment: docker run ... flask-capstones flask --app <package> create-user ...
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8000 \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus-metrics

WORKDIR /app

# Dependencies first, from the lock file: this layer is rebuilt only when the
# locked versions or pyproject.toml change, not on every code change. The
# runtime part of the lock (scripts/locked.py), exact versions with hashes
# (make lock), so every build installs the same bytes; no extra, no dev tools.
COPY pyproject.toml requirements.lock ./
COPY scripts/locked.py scripts/
RUN python scripts/locked.py > /tmp/runtime.txt \
    && pip install --require-hashes --no-deps -r /tmp/runtime.txt \
    && rm /tmp/runtime.txt

COPY docker/entrypoint.sh /usr/local/bin/capstones-entrypoint
# The code, after the dependencies: shared/, each app's package (with its
# app.toml and migrations) and gunicorn.conf.py. .dockerignore keeps out what
# does not run (tests, docs, compose files...), so no list of apps is needed.
COPY . .

# Not root: a hole in the app is not a hole in the container.
RUN useradd --create-home --uid 10001 app \
    && mkdir -p /app/instance \
    && chown app:app /app/instance
USER app

# 8000: the app, its /metrics too (gunicorn's workers add up their metrics in
# PROMETHEUS_MULTIPROC_DIR: shared/metrics.py); 9808: a Celery worker's metrics.
EXPOSE 8000 9808
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz', timeout=2)"

# Migrate, then exec gunicorn as PID 1 (docker/entrypoint.sh says why).
ENTRYPOINT ["capstones-entrypoint"]
