#!/usr/bin/env bash
# Runs README.md's ```bash blocks top to bottom, as written, in one shell, against a freshly started server,
# and fails on the first example that answers an HTTP error (or whose command fails).
#
# What it does beyond pasting each block into a shell (all visible in the output):
#   - a fresh data directory and two free ports (exported as SWITCHBOARD_DATA_DIR / _HTTP_PORT / _ADMIN_PORT);
#     "localhost:8080"/"8081" in the blocks are read as those ports;
#   - a block marked <!-- readme-check: server --> starts the server in the foreground: it runs in the
#     background here (the previous server is stopped first, like Ctrl-C), and the script waits until the
#     server says it is ready;
#   - a block marked <!-- readme-check: paste --> stands for the line the server printed: that line is used;
#   - a block marked <!-- readme-check: skip ... --> is not run (CI runs it on its own);
#   - curl is wrapped: each call prints its status, method and path; a status of 400 or more fails the run.
# Usage: .ci/readme-examples.sh [README.md]   (needs JDK 17, Maven, curl, jq)
set -euo pipefail
cd "$(dirname "$0")/.."
readme=${1:-README.md}
for tool in curl jq java mvn; do command -v $tool >/dev/null || { echo "readme-examples: $tool is missing" >&2; exit 2; }; done

work=$(mktemp -d)
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
  || echo $((20000 + RANDOM % 20000)); }
export SWITCHBOARD_DATA_DIR=$work/data SWITCHBOARD_HTTP_PORT=$(free_port) SWITCHBOARD_ADMIN_PORT=$(free_port)
echo "== README examples: data in a fresh directory, API port $SWITCHBOARD_HTTP_PORT, admin port $SWITCHBOARD_ADMIN_PORT"

# split the README into numbered blocks: <n>.<kind> (run | server | paste | skip)
mkdir -p "$work/blocks"
awk -v dir="$work/blocks" '
  /<!-- readme-check: server -->/ { kind = "server"; next }
  /<!-- readme-check: paste -->/  { kind = "paste"; next }
  /<!-- readme-check: skip/       { kind = "skip"; next }
  /^```bash[[:space:]]*$/ && !inblock { inblock = 1; n++; if (kind == "") kind = "run";
                                         file = sprintf("%s/%02d.%s", dir, n, kind); printf "" > file;
                                         printf "%02d %s %d\n", n, kind, NR > (dir "/index"); next }
  /^```[[:space:]]*$/ && inblock      { inblock = 0; kind = ""; close(file); next }
  inblock                              { gsub(/localhost:8080/, "localhost:" ENVIRON["SWITCHBOARD_HTTP_PORT"]);
                                         gsub(/localhost:8081/, "localhost:" ENVIRON["SWITCHBOARD_ADMIN_PORT"]);
                                         print > file; next }
  /^[^<]/ { kind = "" }
' "$readme"

# the session the blocks run in: helpers first, then every block in order
session=$work/session.sh
cat > "$session" <<'HELPERS'
set -euo pipefail
server_pid=
server_log=
readme_stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -INT -- "-$server_pid" 2>/dev/null || true
    for _ in $(seq 1 60); do kill -0 "$server_pid" 2>/dev/null || break; sleep 1; done
    kill -KILL -- "-$server_pid" 2>/dev/null || true
  fi
  server_pid=
}
trap readme_stop_server EXIT
readme_server() {  # $1: block file, $2: log file
  readme_stop_server
  server_log=$2
  setsid bash "$1" > "$server_log" 2>&1 &
  server_pid=$!
  local t0=$SECONDS
  until grep -q 'Switchboard is ready' "$server_log"; do
    if ! kill -0 "$server_pid" 2>/dev/null; then echo "server exited:"; cat "$server_log"; exit 1; fi
    if [ $((SECONDS - t0)) -gt 600 ]; then echo "server not ready after 600 s:"; tail -50 "$server_log"; exit 1; fi
    sleep 1
  done
  echo "   server ready after $((SECONDS - t0)) s; its console:"
  sed 's/^/   | /' "$server_log"
}
readme_paste() {  # the export line the server printed
  local line
  line=$(grep -m1 -E '^ *export SB=' "$server_log" | sed 's/^ *//')
  [ -n "$line" ] || { echo "the server printed no export line"; exit 1; }
  echo "   pasted: ${line%% PK=*} PK=… SK=…"
  eval "$line"
}
curl() {
  local body code method=GET path=
  body=$(mktemp)
  local prev=
  for a in "$@"; do
    case "$prev" in -X|--request) method=$a ;; esac
    case "$a" in -d|--data|--data-*) [ "$method" = GET ] && method=POST ;; esac
    case "$a" in http://*|https://*) path=${a#http*://*/}; path=/${path} ;; esac
    prev=$a
  done
  case " $* " in *" -G "*) method=GET ;; esac
  code=$(command curl -sS -o "$body" -w '%{http_code}' "$@") || { echo "curl failed: $method $path" >&2; rm -f "$body"; return 1; }
  cat "$body"; [ -s "$body" ] && echo; rm -f "$body"
  echo "   ✓ $code $method ${path%%\?*}" >&2
  if [ "$code" -ge 400 ]; then echo "   ✗ README example answered HTTP $code: $method $path" >&2; exit 1; fi
}
HELPERS
while read -r n kind line; do
  f=$(ls "$work/blocks/$n".*)
  printf 'echo; echo "== block %s (%s, README line %s) at +${SECONDS}s"\n' "$n" "$kind" "$line" >> "$session"
  case "$kind" in
    server) echo "readme_server '$f' '$work/server-$n.log'" >> "$session" ;;
    paste)  echo "readme_paste" >> "$session" ;;
    skip)   echo "echo '   skipped'" >> "$session" ;;
    run)    { echo "sed 's/^/   \$ /' '$f'"; echo "echo"; cat "$f"; echo; echo "echo"; } >> "$session" ;;
  esac
done < "$work/blocks/index"
echo "echo; echo '== README examples: all blocks ran, no HTTP error'" >> "$session"

t0=$SECONDS
status=0
bash "$session" || status=$?
echo "== README examples finished in $((SECONDS - t0)) s (exit $status)"
[ "$status" -eq 0 ] && rm -rf "$work" || echo "   work directory kept: $work"
exit "$status"
