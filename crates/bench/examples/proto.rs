#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
use std::time::Instant;

fn main() {
    let input = std::fs::read("bench/data/paxlst-10MB.edi").unwrap();
    let mb = input.len() as f64 / 1e6;
    for _ in 0..5 {
        let t = Instant::now();
        let tokens = edifact::tokenize(&input);
        let dt = t.elapsed().as_secs_f64();
        println!(
            "tokenize: {} segs {:.2} ms = {:.0} MB/s",
            tokens.len(),
            dt * 1e3,
            mb / dt
        );
        let t = Instant::now();
        let w = passage_bench::walk_passage(&input);
        let dt = t.elapsed().as_secs_f64();
        println!(
            "walk: {:?} {:.2} ms = {:.0} MB/s",
            w.components,
            dt * 1e3,
            mb / dt
        );
        let t = Instant::now();
        let r = paxlst::read(&input);
        let dt = t.elapsed().as_secs_f64();
        println!(
            "paxlst: {} msgs {:.2} ms = {:.0} MB/s",
            r.messages.len(),
            dt * 1e3,
            mb / dt
        );
    }
}
