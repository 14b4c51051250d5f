//! Screening speed: one traveller against UN+OFAC+EU (not listed / listed), a 500-traveller
//! flight, and a synthetic national list of 1,000,000 names. Besides criterion's figures, a
//! plain timing loop prints p50/p99 per traveller. The real lists are read from the shared
//! corpus when it is beside the repository (skipped with a message otherwise).
//!
//! `cargo bench -p screening --bench screen`; `SCREEN_BENCH_QUICK=1` prints the timing loops
//! only (no criterion); `SCREEN_BENCH_NATIONAL=1000000` adds the synthetic national list.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use criterion::{Criterion, Throughput, criterion_group};
use jiff::civil::date;
use screening::eval::{self, Rng};
use screening::{
    BirthDate, Config, Entry, EntryKind, EntryName, ListVersion, Matcher, NameQuality, Query,
    Script,
};

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

/// Real lists, through the importers, when they and the corpus are present.
fn real_lists() -> Vec<ListVersion> {
    let dir = corpus().join("watchlists");
    let files = [
        ("un", "un/un_consolidated_20260227.xml"),
        ("ofac", "ofac/sdn_20240507.xml"),
        ("eu", "eu/eu_fsf_full_20240513.xml"),
    ];
    let mut out = Vec::new();
    for (name, file) in files {
        let Ok(bytes) = std::fs::read(dir.join(file)) else {
            eprintln!("skipped {name}: {} absent", dir.join(file).display());
            continue;
        };
        let Some(format) = screening::Format::detect(&bytes) else {
            continue;
        };
        let Ok(imported) = screening::import(format, &bytes) else {
            continue;
        };
        out.push(ListVersion::from_import(name, None, &bytes, imported));
    }
    out
}

/// Travellers: the eval set's non-listed people, and varied listed people.
fn travellers(lists: &[ListVersion], n: usize) -> (Vec<Query>, Vec<Query>) {
    let negatives =
        eval::read_people(&corpus().join("screening-eval/synthetic_negatives_global.csv"))
            .map(|p| p.iter().take(n).map(|p| p.query()).collect())
            .unwrap_or_default();
    let mut rng = Rng::new(3);
    let mut listed = Vec::new();
    for l in lists {
        for e in l.entries.iter().step_by(7) {
            let v = eval::VARIATIONS[rng.below(eval::VARIATIONS.len())];
            if let Some(q) = eval::vary(e, v, &mut rng) {
                listed.push(q);
            }
            if listed.len() >= n {
                break;
            }
        }
    }
    (negatives, listed)
}

/// Times each query (after a warm-up pass) and prints mean/p50/p99 per traveller.
fn percentiles(m: &Matcher, queries: &[Query], label: &str) {
    if queries.is_empty() {
        return;
    }
    for q in queries.iter().take(200) {
        black_box(m.screen(black_box(q)));
    }
    // each traveller timed in three passes, the best kept: the machine is shared, and a
    // neighbour's compile should not count as screening time
    let mut times = vec![u64::MAX; queries.len()];
    let mut hits = 0usize;
    for pass in 0..3 {
        for (q, best) in queries.iter().zip(times.iter_mut()) {
            let t = Instant::now();
            let n = black_box(m.screen(black_box(q))).len();
            *best = (*best).min(t.elapsed().as_nanos() as u64);
            if pass == 0 {
                hits += n;
            }
        }
    }
    times.sort_unstable();
    let mean = times.iter().sum::<u64>() as f64 / times.len() as f64 / 1e3;
    let p = |x: f64| times[((times.len() as f64 * x) as usize).min(times.len() - 1)] as f64 / 1e3;
    println!(
        "{label}: {} travellers, mean {mean:.1} µs, p50 {:.1} µs, p99 {:.1} µs, max {:.1} µs ({hits} hits)",
        times.len(),
        p(0.5),
        p(0.99),
        p(1.0)
    );
}

/// Median wall time of `runs` runs of `f`, in ms.
fn median_ms(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[times.len() / 2]
}

const GIVEN: &[&str] = &[
    "JOHN", "MARIA", "AHMED", "WEI", "OLGA", "JOSE", "FATIMA", "IVAN", "ANNA", "MOHAMMED", "LI",
    "PETER", "SARA", "ALI", "ELENA", "DAVID", "NGOZI", "PRIYA", "KENJI", "LUCIA", "OMAR", "HANS",
    "AISHA", "CARLOS", "YUKI", "SERGEI", "AMIR", "SOFIA", "TARIQ", "MEI",
];

