//! Interchange, functional group and message envelopes (UNB/UNG/UNH … UNT/UNE/UNZ) and the
//! checks of their counts and references.

use crate::finding::Record;
use std::borrow::Cow;

use crate::finding::{Finding, code};
use crate::segment::Segment;
use crate::tokenizer::{Tokens, printable, tokenize};

/// A tokenized input with its envelopes.
#[derive(Debug)]
pub struct Parsed<'a> {
    pub tokens: Tokens<'a>,
    pub interchanges: Vec<Interchange>,
    /// Findings of the tokenizer and of the envelope checks, in file order.
    pub findings: Vec<Finding>,
}

impl<'a> Parsed<'a> {
    /// The segments of a message, UNH and UNT included.
    pub fn message_segments(&self, message: &MessageEnvelope) -> impl Iterator<Item = Segment<'_>> {
        self.tokens
            .range(message.first_segment, message.end_segment)
    }

    /// The segments of a message that a reader reads: at most `MAX_MESSAGE_SEGMENTS`. A
    /// longer message gets a `message_too_long` error in `findings` and is read that far, so
    /// that what one message costs a reader stays bounded whatever it holds.
    pub fn readable_segments(
        &self,
        message: &MessageEnvelope,
        findings: &mut Vec<Finding>,
    ) -> impl Iterator<Item = Segment<'_>> + use<'_> {
        let count = message.end_segment.saturating_sub(message.first_segment);
        if count > MAX_MESSAGE_SEGMENTS {
            findings.record(
                Finding::error(
                    code::MESSAGE_TOO_LONG,
                    format!(
                        "message has {count} segments; only the first {MAX_MESSAGE_SEGMENTS} \
                         were read"
                    ),
                )
                .at(message.first_segment + MAX_MESSAGE_SEGMENTS),
            );
        }
        self.tokens
            .range(message.first_segment, message.end_segment)
            .take(MAX_MESSAGE_SEGMENTS)
    }

    /// Every message of every interchange, with the interchange it came in.
    pub fn messages(&self) -> impl Iterator<Item = (&Interchange, &MessageEnvelope)> {
        self.interchanges
            .iter()
            .flat_map(|i| i.messages.iter().map(move |m| (i, m)))
    }

    /// Findings that fall inside no message: framing, envelopes, stray text.
    pub fn findings_outside_messages(&self) -> Vec<Finding> {
        self.findings
            .iter()
            .filter(|f| {
                !self.messages().any(|(_, m)| {
                    f.segment
                        .is_some_and(|s| (m.first_segment..m.end_segment).contains(&s))
                })
            })
            .cloned()
            .collect()
    }

    /// Findings that fall inside the segments of `message`.
    pub fn findings_for(&self, message: &MessageEnvelope) -> impl Iterator<Item = &Finding> {
        let range = message.first_segment..message.end_segment;
        self.findings
            .iter()
            .filter(move |f| f.segment.is_some_and(|s| range.contains(&s)))
    }
}

/// One interchange: UNB … UNZ (or the messages found without one).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Interchange {
    /// `None` when messages arrived without UNB.
    pub header: Option<InterchangeHeader>,
    pub groups: Vec<GroupHeader>,
    pub messages: Vec<MessageEnvelope>,
    /// Segment index of UNA or UNB (or of the first UNH when there is no UNB).
    pub first_segment: usize,
    /// One past the last segment (UNZ when present).
    pub end_segment: usize,
}

/// UNB: who sent the interchange to whom, when, and under which reference.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct InterchangeHeader {
    pub syntax_identifier: String,
    pub syntax_version: Option<String>,
    pub sender: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender_qualifier: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender_routing: Option<String>,
    pub recipient: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recipient_qualifier: Option<String>,
    /// Date of preparation as sent: YYMMDD (or CCYYMMDD).
    pub date: String,
    /// Time of preparation as sent: HHMM.
    pub time: String,
    pub control_reference: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<String>,
    pub acknowledgement_requested: bool,
    pub test: bool,
    pub segment: usize,
}

