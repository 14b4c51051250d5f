//! Carriers: every carrier's compliance counters over a period, and one carrier's scorecard over
//! time with charts drawn on the server (received and processed, lateness against the push
//! windows, parse errors, incomplete series, persons missing fields). The counters are the
//! store's per carrier and day of receipt; no personal data is shown.

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State as Shared};
use jiff::civil::Date;
use serde::Deserialize;

use super::chart::{Series, bars};
use super::{Chrome, PageError, PageResult, html};
use crate::State;
use crate::access::Who;

/// The counters of `intake::CarrierCounters::named`, in its order.
pub(crate) const COUNTERS: [&str; 13] = [
    "received",
    "processed",
    "duplicates",
    "failed",
    "with_errors",
    "incomplete_series",
    "persons_missing_fields",
    "sensitive_deleted",
    "pnr_early",
    "pnr_late",
    "api_late",
    "closeout_late",
    "timing_unknown",
];

/// The longest period a page shows, in days.
const MAX_DAYS: i64 = 366;
/// The period shown when none is asked for, in days up to the intake's today.
const DEFAULT_DAYS: i64 = 14;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct PeriodQuery {
    from: Option<String>,
    to: Option<String>,
}

/// The period asked for, else the last 14 days up to the intake's clock; never reversed or
/// longer than a year.
pub(crate) fn period(state: &State, q: &PeriodQuery) -> (Date, Date) {
    let today = jiff::tz::TimeZone::UTC
        .to_datetime(state.intake.now())
        .date();
    let day = |s: &Option<String>| s.as_deref().and_then(|d| d.trim().parse::<Date>().ok());
    let to = day(&q.to).unwrap_or(today);
    let earliest = to
        .checked_sub(jiff::Span::new().days(MAX_DAYS - 1))
        .unwrap_or(to);
    let from = day(&q.from)
        .unwrap_or_else(|| {
            to.checked_sub(jiff::Span::new().days(DEFAULT_DAYS - 1))
                .unwrap_or(to)
        })
        .clamp(earliest, to);
    (from, to)
}

/// Every day of a period, in order.
fn days(from: Date, to: Date) -> Vec<String> {
    let mut out = Vec::new();
    let mut d = from;
    while d <= to && out.len() < MAX_DAYS as usize {
        out.push(d.to_string());
        match d.tomorrow() {
            Ok(next) => d = next,
            Err(_) => break,
        }
    }
    out
}

#[derive(Debug)]
pub(crate) struct CarrierLine {
    pub carrier: String,
    pub counts: Vec<i64>,
}

#[derive(Template)]
#[template(path = "carriers.html")]
struct CarriersPage {
    c: Chrome,
    from: String,
    to: String,
    /// Catalogue keys of the counters, in order.
    counters: Vec<&'static str>,
    lines: Vec<CarrierLine>,
}

fn index(name: &str) -> Option<usize> {
    COUNTERS.iter().position(|c| *c == name)
}

pub(crate) async fn list(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    let (from, to) = period(&state, &q);
    let rows = state
        .store
        .carrier_counts(None, &from.to_string(), &to.to_string())
        .await?;
    let mut by_carrier: BTreeMap<String, Vec<i64>> = BTreeMap::new();
    for r in rows {
        let counts = by_carrier
            .entry(r.carrier)
            .or_insert_with(|| vec![0; COUNTERS.len()]);
        if let Some(n) = index(&r.name).and_then(|i| counts.get_mut(i)) {
            *n += r.n;
        }
    }
    let here = format!("/carriers?from={from}&to={to}");
    Ok(html(&CarriersPage {
        c: Chrome::new(&who, "nav.carriers", &here, false),
        from: from.to_string(),
        to: to.to_string(),
        counters: COUNTERS.iter().map(|n| counter_key(n)).collect(),
        lines: by_carrier
            .into_iter()
            .map(|(carrier, counts)| CarrierLine { carrier, counts })
            .collect(),
    }))
}

#[derive(Debug)]
pub(crate) struct DayLine {
    pub day: String,
    pub counts: Vec<i64>,
}

