//! A day of flights in and out of one country: carriers, routes weighted by airport size,
//! schedules in local time, aircraft sizes, code shares, delays and cancellations.

use jiff::civil::{Date, DateTime, Time};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::data::{Carrier, Data};
use crate::rng::Rng;

/// How big a country's traffic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Size {
    /// A small island State: about 40 international flights a day.
    Small,
    /// About 400 flights a day.
    Medium,
    /// A large hub country: about 2,000 flights a day.
    Large,
}

impl Size {
    pub fn flights_per_day(self) -> usize {
        match self {
            Size::Small => 40,
            Size::Medium => 400,
            Size::Large => 2000,
        }
    }

    pub fn watchlist_entries(self) -> usize {
        match self {
            Size::Small => 300,
            Size::Medium => 1000,
            Size::Large => 3000,
        }
    }
}

impl std::str::FromStr for Size {
    type Err = String;

    fn from_str(s: &str) -> Result<Size, String> {
        match s {
            "small" => Ok(Size::Small),
            "medium" => Ok(Size::Medium),
            "large" => Ok(Size::Large),
            other => Err(format!("size '{other}' is not small, medium or large")),
        }
    }
}

/// What became of a flight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FlightStatus {
    OnTime,
    /// Departed this many minutes late.
    Delayed(i64),
    Cancelled,
}

/// A place and time as a schedule gives it: local wall time and its offset from UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Moment {
    pub local: DateTime,
    pub utc: Timestamp,
}

#[derive(Debug, Clone)]
pub struct Flight {
    pub carrier: usize,
    /// A marketing carrier selling the flight under its own code, for code shares.
    pub marketing: Option<(usize, u32)>,
    pub number: u32,
    pub origin: usize,
    pub destination: usize,
    pub departure: Moment,
    pub arrival: Moment,
    pub seats: u32,
    pub status: FlightStatus,
    /// True when the flight arrives in the home country.
    pub inbound: bool,
}

impl Flight {
    /// The flight key: carrier, number, route and local departure date.
    pub fn key(&self, data: &Data) -> String {
        let carrier = data
            .carriers
            .get(self.carrier)
            .map_or("??", |c| c.code.as_str());
        let from = data
            .airports
            .get(self.origin)
            .map_or("???", |a| a.iata.as_str());
        let to = data
            .airports
            .get(self.destination)
            .map_or("???", |a| a.iata.as_str());
        format!(
            "{carrier}{}/{from}-{to}/{}",
            self.number,
            self.departure.local.date()
        )
    }
}

fn moment(date: Date, minutes_after_midnight: i64, offset_minutes: i32) -> Moment {
    let local = date
        .to_datetime(Time::midnight())
        .checked_add(SignedDuration::from_mins(minutes_after_midnight))
        .unwrap_or(date.to_datetime(Time::midnight()));
    let utc = offset(offset_minutes)
        .to_timestamp(local)
        .unwrap_or(Timestamp::UNIX_EPOCH);
    Moment { local, utc }
}

fn offset(minutes: i32) -> jiff::tz::Offset {
    jiff::tz::Offset::from_seconds(minutes * 60).unwrap_or(jiff::tz::Offset::UTC)
}

/// The local wall time at `offset_minutes` of an instant.
pub fn local_at(at: Timestamp, offset_minutes: i32) -> DateTime {
    offset(offset_minutes).to_datetime(at)
}

