-- wrk script: POST /oauth/token grant_type=authorization_code, each request redeeming a new
-- code (a code is single-use: a second use fails and revokes what the first issued). Each wrk
-- thread gets its own pool of codes (BENCH_CODE_FILE.<thread number>, one a line), minted by
-- tests/bench/run through GET /oauth/authorize with a signed-in session before the run, all
-- with the same PKCE challenge, whose verifier is BENCH_VERIFIER. request() takes a code out
-- of the pool; a code is never presented twice, whatever the answer. When the pool is empty
-- the request carries no code (an honest 400, counted as an error) and `pool_empty` counts it:
-- the runner mints more for the next run.
-- Environment: BENCH_CODE_FILE, BENCH_BASIC (the client's Authorization header value),
-- BENCH_REDIRECT (the redirect URI of the authorization), BENCH_VERIFIER.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("BENCH_BASIC")
expect = '"access_token":"oat_'

local rest = "&redirect_uri=" .. urlencode(os.getenv("BENCH_REDIRECT") or "") ..
  "&code_verifier=" .. urlencode(os.getenv("BENCH_VERIFIER") or "")
wrk.body = "grant_type=authorization_code" .. rest

pool = nil  -- nil in wrk's main Lua state, which calls request() once to check it

function init(args)
  pool = {}
  local name = (os.getenv("BENCH_CODE_FILE") or "") .. "." .. tostring(thread_id)
  local f = io.open(name, "r")
  if not f then error("no codes in " .. name) end
  for line in f:lines() do
    if line ~= "" then table.insert(pool, line) end
  end
  f:close()
end

function request()
  local code = pool and table.remove(pool)
  if code then
    return wrk.format(nil, nil, nil, "grant_type=authorization_code&code=" .. urlencode(code) .. rest)
  end
  if pool then count("pool_empty") end
  return wrk.format(nil, nil, nil, "grant_type=authorization_code" .. rest)
end
