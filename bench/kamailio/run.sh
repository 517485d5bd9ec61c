#!/usr/bin/env bash
# Real SIP calls through the whole chain (Kamailio running config/kamailio/acdd.cfg,
# acd-kamailio, acdd) at rising rates, next to the same Kamailio relaying the same calls straight
# to the agents (bench/kamailio/direct.cfg), in the same run (docs/performance.md, "Telephony").
#
#   bench/kamailio/run.sh [BUILD_DIR] [SECONDS] [RATES...]   (defaults: build, 10, 50 100 200 300 400)
#
# sipp places the calls (tests/e2e/sipp/caller_answered.xml: INVITE, 200, ACK, BYE at once) and
# one sipp answers for every agent at once (agent_answer.xml: 180 and 200 at once). For each rate
# and each setup it prints the calls placed, failed, and the time from the caller sending an
# INVITE to the agents' phone receiving it (p50, p99, ms, from sipp's message logs, in
# microseconds); the chain's time minus the baseline's is what acdd and the bridge add between
# the INVITE arriving at Kamailio and the INVITE leaving for the agent. acdd has 100 agents without wrap-up
# on one specialty; the agents' phone answers at once, so no call waits in a queue.
set -euo pipefail

build=${1:-build}
secs=${2:-10}
shift $(($# > 2 ? 2 : $#))
rates=("$@")
[[ ${#rates[@]} -gt 0 ]] || rates=(50 100 200 300 400)
root=$(cd "$(dirname "$0")/../.." && pwd)
acdd=$build/src/acdd
bridge=$build/src/tools/kamailio/acd-kamailio
acdctl=$build/src/tools/acdctl/acdctl
for tool in "$acdd" "$bridge" "$acdctl"; do
  [[ -x $tool ]] || { echo "run.sh: $tool is missing: build first (cmake --build $build)" >&2; exit 2; }
done
for cmd in kamailio sipp python3; do
  command -v $cmd > /dev/null || { echo "run.sh: needs $cmd (scripts/setup.sh installs it)" >&2; exit 2; }
done

work=$(mktemp -d)
pids=()
cleanup() {
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2> /dev/null || true; done
  wait 2> /dev/null || true
  [[ -n ${ACD_BENCH_KEEP:-} ]] && echo "run.sh: files kept in $work" >&2 || rm -rf "$work"
}
trap cleanup EXIT

# Ports: the chain's Kamailio, the baseline's, evapi, acdd, the agents' phone.
sip_chain=15160 sip_direct=15170 evapi=18548 gw=17500 phone=15191
agents=100

python3 - "$work" "$gw" "$phone" "$agents" "$evapi" << 'PY'
import json, sys
work, gw, phone, n, evapi = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
json.dump({
  "gateway": {"listen": f"127.0.0.1:{gw}"},
  "admin": {"socket": f"{work}/admin.sock"},
  "store": {"path": f"{work}/acdd.db", "synchronous": "full"},
  "log": {"level": "warn"},
  "specialties": [{"id": "cardiology", "numbers": ["+35244112221"], "default_class": "appointment"}],
  "agents": [{"id": f"b{i:03d}", "uri": f"sip:b{i:03d}@127.0.0.1:{phone}",
              "skills": ["cardiology"], "wrap_up_s": 0} for i in range(n)],
}, open(f"{work}/acdd.json", "w"))
json.dump({"acdd": {"connect": f"127.0.0.1:{gw}"}, "kamailio": {"evapi": f"127.0.0.1:{evapi}"},
           "state_file": f"{work}/bridge.state"}, open(f"{work}/bridge.json", "w"))
PY

"$acdd" -c "$work/acdd.json" 2> "$work/acdd.log" &
pids+=($!)
kamailio -f "$root/config/kamailio/acdd.cfg" -DD -E -n 4 -Y "$work" \
  -A "SIP_LISTEN=udp:127.0.0.1:$sip_chain" -A "EVAPI_BIND=\"127.0.0.1:$evapi\"" \
  > /dev/null 2> "$work/kamailio-chain.log" &
pids+=($!)
kamailio -f "$root/bench/kamailio/direct.cfg" -DD -E -n 4 -Y "$work" \
  -A "SIP_LISTEN=udp:127.0.0.1:$sip_direct" -A "AGENTS_URI=\"sip:agent@127.0.0.1:$phone\"" \
  > /dev/null 2> "$work/kamailio-direct.log" &
pids+=($!)
# Ready: acdd answers on its admin socket, the bridge is welcomed.
for _ in $(seq 100); do "$acdctl" -s "$work/admin.sock" status > /dev/null 2>&1 && break; sleep 0.1; done
"$bridge" -c "$work/bridge.json" 2> "$work/bridge.log" &
pids+=($!)
for _ in $(seq 100); do grep -q acd.bridge_connected "$work/kamailio-chain.log" && break; sleep 0.1; done
for ((i = 0; i < agents; i++)); do "$acdctl" -s "$work/admin.sock" agent login "$(printf b%03d "$i")" > /dev/null; done
sipp -sf "$root/tests/e2e/sipp/agent_answer.xml" -i 127.0.0.1 -p "$phone" -nostdin \
  -max_socket 2000 -trace_msg -message_file "$work/phone.msg" > "$work/phone.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do ss -lun | grep -q ":$phone " && break; sleep 0.05; done

# place SETUP PORT RATE LOCAL_PORT: calls for SECONDS at RATE from LOCAL_PORT; prints
# "placed failed p50 p99".
place() {
  local setup=$1 port=$2 rate=$3 local_port=$4 dir=$work/$1-$3
  mkdir -p "$dir"
  (cd "$dir" && sipp -sf "$root/tests/e2e/sipp/caller_answered.xml" "127.0.0.1:$port" \
    -i 127.0.0.1 -p "$local_port" -r "$rate" -m $((rate * secs)) -s +35244112221 -key caller +352621000001 \
    -key class appointment -d 0 -nostdin -timeout $((secs + 30))s -timeout_error \
    -trace_stat -fd 1 -trace_msg -message_file caller.msg -max_socket 2000 > sipp.out 2>&1) || true
  python3 - "$dir" "$work/phone.msg" << 'PY'
import csv, datetime, glob, re, sys
d, phone = sys.argv[1], sys.argv[2]
rows = list(csv.reader(open(glob.glob(f"{d}/*_.csv")[0]), delimiter=";"))
head, last = rows[0], rows[-1]
get = lambda k: int(last[head.index(k)])

# sipp's message log: a dashed line with the time (microseconds), "UDP message sent|received",
# then the message. The first INVITE of each Call-ID sent by the caller, received by the phone.
def first_invites(path, way):
    text = open(path, errors="replace").read()
    out = {}
    for block in text.split("----------------------------------------------- ")[1:]:
        lines = block.split("\n")
        if way not in lines[1] or len(lines) < 4 or not lines[3].startswith("INVITE "):
            continue
        m = re.search(r"^Call-ID: *(\S+)", block, re.M | re.I)
        if m and m.group(1) not in out:
            out[m.group(1)] = datetime.datetime.strptime(lines[0].strip(), "%Y-%m-%d %H:%M:%S.%f")
    return out
sent = first_invites(f"{d}/caller.msg", "sent")
got = first_invites(phone, "received")
lat = sorted((got[c] - t).total_seconds() * 1000 for c, t in sent.items() if c in got)
q = lambda x: lat[min(len(lat) - 1, int(x * len(lat)))] if lat else float("nan")
print(get("OutgoingCall(C)"), get("FailedCall(C)"), f"{q(0.50):.3f}", f"{q(0.99):.3f}")
PY
}

printf '%-6s %-7s %7s %7s %9s %9s\n' rate setup placed failed p50_ms p99_ms
n=0
for rate in "${rates[@]}"; do
  for setup in direct chain; do
    port=$sip_direct
    [[ $setup == chain ]] && port=$sip_chain
    n=$((n + 1))
    read -r placed failed p50 p99 <<< "$(place "$setup" "$port" "$rate" $((16100 + n)))"
    printf '%-6s %-7s %7s %7s %9s %9s\n' "$rate" "$setup" "$placed" "$failed" "$p50" "$p99"
  done
done
