#![allow(clippy::unwrap_used)]
fn main() {
    let input = std::fs::read("bench/data/paxlst-10MB.edi").unwrap();
    let mut n = 0;
    for _ in 0..10 {
        n += paxlst::read(&input).messages.len();
    }
    println!("{n}");
}
