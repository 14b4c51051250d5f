//! The input of targeting: what the intake knows about one traveller on one flight, as plain
//! data. Only elements of Annex I of Directive 2016/681 (as narrowed by C-817/19) appear here,
//! and of those only what criteria may use: no special service requests, no remarks, no contact
//! content. Every field may be absent; a criterion over an absent field is neither true nor
//! false (see [`crate::Truth`]).
//!
//! Times are local wall times as carriers send them (no zone is invented); durations between
//! them (lead times) are therefore approximate by the difference of time zones, which the
//! catalogue says where it matters.

use jiff::civil::{Date, DateTime};
use model::Sex;
use serde::{Deserialize, Serialize};

/// One traveller on one flight, with the booking they travel on.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Subject {
    pub traveller: Traveller,
    pub document: Option<TravelDocument>,
    pub booking: Booking,
    /// The flight this assessment is for (one leg of the itinerary).
    pub flight: Option<Leg>,
    /// The booking's whole air itinerary, in travel order.
    pub itinerary: Vec<Leg>,
    pub payment: Payment,
    pub ticket: Ticket,
    pub bags: Bags,
    pub seat: Seat,
    pub check_in: CheckIn,
    pub frequent_flyer: Option<FrequentFlyer>,
    pub contacts: Contacts,
}

/// Annex I items 4, 12 (unaccompanied minors only) and 18 (API data as listed by the Court).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Traveller {
    pub surname: Option<String>,
    pub given_names: Option<String>,
    pub date_of_birth: Option<Date>,
    pub sex: Option<Sex>,
    /// ISO 3166 alpha-3 (or alpha-2) as sent.
    pub nationality: Option<String>,
    /// Annex I item 12: the general remarks the Court kept are those on unaccompanied minors.
    pub unaccompanied_minor: Option<bool>,
}

/// Annex I item 18: type, issuing State and expiry of the identity document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TravelDocument {
    /// Document type code as sent (P passport, I identity card, …).
    pub kind: Option<String>,
    pub issuing_state: Option<String>,
    pub expiry: Option<Date>,
}

/// Annex I items 1, 2, 9, 10, 11, 15, 17, 19.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Booking {
    pub locator: Option<String>,
    pub created: Option<DateTime>,
    pub last_changed: Option<DateTime>,
    /// Number of travellers on the booking (Annex I item 17).
    pub party_size: Option<u32>,
    /// Travel agency IATA number (Annex I item 9).
    pub agency_iata: Option<String>,
    pub agency_city: Option<String>,
    pub agency_country: Option<String>,
    /// How it was booked, as a code: `agency`, `online`, `airline`, `call_centre`, `other`.
    pub channel: Option<String>,
    /// The booking was split or divided (Annex I item 11).
    pub split: Option<bool>,
    /// Number of recorded changes to the booking (Annex I item 19).
    pub changes: Option<u32>,
}

/// One flight of an itinerary (Annex I items 3, 7, 15).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Leg {
    pub origin: String,
    pub destination: String,
    /// Countries of the airports, when the intake knows them (ISO alpha-2 or alpha-3).
    pub origin_country: Option<String>,
    pub destination_country: Option<String>,
    /// Scheduled departure, local time at the origin.
    pub departure: Option<DateTime>,
    pub operating_carrier: Option<String>,
    pub marketing_carrier: Option<String>,
    pub flight_number: Option<String>,
}

/// Annex I item 6 as narrowed by the Court: means of payment for the air ticket.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Payment {
    /// Form-of-payment type codes as sent: `CA` cash, `CC` card, `MS` miscellaneous, `CK`
    /// cheque, `IN` invoice, …
    pub types: Vec<String>,
    /// Whether the payer's name is one of the travellers' names; the intake decides it with
    /// [`payer_in_party`] and keeps no payer name here.
    pub payer_in_party: Option<bool>,
    /// Country of the issuer of the card, if a card paid.
    pub card_country: Option<String>,
}

/// Annex I item 13.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    pub number_present: Option<bool>,
    pub ticketed: Option<bool>,
    pub issued: Option<DateTime>,
}

/// Annex I item 16.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Bags {
    pub count: Option<u32>,
    pub weight_kg: Option<f64>,
}

/// Annex I item 14.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Seat {
    pub number: Option<String>,
    pub assigned_at_check_in: Option<bool>,
}

/// Annex I item 10.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CheckIn {
    pub checked_in: Option<bool>,
    /// When check-in happened, local time at the origin.
    pub at: Option<DateTime>,
    /// Accepted without a prior booking on this flight.
    pub go_show: Option<bool>,
}

/// Annex I item 8 as narrowed by the Court: status and number only.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FrequentFlyer {
    pub carrier: Option<String>,
    pub tier: Option<String>,
}

/// Annex I item 5: only whether the traveller's own contacts are present, never their content.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Contacts {
    pub has_email: Option<bool>,
    pub has_phone: Option<bool>,
}

/// Whether a payer's name is one of the travellers' names, compared without case, spaces,
/// punctuation and the order of the name parts (`SMITH/JOHN MR` = `John Smith`). The intake calls
/// this and keeps only the answer ([`Payment::payer_in_party`]).
pub fn payer_in_party<'a>(payer: &str, travellers: impl IntoIterator<Item = &'a str>) -> bool {
    let key = name_key(payer);
    !key.is_empty() && travellers.into_iter().any(|t| name_key(t) == key)
}

const TITLES: [&str; 8] = ["MR", "MRS", "MS", "MISS", "MSTR", "DR", "PROF", "CHD"];

fn name_key(name: &str) -> Vec<String> {
    let mut parts: Vec<String> = name
        .split(|c: char| !c.is_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(str::to_uppercase)
        .filter(|p| !TITLES.contains(&p.as_str()))
        .collect();
    parts.sort();
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payer_names_compare_loosely() {
        assert!(payer_in_party("SMITH/JOHN MR", ["Doe Jane", "John Smith"]));
        assert!(!payer_in_party("ACME TRADING", ["SMITH/JOHN MR"]));
        assert!(!payer_in_party("", ["SMITH/JOHN"]));
    }
}
