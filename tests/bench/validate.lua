-- wrk script: POST /v1/validate with the API key from OAKGATE_BENCH_KEY for a (tool, scope)
-- that a soft rule allows; every 2xx body must say "allowed":true.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = os.getenv("OAKGATE_BENCH_KEY")
wrk.body = '{"tool":"github","scope":"read","reasoning":"bench"}'
expect = '"allowed":true'