/// The interchange a message came in, as far as matters to a reader of the message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InterchangeInfo {
    pub sender: String,
    pub recipient: String,
    pub control_reference: String,
    /// UNB date and time of preparation, as sent.
    pub prepared: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub application_reference: Option<String>,
    pub syntax_identifier: String,
    pub test: bool,
}

impl From<&InterchangeHeader> for InterchangeInfo {
    fn from(h: &InterchangeHeader) -> InterchangeInfo {
        InterchangeInfo {
            sender: h.sender.clone(),
            recipient: h.recipient.clone(),
            control_reference: h.control_reference.clone(),
            prepared: if h.time.is_empty() {
                h.date.clone()
            } else {
                format!("{}:{}", h.date, h.time)
            },
            application_reference: h.application_reference.clone(),
            syntax_identifier: h.syntax_identifier.clone(),
            test: h.test,
        }
    }
}

impl InterchangeHeader {
    /// UNB 0017 as a date: YYMMDD (syntax 1–3) or CCYYMMDD (syntax 4 allows both).
    pub fn prepared_date(&self) -> Option<jiff::civil::Date> {
        let reading =
            crate::date::read(&self.date, None, crate::date::Century::Nearest, None).ok()?;
        Some(reading.value.date)
    }
}

/// UNG: a functional group.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct GroupHeader {
    pub message_group: String,
    pub sender: String,
    pub recipient: String,
    pub date: String,
    pub time: String,
    pub reference: String,
    pub agency: String,
    /// Version and release, e.g. `D:05B` or `11:1`.
    pub version: String,
    pub segment: usize,
}

/// One message: UNH … UNT.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MessageEnvelope {
    pub header: MessageHeader,
    /// Index into the interchange's groups, when the message stood in one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<usize>,
    /// Segment index of UNH.
    pub first_segment: usize,
    /// One past the last segment of the message (UNT when present).
    pub end_segment: usize,
    /// True when UNT closed the message.
    pub has_trailer: bool,
}

/// UNH: message reference, type and version, and the position in a multi-part series.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize)]
pub struct MessageHeader {
    /// 0062 message reference number.
    pub reference: String,
    /// 0065 message type, e.g. `PAXLST`.
    pub message_type: String,
    /// 0052 version, e.g. `D` or `11`.
    pub version: String,
    /// 0054 release, e.g. `05B` or `1`.
    pub release: String,
    /// 0051 controlling agency, e.g. `UN` or `IA`.
    pub agency: String,
    /// 0057 association assigned code, e.g. `IATA`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub association: Option<String>,
    /// 0068 common access reference: ties the parts of a series together.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub common_access_reference: Option<String>,
    /// S010 status of the transfer, for multi-part series.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series: Option<SeriesPosition>,
}

impl MessageHeader {
    /// Version and release as one string, e.g. `D:05B` or `11:1`.
    pub fn version_release(&self) -> String {
        if self.release.is_empty() {
            self.version.clone()
        } else {
            format!("{}:{}", self.version, self.release)
        }
    }
}

/// S010: the sequence number of a part and whether it is the first or the last.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SeriesPosition {
    /// 0070 sequence of transfers, as a number when it is one.
    pub number: Option<u32>,
    /// 0073: `C` creation (first part), `F` final (last part).
    pub marker: Option<char>,
}

impl SeriesPosition {
    pub fn is_last(&self) -> bool {
        self.marker == Some('F')
    }

    pub fn is_first(&self) -> bool {
        self.marker == Some('C') || self.number == Some(1)
    }

    /// True for a message that is a whole series on its own (`01:F`, or no number).
    pub fn is_single(&self) -> bool {
        self.is_last() && self.number.is_none_or(|n| n == 1)
    }
}

/// Segments of one message a reader reads at most. The longest real messages (a PNRGOV push
/// of a full wide-body with history) have tens of thousands; a reader's typed form costs up
/// to about 2 KB per person, so this bounds one message's memory.
pub const MAX_MESSAGE_SEGMENTS: usize = 200_000;

