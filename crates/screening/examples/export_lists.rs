#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
//! Exports what the matcher screens against (the person entries of the UN, OFAC and EU lists, as
//! `screening::lists` imports them) and, optionally, the evaluation queries, as JSON lines, so
//! that the Python peers in `bench/screening_peers/` see exactly the same entries and queries as
//! our matcher (`examples/screen_csv.rs`).
//!
//! ```text
//! cargo run --release -p screening --example export_lists -- \
//!     <lists dir> <entries.jsonl> [<eval dir> <negatives step> <queries.jsonl>]
//! ```
//!
//! `<lists dir>` holds `un/*.xml`, `ofac/*.xml`, `eu/*.xml` (the shared corpus'
//! `watchlists/`). One entry a line: `{list, id, kind, names: [...], name_qualities: [...],
//! birth_dates: [...], sex, nationalities: [...]}`; birth dates as `YYYY-MM-DD`, `YYYY` or
//! `YYYY..YYYY`, nationalities ISO alpha-3 where recognised. One query a line: `{set, row,
//! full_name, surname, given_names, dob, sex, nationality, nationality_alpha3, targets}`, built by
//! `eval::Person::query` (a year-only date is dropped, as our matcher's query cannot carry it) and,
//! for the UN people as listed, `targets` from `eval::entries_for` (rows without one are kept with
//! no targets and skipped by every contender). A third set, `var`, is one generated variation of
//! each UN person (`eval::vary`, seed 7; see `variation_queries`), which must find that person.

use std::io::Write;
use std::path::{Path, PathBuf};

use screening::eval::{self, Person};
use screening::{BirthDate, EntryKind, ListVersion, NameQuality, Query};
use serde_json::json;

/// The three lists in a fixed order: un, ofac, eu (every `*.xml` in each folder, sorted).
pub fn load_lists(dir: &Path) -> Vec<ListVersion> {
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

fn birth(b: &BirthDate) -> String {
    match *b {
        BirthDate::Exact(d) => d.to_string(),
        BirthDate::Year(y) => format!("{y:04}"),
        BirthDate::Range { from, to } => format!("{from:04}..{to:04}"),
    }
}

fn sex(s: Option<model::Sex>) -> serde_json::Value {
    match s {
        Some(model::Sex::Male) => json!("male"),
        Some(model::Sex::Female) => json!("female"),
        _ => serde_json::Value::Null,
    }
}

fn query_json(set: &str, row: usize, p: &Person, targets: &[(String, String)]) -> String {
    let q = p.query();
    json!({
        "set": set,
        "row": row,
        "full_name": p.full_name,
        "surname": q.surname,
        "given_names": q.given_names,
        "dob": q.date_of_birth.map(|d| d.to_string()),
        "sex": sex(q.sex),
        "nationality": p.nationality,
        "nationality_alpha3": screening::lists::country::from_any(&p.nationality),
        "targets": targets,
    })
    .to_string()
}

/// One generated variation per UN person (typo, reordered, dropped middle name, transliteration,
/// date variants, title, passport style, typo without date — in turn), `eval::vary` with seed 7:
/// the same code as in `screen_csv.rs`.
pub fn variation_queries(un: &ListVersion) -> Vec<(String, Query, String)> {
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

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 2 && args.len() != 5 {
        eprintln!(
            "usage: export_lists <lists dir> <entries.jsonl> [<eval dir> <negatives step> <queries.jsonl>]"
        );
        std::process::exit(2);
    }
    let lists = load_lists(Path::new(&args[0]));
    let mut out = std::io::BufWriter::new(std::fs::File::create(&args[1]).unwrap());
    let mut n = 0;
    for l in &lists {
        for e in &l.entries {
            // what the matcher screens names against (matcher.rs: Person | Other)
            if !matches!(e.kind, EntryKind::Person | EntryKind::Other) {
                continue;
            }
            let line = json!({
                "list": l.list,
                "id": e.id,
                "kind": if e.kind == EntryKind::Person { "person" } else { "other" },
                "names": e.names.iter().map(|n| n.full.as_str()).collect::<Vec<_>>(),
                "name_qualities": e.names.iter().map(|n| match n.quality {
                    NameQuality::Primary => "primary",
                    NameQuality::Strong => "strong",
                    NameQuality::Weak => "weak",
                }).collect::<Vec<_>>(),
                "birth_dates": e.birth_dates.iter().map(birth).collect::<Vec<_>>(),
                "sex": sex(e.sex),
                "nationalities": e.nationalities,
            });
            writeln!(out, "{line}").unwrap();
            n += 1;
        }
    }
    out.flush().unwrap();
    eprintln!("{n} entries to {}", args[1]);
    if args.len() == 5 {
        let eval_dir = Path::new(&args[2]);
        let step: usize = args[3].parse().expect("a step");
        let un = lists.iter().find(|l| l.list == "un").expect("the UN list");
        let mut out = std::io::BufWriter::new(std::fs::File::create(&args[4]).unwrap());
        let pos = eval::read_people(&eval_dir.join("un_positives_exact.csv")).unwrap();
        let mut unresolved = 0;
        for (row, p) in pos.iter().enumerate() {
            let targets: Vec<(String, String)> = eval::entries_for(un, p)
                .iter()
                .map(|e| (un.list.clone(), e.id.clone()))
                .collect();
            unresolved += usize::from(targets.is_empty());
            writeln!(out, "{}", query_json("pos", row, p, &targets)).unwrap();
        }
        let neg = eval::read_people(&eval_dir.join("synthetic_negatives_global.csv")).unwrap();
        let mut sampled = 0;
        for (row, p) in neg.iter().enumerate().step_by(step.max(1)) {
            writeln!(out, "{}", query_json("neg", row, p, &[])).unwrap();
            sampled += 1;
        }
        let vars = variation_queries(un);
        for (row, (v, q, id)) in vars.iter().enumerate() {
            let line = json!({
                "set": "var",
                "row": row,
                "variation": v,
                "full_name": format!("{} {}", q.given_names, q.surname).trim(),
                "surname": q.surname,
                "given_names": q.given_names,
                "dob": q.date_of_birth.map(|d| d.to_string()),
                "sex": sex(q.sex),
                "nationality": q.nationality,
                "nationality_alpha3": q.nationality,
                "targets": [[un.list, id]],
            });
            writeln!(out, "{line}").unwrap();
        }
        out.flush().unwrap();
        eprintln!(
            "{} variations of UN people, {} positives ({unresolved} without a UN entry), {sampled} negatives (every {step}th) to {}",
            vars.len(),
            pos.len(),
            args[4]
        );
    }
}
