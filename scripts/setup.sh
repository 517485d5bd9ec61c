# Sourced by run.sh and test.sh: installs what is missing on Debian 12, then builds.
# Every dependency is a Debian package; nothing is downloaded at build time.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$ROOT/build}

PACKAGES=(
  build-essential cmake pkg-config
  libasio-dev libsqlite3-dev libspdlog-dev nlohmann-json3-dev libssl-dev libsystemd-dev
  libsimdjson-dev  # the gateway line parser (src/protocol/gateway_line.cpp)
  libhowardhinnant-date-dev tzdata  # site time zones (src/zone): Hinnant's tz on system tzdata
  libgtest-dev libbenchmark-dev openssl
  libcpp-httplib-dev libargon2-dev  # the web listener (HTTP, TLS) and its users' password hashes
  python3-prometheus-client  # tests: /metrics read by Prometheus's own text parser
  chromium chromium-driver python3-selenium  # tests: the desk and the board in headless Chromium
  dpkg-dev systemd  # dpkg-shlibdeps for cpack -G DEB; systemd-analyze for the unit's test
  kamailio kamailio-extra-modules sip-tester  # real SIP calls: tests/e2e, scripts/run.sh --chain
)

ensure_packages() {
  local missing=()
  for p in "${PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "Installing: ${missing[*]}"
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
      "${missing[@]}"
  fi
  ensure_npm_packages
}

# tests/web/package-lock.json: axe-core for the pages' accessibility check (docs/web.md), from
# npm's registry, pinned by version and hash; installed once here, never at test time. npm from
# Debian (nodejs, npm) when the machine has none.
ensure_npm_packages() {
  [ -f "$ROOT/tests/web/node_modules/axe-core/axe.min.js" ] && return 0
  if ! command -v npm >/dev/null; then
    local sudo=()
    [ "$(id -u)" -eq 0 ] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
      nodejs npm
  fi
  echo "Installing tests/web's npm packages (package-lock.json)"
  (cd "$ROOT/tests/web" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
}

# The Release build (-O3): what runs in production and what the tests run, so that the optimized
# build is compiled and tested on every change.
build() {
  cmake -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release "$@"
  cmake --build "$BUILD_DIR" -j "$(nproc)"
}
