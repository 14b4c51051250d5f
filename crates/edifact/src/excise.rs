//! Segments taken out of an interchange, the rest kept byte for byte: how the vault keeps a
//! message once the law has said what may not be kept (the sensitive SSRs and remarks of a PNR).
//! Each message's UNT count is lowered by the segments taken from it, so the bytes kept still
//! read with the counts they declare (a count that was wrong as sent stays wrong by as much).

use std::collections::BTreeSet;

use crate::Parsed;

/// The input without the segments at `indexes` (each with its terminator and the line break
/// after it), the UNT counts rewritten. Indexes that name no segment are ignored.
pub fn without_segments(parsed: &Parsed<'_>, indexes: &BTreeSet<usize>) -> Vec<u8> {
    let input = parsed.tokens.input();
    // (start, end, replacement) in input order, never overlapping.
    let mut edits: Vec<(usize, usize, Vec<u8>)> = Vec::new();
    for &index in indexes {
        let Some(segment) = parsed.tokens.segment(index) else {
            continue;
        };
        let mut end = segment.offset() + segment.raw().len();
        if input.get(end) == Some(&segment.syntax().separators.terminator) {
            end += 1;
        }
        while matches!(input.get(end), Some(b'\r' | b'\n')) {
            end += 1;
        }
        edits.push((segment.offset(), end, Vec::new()));
    }
    for (_, message) in parsed.messages() {
        let taken = indexes
            .range(message.first_segment..message.end_segment)
            .count();
        if taken == 0 || !message.has_trailer {
            continue;
        }
        let Some(trailer) = parsed.tokens.segment(message.end_segment.saturating_sub(1)) else {
            continue;
        };
        if indexes.contains(&trailer.index()) {
            continue;
        }
        let Some(count) = trailer.element(1).and_then(|e| e.component(0)) else {
            continue;
        };
        let Some(declared) = std::str::from_utf8(count.raw())
            .ok()
            .and_then(|t| t.parse::<usize>().ok())
        else {
            continue;
        };
        let start = trailer.element(1).map(|e| e.offset()).unwrap_or_default();
        edits.push((
            start,
            start + count.raw().len(),
            declared.saturating_sub(taken).to_string().into_bytes(),
        ));
    }
    edits.sort_by_key(|(start, _, _)| *start);
    let mut kept = Vec::with_capacity(input.len());
    let mut at = 0;
    for (start, end, replacement) in edits {
        if start < at {
            continue;
        }
        kept.extend_from_slice(input.get(at..start).unwrap_or_default());
        kept.extend_from_slice(&replacement);
        at = end;
    }
    kept.extend_from_slice(input.get(at..).unwrap_or_default());
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn take(text: &str, tags: &[&str]) -> String {
        let parsed = crate::parse(text.as_bytes());
        let indexes = parsed
            .tokens
            .segments()
            .filter(|s| tags.contains(&s.raw_text().as_ref()))
            .map(|s| s.index())
            .collect();
        String::from_utf8(without_segments(&parsed, &indexes)).unwrap()
    }

    #[test]
    fn segments_go_and_the_count_follows() {
        let text = "UNA:+.? 'UNB+IATA:1+XQ+PIU+261127:0900+1'UNH+1+PNRGOV:13:1:IA'SRC'SSR+VJML:HK:1:XQ'TIF+SYNTH+ANNA:A:1'SSR+WCHR:HK:1:XQ'UNT+6+1'UNZ+1+1'";
        let kept = take(text, &["SSR+VJML:HK:1:XQ", "SSR+WCHR:HK:1:XQ"]);
        assert_eq!(
            kept,
            "UNA:+.? 'UNB+IATA:1+XQ+PIU+261127:0900+1'UNH+1+PNRGOV:13:1:IA'SRC'TIF+SYNTH+ANNA:A:1'UNT+4+1'UNZ+1+1'"
        );
        let reread = crate::parse(kept.as_bytes());
        assert!(reread.findings.is_empty(), "{:?}", reread.findings);
    }

    #[test]
    fn line_per_segment_keeps_its_lines_and_a_wrong_count_stays_wrong_by_as_much() {
        let text = "UNB+IATA:1+XQ+PIU+261127:0900+1'\nUNH+1+PNRGOV:13:1:IA'\nSRC'\nIFT+4:28+HALAL'\nUNT+9+1'\nUNZ+1+1'\n";
        let kept = take(text, &["IFT+4:28+HALAL"]);
        assert_eq!(
            kept,
            "UNB+IATA:1+XQ+PIU+261127:0900+1'\nUNH+1+PNRGOV:13:1:IA'\nSRC'\nUNT+8+1'\nUNZ+1+1'\n"
        );
    }

    #[test]
    fn nothing_to_take_keeps_every_byte() {
        let text = "UNB+IATA:1+XQ+PIU+261127:0900+1'UNH+1+PNRGOV:13:1:IA'SRC'UNT+3+1'UNZ+1+1'";
        assert_eq!(take(text, &[]), text);
        assert_eq!(take(text, &["NOPE"]), text);
    }

    #[test]
    fn only_the_messages_that_lost_segments_change_their_count() {
        let text = "UNB+IATA:1+XQ+PIU+261127:0900+1'UNH+1+PNRGOV:13:1:IA'SRC'SSR+MOML'UNT+4+1'UNH+2+PNRGOV:13:1:IA'SRC'UNT+3+2'UNZ+2+1'";
        let kept = take(text, &["SSR+MOML"]);
        assert_eq!(
            kept,
            "UNB+IATA:1+XQ+PIU+261127:0900+1'UNH+1+PNRGOV:13:1:IA'SRC'UNT+3+1'UNH+2+PNRGOV:13:1:IA'SRC'UNT+3+2'UNZ+2+1'"
        );
    }
}
