//! ISO 9735 (UN/EDIFACT) syntax, with no knowledge of any message type.
//!
//! Reading never fails: [`parse`] returns the interchanges it found and a list of
//! [`Finding`]s, one for every deviation it tolerated or could not repair. The tokenizer
//! borrows from the input: segments, elements and components are slices of it, and text is
//! only copied when a release character, a wrapped line or a non-UTF-8 character set forces it.
//!
//! ```
//! let parsed = edifact::parse(b"UNA:+.? 'UNB+UNOA:4+ME+YOU+240101:1200+1'UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'UNT+3+1'UNZ+1+1'");
//! let message = &parsed.interchanges[0].messages[0];
//! assert_eq!(message.header.message_type, "PAXLST");
//! let bgm = parsed.message_segments(message).nth(1).unwrap();
//! assert_eq!(bgm.text(1, 0).as_deref(), Some("745"));
//! assert!(parsed.findings.is_empty());
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

mod charset;
pub mod contrl;
pub mod date;
mod envelope;
pub mod excise;
pub mod finding;
mod scan;
mod segment;
mod separators;
pub mod tags;
mod tokenizer;
mod writer;

pub use charset::Charset;
pub use envelope::{
    GroupHeader, Interchange, InterchangeHeader, InterchangeInfo, MAX_MESSAGE_SEGMENTS,
    MessageEnvelope, MessageHeader, Parsed, SeriesPosition, parse,
};
pub use finding::{Finding, MAX_FINDINGS, Record, Severity};
pub use segment::{Component, Element, Segment};
pub use separators::{Separators, Syntax};
pub use tokenizer::{Tokens, tokenize};
pub use writer::{SegmentWriter, Writer};