#[derive(Template)]
#[template(path = "carrier.html")]
struct CarrierPage {
    c: Chrome,
    carrier: String,
    from: String,
    to: String,
    /// Catalogue keys of the counters, in order.
    counters: Vec<&'static str>,
    totals: Vec<i64>,
    charts: Vec<(&'static str, String)>,
    lines: Vec<DayLine>,
}

/// A carrier code as carriers send it: two or three letters or digits (a few more tolerated).
fn valid_carrier(code: &str) -> bool {
    !code.is_empty() && code.len() <= 8 && code.bytes().all(|b| b.is_ascii_alphanumeric())
}

pub(crate) async fn carrier(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Path(code): Path<String>,
    Query(q): Query<PeriodQuery>,
) -> PageResult {
    let code = code.to_ascii_uppercase();
    if !valid_carrier(&code) {
        return Err(PageError::NotFound);
    }
    let (from, to) = period(&state, &q);
    let rows = state
        .store
        .carrier_counts(Some(&code), &from.to_string(), &to.to_string())
        .await?;
    let days = days(from, to);
    let mut per_day: BTreeMap<String, Vec<i64>> = days
        .iter()
        .map(|d| (d.clone(), vec![0; COUNTERS.len()]))
        .collect();
    for r in rows {
        if let (Some(counts), Some(i)) = (per_day.get_mut(&r.day), index(&r.name))
            && let Some(n) = counts.get_mut(i)
        {
            *n += r.n;
        }
    }
    let column = |name: &str| -> Vec<i64> {
        index(name)
            .map(|i| {
                per_day
                    .values()
                    .map(|c| c.get(i).copied().unwrap_or(0))
                    .collect()
            })
            .unwrap_or_default()
    };
    let t = &super::ENGLISH;
    let series = |name: &'static str, class: &'static str| Series {
        label: t.get(counter_key(name)).to_string(),
        class,
        values: column(name),
    };
    // What was expected: for each flight of a departure day, a PNR push, an API list and a
    // close-out; what came is counted by flight, so a missing message shows as a gap.
    let deliveries = state
        .store
        .flight_deliveries(&code, &from.to_string(), &to.to_string())
        .await?;
    let by_day = |f: fn(&store::FlightDelivery) -> i64| -> Vec<i64> {
        days.iter()
            .map(|d| deliveries.iter().find(|x| &x.day == d).map(f).unwrap_or(0))
            .collect()
    };
    let delivered = |key: &str, class: &'static str, f: fn(&store::FlightDelivery) -> i64| Series {
        label: t.get(key).to_string(),
        class,
        values: by_day(f),
    };
    let charts = vec![
        (
            "carrier.chart_expected",
            bars(
                t.get("carrier.chart_expected"),
                &days,
                &[
                    delivered("carrier.flights", "", |d| d.flights),
                    delivered("carrier.with_pnr", "good", |d| d.with_pnr),
                    delivered("carrier.with_api", "alt", |d| d.with_api),
                    delivered("carrier.closed", "late", |d| d.closed),
                ],
                false,
            ),
        ),
        (
            "carrier.chart_volume",
            bars(
                t.get("carrier.chart_volume"),
                &days,
                &[series("received", ""), series("processed", "good")],
                false,
            ),
        ),
        (
            "carrier.chart_late",
            bars(
                t.get("carrier.chart_late"),
                &days,
                &[
                    series("pnr_late", "late"),
                    series("api_late", "bad"),
                    series("closeout_late", "alt"),
                ],
                true,
            ),
        ),
        (
            "carrier.chart_errors",
            bars(
                t.get("carrier.chart_errors"),
                &days,
                &[series("failed", "bad"), series("with_errors", "late")],
                false,
            ),
        ),
        (
            "carrier.chart_series",
            bars(
                t.get("carrier.chart_series"),
                &days,
                &[series("incomplete_series", "late")],
                false,
            ),
        ),
        (
            "carrier.chart_missing",
            bars(
                t.get("carrier.chart_missing"),
                &days,
                &[series("persons_missing_fields", "alt")],
                false,
            ),
        ),
    ];
    let totals = (0..COUNTERS.len())
        .map(|i| {
            per_day
                .values()
                .map(|c| c.get(i).copied().unwrap_or(0))
                .sum()
        })
        .collect();
    let here = format!("/carriers/{code}?from={from}&to={to}");
    Ok(html(&CarrierPage {
        c: Chrome::new(&who, "nav.carriers", &here, false),
        carrier: code,
        from: from.to_string(),
        to: to.to_string(),
        counters: COUNTERS.iter().map(|n| counter_key(n)).collect(),
        totals,
        charts,
        lines: per_day
            .into_iter()
            .rev()
            .map(|(day, counts)| DayLine { day, counts })
            .collect(),
    }))
}

/// The catalogue key of a counter's name.
pub(crate) fn counter_key(name: &str) -> &'static str {
    match name {
        "received" => "counter.received",
        "processed" => "counter.processed",
        "duplicates" => "counter.duplicates",
        "failed" => "counter.failed",
        "with_errors" => "counter.with_errors",
        "incomplete_series" => "counter.incomplete_series",
        "persons_missing_fields" => "counter.persons_missing_fields",
        "sensitive_deleted" => "counter.sensitive_deleted",
        "pnr_early" => "counter.pnr_early",
        "pnr_late" => "counter.pnr_late",
        "api_late" => "counter.api_late",
        "closeout_late" => "counter.closeout_late",
        "timing_unknown" => "counter.timing_unknown",
        _ => "common.none",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_counters_are_the_intakes() {
        let named = intake::CarrierCounters::default().named();
        let names: Vec<&str> = named.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, COUNTERS);
        for n in COUNTERS {
            assert!(super::super::ENGLISH.has(counter_key(n)), "{n}");
        }
    }

    #[test]
    fn a_period_lists_every_day() {
        let d = |s: &str| s.parse::<Date>().unwrap();
        let all = days(d("2026-11-29"), d("2026-12-02"));
        assert_eq!(
            all,
            ["2026-11-29", "2026-11-30", "2026-12-01", "2026-12-02"]
        );
        assert!(days(d("2026-12-02"), d("2026-12-01")).is_empty());
    }
}
