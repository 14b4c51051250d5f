//! The counts that outlive the data: per flight (its day, carrier and route), per source (API
//! manifest, PNR travellers), role, nationality, sex and age band. Taken once per flight, before
//! retention erases anything of it, so that statistics survive masking and deletion.

use std::collections::BTreeMap;

use jiff::civil::Date;
use store::{FlightRow, StatisticsRow, Store};

use crate::RetentionError;

/// Age bands as published (an age is a person's data; a band of thousands is not).
pub fn age_band(birth: Option<Date>, on: Date) -> &'static str {
    let Some(birth) = birth else { return "" };
    let mut years = i32::from(on.year()) - i32::from(birth.year());
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    match years {
        i32::MIN..=-1 => "",
        0..=17 => "0-17",
        18..=29 => "18-29",
        30..=44 => "30-44",
        45..=59 => "45-59",
        _ => "60+",
    }
}

type Key = (String, String, String, String, &'static str);

fn add(
    cells: &mut BTreeMap<Key, i64>,
    source: &'static str,
    role: &str,
    nationality: Option<&str>,
    sex: Option<&str>,
    band: &'static str,
) {
    let clean = |v: Option<&str>, max: usize| -> String {
        v.map(str::trim)
            .filter(|v| v.len() <= max && v.bytes().all(|b| b.is_ascii_alphabetic()))
            .unwrap_or_default()
            .to_ascii_uppercase()
    };
    *cells
        .entry((
            source.to_string(),
            role.to_string(),
            clean(nationality, 3),
            clean(sex, 1),
            band,
        ))
        .or_default() += 1;
}

/// A flight's cells, from what the store holds of it now. Reading the bookings is CPU work:
/// it runs on a blocking thread, off the async runtime.
pub async fn flight_cells(
    store: &Store,
    flight: &FlightRow,
) -> Result<Vec<StatisticsRow>, RetentionError> {
    let persons = store.manifest_facts(flight.id).await?;
    let versions = store.bookings(flight.id).await?;
    let flight = flight.clone();
    tokio::task::spawn_blocking(move || cells(&flight, persons, versions))
        .await
        .map_err(|e| RetentionError::Stored(format!("counting a flight stopped: {e}")))?
}

fn cells(
    flight: &FlightRow,
    persons: Vec<store::PersonFacts>,
    versions: Vec<store::BookingVersion>,
) -> Result<Vec<StatisticsRow>, RetentionError> {
    let day: Date = flight.departure_date.parse().map_err(|e| {
        RetentionError::Stored(format!("flight {}: departure date: {e}", flight.id))
    })?;
    let mut cells: BTreeMap<Key, i64> = BTreeMap::new();
    for p in persons {
        let birth = p.date_of_birth.as_deref().and_then(|d| d.parse().ok());
        add(
            &mut cells,
            "api",
            &p.role,
            p.nationality.as_deref(),
            p.sex.as_deref(),
            age_band(birth, day),
        );
    }
    for version in versions {
        let booking = pnrgov::stored::read(version.format, &version.booking).map_err(|e| {
            RetentionError::Stored(format!("flight {}: a booking version: {e}", flight.id))
        })?;
        for t in &booking.travellers {
            let document = t.documents.first();
            add(
                &mut cells,
                "pnr",
                "passenger",
                document.and_then(|d| d.nationality.as_deref()),
                document.and_then(|d| d.sex.as_deref()),
                age_band(document.and_then(|d| d.date_of_birth), day),
            );
        }
    }
    Ok(cells
        .into_iter()
        .map(
            |((source, role, nationality, sex, band), n)| StatisticsRow {
                day: flight.departure_date.clone(),
                carrier: flight.carrier.clone(),
                origin: flight.origin.clone(),
                destination: flight.destination.clone(),
                source,
                role,
                nationality,
                sex,
                age_band: band.to_string(),
                n,
            },
        )
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_fall_in_their_bands_on_the_day_of_the_flight() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        let on = d("2026-12-01");
        assert_eq!(age_band(Some(d("2008-12-01")), on), "18-29");
        assert_eq!(age_band(Some(d("2008-12-02")), on), "0-17");
        assert_eq!(age_band(Some(d("1966-12-01")), on), "60+");
        assert_eq!(age_band(Some(d("1966-12-02")), on), "45-59");
        assert_eq!(age_band(Some(d("2027-01-01")), on), "");
        assert_eq!(age_band(None, on), "");
    }
}
