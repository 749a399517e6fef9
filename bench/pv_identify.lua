-- Parcelvoy POST /api/client/identify, random users: half new, half existing (created by this thread earlier).
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local path = os.getenv("BENCH_PATH") or "/api/client/identify"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. (os.getenv("BENCH_PK") or "")

function request()
  local id = half_new_user(64)
  local body = string.format(
    '{"external_id":"%s","email":"%s@example.com","data":{"plan":"pro","visits":%d,"ref":"%s"}}',
    id, id, math.random(1, 1000), uid())
  return wrk.format(nil, path, nil, body)
end
