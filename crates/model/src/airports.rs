//! Time zones of airports, by IATA code: schedules come in local time, and the zone of the
//! airport turns them into instants (the timing of pushes, the hour API data are due for
//! deletion after arrival).

use std::collections::HashMap;

use jiff::Timestamp;
use jiff::civil::DateTime;
use jiff::tz::{Offset, TimeZone};

/// Time zones of airports, by IATA code.
#[derive(Debug, Clone, Default)]
pub struct AirportZones(HashMap<String, TimeZone>);

/// A line of an airport zone file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadZoneLine {
    pub line: usize,
    pub reason: String,
}

impl AirportZones {
    pub fn insert(&mut self, airport: &str, zone: TimeZone) {
        self.0.insert(airport.to_ascii_uppercase(), zone);
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Reads `IATA,ZONE` lines: ZONE an IANA name (`Europe/Amsterdam`) or a fixed offset
    /// (`+01:00`). A header line, blank lines and `#` comments are skipped.
    pub fn parse(text: &str) -> Result<AirportZones, BadZoneLine> {
        let mut zones = AirportZones::default();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') || line.eq_ignore_ascii_case("iata,zone") {
                continue;
            }
            let bad = |reason: &str| BadZoneLine {
                line: i + 1,
                reason: reason.to_string(),
            };
            let (airport, zone) = line
                .split_once(',')
                .ok_or_else(|| bad("expected IATA,ZONE"))?;
            let airport = airport.trim();
            if airport.len() != 3 || !airport.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(bad("the airport is not a three-letter IATA code"));
            }
            let zone = zone.trim();
            let tz = if zone.starts_with(['+', '-']) {
                fixed(zone).ok_or_else(|| bad("an offset reads +HH:MM"))?
            } else {
                TimeZone::get(zone).map_err(|_| bad("unknown time zone name"))?
            };
            zones.insert(airport, tz);
        }
        Ok(zones)
    }

    /// The instant of a local time at an airport.
    pub fn instant(&self, airport: &str, local: DateTime) -> Option<Timestamp> {
        let zone = self.0.get(&airport.to_ascii_uppercase())?;
        zone.to_ambiguous_timestamp(local).compatible().ok()
    }

    /// The instant of a local time at an airport, or, when its zone is not known, the earliest
    /// instant that local time can be anywhere (UTC+14:00): what a deadline counted from it
    /// must assume so as never to be late.
    pub fn instant_or_earliest(&self, airport: &str, local: DateTime) -> Option<Timestamp> {
        self.instant(airport, local).or_else(|| {
            let earliest = Offset::from_seconds(14 * 3600).ok()?;
            TimeZone::fixed(earliest)
                .to_ambiguous_timestamp(local)
                .compatible()
                .ok()
        })
    }
}

/// A fixed offset `+HH:MM` (or `+HHMM`).
fn fixed(text: &str) -> Option<TimeZone> {
    let sign = if text.starts_with('-') { -1 } else { 1 };
    let digits: String = text.chars().filter(char::is_ascii_digit).collect();
    if digits.len() != 4 {
        return None;
    }
    let hours: i32 = digits.get(..2)?.parse().ok()?;
    let minutes: i32 = digits.get(2..)?.parse().ok()?;
    if hours > 14 || minutes > 59 {
        return None;
    }
    let offset = Offset::from_seconds(sign * (hours * 3600 + minutes * 60)).ok()?;
    Some(TimeZone::fixed(offset))
}

impl std::fmt::Display for BadZoneLine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.reason)
    }
}

impl std::error::Error for BadZoneLine {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_zone_gives_the_earliest_instant() {
        let zones = AirportZones::parse("AMS,+01:00").unwrap();
        let local: DateTime = "2026-12-01T10:00".parse().unwrap();
        assert_eq!(
            zones.instant_or_earliest("AMS", local).unwrap().to_string(),
            "2026-12-01T09:00:00Z"
        );
        assert_eq!(
            zones.instant_or_earliest("XYZ", local).unwrap().to_string(),
            "2026-11-30T20:00:00Z"
        );
    }
}