/// Tokenizes `input` and reads its envelopes. Never fails.
pub fn parse(input: &[u8]) -> Parsed<'_> {
    let tokens = tokenize(input);
    let mut builder = Builder::default();
    for segment in tokens.segments() {
        builder.segment(&segment);
    }
    builder.finish(tokens.len());
    let mut findings = tokens.findings.clone();
    findings.record_all(builder.findings);
    check_repertoire(&tokens, &builder.interchanges, &mut findings);
    findings.sort_by_key(|f| f.segment.unwrap_or(usize::MAX));
    Parsed {
        tokens,
        interchanges: builder.interchanges,
        findings,
    }
}

fn text(segment: &Segment<'_>, element: usize, component: usize) -> String {
    segment
        .text(element, component)
        .map(Cow::into_owned)
        .unwrap_or_default()
}

fn opt(segment: &Segment<'_>, element: usize, component: usize) -> Option<String> {
    segment.text(element, component).map(Cow::into_owned)
}

#[derive(Default)]
struct Builder {
    interchanges: Vec<Interchange>,
    findings: Vec<Finding>,
    /// An interchange is open (UNB seen, UNZ not yet).
    open_interchange: bool,
    open_group: Option<usize>,
    open_message: bool,
    pending_una: Option<usize>,
}

impl Builder {
    fn current(&mut self) -> Option<&mut Interchange> {
        self.interchanges.last_mut()
    }

    fn segment(&mut self, s: &Segment<'_>) {
        let i = s.index();
        if !s.is_service() {
            // The common case, decided without touching the input.
            if self.open_message {
                self.extend_message(i);
            } else {
                self.outside_message(s);
            }
            self.extend_interchange(i);
            return;
        }
        match s.tag_bytes() {
            b"UNA" => {
                self.close_all(i);
                self.pending_una = Some(i);
            }
            b"UNB" => {
                self.close_all(i);
                let header = read_unb(s, &mut self.findings);
                self.open_interchange(i, Some(header));
            }
            b"UNG" => {
                self.close_message(i);
                self.ensure_interchange(i);
                let header = read_ung(s, &mut self.findings);
                if let Some(x) = self.current() {
                    x.groups.push(header);
                    self.open_group = Some(x.groups.len() - 1);
                }
            }
            b"UNH" => {
                self.close_message(i);
                self.ensure_interchange(i);
                let header = read_unh(s, &mut self.findings);
                let group = self.open_group;
                if let Some(x) = self.current() {
                    x.messages.push(MessageEnvelope {
                        header,
                        group,
                        first_segment: i,
                        end_segment: i + 1,
                        has_trailer: false,
                    });
                }
                self.open_message = true;
            }
            b"UNT" => self.read_unt(s),
            b"UNE" => self.read_une(s),
            b"UNZ" => self.read_unz(s),
            _ if self.open_message => self.extend_message(i),
            _ => self.outside_message(s),
        }
        self.extend_interchange(i);
    }

    fn outside_message(&mut self, s: &Segment<'_>) {
        self.findings.record(
            Finding::error(
                code::SEGMENT_OUTSIDE_MESSAGE,
                format!(
                    "segment {} stands outside any message and was kept unread",
                    printable(s.tag().get(..3).unwrap_or("?"))
                ),
            )
            .at(s.index()),
        );
    }

    fn extend_interchange(&mut self, i: usize) {
        if self.open_interchange
            && let Some(x) = self.interchanges.last_mut()
        {
            x.end_segment = i + 1;
        }
    }

    fn extend_message(&mut self, i: usize) {
        if let Some(m) = self.current().and_then(|x| x.messages.last_mut()) {
            m.end_segment = i + 1;
        }
    }

    fn open_interchange(&mut self, i: usize, header: Option<InterchangeHeader>) {
        let first = self.pending_una.take().unwrap_or(i);
        self.interchanges.push(Interchange {
            header,
            groups: Vec::new(),
            messages: Vec::new(),
            first_segment: first,
            end_segment: i + 1,
        });
        self.open_interchange = true;
        self.open_group = None;
    }

    fn ensure_interchange(&mut self, i: usize) {
        if !self.open_interchange {
            self.findings.record(
                Finding::warning(
                    code::MISSING_INTERCHANGE_HEADER,
                    "message without an interchange header (UNB)",
                )
                .at(i),
            );
            self.open_interchange(i, None);
        }
    }

