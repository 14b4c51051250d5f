//! The lenient tokenizer: bytes to segments, every repair reported as a finding.

use memchr::{memchr, memchr2, memmem};

use crate::charset::Charset;
use crate::finding::{Finding, code};
use crate::segment::{Dirt, Segment};
use crate::separators::{Separators, Syntax};
use crate::tags;

/// Where one segment lies in the input.
#[derive(Debug, Clone, Copy)]
struct Record {
    start: usize,
    end: usize,
    tag_len: usize,
    syntax: usize,
    dirt: Dirt,
}

/// The segments of an input, in order, borrowing from it.
#[derive(Debug)]
pub struct Tokens<'a> {
    input: &'a [u8],
    syntaxes: Vec<Syntax>,
    records: Vec<Record>,
    /// What the tokenizer tolerated or repaired.
    pub findings: Vec<Finding>,
}

impl<'a> Tokens<'a> {
    pub fn len(&self) -> usize {
        self.records.len()
    }

    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    pub fn input(&self) -> &'a [u8] {
        self.input
    }

    /// The segment at `index` (0-based, in file order).
    pub fn segment(&self, index: usize) -> Option<Segment<'_>> {
        let r = self.records.get(index)?;
        Some(Segment {
            raw: self.input.get(r.start..r.end)?,
            tag_len: r.tag_len,
            index,
            offset: r.start,
            syntax: self.syntaxes.get(r.syntax)?,
            dirt: r.dirt,
        })
    }

    /// All segments in file order.
    pub fn segments(&self) -> impl Iterator<Item = Segment<'_>> {
        (0..self.records.len()).filter_map(|i| self.segment(i))
    }

    /// Segments `from..to` in file order.
    pub fn range(&self, from: usize, to: usize) -> impl Iterator<Item = Segment<'_>> {
        (from..to.min(self.records.len())).filter_map(|i| self.segment(i))
    }
}

/// Splits `input` into segments, honouring UNA, the release character and every separator
/// set a later UNA declares. Never fails and never panics.
pub fn tokenize(input: &[u8]) -> Tokens<'_> {
    let mut t = Tokenizer {
        input,
        pos: 0,
        syntaxes: vec![Syntax::default()],
        current: 0,
        expect_start: true,
        seen_any: false,
        records: Vec::with_capacity(input.len() / 24 + 4),
        findings: Vec::new(),
    };
    t.run();
    Tokens {
        input,
        syntaxes: t.syntaxes,
        records: t.records,
        findings: t.findings,
    }
}

struct Tokenizer<'a> {
    input: &'a [u8],
    pos: usize,
    syntaxes: Vec<Syntax>,
    current: usize,
    /// True at the start and after UNZ: an interchange (or a bare message) should begin here.
    expect_start: bool,
    seen_any: bool,
    records: Vec<Record>,
    findings: Vec<Finding>,
}

fn is_blank(b: u8) -> bool {
    // Blanks, line breaks and the control characters of Type B framing (SOH, STX, ETX …).
    b <= b' ' || b == 0x7f
}

fn is_control(b: u8) -> bool {
    b < b' ' || b == 0x7f
}

