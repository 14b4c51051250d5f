#!/usr/bin/env bash
# Server-side render time of the console's pages with a large simulated day loaded (2,000
# flights, ~347,000 travellers): signs in with curl, states a purpose, and reads each page's
# Server-Timing header 15 times (min / median / max, ms). Needs a release build:
#   cargo build --release -p passage && bench/console-pages.sh [DATA_DIR]
# The data directory is made once (simulate + ingest, a few minutes) and reused.
#   SIZE=medium DAYS=30 DAY=2026-12-15 bench/console-pages.sh /tmp/cp30   # 30 medium days
set -euo pipefail
P=${PASSAGE:-target/release/passage}
DATA=${1:-/tmp/passage-console-bench}
PORT=${PORT:-8097}
B=http://127.0.0.1:$PORT
PASSWORD='a long enough password'
SIZE=${SIZE:-large}
DAYS=${DAYS:-1}
DAY=${DAY:-2026-12-01}
if [ ! -f "$DATA/passage.db" ]; then
  "$P" simulate --seed 5 --size "$SIZE" --days "$DAYS" --out "$DATA-files" > /dev/null
  "$P" ingest "$DATA-files/messages" --data "$DATA" | tail -3
fi
USERS=$("$P" users list --data "$DATA")
grep -q '^bench' <<< "$USERS" ||
  echo "$PASSWORD" | "$P" users add bench --roles analyst --agency PIU --data "$DATA"
"$P" serve --data "$DATA" --port "$PORT" --retention-minutes 0 > /dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER' EXIT
# A large store takes a few seconds to open (the screener counts name frequencies first).
for _ in $(seq 1 60); do curl -sf -o /dev/null "$B/health" && break; sleep 0.5; done
JAR=$(mktemp)
TOKEN=$(curl -s -c "$JAR" -b "$JAR" "$B/login" | grep -o 'name="token" value="[^"]*"' | sed 's/.*value="//; s/"//')
curl -s -o /dev/null -c "$JAR" -b "$JAR" --data-urlencode "username=bench" --data-urlencode "password=$PASSWORD" -d "token=$TOKEN&next=/" "$B/login"
CSRF=$(curl -s -b "$JAR" "$B/" | grep -o 'name="csrf-token" content="[^"]*"' | sed 's/.*content="//; s/"//')
curl -s -o /dev/null -c "$JAR" -b "$JAR" -d "csrf=$CSRF&purpose=BENCH&next=/" "$B/purpose"
timing() {
  for _ in $(seq 1 15); do
    curl -s -o /dev/null -D - -b "$JAR" "$B$1" | grep -i '^server-timing' | grep -o 'dur=[0-9.]*' | cut -d= -f2
  done | sort -n | awk '{a[NR]=$1} END {printf "min %s  median %s  max %s ms\n", a[1], a[int((NR+1)/2)], a[NR]}'
}
FLIGHT=$(curl -s -b "$JAR" "$B/flights?date=$DAY" | grep -o 'href="/flights/[^"]*"' | sed -n 1p | sed 's/href="//; s/"//')
TRAVELLER=$(curl -s -b "$JAR" "$B$FLIGHT" | grep -o 'href="/travellers/[0-9]*"' | sed -n 30p | sed 's/href="//; s/"//')
SURNAME=$(curl -s -b "$JAR" "$B$TRAVELLER" | grep -o 'id="traveller-name">[^,<]*' | sed 's/.*>//')
echo "flights of $DAY (page 1 of the day's flights): $(timing "/flights?date=$DAY")"
echo "flights of $DAY, one carrier:                  $(timing "/flights?date=$DAY&carrier=XQ")"
echo "a flight's manifest ($FLIGHT):                 $(timing "$FLIGHT")"
echo "a traveller ($TRAVELLER):                      $(timing "$TRAVELLER")"
echo "search by surname:                             $(timing "/travellers?surname=${SURNAME// /+}")"
echo "hit queue:                                     $(timing "/hits")"
echo "today:                                         $(timing "/")"
rm -f "$JAR"
