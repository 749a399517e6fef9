#!/usr/bin/env bash
# Citus drill (docs/scale.md): Switchboard on a coordinator + two workers, sharded by company.
#
#   drills/citus.sh            the full drill (about 10 min on 2 busy cores; plus ~3 min to build Citus once)
#   drills/citus.sh --short    CI variant: no SDK suite, shorter loads and throughput windows
#
# Builds Citus into Debian's PostgreSQL 15 if needed (../shared/vendor/build-citus.sh), starts a
# coordinator and two workers (pg_ctl, temp dirs, loopback ports), registers the workers, starts two
# Switchboard servers with databaseMode citus against the coordinator (the first start places the
# tables: reference, distributed by company_id and co-located, local), then checks:
#   1. placement: every tenant table distributed by company_id in one co-location group, directory
#      tables replicated, events partitioned and distributed
#   2. the SDK compatibility suite against server A (full drill only)
#   3. identical concurrent identifies over both servers end in one profile
#   4. campaign triggers of three companies over both servers: each send delivered exactly once
#   5. a short load of every ingestion dialect over both servers: every acknowledged event stored once
#   5b. audiences: a segment computed and kept current by the workers, a bulk import job done
#   6. crash: SIGKILL of server A under load; every acknowledged write present, none duplicated
#   7. how the rows of the companies are spread over the two workers (counted on the workers)
#   8. EXPLAIN of the main per-company reads and writes: one task, one shard, each
#   9. throughput: single events and Segment batches, Citus vs. an embedded single node, same run
# Exit status 0 only when every check passed. KEEP=1 keeps the temp dir (logs, EXPLAIN output).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
source drills/lib.sh
source drills/citus-lib.sh
SHORT=0
[ "${1:-}" = "--short" ] && SHORT=1
T0=$(date +%s)
elapsed() { echo "$(( $(date +%s) - T0 ))s"; }

