#!/usr/bin/env bash
# Starts a throwaway PostgreSQL and Redis on loopback, runs the whole suite against them, stops them.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python

source scripts/loopback.sh  # the working directory is the checkout (cd above)
command -v redis-server >/dev/null || { echo "redis-server not found (apt-get install redis-server)"; exit 1; }

PG_PORT=$(free_port); REDIS_PORT=$(free_port)
work=$(mktemp -d); chmod 755 "$work"
owned_by_postgres "$work"

cleanup() {
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1 || true
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

"${as_pg[@]}" "$pg_bin/initdb" -D "$work/pg" -U postgres --auth=trust -E UTF8 >/dev/null
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w start -o \
  "-c listen_addresses=127.0.0.1 -p $PG_PORT -k $work -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --daemonize yes \
  --logfile "$work/redis.log" --dir "$work" >/dev/null

export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/influmojo"
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
export CELERY_TASK_ALWAYS_EAGER=1
echo "PostgreSQL on :$PG_PORT, Redis on :$REDIS_PORT"

$PY -m pytest --create-db "$@"
