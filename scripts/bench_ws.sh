#!/usr/bin/env bash
# Websocket benchmark: a throwaway PostgreSQL and Redis on loopback, migrated and seeded with the bench's users and
# conversations, then bench/ws.py starts daphne (one process, channels-redis layer) per socket count and prints
# connect time, one-to-one delivery, fan-out to a 100-member conversation and memory per socket against the targets.
#   BENCH_WS_ARGS="..."  extra arguments for bench/ws.py (e.g. --sizes 1000 --duration 20; see --help)
#   BENCH_PG_DURABLE=0   run PostgreSQL with fsync/synchronous_commit off (default 1: durable commits, as in production)
#   BENCH_DIR=path       where the throwaway cluster lives (default ${TMPDIR:-/tmp}/influmojo-bench-ws; removed after)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
BENCH_DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/influmojo-bench-ws}
DURABLE=${BENCH_PG_DURABLE:-1}

source scripts/loopback.sh  # the working directory is the checkout (cd above)
command -v redis-server >/dev/null || { echo "redis-server not found (apt-get install redis-server)"; exit 1; }
$PY -c 'import websockets' 2>/dev/null || { echo "websockets not installed (make install-dev)"; exit 1; }

# 5,000 sockets need 5,000 descriptors in the server and as many in the clients (each process inherits this limit).
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
echo "Open files limit: $(ulimit -n)"

PG_PORT=$(free_port); REDIS_PORT=$(free_port)

rm -rf "$BENCH_DIR"; mkdir -p "$BENCH_DIR"; chmod 755 "$BENCH_DIR"
owned_by_postgres "$BENCH_DIR"
stop() {
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$BENCH_DIR/pg" -m fast stop >/dev/null 2>&1 || true
  redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  rm -rf "$BENCH_DIR"
}
trap stop EXIT

"${as_pg[@]}" "$pg_bin/initdb" -D "$BENCH_DIR/pg" -U postgres --auth=trust -E UTF8 >/dev/null
durability="-c fsync=on -c synchronous_commit=on"
[ "$DURABLE" = 1 ] || durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$BENCH_DIR/pg" -l "$BENCH_DIR/pg.log" -w start -o "\
 -c listen_addresses=127.0.0.1 -p $PG_PORT -k $BENCH_DIR -c shared_buffers=512MB -c jit=off $durability" >/dev/null
redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no --daemonize yes \
  --logfile "$BENCH_DIR/redis.log" --dir "$BENCH_DIR" >/dev/null
"${as_pg[@]}" "$pg_bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres influmojo

export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/influmojo"
export REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0"
export CELERY_TASK_ALWAYS_EAGER=1
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on :$PG_PORT ($([ "$DURABLE" = 1 ] && echo durable \
  commits || echo "fsync off")), Redis $(redis-server --version | awk '{print $3}' | cut -d= -f2) on :$REDIS_PORT"

$PY manage.py migrate --noinput -v 0 --skip-checks
$PY bench/ws.py ${BENCH_WS_ARGS:-}
