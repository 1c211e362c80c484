# Sourced by test.sh, bench.sh and bench_ws.sh (after they set PY): what starting a throwaway PostgreSQL
# and Redis on loopback needs. Defines pg_bin, free_port, as_pg (run as the postgres user when root) and
# owned_by_postgres DIR.
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$pg_bin/initdb" ] || { echo "PostgreSQL server binaries not found (apt-get install postgresql)"; exit 1; }

free_port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

as_pg=()
if [ "$(id -u)" = 0 ]; then as_pg=(runuser -u postgres --); fi

owned_by_postgres() {
  if [ "$(id -u)" = 0 ]; then chown postgres "$1"; fi
}
