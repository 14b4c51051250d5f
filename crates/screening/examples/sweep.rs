#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! The corpus evaluation under other weights: one line of figures per weights file, for a
//! sweep (see `bench/RESULTS.md`). `-` stands for the default weights.
//!
//! ```text
//! cargo run --release -p screening --example sweep -- [--negatives-step N] - a.json b.json …
//! ```
//!
//! A weights file is JSON for `screening::Weights`: the fields it gives replace the defaults,
//! an unknown field is an error (`{"names": {"listed_missing": 0.25}}`). Reads UN, OFAC and EU
//! and `screening-eval/` from the shared corpus, as `tests/accuracy.rs` does.

#[path = "../tests/common/mod.rs"]
mod common;

use std::time::Instant;

use screening::{Config, ListVersion, Matcher, Weights, eval};

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut step = 1;
    if let Some(at) = args.iter().position(|a| a == "--negatives-step") {
        step = args[at + 1].parse().expect("--negatives-step N");
        args.drain(at..at + 2);
    }
    let eval_dir = test_corpus::dir("screening-eval").expect("the shared corpus");
    let lists = common::corpus_lists().expect("the shared corpus");
    let refs: Vec<&ListVersion> = lists.iter().collect();
    println!(
        "weights | variations @0.80 | dropped middle name @0.80 | as listed @0.80 | \
         non-listed hits / people @0.80 | hits @0.70 | s"
    );
    for path in &args {
        let weights = if path == "-" {
            Weights::default()
        } else {
            let text = std::fs::read_to_string(path).unwrap();
            Weights::from_json(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
        };
        let started = Instant::now();
        let config = Config {
            weights,
            ..Config::default()
        };
        let m = Matcher::build(&refs, &config);
        let r = eval::run(&m, &lists[0], &eval_dir, step, config.threshold).unwrap();
        let v = &r.variations.overall;
        let dropped = r
            .variations
            .by_variation
            .iter()
            .find(|(v, _)| *v == eval::Variation::DroppedMiddleName)
            .map(|(_, r)| r)
            .unwrap();
        let p = r.positives.as_ref().unwrap();
        let n = r.negatives.as_ref().unwrap();
        let at = |t: f64| n.counts.iter().find(|c| c.0 == t).copied().unwrap();
        let (_, hits, people) = at(0.80);
        println!(
            "{path} | {:.4} ({}/{}) | {:.4} | {:.4} | {hits} / {people} of {} | {} | {:.1}",
            v.recall(0.80),
            v.found(0.80),
            v.queries,
            dropped.recall(0.80),
            p.recall(0.80),
            n.people,
            at(0.70).1,
            started.elapsed().as_secs_f64()
        );
    }
}
