-- Shared by every workload script: per-thread ids, and one machine-readable RESULT line at the end.
local nthreads = 0
function setup(thread)
  nthreads = nthreads + 1
  thread:set("tid", nthreads)
end

RUN = os.getenv("BENCH_RUN") or "r"
local seq = 0
-- a unique token per request (run, wrk thread, counter)
function uid()
  seq = seq + 1
  return string.format("%s-%d-%d", RUN, tid or 0, seq)
end

function init(args)
  math.randomseed((tid or 0) * 7919 + os.time())
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d duration_us=%d p50_us=%d p99_us=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end

-- half new users: a fresh id, or one this thread created at least `lag` requests ago
local created = 0
function half_new_user(lag)
  if created <= lag or math.random() < 0.5 then
    created = created + 1
    return string.format("%s-t%d-u%d", RUN, tid or 0, created), true
  end
  return string.format("%s-t%d-u%d", RUN, tid or 0, math.random(1, created - lag)), false
end
