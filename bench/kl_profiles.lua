-- Klaviyo POST /client/profiles/?company_id=…: JSON:API profile documents, half new users, half existing.
dofile(os.getenv("BENCH_DIR") .. "/common.lua")
local path = (os.getenv("BENCH_PATH") or "/client/profiles/") .. "?company_id=" .. (os.getenv("BENCH_COMPANY") or "")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/vnd.api+json"
wrk.headers["Accept"] = "application/vnd.api+json"
wrk.headers["revision"] = "2026-07-15"

function request()
  local id = half_new_user(64)
  local body = string.format(
    '{"data":{"type":"profile","attributes":{"email":"kl-%s@example.com","external_id":"kl-%s","first_name":"Ada",' ..
    '"properties":{"plan":"pro","visits":%d,"ref":"%s"}}}}',
    id, id, math.random(1, 1000), uid())
  return wrk.format(nil, path, nil, body)
end
