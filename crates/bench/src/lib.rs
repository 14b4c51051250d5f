//! Synthetic PAXLST traffic for benchmarks, and the helpers the benchmarks share.
//!
//! Everything here is made up: names come from short invented lists, document numbers and
//! references from a seeded pseudo-random generator. The same seed always gives the same bytes.
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

use edifact::{GroupHeader, InterchangeHeader, Separators, SeriesPosition, Writer};

mod pnr;
pub use pnr::generate_pnrgov;

/// Cuts `input` before every `UNA` that starts a line (or the input).
pub fn interchanges(input: &[u8]) -> Vec<&[u8]> {
    let mut starts: Vec<usize> = input
        .windows(4)
        .enumerate()
        .filter(|(_, w)| w.get(1..) == Some(b"UNA".as_slice()) && w.first() == Some(&b'\n'))
        .map(|(i, _)| i + 1)
        .collect();
    if starts.first() != Some(&0) {
        starts.insert(0, 0);
    }
    starts.push(input.len());
    starts
        .windows(2)
        .filter_map(|w| match w {
            [from, to] => input.get(*from..*to),
            _ => None,
        })
        .collect()
}

/// SplitMix64: tiny, fast and good enough to vary synthetic data.
#[derive(Debug, Clone)]
struct SplitMix64(u64);

impl SplitMix64 {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0; 0 when `n` is 0).
    fn below(&mut self, n: u64) -> u64 {
        if n == 0 { 0 } else { self.next_u64() % n }
    }

    /// A number in `lo..=hi`.
    fn between(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi.saturating_sub(lo) + 1)
    }

    /// True with probability `percent` / 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        let n = u64::try_from(items.len()).unwrap_or(u64::MAX);
        let i = usize::try_from(self.below(n)).unwrap_or(0);
        items.get(i).copied().unwrap_or_default()
    }

    /// `len` characters from `alphabet`.
    fn code(&mut self, alphabet: &[u8], len: usize) -> String {
        let n = u64::try_from(alphabet.len()).unwrap_or(u64::MAX);
        (0..len)
            .map(|_| {
                let i = usize::try_from(self.below(n)).unwrap_or(0);
                char::from(alphabet.get(i).copied().unwrap_or(b'X'))
            })
            .collect()
    }
}

const DIGITS: &[u8] = b"0123456789";
const ALNUM: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";

/// Invented surnames; the apostrophe ones are drawn about 1% of the time.
#[rustfmt::skip]
const SURNAMES: &[&str] = &[
    "ABERNATHY", "BALDOVIN", "CARRADINE", "DELACROIX", "EKSTRAND", "FAIRWEATHER", "GALLOWAY",
    "HOLLANDER", "IVERSEN", "JANSSENS", "KOWALCZYK", "LINDQVIST", "MARCHETTI", "NAKAMURA",
    "OYELARAN", "PETRESCU", "QUINTERO", "ROSSITER", "SVENDSEN", "TAVERNIER", "UMBERTI",
    "VASQUEZ", "WHITLOCK", "XANTHOPOULOS", "YAMAGUCHI", "ZIELINSKI", "BRANDT", "MORENO",
    "OKAFOR", "HALVORSEN",
];
const APOSTROPHE_SURNAMES: &[&str] = &["O'NEIL", "O'BRIEN", "D'ARCY", "N'DIAYE", "O'HARA"];
#[rustfmt::skip]
const GIVEN_NAMES: &[&str] = &[
    "ADA", "BRUNO", "CLARA", "DMITRI", "ELENA", "FELIX", "GRETA", "HUGO", "INES", "JONAS",
    "KAIA", "LEON", "MAREN", "NILS", "OLGA", "PAVEL", "QUINN", "ROSA", "SILAS", "TILDA", "UMA",
    "VIKTOR", "WANDA", "XAVER", "YARA", "ZENO", "AMIRA", "BENEDIKT", "CHIARA", "DARIUS",
];
/// Invented two-letter carrier designators (no real airline is meant).
const CARRIERS: &[&str] = &["XQ", "XW", "QZ", "ZQ", "JX", "VQ"];
#[rustfmt::skip]
const AIRPORTS: &[&str] = &[
    "YVR", "JFK", "LHR", "FRA", "CDG", "AMS", "MAD", "FCO", "DUB", "ORD", "ATL", "SYD", "NRT",
    "GRU", "JNB", "DXB",
];
#[rustfmt::skip]
const COUNTRIES: &[&str] = &[
    "CAN", "USA", "GBR", "DEU", "FRA", "NLD", "ESP", "ITA", "IRL", "AUS", "JPN", "BRA", "ZAF",
    "NOR", "POL", "NGA",
];
const RECIPIENTS: &[&str] = &["BORDERAPI", "APISGATE", "PAXCHECK"];

