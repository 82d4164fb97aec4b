-- wrk script: POST /v1/validate for an agent with 10 rules whose candidates carry 3 conditions
-- each (tests/bench/run, validate-conditions); every 2xx body must say "allowed":true.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = os.getenv("OAKGATE_BENCH_CONDITIONS_KEY")
wrk.body = os.getenv("BENCH_CONDITIONS_BODY")
expect = '"allowed":true'
