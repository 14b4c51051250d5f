#!/usr/bin/env python3
"""Peers of our watchlist matcher on exactly the same entries and queries.

Inputs come from our own importers, so every contender sees the same list entries and the same
queries (`crates/screening/examples/export_lists.rs` writes both as JSON lines):

    cargo run --release -p screening --example export_lists -- \
        ../shared/corpus/watchlists /tmp/peers/entries.jsonl \
        ../shared/corpus/screening-eval 50 /tmp/peers/queries.jsonl
    python bench/screening_peers/peers.py --entries /tmp/peers/entries.jsonl \
        --queries /tmp/peers/queries.jsonl [--nationality] [--out-dir /tmp/peers] \
        [--ours /tmp/peers/ours.jsonl]

Contenders (one query at a time, one thread):

- rapidfuzz brute force: the query's full name (given names + surname) against every name of
  every entry, `process.cdist` with `default_process`, Jaro-Winkler and token_sort_ratio; an
  entry's score is its best name; a hit is an entry at or above the threshold. Names only.
- nomenklatura logic-v2 (OpenSanctions): nomenklatura has no candidate index of its own (yente
  uses Elasticsearch), so candidates are rapidfuzz's top 50 entries by token_sort_ratio; each
  candidate is then scored by `LogicV2.compare(query, candidate, config)` on FtM entities
  (query: Person with name, birthDate when exact, gender, and nationality with --nationality;
  candidate: Person with name/alias/weakAlias, birthDate, nationality, gender). Time per query
  is candidates + scoring.

Truth: a positive (a UN person as listed) must score its UN entry (`targets`, from our
`eval::entries_for`: same folded name words, compatible birth year) at or above the threshold;
a negative (a synthetic non-listed person) must have no entry at or above it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import JaroWinkler
from rapidfuzz.utils import default_process

from followthemoney import model, registry
from nomenklatura.matching import get_algorithm

CANDIDATES = 50
RF_THRESHOLDS = [0.80, 0.85, 0.90, 0.95, 1.00]
NK_THRESHOLDS = [0.50, 0.60, 0.70, 0.80, 0.90]


def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def full_name(q: dict) -> str:
    return f"{q['given_names']} {q['surname']}".strip()


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    if not s:
        return 0.0
    return s[min(len(s) - 1, round((len(s) - 1) * p))]


def times_line(label: str, t: list[float]) -> str:
    mean = statistics.fmean(t) if t else 0.0
    return (
        f"  {label:<10} n={len(t):<5} mean {mean:>9.1f} µs  p50 {pct(t, 0.5):>9.1f} µs"
        f"  p99 {pct(t, 0.99):>9.1f} µs"
    )


class Lists:
    """Every name of every entry, grouped by entry (contiguous), pre-processed once."""

    def __init__(self, entries: list[dict]) -> None:
        self.entries = entries
        self.keys = [(e["list"], e["id"]) for e in entries]
        self.index = {k: i for i, k in enumerate(self.keys)}
        names: list[str] = []
        starts: list[int] = []
        for e in entries:
            starts.append(len(names))
            ns = [default_process(n) for n in e["names"]]
            names.extend(ns if ns else [""])
        self.names = names
        self.starts = np.array(starts, dtype=np.int64)

    def entry_scores(self, query: str, scorer) -> np.ndarray:
        """Each entry's best name score against `query` (0..1)."""
        q = default_process(query)
        s = process.cdist([q], self.names, scorer=scorer, processor=None, workers=1)[0]
        return np.maximum.reduceat(s, self.starts)


def rf_contender(lists: Lists, queries: list[dict], scorer, scale: float) -> dict:
    """Brute force: scores of every entry for each query; returns timings and per-query scores."""
    for q in queries[:20]:  # warm-up
        lists.entry_scores(full_name(q), scorer)
    times: list[float] = []
    results = []
    for q in queries:
        t = time.perf_counter()
        s = lists.entry_scores(full_name(q), scorer) / scale
        hits = np.nonzero(s >= min(RF_THRESHOLDS))[0]
        times.append((time.perf_counter() - t) * 1e6)
        results.append(score_record(lists, q, {int(i): float(s[i]) for i in hits}, s))
    return {"times": times, "results": results}


def score_record(lists: Lists, q: dict, hits: dict[int, float], all_scores=None) -> dict:
    targets = {lists.index[tuple(t)] for t in q["targets"] if tuple(t) in lists.index}
    if all_scores is not None:
        best = max((float(all_scores[i]) for i in targets), default=0.0)
    else:
        best = max((hits.get(i, 0.0) for i in targets), default=0.0)
    others = sorted((v for i, v in hits.items() if i not in targets), reverse=True)
    top = sorted(hits.items(), key=lambda kv: -kv[1])[:5]
    return {
        "set": q["set"],
        "row": q["row"],
        "name": q["full_name"] if q["set"] != "var" else f"{q['variation']}: {full_name(q)} dob {q['dob']}",
        "target_score": round(best, 4),
        "others": others,
        "top": [[*lists.keys[i], round(v, 4)] for i, v in top],
    }