/// A date as YYMMDD, with the year between `from` and `to` (two digits).
fn yymmdd(rng: &mut SplitMix64, from: u64, to: u64) -> String {
    format!(
        "{:02}{:02}{:02}",
        rng.between(from, to),
        rng.between(1, 12),
        rng.between(1, 28)
    )
}

/// Deterministic synthetic PAXLST D05B traffic of at least `target_bytes` (when it is
/// non-zero): whole interchanges (UNA, UNB, UNG, UNH … UNT, UNE, UNZ), one segment per line,
/// each carrying one passenger list of 100 to 400 passengers. Generation stops after the
/// interchange during which the output reached `target_bytes`, so every interchange is
/// complete and the output is at most one interchange (~130 KB) longer than asked.
pub fn generate_paxlst(target_bytes: usize, seed: u64) -> Vec<u8> {
    let mut rng = SplitMix64(seed);
    let mut out = Vec::with_capacity(target_bytes.saturating_add(160 * 1024));
    let mut number: u64 = 0;
    while out.len() < target_bytes {
        number += 1;
        out.extend_from_slice(&interchange(&mut rng, number));
    }
    out
}

/// One interchange with one passenger-list message.
fn interchange(rng: &mut SplitMix64, number: u64) -> Vec<u8> {
    let carrier = rng.pick(CARRIERS);
    let sender = format!("{carrier}APIS");
    let recipient = rng.pick(RECIPIENTS);
    let date = yymmdd(rng, 25, 27);
    let time = format!("{:02}{:02}", rng.below(24), rng.below(60));
    let control_reference = format!("{number:09}");
    let group_reference = number.to_string();
    let message_reference = format!("PAX{number:06}");
    let flight = format!("{carrier}{}", rng.between(1, 9999));
    let (from, to) = loop {
        let a = rng.pick(AIRPORTS);
        let b = rng.pick(AIRPORTS);
        if a != b {
            break (a, b);
        }
    };
    let departure = format!("{date}{time}");
    let arrival = format!("{date}{:02}{:02}", rng.below(24), rng.below(60));

    let mut w = Writer::new(Separators::default()).line_breaks(true);
    w.una();
    w.interchange(&InterchangeHeader {
        syntax_identifier: "UNOA".into(),
        syntax_version: Some("4".into()),
        sender: sender.clone(),
        sender_qualifier: Some("ZZ".into()),
        recipient: recipient.into(),
        recipient_qualifier: Some("ZZ".into()),
        date: date.clone(),
        time: time.clone(),
        control_reference,
        application_reference: Some("APIS".into()),
        ..Default::default()
    });
    w.group(&GroupHeader {
        message_group: "PAXLST".into(),
        sender,
        recipient: recipient.into(),
        date: date.clone(),
        time,
        reference: group_reference,
        agency: "UN".into(),
        version: "D:05B".into(),
        segment: 0,
    });
    let common_access = format!("{flight}/{date}");
    w.message(
        &message_reference,
        &["PAXLST", "D", "05B", "UN", "IATA"],
        Some(&common_access),
        Some(&SeriesPosition {
            number: Some(1),
            marker: Some('F'),
        }),
    );
    w.segment("BGM").element("745");
    let transaction = rng.code(ALNUM, 12);
    w.segment("RFF").composite(&["TN", &transaction]);
    let contact = format!("{} {}", rng.pick(GIVEN_NAMES), rng.pick(SURNAMES));
    w.segment("NAD")
        .element("MS")
        .empty()
        .empty()
        .element(&contact);
    let phone = format!("00{} {}", rng.between(1, 99), rng.code(DIGITS, 9));
    let fax = format!("00{} {}", rng.between(1, 99), rng.code(DIGITS, 9));
    w.segment("COM")
        .composite(&[&phone, "TE"])
        .composite(&[&fax, "FX"]);
    w.segment("TDT")
        .element("20")
        .element(&flight)
        .empty()
        .empty()
        .element(carrier);
    w.segment("LOC").element("125").element(from);
    w.segment("DTM").composite(&["189", &departure, "201"]);
    w.segment("LOC").element("87").element(to);
    w.segment("DTM").composite(&["232", &arrival, "201"]);

    let passengers = rng.between(100, 400);
    for _ in 0..passengers {
        passenger(&mut w, rng, from, to);
    }
    w.segment("CNT").composite(&["42", &passengers.to_string()]);
    w.end_message();
    w.end_group();
    w.end_interchange();
    w.finish()
}

