-- wrk script: POST /oauth/introspect of one fixed token, authenticated with HTTP Basic.
-- Environment: BENCH_TOKEN (the token), BENCH_BASIC (the Authorization header value),
-- BENCH_EXPECT (text every 2xx body must contain, e.g. "active":true).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("BENCH_BASIC")
wrk.body = "token=" .. urlencode(os.getenv("BENCH_TOKEN") or "")
expect = os.getenv("BENCH_EXPECT")
