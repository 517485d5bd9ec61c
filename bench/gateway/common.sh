# Helpers shared by bench/gateway/run.sh and bench/gateway/stalls.sh (sourced, not run).
# Expects $work (a temporary folder) and the repository root as the current folder.

# The agents: 40 per specialty, every third one with a second skill.
specialties=(cardiology general_surgery vascular_surgery gastroenterology neurology radiology)
agents_json() {
  local i sep="" skills
  for ((i = 0; i < 240; i++)); do
    skills="\"${specialties[i % 6]}\""
    ((i % 3 == 0)) && skills+=",\"${specialties[(i + 1) % 6]}\""
    printf '%s{"id":"b%03d","uri":"sip:b%03d@pbx.local","skills":[%s],"wrap_up_s":0}' \
      "$sep" "$i" "$i" "$skills"
    sep=$',\n'
  done
}

# write_config DIR SYNCHRONOUS TLS(plain|mutual) [EXTRA_JQ]: the six specialties of
# config/acdd.json open around the clock, 240 agents, one overflow team; EXTRA_JQ is a jq filter
# applied last (e.g. '.web = {listen: "127.0.0.1:0"}').
write_config() {
  local dir=$1 sync=$2 tls=$3 extra=${4:-.} tls_json=""
  mkdir -p "$dir"
  if [[ $tls == mutual ]]; then
    tls_json=",\"tls\":{\"cert\":\"$work/server.pem\",\"key\":\"$work/server.key\",\"client_ca\":\"$work/ca.pem\"}"
  fi
  jq --arg dir "$dir" --arg sync "$sync" --argjson tls "{${tls_json#,}}" \
     --argjson agents "[$(agents_json)]" '
    .gateway = ({listen: "127.0.0.1:0"} + $tls)
    | .admin.socket = ($dir + "/admin.sock")
    | .store.path = ($dir + "/acdd.db") | .store.synchronous = $sync
    | .agents = $agents
    | .specialties |= map(del(.hours))
    | .overflow_teams = [.overflow_teams[0] | del(.hours)]
    | '"$extra" config/acdd.json > "$dir/acdd.json"
}

# wait_port LOGFILE PATTERN: prints the port once the log line shows it (10 s at most).
wait_port() {
  local i
  for ((i = 0; i < 200; i++)); do
    if grep -qo "$2[0-9]*" "$1" 2> /dev/null; then
      grep -o "$2[0-9]*" "$1" | head -1 | sed 's/.*://'
      return
    fi
    sleep 0.05
  done
  echo "$0: no '$2' in $1:" >&2; cat "$1" >&2; exit 1
}
