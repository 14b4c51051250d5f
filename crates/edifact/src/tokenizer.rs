//! The lenient tokenizer: bytes to segments, every repair reported as a finding.
//!
//! One pass over the bytes, eight at a time ([`crate::scan`]), stops at every separator,
//! terminator, release character and control character; the tokenizer records segments and the
//! position of every separator inside them, so reading elements and components later costs no
//! second look at the bytes.

use crate::finding::Record as _;
use memchr::memmem;

use crate::charset::Charset;
use crate::finding::{Finding, code};
use crate::scan::{Needles, word_at};
use crate::segment::{Dirt, MAX_POSITION, REPETITION, Segment};
use crate::separators::{Separators, Syntax};
use crate::tags;

/// Where one segment lies in the input. Kept small: there is one per segment, and a large
/// input has millions.
#[derive(Debug, Clone, Copy)]
struct Record {
    start: u32,
    end: u32,
    bounds_from: u32,
    bounds_to: u32,
    syntax: u16,
    tag_len: u8,
    /// The tag without line breaks when it is well formed (a relay may break a line inside a
    /// tag); zeros otherwise.
    tag: [u8; 3],
    service: bool,
    dirt: Dirt,
}

/// The segments of an input, in order, borrowing from it.
#[derive(Debug)]
pub struct Tokens<'a> {
    input: &'a [u8],
    syntaxes: Vec<Syntax>,
    records: Vec<Record>,
    bounds: Vec<u32>,
    /// What the tokenizer tolerated or repaired.
    pub findings: Vec<Finding>,
}

fn view<'a>(
    input: &'a [u8],
    syntaxes: &'a [Syntax],
    bounds: &'a [u32],
    r: &Record,
    index: usize,
) -> Option<Segment<'a>> {
    Some(Segment {
        input,
        start: r.start as usize,
        end: r.end as usize,
        tag_len: usize::from(r.tag_len),
        index,
        syntax: syntaxes.get(usize::from(r.syntax))?,
        dirt: r.dirt,
        bounds: bounds.get(r.bounds_from as usize..r.bounds_to as usize)?,
        tag: r.tag,
        service: r.service,
    })
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
        view(self.input, &self.syntaxes, &self.bounds, r, index)
    }

    /// All segments in file order.
    pub fn segments(&self) -> impl Iterator<Item = Segment<'_>> {
        self.range(0, self.records.len())
    }

    /// Segments `from..to` in file order.
    pub fn range(&self, from: usize, to: usize) -> impl Iterator<Item = Segment<'_>> {
        let records = self
            .records
            .get(from..to.min(self.records.len()))
            .unwrap_or_default();
        records
            .iter()
            .enumerate()
            .filter_map(move |(i, r)| view(self.input, &self.syntaxes, &self.bounds, r, from + i))
    }
}

/// Splits `input` into segments, honouring UNA, the release character and every separator
/// set a later UNA declares. Never fails and never panics.
pub fn tokenize(input: &[u8]) -> Tokens<'_> {
    let mut findings = Vec::new();
    let input = match input.get(..=MAX_POSITION) {
        Some(head) if input.len() > MAX_POSITION => {
            findings.record(Finding::error(
                code::INPUT_TOO_LARGE,
                "input is larger than 1 GiB; only the first GiB was read",
            ));
            head
        }
        _ => input,
    };
    let mut t = Tokenizer {
        input,
        pos: 0,
        syntaxes: vec![Syntax::default()],
        current: 0,
        expect_start: true,
        seen_any: false,
        records: Vec::with_capacity(input.len() / 16 + 4),
        bounds: Vec::with_capacity(input.len() / 4 + 4),
        findings,
    };
    t.run();
    Tokens {
        input,
        syntaxes: t.syntaxes,
        records: t.records,
        bounds: t.bounds,
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
    bounds: Vec<u32>,
    findings: Vec<Finding>,
}

/// A segment being read.
#[derive(Debug, Clone, Copy)]
struct Open {
    start: usize,
    tag_end: Option<usize>,
    dirt: Dirt,
    bounds_from: usize,
}

fn is_blank(b: u8) -> bool {
    // Blanks, line breaks and the control characters of Type B framing (SOH, STX, ETX …).
    b <= b' ' || b == 0x7f
}

fn is_control(b: u8) -> bool {
    b < b' ' || b == 0x7f
}

/// The first three bytes of a tag a line break runs through, or zeros when it is not three
/// bytes long without them.
fn without_line_breaks(raw: &[u8]) -> [u8; 3] {
    let mut clean = [0u8; 3];
    let mut n = 0;
    for &b in raw.iter().filter(|b| **b >= b' ') {
        match clean.get_mut(n) {
            Some(slot) => *slot = b,
            None => return [0; 3],
        }
        n += 1;
    }
    if n == 3 { clean } else { [0; 3] }
}

/// A mask keeping the bytes of the word at `word` that stand at or after `position`.
#[inline(always)]
fn from_position(position: usize, word: usize) -> u64 {
    match position.saturating_sub(word) {
        0 => u64::MAX,
        n if n >= 8 => 0,
        n => u64::MAX << (8 * n),
    }
}

