-- wrk script: POST /v1/validate with the key from OAKGATE_BENCH_KEY, keep-alive (wrk's
-- default). Counts answers by status so a run full of 429s or 503s is not mistaken for speed.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = os.getenv("OAKGATE_BENCH_KEY")
wrk.body = '{"tool":"github","scope":"read","reasoning":"bench"}'

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for code, n in pairs(s) do
      totals[code] = (totals[code] or 0) + n
    end
  end
  local parts = {}
  for code, n in pairs(totals) do
    table.insert(parts, code .. "=" .. n)
  end
  table.sort(parts)
  io.write("statuses: " .. table.concat(parts, " ") .. "\n")
end
