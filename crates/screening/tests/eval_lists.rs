#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! Accuracy on the real lists (UN, OFAC, EU from the shared corpus, read by the importers):
//! variations of UN people, UN people as listed, and non-listed people against all three.
//! Skipped with a message when the corpus is not beside the repository. CI holds the published
//! figures with `tests/accuracy.rs` (all 50,000 non-listed people, every run); the run here,
//! `--ignored`, also prints the misses and alarms: `cargo test -p screening --release --test
//! eval_lists -- --ignored --nocapture`.

mod common;

use std::path::PathBuf;

use screening::{Config, ListVersion, Matcher, eval};

fn corpus() -> PathBuf {
    test_corpus::root()
}

fn evaluate(negatives_step: usize) {
    let Some(lists) = common::corpus_lists() else {
        return;
    };
    let config = Config::default();
    let refs: Vec<&ListVersion> = lists.iter().collect();
    let m = Matcher::build(&refs, &config);
    let report = eval::run(
        &m,
        &lists[0],
        &corpus().join("screening-eval"),
        negatives_step,
        config.threshold,
    )
    .unwrap();
    println!("{report}");
    for e in report.variations.examples.iter().take(20) {
        println!("  miss {e}");
    }
    if let Some(n) = &report.negatives {
        for e in n.examples.iter().take(10) {
            println!("  alarm {e}");
        }
    }
    let t = config.threshold;
    assert!(report.variations.overall.recall(t) >= 0.97, "{report}");
    assert!(
        report.positives.as_ref().unwrap().recall(t) >= 0.97,
        "{report}"
    );
    let alarms = report.negatives.as_ref().unwrap();
    let at = alarms.at.iter().find(|a| (a.0 - t).abs() < 1e-9).unwrap();
    assert!(at.1 <= 0.005, "{report}");
}

#[test]
#[ignore = "release only: all 50,000 non-listed people"]
fn real_lists_full() {
    evaluate(1);
}

/// Every hit (≥ 0.5) for the variations of UN people and 10,000 non-listed people, one line a
/// query, to the file `SCREEN_DUMP` names: diff two runs to see that a change to the matcher left
/// its decisions as they were.
#[test]
#[ignore = "writes a file; for comparing matcher versions"]
fn dump_scores() {
    let Some(path) = std::env::var_os("SCREEN_DUMP") else {
        println!("skipped: SCREEN_DUMP not set");
        return;
    };
    let Some(lists) = common::corpus_lists() else {
        return;
    };
    let config = Config::default();
    let refs: Vec<&ListVersion> = lists.iter().collect();
    let m = Matcher::build(&refs, &config);
    let mut queries = Vec::new();
    let mut rng = eval::Rng::new(7);
    for e in &lists[0].entries {
        for v in eval::VARIATIONS {
            if let Some(q) = eval::vary(e, v, &mut rng) {
                queries.push(q);
            }
        }
    }
    let people =
        eval::read_people(&corpus().join("screening-eval/synthetic_negatives_global.csv")).unwrap();
    queries.extend(people.iter().step_by(5).map(|p| p.query()));
    let mut out = String::new();
    for q in &queries {
        out.push_str(&format!("{} / {}:", q.surname, q.given_names));
        for h in m.screen_at(q, 0.5) {
            out.push_str(&format!(" {}:{}={:.3}", h.list, h.entry_id, h.score));
        }
        out.push('\n');
    }
    std::fs::write(path, out).unwrap();
}