impl Tokenizer<'_> {
    fn run(&mut self) {
        while self.skip_blanks() {
            if self.expect_start && !self.skip_to_start() {
                break;
            }
            if self.starts_with(b"UNA") {
                self.read_una();
            } else {
                self.read_segment();
            }
        }
    }

    fn separators(&self) -> Separators {
        self.syntaxes
            .get(self.current)
            .map(|s| s.separators)
            .unwrap_or_default()
    }

    /// Moves past blanks; false at the end of input.
    fn skip_blanks(&mut self) -> bool {
        while let Some(&b) = self.input.get(self.pos) {
            if !is_blank(b) {
                return true;
            }
            self.pos += 1;
        }
        false
    }

    fn starts_with(&self, prefix: &[u8]) -> bool {
        self.input
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(prefix))
    }

    /// At a place where an interchange should begin: skips framing or stray text up to the
    /// next UNA, UNB or UNH. False when nothing follows but stray text.
    fn skip_to_start(&mut self) -> bool {
        self.expect_start = false;
        if self.starts_with(b"UNA") || self.starts_with(b"UNB") || self.starts_with(b"UNH") {
            return true;
        }
        let rest = self.input.get(self.pos..).unwrap_or_default();
        match find_service_start(rest) {
            Some(skip) => {
                let what = if self.seen_any {
                    Finding::warning(
                        code::TEXT_AFTER_INTERCHANGE,
                        format!("{skip} bytes between interchanges were skipped"),
                    )
                } else {
                    Finding::info(
                        code::PREAMBLE_SKIPPED,
                        format!("{skip} bytes of framing before the interchange were skipped"),
                    )
                };
                self.findings.push(what.at(self.records.len()));
                self.pos += skip;
                true
            }
            None if self.seen_any => {
                let trailing = rest.len();
                self.findings.push(
                    Finding::warning(
                        code::TEXT_AFTER_INTERCHANGE,
                        format!("{trailing} bytes after the last interchange were ignored"),
                    )
                    .at(self.records.len()),
                );
                self.pos = self.input.len();
                false
            }
            // No envelope anywhere: read whatever is there as segments.
            None => true,
        }
    }

    fn read_una(&mut self) {
        let start = self.pos;
        let index = self.records.len();
        let chars: Option<[u8; 6]> = self
            .input
            .get(start + 3..start + 9)
            .and_then(|s| s.try_into().ok());
        let Some(chars) = chars else {
            self.findings.push(
                Finding::error(
                    code::UNA_TRUNCATED,
                    "UNA must be followed by six service characters",
                )
                .at(index),
            );
            self.pos = self.input.len();
            return;
        };
        let separators = Separators::from_una(chars);
        if separators.has_clash() {
            self.findings.push(
                Finding::error(
                    code::UNA_SEPARATOR_CLASH,
                    "UNA declares the same character for two service functions",
                )
                .at(index),
            );
        }
        self.syntaxes.push(Syntax {
            separators,
            charset: Charset::Unknown,
            version: None,
        });
        self.current = self.syntaxes.len() - 1;
        self.records.push(Record {
            start,
            end: start + 9,
            tag_len: 3,
            syntax: self.current,
            dirt: Dirt::default(),
        });
        self.seen_any = true;
        self.pos = start + 9;
    }

    fn read_segment(&mut self) {
        let seps = self.separators();
        let start = self.pos;
        let index = self.records.len();
        let rest = self.input.get(start..).unwrap_or_default();

        // Find the terminator, stepping over released characters.
        let mut escaped = false;
        let mut scan = 0;
        let (mut end, mut next, terminated) = loop {
            let hit = match seps.release {
                Some(r) => memchr2(seps.terminator, r, rest.get(scan..).unwrap_or_default()),
                None => memchr(seps.terminator, rest.get(scan..).unwrap_or_default()),
            };
            match hit {
                Some(at) if rest.get(scan + at) == Some(&seps.terminator) => {
                    break (start + scan + at, start + scan + at + 1, true);
                }
                Some(at) => {
                    escaped = true;
                    if scan + at + 1 >= rest.len() {
                        self.findings.push(
                            Finding::warning(
                                code::DANGLING_RELEASE,
                                "release character at the end of the input releases nothing",
                            )
                            .at(index),
                        );
                    }
                    scan += at + 2;
                }
                None => break (self.input.len(), self.input.len(), false),
            }
        };

        // A line break followed by a known tag means a forgotten terminator: split there.
        let mut wrapped = false;
        let mut from = start;
        while let Some(nl) = self
            .input
            .get(from..end)
            .and_then(|s| memchr2(b'\n', b'\r', s))
        {
            let nl = from + nl;
            let mut after = nl;
            while self.input.get(after).is_some_and(|b| is_blank(*b)) {
                after += 1;
            }
            if after < end && self.looks_like_segment_start(after, &seps) {
                self.findings.push(
                    Finding::warning(
                        code::MISSING_SEGMENT_TERMINATOR,
                        "a line break stands where a segment terminator was expected",
                    )
                    .at(index),
                );
                end = nl;
                next = after;
                break;
            }
            if after < end {
                wrapped = true;
            }
            from = after.max(nl + 1);
        }
        // Line breaks before a terminator are layout; a trailing space may be data.
        while end > start && self.input.get(end - 1).is_some_and(|b| is_control(*b)) {
            end -= 1;
        }

        if !terminated && next == self.input.len() && end > start {
            self.findings.push(
                Finding::warning(
                    code::MISSING_FINAL_TERMINATOR,
                    "the last segment has no terminator",
                )
                .at(index),
            );
        }
        if end <= start {
            // A stray terminator: nothing to keep but the fact.
            self.findings.push(
                Finding::info(code::EMPTY_SEGMENT, "empty segment (a doubled terminator)")
                    .at(index),
            );
            self.pos = next.max(start + 1);
            return;
        }
        if wrapped {
            self.findings.push(
                Finding::info(
                    code::SEGMENT_WRAPPED,
                    "segment is wrapped across lines; line breaks were removed",
                )
                .at(index),
            );
        }

        let raw = self.input.get(start..end).unwrap_or_default();
        let tag_len = raw
            .iter()
            .position(|&b| b == seps.element || b == seps.component)
            .unwrap_or(raw.len());
        let tag = raw.get(..tag_len).unwrap_or_default();
        if !tags::is_well_formed(tag) {
            self.findings.push(
                Finding::error(
                    code::INVALID_SEGMENT_TAG,
                    "segment tag is not three upper-case letters or digits",
                )
                .at(index),
            );
        }
        self.records.push(Record {
            start,
            end,
            tag_len,
            syntax: self.current,
            dirt: Dirt { escaped, wrapped },
        });
        self.seen_any = true;
        self.pos = next;

        match tag {
            b"UNB" => self.read_syntax_identifier(index),
            b"UNZ" => self.expect_start = true,
            _ => {}
        }
    }

    /// True when a known tag followed by a separator or terminator starts at `at`.
    fn looks_like_segment_start(&self, at: usize, seps: &Separators) -> bool {
        let Some(tag) = self.input.get(at..at + 3) else {
            return false;
        };
        let follow = self.input.get(at + 3).copied();
        tags::is_known(tag)
            && (follow.is_none()
                || follow == Some(seps.element)
                || follow == Some(seps.terminator)
                || follow == Some(seps.component))
    }

    /// Sets the character set and syntax version from UNB S001.
    fn read_syntax_identifier(&mut self, index: usize) {
        let Some(record) = self.records.get(index).copied() else {
            return;
        };
        let Some(syntax) = self.syntaxes.get(record.syntax).cloned() else {
            return;
        };
        let segment = Segment {
            raw: self.input.get(record.start..record.end).unwrap_or_default(),
            tag_len: record.tag_len,
            index,
            offset: record.start,
            syntax: &syntax,
            dirt: record.dirt,
        };
        let identifier = segment.text(1, 0).unwrap_or_default();
        let version = segment.text(1, 1).and_then(|v| v.trim().parse::<u8>().ok());
        let charset = match Charset::from_identifier(&identifier) {
            Some(c) => c,
            None => {
                self.findings.push(
                    Finding::warning(
                        code::UNKNOWN_SYNTAX_IDENTIFIER,
                        format!(
                            "syntax identifier '{}' is not ISO 9735 or IATA; text read as UTF-8, else ISO 8859-1",
                            printable(&identifier)
                        ),
                    )
                    .at(index)
                    .element(1)
                    .component(1),
                );
                Charset::Unknown
            }
        };
        self.syntaxes.push(Syntax {
            separators: syntax.separators,
            charset,
            version,
        });
        self.current = self.syntaxes.len() - 1;
        if let Some(r) = self.records.get_mut(index) {
            r.syntax = self.current;
        }
    }
}