/// Why a scan handed control back.
enum Stop {
    /// End of input.
    End,
    /// A segment starts at `pos` that the outer loop must read (UNA), or an interchange ended.
    Boundary,
}

impl Tokenizer<'_> {
    fn run(&mut self) {
        while self.skip_blanks() {
            if self.expect_start && !self.skip_to_start() {
                break;
            }
            if self.starts_with(b"UNA") {
                self.read_una();
            } else if let Stop::End = self.scan() {
                break;
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
        self.pos = self.blank_end(self.pos);
        self.pos < self.input.len()
    }

    /// The first non-blank position at or after `from`.
    fn blank_end(&self, mut from: usize) -> usize {
        while self.input.get(from).is_some_and(|b| is_blank(*b)) {
            from += 1;
        }
        from
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
                self.findings.record(what.at(self.records.len()));
                self.pos += skip;
                true
            }
            None if self.seen_any => {
                let trailing = rest.len();
                self.findings.record(
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
            self.findings.record(
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
            self.findings.record(
                Finding::error(
                    code::UNA_SEPARATOR_CLASH,
                    "UNA declares the same character for two service functions",
                )
                .at(index),
            );
        }
        self.use_syntax(Syntax {
            separators,
            charset: Charset::Unknown,
            version: None,
        });
        let bounds = self.bounds.len() as u32;
        self.records.push(Record {
            start: start as u32,
            end: (start + 9) as u32,
            bounds_from: bounds,
            bounds_to: bounds,
            syntax: self.syntax_id(),
            tag_len: 3,
            tag: *b"UNA",
            service: true,
            dirt: Dirt::default(),
        });
        self.seen_any = true;
        self.pos = start + 9;
    }

    /// Reads segments from `self.pos` with the current separators until the input ends, a UNA
    /// is next, or an interchange closed.
    fn scan(&mut self) -> Stop {
        let seps = self.separators();
        let needles = Needles::new(&seps);
        let input = self.input;
        let len = input.len();
        let mut open = self.open_at(self.pos);
        let mut skip_until = self.pos;
        let mut word = self.pos;
        while word < len {
            let (w, valid) = word_at(input, word);
            let (elements, components, other) = needles.classify(w);
            let keep = valid & from_position(skip_until, word);
            let mut separators = (elements | components) & keep;
            let mut stops = other & keep;
            while stops != 0 {
                let bit = stops.trailing_zeros();
                stops &= stops - 1;
                // Separators before this stop belong to the segment being read.
                let below = (1u64 << bit) - 1;
                self.push_separators(&mut open, word, separators & below, components);
                separators &= !below;
                let p = word + (bit / 8) as usize;
                if p < skip_until {
                    continue;
                }
                let Some(&b) = input.get(p) else {
                    break;
                };
                if Some(b) == seps.release {
                    open.dirt.escaped = true;
                    // A line break after a release character is layout: the release applies to
                    // the first character after it.
                    let mut released = p + 1;
                    while input.get(released).is_some_and(|c| *c < b' ') {
                        open.dirt.wrapped = true;
                        released += 1;
                    }
                    skip_until = released + 1;
                    if p + 1 >= len {
                        self.findings.record(
                            Finding::warning(
                                code::DANGLING_RELEASE,
                                "release character at the end of the input releases nothing",
                            )
                            .at(self.records.len()),
                        );
                    }
                } else if Some(b) == seps.repetition {
                    self.bounds.push(p as u32 | REPETITION);
                } else if b == seps.terminator {
                    let closed_interchange = self.close(open, p);
                    let next = self.blank_end(p + 1);
                    self.pos = next;
                    if next >= len {
                        return Stop::End;
                    }
                    if closed_interchange || input.get(next..next + 3) == Some(b"UNA") {
                        return Stop::Boundary;
                    }
                    open = self.open_at(next);
                    skip_until = next;
                } else {
                    // A line break (or other control character) inside a segment.
                    let after = self.blank_end(p);
                    let at_terminator = input.get(after) == Some(&seps.terminator);
                    if after < len && !at_terminator && self.looks_like_segment_start(after, &seps)
                    {
                        self.findings.record(
                            Finding::warning(
                                code::MISSING_SEGMENT_TERMINATOR,
                                "a line break stands where a segment terminator was expected",
                            )
                            .at(self.records.len()),
                        );
                        let closed_interchange = self.close(open, p);
                        self.pos = after;
                        if closed_interchange || input.get(after..after + 3) == Some(b"UNA") {
                            return Stop::Boundary;
                        }
                        open = self.open_at(after);
                    } else if after < len && !at_terminator {
                        open.dirt.wrapped = true;
                    }
                    skip_until = after;
                }
                let keep = from_position(skip_until, word);
                separators &= keep;
                stops &= keep;
            }
            self.push_separators(&mut open, word, separators, components);
            word += 8;
        }
        // The input ended inside a segment.
        let end = len;
        let has_content = input
            .get(open.start..end)
            .is_some_and(|s| s.iter().any(|b| !is_blank(*b)));
        if has_content {
            self.findings.record(
                Finding::warning(
                    code::MISSING_FINAL_TERMINATOR,
                    "the last segment has no terminator",
                )
                .at(self.records.len()),
            );
            self.close(open, end);
        }
        self.pos = len;
        Stop::End
    }

    /// The current reading context as a record stores it.
    fn syntax_id(&self) -> u16 {
        u16::try_from(self.current).unwrap_or(u16::MAX)
    }

    /// Makes `syntax` current, reusing an equal one: an input of many interchanges has only a
    /// few distinct reading contexts, so their number stays far below what a record can name.
    fn use_syntax(&mut self, syntax: Syntax) {
        match self.syntaxes.iter().position(|s| *s == syntax) {
            Some(i) => self.current = i,
            None if self.syntaxes.len() <= usize::from(u16::MAX) => {
                self.syntaxes.push(syntax);
                self.current = self.syntaxes.len() - 1;
            }
            // More than 65,535 distinct contexts cannot be built from UNA and UNB: keep the last.
            None => {}
        }
    }

    /// Records the separators of `mask` (bytes of the word at `word`), in order; a byte also
    /// set in `components` is a component separator, else an element separator.
    #[inline(always)]
    fn push_separators(&mut self, open: &mut Open, word: usize, mut mask: u64, components: u64) {
        if mask == 0 {
            return;
        }
        if open.tag_end.is_none() {
            open.tag_end = Some(word + (mask.trailing_zeros() / 8) as usize);
        }
        while mask != 0 {
            let bit = mask.trailing_zeros();
            mask &= mask - 1;
            let kind = (((components >> bit) & 1) as u32) << 30;
            self.bounds.push((word + (bit / 8) as usize) as u32 | kind);
        }
    }

    fn open_at(&self, start: usize) -> Open {
        Open {
            start,
            tag_end: None,
            dirt: Dirt::default(),
            bounds_from: self.bounds.len(),
        }
    }

    /// Records the segment `open.start..end`; true when it was UNZ (an interchange closed).
    #[inline(always)]
    fn close(&mut self, open: Open, mut end: usize) -> bool {
        let index = self.records.len();
        let start = open.start;
        // Line breaks before a terminator are layout; a trailing space may be data.
        while end > start && self.input.get(end - 1).is_some_and(|b| is_control(*b)) {
            end -= 1;
        }
        if end <= start {
            self.bounds.truncate(open.bounds_from);
            self.findings.record(
                Finding::info(code::EMPTY_SEGMENT, "empty segment (a doubled terminator)")
                    .at(index),
            );
            return false;
        }
        if open.dirt.wrapped {
            self.findings.record(
                Finding::info(
                    code::SEGMENT_WRAPPED,
                    "segment is wrapped across lines; line breaks were removed",
                )
                .at(index),
            );
        }
        let tag_len = open.tag_end.unwrap_or(end).min(end) - start;
        let raw_tag = self.input.get(start..start + tag_len).unwrap_or_default();
        let tag = match raw_tag {
            // The common case: three bytes, no line break in them.
            &[a, b, c] => [a, b, c],
            _ => without_line_breaks(raw_tag),
        };
        let tag = if tags::is_well_formed(&tag) {
            tag
        } else {
            [0; 3]
        };
        if tag == [0; 3] {
            self.findings.record(
                Finding::error(
                    code::INVALID_SEGMENT_TAG,
                    "segment tag is not three upper-case letters or digits",
                )
                .at(index),
            );
        }
        let is_unb = &tag == b"UNB";
        let is_unz = &tag == b"UNZ";
        self.records.push(Record {
            start: start as u32,
            end: end as u32,
            bounds_from: open.bounds_from as u32,
            bounds_to: self.bounds.len() as u32,
            syntax: self.syntax_id(),
            // Longer "tags" are reported above; the view shows at most their first 255 bytes.
            tag_len: u8::try_from(tag_len).unwrap_or(u8::MAX),
            tag,
            service: matches!(
                &tag,
                b"UNA" | b"UNB" | b"UNG" | b"UNH" | b"UNT" | b"UNE" | b"UNZ"
            ),
            dirt: open.dirt,
        });
        self.seen_any = true;
        if is_unb {
            self.read_syntax_identifier(index);
        }
        if is_unz {
            self.expect_start = true;
        }
        is_unz
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
        let Some(syntax) = self.syntaxes.get(usize::from(record.syntax)).cloned() else {
            return;
        };
        let (identifier, version) = {
            let Some(segment) = view(
                self.input,
                std::slice::from_ref(&syntax),
                &self.bounds,
                &Record {
                    syntax: 0,
                    ..record
                },
                index,
            ) else {
                return;
            };
            (
                segment.text(1, 0).unwrap_or_default().into_owned(),
                segment.text(1, 1).and_then(|v| v.trim().parse::<u8>().ok()),
            )
        };
        let charset = match Charset::from_identifier(&identifier) {
            Some(c) => c,
            None => {
                self.findings.record(
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
        self.use_syntax(Syntax {
            separators: syntax.separators,
            charset,
            version,
        });
        let id = self.syntax_id();
        if let Some(r) = self.records.get_mut(index) {
            r.syntax = id;
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
