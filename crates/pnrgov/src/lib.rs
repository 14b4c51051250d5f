//! PNRGOV (IATA PADIS EDIFACT PNR push, versions 10.1, 11.1, 13.1 and later) as typed bookings.
//!
//! Reading never fails: [`read`] returns every message it found — the flight pushed for, every
//! booking with its travellers, documents (SSR DOCS/DOCO/DOCA), contacts, tickets, payments,
//! itinerary, seats, bags and history — and findings placed by segment. A traveller without
//! documents is still a traveller; a segment standing where none is expected is kept as sent.
//! SSR codes and remarks that can reveal a special category of personal data are marked (see
//! [`sensitive`]), so that the intake can delete them on receipt.
//!
//! ```
//! let input = b"UNB+IATA:1+1A+PIU+130527:0649+1'UNH+1+PNRGOV:11:1:IA'MSG+:22'\
//! TVL+270513:1430:270513:2205+SIN+ICN+SQ+602'EQN+1'SRC'RCI+1A:ABC123::190313:1354'\
//! TIF+SYNTH+ANNA MRS:A:1'SSR+DOCS:HK:1:SQ:::::/P/XXA/X123/XXA/01JAN80/F/01JAN30/SYNTH/ANNA'\
//! UNT+9+1'UNZ+1+1'";
//! let reading = pnrgov::read(input);
//! let push = reading.messages[0].push().unwrap();
//! let booking = &push.bookings[0];
//! assert_eq!(booking.locator(), Some("ABC123"));
//! assert_eq!(booking.travellers[0].title.as_deref(), Some("MRS"));
//! assert_eq!(booking.travellers[0].documents[0].number.as_deref(), Some("X123"));
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

pub mod airimp;
pub mod code;
pub mod depersonalise;
pub mod model;
mod read;
pub mod sensitive;
pub mod stored;
pub mod write;

use edifact::Record;
use edifact::{
    Finding, Interchange, InterchangeHeader, InterchangeInfo, MessageEnvelope, Parsed,
    SeriesPosition,
};
use serde::Serialize;

pub use model::*;

/// What a message turned out to be.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Body {
    /// Boxed: a push is large and an unsupported body is empty.
    Push(Box<Push>),
    /// A message type this crate does not read.
    Unsupported,
}

/// One message, read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Message {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interchange: Option<InterchangeInfo>,
    pub reference: String,
    pub message_type: String,
    /// Version and release, e.g. `11:1`.
    pub version: String,
    /// UNH 0068: for PNRGOV, `DDMMYY/HHMM/carrier/flight` of the flight pushed for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub common_access_reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub series: Option<SeriesPosition>,
    pub body: Body,
    pub findings: Vec<Finding>,
    pub first_segment: usize,
    pub end_segment: usize,
}

impl Message {
    pub fn push(&self) -> Option<&Push> {
        match &self.body {
            Body::Push(p) => Some(p),
            Body::Unsupported => None,
        }
    }

    pub fn has_errors(&self) -> bool {
        self.findings.iter().any(Finding::is_error)
    }
}

/// Everything read from one input.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reading {
    pub messages: Vec<Message>,
    /// Findings outside any message.
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
    let body = if h.message_type == "PNRGOV" {
        let readable = parsed.readable_segments(m, &mut findings);
        let mut reader = read::PushReader::new(prepared, &mut findings);
        for s in readable {
            reader.segment(&s);
        }
        Body::Push(Box::new(reader.finish(m.first_segment)))
    } else {
        findings.record(
            Finding::info(
                code::UNSUPPORTED_MESSAGE,
                "message type is not PNRGOV; left unread by this reader",
            )
            .at(m.first_segment),
        );
        Body::Unsupported
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
