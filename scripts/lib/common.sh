# Shared by scripts/dev, scripts/test and the other scripts: dependency installation,
# the build, and stage timing. Source it; do not run it.

OAKGATE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# Debian packages the gateway needs to build, run and test.
OAKGATE_PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libpistache-dev libpqxx-dev libssl-dev nlohmann-json3-dev libcli11-dev
  libkainjow-mustache-dev libspdlog-dev libsystemd-dev libgtest-dev libgmock-dev
  libcurl4-openssl-dev
  postgresql postgresql-contrib curl wrk nginx
  clang libclang-rt-14-dev llvm prometheus
  chromium nodejs
)
# scripts/package (issue 25): the .deb's dependencies by dpkg-shlibdeps, and lintian.
OAKGATE_PACKAGES+=(dpkg-dev fakeroot lintian)
# scripts/sdk-python (issue 21): the Python SDK's dependency, its checks, its wheel and venv.
OAKGATE_PACKAGES+=(python3-httpx python3-pytest mypy python3-pip python3-setuptools python3-wheel python3-venv)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Installs the named Debian packages that are missing (apt-get update first, once).
ensure_packages() {
  local missing=()
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing missing packages: ${missing[*]}"
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "missing packages (${missing[*]}) and no sudo: install them as root"
    sudo="sudo"
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# The oldest Node.js the tests, SDKs and examples must run on: Debian 12's own nodejs.
OAKGATE_MIN_NODE="18.19"

# Fails with a plain message when the machine's node is older than OAKGATE_MIN_NODE, and
# checks that every npm lockfile of the repository pins only packages that run on Debian 12's
# Node (a newer Node on a developer's machine would otherwise hide a package that needs 20).
require_node() {
  command -v node >/dev/null || die "node is not installed: install Debian's nodejs and npm (apt-get install nodejs npm)"
  local have
  have=$(node -p 'process.versions.node' 2>/dev/null) || die "node does not run"
  if ! python3 - "$have" "$OAKGATE_MIN_NODE" <<'PY'
import sys
have, need = ([int(x) for x in v.split(".")[:2]] for v in sys.argv[1:3])
sys.exit(0 if have >= need else 1)
PY
  then
    die "node $have is too old: oakgate's tests and SDKs need Node.js $OAKGATE_MIN_NODE or newer (Debian 12's nodejs 18.20 is enough)"
  fi
  local locks
  mapfile -t locks < <(cd "$OAKGATE_ROOT" && git ls-files '*package-lock.json' 2>/dev/null ||
    find . -name package-lock.json -not -path '*/node_modules/*')
  [ ${#locks[@]} -eq 0 ] ||
    (cd "$OAKGATE_ROOT" && python3 scripts/lib/check_node_engines.py "${locks[@]}" >/dev/null) ||
    die "an npm lockfile pins a package that does not run on Debian 12's Node: $(cd "$OAKGATE_ROOT" && python3 scripts/lib/check_node_engines.py "${locks[@]}" | head -5 | tr '\n' ';')"
}

# build_gateway DIR BUILD_TYPE [extra cmake args...]
build_gateway() {
  local dir="$1" type="$2"
  shift 2
  local gen=()
  command -v ninja >/dev/null && gen=(-G Ninja)
  # ccache, when the machine has it, makes a rebuild in a second checkout cheap; paths are
  # taken relative to the checkout so that clones share hits. Optional: nothing installs it.
  if command -v ccache >/dev/null; then
    export CCACHE_BASEDIR="${CCACHE_BASEDIR:-$OAKGATE_ROOT}"
    # With -g, ccache also hashes the working directory unless told not to, and then no two
    # checkouts ever share a hit (seen: 0 hits in 900 calls across five worktrees).
    export CCACHE_NOHASHDIR="${CCACHE_NOHASHDIR:-true}"
    set -- "$@" -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache
  fi
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    cmake -S "$OAKGATE_ROOT" -B "$dir" "${gen[@]}" -DCMAKE_BUILD_TYPE="$type" "$@" >/dev/null
  else
    cmake -S "$OAKGATE_ROOT" -B "$dir" -DCMAKE_BUILD_TYPE="$type" "$@" >/dev/null
  fi
  cmake --build "$dir" --parallel "$(nproc)"
}

# Stage timing: stage NAME starts a stage and closes the one before; stage_summary prints.
_stage_names=()
_stage_secs=()
_stage_name=""
_stage_start=0
stage() {
  local now
  now=$(date +%s)
  if [ -n "$_stage_name" ]; then
    _stage_names+=("$_stage_name")
    _stage_secs+=($((now - _stage_start)))
    log "stage '$_stage_name' took $((now - _stage_start)) s"
  fi
  _stage_name="$1"
  _stage_start=$now
  [ -n "$1" ] && log "stage: $1"
  return 0
}
stage_summary() {
  stage ""
  local i total=0
  printf '\n%-28s %8s\n' "stage" "seconds" >&2
  for i in "${!_stage_names[@]}"; do
    printf '%-28s %8s\n' "${_stage_names[$i]}" "${_stage_secs[$i]}" >&2
    total=$((total + _stage_secs[i]))
  done
  printf '%-28s %8s\n' "total" "$total" >&2
}
