#!/usr/bin/env bash
# Ack stalls under a steady load (docs/performance.md, "Ack stalls"): acdd at 2,000 calls/s for
# SECONDS (default 180, three minutes), measured with acd-load over loopback, after the disk's own
# sync latency measured in the same run (bench/gateway/fsync_loop.py).
#
#   bench/gateway/stalls.sh [BUILD_DIR] [SECONDS] [SYNCHRONOUS] [CALLS_PER_S]
#                                          (defaults: build, 180, normal, 2000)
#
# Prints the longest ack (the longest time an event waited for its ack, as acd-load saw it: the
# commit holding it and the trip to the ack together) and its quantiles, and from acdd's
# /metrics the commits (acdd_store_commit_seconds: each transaction, BEGIN to COMMIT returned)
# over 10 ms and 50 ms and the bucket holding the longest; a build without that histogram prints
# "n/a". ACD_BENCH_STRACE=1 also traces acdd's fsync/fdatasync calls (strace -T) and prints, per
# thread, how many took longer than 10 and 100 ms and the longest. ACD_BENCH_LOG=FILE keeps
# acdd's log (and the strace output, as FILE.strace).
set -euo pipefail

build=${1:-build}
secs=${2:-180}
sync=${3:-normal}
rate=${4:-2000}
acdd=$build/src/acdd
load=$build/src/tools/load/acd-load
for tool in "$acdd" "$load"; do
  [[ -x $tool ]] || { echo "stalls.sh: $tool is missing: build first (cmake --build $build)" >&2; exit 2; }
done
for cmd in jq curl python3; do
  command -v $cmd > /dev/null || { echo "stalls.sh: needs $cmd" >&2; exit 2; }
done

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
cd "$(dirname "$0")/../.."
source bench/gateway/common.sh

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 bench/gateway/fsync_loop.py "$work" 10 | sed 's/^/disk: /'

write_config "$work/acdd" "$sync" plain '.web = {listen: "127.0.0.1:0"}'
"$acdd" -c "$work/acdd/acdd.json" 2> "$work/acdd.log" &
daemon_pid=$!
pids+=("$daemon_pid")
port=$(wait_port "$work/acdd.log" "listening for gateways on 127.0.0.1:")
web=$(wait_port "$work/acdd.log" "web listener on 127.0.0.1:")
if [[ ${ACD_BENCH_STRACE:-0} == 1 ]]; then
  strace -f -T -e trace=fsync,fdatasync -o "$work/strace" -p "$daemon_pid" 2> /dev/null &
  pids+=($!)
  sleep 1  # attached to every thread before the load starts
fi

# 2,000 calls/s over four gateways, agents answering after 20 ms and talking 60 ms (means):
# about 160 of the 240 agents busy, so that calls are routed at once and nothing piles up.
"$load" --connect "127.0.0.1:$port" -c "$work/acdd/acdd.json" --gateways 4 --rate "$rate" \
  --answer-ms 20 --handle-ms 60 --duration "$secs" --json > "$work/load.json"
metrics=$(curl -sf "http://127.0.0.1:$web/metrics" || true)
threads=$(for t in /proc/"$daemon_pid"/task/*; do echo "${t##*/} $(cat "$t/comm")"; done)
kill -TERM "$daemon_pid"
wait "$daemon_pid" || true
if [[ -n ${ACD_BENCH_LOG:-} ]]; then
  cp "$work/acdd.log" "$ACD_BENCH_LOG"
  [[ -f $work/strace ]] && cp "$work/strace" "$ACD_BENCH_LOG.strace"
fi

jq -r --arg sync "$sync" '"acdd, synchronous \($sync), \(.rate) calls/s for \(.duration_s) s: \(.events.per_s | floor) events/s acknowledged, \(.events.acked) acks",
  "ack ms: p50 \(.ack_latency_ms.p50) p99 \(.ack_latency_ms.p99) p999 \(.ack_latency_ms.p999) longest \(.ack_latency_ms.max)",
  "lost \(.lost_acked), failure: \(.failure // "" | if . == "" then "none" else . end)"' "$work/load.json"
if grep -q '^acdd_store_commit_seconds_count' <<< "$metrics"; then
  awk '
    /^acdd_store_commit_seconds_bucket/ {
      match($0, /le="[^"]*"/); le = substr($0, RSTART + 4, RLENGTH - 5); n = $NF
      les[++k] = le; cum[k] = n
    }
    /^acdd_store_commit_seconds_count/ { total = $NF }
    /^acdd_store_commit_seconds_sum/ { sum = $NF }
    END {
      for (i = 1; i <= k; i++) {
        if (les[i] == "0.01") over10 = total - cum[i]
        if (les[i] == "0.05") over50 = total - cum[i]
        if (longest == "" && cum[i] == total) longest = les[i]
      }
      printf "commits: %d, mean %.2f ms, over 10 ms %d, over 50 ms %d, longest <= %s s\n",
        total, total ? sum / total * 1000 : 0, over10, over50, longest
    }' <<< "$metrics"
else
  echo "commits: n/a (no acdd_store_commit_seconds in this build)"
fi
if [[ -s $work/strace ]]; then
  # "TID fdatasync(7) = 0 <0.012345>" -> per thread: syncs, over 10 ms, over 100 ms, longest.
  awk -v names="$threads" '
    BEGIN { n = split(names, l, "\n"); for (i = 1; i <= n; i++) { split(l[i], f, " "); name[f[1]] = f[2] } }
    /<[0-9.]+>$/ {
      t = substr($NF, 2, length($NF) - 2) * 1000; who = ($1 in name) ? name[$1] : $1
      c[who]++; if (t > 10) o10[who]++; if (t > 100) o100[who]++; if (t > m[who]) m[who] = t
    }
    END { for (w in c) printf "fsync/fdatasync, %s: %d, over 10 ms %d, over 100 ms %d, longest %.1f ms\n", w, c[w], o10[w], o100[w], m[w] }
  ' "$work/strace"
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
