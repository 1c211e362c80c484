#!/usr/bin/env bash
# Discovery benchmark: a throwaway PostgreSQL on loopback, migrated and seeded with BENCH_CREATORS creators
# (default 1,000,000), then bench/discovery.py prints p50/p95/p99 per query against the targets.
#   BENCH_CREATORS=N   how many creators to seed (default 1000000)
#   BENCH_REUSE=1      keep the cluster in BENCH_DIR and reuse it when it already holds BENCH_CREATORS creators
#   BENCH_DIR=path     where the cluster lives (default ${TMPDIR:-/tmp}/influmojo-bench; never the checkout)
#   BENCH_ARGS="..."   extra arguments for bench/discovery.py (e.g. --iterations 30)
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
CREATORS=${BENCH_CREATORS:-1000000}
REUSE=${BENCH_REUSE:-0}
BENCH_DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/influmojo-bench}

source scripts/loopback.sh  # the working directory is the checkout (cd above)

PG_PORT=$(free_port)

if [ "$REUSE" != 1 ] || [ ! -f "$BENCH_DIR/pg/PG_VERSION" ]; then
  rm -rf "$BENCH_DIR"
  mkdir -p "$BENCH_DIR"; chmod 755 "$BENCH_DIR"
  owned_by_postgres "$BENCH_DIR"
  "${as_pg[@]}" "$pg_bin/initdb" -D "$BENCH_DIR/pg" -U postgres --auth=trust -E UTF8 >/dev/null
fi

stop() {
  "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$BENCH_DIR/pg" -m fast stop >/dev/null 2>&1 || true
  [ "$REUSE" = 1 ] || rm -rf "$BENCH_DIR"
}
trap stop EXIT

ram_mb=$(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo)
cache_mb=$(( ram_mb * 3 / 4 > 1024 ? ram_mb * 3 / 4 : 1024 ))
# Benchmark server settings: 1GB buffers, enough work_mem for sorts, no JIT (it costs more than it saves on
# millisecond queries), two parallel workers on this 2-core machine. fsync/full_page_writes off only speed up
# the seed (writes); they do not change read timings.
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$BENCH_DIR/pg" -l "$BENCH_DIR/pg.log" -w start -o "\
 -c listen_addresses=127.0.0.1 -p $PG_PORT -k $BENCH_DIR \
 -c shared_buffers=1GB -c work_mem=32MB -c maintenance_work_mem=512MB -c effective_cache_size=${cache_mb}MB \
 -c jit=off -c max_parallel_workers_per_gather=2 -c random_page_cost=1.1 -c effective_io_concurrency=200 \
 -c max_wal_size=4GB -c checkpoint_timeout=30min \
 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >/dev/null

export DATABASE_URL="postgres://postgres@127.0.0.1:$PG_PORT/influmojo"
export CELERY_TASK_ALWAYS_EAGER=1
export THROTTLE_USER=1000000/min THROTTLE_AI_SEARCH=1000000/hour  # the bench repeats requests on purpose
echo "PostgreSQL $("$pg_bin/postgres" --version | awk '{print $3}') on :$PG_PORT, data in $BENCH_DIR"
"${as_pg[@]}" "$pg_bin/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -tAc \
  "SELECT 1 FROM pg_database WHERE datname = 'influmojo'" | grep -q 1 \
  || "${as_pg[@]}" "$pg_bin/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres influmojo

$PY manage.py migrate --noinput -v 0 --skip-checks  # checks belong to make test; the bench measures
marker="$BENCH_DIR/seeded-$CREATORS"
if [ -f "$marker" ]; then
  echo "Reusing the $CREATORS creators seeded earlier ($marker)"
else
  start=$(date +%s)
  $PY manage.py seed_creators --count "$CREATORS" --skip-checks
  echo "Seed of $CREATORS creators took $(( $(date +%s) - start ))s" | tee "$marker"
fi
$PY bench/discovery.py ${BENCH_ARGS:-}
