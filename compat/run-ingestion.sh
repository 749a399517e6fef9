#!/usr/bin/env bash
# Runs the Dittofeed and Segment SDK compat tests against a fresh server (embedded PostgreSQL in a
# temporary directory). Usage: compat/run-ingestion.sh   (builds the jar when missing)
set -euo pipefail
cd "$(dirname "$0")/.."
JAR=target/switchboard.jar
[ -f "$JAR" ] || mvn -B -q -DskipTests package
(cd compat && npm install --no-audit --no-fund --silent)
work=$(mktemp -d)
port=$((20000 + RANDOM % 10000)); aport=$((port + 1))
export SWITCHBOARD_ADMIN_TOKEN=compat-admin-token SWITCHBOARD_DATA_DIR="$work/data" SWITCHBOARD_HTTP_PORT=$port \
  SWITCHBOARD_ADMIN_PORT=$aport SWITCHBOARD_CREATE_DEMO_COMPANY=false
java -Xmx256m -jar "$JAR" server config.yml >"$work/server.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do
  curl -sf "http://127.0.0.1:$aport/healthcheck" >/dev/null 2>&1 && break
  kill -0 $pid 2>/dev/null || { cat "$work/server.log"; exit 1; }
  sleep 0.5
done
cd compat
SWITCHBOARD_URL="http://127.0.0.1:$port" node --test test/dittofeed.test.mjs test/segment.test.mjs
