#!/usr/bin/env bash
# Two `passage serve` nodes on one PostgreSQL database and one NATS stream take in a simulated
# day at the carriers' pace, half of the messages sent to each; the first node is killed
# (SIGKILL) midway and started again. Then: every acknowledged message processed exactly once,
# the same unit as one embedded-store node given the same messages (rows of every table but the
# audit, each flight's manifest, each booking's versions, messages by state), and the audit
# verifying.
#
#   bench/two-nodes.sh [SIZE] [SEED] [RATE]      # default: medium 5 100 (messages/s)
#   KILL=0 bench/two-nodes.sh …                  # the same without killing a node
#
# Needs a release build (cargo build --release -p passage), python3, psql, PostgreSQL at
# $PASSAGE_BENCH_POSTGRES (default postgres://postgres@127.0.0.1:5432/postgres) and NATS with
# JetStream at $PASSAGE_BENCH_NATS (default nats://127.0.0.1:4222).
set -euo pipefail
cd "$(dirname "$0")/.."
size=${1:-medium}
seed=${2:-5}
rate=${3:-100}
admin=${PASSAGE_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/postgres}
nats=${PASSAGE_BENCH_NATS:-nats://127.0.0.1:4222}
bin=$PWD/target/release/passage
work=$(mktemp -d /tmp/passage-nodes-XXXX)
db=passage_nodes_$$
trap 'pkill -f "$work/n" 2>/dev/null || true; psql "$admin" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

"$bin" simulate --seed "$seed" --size "$size" --out "$work/day" >/dev/null 2>&1
psql "$admin" -qc "CREATE DATABASE $db TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
url=${admin%/*}/$db
"$bin" migrate --data "$work/n1" --store "$url"
mkdir -p "$work/n2"
install -m 600 "$work/n1/audit.key" "$work/n2/audit.key"


python3 - "$bin" "$work" "$url" "$nats" "$rate" <<'EOF'
import json, os, signal, sqlite3, subprocess, sys, time, urllib.request
sys.path.insert(0, "bench")
from same_unit import compare, psql as psql_at

bin_, work, url, nats, rate = sys.argv[1:6]
rate = float(rate)
prefix = f"nodes{os.getpid()}"

def start(n, extra=(), embedded=False):
    data = f"{work}/n{n}"
    where = [] if embedded else ["--store", url, "--bus", nats, "--bus-prefix", prefix]
    p = subprocess.Popen(
        [bin_, "serve", "--data", data, *where, "--open-intake", "--port", "0", "--retention-minutes", "0", *extra],
        stdout=subprocess.PIPE, stderr=open(f"{data}.log", "a"), text=True)
    line = p.stdout.readline().strip()
    assert line.startswith("listening on "), line
    return p, line.removeprefix("listening on ")

def psql(sql):
    return psql_at(url, sql)

messages = [json.loads(l) for l in open(f"{work}/day/manifest.jsonl")]

def send(base, m):
    body = open(f"{work}/day/messages/{m['file']}", "rb").read()
    req = urllib.request.Request(f"{base}/api/v1/messages", data=body, method="POST",
                                 headers={"Content-Type": "application/edifact",
                                          "X-Passage-Carrier": m["carrier"]})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)

# The embedded store's run of the same day over the same channel, one node, no bus: what the
# two nodes must end up with.
embedded, base = start("embedded", embedded=True)
for m in messages:
    send(base, m)
embedded.terminate(); embedded.wait()
embedded, _ = start("embedded", ("--series-timeout-minutes", "0"), embedded=True)
lite = sqlite3.connect(f"{work}/nembedded/passage.db")
deadline = time.monotonic() + 120
while lite.execute("SELECT COUNT(*) FROM messages WHERE state IN ('received', 'waiting')").fetchone()[0]:
    assert time.monotonic() < deadline, "series left waiting"
    time.sleep(1)
embedded.terminate(); embedded.wait()

nodes = {1: start(1), 2: start(2)}
acknowledged = {}  # message id -> answers
refused = 0
killed_at = len(messages) // 2 if os.environ.get("KILL", "1") == "1" else -1
t0 = time.monotonic()
for i, m in enumerate(messages):
    due = t0 + i / rate
    if (wait := due - time.monotonic()) > 0:
        time.sleep(wait)
    if i == killed_at:
        nodes[1][0].send_signal(signal.SIGKILL)
        nodes[1][0].wait()
        down_since = time.monotonic()
    if killed_at >= 0 and i == killed_at + int(rate * 5):  # five seconds later, node 1 is back
        nodes[1] = start(1)
        print(f"node 1 killed after {killed_at} messages, back after "
              f"{time.monotonic() - down_since:.1f} s", file=sys.stderr)
    node = 1 + (i % 2)
    if nodes[node][0].poll() is not None:
        node = 2  # the balancer sends to the node that is up
    try:
        answer = send(nodes[node][1], m)
        acknowledged.setdefault(answer["message"], []).append(answer["outcome"])
    except Exception:
        refused += 1
sent_for = time.monotonic() - t0

# Every id published is processed; then the series still waiting time out (a node started
# with no timeout), as they would have ten minutes later.
deadline = time.monotonic() + 600
while psql("SELECT COUNT(*) FROM messages WHERE state = 'received'") != [("0",)]:
    assert time.monotonic() < deadline, "messages left unprocessed"
    time.sleep(1)
done_after = time.monotonic() - t0
for p, _ in nodes.values():
    p.terminate(); p.wait()
flusher, _ = start(1, ("--series-timeout-minutes", "0"))
deadline = time.monotonic() + 120
while psql("SELECT COUNT(*) FROM messages WHERE state IN ('received', 'waiting')") != [("0",)]:
    assert time.monotonic() < deadline, "series left waiting"
    time.sleep(1)
flusher.terminate(); flusher.wait()

# Exactly once: every acknowledged message has one id and a final state; nothing applied twice.
states = dict(psql("SELECT id, state FROM messages"))
assert all(states.get(str(i)) in ("processed", "duplicate", "failed") for i in acknowledged), \
    "an acknowledged message was not processed"
twice = psql("SELECT subject, COUNT(*) FROM audit WHERE action = 'sensitive.deleted' "
             "GROUP BY subject HAVING COUNT(*) > 1")
assert not twice, f"a message's deletions audited twice: {twice[:3]}"

checks, _, differ = compare(f"{work}/nembedded/passage.db", url,
                           ("audit", "carrier_counts", "generations"))
print(f"{len(messages)} messages sent in {sent_for:.1f} s ({rate:.0f}/s asked), "
      f"{len(acknowledged)} acknowledged, {refused} refused while a node was down or busy; "
      f"all processed {done_after:.1f} s after the first")
print("exactly once: every acknowledged message in a final state, none applied twice")
if differ:
    print("DIFFER from the embedded store:", ", ".join(differ))
    for name, (only_embedded, only_nodes) in differ.items():
        print(f"  {name}: {len(only_embedded)} rows only embedded, {len(only_nodes)} only on "
              f"the two nodes; e.g. {only_embedded[:3]} / {only_nodes[:3]}")
    sys.exit(1)
print(f"same unit as the embedded store's run: {len(checks)} checks")
EOF

# The audit of the unit is one chain, written by both nodes.
python3 - "$url" "$work/n2" <<'EOF'
import subprocess, sys
# The chain: every record's prev_hash is the hash of the record before (the MACs and hashes
# are checked by the store's own verification in the conformance tests).
rows = subprocess.run(["psql", sys.argv[1], "-At", "-c",
                       "SELECT id, prev_hash, hash FROM audit ORDER BY id"],
                      check=True, capture_output=True, text=True).stdout.split("\n")
rows = [r.split("|") for r in rows if r]
ids = [int(r[0]) for r in rows]
assert ids == list(range(1, len(ids) + 1)), "the audit's numbers have a gap"
assert all(rows[i][1] == rows[i - 1][2] for i in range(1, len(rows))), "the audit forked"
print(f"audit: one chain of {len(rows)} records written by both nodes")
EOF
