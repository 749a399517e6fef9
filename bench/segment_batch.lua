-- Segment POST /v1/batch with BENCH_BATCH (100) track messages: unique messageIds, random users among
-- BENCH_USERS (1,000), so a batch names ~95 different people (a backend's batch, not one browser's).
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local path = os.getenv("BENCH_PATH") or "/v1/batch"
local n = tonumber(os.getenv("BENCH_BATCH") or "100")
local users = tonumber(os.getenv("BENCH_USERS") or "1000")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Basic " .. (os.getenv("BENCH_BASIC") or "")

function request()
  local items = {}
  local ts = os.date("!%Y-%m-%dT%H:%M:%S.000Z")
  for i = 1, n do
    items[i] = string.format(
      '{"type":"track","event":"Product Viewed","userId":"user-%d","messageId":"%s","timestamp":"%s",' ..
      '"properties":{"sku":"sku-%d","price":%d.99,"currency":"USD"},"context":{"library":{"name":"analytics-node","version":"2.1.0"}}}',
      math.random(1, users), uid(), ts, math.random(1, 100000), math.random(1, 500))
  end
  local body = '{"batch":[' .. table.concat(items, ",") .. '],"sentAt":"' .. ts .. '"}'
  return wrk.format(nil, path, nil, body)
end
