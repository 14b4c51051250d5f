//! The field catalogue: every name a criterion may use, its type, what it means, which item of
//! Annex I of Directive 2016/681 it comes from, and how it may be used. Nothing else about a
//! subject is reachable from the language: the catalogue *is* the allow-list.
//!
//! `docs/criteria.md` documents every field; a test keeps the two in step.

use std::borrow::Cow;

use jiff::civil::{Date, DateTime, Weekday};
use model::Sex;
use serde::Serialize;

use crate::subject::{Leg, Subject};
use crate::value::{Type, Value};

/// How a field may be used beyond its type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Restriction {
    /// Any condition its type allows.
    None,
    /// A personal characteristic that the Charter's Art. 21 forbids discriminating on
    /// (nationality, sex, age): usable only next to a condition on another field, so that it
    /// is never the sole ground of a hit (see the crate documentation).
    NotAlone,
    /// A name: exact comparisons only (`==`, `!=`, `in`), never patterns, which are proxies for
    /// ethnic origin or religion; and never alone.
    ExactNotAlone,
}

/// One field of the catalogue.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// Dotted name, e.g. `booking.lead_time_hours`.
    pub name: &'static str,
    pub ty: Type,
    pub description: &'static str,
    /// The item of Annex I of Directive 2016/681 the field comes from (1–19).
    pub annex_item: u8,
    pub restriction: Restriction,
    pub(crate) get: for<'a> fn(&'a Subject) -> Value<'a>,
}

impl Field {
    /// The value of this field for a subject.
    pub fn value<'a>(&self, subject: &'a Subject) -> Value<'a> {
        (self.get)(subject)
    }
}

/// Every field, in documentation order.
pub fn fields() -> &'static [Field] {
    &FIELDS
}

/// A field by name, with its index in [`fields`].
pub fn lookup(name: &str) -> Option<(usize, &'static Field)> {
    FIELDS.iter().enumerate().find(|(_, f)| f.name == name)
}

/// The name of Annex I item `n` (1–19), shortened.
pub fn annex_item_title(n: u8) -> &'static str {
    match n {
        1 => "PNR record locator",
        2 => "date of reservation / issue of ticket",
        3 => "date(s) of intended travel",
        4 => "name(s)",
        5 => "contact information (the passenger's own)",
        6 => "means of payment for the air ticket",
        7 => "complete travel itinerary",
        8 => "frequent flyer status and number",
        9 => "travel agency / travel agent",
        10 => "travel status, check-in, no-show, go-show",
        11 => "split / divided PNR information",
        12 => "general remarks: unaccompanied minors only",
        13 => "ticketing field information",
        14 => "seat number and seat information",
        15 => "code share information",
        16 => "baggage information",
        17 => "number and other names of travellers",
        18 => "API data as listed by the Court",
        19 => "historical changes to items 1–18",
        _ => "not an Annex I item",
    }
}

fn st(v: &Option<String>) -> Value<'_> {
    v.as_deref()
        .map_or(Value::Absent, |s| Value::Str(Cow::Borrowed(s)))
}

fn b(v: Option<bool>) -> Value<'static> {
    v.map_or(Value::Absent, Value::Bool)
}

fn i(v: Option<i64>) -> Value<'static> {
    v.map_or(Value::Absent, Value::Int)
}

fn fl(v: Option<f64>) -> Value<'static> {
    v.map_or(Value::Absent, Value::Float)
}

fn dt(v: Option<DateTime>) -> Value<'static> {
    v.map_or(Value::Absent, Value::DateTime)
}

/// Scheduled departure of the assessed flight (or of the first leg).
pub(crate) fn departure(subject: &Subject) -> Option<DateTime> {
    subject
        .flight
        .as_ref()
        .and_then(|l| l.departure)
        .or_else(|| subject.itinerary.first().and_then(|l| l.departure))
}

fn hours_between(later: Option<DateTime>, earlier: Option<DateTime>) -> Option<f64> {
    let (later, earlier) = (later?, earlier?);
    Some(later.duration_since(earlier).as_secs_f64() / 3600.0)
}

fn days_between(later: Date, earlier: Date) -> i64 {
    later.duration_since(earlier).as_secs() / 86_400
}