/// A national list of `n` people with syllable-built names (no real persons).
fn national(n: usize) -> ListVersion {
    const SYL: &[&str] = &[
        "ka", "ro", "mi", "ta", "ne", "lo", "sa", "vi", "du", "ber", "gan", "tor", "lin", "mar",
        "ses", "kov", "ra", "hi", "zu", "ol", "den", "ba", "chi", "ful", "pe", "am", "is", "wen",
        "yo", "ak",
    ];
    let mut rng = Rng::new(42);
    let entries = (0..n)
        .map(|i| {
            let parts = 2 + rng.below(2);
            let surname: String = (0..parts)
                .map(|_| SYL[rng.below(SYL.len())])
                .collect::<String>()
                .to_uppercase();
            let given = GIVEN[rng.below(GIVEN.len())];
            let full = format!("{given} {surname}");
            Entry {
                id: format!("N{i}"),
                kind: EntryKind::Person,
                names: vec![EntryName {
                    full,
                    given: Some(given.into()),
                    family: Some(surname),
                    quality: NameQuality::Primary,
                    script: Script::Latin,
                }],
                birth_dates: vec![BirthDate::Exact(date(
                    1940 + rng.below(65) as i16,
                    1 + rng.below(12) as i8,
                    1 + rng.below(28) as i8,
                ))],
                sex: None,
                nationalities: vec!["NLD".into()],
                documents: Vec::new(),
                reason: None,
                listed_on: None,
            }
        })
        .collect();
    ListVersion {
        list: "national".into(),
        number: 1,
        source_sha256: String::new(),
        published: None,
        entries,
    }
}

/// The quick figures (timing loops, no criterion): what RESULTS.md reports.
fn quick(lists: &[ListVersion], config: &Config) -> Option<(Matcher, Vec<Query>, Vec<Query>)> {
    if lists.is_empty() {
        eprintln!("skipped UN+OFAC+EU benches: lists not available");
        return None;
    }
    let refs: Vec<&ListVersion> = lists.iter().collect();
    let t = Instant::now();
    let m = Matcher::build(&refs, config);
    println!(
        "UN+OFAC+EU: {} entries screened, built in {:.0} ms, index ≈ {:.1} MB",
        m.len(),
        t.elapsed().as_secs_f64() * 1e3,
        m.index_memory_estimate() as f64 / 1e6
    );
    let (negatives, listed) = travellers(lists, 2000);
    if let Some(dir) = std::env::var_os("SCREEN_BENCH_EXPORT") {
        export(std::path::Path::new(&dir), lists, &negatives, &listed);
    }
    percentiles(&m, &negatives, "UN+OFAC+EU non-listed");
    percentiles(&m, &listed, "UN+OFAC+EU listed (varied)");
    let flight = flight(&negatives, &listed);
    let one = median_ms(11, || {
        black_box(flight.iter().map(|q| m.screen(q).len()).sum::<usize>());
    });
    let many = median_ms(11, || {
        black_box(m.screen_many(black_box(&flight)));
    });
    println!(
        "flight of {} travellers: one thread {one:.1} ms, screen_many (all cores) {many:.1} ms",
        flight.len()
    );
    Some((m, negatives, listed))
}

/// For bench/screening-peers.py: every name of every person of the lists, and the travellers
/// ("given surname"), one a line.
fn export(dir: &std::path::Path, lists: &[ListVersion], negatives: &[Query], listed: &[Query]) {
    let names: Vec<&str> = lists
        .iter()
        .flat_map(|l| &l.entries)
        .filter(|e| e.kind == EntryKind::Person)
        .flat_map(|e| e.names.iter().map(|n| n.full.as_str()))
        .collect();
    let line = |q: &Query| {
        format!("{} {}", q.given_names, q.surname)
            .trim()
            .to_string()
    };
    let neg: Vec<String> = negatives.iter().map(line).collect();
    let pos: Vec<String> = listed.iter().map(line).collect();
    let write = |name: &str, lines: &[String]| {
        std::fs::write(dir.join(name), lines.join("\n")).unwrap();
    };
    write(
        "names.txt",
        &names
            .iter()
            .map(|n| n.replace('\n', " "))
            .collect::<Vec<_>>(),
    );
    write("non_listed.txt", &neg);
    write("listed.txt", &pos);
    println!("exported {} names to {}", names.len(), dir.display());
}

/// 495 non-listed travellers and 5 listed ones.
fn flight(negatives: &[Query], listed: &[Query]) -> Vec<Query> {
    negatives
        .iter()
        .take(495)
        .chain(listed.iter().take(5))
        .cloned()
        .collect()
}

