//! A booking as kept on disk: the JSON of [`Booking`] (serde, field names as in the model),
//! written and read through the model itself, under a format number kept beside it.
//!
//! The rule: a change to the model that changes what the JSON means or what old JSON reads as
//! (a field renamed, removed, its type or meaning changed) adds a format: [`FORMAT`] goes up,
//! and [`read`] keeps reading every older format (a frozen copy of its types and a conversion).
//! An unknown format, an unknown field and a missing required field are errors, never an
//! empty booking: a renamed field would otherwise make criteria silently never hit.

use crate::Booking;

/// The format [`write`] produces.
pub const FORMAT: i64 = 1;

/// A stored booking that does not read. Never carries the booking's content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoredError {
    #[error("stored booking format {0} is not one this build reads (it reads 1 to {FORMAT})")]
    UnknownFormat(i64),
    #[error("stored booking of format {format} does not read: {reason}")]
    Unreadable { format: i64, reason: String },
    #[error("booking does not serialise: {0}")]
    Unwritable(String),
}

/// The booking as it is stored, in format [`FORMAT`].
pub fn write(booking: &Booking) -> Result<String, StoredError> {
    serde_json::to_string(booking).map_err(|e| StoredError::Unwritable(reason(&e)))
}

/// Reads a booking stored in `format`.
pub fn read(format: i64, json: &str) -> Result<Booking, StoredError> {
    match format {
        // Format 1: the model's JSON as written since bookings were first kept.
        1 => serde_json::from_str(json).map_err(|e| StoredError::Unreadable {
            format,
            reason: reason(&e),
        }),
        other => Err(StoredError::UnknownFormat(other)),
    }
}

/// What went wrong, without the values: serde_json's message names a field (ours) for unknown
/// and missing fields, but quotes the value for a wrong type, and values are personal data.
fn reason(e: &serde_json::Error) -> String {
    let text = e.to_string();
    if text.starts_with("unknown field") || text.starts_with("missing field") {
        // "unknown field `x`, expected one of …": the names are the model's.
        let end = [text.find(", expected"), text.find(" at line")]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(text.len());
        text.get(..end).unwrap_or(&text).to_string()
    } else {
        format!(
            "{:?} error at line {} column {}",
            e.classify(),
            e.line(),
            e.column()
        )
    }
}