fn age(subject: &Subject) -> Option<i64> {
    let born = subject.traveller.date_of_birth?;
    let on = departure(subject)?.date();
    let mut years = i64::from(on.year()) - i64::from(born.year());
    if (on.month(), on.day()) < (born.month(), born.day()) {
        years -= 1;
    }
    Some(years)
}

fn age_band(age: i64) -> &'static str {
    match age {
        ..=11 => "0-11",
        12..=17 => "12-17",
        18..=24 => "18-24",
        25..=34 => "25-34",
        35..=44 => "35-44",
        45..=54 => "45-54",
        55..=64 => "55-64",
        _ => "65+",
    }
}

fn weekday(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "MON",
        Weekday::Tuesday => "TUE",
        Weekday::Wednesday => "WED",
        Weekday::Thursday => "THU",
        Weekday::Friday => "FRI",
        Weekday::Saturday => "SAT",
        Weekday::Sunday => "SUN",
    }
}

fn flight(subject: &Subject) -> Option<&Leg> {
    subject.flight.as_ref()
}

fn one_way(legs: &[Leg]) -> Option<bool> {
    let (first, last) = (legs.first()?, legs.last()?);
    Some(!first.origin.eq_ignore_ascii_case(&last.destination))
}

/// Stops between two legs shorter than this are connections (transit), longer ones stays.
const CONNECTION_SECS: i64 = 24 * 3600;

fn gaps(legs: &[Leg]) -> impl Iterator<Item = (usize, Option<i64>)> + '_ {
    legs.windows(2).enumerate().map(|(i, pair)| {
        let gap = match pair {
            [a, b] => match (a.departure, b.departure) {
                (Some(x), Some(y)) => Some(y.duration_since(x).as_secs()),
                _ => None,
            },
            _ => None,
        };
        (i, gap)
    })
}

fn turnaround(legs: &[Leg]) -> Option<&str> {
    match one_way(legs)? {
        true => legs.last().map(|l| l.destination.as_str()),
        false => {
            // The stop followed by the longest stay; without times, the middle leg's end.
            let longest = gaps(legs)
                .filter_map(|(i, g)| g.map(|g| (g, i)))
                .max()
                .map(|(_, i)| i);
            let at = longest.unwrap_or((legs.len().saturating_sub(1)) / 2);
            legs.get(at).map(|l| l.destination.as_str())
        }
    }
}

fn route(legs: &[Leg]) -> Vec<Cow<'_, str>> {
    let mut out: Vec<Cow<'_, str>> = Vec::with_capacity(legs.len() + 1);
    for leg in legs {
        for airport in [&leg.origin, &leg.destination] {
            if out.last().is_none_or(|l| l.as_ref() != airport.as_str()) {
                out.push(Cow::Borrowed(airport.as_str()));
            }
        }
    }
    out
}

fn countries(legs: &[Leg]) -> Vec<Cow<'_, str>> {
    let mut out: Vec<Cow<'_, str>> = Vec::new();
    for leg in legs {
        for c in [&leg.origin_country, &leg.destination_country]
            .into_iter()
            .flatten()
        {
            if !out.iter().any(|o| o.as_ref() == c.as_str()) {
                out.push(Cow::Borrowed(c.as_str()));
            }
        }
    }
    out
}

fn carriers(legs: &[Leg]) -> Vec<Cow<'_, str>> {
    let mut out: Vec<Cow<'_, str>> = Vec::new();
    for c in legs.iter().filter_map(|l| l.operating_carrier.as_ref()) {
        if !out.iter().any(|o| o.as_ref() == c.as_str()) {
            out.push(Cow::Borrowed(c.as_str()));
        }
    }
    out
}

