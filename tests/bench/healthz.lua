-- wrk script: GET /healthz, the ceiling every other scenario is compared with. No body check
-- beyond the status.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "common.lua")