    fn close_message(&mut self, i: usize) {
        if self.open_message {
            self.open_message = false;
            self.findings.record(
                Finding::error(
                    code::MISSING_MESSAGE_TRAILER,
                    "message ended without its trailer (UNT)",
                )
                .at(i.saturating_sub(1)),
            );
        }
    }

    fn close_all(&mut self, i: usize) {
        self.close_message(i);
        if self.open_group.take().is_some() {
            self.findings.record(
                Finding::warning(
                    code::MISSING_GROUP_TRAILER,
                    "functional group ended without its trailer (UNE)",
                )
                .at(i.saturating_sub(1)),
            );
        }
        if self.open_interchange {
            self.open_interchange = false;
            let has_header = self.current().is_some_and(|x| x.header.is_some());
            if has_header {
                self.findings.record(
                    Finding::error(
                        code::MISSING_INTERCHANGE_TRAILER,
                        "interchange ended without its trailer (UNZ)",
                    )
                    .at(i.saturating_sub(1)),
                );
            }
        }
    }

    fn read_unt(&mut self, s: &Segment<'_>) {
        let i = s.index();
        if !self.open_message {
            self.findings.record(
                Finding::error(
                    code::MISSING_MESSAGE_HEADER,
                    "message trailer (UNT) without a message header (UNH)",
                )
                .at(i),
            );
            return;
        }
        self.open_message = false;
        let Some(m) = self.current().and_then(|x| x.messages.last_mut()) else {
            return;
        };
        m.end_segment = i + 1;
        m.has_trailer = true;
        let actual = i + 1 - m.first_segment;
        let reference = m.header.reference.clone();
        let declared = s.text(1, 0);
        check_count(
            &mut self.findings,
            declared.as_deref(),
            actual,
            i,
            code::SEGMENT_COUNT_MISMATCH,
            "UNT",
            "segments",
        );
        check_reference(
            &mut self.findings,
            s.text(2, 0).as_deref(),
            &reference,
            i,
            "UNT",
            "UNH",
        );
    }

    fn read_une(&mut self, s: &Segment<'_>) {
        let i = s.index();
        self.close_message(i);
        let Some(group) = self.open_group.take() else {
            self.findings.record(
                Finding::info(
                    code::MISSING_ENVELOPE_ELEMENT,
                    "group trailer (UNE) without a group header (UNG)",
                )
                .at(i),
            );
            return;
        };
        let Some(x) = self.interchanges.last() else {
            return;
        };
        let actual = x.messages.iter().filter(|m| m.group == Some(group)).count();
        let reference = x
            .groups
            .get(group)
            .map(|g| g.reference.clone())
            .unwrap_or_default();
        check_count(
            &mut self.findings,
            s.text(1, 0).as_deref(),
            actual,
            i,
            code::MESSAGE_COUNT_MISMATCH,
            "UNE",
            "messages",
        );
        check_reference(
            &mut self.findings,
            s.text(2, 0).as_deref(),
            &reference,
            i,
            "UNE",
            "UNG",
        );
    }

    fn read_unz(&mut self, s: &Segment<'_>) {
        let i = s.index();
        self.close_message(i);
        if self.open_group.take().is_some() {
            self.findings.record(
                Finding::warning(
                    code::MISSING_GROUP_TRAILER,
                    "functional group ended without its trailer (UNE)",
                )
                .at(i),
            );
        }
        if !self.open_interchange {
            self.findings.record(
                Finding::error(
                    code::MISSING_INTERCHANGE_HEADER,
                    "interchange trailer (UNZ) without an interchange header (UNB)",
                )
                .at(i),
            );
            return;
        }
        self.open_interchange = false;
        let Some(x) = self.interchanges.last_mut() else {
            return;
        };
        x.end_segment = i + 1;
        // UNZ counts groups when the interchange has them, messages otherwise.
        let actual = if x.groups.is_empty() {
            x.messages.len()
        } else {
            x.groups.len()
        };
        let reference = x
            .header
            .as_ref()
            .map(|h| h.control_reference.clone())
            .unwrap_or_default();
        let has_header = x.header.is_some();
        check_count(
            &mut self.findings,
            s.text(1, 0).as_deref(),
            actual,
            i,
            code::MESSAGE_COUNT_MISMATCH,
            "UNZ",
            "messages or groups",
        );
        if has_header {
            check_reference(
                &mut self.findings,
                s.text(2, 0).as_deref(),
                &reference,
                i,
                "UNZ",
                "UNB",
            );
        }
    }