def ftm_dates(d: str) -> list[str]:
    if ".." in d:
        a, b = d.split("..")
        return [str(y) for y in range(int(a), int(b) + 1)]
    return [d]


def candidate_entity(e: dict):
    ent = model.make_entity("Person" if e["kind"] == "person" else "LegalEntity")
    ent.id = f"{e['list']}-{e['id']}"
    prop = {"primary": "name", "strong": "alias", "weak": "weakAlias"}
    for n, quality in zip(e["names"], e["name_qualities"]):
        ent.add(prop[quality], n)
    if e["kind"] == "person":
        for d in e["birth_dates"]:
            ent.add("birthDate", ftm_dates(d))
        if e["sex"]:
            ent.add("gender", e["sex"])
        for c in e["nationalities"]:
            code = registry.country.clean(c)
            if code:
                ent.add("nationality", code)
    return ent


def query_entity(q: dict, i: int, nationality: bool):
    ent = model.make_entity("Person")
    ent.id = f"q-{q['set']}-{q['row']}-{i}"
    ent.add("name", full_name(q))
    if q["dob"]:
        ent.add("birthDate", q["dob"])
    if q["sex"]:
        ent.add("gender", q["sex"])
    if nationality and q["nationality_alpha3"]:
        code = registry.country.clean(q["nationality_alpha3"])
        if code:
            ent.add("nationality", code)
    return ent


def nk_contender(lists: Lists, queries: list[dict], nationality: bool) -> dict:
    algo = get_algorithm("logic-v2")
    if algo is None:
        sys.exit("nomenklatura has no logic-v2")
    config = algo.default_config()
    t = time.perf_counter()
    cands = [candidate_entity(e) for e in lists.entries]
    build = time.perf_counter() - t

    def run(q: dict, i: int):
        t0 = time.perf_counter()
        s = lists.entry_scores(full_name(q), fuzz.token_sort_ratio)
        top = np.argpartition(-s, CANDIDATES)[:CANDIDATES]
        t1 = time.perf_counter()
        qe = query_entity(q, i, nationality)
        scores = {int(j): algo.compare(qe, cands[j], config).score for j in top}
        t2 = time.perf_counter()
        return top, scores, (t1 - t0) * 1e6, (t2 - t1) * 1e6

    for i, q in enumerate(queries[:20]):  # warm-up (loads rigour's name data)
        run(q, -1 - i)
    times, t_cand, t_score, results, cand_found = [], [], [], [], 0
    for i, q in enumerate(queries):
        top, scores, tc, ts = run(q, i)
        t_cand.append(tc)
        t_score.append(ts)
        times.append(tc + ts)
        targets = {lists.index[tuple(t)] for t in q["targets"] if tuple(t) in lists.index}
        cand_found += bool(targets & {int(j) for j in top})
        hits = {j: v for j, v in scores.items() if v >= 0.3}
        results.append(score_record(lists, q, hits))
    return {
        "times": times,
        "t_cand": t_cand,
        "t_score": t_score,
        "results": results,
        "cand_found": cand_found,
        "build": build,
    }


def accuracy(results: list[dict], thresholds: list[float]) -> list[str]:
    pos = [r for r in results if r["set"] == "pos"]
    var = [r for r in results if r["set"] == "var"]
    neg = [r for r in results if r["set"] == "neg"]
    lines = [
        f"{'threshold':>9}  {'recall':>8}  {'var rec':>8}  {'false alarms':>14}  {'hits/neg':>12}  {'other hits/pos':>16}"
    ]
    for t in thresholds:
        recall = sum(r["target_score"] >= t for r in pos) / max(1, len(pos))
        var_recall = sum(r["target_score"] >= t for r in var) / max(1, len(var))
        fa = sum(any(v >= t for v in r["others"]) for r in neg)
        fa_hits = sum(sum(v >= t for v in r["others"]) for r in neg)
        other = sum(sum(v >= t for v in r["others"]) for r in pos)
        lines.append(
            f"{t:>9.2f}  {recall:>8.4f}  {var_recall:>8.4f}  {fa:>6} ({100 * fa / max(1, len(neg)):>5.2f}%)"
            f"  {fa_hits / max(1, len(neg)):>12.4f}  {other / max(1, len(pos)):>16.3f}"
        )
    return lines


