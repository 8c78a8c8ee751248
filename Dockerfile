# One image for the three apps; APP picks which one runs.
#   docker build -t flask-capstones .
#   docker run -e APP=helpdesk -e HELPDESK_SECRET_KEY=... -p 8000:8000 flask-capstones
# Anything after the image name runs instead of the server, with the same
# environment: docker run ... flask-capstones flask --app helpdesk create-user ...
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    APP=helpdesk \
    PORT=8000

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

COPY gunicorn.conf.py ./
COPY docker/entrypoint.sh /usr/local/bin/capstones-entrypoint
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

# Migrate, then exec gunicorn as PID 1 (docker/entrypoint.sh says why).
ENTRYPOINT ["capstones-entrypoint"]