    fn finish(&mut self, len: usize) {
        self.close_all(len);
        if self.interchanges.iter().all(|x| x.messages.is_empty()) {
            self.findings.record(Finding::error(
                code::NO_MESSAGE,
                "no message (UNH) was found in the input",
            ));
        }
    }
}

fn check_count(
    findings: &mut Vec<Finding>,
    declared: Option<&str>,
    actual: usize,
    at: usize,
    mismatch: &'static str,
    tag: &str,
    what: &str,
) {
    match declared.map(|d| d.trim().parse::<usize>()) {
        Some(Ok(n)) if n == actual => {}
        Some(Ok(n)) => findings.record(
            Finding::warning(
                mismatch,
                format!("{tag} declares {n} {what} but {actual} were found"),
            )
            .at(at)
            .element(1),
        ),
        Some(Err(_)) => findings.record(
            Finding::warning(
                code::BAD_COUNT_VALUE,
                format!("{tag} count is not a number"),
            )
            .at(at)
            .element(1),
        ),
        None => findings.record(
            Finding::warning(
                code::MISSING_ENVELOPE_ELEMENT,
                format!("{tag} has no count"),
            )
            .at(at)
            .element(1),
        ),
    }
}

fn check_reference(
    findings: &mut Vec<Finding>,
    declared: Option<&str>,
    expected: &str,
    at: usize,
    tag: &str,
    header: &str,
) {
    if declared != Some(expected) {
        findings.record(
            Finding::warning(
                code::REFERENCE_MISMATCH,
                format!("{tag} reference differs from the {header} reference"),
            )
            .at(at)
            .element(2),
        );
    }
}

fn read_unb(s: &Segment<'_>, findings: &mut Vec<Finding>) -> InterchangeHeader {
    let header = InterchangeHeader {
        syntax_identifier: text(s, 1, 0),
        syntax_version: opt(s, 1, 1),
        sender: text(s, 2, 0),
        sender_qualifier: opt(s, 2, 1),
        sender_routing: opt(s, 2, 2),
        recipient: text(s, 3, 0),
        recipient_qualifier: opt(s, 3, 1),
        date: text(s, 4, 0),
        time: text(s, 4, 1),
        control_reference: text(s, 5, 0),
        application_reference: opt(s, 7, 0),
        priority: opt(s, 8, 0),
        acknowledgement_requested: s.text(9, 0).as_deref() == Some("1"),
        test: s.text(11, 0).as_deref() == Some("1"),
        segment: s.index(),
    };
    for (value, element, name) in [
        (&header.sender, 2, "sender"),
        (&header.recipient, 3, "recipient"),
        (&header.date, 4, "date of preparation"),
        (&header.control_reference, 5, "control reference"),
    ] {
        if value.is_empty() {
            findings.record(
                Finding::error(code::MISSING_ENVELOPE_ELEMENT, format!("UNB has no {name}"))
                    .at(s.index())
                    .element(element),
            );
        }
    }
    if header.test {
        findings.record(
            Finding::info(
                code::TEST_INDICATOR,
                "interchange is marked as a test (UNB 0035 = 1)",
            )
            .at(s.index())
            .element(11),
        );
    }
    header
}

fn read_ung(s: &Segment<'_>, findings: &mut Vec<Finding>) -> GroupHeader {
    let version = match (s.text(7, 0), s.text(7, 1)) {
        (Some(v), Some(r)) => format!("{v}:{r}"),
        (Some(v), None) => v.into_owned(),
        _ => String::new(),
    };
    let header = GroupHeader {
        message_group: text(s, 1, 0),
        sender: text(s, 2, 0),
        recipient: text(s, 3, 0),
        date: text(s, 4, 0),
        time: text(s, 4, 1),
        reference: text(s, 5, 0),
        agency: text(s, 6, 0),
        version,
        segment: s.index(),
    };
    if header.reference.is_empty() {
        findings.record(
            Finding::warning(code::MISSING_ENVELOPE_ELEMENT, "UNG has no group reference")
                .at(s.index())
                .element(5),
        );
    }
    header
}

