//! Today: flights departing and arriving with countdowns, hits waiting, carriers late today.

use std::collections::HashMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::State as Shared;
use jiff::Timestamp;

use super::{Chrome, PageResult, html};
use crate::State;
use crate::access::Who;
use crate::roles::PERSONAL;

#[derive(Debug)]
pub(crate) struct FlightLine {
    pub href: String,
    pub flight: String,
    pub route: String,
    pub local: String,
    /// "in 2 h 05", "15 min ago"; empty when the airport's zone is unknown.
    pub countdown: String,
    pub status: String,
    pub open_hits: i64,
}

#[derive(Debug)]
pub(crate) struct LateLine {
    pub carrier: String,
    pub what: &'static str,
    pub n: i64,
}

#[derive(Debug)]
pub(crate) struct Section {
    pub title: &'static str,
    pub lines: Vec<FlightLine>,
}

#[derive(Template)]
#[template(path = "today.html")]
struct TodayPage {
    c: Chrome,
    today: String,
    departing: usize,
    arriving: usize,
    sections: Vec<Section>,
    hits_open: i64,
    targeting_open: i64,
    late: Vec<LateLine>,
    sees_hits: bool,
}

/// "in 2 h 05" or "35 min ago".
pub(crate) fn countdown(now: Timestamp, at: Timestamp) -> String {
    let secs = at.as_second() - now.as_second();
    let mins = secs.abs() / 60;
    let text = if mins >= 60 {
        format!("{} h {:02}", mins / 60, mins % 60)
    } else {
        format!("{mins} min")
    };
    if secs >= 0 {
        format!("in {text}")
    } else {
        format!("{text} ago")
    }
}

pub(crate) fn flight_href(key: &str) -> String {
    format!("/flights/{key}")
}

pub(crate) async fn page(Shared(state): Shared<Arc<State>>, who: Who) -> PageResult {
    let store = &state.store;
    let now = state.intake.now();
    let today = jiff::tz::TimeZone::UTC.to_datetime(now).date();
    // Only at the ends of the calendar (years -9999 and 9999) is there no day before or week
    // after: the intake's clock is not there.
    use invariant::Surely;
    let yesterday = today.yesterday().surely_or(today, "the day before today");
    let week = today
        .checked_add(jiff::Span::new().days(7))
        .surely_or(today, "a week after today");
    let flights = store
        .flights_between(&yesterday.to_string(), &week.to_string())
        .await?;
    let mut open_by_flight: HashMap<i64, i64> = HashMap::new();
    let mut hits_open = 0;
    for (flight, s, n) in store.agency_hit_counts(&who.principal.agency).await? {
        if s == "open" {
            *open_by_flight.entry(flight).or_default() += n;
            hits_open += n;
        }
    }
    let line = |f: &store::FlightRow, local: &Option<String>, airport: &str| {
        let instant = local
            .as_deref()
            .and_then(|l| l.parse::<jiff::civil::DateTime>().ok())
            .and_then(|l| state.intake.at_airport(airport, l));
        FlightLine {
            href: flight_href(&f.key),
            flight: format!("{}{}", f.carrier, f.number),
            route: format!("{}–{}", f.origin, f.destination),
            local: local.clone().unwrap_or_default().replace('T', " "),
            countdown: instant.map(|i| countdown(now, i)).unwrap_or_default(),
            status: f.status.clone(),
            open_hits: open_by_flight.get(&f.id).copied().unwrap_or(0),
        }
    };
    let day = today.to_string();
    let departing: Vec<FlightLine> = flights
        .iter()
        .filter(|f| f.departure_date == day)
        .map(|f| line(f, &f.departure_local, &f.origin))
        .collect();
    let mut arriving: Vec<FlightLine> = flights
        .iter()
        .filter(|f| {
            f.arrival_local
                .as_deref()
                .is_some_and(|a| a.starts_with(&day))
        })
        .map(|f| line(f, &f.arrival_local, &f.destination))
        .collect();
    arriving.sort_by(|a, b| a.local.cmp(&b.local));
    // What is coming: the next days' departures, so the unit sees tomorrow's load today.
    let mut coming: Vec<(&str, FlightLine)> = flights
        .iter()
        .filter(|f| f.departure_date.as_str() > day.as_str())
        .map(|f| {
            (
                f.departure_date.as_str(),
                line(f, &f.departure_local, &f.origin),
            )
        })
        .collect();
    coming.sort_by(|a, b| a.0.cmp(b.0).then(a.1.local.cmp(&b.1.local)));
    let coming: Vec<FlightLine> = coming.into_iter().map(|(_, l)| l).collect();
    let targeting_open = store.targeting_hit_count("open").await?;
    let mut late = Vec::new();
    for row in store.carrier_counts(None, &day, &day).await? {
        let what = match row.name.as_str() {
            "pnr_late" => "late.pnr_late",
            "api_late" => "late.api_late",
            "closeout_late" => "late.closeout_late",
            "incomplete_series" => "late.incomplete_series",
            "failed" => "late.failed",
            _ => continue,
        };
        late.push(LateLine {
            carrier: row.carrier,
            what,
            n: row.n,
        });
    }
    let sees_hits = who.principal.has_any(PERSONAL);
    Ok(html(&TodayPage {
        c: Chrome::new(&who, "nav.today", "/", false),
        today: day,
        departing: departing.len(),
        arriving: arriving.len(),
        sections: vec![
            Section {
                title: "today.departing",
                lines: departing,
            },
            Section {
                title: "today.arriving",
                lines: arriving,
            },
            Section {
                title: "today.coming",
                lines: coming,
            },
        ],
        hits_open,
        targeting_open,
        late,
        sees_hits,
    }))
}
