#!/bin/sh
# As the official image's docker-entrypoint.sh, cut down to what compose uses:
# on the first start, a cluster owned by POSTGRES_USER with POSTGRES_PASSWORD,
# the database POSTGRES_DB, then /docker-entrypoint-initdb.d/*.sql; then the
# server as PID 1, listening on every address with password authentication.
set -eu
mkdir -p /run/postgresql
chown postgres:postgres /run/postgresql "$PGDATA"
# setpriv execs (runuser would stay as the parent, between docker stop and postgres).
as_postgres() { setpriv --reuid=postgres --regid=postgres --init-groups "$@"; }
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    password_file=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" > "$password_file"
    chown postgres "$password_file"
    as_postgres initdb --username="$POSTGRES_USER" --pwfile="$password_file" --encoding=UTF8 --locale=C.UTF-8 \
        --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    rm -f "$password_file"
    echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
    # Only the socket while initialising, as the real image does.
    as_postgres pg_ctl --wait --options="-c listen_addresses=''" start >/dev/null
    if [ "$POSTGRES_DB" != postgres ]; then
        as_postgres psql -X -q -U "$POSTGRES_USER" -d postgres -c "CREATE DATABASE \"$POSTGRES_DB\""
    fi
    for script in /docker-entrypoint-initdb.d/*.sql; do
        [ -e "$script" ] || continue
        as_postgres psql -X -q -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "$POSTGRES_DB" -f "$script"
    done
    as_postgres pg_ctl --wait stop >/dev/null
fi
exec setpriv --reuid=postgres --regid=postgres --init-groups postgres -c listen_addresses='*'
