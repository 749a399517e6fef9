#!/usr/bin/env bash
# SDK compatibility suite: drives the vendors' real SDKs (compat/test/*.test.mjs) against a running
# Switchboard. Builds nothing: it needs target/switchboard.jar (mvn -B package -DskipTests) unless
# a server is given.
#
#   Against a running server:   SWITCHBOARD_URL=http://localhost:8080 SWITCHBOARD_COMPANY_ID=… \
#                               SWITCHBOARD_PUBLIC_KEY=pk_… SWITCHBOARD_SECRET_KEY=sk_… compat/run.sh
#   Or with SWITCHBOARD_URL and SWITCHBOARD_ADMIN_TOKEN only: a company is created through the admin API.
#   Otherwise: starts `java -jar target/switchboard.jar server config.yml` on free ports with a
#   temporary data directory (embedded PostgreSQL) and a random admin token, creates a company,
#   runs the suite and stops the server.
#
# Exits non-zero when any test fails; prints node's test summary.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
cd "$HERE"

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

SERVER_PID=""
DATA_DIR=""
cleanup() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$SERVER_PID" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$SERVER_PID" 2>/dev/null || true
  fi
  if [ -n "$DATA_DIR" ]; then rm -rf "$DATA_DIR"; fi
}
trap cleanup EXIT

free_port() { node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"; }

if [ -z "${SWITCHBOARD_URL:-}" ]; then
  JAR="$ROOT/target/switchboard.jar"
  if [ ! -f "$JAR" ]; then
    echo "compat/run.sh: $JAR not found; build it first: mvn -B package -DskipTests" >&2
    exit 2
  fi
  DATA_DIR="$(mktemp -d)"
  PORT="$(free_port)"
  ADMIN_PORT="$(free_port)"
  export SWITCHBOARD_ADMIN_TOKEN="compat-$(node -e "console.log(require('crypto').randomBytes(16).toString('hex'))")"
  SWITCHBOARD_DATA_DIR="$DATA_DIR" SWITCHBOARD_HTTP_PORT="$PORT" SWITCHBOARD_ADMIN_PORT="$ADMIN_PORT" \
    SWITCHBOARD_CREATE_DEMO_COMPANY=false SWITCHBOARD_DELIVERY_ALLOW_PRIVATE_NETWORKS=true \
    java -Xmx512m -jar "$JAR" server "$ROOT/config.yml" >"$DATA_DIR/server.log" 2>&1 &
  SERVER_PID=$!
  export SWITCHBOARD_URL="http://127.0.0.1:$PORT"
  # this server may deliver to this machine: the portal's campaign test sends to an SMTP sink in the test
  export PORTAL_LOCAL_DELIVERY=1
  for i in $(seq 1 240); do
    if curl -fsS "http://127.0.0.1:$ADMIN_PORT/healthcheck" >/dev/null 2>&1; then break; fi
    if ! kill -0 "$SERVER_PID" 2>/dev/null; then
      echo "compat/run.sh: the server exited during start-up:" >&2; tail -50 "$DATA_DIR/server.log" >&2; exit 2
    fi
    if [ "$i" = 240 ]; then echo "compat/run.sh: the server did not become healthy in 120 s" >&2; tail -50 "$DATA_DIR/server.log" >&2; exit 2; fi
    sleep 0.5
  done
fi

if [ -z "${SWITCHBOARD_SECRET_KEY:-}" ]; then
  if [ -z "${SWITCHBOARD_ADMIN_TOKEN:-}" ]; then
    echo "compat/run.sh: set SWITCHBOARD_SECRET_KEY, SWITCHBOARD_PUBLIC_KEY and SWITCHBOARD_COMPANY_ID, or SWITCHBOARD_ADMIN_TOKEN" >&2
    exit 2
  fi
  COMPANY_JSON="$(curl -fsS -X POST "$SWITCHBOARD_URL/admin/companies" \
    -H "Authorization: Bearer $SWITCHBOARD_ADMIN_TOKEN" -H 'Content-Type: application/vnd.api+json' \
    -d '{"data":{"type":"company","attributes":{"name":"SDK compatibility"}}}')"
  eval "$(printf '%s' "$COMPANY_JSON" | node -e '
    const j = JSON.parse(require("fs").readFileSync(0, "utf8"));
    const q = (s) => "\x27" + String(s).replace(/\x27/g, "") + "\x27";
    console.log(`export SWITCHBOARD_COMPANY_ID=${q(j.data.id)} SWITCHBOARD_PUBLIC_KEY=${q(j.meta.public_key)} SWITCHBOARD_SECRET_KEY=${q(j.meta.secret_key)}`);')"
fi

set +e
node --test --test-reporter=spec test/*.test.mjs
STATUS=$?
set -e
if [ "$STATUS" -ne 0 ] && [ -n "$DATA_DIR" ]; then
  echo "--- last server log lines ---" >&2; tail -40 "$DATA_DIR/server.log" >&2
fi
exit "$STATUS"
