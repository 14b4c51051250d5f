//! Properties: whatever the writer writes, the tokenizer reads back; no input makes it panic.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use edifact::{Separators, Writer, parse, tokenize};
use proptest::prelude::*;

/// Six distinct service characters, as a UNA could declare them.
fn separators() -> impl Strategy<Value = Separators> {
    let pool: Vec<u8> = b":+.?*'()-!|#\\/^~".to_vec();
    Just(pool)
        .prop_shuffle()
        .prop_map(|p| Separators::from_una([p[0], p[1], p[2], p[3], p[4], p[5]]))
}

/// Text that leans on the characters a writer must escape.
fn value() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![
            3 => proptest::char::range('A', 'Z'),
            1 => proptest::sample::select(vec![':', '+', '?', '\'', '*', '(', ')', '-', '!', '|', '#', '\\', ' ', '.', 'É', 'Ж']),
        ],
        1..12,
    )
    .prop_map(|c| c.into_iter().collect())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn written_values_are_read_back(
        seps in separators(),
        elements in proptest::collection::vec(proptest::collection::vec(value(), 1..4), 1..6),
    ) {
        let mut w = Writer::new(seps);
        w.una();
        {
            let mut s = w.segment("NAD");
            for components in &elements {
                let refs: Vec<&str> = components.iter().map(String::as_str).collect();
                s.composite(&refs);
            }
        }
        w.segment("ATT").element("2");
        let bytes = w.finish();
        let tokens = tokenize(&bytes);
        prop_assert!(tokens.findings.is_empty(), "{:?}", tokens.findings);
        prop_assert_eq!(tokens.len(), 3);
        let nad = tokens.segment(1).unwrap();
        prop_assert_eq!(nad.tag(), "NAD");
        let read: Vec<Vec<String>> = nad
            .elements()
            .map(|e| e.components().map(|c| c.text().into_owned()).collect())
            .collect();
        prop_assert_eq!(read, elements);
        let att = tokens.segment(2).unwrap().text(1, 0).map(|t| t.into_owned());
        prop_assert_eq!(att.as_deref(), Some("2"));
    }

    #[test]
    fn any_bytes_are_read_without_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let parsed = parse(&bytes);
        let n = parsed.tokens.len();
        for f in &parsed.findings {
            prop_assert!(f.segment.is_none_or(|s| s <= n));
        }
        for s in parsed.tokens.segments() {
            for e in s.elements() {
                for c in e.components() {
                    let _ = c.text();
                }
            }
        }
    }

    #[test]
    fn mangled_messages_are_read_without_panic(
        cut in 0usize..400,
        insert in proptest::collection::vec(prop_oneof![Just(b'\''), Just(b'?'), Just(b'\n'), Just(b'+'), any::<u8>()], 0..8),
    ) {
        let mut bytes = b"UNA:+.? 'UNB+UNOC:4+A+B+261127:0930+1'UNH+1+PAXLST:D:05B:UN:IATA+X+01:C'BGM+745'NAD+FL+++O?'NEIL:ANN'DTM+329:900102'UNT+5+1'UNZ+1+1'".to_vec();
        let at = cut.min(bytes.len());
        bytes.splice(at..at, insert);
        let parsed = parse(&bytes);
        prop_assert!(parsed.interchanges.len() <= 2);
    }
}

/// Found by fuzzing: a released line break came back as data and broke a CONTRL round trip.
#[test]
fn released_line_breaks_are_layout_and_never_written() {
    let t = tokenize(b"UNH+AB?\nC+X'");
    assert_eq!(t.segment(0).unwrap().text(1, 0).as_deref(), Some("ABC"));
    // A line wrapped right after a release character: the release applies across the break.
    let t = tokenize(b"NAD+FL+++O?\r\n'NEIL'ATT+2'");
    assert_eq!(t.len(), 2);
    assert_eq!(t.segment(0).unwrap().text(4, 0).as_deref(), Some("O'NEIL"));
    let mut w = Writer::new(Separators::default());
    w.segment("UCM").element("N\nRFF");
    assert_eq!(w.finish(), b"UCM+NRFF'");
}

/// A Type B relay breaks lines every 64 characters, inside tags too.
#[test]
fn a_line_break_inside_a_tag_is_layout() {
    let t = tokenize(b"UNH+1+PAXLST'B\r\nGM+745'UN\r\nT+2+1'");
    let tags: Vec<_> = t.segments().map(|s| s.tag().to_string()).collect();
    assert_eq!(tags, ["UNH", "BGM", "UNT"]);
    assert_eq!(t.segment(1).unwrap().text(1, 0).as_deref(), Some("745"));
    assert!(
        t.findings.iter().all(|f| f.code == "segment_wrapped"),
        "{:?}",
        t.findings
    );
    let p = edifact::parse(b"UNH+1+PAXLST'B\r\nGM+745'UN\r\nT+2+1'");
    assert_eq!(p.interchanges[0].messages[0].end_segment, 3);
}