/// Keeps a service code printable and short in a finding text.
pub(crate) fn printable(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_graphic() || *c == ' ')
        .take(16)
        .collect()
}

/// Offset of the next `UNA`, `UNB` or `UNH` that stands at the start of a line or after a
/// blank or control character.
fn find_service_start(bytes: &[u8]) -> Option<usize> {
    memmem::find_iter(bytes, b"UN").find(|&at| {
        let third = bytes.get(at + 2).copied();
        let before_ok = at == 0 || bytes.get(at - 1).is_some_and(|b| is_blank(*b));
        before_ok && matches!(third, Some(b'A' | b'B' | b'H'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags_of(t: &Tokens<'_>) -> Vec<String> {
        t.segments().map(|s| s.tag().to_string()).collect()
    }

    fn codes<'t>(t: &'t Tokens<'_>) -> Vec<&'t str> {
        t.findings.iter().map(|f| f.code.as_ref()).collect()
    }

    #[test]
    fn defaults_without_una() {
        let t = tokenize(b"UNB+UNOA:4+A+B+240101:1200+1'UNH+1+X:D:05B:UN'UNT+2+1'UNZ+1+1'");
        assert_eq!(tags_of(&t), ["UNB", "UNH", "UNT", "UNZ"]);
        assert!(t.findings.is_empty(), "{:?}", t.findings);
        assert_eq!(t.segment(0).unwrap().syntax().charset, Charset::Unoa);
    }

    #[test]
    fn una_with_type_b_safe_separators() {
        let t = tokenize(
            b"UNA:(.) -UNB(UNOA:4(1A:TS(IRLAPIS(250725:0121(1A8323504((APIS-UNZ(0(1A8323504-",
        );
        assert_eq!(tags_of(&t), ["UNA", "UNB", "UNZ"]);
        let unb = t.segment(1).unwrap();
        assert_eq!(unb.text(2, 0).as_deref(), Some("1A"));
        assert_eq!(unb.text(2, 1).as_deref(), Some("TS"));
        assert_eq!(unb.text(3, 0).as_deref(), Some("IRLAPIS"));
        assert_eq!(unb.text(7, 0).as_deref(), Some("APIS"));
        assert!(t.findings.is_empty(), "{:?}", t.findings);
    }

    #[test]
    fn release_character_protects_the_terminator() {
        let t = tokenize(b"NAD+FL+++O?'NEIL'ATT+2++M'");
        assert_eq!(tags_of(&t), ["NAD", "ATT"]);
        assert_eq!(t.segment(0).unwrap().text(4, 0).as_deref(), Some("O'NEIL"));
    }

    #[test]
    fn blanks_and_several_segments_per_line() {
        let t = tokenize(b"\r\n  UNH+1+PAXLST:D:02B:UN:IATA'\r\nBGM+745'  NAD+MS'\n\nUNT+3+1'\r\n");
        assert_eq!(tags_of(&t), ["UNH", "BGM", "NAD", "UNT"]);
        assert!(t.findings.is_empty(), "{:?}", t.findings);
    }

    #[test]
    fn missing_final_terminator() {
        let t = tokenize(b"UNH+1+X'UNT+2+1\n");
        assert_eq!(tags_of(&t), ["UNH", "UNT"]);
        assert_eq!(t.segment(1).unwrap().text(2, 0).as_deref(), Some("1"));
        assert_eq!(codes(&t), [code::MISSING_FINAL_TERMINATOR]);
    }

    #[test]
    fn wrapped_segment_and_missing_terminator() {
        let t = tokenize(b"UNH+1+X'NAD+FL+++WILLI\r\nAMS:JOHN'DAT+2:\nORG+SQ++++A'UNT+4+1'");
        assert_eq!(tags_of(&t), ["UNH", "NAD", "DAT", "ORG", "UNT"]);
        assert_eq!(
            t.segment(1).unwrap().text(4, 0).as_deref(),
            Some("WILLIAMS")
        );
        assert_eq!(t.segment(2).unwrap().text(1, 0).as_deref(), Some("2"));
        assert_eq!(t.segment(3).unwrap().text(1, 0).as_deref(), Some("SQ"));
        assert_eq!(
            codes(&t),
            [code::SEGMENT_WRAPPED, code::MISSING_SEGMENT_TERMINATOR]
        );
    }

    #[test]
    fn type_b_framing_and_text_after_unz() {
        let input = b"\x01QK LONPPXS\r\n.MUCKMTS 250521\r\n\x02UNA:(.) -UNB(UNOA:4(1A(X(250725:0121(9-UNZ(0(9-\x03\r\nNNNN";
        let t = tokenize(input);
        assert_eq!(tags_of(&t), ["UNA", "UNB", "UNZ"]);
        assert_eq!(
            codes(&t),
            [code::PREAMBLE_SKIPPED, code::TEXT_AFTER_INTERCHANGE]
        );
    }

    #[test]
    fn second_interchange_may_change_separators() {
        let t = tokenize(b"UNB+UNOC:3+A+B+1:1+1'UNZ+0+1'\nUNA|#.\\ !UNB#UNOW|4#A#B#1|1#2!UNZ#0#2!");
        assert_eq!(tags_of(&t), ["UNB", "UNZ", "UNA", "UNB", "UNZ"]);
        assert_eq!(t.segment(1).unwrap().syntax().charset, Charset::Unoc);
        assert_eq!(t.segment(4).unwrap().syntax().charset, Charset::Unow);
        assert_eq!(t.segment(4).unwrap().text(2, 0).as_deref(), Some("2"));
    }

    #[test]
    fn unknown_syntax_identifier_is_tolerated() {
        let t = tokenize(b"UNB+SIRE:4+CA+NIAC+261127:0930+1'UNZ+0+1'");
        assert_eq!(codes(&t), [code::UNKNOWN_SYNTAX_IDENTIFIER]);
        let f = &t.findings[0];
        assert_eq!(
            (f.segment, f.element, f.component),
            (Some(0), Some(1), Some(1))
        );
    }

    #[test]
    fn garbage_never_panics_and_is_reported() {
        let t = tokenize(b"\xff\xfe garbage ' more ''");
        assert!(codes(&t).contains(&code::INVALID_SEGMENT_TAG));
        let t = tokenize(b"UNA:+");
        assert_eq!(codes(&t), [code::UNA_TRUNCATED]);
        let t = tokenize(b"ABC+?");
        assert!(codes(&t).contains(&code::DANGLING_RELEASE));
    }
}
