//! A benchmark of a parse that fails measures nothing: check that each peer reads our
//! synthetic traffic completely and sees the same segments, elements and components.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

#[path = "../benches/peers/mod.rs"]
mod peers;

use passage_bench::generate_paxlst;

#[test]
fn peers_see_what_we_see() {
    let input = generate_paxlst(2_000_000, 2026);
    assert!(
        input.windows(2).any(|w| w == b"?'"),
        "the input exercises release characters"
    );
    peers::check_peers(&input).unwrap();
}

#[test]
fn input_is_cut_into_interchanges() {
    let input = generate_paxlst(500_000, 5);
    let cut = peers::interchanges(&input);
    assert_eq!(cut.len(), edifact::parse(&input).interchanges.len());
    assert_eq!(cut.concat(), input);
    assert!(cut.iter().all(|x| x.starts_with(b"UNA:+.? '\nUNB+")));
}

/// Why the input is cut: neither peer reads a second UNA in the same input.
#[test]
fn peers_stumble_on_a_second_una() {
    let input = generate_paxlst(300_000, 9);
    let whole = [input.as_slice()];
    let parser = peers::walk_edifact_parser(&whole).unwrap();
    let ours = passage_bench::walk_passage(&input);
    assert!(
        parser.segments > ours.segments,
        "later UNAs come back as bogus segments"
    );
    let rs = peers::walk_edifact_rs(&whole).unwrap_err();
    assert!(rs.contains("UNA:"), "{rs}");
}
