//! PAXLST (Advance Passenger Information lists, D02B to D15B and later) and CUSRES
//! (interactive API answers) as typed data.
//!
//! Reading never fails: [`read`] returns every message it found, typed when it is a PAXLST or a
//! CUSRES, with the findings of the syntax and of the message rules, placed by segment.
//!
//! ```
//! let input = b"UNB+UNOA:4+ZZ+PIU+130620:0900+1'UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'\
//! TDT+20+ZZ123+++ZZ'LOC+125+SYD'DTM+189:1306210900:201'LOC+87+HNL'DTM+232:1306212200:201'\
//! NAD+FL+++WILLIAMS:JOHN'ATT+2++M'DTM+329:720907'NAT+2+GBR'DOC+P+MB140241'DTM+36:151231'\
//! LOC+91+GBR'CNT+42:1'UNT+16+1'UNZ+1+1'";
//! let reading = paxlst::read(input);
//! let list = reading.messages[0].passenger_list().unwrap();
//! let person = &list.persons[0];
//! assert_eq!(person.surname.as_deref(), Some("WILLIAMS"));
//! assert_eq!(person.date_of_birth.unwrap().to_string(), "1972-09-07");
//! assert_eq!(list.legs[0].origin().unwrap().airport, "SYD");
//! assert!(reading.messages[0].findings.is_empty());
//! ```
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub mod code;
pub mod cusres;
pub use edifact::date;
pub mod model;
mod read_list;
pub mod series;
pub mod write;

pub use edifact::InterchangeInfo;
use edifact::Record;
use edifact::{Finding, Interchange, InterchangeHeader, MessageEnvelope, Parsed, SeriesPosition};
use serde::Serialize;

pub use cusres::{Decision, DecisionCode, DecisionLevel, Response, ResponseKind};
pub use date::LocalDateTime;
pub use model::*;

/// What a message turned out to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Body {
    PassengerList(PassengerList),
    Response(Response),
    /// A message type this crate does not read (its segments stay in the input).
    Unsupported,
}

/// One message, read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interchange: Option<InterchangeInfo>,
    /// UNH 0062.
    pub reference: String,
    /// UNH 0065, e.g. `PAXLST`.
    pub message_type: String,
    /// Directory version and release, e.g. `D:05B`.
    pub version: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub common_access_reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series: Option<SeriesPosition>,
    pub body: Body,
    /// Findings inside the message: syntax and message rules, in segment order.
    pub findings: Vec<Finding>,
    /// Segment indexes of UNH and one past the message's last segment, in the input.
    pub first_segment: usize,
    pub end_segment: usize,
}

impl Message {
    pub fn passenger_list(&self) -> Option<&PassengerList> {
        match &self.body {
            Body::PassengerList(l) => Some(l),
            _ => None,
        }
    }

    pub fn response(&self) -> Option<&Response> {
        match &self.body {
            Body::Response(r) => Some(r),
            _ => None,
        }
    }

    /// True when the message is one part of a multi-part series (not `01:F` alone).
    pub fn is_series_part(&self) -> bool {
        self.series.as_ref().is_some_and(|s| !s.is_single())
    }

    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(Finding::is_error)
    }
}

/// Everything read from one input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reading {
    pub messages: Vec<Message>,
    /// Findings outside any message (framing, envelopes, stray text).
    pub findings: Vec<Finding>,
}

/// Reads every message of `input`.
pub fn read(input: &[u8]) -> Reading {
    read_parsed(&edifact::parse(input))
}

/// Reads every message of an input already parsed by [`edifact::parse`].
pub fn read_parsed(parsed: &Parsed<'_>) -> Reading {
    let messages: Vec<Message> = parsed
        .messages()
        .map(|(x, m)| read_message(parsed, x, m))
        .collect();
    let findings = parsed.findings_outside_messages();
    Reading { messages, findings }
}

/// Reads one message in its interchange.
pub fn read_message(parsed: &Parsed<'_>, x: &Interchange, m: &MessageEnvelope) -> Message {
    let mut findings: Vec<Finding> = parsed.findings_for(m).cloned().collect();
    let prepared = x.header.as_ref().and_then(InterchangeHeader::prepared_date);
    let h = &m.header;
    let body = match h.message_type.as_str() {
        "PAXLST" => {
            let segments = m.end_segment - m.first_segment;
            let readable = parsed.readable_segments(m, &mut findings);
            let mut reader =
                read_list::ListReader::new(prepared, &h.release, segments, &mut findings);
            for s in readable {
                reader.segment(&s);
            }
            let single = h.series.as_ref().is_none_or(SeriesPosition::is_single);
            Body::PassengerList(reader.finish(m.first_segment, single))
        }
        "CUSRES" => {
            let readable = parsed.readable_segments(m, &mut findings);
            let mut reader = cusres::ResponseReader::new(prepared, &mut findings);
            for s in readable {
                reader.segment(&s);
            }
            Body::Response(reader.finish(m.first_segment))
        }
        _ => {
            findings.record(
                Finding::info(
                    code::UNSUPPORTED_MESSAGE,
                    "message type is not PAXLST or CUSRES; left unread by this reader",
                )
                .at(m.first_segment),
            );
            Body::Unsupported
        }
    };
    findings.sort_by_key(|f| f.segment.unwrap_or(usize::MAX));
    Message {
        interchange: x.header.as_ref().map(InterchangeInfo::from),
        reference: h.reference.clone(),
        message_type: h.message_type.clone(),
        version: h.version_release(),
        common_access_reference: h.common_access_reference.clone(),
        series: h.series.clone(),
        body,
        findings,
        first_segment: m.first_segment,
        end_segment: m.end_segment,
    }
}
