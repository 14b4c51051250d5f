#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! Our matcher on exactly the queries the Python peers see (`bench/screening_peers/peers.py`):
//! every UN person as listed (`un_positives_exact.csv`, must find their UN entry) and every
//! `step`-th non-listed person (`synthetic_negatives_global.csv`, must find nothing), against the
//! UN, OFAC and EU lists. Prints time per query (mean, p50, p99), recall and false alarms at
//! several thresholds, in the same layout as `peers.py`.
//!
//! ```text
//! cargo run --release -p screening --example screen_csv -- \
//!     <lists dir> <eval dir> <step> [--nationality] [--out results.jsonl]
//! ```
//!
//! A third set, `var`, is one generated variation of each UN person (`eval::vary`, seed 7: typo,
//! reordered, dropped middle name, transliteration, date variants, title, passport style), which
//! must find that person; it is timed and reported separately ("var rec").
//! Queries are `eval::Person::query` (name, exact date of birth, sex; a year-only date is dropped
//! because a travel-document date is exact); `--nationality` adds the CSV's nationality (as
//! alpha-3) to every query, as `peers.py --nationality` does for logic-v2. `--out` writes one JSON
//! line per query (best target score, top hits) for row-by-row comparison with the peers.
//! Timing: one untimed pass (scores at every threshold, via `screen_at(q, 0.5)`), then one timed
//! pass of `Matcher::screen` (the production call), one query at a time on one thread.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use screening::eval::{self, Person};
use screening::{Config, EntryKind, ListVersion, Matcher, Query};
use serde_json::json;

const THRESHOLDS: [f64; 5] = [0.70, 0.75, 0.80, 0.85, 0.90];

/// The three lists in a fixed order: un, ofac, eu (every `*.xml` in each folder, sorted) — the
/// same loader as `export_lists.rs`.
fn load_lists(dir: &Path) -> Vec<ListVersion> {
    let mut out = Vec::new();
    for name in ["un", "ofac", "eu"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(name))
            .unwrap_or_else(|e| {
                eprintln!("{}: {e}", dir.join(name).display());
                std::process::exit(1)
            })
            .filter_map(|d| d.ok().map(|d| d.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "xml"))
            .collect();
        files.sort();
        for file in files {
            let bytes = std::fs::read(&file).unwrap();
            let format = screening::Format::detect(&bytes).expect("a list format");
            let imported = screening::import(format, &bytes).unwrap();
            out.push(ListVersion::from_import(name, None, &bytes, imported));
        }
    }
    out
}

/// One generated variation per UN person, `eval::vary` with seed 7: the same code as in
/// `export_lists.rs`.
fn variation_queries(un: &ListVersion) -> Vec<(String, Query, String)> {
    let mut rng = eval::Rng::new(7);
    let kinds = &eval::VARIATIONS[1..];
    un.entries
        .iter()
        .filter(|e| e.kind == EntryKind::Person)
        .enumerate()
        .filter_map(|(k, e)| {
            let v = kinds[k % kinds.len()];
            eval::vary(e, v, &mut rng).map(|q| (format!("{v:?}"), q, e.id.clone()))
        })
        .collect()
}

struct Case {
    set: &'static str,
    row: usize,
    name: String,
    query: Query,
    targets: Vec<(String, String)>,
}

