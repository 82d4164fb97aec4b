-- wrk script: POST /v1/validate with the API key OAKGATE_BENCH_VALIDATE_KEY and the body
-- BENCH_VALIDATE_BODY (tests/bench/run: validate-conditions, validate-denied and its webhook
-- variants); every 2xx body must contain BENCH_EXPECT ("allowed":true or "allowed":false).
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = os.getenv("OAKGATE_BENCH_VALIDATE_KEY")
wrk.body = os.getenv("BENCH_VALIDATE_BODY")
expect = os.getenv("BENCH_EXPECT")
