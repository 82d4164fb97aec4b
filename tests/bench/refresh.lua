-- wrk script: POST /oauth/token grant_type=refresh_token with rotation. Every use retires the
-- refresh token and answers a new one, and presenting a retired one revokes its family, so a
-- fixed body cannot work. Each wrk thread gets its own pool of live refresh tokens, one
-- independent family each (BENCH_REFRESH_FILE.<thread number>, one token a line, created by
-- tests/bench/run before the run). request() takes a token out of the pool and response()
-- puts the rotated one back. wrk keeps at most one request in flight per connection (no
-- pipelining with a request() function) and calls response() before that connection's next
-- request(), so with at least as many tokens as connections the pool never runs dry and no
-- token is ever presented twice. Lua in wrk has no per-connection state; it needs none here,
-- because a token is never tied to a connection, only to one request at a time.
--
-- A non-2xx answer, or a connection error, loses its token (which token an answer belongs
-- to is unknown); the pool starts with a few spares. When it is empty anyway, the request
-- carries no token (an honest 400 invalid_request, counted as an error) and `pool_empty`
-- counts it. `lost` counts answers without a refresh token.
-- Environment: BENCH_REFRESH_FILE, BENCH_BASIC (the client's Authorization header value).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("BENCH_BASIC")
wrk.body = "grant_type=refresh_token"
expect = '"refresh_token":"ort_'

pool = nil  -- nil in wrk's main Lua state, which calls request() once to check it

function init(args)
  pool = {}
  local name = (os.getenv("BENCH_REFRESH_FILE") or "") .. "." .. tostring(thread_id)
  local f = io.open(name, "r")
  if not f then error("no refresh tokens in " .. name) end
  for line in f:lines() do
    if line ~= "" then table.insert(pool, line) end
  end
  f:close()
end

function request()
  local token = pool and table.remove(pool)
  if pool and not token then count("pool_empty") end
  local body = "grant_type=refresh_token"
  if token then body = body .. "&refresh_token=" .. token end
  return wrk.format(nil, nil, nil, body)
end

function on_response(status, headers, body)
  local token = body and body:match('"refresh_token":"(ort_[%w%-_]+)"')
  if token then
    table.insert(pool, token)
  else
    count("lost")
  end
end
