//! The canonical domain of Passage: what a flight, a traveller, a travel document and a booking
//! are, whatever message they came in. Plain data with serde; no formats, no storage, no I/O.
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

use jiff::civil::{Date, DateTime};
use serde::{Deserialize, Serialize};

pub mod airports;

/// What identifies a flight: carrier, number, route and scheduled local departure date.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct FlightKey {
    pub carrier: String,
    pub number: String,
    pub origin: String,
    pub destination: String,
    pub date: Date,
}

impl std::fmt::Display for FlightKey {
    /// `XQ101/AMS-JFK/2026-12-01`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}{}/{}-{}/{}",
            self.carrier, self.number, self.origin, self.destination, self.date
        )
    }
}

/// Why a flight key could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadFlightKey;

impl std::fmt::Display for BadFlightKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a flight key reads CARRIERNUMBER/ORIGIN-DESTINATION/YYYY-MM-DD")
    }
}

impl std::error::Error for BadFlightKey {}

impl std::str::FromStr for FlightKey {
    type Err = BadFlightKey;

    fn from_str(s: &str) -> Result<FlightKey, BadFlightKey> {
        let mut parts = s.split('/');
        let (Some(flight), Some(route), Some(date), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(BadFlightKey);
        };
        let (origin, destination) = route.split_once('-').ok_or(BadFlightKey)?;
        let split = flight
            .char_indices()
            .skip(2)
            .find(|(_, c)| c.is_ascii_digit())
            .map(|(i, _)| i)
            .ok_or(BadFlightKey)?;
        let (carrier, number) = flight.split_at(split);
        Ok(FlightKey {
            carrier: carrier.to_string(),
            number: number.to_string(),
            origin: origin.to_string(),
            destination: destination.to_string(),
            date: date.parse().map_err(|_| BadFlightKey)?,
        })
    }
}

/// A scheduled time: local wall time at the airport, as carriers send it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct LocalTime {
    pub local: DateTime,
    /// The airport whose local time this is.
    pub at: [u8; 3],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sex {
    #[serde(rename = "M")]
    Male,
    #[serde(rename = "F")]
    Female,
    #[serde(rename = "U")]
    Unspecified,
    #[serde(rename = "X")]
    Other,
}

/// A travel document as far as the law lets Passage keep it (EU PNR Directive Annex I item 18).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Document {
    pub kind: Option<String>,
    pub number: Option<String>,
    pub issuing_state: Option<String>,
    pub expiry: Option<Date>,
}

/// Who a person is, as a message tells it.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Identity {
    pub surname: String,
    pub given_names: Vec<String>,
    pub sex: Option<Sex>,
    pub date_of_birth: Option<Date>,
    pub nationality: Option<String>,
    pub documents: Vec<Document>,
}

/// Where a traveller stands on a flight's manifest, as lists, changes and close-outs apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Reported by a passenger or crew list.
    Reported,
    /// Listed on the close-out as on board.
    Boarded,
    /// Listed on the close-out as not on board, or absent from a CLOB list.
    NotBoarded,
    /// Removed by a cancellation (XR) or a reduction in party (RP).
    Removed,
    /// The flight was cancelled.
    Cancelled,
}

/// In which capacity a person is on board.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Capacity {
    Passenger,
    Crew,
}

/// A role a user of the unit holds (product.md); a user may hold several. What each role may
/// open is the server's route table; what it may do to a criterion, the targeting lifecycle's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Triages hits, reviews travellers, writes criteria.
    Analyst,
    /// Approves criteria (four eyes) and dissemination, watches queue health.
    Supervisor,
    /// Connects carriers and watches their data quality.
    CarrierLiaison,
    /// Sees every access and every rule.
    DataProtectionOfficer,
    /// Users, roles, agencies, lists.
    Administrator,
    /// A judicial or other independent authority outside the unit (Directive 2016/681 Art.
    /// 12(3), C-817/19): approves or refuses requests to read masked data, and holds no other
    /// role.
    ApprovingAuthority,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Analyst,
        Role::Supervisor,
        Role::CarrierLiaison,
        Role::DataProtectionOfficer,
        Role::Administrator,
        Role::ApprovingAuthority,
    ];

    /// The role's stored and displayed name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Analyst => "analyst",
            Role::Supervisor => "supervisor",
            Role::CarrierLiaison => "carrier_liaison",
            Role::DataProtectionOfficer => "dpo",
            Role::Administrator => "administrator",
            Role::ApprovingAuthority => "approving_authority",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flight_keys_round_trip() {
        let key: FlightKey = "XQ101/AMS-JFK/2026-12-01".parse().unwrap();
        assert_eq!(key.carrier, "XQ");
        assert_eq!(key.number, "101");
        assert_eq!(key.to_string(), "XQ101/AMS-JFK/2026-12-01");
        let key: FlightKey = "U21234/AMS-LGW/2026-12-01".parse().unwrap();
        assert_eq!((key.carrier.as_str(), key.number.as_str()), ("U2", "1234"));
        assert!("XQ101/AMSJFK/2026-12-01".parse::<FlightKey>().is_err());
        assert!("nonsense".parse::<FlightKey>().is_err());
    }
}
