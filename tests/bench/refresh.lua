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
-- Each request carries an X-Request-Id, which the gateway echoes, so an answer is matched
-- to the token it was sent with. A 503 (load shed, or the database unavailable) issues
-- nothing and leaves the token valid (CONTRACT section 4), so the token goes back into the
-- pool, as a real client would retry it; `retried` counts those. Any other answer without a
-- new token loses its token (`lost`), and so does a connection error; the pool starts with
-- a few spares. When it is empty anyway, the request carries no token (an honest 400,
-- counted as an error) and `pool_empty` counts it.
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

local headers = {}
local in_flight = {}
local sent = 0

function request()
  for name, value in pairs(wrk.headers) do headers[name] = value end
  local token = pool and table.remove(pool)
  local body = "grant_type=refresh_token"
  if token then
    sent = sent + 1
    local id = "bench-refresh-" .. tostring(thread_id) .. "-" .. sent
    headers["X-Request-Id"] = id
    in_flight[id] = token
    body = body .. "&refresh_token=" .. token
  else
    headers["X-Request-Id"] = nil
    if pool then count("pool_empty") end
  end
  return wrk.format(nil, nil, headers, body)
end

function on_response(status, answer_headers, body)
  local id = answer_headers["X-Request-Id"] or answer_headers["x-request-id"]
  local old = id and in_flight[id]
  if id then in_flight[id] = nil end
  local token = status == 200 and body and body:match('"refresh_token":"(ort_[%w%-_]+)"')
  if token then
    table.insert(pool, token)
  elseif old and status == 503 then
    table.insert(pool, old)
    count("retried")
  else
    count("lost")
  end
end
