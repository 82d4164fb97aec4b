-- wrk script: POST /oauth/introspect of a new well-formed unknown access token on every
-- request (oat_ + 43 base64url characters), so no cache of dead tokens can answer it: what
-- a client scanning for tokens costs. Environment: BENCH_BASIC as for introspect.lua.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("BENCH_BASIC")
expect = '"active":false'

local alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

function init(args)
  math.randomseed(os.time() * 1000 + (thread_id or 0))
end

function request()
  local chars = {}
  for i = 1, 43 do
    local n = math.random(1, 64)
    chars[i] = alphabet:sub(n, n)
  end
  return wrk.format(nil, nil, nil, "token=oat_" .. table.concat(chars))
end
