//! Typed PAXLST: bytes to passenger lists (every person, document and finding), 10 MB at a time.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use passage_bench::generate_paxlst;

// The allocator the `passage` binary ships with.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn typed(c: &mut Criterion) {
    let input = generate_paxlst(10_000_000, 2026);
    let reading = paxlst::read(&input);
    let persons: usize = reading
        .messages
        .iter()
        .filter_map(|m| m.passenger_list())
        .map(|l| l.persons.len())
        .sum();
    // A benchmark of a failing read measures nothing.
    assert!(reading.messages.iter().all(|m| m.findings.is_empty()));
    assert!(persons > 40_000, "{persons}");
    eprintln!(
        "input: {} bytes, {} messages, {persons} persons",
        input.len(),
        reading.messages.len()
    );

    let mut group = c.benchmark_group("paxlst/10MB");
    group
        .throughput(Throughput::Bytes(input.len() as u64))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(10));
    group.bench_function("read", |b| {
        b.iter(|| paxlst::read(black_box(&input)).messages.len());
    });
    // As intake reads them: one interchange at a time, memory reused between messages.
    let messages = passage_bench::interchanges(&input);
    group.bench_function("read-per-message", |b| {
        b.iter(|| {
            messages
                .iter()
                .map(|m| paxlst::read(black_box(m)).messages.len())
                .sum::<usize>()
        });
    });
    group.finish();
}

criterion_group!(benches, typed);
criterion_main!(benches);
