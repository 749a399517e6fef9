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

python3 - "$port" "$PK" "$N" "$DURATION" <<'PY'
import base64, http.client, json, socket, sys, threading, time
port, pk, n, duration = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
auth = "Basic " + base64.b64encode((pk + ":").encode()).decode()
head = ("POST /v1/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nAuthorization: " + auth
        + "\r\nContent-Length: 100000\r\n\r\n{").encode()
stop = time.time() + duration
answers = {}
lock = threading.Lock()

def slow_worker(count):
    socks = []
    def connect():
        s = socket.create_connection(("127.0.0.1", port), timeout=5)
        s.setblocking(False)
        try:
            s.send(head)
        except OSError:
            pass
        return s
    for _ in range(count):
        try:
            socks.append(connect())
        except OSError:
            with lock: answers["connect failed"] = answers.get("connect failed", 0) + 1
    while time.time() < stop:
        time.sleep(min(5, max(0, stop - time.time())))
        for i, s in enumerate(socks):
            closed = False
            try:
                data = s.recv(200)
                if data is not None:
                    line = data.split(b"\r\n", 1)[0].decode(errors="replace") if data else "closed"
                    with lock: answers[line] = answers.get(line, 0) + 1
                    closed = True
            except BlockingIOError:
                pass
            except OSError as e:
                with lock: answers[type(e).__name__] = answers.get(type(e).__name__, 0) + 1
                closed = True
            if not closed:
                try:
                    s.send(b" ")
                except OSError:
                    closed = True
            if closed and time.time() < stop:
                s.close()
                try:
                    socks[i] = connect()
                except OSError:
                    pass
    for s in socks:
        s.close()

threads = [threading.Thread(target=slow_worker, args=(n // 4 + (1 if k < n % 4 else 0),)) for k in range(4)]
for t in threads: t.start()
time.sleep(2)
lat, fails = [], []
def normal(k):
    i = 0
    while time.time() < stop:
        t0 = time.time()
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            c.request("POST", "/v1/track", json.dumps({"type": "track", "event": "Drill", "userId": f"n{k}-{i}"}),
                      {"Content-Type": "application/json", "Authorization": auth})
            r = c.getresponse(); r.read(); c.close()
            ms = (time.time() - t0) * 1000
            with lock:
                (lat if r.status == 200 else fails).append(ms if r.status == 200 else r.status)
        except Exception as e:
            with lock: fails.append(type(e).__name__)
        i += 1
        time.sleep(0.05)
normals = [threading.Thread(target=normal, args=(k,)) for k in range(4)]
for t in normals: t.start()
health = []
while time.time() < stop:
    try:
        c = http.client.HTTPConnection("127.0.0.1", port, timeout=10); c.request("GET", "/health")
        r = c.getresponse(); health.append(r.status); r.read(); c.close()
    except Exception as e:
        health.append(type(e).__name__)
    time.sleep(2)
for t in normals + threads: t.join()
lat.sort()
pct = lambda p: lat[min(len(lat) - 1, int(p / 100 * len(lat)))] if lat else float("nan")
print(f"normal requests: {len(lat)} answered 200, {len(fails)} failed {sorted(set(map(str, fails)))[:5]}; "
      f"p50 {pct(50):.0f} ms, p99 {pct(99):.0f} ms, max {lat[-1] if lat else float('nan'):.0f} ms")
print("slow connections were answered: " + ", ".join(f"{v} × {k}" for k, v in sorted(answers.items(), key=lambda x: -x[1])))
print("GET /health during the drill: " + " ".join(map(str, health)))
ok = lat and not fails and pct(99) < 2000
print("RESULT: " + ("normal traffic kept being served" if ok else "FAILED: normal traffic was not served promptly"))
sys.exit(0 if ok else 1)
PY
