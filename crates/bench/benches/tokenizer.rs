//! Our tokenizer against the peer Rust crates on the same 10 MB of synthetic PAXLST traffic.
//!
//! Every contender does a full parse: all segments, split into elements and components, and
//! every component visited (lengths summed through `black_box`). The peers get the input cut
//! into interchanges beforehand (see `peers/mod.rs` for why); ours reads the whole stream.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod peers;

// The allocator the `passage` binary ships with; every contender runs under it alike.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use passage_bench::{generate_paxlst, walk_passage};

const SIZE: usize = 10_000_000;
const SEED: u64 = 2026;

fn tokenizer(c: &mut Criterion) {
    let input = generate_paxlst(SIZE, SEED);
    let cut = peers::interchanges(&input);
    // A benchmark of a failing parse measures nothing: every peer must see what we see.
    if let Err(e) = peers::check_peers(&input) {
        panic!("a peer does not parse the benchmark input: {e}");
    }
    eprintln!(
        "input: {} bytes, {} interchanges, {} segments (seed {SEED})",
        input.len(),
        cut.len(),
        walk_passage(&input).segments
    );

    let mut group = c.benchmark_group("tokenizer/10MB");
    group
        .throughput(Throughput::Bytes(input.len() as u64))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(10));

    group.bench_function("passage", |b| {
        b.iter(|| walk_passage(black_box(&input)));
    });
    // Segments found and every separator position recorded, nothing visited afterwards.
    group.bench_function("passage-tokenize-only", |b| {
        b.iter(|| edifact::tokenize(black_box(&input)).len());
    });
    group.bench_function("edifact-parser", |b| {
        b.iter(|| peers::walk_edifact_parser(black_box(&cut)).unwrap());
    });
    group.bench_function("edifact-rs", |b| {
        b.iter(|| peers::walk_edifact_rs(black_box(&cut)).unwrap());
    });
    group.finish();
}

criterion_group!(benches, tokenizer);
criterion_main!(benches);
