# A throw-away Citus cluster for the drills: one coordinator and N workers, each a Debian PostgreSQL 15
# started with pg_ctl on a temp data directory and a free loopback port. Sourced, not run.
#
#   citus_install                     PostgreSQL 15 + Citus (the vendor build script) if missing
#   citus_start DIR N                 initdb + start coordinator and N workers under DIR, register the workers;
#                                     sets CITUS_COORD_PORT and CITUS_WORKER_PORTS (array)
#   citus_stop DIR                    fast shutdown of every node under DIR
#   cpsql PORT SQL                    psql -Atc on a node (database postgres, user postgres)

PG_BIN=/usr/lib/postgresql/15/bin
CITUS_VENDOR="${CITUS_VENDOR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/../shared/vendor}"

# run a command as the postgres OS user when we are root (pg_ctl refuses root)
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

citus_install() {
  if [ ! -x "$PG_BIN/pg_ctl" ] || [ ! -f /usr/lib/postgresql/15/lib/citus.so ]; then
    [ -f "$CITUS_VENDOR/build-citus.sh" ] || { echo "citus: $CITUS_VENDOR/build-citus.sh not found" >&2; return 1; }
    echo "== building Citus into PostgreSQL 15 (vendor script, ~2-4 min)"
    bash "$CITUS_VENDOR/build-citus.sh" | tail -1
  fi
  command -v psql >/dev/null || { DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql-client >/dev/null; }
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }

cpsql() {
  local port="$1"; shift
  PGCONNECT_TIMEOUT=5 psql -X -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 -Atc "$@"
}

# citus_node DIR PORT [plain]: initdb (trust on loopback only) and start with Citus preloaded (plain: without)
citus_node() {
  local dir="$1" port="$2" plain="${3:-}"
  mkdir -p "$dir"; chown postgres: "$dir" 2>/dev/null || true; chmod 700 "$dir"
  as_pg "$PG_BIN/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  cat >>"$dir/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
shared_preload_libraries = 'citus'
max_connections = 300
shared_buffers = 128MB
fsync = on
synchronous_commit = on
max_wal_size = 2GB
autovacuum_naptime = 5s
max_prepared_transactions = 200
citus.max_client_connections = 250
EOF
  [ -n "$plain" ] && sed -i -e '/^shared_preload_libraries/d' -e '/^citus\./d' "$dir/postgresql.conf"
  as_pg "$PG_BIN/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 start >/dev/null
  [ -n "$plain" ] || cpsql "$port" "CREATE EXTENSION IF NOT EXISTS citus" >/dev/null
}

citus_start() {
  local root="$1" n="$2" i
  mkdir -p "$root"; chmod 755 "$root" "$(dirname "$root")"  # the postgres user walks into it
  CITUS_COORD_PORT=$(free_port)
  citus_node "$root/coordinator" "$CITUS_COORD_PORT"
  CITUS_WORKER_PORTS=()
  for i in $(seq 1 "$n"); do
    local p; p=$(free_port)
    citus_node "$root/worker$i" "$p"
    CITUS_WORKER_PORTS+=("$p")
  done
  cpsql "$CITUS_COORD_PORT" "SELECT citus_set_coordinator_host('127.0.0.1', $CITUS_COORD_PORT)" >/dev/null
  for p in "${CITUS_WORKER_PORTS[@]}"; do
    cpsql "$CITUS_COORD_PORT" "SELECT citus_add_node('127.0.0.1', $p)" >/dev/null
  done
}

citus_stop() {
  local root="$1" d
  for d in "$root"/*/; do
    d=${d%/}
    [ -f "$d/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$d" -m fast -w -t 60 stop >/dev/null 2>&1 || true
  done
}
