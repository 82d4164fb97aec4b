-- wrk script: POST /oauth/token grant_type=client_credentials, the client authenticated with
-- HTTP Basic (BENCH_BASIC). Every request issues and stores a new access token.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Authorization"] = os.getenv("BENCH_BASIC")
wrk.body = "grant_type=client_credentials"
expect = '"access_token":"oat_'