fn read_unh(s: &Segment<'_>, findings: &mut Vec<Finding>) -> MessageHeader {
    let series = s.element(4).and_then(|e| {
        let number = e.text(0);
        let marker = e.text(1);
        if number.is_none() && marker.is_none() {
            return None;
        }
        Some(SeriesPosition {
            number: number.and_then(|n| n.trim().parse().ok()),
            marker: marker.and_then(|m| m.trim().chars().next()),
        })
    });
    let header = MessageHeader {
        reference: text(s, 1, 0),
        message_type: text(s, 2, 0),
        version: text(s, 2, 1),
        release: text(s, 2, 2),
        agency: text(s, 2, 3),
        association: opt(s, 2, 4),
        common_access_reference: opt(s, 3, 0),
        series,
    };
    if header.reference.is_empty() {
        findings.record(
            Finding::error(
                code::MISSING_ENVELOPE_ELEMENT,
                "UNH has no message reference",
            )
            .at(s.index())
            .element(1),
        );
    }
    if header.message_type.is_empty() {
        findings.record(
            Finding::error(code::MISSING_ENVELOPE_ELEMENT, "UNH has no message type")
                .at(s.index())
                .element(2),
        );
    }
    header
}

/// Reports, once per interchange, data outside the declared character repertoire. The check
/// runs over the interchange's bytes at once; only when it fails are segments looked at.
fn check_repertoire(
    tokens: &Tokens<'_>,
    interchanges: &[Interchange],
    findings: &mut Vec<Finding>,
) {
    for x in interchanges {
        let first = tokens.segment(x.first_segment);
        let last = tokens.segment(x.end_segment.saturating_sub(1));
        let (Some(first), Some(last)) = (first, last) else {
            continue;
        };
        // A UNA first has no charset yet; the UNB that follows names it.
        let charset = tokens
            .segment(x.first_segment + 1)
            .filter(|_| first.tag() == "UNA")
            .unwrap_or(first)
            .syntax()
            .charset;
        let bytes = tokens
            .input()
            .get(first.offset()..last.offset() + last.raw().len())
            .unwrap_or_default();
        if !charset.rejects(bytes) {
            continue;
        }
        let offending = tokens
            .range(x.first_segment, x.end_segment)
            .find(|s| s.syntax().charset.rejects(s.raw()));
        if let Some(s) = offending {
            findings.record(
                Finding::warning(
                    code::CHARACTER_OUTSIDE_REPERTOIRE,
                    format!(
                        "characters outside the {:?} repertoire were read as they came",
                        s.syntax().charset
                    ),
                )
                .at(s.index()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes<'p>(p: &'p Parsed<'_>) -> Vec<&'p str> {
        p.findings.iter().map(|f| f.code.as_ref()).collect()
    }

    const TWO_MESSAGES: &[u8] = b"UNA:+.? 'UNB+UNOA:4+ZZAIRLINE+CUSTOMS+130620:0900+000000001++APIS++1'UNG+PAXLST+ZZAIRLINE+CUSTOMS+130620:0900+77+UN+D:05B'UNH+M1+PAXLST:D:05B:UN:IATA+OK688/071008/1310+01:C'BGM+745'UNT+3+M1'UNH+M2+PAXLST:D:05B:UN:IATA+OK688/071008/1310+02:F'BGM+745'UNT+3+M2'UNE+2+77'UNZ+1+000000001'";

    #[test]
    fn envelopes_are_read() {
        let p = parse(TWO_MESSAGES);
        assert!(p.findings.is_empty(), "{:?}", p.findings);
        let x = &p.interchanges[0];
        let h = x.header.as_ref().unwrap();
        assert_eq!(h.syntax_identifier, "UNOA");
        assert_eq!(h.syntax_version.as_deref(), Some("4"));
        assert_eq!(h.sender, "ZZAIRLINE");
        assert_eq!(h.date, "130620");
        assert_eq!(h.control_reference, "000000001");
        assert_eq!(h.application_reference.as_deref(), Some("APIS"));
        assert!(h.acknowledgement_requested);
        assert_eq!(x.groups[0].version, "D:05B");
        assert_eq!(x.messages.len(), 2);
        let m = &x.messages[1].header;
        assert_eq!(m.reference, "M2");
        assert_eq!(m.message_type, "PAXLST");
        assert_eq!((m.version.as_str(), m.release.as_str()), ("D", "05B"));
        assert_eq!(m.association.as_deref(), Some("IATA"));
        assert_eq!(
            m.common_access_reference.as_deref(),
            Some("OK688/071008/1310")
        );
        let s = m.series.as_ref().unwrap();
        assert_eq!(
            (s.number, s.marker, s.is_last()),
            (Some(2), Some('F'), true)
        );
        let segs: Vec<_> = p
            .message_segments(&x.messages[0])
            .map(|s| s.tag().to_string())
            .collect();
        assert_eq!(segs, ["UNH", "BGM", "UNT"]);
        assert_eq!(x.first_segment, 0);
        assert_eq!(x.end_segment, p.tokens.len());
    }

    #[test]
    fn count_and_reference_mismatches_are_findings() {
        let p = parse(b"UNB+UNOA:4+A+B+130620:0900+R1'UNH+M1+PAXLST:D:15B:UN:IATA'BGM+250'UNT+20+M9'UNZ+2+R2'");
        assert_eq!(
            codes(&p),
            [
                code::SEGMENT_COUNT_MISMATCH,
                code::REFERENCE_MISMATCH,
                code::MESSAGE_COUNT_MISMATCH,
                code::REFERENCE_MISMATCH
            ]
        );
        assert_eq!(
            p.findings[0].text,
            "UNT declares 20 segments but 3 were found"
        );
        assert_eq!(p.findings[0].segment, Some(3));
        assert_eq!(p.interchanges[0].messages.len(), 1);
    }

    #[test]
    fn bare_messages_and_missing_trailers() {
        let p = parse(b"UNH+1+PAXLST:D:02B:UN:IATA'BGM+745'UNH+2+PAXLST:D:02B:UN:IATA'BGM+745'UNT+3+2'UNE+2+1'");
        assert_eq!(
            codes(&p),
            [
                code::MISSING_INTERCHANGE_HEADER,
                code::MISSING_MESSAGE_TRAILER,
                code::MISSING_ENVELOPE_ELEMENT
            ]
        );
        let x = &p.interchanges[0];
        assert!(x.header.is_none());
        assert_eq!(x.messages.len(), 2);
        assert!(!x.messages[0].has_trailer);
        assert_eq!(x.messages[0].end_segment, 2);
        assert!(x.messages[1].has_trailer);
    }

    #[test]
    fn several_interchanges_in_one_file() {
        let one = b"UNB+UNOA:4+A+B+1:1+1'UNH+1+X:D:05B:UN'UNT+2+1'UNZ+1+1'\r\n";
        let mut input = one.to_vec();
        input.extend_from_slice(one);
        let p = parse(&input);
        assert_eq!(p.interchanges.len(), 2);
        assert_eq!(p.messages().count(), 2);
        assert!(p.findings.is_empty(), "{:?}", p.findings);
    }

    #[test]
    fn nothing_readable() {
        let p = parse(b"hello world");
        assert!(codes(&p).contains(&code::NO_MESSAGE));
        assert!(codes(&p).contains(&code::INVALID_SEGMENT_TAG));
    }

    #[test]
    fn unoa_lower_case_is_tolerated_and_reported() {
        let p = parse(b"UNB+UNOA:4+A+B+1:1+1'UNH+1+X:D:05B:UN'NAD+FL+++Smith'UNT+3+1'UNZ+1+1'");
        assert_eq!(codes(&p), [code::CHARACTER_OUTSIDE_REPERTOIRE]);
        assert_eq!(p.findings[0].segment, Some(2));
    }
}
