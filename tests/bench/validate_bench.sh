#!/usr/bin/env bash
# Throughput and latency of POST /v1/validate against GET /healthz in the same run, with
# keep-alive, at 32 and 128 connections. Starts its own PostgreSQL (fsync on, as in
# production, unless BENCH_FAST=1) and gateway from ./build.
#   tests/bench/validate_bench.sh
# Environment: BENCH_DURATION (seconds, default 10), BENCH_CONNECTIONS ("32 128"),
# BENCH_THREADS (wrk threads, default 2), OAKGATE_DECISION_BATCH_SIZE,
# OAKGATE_DECISION_BATCH_DELAY_MS, OAKGATE_THREADS, OAKGATE_DB_POOL (passed to the gateway).
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
BIN="${OAKGATE_BIN:-$ROOT/build/oakgate}"
DURATION="${BENCH_DURATION:-10}"
CONNECTIONS="${BENCH_CONNECTIONS:-32 128}"
WRK_THREADS="${BENCH_THREADS:-2}"
[ -x "$BIN" ] || { echo "error: build the gateway first ($BIN)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "error: wrk is not installed (apt-get install wrk)" >&2; exit 1; }

PG_DIR=$(mktemp -d /tmp/oakgate-bench-pg.XXXXXX)
chmod 755 "$PG_DIR"
PG_PORT=$(( 20000 + RANDOM % 20000 ))
HTTP_PORT=$(( 40000 + RANDOM % 20000 ))
GW_PID=""
cleanup() {
  [ -n "$GW_PID" ] && kill "$GW_PID" 2>/dev/null && wait "$GW_PID" 2>/dev/null || true
  "$ROOT/scripts/pg-cluster" stop "$PG_DIR" >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
}
trap cleanup EXIT

"$ROOT/scripts/pg-cluster" start "$PG_DIR" "$PG_PORT" ${BENCH_FAST:+fast}
URL=$("$ROOT/scripts/pg-cluster" url "$PG_DIR" "$PG_PORT" postgres)
export OAKGATE_DATABASE_URL="$URL"
export OAKGATE_SECRET="bench-secret-0123456789abcdefghijklmnopqrstuvwxyz"
export OAKGATE_LISTEN="127.0.0.1:$HTTP_PORT"
export OAKGATE_ISSUER="http://127.0.0.1:$HTTP_PORT"
export OAKGATE_TEMPLATES_DIR="$ROOT/templates"
export OAKGATE_LOG_LEVEL="${OAKGATE_LOG_LEVEL:-warn}"

"$BIN" migrate >/dev/null
"$BIN" serve >"$PG_DIR/gateway.log" 2>&1 &
GW_PID=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$HTTP_PORT/readyz" >/dev/null 2>&1 && break
  sleep 0.1
done

echo "bench-password" | "$BIN" user create --email bench@example.com --password-stdin >/dev/null
KEY_JSON=$("$BIN" apikey create --user bench@example.com --agent bench --name wrk)
export OAKGATE_BENCH_KEY=$(printf '%s' "$KEY_JSON" | sed -E 's/.*"key":"([^"]+)".*/\1/')
AGENT_ID=$(printf '%s' "$KEY_JSON" | sed -E 's/.*"agent_id":"([^"]+)".*/\1/')
# No token endpoint is needed: the tool, the rule and a rate limit that never bites go in
# directly.
psql -q "$URL" <<SQL
UPDATE agents SET rate_limit = 100000000, burst = 100000000 WHERE id = '$AGENT_ID';
INSERT INTO tools (agent_id, name, scopes) VALUES ('$AGENT_ID', 'github', '{read}');
INSERT INTO rules (agent_id, tool, scope, require_reasoning) VALUES ('$AGENT_ID', 'github', 'read', 'soft');
SQL
check=$(curl -sS -X POST -H "X-API-Key: $OAKGATE_BENCH_KEY" -H 'Content-Type: application/json' \
  -d '{"tool":"github","scope":"read"}' "http://127.0.0.1:$HTTP_PORT/v1/validate")
case "$check" in *'"allowed":true'*) ;; *) echo "error: validate answered $check" >&2; exit 1 ;; esac

rps() { awk '/Requests\/sec/ {print $2}'; }
pct() { awk -v p="$1" '$1 == p {print $2}'; }
printf '%-6s %-10s %12s %10s %10s %10s  %s\n' conns endpoint req/s p50 p99 max statuses
for c in $CONNECTIONS; do
  h=$(wrk -t"$WRK_THREADS" -c"$c" -d"${DURATION}s" --latency "http://127.0.0.1:$HTTP_PORT/healthz")
  v=$(wrk -t"$WRK_THREADS" -c"$c" -d"${DURATION}s" --latency -s "$ROOT/tests/bench/validate.lua" \
    "http://127.0.0.1:$HTTP_PORT/v1/validate")
  for name in healthz validate; do
    out=$([ "$name" = healthz ] && echo "$h" || echo "$v")
    printf '%-6s %-10s %12s %10s %10s %10s  %s\n' "$c" "$name" "$(echo "$out" | rps)" \
      "$(echo "$out" | pct 50%)" "$(echo "$out" | pct 99%)" \
      "$(echo "$out" | awk '/Latency/ {print $4; exit}')" \
      "$(echo "$out" | awk '/statuses:/ {$1=""; print}' | sed 's/^ //')"
  done
  echo "$h $v" | awk -v c="$c" '
    /Requests\/sec/ { r[n++] = $2 }
    END { if (n == 2 && r[0] > 0) printf "%-6s validate/healthz throughput ratio: %.3f\n", c, r[1] / r[0] }'
done
rows=$(psql -tA "$URL" -c "SELECT count(*) || ' decisions in ' || count(DISTINCT created_at) || ' commits' FROM decisions")
echo "decision log: $rows (batch size ${OAKGATE_DECISION_BATCH_SIZE:-64}, delay ${OAKGATE_DECISION_BATCH_DELAY_MS:-2} ms)"
