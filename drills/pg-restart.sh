#!/usr/bin/env bash
# PostgreSQL restart drill (operations.md "Durability and faults"): under a load of writes, PostgreSQL
# goes down for a few seconds and comes back. Expected: fast 503s (with Retry-After) while it is down,
# success again afterwards without restarting the server, and every acknowledged write present.
#
#   drills/pg-restart.sh [DOWN_SECONDS] [PARALLEL]
set -euo pipefail
cd "$(dirname "$0")/.."
source drills/lib.sh
DOWN="${1:-5}" PAR="${2:-8}"
command -v psql >/dev/null || { apt-get install -y -qq postgresql-client >/dev/null; }
[ -f "$JAR" ] || mvn -B -q -DskipTests package

work=$(mktemp -d); trap 'kill -9 $(jobs -p) 2>/dev/null || true; pkill -9 -f "$work" 2>/dev/null || true' EXIT
port=$((20000 + RANDOM % 10000)); aport=$((port + 1))
pid=$(start_server "$work/data" $port $aport); wait_healthy $aport
read -r CO PK SK < <(create_company $port)
pgfile="$work/data/pg/postmaster.pid"; pgpid=$(sed -n 1p "$pgfile"); pgport=$(sed -n 4p "$pgfile")
pgcmd=$(tr '\0' ' ' </proc/$pgpid/cmdline)
echo "server pid $pid, PostgreSQL pid $pgpid on port $pgport"

writer() {
  local n=$1 i=0 code
  while [ ! -f "$work/stop" ]; do
    code=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' --max-time 10 -X POST "http://127.0.0.1:$port/api/client/identify" \
      -H "Authorization: Bearer $PK" -H 'Content-Type: application/json' \
      -d "{\"external_id\":\"pgr-$n-$i\",\"data\":{\"i\":$i}}" || true)
    echo "pgr-$n-$i $code" >>"$work/log.$n"
    i=$((i + 1))
  done
}
health() { while [ ! -f "$work/stop" ]; do curl -s -o /dev/null -w '%{http_code}\n' "http://127.0.0.1:$aport/healthcheck" >>"$work/health"; sleep 0.5; done; }
pids=()
for n in $(seq 1 "$PAR"); do writer "$n" & pids+=($!); done
health & pids+=($!)
sleep 4
echo "stopping PostgreSQL (fast shutdown) for ${DOWN}s"
kill -INT "$pgpid"; while kill -0 "$pgpid" 2>/dev/null; do sleep 0.1; done
sleep "$DOWN"
echo "starting PostgreSQL again"
# PostgreSQL refuses to start as root from a shell; the restarted server runs as an unprivileged user
# that owns the (temporary) data directory. The Switchboard server is not restarted.
id pgdrill >/dev/null 2>&1 || useradd -M -r -s /bin/bash pgdrill
chown -R pgdrill "$work/data/pg"; chmod 700 "$work/data/pg"; chmod o+x "$work" "$work/data"
setsid su pgdrill -c "exec $pgcmd" >>"$work/pg-restart.log" 2>&1 < /dev/null &
sleep 8
[ -f "$work/data/pg/postmaster.pid" ] || { echo "PostgreSQL did not come back:"; cat "$work/pg-restart.log"; }
touch "$work/stop"; wait "${pids[@]}" 2>/dev/null || true

cat "$work"/log.* >"$work/all"
total=$(wc -l <"$work/all")
ok=$(awk '$2 == "204"' "$work/all" | wc -l)
unavailable=$(awk '$2 == "503"' "$work/all" | wc -l)
other5xx=$(awk '$2 ~ /^5/ && $2 != "503"' "$work/all" | wc -l)
other=$(awk '$2 !~ /^(204|503)$/' "$work/all" | wc -l)
slow503=$(awk '$2 == "503" && $3 > 3.0' "$work/all" | wc -l)
ok_after=$(tail -n "$((PAR * 5))" "$work/all" | awk '$2 == "204"' | wc -l)
awk '$2 == "204" {print $1}' "$work/all" | sort >"$work/acked"
psql_embedded "$work/data" "SELECT external_id FROM profiles WHERE external_id LIKE 'pgr-%'" | sort >"$work/found"
missing=$(comm -23 "$work/acked" "$work/found" | wc -l)
unhealthy=$(grep -vc '^200$' "$work/health" || true)
echo "requests: $total; 204: $ok; 503: $unavailable (slower than 3 s: $slow503); other 5xx: $other5xx; other: $other"
echo "health checks not 200 during the outage: $unhealthy; 204s among the last $((PAR * 5)) requests: $ok_after"
echo "acknowledged: $ok; missing after recovery: $missing"
kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true
[ "$missing" -eq 0 ] && [ "$other5xx" -eq 0 ] && [ "$unavailable" -gt 0 ] && [ "$ok_after" -gt 0 ] && [ "$slow503" -eq 0 ] \
  && echo "pg-restart drill: PASS" || { echo "pg-restart drill: FAIL"; exit 1; }