/// The synthetic national list, when `SCREEN_BENCH_NATIONAL` gives its size (e.g. 1000000).
fn national_bench(c: Option<&mut Criterion>, config: &Config) {
    let Some(n) = std::env::var("SCREEN_BENCH_NATIONAL")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    else {
        println!("national list skipped: set SCREEN_BENCH_NATIONAL=1000000 to run it");
        return;
    };
    let list = national(n);
    let t = Instant::now();
    let m = Matcher::build(&[&list], config);
    println!(
        "national list: {n} names, built in {:.1} s, index ≈ {:.0} MB",
        t.elapsed().as_secs_f64(),
        m.index_memory_estimate() as f64 / 1e6
    );
    let mut rng = Rng::new(9);
    let mut listed: Vec<(usize, &str)> = Vec::new();
    let queries: Vec<Query> = (0..2000)
        .map(|i| {
            if i % 2 == 0 {
                let e = &list.entries[rng.below(list.entries.len())];
                listed.push((i, e.id.as_str()));
                eval::vary(e, eval::Variation::Typo, &mut rng).unwrap_or_default()
            } else {
                Query {
                    surname: format!("{}SON", GIVEN[rng.below(GIVEN.len())]),
                    given_names: GIVEN[rng.below(GIVEN.len())].into(),
                    date_of_birth: Some(date(1980, 5, 5)),
                    ..Query::default()
                }
            }
        })
        .collect();
    percentiles(&m, &queries, &format!("national {n}"));
    // the listed travellers (a typo each): is their entry a candidate, and a hit?
    let (mut candidate, mut hit) = (0, 0);
    for &(i, id) in &listed {
        let (c, score) = eval::true_score(&m, &queries[i], "national", id);
        candidate += usize::from(c);
        hit += usize::from(score >= config.threshold);
    }
    println!(
        "national {n}: listed with a typo {}: entry among the candidates {candidate}, hit {hit}",
        listed.len()
    );
    if std::env::var_os("SCREEN_BENCH_SLOWEST").is_some() {
        let mut timed: Vec<(u128, &Query)> = queries
            .iter()
            .map(|q| {
                let t = Instant::now();
                black_box(m.screen(q));
                (t.elapsed().as_micros(), q)
            })
            .collect();
        timed.sort_by_key(|x| std::cmp::Reverse(x.0));
        for (us, q) in timed.iter().take(12) {
            let t = Instant::now();
            let n = black_box(m.candidate_ids(q)).len();
            let c = t.elapsed().as_micros();
            println!(
                "  {us} µs: '{}' / '{}' {n} candidates in {c} µs",
                q.surname, q.given_names,
            );
        }
    }
    if let Some(c) = c {
        let q = queries[0].clone();
        let mut g = c.benchmark_group("screen/national");
        g.sample_size(30);
        g.bench_function("listed_with_typo", |b| b.iter(|| m.screen(black_box(&q))));
        g.finish();
    }
}

fn bench(c: &mut Criterion) {
    let lists = real_lists();
    let config = Config::default();
    if let Some((m, negatives, listed)) = quick(&lists, &config) {
        // per traveller: a batch of 100 travellers, reported per element
        let mut g = c.benchmark_group("screen/un+ofac+eu");
        g.throughput(Throughput::Elements(100));
        let neg: Vec<Query> = negatives.iter().take(100).cloned().collect();
        let pos: Vec<Query> = listed.iter().take(100).cloned().collect();
        g.bench_function("non_listed_x100", |b| {
            b.iter(|| {
                neg.iter()
                    .map(|q| m.screen(black_box(q)).len())
                    .sum::<usize>()
            })
        });
        g.bench_function("listed_x100", |b| {
            b.iter(|| {
                pos.iter()
                    .map(|q| m.screen(black_box(q)).len())
                    .sum::<usize>()
            })
        });
        g.finish();
        let flight = flight(&negatives, &listed);
        let mut g = c.benchmark_group("screen/flight_500");
        g.sample_size(20);
        g.bench_function("one_thread", |b| {
            b.iter(|| flight.iter().map(|q| m.screen(q).len()).sum::<usize>())
        });
        g.bench_function("all_cores", |b| {
            b.iter(|| m.screen_many(black_box(&flight)))
        });
        g.finish();
    }
    national_bench(Some(c), &config);
}

criterion_group!(benches, bench);

fn main() {
    // SCREEN_BENCH_QUICK=1: the timing loops only (for profiling and RESULTS.md)
    if std::env::var_os("SCREEN_BENCH_QUICK").is_some() {
        let config = Config::default();
        quick(&real_lists(), &config);
        national_bench(None, &config);
        return;
    }
    benches();
    Criterion::default().configure_from_args().final_summary();
}