/// The segment group 4 of one passenger (NAD+FL … LOC+91).
fn passenger(w: &mut Writer, rng: &mut SplitMix64, from: &str, to: &str) {
    let surname = if rng.chance(1) {
        rng.pick(APOSTROPHE_SURNAMES)
    } else {
        rng.pick(SURNAMES)
    };
    let given = if rng.chance(30) {
        format!("{} {}", rng.pick(GIVEN_NAMES), rng.pick(GIVEN_NAMES))
    } else {
        rng.pick(GIVEN_NAMES).to_string()
    };
    w.segment("NAD")
        .element("FL")
        .empty()
        .empty()
        .composite(&[surname, &given]);
    let sex = if rng.chance(50) { "M" } else { "F" };
    w.segment("ATT").element("2").empty().element(sex);
    let birth = yymmdd(rng, 0, 99);
    w.segment("DTM").composite(&["329", &birth]);
    w.segment("GEI").element("4").element("173");
    w.segment("LOC").element("178").element(from);
    w.segment("LOC").element("179").element(to);
    let nationality = rng.pick(COUNTRIES);
    w.segment("NAT").element("2").element(nationality);
    let booking = rng.code(ALNUM, 6);
    w.segment("RFF").composite(&["AVF", &booking]);
    let unique = rng.code(ALNUM, 14);
    w.segment("RFF").composite(&["ABO", &unique]);
    let document = format!("{}{}", rng.code(ALNUM, 2), rng.code(DIGITS, 7));
    w.segment("DOC")
        .composite(&["P", "110", "111"])
        .element(&document);
    let expiry = yymmdd(rng, 27, 36);
    w.segment("DTM").composite(&["36", &expiry]);
    let issuer = if rng.chance(80) {
        nationality
    } else {
        rng.pick(COUNTRIES)
    };
    w.segment("LOC").element("91").element(issuer);
}

/// What a full walk of a tokenized input found: counts and the summed component lengths.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Walk {
    /// Segments, UNA service string advices excluded.
    pub segments: usize,
    pub elements: usize,
    pub components: usize,
    /// Bytes of all components as sent (release characters included).
    pub component_bytes: usize,
}

/// Tokenizes `input` with [`edifact::tokenize`] and visits every component of every element
/// of every segment: the work the `passage` benchmark measures.
pub fn walk_passage(input: &[u8]) -> Walk {
    let tokens = edifact::tokenize(input);
    let mut walk = Walk::default();
    for segment in tokens.segments() {
        if segment.tag() == "UNA" {
            continue;
        }
        walk.segments += 1;
        for element in segment.elements() {
            walk.elements += 1;
            for component in element.components() {
                walk.components += 1;
                walk.component_bytes += std::hint::black_box(component.raw()).len();
            }
        }
    }
    walk
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_parses_without_findings() {
        let bytes = generate_paxlst(600_000, 7);
        assert!(bytes.len() >= 600_000);
        let parsed = edifact::parse(&bytes);
        assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
        assert!(parsed.interchanges.len() >= 2);
        for x in &parsed.interchanges {
            assert_eq!(x.messages.len(), 1);
            assert_eq!(x.groups.len(), 1);
            let m = &x.messages[0];
            assert_eq!(m.header.message_type, "PAXLST");
            let segments: Vec<_> = parsed.message_segments(m).collect();
            let passengers = segments
                .iter()
                .filter(|s| s.tag() == "NAD" && s.text(1, 0).as_deref() == Some("FL"))
                .count();
            assert!((100..=400).contains(&passengers), "{passengers}");
            let cnt = segments.iter().find(|s| s.tag() == "CNT").unwrap();
            assert_eq!(cnt.text(1, 1), Some(passengers.to_string().into()));
        }
    }

    #[test]
    fn same_seed_same_bytes() {
        assert_eq!(generate_paxlst(200_000, 42), generate_paxlst(200_000, 42));
        assert_ne!(generate_paxlst(200_000, 42), generate_paxlst(200_000, 43));
    }

    #[test]
    fn one_segment_per_line_and_released_apostrophes() {
        let bytes = generate_paxlst(2_000_000, 1);
        let text = std::str::from_utf8(&bytes).unwrap();
        assert!(text.starts_with("UNA:+.? '\nUNB+UNOA:4+"));
        assert!(text.lines().all(|l| l.ends_with('\'')));
        assert!(
            text.contains("?'"),
            "some surname carries a released apostrophe"
        );
        let tokens = edifact::tokenize(&bytes);
        let released = tokens
            .segments()
            .filter(|s| s.tag() == "NAD")
            .filter_map(|s| s.text(4, 0))
            .find(|name| name.contains('\''));
        assert!(released.is_some());
    }

    #[test]
    fn zero_target_is_empty() {
        assert!(generate_paxlst(0, 1).is_empty());
    }

    #[test]
    fn walk_counts_components() {
        let w = walk_passage(b"UNA:+.? '\nBGM+745'\nNAD+FL+++O?'NEIL:ADA'\n");
        assert_eq!(
            w,
            Walk {
                segments: 2,
                elements: 5,
                components: 6,
                component_bytes: 3 + 2 + 7 + 3,
            }
        );
    }
}
