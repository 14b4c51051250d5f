#!/usr/bin/env bash
# A retention run over a simulated day's stored data: the day ingested into a fresh store
# (embedded by default, PostgreSQL with --postgres), then `passage retention run` three times
# at injected clocks — three days after (API data of every flight due), seven months after
# (PNR data due), five years and a month after (everything due) — each timed, with what it
# erased. The issue's bound: a large day (~690k API and PNR travellers) under 60 s.
#
#   bench/retention.sh [SIZE] [SEED] [--postgres]      # default: large 5
#
# Needs a release build (cargo build --release -p passage) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-large}
seed=${2:-5}
engine=${3:-}
admin=${PASSAGE_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}
bin=target/release/passage
work=$(mktemp -d /tmp/passage-retention-XXXX)
db=passage_retention_$$
store=()
if [ "$engine" = "--postgres" ]; then
    psql "$admin" -qc "CREATE DATABASE $db" >/dev/null
    store=(--store "${admin%/*}/$db")
fi
trap 'psql "$admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

"$bin" simulate --seed "$seed" --size "$size" --out "$work/day" >/dev/null 2>&1
travellers=$(python3 bench/measure.py travellers "$work/day/messages")
/usr/bin/time -f "%e" -o "$work/ingest.time" \
    "$bin" ingest "$work/day/messages" --data "$work/data" "${store[@]}" >/dev/null
echo "size $size seed $seed: $travellers travellers ingested in $(cat "$work/ingest.time") s ${engine:-(embedded)}"
now=$(date -u +%Y-%m-%dT%H:%M:%SZ)
later() { python3 -c "
import datetime, sys
d = datetime.datetime.strptime('$now', '%Y-%m-%dT%H:%M:%SZ')
y, m = d.year + $1, d.month + $2
y, m = y + (m - 1) // 12, (m - 1) % 12 + 1
print(d.replace(year=y, month=m, day=min(d.day, 28)).strftime('%Y-%m-%dT%H:%M:%SZ'))"; }
for clock in "2026-12-04T00:00:00Z" "$(later 0 7)" "$(later 5 1)"; do
    /usr/bin/time -f "%e %U %S" -o "$work/run.time" \
        "$bin" retention run --data "$work/data" "${store[@]}" --now "$clock" --json >"$work/run.json"
    read -r wall user sys <"$work/run.time"
    python3 - "$clock" "$wall" "$user" "$sys" "$work/run.json" <<'PY'
import json, sys
clock, wall, user, sys_, path = sys.argv[1:]
report = json.load(open(path))
erased = {k: v for k, v in report["erased"].items() if v}
steps = ", ".join(f"{s} {t:.1f}" for s, t in report["seconds"] if t >= 0.05)
print(f"  run at {clock}: {float(wall):6.1f} s wall, {float(user) + float(sys_):6.1f} s CPU (passage), "
      f"statistics of {report['counted']} flights; erased {erased}; seconds by step: {steps}")
PY
done
stat -c "  database file after the last run: %s bytes" "$work/data/passage.db" 2>/dev/null || true
