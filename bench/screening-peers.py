#!/usr/bin/env python3
"""Brute-force peer for the screening matcher: RapidFuzz Jaro-Winkler of each traveller's full
name against every name of every person on UN+OFAC+EU, the same travellers as the Rust bench.

    SCREEN_BENCH_EXPORT=/tmp/matcher-peers SCREEN_BENCH_QUICK=1 \
        cargo bench -p screening --bench screen        # writes names.txt, non_listed.txt, listed.txt
    pip install rapidfuzz
    python3 bench/screening-peers.py /tmp/matcher-peers [N]

Prints mean, p50 and p99 per traveller (one thread: process.extract) for the
first N (default 300) non-listed and listed travellers. Names are upper-cased on both sides; no
other normalisation (no transliteration, titles, particles, dates): a pure string-similarity scan.
"""

import statistics
import sys
import time

import rapidfuzz
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler


def load(path):
    with open(path, encoding="utf-8") as f:
        return [line.strip().upper() for line in f if line.strip()]


def run(label, queries, names):
    times = []
    hits = 0
    for q in queries:
        t = time.perf_counter()
        found = process.extract(
            q, names, scorer=JaroWinkler.similarity, score_cutoff=0.9, limit=None
        )
        times.append(time.perf_counter() - t)
        hits += len(found)
    times.sort()
    p = lambda x: times[min(len(times) - 1, int(len(times) * x))] * 1e6
    print(
        f"{label}: {len(times)} travellers, mean {statistics.mean(times) * 1e6:.0f} µs, "
        f"p50 {p(0.5):.0f} µs, p99 {p(0.99):.0f} µs ({hits} names ≥ 0.90)"
    )


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "/tmp/matcher-peers"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 300
    names = load(f"{d}/names.txt")
    print(f"rapidfuzz {rapidfuzz.__version__}, {len(names)} listed names")
    run("non-listed", load(f"{d}/non_listed.txt")[:n], names)
    run("listed (varied)", load(f"{d}/listed.txt")[:n], names)


if __name__ == "__main__":
    main()