def report(name: str, res: dict, queries: list[dict], thresholds: list[float]) -> None:
    pos_t = [t for t, q in zip(res["times"], queries) if q["set"] == "pos"]
    neg_t = [t for t, q in zip(res["times"], queries) if q["set"] == "neg"]
    var_t = [t for t, q in zip(res["times"], queries) if q["set"] == "var"]
    print(f"== {name}")
    print("time per query (one thread):")
    print(times_line("pos+neg", pos_t + neg_t))
    print(times_line("positives", pos_t))
    print(times_line("negatives", neg_t))
    print(times_line("variations", var_t))
    if "t_cand" in res:
        n_pairs = len(queries) * CANDIDATES
        print(
            f"  candidates (token_sort_ratio top {CANDIDATES}): mean {statistics.fmean(res['t_cand']):.1f} µs;"
            f" logic-v2 scoring: mean {statistics.fmean(res['t_score']):.1f} µs per query,"
            f" {sum(res['t_score']) / n_pairs:.1f} µs per pair; candidate entities built in {res['build']:.2f} s"
        )
        n_pos = sum(q["set"] != "neg" for q in queries)
        print(f"  target among the candidates (positives and variations): {res['cand_found']}/{n_pos}")
    for line in accuracy(res["results"], thresholds):
        print(line)
    print()


def disagreements(name: str, peer: list[dict], ours: dict, t_peer: float, t_ours: float) -> None:
    """Queries where the peer is right and we are wrong, at the two default thresholds."""
    missed, alarmed = [], []
    for r in peer:
        o = ours.get((r["set"], r["row"]))
        if o is None:
            continue
        if r["set"] != "neg" and r["target_score"] >= t_peer and o["target_score"] < t_ours:
            missed.append((r, o))
        if r["set"] == "neg":
            ours_alarm = o["top"] and o["top"][0][2] >= t_ours
            peer_alarm = any(v >= t_peer for v in r["others"])
            if ours_alarm and not peer_alarm:
                alarmed.append((r, o))
    print(f"== {name} right, ours wrong ({name} at {t_peer:.2f}, ours at {t_ours:.2f})")
    print(f"  positives/variations we miss and it finds: {len(missed)}")
    for r, o in missed[:25]:
        print(
            f"    '{r['name']}' target {r['target_score']:.2f} vs ours {o['target_score']:.2f}"
            f" (our top: {o['top'][:2]})"
        )
    print(f"  negatives we alarm on and it does not: {len(alarmed)}")
    for r, o in alarmed[:15]:
        print(f"    '{r['name']}' ours {o['top'][:2]}; its best {r['top'][:1]}")
    print()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entries", type=Path, required=True)
    ap.add_argument("--queries", type=Path, required=True)
    ap.add_argument("--nationality", action="store_true", help="give logic-v2 the query's nationality")
    ap.add_argument("--out-dir", type=Path, help="write per-query results (JSON lines) here")
    ap.add_argument("--ours", type=Path, help="screen_csv --out file, to list disagreements")
    ap.add_argument("--skip-rapidfuzz", action="store_true")
    args = ap.parse_args()

    entries = read_jsonl(args.entries)
    queries = [q for q in read_jsonl(args.queries) if q["set"] == "neg" or q["targets"]]
    lists = Lists(entries)
    n_pos = sum(q["set"] == "pos" for q in queries)
    print(
        f"{len(entries)} entries, {len(lists.names)} names; {n_pos} positives,"
        f" {sum(q['set'] == 'neg' for q in queries)} negatives;"
        f" {sum(q['set'] == 'var' for q in queries)} variations; nationality in logic-v2 query: {args.nationality}\n"
    )
    runs = {}
    if not args.skip_rapidfuzz:
        runs["rapidfuzz-jw"] = rf_contender(lists, queries, JaroWinkler.normalized_similarity, 1.0)
        report("rapidfuzz Jaro-Winkler, brute force over all names", runs["rapidfuzz-jw"], queries, RF_THRESHOLDS)
        runs["rapidfuzz-tsr"] = rf_contender(lists, queries, fuzz.token_sort_ratio, 100.0)
        report("rapidfuzz token_sort_ratio, brute force over all names", runs["rapidfuzz-tsr"], queries, RF_THRESHOLDS)
    runs["logic-v2"] = nk_contender(lists, queries, args.nationality)
    report("nomenklatura logic-v2 on rapidfuzz top-50 candidates", runs["logic-v2"], queries, NK_THRESHOLDS)

    if args.out_dir:
        args.out_dir.mkdir(parents=True, exist_ok=True)
        for name, res in runs.items():
            with open(args.out_dir / f"{name}.jsonl", "w", encoding="utf-8") as f:
                for r in res["results"]:
                    f.write(json.dumps(r, ensure_ascii=False) + "\n")
    if args.ours:
        ours = {(r["set"], r["row"]): r for r in read_jsonl(args.ours)}
        disagreements("logic-v2", runs["logic-v2"]["results"], ours, 0.70, 0.80)
        if "rapidfuzz-jw" in runs:
            disagreements("rapidfuzz-jw", runs["rapidfuzz-jw"]["results"], ours, 0.95, 0.80)


if __name__ == "__main__":
    main()
