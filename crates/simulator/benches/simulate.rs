//! A simulated day, generated and written to memory: how long a large country's day takes.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, criterion_group, criterion_main};
use simulator::{Config, Simulator, Size};

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn day(c: &mut Criterion) {
    let mut group = c.benchmark_group("simulate/day");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(20));
    for size in [Size::Medium, Size::Large] {
        let sim = Simulator::new(Config::new(2026, size, 1)).unwrap();
        let outcome = sim.run(|_| {});
        let travellers: usize = outcome.flights.iter().map(|f| f.travellers).sum();
        eprintln!(
            "{size:?}: {} flights, {travellers} travellers, {} messages, {} bytes",
            outcome.flights.len(),
            outcome.messages,
            outcome.bytes
        );
        group.bench_function(format!("{size:?}"), |b| {
            b.iter(|| {
                let mut bytes = 0usize;
                sim.run(|m| bytes += black_box(m.bytes.len()));
                bytes
            });
        });
    }
    group.finish();
}

criterion_group!(benches, day);
criterion_main!(benches);
