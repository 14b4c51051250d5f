#!/usr/bin/env bash
# Open-loop load on the carrier intake of a release build, loopback only, bounded in count and
# time: a medium simulated day is sent at each rate for SECONDS seconds into a fresh data
# directory with UN-style screening off (the national list of the simulator in force), while
# an analyst reads the day's flights every half second. Latency is counted from each message's
# scheduled send time. Results: bench/RESULTS.md, "Intake under load".
#   cargo build --release -p passage -p passage-bench && bench/load.sh [SECONDS] [RATES…]
set -euo pipefail
P=${PASSAGE:-target/release/passage}
LOAD=${LOAD:-target/release/load}
SECONDS_EACH=${1:-20}
shift || true
RATES=${*:-20 50 100 150 250}
WORK=$(mktemp -d /tmp/passage-load.XXXXXX)
SERVER=
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT
"$P" simulate --seed 5 --size medium --out "$WORK/day" > /dev/null 2>&1
for RATE in $RATES; do
  DATA="$WORK/data-$RATE"
  mkdir -p "$DATA"
  echo 'a long enough password' | "$P" users add reader --roles analyst --agency PIU --data "$DATA" > /dev/null
  "$P" lists import --data "$DATA" --list national --format csv "$WORK/day/watchlist.csv" > /dev/null
  TOKEN=$("$P" users token reader --data "$DATA" 2>/dev/null)
  "$P" serve --data "$DATA" --port 0 --open-intake --retention-minutes 0 > "$WORK/serve-$RATE.out" 2>/dev/null &
  SERVER=$!
  for _ in $(seq 1 100); do grep -q '^listening on ' "$WORK/serve-$RATE.out" 2>/dev/null && break; sleep 0.1; done
  URL=$(sed -n 's/^listening on //p' "$WORK/serve-$RATE.out")
  "$LOAD" "$URL" "$WORK/day/messages" "$TOKEN" "$RATE" "$SECONDS_EACH"
  kill $SERVER; wait $SERVER 2>/dev/null || true
done
