#!/usr/bin/env bash
# Gateway throughput and latency of acdd over loopback, measured with acd-load, next to a bare
# NDJSON echo measured with the same client (docs/performance.md, "Gateway").
#
#   bench/gateway/run.sh [BUILD_DIR] [SECONDS]       (defaults: build, 10)
#
# Each acdd run starts from a fresh database in a temporary folder, with a configuration written
# here: the six specialties of config/acdd.json, open around the clock (its hours are left out,
# so that a run at night measures routing, not the closed rule), 240 agents without wrap-up, one
# overflow team.
# Prints a line per run and a summary; the JSON reports stay in $ACD_BENCH_OUT if set. When
# BUILD_DIR has acd_store_bench, the summary ends with the bare SQLite bound of the same run (one
# ~1,000-byte row per event, bench/store_bench.cpp) and acdd's ratio to it.
# The three-minute run at 2,000 calls/s that looks for ack stalls is bench/gateway/stalls.sh.
# ACD_BENCH_PRIO is put before every program started (acdd, the echo server, acd-load), e.g.
# ACD_BENCH_PRIO="chrt -r 10" on a machine shared with other work; real-time scheduling raises
# throughput and, through the kernel's RT throttling, the latency tails (docs/performance.md).
set -euo pipefail

build=${1:-build}
secs=${2:-10}
acdd=$build/src/acdd
load=$build/src/tools/load/acd-load
for tool in "$acdd" "$load"; do
  [[ -x $tool ]] || { echo "run.sh: $tool is missing: build first (cmake --build $build)" >&2; exit 2; }
done
for cmd in jq openssl; do
  command -v $cmd > /dev/null || { echo "run.sh: needs $cmd (apt-get install $cmd)" >&2; exit 2; }
done

read -r -a prio <<< "${ACD_BENCH_PRIO:-}"
work=$(mktemp -d)
out=${ACD_BENCH_OUT:-$work/reports}
mkdir -p "$out"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

certificates() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
    -subj /CN=acd-bench-ca -keyout "$work/ca.key" -out "$work/ca.pem" 2> /dev/null
  for who in server client; do
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$who" \
      -keyout "$work/$who.key" -out "$work/$who.csr" 2> /dev/null
    openssl x509 -req -in "$work/$who.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
      -CAcreateserial -days 1 -out "$work/$who.pem" 2> /dev/null
  done
}

# daemon NAME SYNCHRONOUS TLS: starts acdd; sets cfg, port and daemon_pid.
daemon() {
  write_config "$work/$1" "$2" "$3"
  cfg=$work/$1/acdd.json
  "${prio[@]}" "$acdd" -c "$cfg" 2> "$work/$1/acdd.log" &
  daemon_pid=$!
  server_pid=$daemon_pid
  pids+=("$daemon_pid")
  port=$(wait_port "$work/$1/acdd.log" "listening for gateways on 127.0.0.1:")
}

stop_daemon() {
  kill -TERM "$daemon_pid"
  wait "$daemon_pid" || true
}

# echo_server TLS: sets cfg (for the call mix), port and echo_pid.
echo_server() {
  local tls_args=()
  write_config "$work/echo" normal plain
  cfg=$work/echo/acdd.json
  [[ $1 == tls ]] && tls_args=(--tls --cert "$work/server.pem" --key "$work/server.key")
  "${prio[@]}" "$load" --echo-server --listen 127.0.0.1:0 "${tls_args[@]}" 2> "$work/echo.log" &
  echo_pid=$!
  server_pid=$echo_pid
  pids+=("$echo_pid")
  port=$(wait_port "$work/echo.log" "listening on 127.0.0.1:")
}

