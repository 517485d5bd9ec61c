#!/usr/bin/env bash
# The gateway path with and without 200 /api/events clients, same run (docs/performance.md,
# "Web": live events under load).
#
#   bench/web/sse_load.sh [BUILD_DIR] [SECONDS] [DESKS] [BOARDS]   (defaults: build, 10, 190, 10)
#
# The load of bench/gateway/run.sh (its configuration: six specialties, 240 agents, acd-load with
# 4 gateways) against acdd with a web listener, in three shapes: as fast as 1000 unacknowledged
# events per gateway allow ("max"), 6600 calls/s (about 20,000 events/s, "20k"), and run.sh's
# routing load, 1000 calls/s below saturation ("route"). Each shape
# runs twice, each time on a fresh acdd: without clients, then with DESKS agents' desks (agents
# b000...) and BOARDS supervisors' boards following /api/events (bench/web/sse_clients.py, which
# reads everything as it comes). Prints events/s and ack latency of each run and the ratios.
set -euo pipefail

build=${1:-build}
secs=${2:-10}
desks=${3:-190}
boards=${4:-10}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
acdd=$build/src/acdd
load=$build/src/tools/load/acd-load
for tool in "$acdd" "$load"; do
  [[ -x $tool ]] || { echo "sse_load.sh: $tool is missing: build first (cmake --build $build)" >&2; exit 2; }
done
command -v jq > /dev/null || { echo "sse_load.sh: needs jq (apt-get install jq)" >&2; exit 2; }

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

cd "$root"
source bench/gateway/common.sh  # agents_json, write_config: run.sh's configuration

# wait_log FILE PATTERN [SECONDS]: prints the first match once it shows (20 s at most by default).
wait_log() {
  local i
  for ((i = 0; i < ${3:-20} * 20; i++)); do
    if grep -qo "$2" "$1" 2> /dev/null; then
      grep -o "$2" "$1" | head -1
      return
    fi
    sleep 0.05
  done
  echo "sse_load.sh: no '$2' in $1:" >&2; cat "$1" >&2; exit 1
}

# run NAME CLIENTS(0|1) ARGS...: a fresh acdd, the clients when asked, acd-load with ARGS.
run() {
  local name=$1 clients=$2 dir=$work/$1 pid cpid="" gport wport
  shift 2
  mkdir -p "$dir"
  write_config "$dir" normal plain '.web = {listen: "127.0.0.1:0"}'
  "$acdd" -c "$dir/acdd.json" 2> "$dir/acdd.log" &
  pid=$!
  pids+=("$pid")
  wait_log "$dir/acdd.log" "daemon.ready" > /dev/null
  gport=$(wait_log "$dir/acdd.log" "listening for gateways on 127.0.0.1:[0-9]*" | sed 's/.*://')
  wport=$(wait_log "$dir/acdd.log" "web listener on 127.0.0.1:[0-9]*" | sed 's/.*://')
  if [[ $clients == 1 ]]; then
    python3 "$here/sse_clients.py" "$dir/admin.sock" "$wport" "$desks" "$boards" \
      > "$dir/clients.out" 2> "$dir/clients.err" &
    cpid=$!
    pids+=("$cpid")
    # Each user's password is hashed (Argon2id) when it is added and when it signs in.
    wait_log "$dir/clients.out" "ready [0-9]*" 180 > /dev/null
  fi
  echo "== $name: acd-load $*" >&2
  # acd-load exits 1 when the run missed its mark (ok false): the report says why, and is kept.
  "$load" --connect "127.0.0.1:$gport" -c "$dir/acdd.json" --duration "$secs" --json "$@" \
    > "$work/$name.json" || echo "   acd-load exited with $?" >&2
  jq -r '"   \(.events.per_s | floor) events/s, ack ms p50 \(.ack_latency_ms.p50) p99 \(.ack_latency_ms.p99) p999 \(.ack_latency_ms.p999), ok \(.ok) \(.failure)"' \
    "$work/$name.json" >&2
  if [[ -n $cpid ]]; then
    kill -TERM "$cpid"
    wait "$cpid" || true
    sed 's/^/   /' "$dir/clients.err" >&2
  fi
  echo "   web.events_dropped lines: $(grep -c "web.events_dropped" "$dir/acdd.log" || true)" >&2
  kill -TERM "$pid"
  wait "$pid" || true
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
max=(--gateways 4 --answer-ms 1 --handle-ms 5 --window 1000)
rate20k=(--gateways 4 --answer-ms 1 --handle-ms 5 --rate 6600)
# run.sh's routing load: 1000 calls/s (about 3,000 events/s) that agents answer in 20 ms and end
# after 150 ms, below saturation: there the question is the ack and routing latency.
route=(--gateways 4 --answer-ms 20 --handle-ms 150 --rate 1000)
run max-0 0 "${max[@]}"
run max-sse 1 "${max[@]}"
run 20k-0 0 "${rate20k[@]}"
run 20k-sse 1 "${rate20k[@]}"
run route-0 0 "${route[@]}"
run route-sse 1 "${route[@]}"

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "summary ($secs s per run; sse: $desks desks and $boards boards following /api/events):"
printf '  %-10s %10s %9s %9s %9s\n' run events/s "ack p50" "ack p99" "ack p999"
for n in max-0 max-sse 20k-0 20k-sse route-0 route-sse; do
  jq -r --arg n "$n" '"  \($n | . + " " * (10 - length)) \(.events.per_s | floor | tostring | " " * (10 - length) + .) \(.ack_latency_ms.p50 * 1000 | floor / 1000 | tostring | " " * (9 - length) + .) \(.ack_latency_ms.p99 * 1000 | floor / 1000 | tostring | " " * (9 - length) + .) \(.ack_latency_ms.p999 * 1000 | floor / 1000 | tostring | " " * (9 - length) + .)"' "$work/$n.json"
done
ratio() { jq -n "$(jq "$3" "$work/$1.json") / $(jq "$3" "$work/$2.json") * 1000 | floor / 10"; }
echo "  max: events/s with / without clients: $(ratio max-sse max-0 .events.per_s) %"
echo "  20k: events/s with / without clients: $(ratio 20k-sse 20k-0 .events.per_s) %," \
  "ack p99 with / without: $(ratio 20k-sse 20k-0 .ack_latency_ms.p99) %"
echo "  route (1000 calls/s): events/s with / without clients: $(ratio route-sse route-0 .events.per_s) %," \
  "ack p99 with / without: $(ratio route-sse route-0 .ack_latency_ms.p99) %," \
  "offered->route p99 with / without: $(ratio route-sse route-0 .route_latency_ms.p99) %"
