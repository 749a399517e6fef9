-- Parcelvoy single-event requests: POST /api/client/events with one event from a random user among
-- BENCH_USERS (default 1,000: after the warm-up most events come from people already known, as in real traffic).
-- BENCH_PATH overrides the path (the HTTP ceiling sends the same bodies to /bench/noop).
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local path = os.getenv("BENCH_PATH") or "/api/client/events"
local users = tonumber(os.getenv("BENCH_USERS") or "1000")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_PK") or "")

function request()
  local body = string.format(
    '[{"name":"Product Viewed","external_id":"user-%d","data":{"sku":"sku-%d","price":%d.99,"currency":"USD","ref":"%s"}}]',
    math.random(1, users), math.random(1, 100000), math.random(1, 500), uid())
  return wrk.format(nil, path, nil, body)
end
