//! The masked forms of what the store cannot mask by itself: booking versions (through
//! `pnrgov::depersonalise`) and the traveller's side of hit explanations.

use store::{FlightMask, ToMask};

use crate::RetentionError;

/// A flight's masked booking versions and explanations, masked at `at`.
pub(crate) fn masks(flight: i64, to_mask: ToMask, at: &str) -> Result<FlightMask, RetentionError> {
    let unreadable = |what: &str, id: i64, e: &dyn std::fmt::Display| {
        RetentionError::Stored(format!("{what} {id} of flight {flight} does not read: {e}"))
    };
    let mut versions = Vec::with_capacity(to_mask.versions.len());
    for (id, format, json) in to_mask.versions {
        let booking = pnrgov::stored::read(format, &json)
            .map_err(|e| unreadable("booking version", id, &e))?;
        let masked = pnrgov::depersonalise::depersonalise(booking, at);
        let json =
            pnrgov::stored::write(&masked).map_err(|e| unreadable("booking version", id, &e))?;
        versions.push((id, pnrgov::stored::FORMAT, json));
    }
    let mut hits = Vec::with_capacity(to_mask.hits.len());
    for (id, value) in to_mask.hits {
        use stored_json::Versioned;
        let e = screening::StoredExplanation::read_value(&value)
            .map_err(|e| unreadable("hit", id, &e))?
            .mask(at);
        let value = serde_json::to_value(&e).map_err(|e| unreadable("hit", id, &e))?;
        hits.push((id, value));
    }
    let mut targeting_hits = Vec::with_capacity(to_mask.targeting_hits.len());
    for (id, value) in to_mask.targeting_hits {
        use stored_json::Versioned;
        let e = targeting::StoredExplanation::read_value(&value)
            .map_err(|e| unreadable("targeting hit", id, &e))?
            .mask(at);
        let value = serde_json::to_value(&e).map_err(|e| unreadable("targeting hit", id, &e))?;
        targeting_hits.push((id, value));
    }
    Ok(FlightMask {
        flight_id: flight,
        updated_at: to_mask.updated_at,
        versions,
        hits,
        targeting_hits,
    })
}
