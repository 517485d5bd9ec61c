#!/usr/bin/env bash
# Builds acdd and runs it on config/acdd.json (state under ./var, sockets local).
#
#   scripts/run.sh [ACDD ARGS...]          # acdd alone; a gateway connects to 127.0.0.1:7400
#   scripts/run.sh --chain [ACDD ARGS...]  # the whole chain for real SIP calls: acdd, Kamailio
#                                          # on udp:127.0.0.1:5060 (config/kamailio/acdd.cfg)
#                                          # and acd-kamailio between them (docs/telephony.md)
#
# With --chain, SIP_LISTEN in the environment moves Kamailio's SIP socket
# (e.g. SIP_LISTEN=udp:127.0.0.1:5070); Ctrl-C stops the three programs.
source "$(dirname "$0")/setup.sh"
ensure_packages
build
mkdir -p "$ROOT/var"
if [ "${1:-}" != "--chain" ]; then
  exec "$BUILD_DIR/src/acdd" -c "$ROOT/config/acdd.json" --web-root "$ROOT/web" "$@"
fi
shift

SIP_LISTEN=${SIP_LISTEN:-udp:127.0.0.1:5060}
pids=()
stop() {
  trap - INT TERM EXIT
  # Each program by its PID, the bridge first so that Kamailio falls back at once.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do kill "${pids[i]}" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap stop INT TERM EXIT

"$BUILD_DIR/src/acdd" -c "$ROOT/config/acdd.json" --web-root "$ROOT/web" "$@" &
pids+=($!)
kamailio -f "$ROOT/config/kamailio/acdd.cfg" -DD -E -Y "$ROOT/var" \
  -A "SIP_LISTEN=$SIP_LISTEN" &
pids+=($!)
# config/acd-kamailio.json matches acdd's gateway.listen and the default EVAPI_BIND.
"$BUILD_DIR/src/tools/kamailio/acd-kamailio" -c "$ROOT/config/acd-kamailio.json" &
pids+=($!)
echo "run: acdd, Kamailio on $SIP_LISTEN and acd-kamailio are up (PIDs ${pids[*]}); Ctrl-C stops them" >&2
# The chain stops when any of the three stops.
wait -n
