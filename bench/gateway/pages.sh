#!/usr/bin/env bash
# What acdd's commits write, table by table: the WAL frames of each commit counted per table or
# index, under the load of bench/gateway/run.sh (docs/performance.md, "Pages per commit").
#
#   bench/gateway/pages.sh [BUILD_DIR] [SECONDS] [PAGE_SIZE] [AGED]   (defaults: build, 2, 16384, 0)
#
# acdd starts on a database of PAGE_SIZE-byte pages; with AGED=1 the database first holds what a
# center accumulates over months of retention (1,000,000 finished calls, 300,000 people, their
# audit index rows, all at random keys as real ones are), so that its indexes are as large as in
# production. acd-load then offers calls as fast as its window allows; after SECONDS acdd is
# stopped with SIGKILL so that the WAL keeps its frames (those since it last started over), and
# each frame is attributed to the table owning its page (SQLite's dbstat); the bytes per record
# split what acdd's writer thread wrote (/proc) by those shares.
set -euo pipefail

build=${1:-build}
secs=${2:-2}
page_size=${3:-16384}
aged=${4:-0}
acdd=$build/src/acdd
load=$build/src/tools/load/acd-load
for tool in "$acdd" "$load"; do
  [[ -x $tool ]] || { echo "pages.sh: $tool is missing: build first (cmake --build $build)" >&2; exit 2; }
done
for cmd in sqlite3 python3; do
  command -v $cmd > /dev/null || { echo "pages.sh: needs $cmd (apt-get install $cmd)" >&2; exit 2; }
done

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -KILL "$p" 2> /dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

cd "$(dirname "$0")/../.."
source bench/gateway/common.sh
write_config "$work/d" normal plain
db=$work/d/acdd.db

# start_acdd LOG: starts acdd on $work/d, waits for its gateway port and admin socket.
start_acdd() {
  "$acdd" -c "$work/d/acdd.json" 2> "$1" &
  daemon_pid=$!
  pids+=("$daemon_pid")
  port=$(wait_port "$1" "listening for gateways on 127.0.0.1:")
  local i  # ready: the admin socket is there for acd-load (an aged database takes longer)
  for ((i = 0; i < 1200; i++)); do
    grep -q "daemon.ready" "$1" && return
    sleep 0.1
  done
  echo "pages.sh: acdd not ready after 120 s:" >&2; cat "$1" >&2; exit 1
}

# The schema, written by acdd itself; then the page size and, if asked, the months of data.
start_acdd "$work/acdd-create.log"
kill -TERM "$daemon_pid"; wait "$daemon_pid" || true
{
  echo "PRAGMA journal_mode = DELETE;"
  if ((aged)); then
    cat << 'SQL'
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000)
INSERT INTO pii SELECT lower(hex(randomblob(32))), randomblob(120), 1700000000000 + i FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)
INSERT INTO calls (gateway, call_id, caller, specialty, class, enqueued_at, answered_at, ended_at,
                   outcome, agent, team, overflowed)
SELECT 'old', lower(hex(randomblob(16))), lower(hex(randomblob(32))), 'cardiology', 'urgent',
       1700000000000 + i, NULL, 1700000000000 + i, 'answered', NULL, NULL, 0 FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000000)
INSERT INTO audit_calls SELECT lower(hex(randomblob(16))), 'old', i FROM n;
SQL
  fi
  echo "PRAGMA page_size = $page_size; VACUUM; PRAGMA journal_mode = WAL;"
} | sqlite3 "$db" > /dev/null

records_before=$(sqlite3 "$db" "SELECT count(*) FROM audit")
start_acdd "$work/acdd.log"
"$load" --connect "127.0.0.1:$port" -c "$work/d/acdd.json" --duration $((secs + 60)) \
  --gateways 4 --answer-ms 1 --handle-ms 5 --window 1000 > /dev/null 2> "$work/load.log" &
load_pid=$!
pids+=("$load_pid")
# The window measured: acdd is killed while the load runs, so that the WAL holds commits of the
# steady state (at the end of a run the last commits are the small ones of the drain).
sleep "$secs"
writer_bytes=0
for t in /proc/"$daemon_pid"/task/*; do
  [[ $(cat "$t/comm") == acdd-writer ]] && writer_bytes=$(awk '/^write_bytes:/ { print $2 }' "$t/io")
done
kill -KILL "$daemon_pid"; wait "$daemon_pid" 2> /dev/null || true
kill "$load_pid"; wait "$load_pid" 2> /dev/null || true
mkdir "$work/copy"
cp "$db-wal" "$work/copy/acdd.db-wal"

python3 - "$work/copy/acdd.db-wal" "$db" "$records_before" "$writer_bytes" << 'PY'
import collections, shutil, sqlite3, struct, sys
wal_path, db_path = sys.argv[1], sys.argv[2]
records_before, writer_bytes = int(sys.argv[3]), int(sys.argv[4])
wal = open(wal_path, 'rb').read()
_, _, page, _, salt1, salt2, _, _ = struct.unpack('>8I', wal[:32])
commits, frames, off = [], [], 32
while off + 24 + page <= len(wal):
    number, commit_size, s1, s2 = struct.unpack('>4I', wal[off:off + 16])
    if (s1, s2) != (salt1, salt2):
        break  # frames of an earlier generation of the WAL
    frames.append(number)
    if commit_size:
        commits.append(frames)
        frames = []
    off += 24 + page
shutil.copy(wal_path, db_path + '-wal')  # the tables as the last commit left them
db = sqlite3.connect(db_path)
owner = dict(db.execute('SELECT pageno, name FROM dbstat'))
records = db.execute('SELECT count(*) FROM audit').fetchone()[0] - records_before
count = collections.Counter(owner.get(p, '(free)') for c in commits for p in c)
n, total = len(commits), sum(count.values())
per_record = writer_bytes / records  # what the writer wrote (the WAL), per audit record (input)
print(f'{records} audit records (one per input) committed; the writer wrote {per_record:.0f} '
      f'bytes per record; the WAL holds its last {n} commits, pages of {page} bytes')
print(f'{"table or index":28s} {"pages/commit":>12s} {"share":>6s} {"bytes/record":>12s}')
for name, v in count.most_common():
    if v / total >= 0.002:
        print(f'{name:28s} {v / n:12.1f} {100 * v / total:5.1f}% {per_record * v / total:12.0f}')
print(f'{"all":28s} {total / n:12.1f}')
PY
