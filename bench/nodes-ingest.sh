#!/usr/bin/env bash
# Ingest speed over HTTP, as carriers deliver, on three set-ups given the same simulated day as
# fast as SENDERS parallel senders can send it: one embedded-store node without a bus, one node
# on PostgreSQL and NATS, two nodes on the same PostgreSQL and NATS (messages alternately to
# each). For each: wall time from the first send until no message is left `received`,
# travellers per second, CPU seconds of the Passage nodes and of the PostgreSQL server, and CPU
# per traveller (nodes + database).
#
#   bench/nodes-ingest.sh [SIZE] [SEED] [SENDERS]      # default: medium 5 4
#
# Needs a release build (cargo build --release -p passage), python3, psql, PostgreSQL at
# $PASSAGE_BENCH_POSTGRES (default postgres://postgres@127.0.0.1:5432/postgres) and NATS with
# JetStream at $PASSAGE_BENCH_NATS (default nats://127.0.0.1:4222).
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-medium}
seed=${2:-5}
senders=${3:-4}
admin=${PASSAGE_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}
nats=${PASSAGE_BENCH_NATS:-nats://127.0.0.1:4222}
bin=$PWD/target/release/passage
work=$(mktemp -d /tmp/passage-ingest-XXXX)
trap 'pkill -f "$work/" 2>/dev/null || true; for d in one two; do psql "$admin" -qc "DROP DATABASE IF EXISTS passage_ingest_${d}_$$ WITH (FORCE)" >/dev/null 2>&1 || true; done; rm -rf "$work"' EXIT

"$bin" simulate --seed "$seed" --size "$size" --out "$work/day" >/dev/null 2>&1
for d in one two; do
    psql "$admin" -qc "CREATE DATABASE passage_ingest_${d}_$$ TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
    "$bin" migrate --data "$work/$d-1" --store "${admin%/*}/passage_ingest_${d}_$$" >/dev/null
    mkdir -p "$work/$d-2"
    install -m 600 "$work/$d-1/audit.key" "$work/$d-2/audit.key"
done

python3 - "$bin" "$work" "${admin%/*}" "$$" "$nats" "$senders" <<'EOF'
import concurrent.futures, json, os, sqlite3, subprocess, sys, time, urllib.request
sys.path.insert(0, "bench")
from measure import travellers, process_cpu, pg_cpu
from same_unit import psql

bin_, work, pg, pid, nats, senders = sys.argv[1:7]
senders = int(senders)
messages = [json.loads(l) for l in open(f"{work}/day/manifest.jsonl")]
bodies = [(m["carrier"], open(f"{work}/day/messages/{m['file']}", "rb").read()) for m in messages]
count = travellers(f"{work}/day/messages")

def start(data, store=None, prefix=None):
    where = ["--store", store, "--bus", nats, "--bus-prefix", prefix] if store else []
    p = subprocess.Popen([bin_, "serve", "--data", data, *where, "--open-intake", "--port", "0", "--retention-minutes", "0"],
                         stdout=subprocess.PIPE, stderr=open(f"{data}.log", "a"), text=True)
    line = p.stdout.readline().strip()
    assert line.startswith("listening on "), line
    return p, line.removeprefix("listening on ")

def send(base, carrier, body):
    req = urllib.request.Request(f"{base}/api/v1/messages", data=body, method="POST",
                                 headers={"Content-Type": "application/edifact",
                                          "X-Passage-Carrier": carrier})
    with urllib.request.urlopen(req, timeout=120) as r:
        r.read()

def run(name, nodes, left):
    """Sends the day to `nodes` and waits until `left()` says none is left received."""
    pg_before = pg_cpu()
    node_before = [process_cpu(p.pid) for p, _ in nodes]
    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(senders) as pool:
        list(pool.map(lambda im: send(nodes[im[0] % len(nodes)][1], *im[1]), enumerate(bodies)))
    sent = time.monotonic() - t0
    while left():
        time.sleep(0.2)
    wall = time.monotonic() - t0
    cpu = sum(process_cpu(p.pid) - b for (p, _), b in zip(nodes, node_before))
    server = pg_cpu() - pg_before
    for p, _ in nodes:
        p.terminate(); p.wait()
    print(f"| {name} | {wall:.1f} s (sent in {sent:.1f} s) | {count / wall:,.0f} | {cpu:.1f} s | "
          f"{server:.1f} s | {(cpu + server) / count * 1e6:,.0f} µs |", flush=True)

print(f"{len(bodies)} messages, {count:,} travellers, {senders} senders")
print("| set-up | wall | travellers/s | CPU of the nodes | CPU of PostgreSQL | CPU per traveller |")
print("| --- | --- | --- | --- | --- | --- |")
embedded = start(f"{work}/embedded")
def embedded_left():
    db = sqlite3.connect(f"{work}/embedded/passage.db")
    return db.execute("SELECT COUNT(*) FROM messages WHERE state = 'received'").fetchone()[0] > 0
run("embedded store, 1 node, no bus", [embedded], embedded_left)
for d, n in (("one", 1), ("two", 2)):
    url = f"{pg}/passage_ingest_{d}_{pid}"
    nodes = [start(f"{work}/{d}-{i}", url, f"ingest{pid}{d}") for i in range(1, n + 1)]
    run(f"PostgreSQL + NATS, {n} node{'s' if n > 1 else ''}", nodes,
        lambda: psql(url, "SELECT COUNT(*) FROM messages WHERE state = 'received'") != [("0",)])
EOF
