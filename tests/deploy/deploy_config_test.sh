#!/usr/bin/env bash
# The deployment files are real configuration: the Nginx site passes `nginx -t` (Debian's
# Nginx, under its own prefix), and the systemd unit passes `systemd-analyze verify` with no
# warning and keeps its hardening. Usage: deploy_config_test.sh SOURCE_DIR OAKGATE_BINARY
set -euo pipefail
SRC="$1"
BIN="$2"
WORK=$(mktemp -d /tmp/oakgate-deploy-test.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
failures=0
check() { # check NAME COMMAND...
  local name="$1"
  shift
  if "$@"; then echo "ok   $name"; else echo "FAIL $name"; failures=$((failures + 1)); fi
}

# ---- Nginx
export OAKGATE_NGINX_LISTEN=127.0.0.1:18080 OAKGATE_NGINX_OPS_LISTEN=127.0.0.1:18081
export OAKGATE_BLUE_ADDR=127.0.0.1:3005 OAKGATE_GREEN_ADDR=127.0.0.1:4000
"$SRC/scripts/bluegreen" nginx-config "$WORK/nginx" --standalone
nginx_t() { nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -t 2>&1; }
out=$(nginx_t) && rc=0 || rc=$?
echo "$out"
check "nginx -t accepts the rendered site" test "$rc" -eq 0
# The effective configuration, comments removed.
dump=$(nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -T 2>/dev/null | sed 's/#.*//')
has() { grep -Eq "$1" <<<"$dump"; }
lacks() { ! grep -Eq "$1" <<<"$dump"; }
upstream_keepalive_below_idle_timeout() {
  local t
  t=$(grep -Eo 'keepalive_timeout [0-9]+s' <<<"$dump" | head -1 | tr -dc 0-9)
  [ -n "$t" ] && [ "$t" -lt 75 ]
}
check "upstream keep-alive" has '^\s*keepalive [0-9]+;'
check "keepalive_timeout below the gateway idle timeout (75 s)" upstream_keepalive_below_idle_timeout
check "proxy_http_version 1.1" has '^\s*proxy_http_version 1\.1;'
check "Connection header cleared" has 'proxy_set_header Connection "";'
check "X-Forwarded-For passed" has 'proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;'
check "X-Forwarded-Proto passed" has 'proxy_set_header X-Forwarded-Proto \$scheme;'
check "X-Request-Id passed (generated when absent)" has 'proxy_set_header X-Request-Id \$oakgate_request_id;'
check "retries only on error and timeout" has '^\s*proxy_next_upstream error timeout;'
check "never non_idempotent" lacks 'non_idempotent'
check "/readyz closed publicly" has 'location = /readyz  \{ return 404; \}'
check "/metrics closed publicly" has 'location = /metrics \{ return 404; \}'
check "both colours in one static upstream" has "^\s*server $OAKGATE_BLUE_ADDR max_fails=3 fail_timeout=1s;"
check "green in the same upstream" has "^\s*server $OAKGATE_GREEN_ADDR max_fails=3 fail_timeout=1s;"
check "the upstream's failure state is shared by the workers" has '^\s*zone oakgate_colours [0-9]+k;'
upstream_keepalive_below_drain_grace() {
  local t grace
  t=$(grep -Eo 'keepalive_timeout [0-9]+s' <<<"$dump" | head -1 | tr -dc 0-9)
  grace=$(grep -o 'drain_idle_grace_ms = [0-9]*' "$SRC/gateway/config/config.hpp" | tr -dc 0-9)
  [ -n "$t" ] && [ -n "$grace" ] && [ $((t * 1000)) -lt "$grace" ]
}
check "upstream keepalive_timeout below the gateway's drain_idle_grace_ms" upstream_keepalive_below_drain_grace
check "no include names a live colour (a switch never reloads Nginx)" lacks 'live-colour'
check "no TLS server without a certificate" lacks 'ssl_certificate'
check "no header hidden without TLS" lacks 'proxy_hide_header'

# ---- Nginx with TLS: HSTS on the TLS server, the plain listener redirects.
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
  -keyout "$WORK/tls.key" -out "$WORK/tls.crt" >/dev/null 2>&1
OAKGATE_NGINX_TLS_CERT="$WORK/tls.crt" OAKGATE_NGINX_TLS_KEY="$WORK/tls.key" \
  OAKGATE_NGINX_TLS_LISTEN=127.0.0.1:18443 \
  "$SRC/scripts/bluegreen" nginx-config "$WORK/nginx-tls" --standalone
out=$(nginx -p "$WORK/nginx-tls" -c "$WORK/nginx-tls/nginx.conf" -t 2>&1) && rc=0 || rc=$?
echo "$out"
check "nginx -t accepts the rendered TLS site" test "$rc" -eq 0
dump=$(nginx -p "$WORK/nginx-tls" -c "$WORK/nginx-tls/nginx.conf" -T 2>/dev/null | sed 's/#.*//')
hsts_at_least_a_year() {
  local age
  age=$(grep -Eo 'add_header Strict-Transport-Security "max-age=[0-9]+[^"]*" always;' <<<"$dump" |
    head -1 | sed 's/.*max-age=\([0-9]*\).*/\1/')
  [ -n "$age" ] && [ "$age" -ge 31536000 ]
}
check "TLS server sends Strict-Transport-Security, max-age at least a year, always" hsts_at_least_a_year
check "the gateway's own Strict-Transport-Security is hidden, so an answer carries one" \
  has '^\s*proxy_hide_header Strict-Transport-Security;'
check "TLS listener" has '^\s*listen 127\.0\.0\.1:18443 ssl;'
check "the plain listener redirects to https" has 'return 301 https://\$host\$request_uri;'
check "TLS site keeps never non_idempotent" lacks 'non_idempotent'

# ---- systemd
mkdir -p "$WORK/systemd/etc"
touch "$WORK/systemd/etc/common.env" "$WORK/systemd/etc/blue.env"
sed -e "s|^ExecStart=/opt/oakgate/%i/bin/oakgate |ExecStart=$BIN |" \
  -e "s|/etc/oakgate/|$WORK/systemd/etc/|g" \
  "$SRC/systemd/oakgate@.service" >"$WORK/systemd/oakgate@.service"
grep -q "^ExecStart=$BIN serve$" "$WORK/systemd/oakgate@.service"
cp "$WORK/systemd/oakgate@.service" "$WORK/systemd/oakgate@blue.service"
for unit in oakgate@.service oakgate@blue.service; do
  out=$(cd "$WORK/systemd" && systemd-analyze verify "./$unit" 2>&1) && rc=0 || rc=$?
  [ -z "$out" ] || echo "$out"
  # verify only warns about unknown keys: any output is a failure.
  check "systemd-analyze verify $unit (no output)" test "$rc" -eq 0 -a -z "$out"
done
unit="$SRC/systemd/oakgate@.service"
for directive in 'Type=notify' 'KillSignal=SIGTERM' 'NoNewPrivileges=yes' 'ProtectSystem=strict' \
  'PrivateTmp=yes' 'User=oakgate' 'CapabilityBoundingSet=' 'LogRateLimitIntervalSec=0' \
  'ProtectHome=yes' 'EnvironmentFile=/etc/oakgate/common.env' 'EnvironmentFile=/etc/oakgate/%i.env'; do
  check "unit has $directive" grep -qx "$directive" "$unit"
done
# Secrets as systemd credentials (issue 25): each secret setting has its LoadCredential=, and
# the unit names no secret in its environment.
for cred in oakgate.secret oakgate.secret_previous oakgate.database_password \
  oakgate.legacy_jwt_hs256_secret; do
  check "unit loads credential $cred" grep -qx "LoadCredential=$cred" "$unit"
done
check "no secret in the unit's environment" bash -c "! grep -Eq '^Environment=.*(SECRET|PASSWORD)' '$unit'"
check "no secret in the example env files" \
  bash -c "! grep -Eq '^OAKGATE_[A-Z_]*(SECRET|PASSWORD)[A-Z_]*=' '$SRC'/systemd/*.env.example"
stop=$(sed -n 's/^TimeoutStopSec=\([0-9]*\)$/\1/p' "$unit")
drain=$(grep -o 'drain_timeout = [0-9]*' "$SRC/gateway/config/config.hpp" | tr -dc 0-9)
check "TimeoutStopSec ($stop) above the default drain bound ($drain)" test "$stop" -gt "$drain"
check "systemd-analyze security: exposure at most 2.0" \
  bash -c "cd '$WORK/systemd' && systemd-analyze security --offline=yes --threshold=20 ./oakgate@blue.service >/dev/null"

echo "$failures failure(s)"
[ "$failures" -eq 0 ]
