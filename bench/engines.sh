#!/usr/bin/env bash
# The same simulated day ingested into the embedded store and into PostgreSQL: wall time,
# travellers per second, CPU of Passage and of the PostgreSQL server, and whether the two
# stores hold the same thing (row counts of every table, each flight's manifest by role and
# status, each flight's booking versions).
#
#   bench/engines.sh [SIZE] [SEED]        # default: medium 5
#
# Needs a release build (cargo build --release -p passage), python3, psql, and PostgreSQL at
# $PASSAGE_BENCH_POSTGRES (default postgres://postgres@127.0.0.1:5432/postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-medium}
seed=${2:-5}
admin=${PASSAGE_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}
bin=target/release/passage
work=$(mktemp -d /tmp/passage-engines-XXXX)
db=passage_bench_$$
trap 'psql "$admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

"$bin" simulate --seed "$seed" --size "$size" --out "$work/day" >/dev/null 2>&1
travellers=$(python3 bench/measure.py travellers "$work/day/messages")

# CPU seconds (user + system) of the PostgreSQL server.
pg_cpu() {
    python3 bench/measure.py pg-cpu
}

run() {
    local name=$1 store=$2
    local before after
    before=$(pg_cpu)
    /usr/bin/time -f "%e %U %S" -o "$work/$name.time" \
        "$bin" ingest "$work/day/messages" --data "$work/$name" ${store:+--store "$store"} >/dev/null
    after=$(pg_cpu)
    read -r wall user sys <"$work/$name.time"
    python3 - "$name" "$wall" "$user" "$sys" "$before" "$after" "$travellers" <<'EOF'
import sys
name, wall, user, sys_, before, after, travellers = sys.argv[1:]
wall, cpu = float(wall), float(user) + float(sys_)
server = float(after) - float(before)
t = int(travellers)
print(f"| {name} | {wall:.1f} s | {t / wall:,.0f} | {cpu:.1f} s | {server:.1f} s | "
      f"{(cpu + server) / t * 1e6:,.0f} µs |")
EOF
}

psql "$admin" -qc "CREATE DATABASE $db TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
url=${admin%/*}/$db

echo "$size day, seed $seed: $travellers travellers (API persons and PNR travellers, every push)"
echo
echo "| store | wall | travellers/s | CPU, Passage | CPU, PostgreSQL server | CPU per traveller |"
echo "| --- | --- | --- | --- | --- | --- |"
run sqlite ""
run postgres "$url"

# The same unit on both: every table's rows, each flight's manifest and booking versions.
python3 - "$work/sqlite/passage.db" "$url" <<'EOF'
import sqlite3, sys
sys.path.insert(0, "bench")
from same_unit import compare
checks, tables, differ = compare(sys.argv[1], sys.argv[2])
flights = sqlite3.connect(sys.argv[1]).execute("SELECT COUNT(*) FROM flights").fetchone()[0]
print()
if differ:
    print("DIFFER:", ", ".join(differ))
    sys.exit(1)
print(f"same on both engines: {len(checks)} checks ({len(tables)} tables' rows, "
      f"the manifests and booking versions of {flights} flights, message states)")
EOF
