-- wrk script: POST /v1/validate for a (tool, scope) a deny rule decides (tests/bench/run,
-- validate-denied and its -webhook variants); every 2xx body must say "allowed":false.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = os.getenv("OAKGATE_BENCH_DENIED_KEY")
wrk.body = os.getenv("BENCH_DENIED_BODY")
expect = '"allowed":false'
