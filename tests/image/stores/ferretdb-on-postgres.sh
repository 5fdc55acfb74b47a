#!/bin/sh
# `mongo` for the compose test: PostgreSQL in /data/db (the mongo-data volume), then
# FerretDB in the foreground on 127.0.0.1:$MONGO_PORT, as devservers/ferretdb.py runs it.
set -eu
: "${MONGO_PORT:?}" "${PG_PORT:?}"
bin=/usr/lib/postgresql/15/bin
data=/data/db/postgres
as_postgres() { runuser -u postgres -- "$@"; }

if [ ! -s "$data/PG_VERSION" ]; then
    mkdir -p "$data"
    chown postgres:postgres "$data"
    as_postgres "$bin/initdb" -D "$data" -A trust -U postgres -E UTF8 --locale=C --no-sync
fi
as_postgres "$bin/pg_ctl" -D "$data" -w -l "$data/postgres.log" \
    -o "-p $PG_PORT -k /tmp -c listen_addresses=127.0.0.1" start
psql() { as_postgres "$bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres -qtA "$@"; }
[ "$(psql -c "select 1 from pg_database where datname = 'ferretdb'")" = 1 ] || psql -c "create database ferretdb"

exec /usr/local/bin/ferretdb \
    --handler=postgresql \
    --postgresql-url="postgres://postgres@127.0.0.1:$PG_PORT/ferretdb" \
    --listen-addr="127.0.0.1:$MONGO_PORT" \
    --debug-addr=- \
    --telemetry=disable \
    --log-level=warn
