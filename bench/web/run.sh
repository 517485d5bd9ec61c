#!/usr/bin/env bash
# status-get over HTTP next to the admin socket, same run, same acdd (docs/performance.md, "Web").
#
#   bench/web/run.sh [BUILD_DIR] [COUNT]        (defaults: build, 5000)
#
# Starts acdd from a fresh database in a temporary folder (web listener on loopback), adds one
# user with acdctl, runs status_rate.py, and stops acdd by its PID.
set -euo pipefail

build=${1:-build}
count=${2:-5000}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
acdd=$build/src/acdd
acdctl=$build/src/tools/acdctl/acdctl
for tool in "$acdd" "$acdctl"; do
  [[ -x $tool ]] || { echo "run.sh: $tool is missing: build first (cmake --build $build)" >&2; exit 2; }
done

work=$(mktemp -d)
pid=""
cleanup() {
  [[ -n $pid ]] && kill "$pid" 2> /dev/null && wait "$pid" 2> /dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cat > "$work/acdd.json" << JSON
{"gateway": {"listen": "127.0.0.1:0"}, "log": {"level": "info"},
 "specialties": [{"id": "cardiology", "numbers": ["+1001"]}],
 "agents": [{"id": "a1", "uri": "sip:a1@pbx.test", "skills": ["cardiology"]}],
 "overflow_teams": [{"id": "ext", "uri": "sip:ext@overflow.test", "max_concurrent": 2,
                     "specialties": ["*"]}],
 "store": {"path": "$work/acdd.db"}, "admin": {"socket": "$work/admin.sock"},
 "web": {"listen": "127.0.0.1:0"}}
JSON
"$acdd" -c "$work/acdd.json" 2> "$work/acdd.log" &
pid=$!
for _ in $(seq 200); do
  grep -q "web listener on" "$work/acdd.log" 2> /dev/null && [[ -S $work/admin.sock ]] && break
  sleep 0.05
done
port=$(sed -n 's/.*web listener on 127.0.0.1:\([0-9]*\).*/\1/p' "$work/acdd.log")
password="bench password 1234"
printf '%s\n' "$password" | "$acdctl" -s "$work/admin.sock" user add bench --name Bench --role admin > /dev/null
python3 "$here/status_rate.py" "$work/admin.sock" "$port" bench "$password" "$count"
