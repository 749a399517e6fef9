#!/usr/bin/env bash
# Slow-client drill (issue 11, finding 2; docs/operations.md "The HTTP edge"): N connections to loopback
# each send the headers of a POST /v1/batch (Content-Length 100,000) and then trickle its body one byte
# every 5 s, reconnecting when the server cuts them, for DURATION seconds; meanwhile normal requests
# (single Segment track calls, 4 at a time) must keep being answered. Prints the normal requests' count,
# failures and p50/p99/max, how the slow connections were answered, and /health. Bounded: N ≤ 2000,
# DURATION ≤ 90 s, loopback only.
#
#   drills/slow-clients.sh [N] [DURATION_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
source drills/lib.sh
N="${1:-1200}" DURATION="${2:-30}"
[ "$N" -le 2000 ] || { echo "N is capped at 2000" >&2; exit 2; }
[ "$DURATION" -le 90 ] || { echo "DURATION is capped at 90 s" >&2; exit 2; }
ulimit -n $((N + 1024)) 2>/dev/null || true
[ -f "$JAR" ] || mvn -B -q -DskipTests package

work=$(mktemp -d); trap 'kill -9 $(jobs -p) 2>/dev/null || true; pkill -9 -f "$work" 2>/dev/null || true' EXIT
port=$((20000 + RANDOM % 10000)); aport=$((port + 1))
pid=$(start_server "$work/data" $port $aport); wait_healthy $aport
read -r CO PK SK < <(create_company $port)
echo "server pid $pid on 127.0.0.1:$port; $N slow connections for $DURATION s"

cat >"$work/normal.py" <<'PY'
# normal clients: 4 threads of single Segment track calls for SECONDS; prints "count fails p50 p99 max"
import base64, http.client, json, sys, threading, time
port, pk, seconds = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
auth = "Basic " + base64.b64encode((pk + ":").encode()).decode()
stop, lock, lat, fails = time.time() + seconds, threading.Lock(), [], []
def normal(k):
    i = 0
    while time.time() < stop:
        t0 = time.time()
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            c.request("POST", "/v1/track", json.dumps({"type": "track", "event": "Drill", "userId": f"n{k}-{i}"}),
                      {"Content-Type": "application/json", "Authorization": auth})
            r = c.getresponse(); r.read(); c.close()
            with lock:
                if r.status == 200: lat.append((time.time() - t0) * 1000)
                else: fails.append(r.status)
        except Exception as e:
            with lock: fails.append(type(e).__name__)
        i += 1
        time.sleep(0.05)
ts = [threading.Thread(target=normal, args=(k,)) for k in range(4)]
for t in ts: t.start()
for t in ts: t.join()
lat.sort()
pct = lambda p: lat[min(len(lat) - 1, int(p / 100 * len(lat)))] if lat else -1
print(len(lat), len(fails), round(pct(50)), round(pct(99)), round(lat[-1]) if lat else -1, ",".join(sorted(set(map(str, fails))))[:80] or "-")
PY
cat >"$work/slow.py" <<'PY'
# N slow connections trickling a /v1/batch body, one byte per connection every 5 s, reconnecting when cut
import base64, socket, sys, threading, time
port, pk, n, seconds = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
auth = "Basic " + base64.b64encode((pk + ":").encode()).decode()
head = ("POST /v1/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: " + auth
        + "\r\nContent-Length: 100000\r\n\r\n{").encode()
stop, lock, answers = time.time() + seconds, threading.Lock(), {}
def count(k):
    with lock: answers[k] = answers.get(k, 0) + 1
def connect():
    s = socket.create_connection(("127.0.0.1", port), timeout=5)
    s.setblocking(False)
    try: s.send(head)
    except OSError: pass
    return s
def worker(m):
    socks = []
    for _ in range(m):
        try: socks.append(connect())
        except OSError: count("connect failed")
    while time.time() < stop:
        time.sleep(min(5, max(0, stop - time.time())))
        for i, s in enumerate(socks):
            closed = False
            try:
                data = s.recv(200)
                count(data.split(b"\r\n", 1)[0].decode(errors="replace") if data else "closed"); closed = True
            except BlockingIOError: pass
            except OSError as e: count(type(e).__name__); closed = True
            if not closed:
                try: s.send(b" ")
                except OSError: closed = True
            if closed and time.time() < stop:
                s.close()
                try: socks[i] = connect()
                except OSError: count("reconnect failed")
    for s in socks: s.close()
ts = [threading.Thread(target=worker, args=(n // 4 + (1 if k < n % 4 else 0),)) for k in range(4)]
for t in ts: t.start()
for t in ts: t.join()
print(", ".join(f"{v} x {k}" for k, v in sorted(answers.items(), key=lambda x: -x[1])) or "none")
PY

read -r b_n b_f b_p50 b_p99 b_max b_err < <(python3 "$work/normal.py" $port "$PK" 8)
echo "baseline (no slow clients, 8 s): $b_n requests, $b_f failed; p50 $b_p50 ms, p99 $b_p99 ms, max $b_max ms"
python3 "$work/slow.py" $port "$PK" "$N" "$DURATION" >"$work/slow.out" &
slowpid=$!
sleep 3
( for ((i = 0; i < DURATION / 3; i++)); do
    curl -s -o /dev/null -w '%{http_code} ' --max-time 10 "http://127.0.0.1:$port/health" || echo -n 'timeout '
    sleep 3
  done ) >"$work/health.out" &
read -r n f p50 p99 max err < <(python3 "$work/normal.py" $port "$PK" $((DURATION - 4)))
wait $slowpid || true
wait
echo "with $N slow connections: $n requests, $f failed ($err); p50 $p50 ms, p99 $p99 ms, max $max ms"
echo "slow connections were answered: $(cat "$work/slow.out")"
echo "GET /health during the drill: $(cat "$work/health.out")"
limit=$((b_p99 * 10 + 1000))
if [ "$f" -eq 0 ] && [ "$n" -gt 0 ] && [ "$p99" -le "$limit" ]; then
  echo "RESULT: normal traffic kept being served (p99 $p99 ms; bound 10 x baseline p99 + 1 s = $limit ms)"
else
  echo "RESULT: FAILED: normal traffic was not served promptly (p99 $p99 ms, bound $limit ms, $f failed)"; exit 1
fi