fn list_or_absent(list: Vec<Cow<'_, str>>, known: bool) -> Value<'_> {
    if known {
        Value::List(list)
    } else {
        Value::Absent
    }
}

macro_rules! field {
    ($name:literal, $ty:ident, $annex:literal, $restriction:ident, $desc:literal, $get:expr) => {
        Field {
            name: $name,
            ty: Type::$ty,
            description: $desc,
            annex_item: $annex,
            restriction: Restriction::$restriction,
            get: $get,
        }
    };
}

static FIELDS: [Field; 68] = [
    // Traveller (Annex I items 4, 12, 18).
    field!(
        "traveller.surname",
        String,
        4,
        ExactNotAlone,
        "Family name as sent. Exact comparisons only, never alone.",
        |s| st(&s.traveller.surname)
    ),
    field!(
        "traveller.given_names",
        String,
        4,
        ExactNotAlone,
        "Given names as sent, space separated. Exact comparisons only, never alone.",
        |s| st(&s.traveller.given_names)
    ),
    field!(
        "traveller.age",
        Int,
        18,
        NotAlone,
        "Age in whole years on the departure date, from the date of birth. Never alone.",
        |s| i(age(s))
    ),
    field!(
        "traveller.age_band",
        String,
        18,
        NotAlone,
        "Age band on the departure date: 0-11, 12-17, 18-24, 25-34, 35-44, 45-54, 55-64, 65+. Never alone.",
        |s| age(s).map_or(Value::Absent, |a| Value::Str(Cow::Borrowed(age_band(a))))
    ),
    field!(
        "traveller.minor",
        Bool,
        18,
        NotAlone,
        "Under 18 on the departure date. Never alone.",
        |s| b(age(s).map(|a| a < 18))
    ),
    field!(
        "traveller.date_of_birth",
        DateTime,
        18,
        NotAlone,
        "Date of birth (at 00:00). Never alone.",
        |s| dt(s
            .traveller
            .date_of_birth
            .map(|d| d.to_datetime(jiff::civil::Time::midnight())))
    ),
    field!(
        "traveller.sex",
        String,
        18,
        NotAlone,
        "Sex as in the travel document: M, F, X or U (unspecified). Never alone.",
        |s| s
            .traveller
            .sex
            .map_or(Value::Absent, |x| Value::Str(Cow::Borrowed(match x {
                Sex::Male => "M",
                Sex::Female => "F",
                Sex::Other => "X",
                Sex::Unspecified => "U",
            })))
    ),
    field!(
        "traveller.nationality",
        String,
        18,
        NotAlone,
        "Nationality code as sent (ISO 3166 alpha-3 in API data). Never alone.",
        |s| st(&s.traveller.nationality)
    ),
    field!(
        "traveller.unaccompanied_minor",
        Bool,
        12,
        None,
        "The booking marks the traveller as an unaccompanied minor.",
        |s| b(s.traveller.unaccompanied_minor)
    ),
    // Travel document (item 18).
    field!(
        "document.kind",
        String,
        18,
        None,
        "Document type code as sent: P passport, I identity card, …",
        |s| s.document.as_ref().map_or(Value::Absent, |d| st(&d.kind))
    ),
    field!(
        "document.issuing_state",
        String,
        18,
        NotAlone,
        "State or organisation that issued the document. Never alone.",
        |s| s
            .document
            .as_ref()
            .map_or(Value::Absent, |d| st(&d.issuing_state))
    ),
    field!(
        "document.expiry",
        DateTime,
        18,
        None,
        "Expiry date of the document (at 00:00).",
        |s| dt(s
            .document
            .as_ref()
            .and_then(|d| d.expiry)
            .map(|d| d.to_datetime(jiff::civil::Time::midnight())))
    ),
    field!(
        "document.expires_in_days",
        Int,
        18,
        None,
        "Days from the departure date to the document's expiry; negative when already expired.",
        |s| i(
            match (s.document.as_ref().and_then(|d| d.expiry), departure(s)) {
                (Some(expiry), Some(dep)) => Some(days_between(expiry, dep.date())),
                _ => None,
            }
        )
    ),
    // Booking (items 1, 2, 9, 11, 17, 19).
    field!(
        "booking.locator",
        String,
        1,
        None,
        "PNR record locator.",
        |s| st(&s.booking.locator)
    ),
    field!(
        "booking.created",
        DateTime,
        2,
        None,
        "When the booking was made (local time as sent).",
        |s| dt(s.booking.created)
    ),
    field!(
        "booking.last_changed",
        DateTime,
        19,
        None,
        "When the booking was last changed (local time as sent).",
        |s| dt(s.booking.last_changed)
    ),
    field!(
        "booking.lead_time",
        Duration,
        2,
        None,
        "Scheduled departure minus booking creation; write durations like 24h, 90m, 3d. Local times: off by the time-zone difference at most.",
        |s| match (departure(s), s.booking.created) {
            (Some(d), Some(c)) => Value::Duration(d.duration_since(c).as_secs()),
            _ => Value::Absent,
        }
    ),
    field!(
        "booking.lead_time_hours",
        Float,
        2,
        None,
        "booking.lead_time as a number of hours.",
        |s| fl(hours_between(departure(s), s.booking.created))
    ),
    field!(
        "booking.change_lead_time_hours",
        Float,
        19,
        None,
        "Hours between the last change of the booking and the scheduled departure.",
        |s| fl(hours_between(departure(s), s.booking.last_changed))
    ),
    field!(
        "booking.changes",
        Int,
        19,
        None,
        "Number of recorded changes to the booking.",
        |s| i(s.booking.changes.map(i64::from))
    ),
    field!(
        "booking.party_size",
        Int,
        17,
        None,
        "Number of travellers on the booking.",
        |s| i(s.booking.party_size.map(i64::from))
    ),
    field!(
        "booking.agency_iata",
        String,
        9,
        None,
        "IATA number of the travel agency that made the booking.",
        |s| st(&s.booking.agency_iata)
    ),
    field!(
        "booking.agency_city",
        String,
        9,
        None,
        "City (code) of the point of sale.",
        |s| st(&s.booking.agency_city)
    ),
    field!(
        "booking.agency_country",
        String,
        9,
        None,
        "Country of the point of sale.",
        |s| st(&s.booking.agency_country)
    ),
    field!(
        "booking.channel",
        String,
        9,
        None,
        "How it was booked: agency, online, airline, call_centre, other.",
        |s| st(&s.booking.channel)
    ),
    field!(
        "booking.split",
        Bool,
        11,
        None,
        "The booking was split from or divided into another.",
        |s| b(s.booking.split)
    ),
    field!(
        "co_travellers.count",
        Int,
        17,
        None,
        "Other travellers on the same booking (party size minus one).",
        |s| i(s.booking.party_size.map(|n| i64::from(n.saturating_sub(1))))
    ),
    // The assessed flight (items 3, 7, 15).
    field!(
        "flight.origin",
        String,
        7,
        None,
        "Departure airport (IATA code) of the assessed flight.",
        |s| flight(s).map_or(Value::Absent, |l| Value::Str(Cow::Borrowed(&l.origin)))
    ),
    field!(
        "flight.destination",
        String,
        7,
        None,
        "Arrival airport (IATA code) of the assessed flight.",
        |s| flight(s).map_or(Value::Absent, |l| Value::Str(Cow::Borrowed(&l.destination)))
    ),
    field!(
        "flight.origin_country",
        String,
        7,
        None,
        "Country of the departure airport.",
        |s| flight(s).map_or(Value::Absent, |l| st(&l.origin_country))
    ),
    field!(
        "flight.destination_country",
        String,
        7,
        None,
        "Country of the arrival airport.",
        |s| flight(s).map_or(Value::Absent, |l| st(&l.destination_country))
    ),
    field!(
        "flight.departure",
        DateTime,
        3,
        None,
        "Scheduled departure, local time at the origin.",
        |s| dt(flight(s).and_then(|l| l.departure))
    ),
    field!(
        "flight.departure_hour",
        Int,
        3,
        None,
        "Hour of the scheduled departure, 0–23, local.",
        |s| i(flight(s)
            .and_then(|l| l.departure)
            .map(|d| i64::from(d.hour())))
    ),
    field!(
        "flight.departure_weekday",
        String,
        3,
        None,
        "Day of the week of the scheduled departure: MON … SUN, local.",
        |s| flight(s)
            .and_then(|l| l.departure)
            .map_or(Value::Absent, |d| Value::Str(Cow::Borrowed(weekday(
                d.weekday()
            ))))
    ),
    field!(
        "flight.operating_carrier",
        String,
        15,
        None,
        "Operating carrier (IATA code).",
        |s| flight(s).map_or(Value::Absent, |l| st(&l.operating_carrier))
    ),
    field!(
        "flight.marketing_carrier",
        String,
        15,
        None,
        "Marketing carrier (IATA code).",
        |s| flight(s).map_or(Value::Absent, |l| st(&l.marketing_carrier))
    ),
    field!(
        "flight.number",
        String,
        7,
        None,
        "Flight number without the carrier code, as sent.",
        |s| flight(s).map_or(Value::Absent, |l| st(&l.flight_number))
    ),
    field!(
        "flight.codeshare",
        Bool,
        15,
        None,
        "Marketed by another carrier than the one operating it.",
        |s| flight(s).map_or(Value::Absent, |l| {
            match (&l.operating_carrier, &l.marketing_carrier) {
                (Some(o), Some(m)) => Value::Bool(!o.eq_ignore_ascii_case(m)),
                _ => Value::Absent,
            }
        })
    ),
    // The whole itinerary (items 3, 7, 13, 15).
    field!(
        "itinerary.origin",
        String,
        7,
        None,
        "First departure airport of the booking.",
        |s| s
            .itinerary
            .first()
            .map_or(Value::Absent, |l| Value::Str(Cow::Borrowed(&l.origin)))
    ),
    field!(
        "itinerary.destination",
        String,
        7,
        None,
        "Where the trip goes: the last arrival of a one-way trip; for a return trip the stop followed by the longest stay.",
        |s| turnaround(&s.itinerary).map_or(Value::Absent, |d| Value::Str(Cow::Borrowed(d)))
    ),
    field!(
        "itinerary.route",
        StringList,
        7,
        None,
        "Airports in travel order.",
        |s| list_or_absent(route(&s.itinerary), !s.itinerary.is_empty())
    ),
    field!(
        "itinerary.countries",
        StringList,
        7,
        None,
        "Countries of the airports, in travel order, each once (as far as the intake knows them).",
        |s| list_or_absent(countries(&s.itinerary), !s.itinerary.is_empty())
    ),
    field!(
        "itinerary.carriers",
        StringList,
        15,
        None,
        "Operating carriers of the itinerary, each once.",
        |s| list_or_absent(carriers(&s.itinerary), !s.itinerary.is_empty())
    ),
    field!(
        "itinerary.legs",
        Int,
        7,
        None,
        "Number of flights in the booking.",
        |s| if s.itinerary.is_empty() {
            Value::Absent
        } else {
            Value::Int(s.itinerary.len() as i64)
        }
    ),
    field!(
        "itinerary.connections",
        Int,
        7,
        None,
        "Stops of less than 24 hours between two flights (transits).",
        |s| if s.itinerary.is_empty() {
            Value::Absent
        } else {
            Value::Int(
                gaps(&s.itinerary)
                    .filter(|(_, g)| g.is_some_and(|g| g < CONNECTION_SECS))
                    .count() as i64,
            )
        }
    ),
    field!(
        "itinerary.one_way",
        Bool,
        13,
        None,
        "The itinerary does not end where it began.",
        |s| b(one_way(&s.itinerary))
    ),
    field!(
        "itinerary.trip_days",
        Int,
        7,
        None,
        "Days from the first to the last departure of a return trip; absent for one-way trips.",
        |s| match (
            one_way(&s.itinerary),
            s.itinerary.first().and_then(|l| l.departure),
            s.itinerary.last().and_then(|l| l.departure)
        ) {
            (Some(false), Some(a), Some(z)) => Value::Int(days_between(z.date(), a.date())),
            _ => Value::Absent,
        }
    ),
    // Payment (item 6).
    field!(
        "payment.types",
        StringList,
        6,
        None,
        "Form-of-payment type codes: CA cash, CC card, MS miscellaneous, CK cheque, IN invoice, …",
        |s| list_or_absent(
            s.payment
                .types
                .iter()
                .map(|t| Cow::Borrowed(t.as_str()))
                .collect(),
            !s.payment.types.is_empty()
        )
    ),
    field!(
        "payment.cash",
        Bool,
        6,
        None,
        "Paid (at least partly) in cash (CA).",
        |s| if s.payment.types.is_empty() {
            Value::Absent
        } else {
            Value::Bool(s.payment.types.iter().any(|t| t.eq_ignore_ascii_case("CA")))
        }
    ),
    field!(
        "payment.card",
        Bool,
        6,
        None,
        "Paid (at least partly) by card (CC).",
        |s| if s.payment.types.is_empty() {
            Value::Absent
        } else {
            Value::Bool(s.payment.types.iter().any(|t| t.eq_ignore_ascii_case("CC")))
        }
    ),
    field!(
        "payment.third_party",
        Bool,
        6,
        None,
        "The payer's name is none of the travellers' names.",
        |s| b(s.payment.payer_in_party.map(|p| !p))
    ),
    field!(
        "payment.card_country",
        String,
        6,
        None,
        "Country of the card issuer, when a card paid.",
        |s| st(&s.payment.card_country)
    ),
    // Ticket (item 13).
    field!(
        "ticket.number_present",
        Bool,
        13,
        None,
        "A ticket number is recorded.",
        |s| b(s.ticket.number_present)
    ),
    field!(
        "ticket.ticketed",
        Bool,
        13,
        None,
        "The booking is ticketed.",
        |s| b(s.ticket.ticketed)
    ),
    field!(
        "ticket.issued",
        DateTime,
        13,
        None,
        "When the ticket was issued (local time as sent).",
        |s| dt(s.ticket.issued)
    ),
    field!(
        "ticket.lead_time_hours",
        Float,
        13,
        None,
        "Hours from ticket issue to scheduled departure.",
        |s| fl(hours_between(departure(s), s.ticket.issued))
    ),
    // Bags (item 16), seat (14), check-in (10).
    field!(
        "bags.count",
        Int,
        16,
        None,
        "Number of checked bags.",
        |s| i(s.bags.count.map(i64::from))
    ),
    field!(
        "bags.weight_kg",
        Float,
        16,
        None,
        "Total weight of checked bags in kilograms.",
        |s| fl(s.bags.weight_kg)
    ),
    field!(
        "seat.number",
        String,
        14,
        None,
        "Seat number, e.g. 23A.",
        |s| st(&s.seat.number)
    ),
    field!(
        "seat.assigned_at_check_in",
        Bool,
        14,
        None,
        "The seat was assigned at check-in rather than at booking.",
        |s| b(s.seat.assigned_at_check_in)
    ),
    field!(
        "check_in.checked_in",
        Bool,
        10,
        None,
        "The traveller has checked in.",
        |s| b(s.check_in.checked_in)
    ),
    field!(
        "check_in.hours_before_departure",
        Float,
        10,
        None,
        "Hours between check-in and scheduled departure.",
        |s| fl(hours_between(departure(s), s.check_in.at))
    ),
    field!(
        "check_in.go_show",
        Bool,
        10,
        None,
        "Accepted at the airport without a prior booking on this flight.",
        |s| b(s.check_in.go_show)
    ),
    // Frequent flyer (item 8) and contacts (item 5).
    field!(
        "frequent_flyer.present",
        Bool,
        8,
        None,
        "A frequent flyer number is on the booking.",
        |s| Value::Bool(s.frequent_flyer.is_some())
    ),
    field!(
        "frequent_flyer.carrier",
        String,
        8,
        None,
        "Carrier of the frequent flyer programme.",
        |s| s
            .frequent_flyer
            .as_ref()
            .map_or(Value::Absent, |f| st(&f.carrier))
    ),
    field!(
        "frequent_flyer.tier",
        String,
        8,
        None,
        "Status (tier) in the programme, as sent.",
        |s| s
            .frequent_flyer
            .as_ref()
            .map_or(Value::Absent, |f| st(&f.tier))
    ),
    field!(
        "contacts.has_email",
        Bool,
        5,
        None,
        "The traveller's own e-mail address is on the booking (its content is not offered).",
        |s| b(s.contacts.has_email)
    ),
    field!(
        "contacts.has_phone",
        Bool,
        5,
        None,
        "The traveller's own telephone number is on the booking (its content is not offered).",
        |s| b(s.contacts.has_phone)
    ),
];
