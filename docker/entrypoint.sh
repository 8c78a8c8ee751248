#!/bin/sh
# The image's entrypoint: migrate the app's database, then become gunicorn.
#
# `docker stop` sends SIGTERM to PID 1 only. A plain `sh -c "migrate && exec
# gunicorn"` is PID 1 during the migration, and a shell that is PID 1 ignores
# SIGTERM, so a stop during a slow migration waits the full timeout and ends
# in SIGKILL. Here the shell traps SIGTERM and passes it on to the migration
# (which then exits, its transaction rolled back), and afterwards `exec`
# replaces the shell with gunicorn, which handles SIGTERM as a graceful stop.
#
# APP names the app's package. Unset, it is the image's only app (the one
# folder with an app.toml), so a fork of one app needs no setting; an image of
# several apps asks for it.
#
# With arguments, they run instead (same environment):
#   docker compose run --rm <app> flask --app <app> create-user ann@example.com --staff
set -eu

if [ "$#" -gt 0 ]; then
    exec "$@"
fi

if [ -z "${APP:-}" ]; then
    for manifest in */app.toml; do
        [ -f "$manifest" ] || continue
        if [ -n "${APP:-}" ]; then
            echo "capstones-entrypoint: this image holds several apps; set APP to one of:" \
                $(for found in */app.toml; do printf '%s ' "${found%/app.toml}"; done) >&2
            exit 2
        fi
        APP=${manifest%/app.toml}
    done
    if [ -z "${APP:-}" ]; then
        echo "capstones-entrypoint: no app found (no <package>/app.toml); set APP" >&2
        exit 2
    fi
fi

# gunicorn.conf.py reads it too (the app's log format).
export APP

flask --app "$APP" db upgrade &
migration=$!
trap 'kill -TERM "$migration" 2>/dev/null || true' TERM INT
# `wait` returns early when a trapped signal arrives; wait again for the
# migration's own exit status.
status=0
wait "$migration" || status=$?
if kill -0 "$migration" 2>/dev/null; then
    status=0
    wait "$migration" || status=$?
fi
trap - TERM INT
if [ "$status" -ne 0 ]; then
    echo "capstones-entrypoint: 'flask --app $APP db upgrade' failed (exit $status)" >&2
    exit "$status"
fi

exec gunicorn -c gunicorn.conf.py "$APP:create_app()"
