//! Writing EDIFACT: escaping, trailing-empty trimming and envelope counts done for the caller.

use crate::charset::Charset;
use crate::envelope::{GroupHeader, InterchangeHeader, SeriesPosition};
use crate::separators::Separators;

/// Writes one interchange segment by segment and keeps the counts UNT, UNE and UNZ declare.
#[derive(Debug)]
pub struct Writer {
    separators: Separators,
    charset: Charset,
    out: Vec<u8>,
    line_breaks: bool,
    segments_in_message: usize,
    message_reference: String,
    messages_in_group: usize,
    group_reference: Option<String>,
    messages_in_interchange: usize,
    groups_in_interchange: usize,
    interchange_reference: String,
}

impl Writer {
    /// A writer with the given separators; text is written as UTF-8 unless
    /// [`Writer::charset`] says otherwise.
    pub fn new(separators: Separators) -> Writer {
        Writer {
            separators,
            charset: Charset::Unow,
            out: Vec::with_capacity(4096),
            line_breaks: false,
            segments_in_message: 0,
            message_reference: String::new(),
            messages_in_group: 0,
            group_reference: None,
            messages_in_interchange: 0,
            groups_in_interchange: 0,
            interchange_reference: String::new(),
        }
    }

    /// Encodes text for `charset`: ISO 8859-1 for UNOC, ASCII for UNOA/UNOB/IATA (other
    /// characters become `?`... never a separator), UTF-8 otherwise.
    pub fn charset(mut self, charset: Charset) -> Writer {
        self.charset = charset;
        self
    }

    /// Ends every segment with a line break, as most carriers do.
    pub fn line_breaks(mut self, on: bool) -> Writer {
        self.line_breaks = on;
        self
    }

    pub fn separators(&self) -> Separators {
        self.separators
    }

    /// Writes the UNA service string advice.
    pub fn una(&mut self) {
        self.out.extend_from_slice(b"UNA");
        self.out.extend_from_slice(&self.separators.una_chars());
        if self.line_breaks {
            self.out.push(b'\n');
        }
    }

