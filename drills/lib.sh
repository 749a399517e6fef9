# Shared helpers for the drills: start/stop a Switchboard server on a data dir, create a company.
# Sourced, not run. Requires target/switchboard.jar (built by the caller).

JAR="${JAR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/target/switchboard.jar}"
CONFIG="${CONFIG:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/config.yml}"
ADMIN_TOKEN="${ADMIN_TOKEN:-drill-admin-token}"

# start_server DATA_DIR HTTP_PORT ADMIN_PORT [extra env...] — prints the pid
# (the data directory is on the java command line so that a drill's `pkill -f "$work"` on exit stops the
# server too: started in a command substitution, it is not one of the drill's jobs)
start_server() {
  local data="$1" port="$2" aport="$3"; shift 3
  mkdir -p "$data"
  env SWITCHBOARD_DATA_DIR="$data" SWITCHBOARD_HTTP_PORT="$port" SWITCHBOARD_ADMIN_PORT="$aport" \
      SWITCHBOARD_ADMIN_TOKEN="$ADMIN_TOKEN" SWITCHBOARD_CREATE_DEMO_COMPANY=false "$@" \
      java -Dswitchboard.drill.data="$data" -Xmx512m -jar "$JAR" server "$CONFIG" >>"$data/server.log" 2>&1 &
  echo $!
}

# wait_healthy ADMIN_PORT [seconds]
wait_healthy() {
  local aport="$1" limit="${2:-120}" i
  for ((i = 0; i < limit * 4; i++)); do
    curl -sf "http://127.0.0.1:$aport/healthcheck" >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  echo "server on admin port $aport did not become healthy" >&2
  return 1
}

# create_company HTTP_PORT — prints "PUBLIC_ID PK SK"
create_company() {
  curl -sf -X POST "http://127.0.0.1:$1/admin/companies" -H "Authorization: Bearer $ADMIN_TOKEN" \
    -H 'Content-Type: application/vnd.api+json' -d '{"data":{"type":"company","attributes":{"name":"Drill"}}}' |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["data"]["id"], d["meta"]["public_key"], d["meta"]["secret_key"])'
}

# psql_embedded DATA_DIR SQL — runs SQL on the embedded PostgreSQL of a data dir (port from postmaster.pid)
psql_embedded() {
  local port
  port=$(sed -n 4p "$1/pg/postmaster.pid")
  psql -h 127.0.0.1 -p "$port" -U postgres -d postgres -Atc "$2"
}