fn query(p: &Person, nationality: bool) -> Query {
    let mut q = p.query();
    if nationality {
        q.nationality = screening::lists::country::from_any(&p.nationality).map(String::from);
    }
    q
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn times_line(label: &str, t: &[f64]) -> String {
    let mut s = t.to_vec();
    s.sort_by(f64::total_cmp);
    let mean = s.iter().sum::<f64>() / s.len().max(1) as f64;
    format!(
        "  {label:<10} n={:<5} mean {:>9.1} µs  p50 {:>9.1} µs  p99 {:>9.1} µs",
        s.len(),
        mean,
        pct(&s, 0.5),
        pct(&s, 0.99)
    )
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        eprintln!(
            "usage: screen_csv <lists dir> <eval dir> <step> [--nationality] [--out results.jsonl]"
        );
        std::process::exit(2);
    }
    let nationality = args.iter().any(|a| a == "--nationality");
    let out_path = args
        .iter()
        .position(|a| a == "--out")
        .and_then(|i| args.get(i + 1));
    let t0 = Instant::now();
    let lists = load_lists(Path::new(&args[0]));
    let t_load = t0.elapsed();
    let refs: Vec<&ListVersion> = lists.iter().collect();
    let config = Config::default();
    let t1 = Instant::now();
    let m = Matcher::build(&refs, &config);
    let t_build = t1.elapsed();
    let un = lists.iter().find(|l| l.list == "un").expect("the UN list");
    let eval_dir = Path::new(&args[1]);
    let step: usize = args[2].parse().expect("a step");

    let mut cases = Vec::new();
    let pos = eval::read_people(&eval_dir.join("un_positives_exact.csv")).unwrap();
    let mut unresolved = 0;
    for (row, p) in pos.iter().enumerate() {
        let targets: Vec<(String, String)> = eval::entries_for(un, p)
            .iter()
            .map(|e| (un.list.clone(), e.id.clone()))
            .collect();
        if targets.is_empty() {
            unresolved += 1;
            continue;
        }
        cases.push(Case {
            set: "pos",
            row,
            name: p.full_name.clone(),
            query: query(p, nationality),
            targets,
        });
    }
    let neg = eval::read_people(&eval_dir.join("synthetic_negatives_global.csv")).unwrap();
    for (row, p) in neg.iter().enumerate().step_by(step.max(1)) {
        cases.push(Case {
            set: "neg",
            row,
            name: p.full_name.clone(),
            query: query(p, nationality),
            targets: Vec::new(),
        });
    }
    for (row, (v, mut q, id)) in variation_queries(un).into_iter().enumerate() {
        if !nationality {
            q.nationality = None;
        }
        cases.push(Case {
            set: "var",
            row,
            name: format!("{v}: {} {}", q.given_names, q.surname),
            query: q,
            targets: vec![(un.list.clone(), id)],
        });
    }
    let n_pos = cases.iter().filter(|c| c.set == "pos").count();
    let n_var = cases.iter().filter(|c| c.set == "var").count();
    let n_neg = cases.len() - n_pos - n_var;

    // untimed pass: scores for accuracy
    let mut out = out_path.map(|p| std::io::BufWriter::new(std::fs::File::create(p).unwrap()));
    let mut target_scores = Vec::new();
    let mut var_scores = Vec::new();
    let mut neg_scores: Vec<Vec<f64>> = Vec::new();
    let mut pos_other_scores: Vec<Vec<f64>> = Vec::new();
    for c in &cases {
        let hits = m.screen_at(&c.query, 0.5);
        let is_target = |l: &str, i: &str| c.targets.iter().any(|(tl, ti)| tl == l && ti == i);
        let best = hits
            .iter()
            .filter(|h| is_target(&h.list, &h.entry_id))
            .map(|h| h.score)
            .fold(0.0, f64::max);
        if c.set == "var" {
            var_scores.push(best);
        } else if c.set == "pos" {
            target_scores.push(best);
            pos_other_scores.push(
                hits.iter()
                    .filter(|h| !is_target(&h.list, &h.entry_id))
                    .map(|h| h.score)
                    .collect(),
            );
        } else {
            neg_scores.push(hits.iter().map(|h| h.score).collect());
        }
        if let Some(o) = out.as_mut() {
            let top: Vec<_> = hits
                .iter()
                .take(5)
                .map(|h| json!([h.list, h.entry_id, (h.score * 1e4).round() / 1e4]))
                .collect();
            let line = json!({"set": c.set, "row": c.row, "name": c.name,
                "target_score": (best * 1e4).round() / 1e4, "top": top});
            writeln!(o, "{line}").unwrap();
        }
    }
    if let Some(mut o) = out {
        o.flush().unwrap();
    }

    // timed pass: the production call, one query at a time
    let mut t_pos = Vec::new();
    let mut t_neg = Vec::new();
    let mut t_var = Vec::new();
    let mut total_hits = 0usize;
    for c in &cases {
        let t = Instant::now();
        let hits = m.screen(&c.query);
        let us = t.elapsed().as_secs_f64() * 1e6;
        total_hits += hits.len();
        if c.set == "pos" {
            t_pos.push(us);
        } else if c.set == "var" {
            t_var.push(us);
        } else {
            t_neg.push(us);
        }
    }
    let all: Vec<f64> = t_pos.iter().chain(&t_neg).copied().collect();

    println!(
        "== passage screening (ours), lists loaded in {:.2} s, matcher built in {:.2} s, {} entries",
        t_load.as_secs_f64(),
        t_build.as_secs_f64(),
        m.len()
    );
    println!(
        "queries: {n_pos} positives ({unresolved} rows without a UN entry skipped), {n_neg} negatives (every {step}th), {n_var} variations; nationality in query: {nationality}; default threshold {:.2}",
        config.threshold
    );
    println!("time per query (Matcher::screen, one thread):");
    println!("{}", times_line("pos+neg", &all));
    println!("{}", times_line("positives", &t_pos));
    println!("{}", times_line("negatives", &t_neg));
    println!("{}", times_line("variations", &t_var));
    println!("  ({total_hits} hits at the default threshold)");
    println!(
        "{:>9}  {:>8}  {:>8}  {:>14}  {:>12}  {:>16}",
        "threshold", "recall", "var rec", "false alarms", "hits/neg", "other hits/pos"
    );
    for t in THRESHOLDS {
        let recall = target_scores.iter().filter(|&&s| s >= t).count() as f64 / n_pos.max(1) as f64;
        let var_recall =
            var_scores.iter().filter(|&&s| s >= t).count() as f64 / n_var.max(1) as f64;
        let fa_people = neg_scores
            .iter()
            .filter(|s| s.iter().any(|&x| x >= t))
            .count();
        let fa_hits: usize = neg_scores
            .iter()
            .map(|s| s.iter().filter(|&&x| x >= t).count())
            .sum();
        let other: usize = pos_other_scores
            .iter()
            .map(|s| s.iter().filter(|&&x| x >= t).count())
            .sum();
        println!(
            "{t:>9.2}  {recall:>8.4}  {var_recall:>8.4}  {:>6} ({:>5.2}%)  {:>12.4}  {:>16.3}",
            fa_people,
            100.0 * fa_people as f64 / n_neg.max(1) as f64,
            fa_hits as f64 / n_neg.max(1) as f64,
            other as f64 / n_pos.max(1) as f64
        );
    }
}