    /// Starts a segment; it is terminated when the returned writer is dropped.
    pub fn segment(&mut self, tag: &str) -> SegmentWriter<'_> {
        // Escaped like a value: a tag kept from a foreign input may hold our separators.
        self.push_value(tag);
        if self.segments_in_message > 0 {
            self.segments_in_message += 1;
        }
        SegmentWriter {
            writer: self,
            pending_elements: 0,
        }
    }

    /// UNB from a header; the control reference is remembered for UNZ.
    pub fn interchange(&mut self, h: &InterchangeHeader) {
        self.interchange_reference = h.control_reference.clone();
        if let Some(charset) = Charset::from_identifier(&h.syntax_identifier) {
            self.charset = charset;
        }
        self.messages_in_interchange = 0;
        self.groups_in_interchange = 0;
        let version = h.syntax_version.as_deref().unwrap_or("");
        let mut s = self.segment("UNB");
        s.composite(&[&h.syntax_identifier, version]);
        s.composite(&[
            &h.sender,
            h.sender_qualifier.as_deref().unwrap_or(""),
            h.sender_routing.as_deref().unwrap_or(""),
        ]);
        s.composite(&[&h.recipient, h.recipient_qualifier.as_deref().unwrap_or("")]);
        s.composite(&[&h.date, &h.time]);
        s.element(&h.control_reference);
        s.empty();
        s.element(h.application_reference.as_deref().unwrap_or(""));
        s.element(h.priority.as_deref().unwrap_or(""));
        s.element(if h.acknowledgement_requested { "1" } else { "" });
        s.empty();
        s.element(if h.test { "1" } else { "" });
    }

    /// UNG; its reference is remembered for UNE.
    pub fn group(&mut self, g: &GroupHeader) {
        self.group_reference = Some(g.reference.clone());
        self.messages_in_group = 0;
        self.groups_in_interchange += 1;
        let (version, release) = g.version.split_once(':').unwrap_or((&g.version, ""));
        let mut s = self.segment("UNG");
        s.element(&g.message_group);
        s.element(&g.sender);
        s.element(&g.recipient);
        s.composite(&[&g.date, &g.time]);
        s.element(&g.reference);
        s.element(&g.agency);
        s.composite(&[version, release]);
    }

    /// UNH: `identifier` is type, version, release, agency and association code.
    pub fn message(
        &mut self,
        reference: &str,
        identifier: &[&str],
        common_access_reference: Option<&str>,
        series: Option<&SeriesPosition>,
    ) {
        self.message_reference = reference.to_string();
        let number = series.and_then(|p| p.number).map(|n| format!("{n:02}"));
        let marker = series.and_then(|p| p.marker).map(String::from);
        {
            let mut s = self.segment("UNH");
            s.element(reference);
            s.composite(identifier);
            s.element(common_access_reference.unwrap_or(""));
            s.composite(&[
                number.as_deref().unwrap_or(""),
                marker.as_deref().unwrap_or(""),
            ]);
        }
        self.segments_in_message = 1;
        self.messages_in_group += 1;
        self.messages_in_interchange += 1;
    }

    /// UNT with the number of segments written since UNH.
    pub fn end_message(&mut self) {
        let count = (self.segments_in_message + 1).to_string();
        let reference = std::mem::take(&mut self.message_reference);
        self.segments_in_message = 0;
        let mut s = self.segment("UNT");
        s.element(&count);
        s.element(&reference);
    }

    /// UNE with the number of messages of the group.
    pub fn end_group(&mut self) {
        let count = self.messages_in_group.to_string();
        let reference = self.group_reference.take().unwrap_or_default();
        let mut s = self.segment("UNE");
        s.element(&count);
        s.element(&reference);
    }

    /// UNZ with the number of groups (or messages when there were no groups).
    pub fn end_interchange(&mut self) {
        let count = if self.groups_in_interchange > 0 {
            self.groups_in_interchange
        } else {
            self.messages_in_interchange
        }
        .to_string();
        let reference = std::mem::take(&mut self.interchange_reference);
        let mut s = self.segment("UNZ");
        s.element(&count);
        s.element(&reference);
    }

    pub fn finish(self) -> Vec<u8> {
        self.out
    }

    fn push_value(&mut self, value: &str) {
        let seps = self.separators;
        let put = |out: &mut Vec<u8>, b: u8| {
            // Control characters cannot be sent as data: readers take them for layout.
            if b < b' ' {
                return;
            }
            if seps.is_special(b) {
                match seps.release {
                    Some(r) => {
                        out.push(r);
                        out.push(b);
                    }
                    // Without a release character a separator cannot be sent as data.
                    None => out.push(b' '),
                }
            } else {
                out.push(b);
            }
        };
        match self.charset {
            Charset::Unow | Charset::Unoy | Charset::Unknown | Charset::Unox => {
                for &b in value.as_bytes() {
                    put(&mut self.out, b);
                }
            }
            Charset::Unoc => {
                for c in value.chars() {
                    let b = u8::try_from(u32::from(c)).unwrap_or(b'?');
                    put(&mut self.out, b);
                }
            }
            _ => {
                for c in value.chars() {
                    let b = if c.is_ascii() { c as u8 } else { b'?' };
                    put(&mut self.out, b);
                }
            }
        }
    }
}

/// Writes the elements of one segment; terminates it when dropped.
#[derive(Debug)]
pub struct SegmentWriter<'w> {
    writer: &'w mut Writer,
    /// Element separators owed before the next non-empty element: trailing empties vanish.
    pending_elements: usize,
}

