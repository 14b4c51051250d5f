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

pub use stored_json::StoredError;

/// What the errors call it.
const WHAT: &str = "booking";

/// The booking as it is stored, in format [`FORMAT`].
pub fn write(booking: &Booking) -> Result<String, StoredError> {
    stored_json::write(WHAT, booking)
}

/// Reads a booking stored in `format`.
pub fn read(format: i64, json: &str) -> Result<Booking, StoredError> {
    stored_json::known(WHAT, format, 1..=FORMAT)?;
    // Format 1: the model's JSON as written since bookings were first kept.
    stored_json::read(WHAT, json)
}
