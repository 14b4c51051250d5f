//! Reads the benchmark inputs in a loop, for `perf record`. `profile_read paxlst|pnrgov`.
#![allow(clippy::unwrap_used)]

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let which = std::env::args().nth(1).unwrap_or_default();
    let mut n = 0;
    if which == "pnrgov" {
        let input = passage_bench::generate_pnrgov(10_000_000, 2026);
        for _ in 0..15 {
            n += pnrgov::read(&input).messages.len();
        }
    } else {
        let input = passage_bench::generate_paxlst(10_000_000, 2026);
        for _ in 0..20 {
            n += paxlst::read(&input).messages.len();
        }
    }
    println!("{n}");
}
