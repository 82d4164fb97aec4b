-- Shared by the wrk scripts of tests/bench (loaded with dofile by each of them). It counts
-- every answer by status, counts 2xx answers whose body lacks the expected text (the global
-- `expect`, plain substring, or nil to check only the status), and at the end prints one
-- machine-readable line that tests/bench/run parses:
--   BENCH requests=N duration_us=N rps=N ok_rps=N p50_us=N p90_us=N p99_us=N max_us=N mean_us=N
--         connect=N read=N write=N status=N timeout=N non2xx=N mismatch=N statuses=200:N,...
-- plus any counter a script adds with count(name). ok_rps counts only 2xx answers with the
-- expected body. Latencies are wrk's, over all answers, in microseconds.
-- Every script, /healthz too, goes through the same response hook, so the hook's cost is the
-- same on both sides of a ratio to /healthz.

local threads = {}

-- BENCH_DELAY_MS paces each connection: it waits that long after an answer before its next
-- request (wrk's delay hook; the wait is not part of the latency).
local pause = tonumber(os.getenv("BENCH_DELAY_MS") or "")
if pause and pause > 0 then
  function delay() return pause end
end

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_id", #threads)
end

-- Per-thread state (each wrk thread has its own Lua state).
statuses = {}
counts = {}

function count(name, n)
  counts[name] = (counts[name] or 0) + (n or 1)
end

function urlencode(s)
  return (s:gsub("[^%w%-%._~]", function(c) return string.format("%%%02X", string.byte(c)) end))
end

function check_response(status, body)
  statuses[status] = (statuses[status] or 0) + 1
  if status < 200 or status > 299 then
    count("non2xx")
  elseif expect and not (body and body:find(expect, 1, true)) then
    count("mismatch")
  end
end

-- Scripts that need the body for more than the check define on_response(status, headers, body).
function response(status, headers, body)
  check_response(status, body)
  if on_response then on_response(status, headers, body) end
end

function done(summary, latency, requests)
  local totals, codes = {non2xx = 0, mismatch = 0}, {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("statuses") or {}) do codes[code] = (codes[code] or 0) + n end
    for name, n in pairs(t:get("counts") or {}) do totals[name] = (totals[name] or 0) + n end
  end
  local seconds = summary.duration / 1e6
  local e = summary.errors
  local parts = {
    string.format("requests=%d", summary.requests),
    string.format("duration_us=%d", summary.duration),
    string.format("rps=%.1f", seconds > 0 and summary.requests / seconds or 0),
    string.format("ok_rps=%.1f",
      seconds > 0 and (summary.requests - totals.non2xx - totals.mismatch) / seconds or 0),
    string.format("p50_us=%d", latency:percentile(50)),
    string.format("p90_us=%d", latency:percentile(90)),
    string.format("p99_us=%d", latency:percentile(99)),
    string.format("max_us=%d", latency.max),
    string.format("mean_us=%d", latency.mean),
    string.format("connect=%d read=%d write=%d status=%d timeout=%d",
      e.connect, e.read, e.write, e.status, e.timeout),
  }
  local names = {}
  for name in pairs(totals) do table.insert(names, name) end
  table.sort(names)
  for _, name in ipairs(names) do table.insert(parts, name .. "=" .. totals[name]) end
  local list = {}
  for code, n in pairs(codes) do table.insert(list, code .. ":" .. n) end
  table.sort(list)
  table.insert(parts, "statuses=" .. (#list > 0 and table.concat(list, ",") or "none"))
  io.write("BENCH " .. table.concat(parts, " ") .. "\n")
end