impl SegmentWriter<'_> {
    /// A simple element (one component).
    pub fn element(&mut self, value: &str) -> &mut Self {
        self.composite(&[value])
    }

    /// An empty element.
    pub fn empty(&mut self) -> &mut Self {
        self.pending_elements += 1;
        self
    }

    /// A composite element; trailing empty components are left out.
    pub fn composite(&mut self, components: &[&str]) -> &mut Self {
        self.pending_elements += 1;
        let used = components
            .iter()
            .rposition(|c| !c.is_empty())
            .map_or(0, |i| i + 1);
        if used == 0 {
            return self;
        }
        let element_sep = self.writer.separators.element;
        for _ in 0..self.pending_elements {
            self.writer.out.push(element_sep);
        }
        self.pending_elements = 0;
        let component_sep = self.writer.separators.component;
        for (i, c) in components.iter().take(used).enumerate() {
            if i > 0 {
                self.writer.out.push(component_sep);
            }
            self.writer.push_value(c);
        }
        self
    }

    /// An element with several repetitions (syntax 4); falls back to the first repetition
    /// when no repetition separator is set.
    pub fn repeated(&mut self, repetitions: &[&[&str]]) -> &mut Self {
        let Some(rep) = self.writer.separators.repetition else {
            return self.composite(repetitions.first().copied().unwrap_or_default());
        };
        self.pending_elements += 1;
        let element_sep = self.writer.separators.element;
        for _ in 0..self.pending_elements {
            self.writer.out.push(element_sep);
        }
        self.pending_elements = 0;
        let component_sep = self.writer.separators.component;
        for (r, components) in repetitions.iter().enumerate() {
            if r > 0 {
                self.writer.out.push(rep);
            }
            for (i, c) in components.iter().enumerate() {
                if i > 0 {
                    self.writer.out.push(component_sep);
                }
                self.writer.push_value(c);
            }
        }
        self
    }
}

impl Drop for SegmentWriter<'_> {
    fn drop(&mut self) {
        self.writer.out.push(self.writer.separators.terminator);
        if self.writer.line_breaks {
            self.writer.out.push(b'\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::parse;

    #[test]
    fn escapes_and_trims() {
        let mut w = Writer::new(Separators::default());
        w.segment("NAD")
            .element("FL")
            .empty()
            .empty()
            .composite(&["O'NEIL+SON", "A:B?C", "", ""])
            .empty()
            .element("");
        assert_eq!(w.finish(), b"NAD+FL+++O?'NEIL?+SON:A?:B??C'");
    }

    #[test]
    fn envelope_counts_round_trip() {
        let mut w = Writer::new(Separators::default()).line_breaks(true);
        w.una();
        w.interchange(&InterchangeHeader {
            syntax_identifier: "UNOC".into(),
            syntax_version: Some("4".into()),
            sender: "PIU".into(),
            recipient: "ZZ".into(),
            date: "261127".into(),
            time: "0930".into(),
            control_reference: "42".into(),
            ..Default::default()
        });
        w.message("1", &["CUSRES", "D", "05B", "UN", "IATA"], None, None);
        w.segment("BGM").element("962");
        w.segment("FTX")
            .element("AAP")
            .empty()
            .empty()
            .element("MÜLLER");
        w.end_message();
        w.end_interchange();
        let bytes = w.finish();
        let p = parse(&bytes);
        assert!(p.findings.is_empty(), "{:?}", p.findings);
        let m = &p.interchanges[0].messages[0];
        let ftx = p.message_segments(m).nth(2).unwrap();
        assert_eq!(ftx.text(4, 0).as_deref(), Some("MÜLLER"));
        assert!(
            bytes.windows(6).any(|w| w == b"M\xdcLLER"),
            "written as ISO 8859-1"
        );
    }

    #[test]
    fn repetitions_need_a_declared_separator() {
        let mut w = Writer::new(Separators::from_una(*b":+.?*'"));
        w.segment("SSR").repeated(&[&["DOCS", "HK"], &["A*B"]]);
        assert_eq!(w.finish(), b"SSR+DOCS:HK*A?*B'");
    }
}