# cpu_ticks PID: "name ticks" per thread of PID (user + system time, in clock ticks).
cpu_ticks() {
  local t
  for t in /proc/"$1"/task/*; do
    echo "$(cat "$t/comm") $(cut -d' ' -f14,15 "$t/stat" | tr ' ' +)"
  done | awk '{ split($2, a, "+"); ticks[$1] += a[1] + a[2] } END { for (n in ticks) print n, ticks[n] }'
}

# written_bytes PID: the bytes PID caused to be written to storage so far (/proc/PID/io).
written_bytes() {
  awk '/^write_bytes:/ { print $2 }' /proc/"$1"/io
}

# measure NAME ARGS...: runs acd-load against 127.0.0.1:$port ($server_pid), keeps the JSON
# report, the CPU time per acknowledged event of each server thread and of acd-load, and the
# bytes acdd wrote to storage per acknowledged event (WAL and checkpoints; with `normal` the
# WAL's last seconds may not be written back yet when the run ends: `full` is the exact figure).
measure() {
  local name=$1 before load_cpu written
  shift
  echo "== $name: acd-load $*" >&2
  written=$(written_bytes "$server_pid")
  before=$(cpu_ticks "$server_pid")
  # bash's time: acd-load's user and system seconds, to $work/time; acd-load's stderr stays.
  { TIMEFORMAT='%U %S'; time "${prio[@]}" "$load" --connect "127.0.0.1:$port" -c "$cfg" \
    --duration "$secs" --json "$@" > "$out/$name.json" 2>&3; } 3>&2 2> "$work/time"
  load_cpu=$(tail -1 "$work/time")
  jq -n --arg before "$before" --arg after "$(cpu_ticks "$server_pid")" --arg load "$load_cpu" \
    --argjson tck "$(getconf CLK_TCK)" --slurpfile r "$out/$name.json" '
    def ticks($s): $s | split("\n") | map(select(length > 0) | split(" ") | {(.[0]): (.[1] | tonumber)}) | add;
    ($r[0].events.acked) as $n
    | (ticks($after)) as $a | (ticks($before)) as $b
    | ($a | to_entries | map({(.key): ((.value - ($b[.key] // 0)) / $tck * 1e6 / $n | floor)}) | add)
      + {"client (acd-load)": (($load | split(" ") | map(tonumber) | add) * 1e6 / $n | floor)}' \
    > "$out/$name.cpu"
  [[ $name == echo-* ]] || jq -n --argjson w "$(($(written_bytes "$server_pid") - written))" \
    --slurpfile r "$out/$name.json" '$w / $r[0].events.acked | floor' > "$out/$name.bytes"
  jq -r '"   \(.events.per_s | floor) events/s, ack ms p50 \(.ack_latency_ms.p50) p99 \(.ack_latency_ms.p99) p999 \(.ack_latency_ms.p999), offered->route ms p50 \(.route_latency_ms.p50) p99 \(.route_latency_ms.p99), ok \(.ok) \(.failure)"' \
    "$out/$name.json" >&2
  jq -r '"   CPU us per event: " + (to_entries | map("\(.key) \(.value)") | join(", "))' \
    "$out/$name.cpu" >&2
}

cd "$(dirname "$0")/../.."
source bench/gateway/common.sh
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
certificates
tls_client=(--tls --ca "$work/ca.pem" --cert "$work/client.pem" --key "$work/client.key")
# Throughput: offers as fast as 1000 unacknowledged events per gateway allow, agents who answer
# after 1 ms and talk for 5 ms (means), so that calls do not pile up. 20,000 events/s: 6600
# calls/s of that mix (3.05 events per call). Routing latency: 1000 calls/s, 20 ms to answer,
# 150 ms of talk: 170 calls at a time for 240 agents, so that calls are routed at once.
max=(--gateways 4 --answer-ms 1 --handle-ms 5 --window 1000)
rate20k=(--gateways 4 --answer-ms 1 --handle-ms 5 --rate 6600)
route=(--gateways 4 --answer-ms 20 --handle-ms 150 --rate 1000)

echo_server plain
measure echo-plain "${max[@]}" --echo
kill "$echo_pid"

# Each acdd case has a daemon of its own, started on an empty database: a case measures that
# load in its steady state, not the recovery from the case before it (after 10 s at full speed
# the WAL and the checkpoints lag behind for a while; docs/performance.md).
for sync in normal full; do
  for case in max 20k route; do
    case $case in
      max) args=("${max[@]}") ;;
      20k) args=("${rate20k[@]}") ;;
      route) args=("${route[@]}") ;;
    esac
    daemon "$sync-$case" "$sync" plain
    measure "acdd-$sync-$case" "${args[@]}"
    stop_daemon
  done
done

echo_server tls
measure echo-tls "${max[@]}" --echo "${tls_client[@]}"
kill "$echo_pid"

daemon normal-tls-max normal mutual
measure acdd-normal-tls-max "${max[@]}" "${tls_client[@]}"
stop_daemon

# The physical bound on this disk: a bare SQLite loop of one ~1,000-byte row per event (the size
# of acdd's audit record for one), 1000 rows per transaction, both settings (bench/store_bench.cpp).
bare=$build/bench/acd_store_bench
if [[ -x $bare ]]; then
  echo "== bare SQLite: $bare --benchmark_filter=BareSqliteOneRowPerEvent" >&2
  "${prio[@]}" "$bare" --benchmark_filter=BareSqliteOneRowPerEvent --benchmark_format=json \
    > "$work/bare.json" 2> /dev/null
  for sync in normal full; do
    jq --arg s "$sync" '.benchmarks[] | select(.name | test("full:" + (if $s == "full" then "1" else "0" end)))
      | {events: {per_s: .["events/s"]}}' "$work/bare.json" > "$work/bare-$sync.json"
  done
fi

per_s() { jq '.events.per_s' "$out/$1.json"; }
ratio() { jq -n "$(per_s "$1") / $(per_s "$2") * 1000 | floor / 10"; }
echo
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "summary ($secs s per run, reports in $out):"
printf '  %-22s %10s %9s %9s %9s %12s\n' run events/s "ack p50" "ack p99" "ack p999" "route p99"
for f in "$out"/*.json; do
  jq -r --arg n "$(basename "$f" .json)" \
    '"  \($n | .[0:22] | . + " " * (22 - length)) \(.events.per_s | floor | tostring | " " * (10 - length) + .) \(.ack_latency_ms.p50 * 1000 | floor / 1000 | tostring | " " * (9 - length) + .) \(.ack_latency_ms.p99 * 1000 | floor / 1000 | tostring | " " * (9 - length) + .) \(.ack_latency_ms.p999 * 1000 | floor / 1000 | tostring | " " * (9 - length) + .) \(.route_latency_ms.p99 * 1000 | floor / 1000 | tostring | " " * (12 - length) + .)"' "$f"
done
echo "CPU time per acknowledged event, in microseconds, per thread of the server and for acd-load:"
for f in "$out"/*.cpu; do
  jq -r --arg n "$(basename "$f" .cpu)" '"  \($n | .[0:22] | . + " " * (22 - length)) " + (to_entries | map("\(.key) \(.value)") | join(", "))' "$f"
done
echo "bytes written to storage per acknowledged event (WAL and checkpoints):"
for f in "$out"/*.bytes; do
  printf '  %-22s %s\n' "$(basename "$f" .bytes)" "$(cat "$f")"
done
echo "  acdd (normal) / echo, plain: $(ratio acdd-normal-max echo-plain) %"
if [[ -s $work/bare-normal.json ]]; then
  cp "$work"/bare-*.json "$out/" 2> /dev/null || true
  echo "  bare SQLite, one row per event: normal $(per_s bare-normal | cut -d. -f1), full $(per_s bare-full | cut -d. -f1) events/s"
  echo "  acdd / bare SQLite:          normal $(ratio acdd-normal-max bare-normal) %, full $(ratio acdd-full-max bare-full) %"
else
  echo "  (no bare SQLite bound: build $bare, the target acd_store_bench)"
fi
echo "  acdd (normal) TLS / plain:   $(ratio acdd-normal-tls-max acdd-normal-max) %"
echo "  echo TLS / plain:            $(ratio echo-tls echo-plain) %"
