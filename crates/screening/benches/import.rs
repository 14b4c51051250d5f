//! Importing the published lists: bytes to entries, for the UN, OFAC and EU XML files in
//! `shared/corpus/watchlists` (read once, outside the timed loop). Criterion reports MB/s.
//! Without the corpus there is nothing to time, and the bench says so.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use screening::lists::{self, Format};

const FILES: [(&str, Format, &str); 3] = [
    ("un", Format::Un, "un/un_consolidated_20260227.xml"),
    ("ofac", Format::Ofac, "ofac/sdn_20240507.xml"),
    ("eu", Format::Eu, "eu/eu_fsf_full_20240513.xml"),
];

fn import(c: &mut Criterion) {
    let folder =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/watchlists");
    let mut group = c.benchmark_group("import");
    group
        .sampling_mode(SamplingMode::Flat)
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    for (name, format, relative) in FILES {
        let path = folder.join(relative);
        let Ok(bytes) = std::fs::read(&path) else {
            eprintln!("skipped {name}: {} not readable", path.display());
            continue;
        };
        // A benchmark of a failing import measures nothing.
        let imported = lists::import(format, &bytes).unwrap();
        eprintln!(
            "{name}: {} bytes, {} entries, {} findings",
            bytes.len(),
            imported.entries.len(),
            imported.findings.len()
        );
        group.throughput(Throughput::Bytes(bytes.len() as u64));
        group.bench_function(name, |b| {
            b.iter(|| lists::import(format, black_box(&bytes)).unwrap())
        });
    }
    group.finish();
}

criterion_group!(benches, import);
criterion_main!(benches);
