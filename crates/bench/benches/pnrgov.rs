//! Typed PNRGOV: bytes to bookings (travellers, documents, tickets, itinerary, check-in), 10 MB.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use passage_bench::generate_pnrgov;

// The allocator the `passage` binary ships with.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn typed(c: &mut Criterion) {
    let input = generate_pnrgov(10_000_000, 2026);
    let reading = pnrgov::read(&input);
    assert!(reading.messages.iter().all(|m| !m.has_errors()));
    let bookings: usize = reading
        .messages
        .iter()
        .filter_map(|m| m.push())
        .map(|p| p.bookings.len())
        .sum();
    let travellers: usize = reading
        .messages
        .iter()
        .filter_map(|m| m.push())
        .flat_map(|p| &p.bookings)
        .map(|b| b.travellers.len())
        .sum();
    eprintln!(
        "input: {} bytes, {} pushes, {bookings} bookings, {travellers} travellers",
        input.len(),
        reading.messages.len()
    );

    let mut group = c.benchmark_group("pnrgov/10MB");
    group
        .throughput(Throughput::Bytes(input.len() as u64))
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(2))
        .measurement_time(Duration::from_secs(10));
    group.bench_function("read", |b| {
        b.iter(|| pnrgov::read(black_box(&input)).messages.len());
    });
    // As intake reads them: one interchange at a time, memory reused between messages.
    let messages = passage_bench::interchanges(&input);
    group.bench_function("read-per-message", |b| {
        b.iter(|| {
            messages
                .iter()
                .map(|m| pnrgov::read(black_box(m)).messages.len())
                .sum::<usize>()
        });
    });
    group.finish();
}

criterion_group!(benches, typed);
criterion_main!(benches);