citus_install
need=()
for t in wrk bc curl python3; do command -v $t >/dev/null || need+=("$t"); done
if [ ${#need[@]} -gt 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null; fi
[ -f "$JAR" ] || mvn -B -q -DskipTests package

work=$(mktemp -d /tmp/switchboard-citus.XXXXXX)
chmod 755 "$work"
PIDS=()
cleanup() {
  local rc=$?
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  citus_stop "$work/cluster"
  if [ "${KEEP:-0}" = 1 ] || [ $rc -ne 0 ]; then echo "(logs kept in $work)"; else rm -rf "$work"; fi
  exit $rc
}
trap cleanup EXIT INT TERM
fail=0
check() {  # check NAME CONDITION-EXIT-CODE
  if [ "$2" -eq 0 ]; then echo "   -> $1: PASS"; else echo "   -> $1: FAIL"; fail=1; fi
}

echo "== starting a coordinator and 2 workers ($(elapsed))"
citus_start "$work/cluster" 2
CP=$CITUS_COORD_PORT
echo "   coordinator 127.0.0.1:$CP, workers ${CITUS_WORKER_PORTS[*]} ($(cpsql $CP "SELECT 'Citus ' || extversion FROM pg_extension WHERE extname = 'citus'"), $("$PG_BIN/postgres" --version))"
q() { cpsql "$CP" "$1"; }

CENV=(SWITCHBOARD_DATABASE_URL="jdbc:postgresql://127.0.0.1:$CP/postgres" SWITCHBOARD_DATABASE_MODE=citus
      SWITCHBOARD_DELIVERY_ALLOW_PRIVATE_NETWORKS=true SWITCHBOARD_DELIVERY_WORKERS=2 SWITCHBOARD_DB_POOL_SIZE=12
      SWITCHBOARD_RATE_LIMIT_CEILING_FACTOR=0)   # the throughput step raises its companies' limits (no ceiling)
pa=$(free_port); aa=$(free_port); pb=$(free_port); ab=$(free_port)
# one after the other, as a rollout: two servers creating Liquibase's own tables on an empty database at
# the same instant can collide (a Liquibase limitation, not Citus's); B then finds everything placed
echo "== starting server A, then server B, against the coordinator ($(elapsed))"
A=$(start_server "$work/a" "$pa" "$aa" "${CENV[@]}"); PIDS+=("$A")
wait_healthy "$aa" 400 || { tail -40 "$work/a/server.log"; exit 1; }
B=$(start_server "$work/b" "$pb" "$ab" "${CENV[@]}"); PIDS+=("$B")
wait_healthy "$ab" 400 || { tail -40 "$work/b/server.log"; exit 1; }
grep -h "citus: placed" "$work"/a/server.log "$work"/b/server.log | sed 's/.*citus: /   citus: /' | cut -c1-160
echo "   servers up ($(elapsed))"

# ---- 1. placement ---------------------------------------------------------------------------------------
echo "== 1. placement"
q "SELECT citus_table_type, count(*), string_agg(DISTINCT colocation_id::text, ',') FROM citus_tables
   WHERE NOT table_name::text ~ '^events_(p[0-9]{6}|default)\$' GROUP BY 1 ORDER BY 1" |
  while IFS='|' read -r kind n coloc; do echo "   $kind: $n tables (co-location group $coloc)"; done
echo "   reference: $(q "SELECT string_agg(table_name::text, ', ' ORDER BY 1) FROM citus_tables WHERE citus_table_type = 'reference'")"
echo "   on the coordinator only: $(q "SELECT string_agg(c.relname, ', ' ORDER BY 1) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public' WHERE c.relkind IN ('r','p') AND NOT c.relispartition AND NOT EXISTS (SELECT 1 FROM pg_dist_partition p WHERE p.logicalrelid = c.oid)")"
echo "   events partitions: $(q "SELECT count(*) || ' (' || string_agg(c.relname, ' ' ORDER BY c.relname) || '), all distributed: ' || bool_and(p.partmethod = 'h') FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid LEFT JOIN pg_dist_partition p ON p.logicalrelid = c.oid WHERE i.inhparent = 'events'::regclass")"
bad=$(q "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
         JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'company_id'
         LEFT JOIN pg_dist_partition p ON p.logicalrelid = c.oid
         WHERE c.relkind IN ('r','p') AND c.relname NOT IN ('companies', 'api_keys', 'invitations', 'rate_limit_buckets')
           AND (p.partmethod IS DISTINCT FROM 'h' OR column_to_column_name(p.logicalrelid, p.partkey) <> 'company_id')")
groups=$(q "SELECT count(DISTINCT colocation_id) FROM citus_tables WHERE citus_table_type = 'distributed'")
check "tenant tables distributed by company_id ($bad not), in $groups co-location group(s)" $([ "$bad" -eq 0 ] && [ "$groups" -eq 1 ]; echo $?)

# companies of the drill
read -r CO PK SK < <(create_company "$pa")
read -r CO2 PK2 SK2 < <(create_company "$pb")
read -r CO3 PK3 SK3 < <(create_company "$pa")
cid() { q "SELECT id FROM companies WHERE public_id = '$1'"; }
echo "   companies $CO (id $(cid "$CO")), $CO2 (id $(cid "$CO2")), $CO3 (id $(cid "$CO3"))"

# ---- 2. SDK compatibility suite ----------------------------------------------------------------------------
if [ $SHORT = 0 ]; then
  echo "== 2. SDK compatibility suite against server A ($(elapsed))"
  set +e
  SWITCHBOARD_URL="http://127.0.0.1:$pa" SWITCHBOARD_ADMIN_TOKEN="$ADMIN_TOKEN" bash compat/run.sh >"$work/compat.log" 2>&1
  rc=$?
  set -e
  grep -E "^ℹ (tests|pass|fail|skipped)" "$work/compat.log" | sed 's/^/   /' | tr '\n' ' '; echo
  [ $rc -ne 0 ] && grep -E "^✖|not ok" "$work/compat.log" | head -20
  check "SDK compatibility suite (compat/run.sh)" $rc
else
  echo "== 2. SDK compatibility suite: skipped (--short)"
fi

# ---- 3. identical concurrent identifies --------------------------------------------------------------------
echo "== 3. 32 identical identifies, half to each server ($(elapsed))"
for i in $(seq 1 32); do
  port=$([ $((i % 2)) -eq 0 ] && echo "$pa" || echo "$pb")
  curl -s -o /dev/null -w '%{http_code}\n' -X POST "http://127.0.0.1:$port/api/client/identify" -H "Authorization: Bearer $PK" \
    -H 'Content-Type: application/json' -d '{"external_id":"twin","anonymous_id":"twin-anon","email":"twin@example.com"}' >>"$work/twin" &
done
wait $(jobs -p | grep -v -x -e "$A" -e "$B") 2>/dev/null || true
twins=$(q "SELECT count(*) FROM profiles WHERE company_id = $(cid "$CO") AND merged_into IS NULL AND external_id = 'twin'")
claims=$(q "SELECT count(*) FROM profile_identifiers WHERE company_id = $(cid "$CO") AND value IN ('twin', 'twin-anon', 'twin@example.com')")
echo "   $(grep -c '^204$' "$work/twin") x 204; live profiles with external_id twin: $twins; identifier claims: $claims"
check "one profile" $([ "$twins" -eq 1 ] && [ "$claims" -eq 3 ]; echo $?)

# ---- 4. campaign triggers, exactly once --------------------------------------------------------------------
echo "== 4. campaign triggers of 3 companies over both servers ($(elapsed))"
rport=$(free_port)
python3 drills/receiver.py "$rport" & RECV=$!; PIDS+=("$RECV")
sleep 0.5
J='Content-Type: application/vnd.api+json'
setup_campaign() {  # setup_campaign PUBLIC_ID SECRET_KEY -> campaign id
  local prov
  prov=$(curl -sf -X POST "http://127.0.0.1:$pa/admin/companies/$1/providers" -H "Authorization: Bearer $2" -H "$J" \
    -d '{"data":{"type":"provider","attributes":{"type":"webhook","name":"hook","config":{"url":"http://127.0.0.1:'"$rport"'"}}}}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["id"])')
  curl -sf -X POST "http://127.0.0.1:$pb/admin/companies/$1/campaigns" -H "Authorization: Bearer $2" -H "$J" \
    -d '{"data":{"type":"campaign","attributes":{"name":"drill","channel":"webhook","provider_id":"'"$prov"'","state":"active","subscription":"transactional","templates":{"en":{"method":"POST","url":"/send/'"$1"'/{{event.n}}","body":"{}"}}}}}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["id"])'
}
NT=$([ $SHORT = 1 ] && echo 40 || echo 100)
: >"$work/trig"
for c in "$CO:$SK" "$CO2:$SK2" "$CO3:$SK3"; do
  co=${c%%:*}; sk=${c#*:}
  camp=$(setup_campaign "$co" "$sk")
  seq 1 "$NT" | xargs -P 8 -I{} sh -c 'p=$(( {} % 2 == 0 ? '"$pa"' : '"$pb"' )); curl -s -o /dev/null -w "%{http_code}\n" -X POST "http://127.0.0.1:$p/api/client/campaigns/'"$camp"'/trigger" -H "Authorization: Bearer '"$sk"'" -H "Content-Type: application/json" -d "{\"user\":{\"external_id\":\"d-{}\"},\"event\":{\"n\":{}}}"' >>"$work/trig"
done
want=$((NT * 3))
for _ in $(seq 1 240); do
  got=$(curl -s "http://127.0.0.1:$rport/" | python3 -c 'import json,sys; c=json.load(sys.stdin); print(len(c))')
  [ "$got" -ge "$want" ] && break; sleep 0.5
done
sleep 2
read -r distinct total < <(curl -s "http://127.0.0.1:$rport/" | python3 -c 'import json,sys; c=json.load(sys.stdin); print(len(c), sum(c.values()))')
states=$(q "SELECT string_agg(state || ':' || n, ' ') FROM (SELECT state, count(*) n FROM sends GROUP BY 1 ORDER BY 1) x")
echo "   $want triggers ($(grep -c '^204$' "$work/trig") x 204): $distinct distinct sends received, $total requests in all; send states: $states"
check "each send delivered exactly once" $([ "$distinct" -eq "$want" ] && [ "$total" -eq "$want" ]; echo $?)

# ---- 5. every ingestion dialect ---------------------------------------------------------------------------
ND=$([ $SHORT = 1 ] && echo 60 || echo 200)
echo "== 5. $ND events per dialect over both servers, 16 at a time ($(elapsed))"
tag="t$(date +%s)"
python3 drills/dialect_load.py "$CO2" "$PK2" "$SK2" "$tag" "$ND" 16 "http://127.0.0.1:$pa" "http://127.0.0.1:$pb" >"$work/dialects"
sleep 1   # Klaviyo client events answer 202 after commit; nothing should be pending, but be fair
c2=$(cid "$CO2"); dl=0
while read -r src acked codes; do
  rows=$(q "SELECT count(*) FROM events WHERE company_id = $c2 AND source = '$src' AND name = 'drill $src $tag'")
  dist=$(q "SELECT count(DISTINCT dedup_key) FROM events WHERE company_id = $c2 AND source = '$src' AND name = 'drill $src $tag'")
  printf '   %-15s acknowledged %4s, stored %4s (distinct keys %4s) answers %s\n' "$src" "$acked" "$rows" "$dist" "$codes"
  [ "$acked" -eq "$ND" ] && [ "$rows" -eq "$acked" ] || dl=1
done <"$work/dialects"
check "every dialect: all acknowledged, each stored once" $dl

# ---- 5b. audiences: segments and bulk jobs ----------------------------------------------------------------
# the segment worker's and the job worker's claims (per company: Citus runs FOR UPDATE SKIP LOCKED within
# one shard only), the full recompute, the dirty-profiles queue fed by the write paths, a bulk import job
echo "== 5b. a segment and a bulk import job of company $CO3 over both servers ($(elapsed))"
KH=(-H "Authorization: Klaviyo-API-Key $SK3" -H 'revision: 2026-07-15' -H 'Content-Type: application/vnd.api+json')
seg_ok=1
for u in seg-1 seg-2; do
  curl -sf -o /dev/null -X POST "http://127.0.0.1:$pa/v1/identify" -u "$PK3:" -H 'Content-Type: application/json' \
    -d '{"userId":"'"$u"'","traits":{"plan":"pro"}}' || seg_ok=0
done
curl -sf -o /dev/null -X POST "http://127.0.0.1:$pa/v1/track" -u "$PK3:" -H 'Content-Type: application/json' \
  -d '{"userId":"seg-1","event":"drill seg"}' || seg_ok=0
metric=$(curl -sf "http://127.0.0.1:$pb/api/metrics" "${KH[@]}" |
  python3 -c 'import json,sys; print(next(m["id"] for m in json.load(sys.stdin)["data"] if m["attributes"]["name"] == "drill seg"))') || seg_ok=0
segid=$(curl -sf -X POST "http://127.0.0.1:$pb/api/segments" "${KH[@]}" -d '{"data":{"type":"segment","attributes":{"name":"drill","definition":{"condition_groups":[{"conditions":[{"type":"profile-metric","metric_id":"'"$metric"'","measurement":"count","measurement_filter":{"type":"numeric","operator":"greater-than-or-equal","value":1},"timeframe_filter":{"type":"date","operator":"alltime"}}]}]}}}}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["id"])') || seg_ok=0
members() { curl -sf "http://127.0.0.1:$pa/api/segments/$segid/relationships/profiles" "${KH[@]}" |
  python3 -c 'import json,sys; print(len(json.load(sys.stdin)["data"]))' 2>/dev/null || echo -1; }
t0=$(date +%s); n=0
for _ in $(seq 1 120); do n=$(members); [ "$n" = 1 ] && break; sleep 0.5; done
echo "   full recompute: $n member(s) after $(( $(date +%s) - t0 )) s (want 1)"
[ "$n" = 1 ] || seg_ok=0
curl -sf -o /dev/null -X POST "http://127.0.0.1:$pb/v1/track" -u "$PK3:" -H 'Content-Type: application/json' \
  -d '{"userId":"seg-2","event":"drill seg"}' || seg_ok=0
t0=$(date +%s)
for _ in $(seq 1 120); do n=$(members); [ "$n" = 2 ] && break; sleep 0.5; done
echo "   after an event of a second profile (queued by the write, drained by the worker): $n member(s) after $(( $(date +%s) - t0 )) s (want 2)"
[ "$n" = 2 ] || seg_ok=0
job=$(curl -sf -X POST "http://127.0.0.1:$pa/api/profile-bulk-import-jobs" "${KH[@]}" -d '{"data":{"type":"profile-bulk-import-job","attributes":{"profiles":{"data":[{"type":"profile","attributes":{"email":"imp-1@example.com"}},{"type":"profile","attributes":{"email":"imp-2@example.com"}}]}}}}' |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["data"]["id"])') || seg_ok=0
st=""
for _ in $(seq 1 120); do
  st=$(curl -sf "http://127.0.0.1:$pb/api/profile-bulk-import-jobs/$job" "${KH[@]}" |
    python3 -c 'import json,sys; a=json.load(sys.stdin)["data"]["attributes"]; print(a["status"], a["completed_count"])' 2>/dev/null)
  [ "$st" = "complete 2" ] && break; sleep 0.5
done
echo "   bulk import job: $st (want complete 2); queue rows left: $(q "SELECT count(*) FROM segment_dirty_profiles")"
[ "$st" = "complete 2" ] || seg_ok=0
check "segments recomputed and kept current, bulk job worked, on Citus" $([ $seg_ok = 1 ]; echo $?)

# ---- 6. crash: SIGKILL of server A under load --------------------------------------------------------------
KILL_AFTER=$([ $SHORT = 1 ] && echo 5 || echo 8); PAR=12
echo "== 6. SIGKILL of server A after ${KILL_AFTER}s of identifies ($PAR writers, half to each server) ($(elapsed))"
writer() {
  local n=$1 i=0 code port
  while :; do
    port=$([ $((n % 2)) -eq 0 ] && echo "$pa" || echo "$pb")
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 -X POST "http://127.0.0.1:$port/api/client/identify" \
      -H "Authorization: Bearer $PK3" -H 'Content-Type: application/json' \
      -d "{\"external_id\":\"crash-$n-$i\",\"anonymous_id\":\"anon-crash-$n-$i\",\"data\":{\"i\":$i}}" || true)
    [ "$code" = 204 ] && echo "crash-$n-$i" >>"$work/acked.$n"
    [ "$code" = 000 ] && break
    [ -f "$work/stop" ] && break
    i=$((i + 1))
  done
}
wpids=()
for n in $(seq 1 $PAR); do writer "$n" & wpids+=($!); done
sleep "$KILL_AFTER"
kill -9 "$A"; echo "   SIGKILL sent to server A (pid $A)"
sleep 2; touch "$work/stop"
wait "${wpids[@]}" 2>/dev/null || true
A=$(start_server "$work/a" "$pa" "$aa" "${CENV[@]}"); PIDS+=("$A"); wait_healthy "$aa" 300
c3=$(cid "$CO3")
cat "$work"/acked.* 2>/dev/null | sort >"$work/acked"
q "SELECT external_id FROM profiles WHERE company_id = $c3 AND external_id LIKE 'crash-%'" | sort >"$work/found"
acked=$(wc -l <"$work/acked"); found=$(wc -l <"$work/found")
missing=$(comm -23 "$work/acked" "$work/found" | wc -l)
dups=$(q "SELECT count(*) - count(DISTINCT external_id) FROM profiles WHERE company_id = $c3 AND external_id LIKE 'crash-%'")
claims=$(q "SELECT count(*) FROM profile_identifiers WHERE company_id = $c3 AND kind = 'external_id' AND value LIKE 'crash-%'")
prepared=$(q "SELECT count(*) FROM pg_prepared_xacts")
echo "   acknowledged: $acked; found after restart: $found; missing: $missing; duplicates: $dups; claims: $claims; prepared transactions left on the coordinator: $prepared"
check "nothing acknowledged lost" $([ "$acked" -gt 0 ] && [ "$missing" -eq 0 ] && [ "$dups" -eq 0 ] && [ "$claims" -eq "$found" ]; echo $?)

# ---- 7. spread over the workers ---------------------------------------------------------------------------
echo "== 7. rows per company and worker (counted on the workers' shards) ($(elapsed))"
for i in 4 5 6; do read -r _c _p _s < <(create_company "$pb"); python3 drills/dialect_load.py "$_c" "$_p" "$_s" "spread$i" 10 4 "http://127.0.0.1:$pb" >/dev/null; done
# per shard placement, straight from the worker that holds it
for t in profiles events profile_identifiers sends; do
  q "SELECT nodeport, shardid, result FROM run_command_on_placements('$t', \$\$SELECT coalesce(string_agg(company_id || ':' || n, ' '), '') FROM (SELECT company_id, count(*) n FROM %s GROUP BY 1) x\$\$)" |
    while IFS='|' read -r port shard res; do for kv in $res; do echo "$t ${kv%%:*} $port ${kv#*:}"; done; done
done >"$work/spread"
python3 - "$work/spread" "$(q "SELECT string_agg(id || ':' || public_id, ' ') FROM companies")" <<'PY'
import sys, collections
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
names = dict(kv.split(":") for kv in sys.argv[2].split())
tables = ["profiles", "profile_identifiers", "events", "sends"]
by = collections.defaultdict(lambda: collections.defaultdict(int)); nodes = collections.defaultdict(set)
for t, c, port, n in rows:
    by[c][t] += int(n); nodes[c].add(port)
print("   company (id)    worker port  " + "  ".join(f"{t:>19}" for t in tables))
tot = collections.defaultdict(lambda: collections.defaultdict(int))
for c in sorted(by, key=int):
    port = ",".join(sorted(nodes[c]))
    print(f"   {names.get(c, '?')} ({c:>3})     {port:>11}  " + "  ".join(f"{by[c][t]:>19}" for t in tables))
    for t in tables: tot[port][t] += by[c][t]
for port in sorted(tot):
    print(f"   worker {port:>11} total  " + "  ".join(f"{tot[port][t]:>19}" for t in tables))
split = [c for c in by if len(nodes[c]) > 1]
print(f"   companies whose rows span more than one worker: {len(split)}; workers holding rows: {len(tot)}")
sys.exit(1 if split or len(tot) < 2 else 0)
PY
check "each company on one worker, both workers used" $?

# ---- 7b. a third worker and a rebalance (full drill only) ---------------------------------------------------
if [ $SHORT = 0 ]; then
  echo "== 7b. adding a third worker and rebalancing while the servers run ($(elapsed))"
  W3=$(free_port)
  citus_node "$work/cluster/worker3" "$W3"
  q "SELECT citus_add_node('127.0.0.1', $W3)" >/dev/null
  before=$(q "SELECT (SELECT count(*) FROM profiles) || ' ' || (SELECT count(*) FROM events) || ' ' || (SELECT count(*) FROM sends)")
  t_rb=$(date +%s)
  # block_writes: no logical replication needed (wal_level stays replica); writes to a moving shard group wait
  q "SELECT citus_rebalance_start(shard_transfer_mode => 'block_writes')" >/dev/null
  q "CALL citus_rebalance_wait()" >/dev/null 2>&1 || q "SELECT citus_rebalance_wait()" >/dev/null
  after=$(q "SELECT (SELECT count(*) FROM profiles) || ' ' || (SELECT count(*) FROM events) || ' ' || (SELECT count(*) FROM sends)")
  shards=$(q "SELECT string_agg(nodeport || ':' || n, ' ' ORDER BY nodeport) FROM (SELECT nodeport, count(*) n FROM citus_shards WHERE table_name = 'profiles'::regclass GROUP BY 1) x")
  code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$pb/api/client/identify" -H "Authorization: Bearer $PK" \
    -H 'Content-Type: application/json' -d '{"external_id":"after-rebalance","email":"after-rebalance@example.com"}')
  echo "   profiles shards per worker port: $shards; rebalance took $(( $(date +%s) - t_rb ))s"
  echo "   rows (profiles events sends) before: $before, after: $after; an identify after the move: $code"
  check "rebalanced onto 3 workers, no row lost, still serving" $([ "$before" = "$after" ] && [ "$code" = 204 ] && [ "$(wc -w <<<"$shards")" -eq 3 ]; echo $?)
fi

# ---- 8. EXPLAIN: router plans -----------------------------------------------------------------------------
echo "== 8. EXPLAIN of per-company reads and writes ($(elapsed))"
c=$(cid "$CO3"); pid=$(q "SELECT id FROM profiles WHERE company_id = $c LIMIT 1")
explain() {  # explain LABEL SQL
  local out; out=$(q "EXPLAIN (COSTS OFF) $2" 2>&1) || true
  { echo "-- $1"; echo "$2;"; echo "$out"; echo; } >>"$work/explain.txt"
  local tasks node kind
  tasks=$( (grep -oE 'Task Count: [0-9]+' <<<"$out" || true) | head -1 | grep -oE '[0-9]+' || true)
  node=$( (grep -oE 'port=[0-9]+' <<<"$out" || true) | sort -u | tr '\n' ' ')
  kind=$( (grep -oE 'Custom Scan \(Citus [A-Za-z ./]+\)' <<<"$out" || true) | head -1)
  if grep -q 'pull to coordinator' <<<"$out"; then
    # INSERT … SELECT FROM unnest(arrays): the coordinator evaluates the arrays and sends the rows to the
    # shards they belong to; company_id is one constant, so that is one shard
    kind="INSERT…SELECT, pull to coordinator"; tasks="1*"
  fi
  grep -q 'could not run distributed query' <<<"$out" && kind="refused: $(grep -o 'could not run distributed query[^\n]*' <<<"$out" | head -1)"
  printf '   %-50s tasks %-3s %-36s %s\n' "$1" "${tasks:-?}" "$kind" "$node"
  echo "$1|${tasks:-?}" >>"$work/explain.tasks"
}
explain "identify: owners of identifiers" "SELECT i.kind, i.value, i.profile_id FROM unnest('{external_id,email}'::text[], '{u1,u1@example.com}'::text[]) AS t(k, v) CROSS JOIN LATERAL (SELECT x.kind, x.value, x.profile_id FROM profile_identifiers x WHERE x.company_id = $c AND x.kind = t.k AND x.value = t.v OFFSET 0) i"
explain "identify: lock profiles" "SELECT id FROM profiles WHERE company_id = $c AND id = ANY('{$pid}') ORDER BY id FOR UPDATE"
explain "identify: claim identifiers" "INSERT INTO profile_identifiers (company_id, kind, value, profile_id) VALUES ($c, 'email', 'x@example.com', '$pid') ON CONFLICT DO NOTHING RETURNING kind"
explain "identify: update profile" "UPDATE profiles SET updated_at = now() WHERE company_id = $c AND id = '$pid'"
explain "events: insert (one request's rows)" "INSERT INTO events (company_id, occurred_at, id, profile_id, type, name, source) SELECT $c, now(), t.id, '$pid', 'track', 'x', 'drill' FROM unnest('{01J0000000000000000000000A}'::text[]) AS t(id)"
explain "events: idempotency keys" "INSERT INTO idempotency_keys (company_id, scope, key, expires_at) SELECT $c, t.s, t.k, now() FROM unnest('{segment}'::text[], '{m1}'::text[]) AS t(s, k) ON CONFLICT DO NOTHING RETURNING key"
explain "events: a profile's timeline" "SELECT e.id FROM events e LEFT JOIN metrics m ON m.company_id = e.company_id AND m.name = e.name WHERE e.company_id = $c AND e.profile_id = ANY('{$pid}') AND e.occurred_at >= now() - interval '30 days' ORDER BY e.occurred_at DESC, e.id DESC LIMIT 50"
explain "profiles: list by update time" "SELECT id FROM profiles WHERE company_id = $c AND merged_into IS NULL ORDER BY updated_at, id LIMIT 20"
explain "delivery: claim a company's due sends" "WITH due AS (SELECT company_id, id FROM sends WHERE company_id = $c AND state IN ('pending', 'throttled', 'sending') AND next_attempt_at <= now() ORDER BY next_attempt_at LIMIT 10 FOR UPDATE SKIP LOCKED) UPDATE sends s SET state = 'sending' FROM due WHERE s.company_id = $c AND s.company_id = due.company_id AND s.id = due.id RETURNING s.id"
explain "delivery: the old cross-company claim (refused)" "SELECT company_id, id FROM sends WHERE state = 'pending' ORDER BY next_attempt_at LIMIT 10 FOR UPDATE SKIP LOCKED"
explain "events: metrics upsert" "INSERT INTO metrics (company_id, id, name) SELECT $c, t.id, t.n FROM unnest('{01J0000000000000000000000M}'::text[], '{x}'::text[]) AS t(id, n) ORDER BY t.n ON CONFLICT DO NOTHING"
multi=$(grep -v "refused" "$work/explain.tasks" | awk -F'|' '$2 != 1 && $2 != "1*"' | wc -l)
echo "   (1* = the rows of one company, one shard; full plans: docs/scale.md)"
check "every per-company statement runs on one shard" $([ "$multi" -eq 0 ]; echo $?)

# ---- 9. throughput: Citus vs single node --------------------------------------------------------------------
DUR=$([ $SHORT = 1 ] && echo 5 || echo 15); WARM=$([ $SHORT = 1 ] && echo 2 || echo 5)
echo "== 9. throughput, ${DUR}s per workload after ${WARM}s warm-up, wrk -t2 (single events: 64 conns, Segment batches of 100: 16 conns) ($(elapsed))"
kill "$B" 2>/dev/null || true   # one server per setup, as bench/run
LIMIT='{"burst_per_second":1000000,"steady_per_minute":60000000}'
bench_one() {  # bench_one LABEL HTTP_PORT -> prints "label pv_rps segment_eps"
  local port=$1 co pk sk
  read -r co pk sk < <(create_company "$port")
  curl -fsS -o /dev/null -X PATCH "http://127.0.0.1:$port/admin/companies/$co" -H "Authorization: Bearer $sk" -H "$J" \
    -d '{"data":{"type":"company","id":"'"$co"'","attributes":{"settings":{"rate_limits":{"client":'"$LIMIT"',"ingestion":'"$LIMIT"'}}}}}'
  export BENCH_DIR="$ROOT/bench" BENCH_PK="$pk" BENCH_SK="$sk" BENCH_COMPANY="$co" BENCH_BASIC=$(printf '%s:' "$pk" | base64 -w0) BENCH_RUN="r$RANDOM"
  local res=()
  for w in "pv_event.lua 64 1" "segment_batch.lua 16 100"; do
    set -- $w
    wrk -t2 -c"$2" -d"${WARM}s" --timeout 10s -s "bench/$1" "http://127.0.0.1:$port" >/dev/null 2>&1 || true
    local line; line=$(wrk -t2 -c"$2" -d"${DUR}s" --timeout 10s -s "bench/$1" "http://127.0.0.1:$port" 2>&1 | grep '^RESULT' || true)
    local requests duration_us p99_us status
    eval "$(sed 's/^RESULT //' <<<"$line" | tr ' ' '\n' | grep -E '^(requests|duration_us|p99_us|status)=')"
    res+=("$(python3 -c "print(f'{$3*$requests/($duration_us/1e6):.0f} (p99 {$p99_us/1000:.0f} ms, {$status} errors)')")")
  done
  echo "${res[0]}|${res[1]}"
}
IFS='|' read -r citus_pv citus_sg < <(bench_one "$pa")
# the single node: the same PostgreSQL 15 build and settings as the cluster's nodes, without Citus
SP=$(free_port)
citus_node "$work/cluster/single" "$SP" plain
ps_=$(free_port); as_=$(free_port)
S=$(start_server "$work/single" "$ps_" "$as_" SWITCHBOARD_DATABASE_URL="jdbc:postgresql://127.0.0.1:$SP/postgres" \
  SWITCHBOARD_RATE_LIMIT_CEILING_FACTOR=0); PIDS+=("$S")
wait_healthy "$as_" 300
IFS='|' read -r single_pv single_sg < <(bench_one "$ps_")
printf '   %-42s %-32s %s\n' "setup (one Switchboard server)" "single events/s" "Segment batch events/s"
printf '   %-42s %-32s %s\n' "single node (PostgreSQL 15)" "$single_pv" "$single_sg"
printf '   %-42s %-32s %s\n' "Citus: coordinator + 2 workers (PG 15)" "$citus_pv" "$citus_sg"
echo "   (all nodes, the server and wrk share this machine's $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg))"

[ "${KEEP:-0}" = 1 ] && echo "EXPLAIN output: $work/explain.txt"
cp "$work/explain.txt" "${EXPLAIN_OUT:-/dev/null}" 2>/dev/null || true
echo "== citus drill finished in $(elapsed)"
[ $fail -eq 0 ] && echo "citus drill: PASS" || { echo "citus drill: FAIL"; exit 1; }