/// The flights of `date` for a country, deterministic for `(rng, date)`.
pub fn day(data: &Data, home_country: &str, size: Size, date: Date, rng: &mut Rng) -> Vec<Flight> {
    let home: Vec<usize> = (0..data.airports.len())
        .filter(|&i| {
            data.airports
                .get(i)
                .is_some_and(|a| a.country == home_country)
        })
        .collect();
    let foreign: Vec<usize> = (0..data.airports.len())
        .filter(|&i| {
            data.airports
                .get(i)
                .is_some_and(|a| a.country != home_country)
        })
        .collect();
    let weight = |i: &usize| data.airports.get(*i).map_or(0, |a| a.weight);
    let mut flights = Vec::with_capacity(size.flights_per_day());
    let mut taken = std::collections::HashSet::new();
    for n in 0..size.flights_per_day() {
        let (Some(&h), Some(&f)) = (rng.weighted(&home, weight), rng.weighted(&foreign, weight))
        else {
            break;
        };
        let inbound = n % 2 == 1;
        let (origin, destination) = if inbound { (f, h) } else { (h, f) };
        let carrier = pick_carrier(data, origin, destination, rng);
        let Some(c) = data.carriers.get(carrier) else {
            break;
        };
        let (Some(from), Some(to)) = (data.airports.get(origin), data.airports.get(destination))
        else {
            break;
        };
        // Flight numbers stay stable per carrier and route across days, and are unique per
        // carrier and day (a second frequency takes the next free number).
        let mut number = 100 + ((origin * 131 + destination * 31 + carrier * 7) % 8900) as u32;
        while !taken.insert((carrier, number)) {
            number = if number >= 8999 { 100 } else { number + 1 };
        }
        let depart_minutes = rng.between(6 * 60, 23 * 60 - 30) as i64 / 5 * 5;
        let departure = moment(date, depart_minutes, from.utc_offset_minutes);
        let offset_gap = i64::from((from.utc_offset_minutes - to.utc_offset_minutes).abs());
        let block = 55 + offset_gap * 3 / 4 + rng.between(0, 150) as i64;
        let arrival_utc = departure.utc + SignedDuration::from_mins(block);
        let arrival = Moment {
            local: local_at(arrival_utc, to.utc_offset_minutes),
            utc: arrival_utc,
        };
        let seats = *rng.pick(&c.seats).unwrap_or(&150);
        let status = if rng.chance(data.rate("cancelled_flight")) {
            FlightStatus::Cancelled
        } else if rng.chance(data.rate("delayed_flight")) {
            FlightStatus::Delayed(rng.between(15, 180) as i64)
        } else {
            FlightStatus::OnTime
        };
        let marketing = rng.chance(0.15).then(|| {
            let partner = (carrier + 1 + rng.index(data.carriers.len().saturating_sub(1).max(1)))
                % data.carriers.len().max(1);
            (partner, 5000 + number)
        });
        flights.push(Flight {
            carrier,
            marketing,
            number,
            origin,
            destination,
            departure,
            arrival,
            seats,
            status,
            inbound,
        });
    }
    flights
}

/// Carriers based at either end fly most of a route; others share the rest.
fn pick_carrier(data: &Data, origin: usize, destination: usize, rng: &mut Rng) -> usize {
    let ends: Vec<&str> = [origin, destination]
        .iter()
        .filter_map(|i| data.airports.get(*i).map(|a| a.iata.as_str()))
        .collect();
    let indexes: Vec<usize> = (0..data.carriers.len()).collect();
    let weight = |i: &usize| {
        data.carriers.get(*i).map_or(0, |c: &Carrier| {
            if ends.contains(&c.home.as_str()) {
                8
            } else {
                1
            }
        })
    };
    rng.weighted(&indexes, weight).copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_of_flights() {
        let data = Data::builtin().unwrap();
        let mut rng = Rng::new(1);
        let flights = day(
            &data,
            "NLD",
            Size::Small,
            jiff::civil::date(2026, 12, 1),
            &mut rng,
        );
        assert_eq!(flights.len(), 40);
        for f in &flights {
            let from = &data.airports[f.origin];
            let to = &data.airports[f.destination];
            assert!((from.country == "NLD") != (to.country == "NLD"));
            assert!(f.arrival.utc > f.departure.utc);
            assert_eq!(f.departure.local.date(), jiff::civil::date(2026, 12, 1));
        }
        let key = flights[0].key(&data);
        assert!(key.ends_with("/2026-12-01"), "{key}");
        let keys: std::collections::HashSet<_> = flights.iter().map(|f| f.key(&data)).collect();
        assert_eq!(keys.len(), flights.len(), "flight keys are unique");
    }
}
