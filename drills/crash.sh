#!/usr/bin/env bash
# Crash drill (operations.md "Durability and faults"): a load of acknowledged writes, SIGKILL of the
# server mid-load, restart, then: every acknowledged write is present, and none is duplicated.
#
#   drills/crash.sh [SECONDS_BEFORE_KILL] [PARALLEL]
#
# Writes are Parcelvoy identifies with unique external ids (each a new profile + identifier claim +
# history row in one transaction). A write counts as acknowledged only when the server answered 204.
set -euo pipefail
cd "$(dirname "$0")/.."
source drills/lib.sh
KILL_AFTER="${1:-8}" PAR="${2:-16}"
command -v psql >/dev/null || { apt-get install -y -qq postgresql-client >/dev/null; }
[ -f "$JAR" ] || mvn -B -q -DskipTests package

work=$(mktemp -d); trap 'kill -9 $(jobs -p) 2>/dev/null || true; pkill -9 -f "$work" 2>/dev/null || true' EXIT
port=$((20000 + RANDOM % 10000)); aport=$((port + 1))
pid=$(start_server "$work/data" $port $aport); wait_healthy $aport
read -r CO PK SK < <(create_company $port)
echo "server pid $pid, company $CO; loading with $PAR writers, SIGKILL after ${KILL_AFTER}s"

writer() {  # writer N: sequential identifies crash-N-i, logging each acknowledged id
  local n=$1 i=0 code
  while :; do
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST "http://127.0.0.1:$port/api/client/identify" \
      -H "Authorization: Bearer $PK" -H 'Content-Type: application/json' \
      -d "{\"external_id\":\"crash-$n-$i\",\"anonymous_id\":\"anon-crash-$n-$i\",\"data\":{\"i\":$i}}" || true)
    if [ "$code" = "204" ]; then echo "crash-$n-$i" >>"$work/acked.$n"; fi
    if [ "$code" = "000" ]; then break; fi
    i=$((i + 1))
  done
}
for n in $(seq 1 "$PAR"); do writer "$n" & done
sleep "$KILL_AFTER"
kill -9 "$pid"; echo "SIGKILL sent"
wait 2>/dev/null || true

pid=$(start_server "$work/data" $port $aport); wait_healthy $aport
cat "$work"/acked.* 2>/dev/null | sort >"$work/acked"
acked=$(wc -l <"$work/acked")
psql_embedded "$work/data" "SELECT external_id FROM profiles WHERE external_id LIKE 'crash-%' ORDER BY 1" | sort >"$work/found"
found=$(wc -l <"$work/found")
missing=$(comm -23 "$work/acked" "$work/found" | wc -l)
dups=$(psql_embedded "$work/data" "SELECT count(*) - count(DISTINCT external_id) FROM profiles WHERE external_id LIKE 'crash-%'")
claims=$(psql_embedded "$work/data" "SELECT count(*) FROM profile_identifiers WHERE kind = 'external_id' AND value LIKE 'crash-%'")
echo "acknowledged writes: $acked; found after restart: $found (incl. unacknowledged in-flight commits); missing: $missing; duplicates: $dups; claims: $claims"
kill "$pid"; wait "$pid" 2>/dev/null || true
[ "$acked" -gt 0 ] && [ "$missing" -eq 0 ] && [ "$dups" -eq 0 ] && [ "$claims" -eq "$found" ] && echo "crash drill: PASS" || { echo "crash drill: FAIL"; exit 1; }
