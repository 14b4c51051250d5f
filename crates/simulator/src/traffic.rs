//! One flight's traffic: its bookings and travellers, and every message its carrier sends about
//! it — PNR pushes at T-48 h, T-24 h and closure, the passenger list at check-in closure, the
//! crew list, the boarded close-out — with the real-world quirks the rates ask for.

use compact_str::CompactString as Text;
use edifact::date::LocalDateTime;
use edifact::{InterchangeHeader, Separators, SeriesPosition};
use jiff::{SignedDuration, Timestamp};
use serde::Serialize;

use crate::data::{Data, Delivery};
use crate::people::{self, Age, Person};
use crate::rng::Rng;
use crate::schedule::{Flight, FlightStatus, local_at};
use crate::truth::{self, Entry, Relation, Truth};

/// What kind of message was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    PnrPush,
    PassengerList,
    CrewList,
    CloseOut,
    Cancellation,
}

/// A real-world deviation put into a message on purpose.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Quirk {
    /// Type B-safe separators `UNA:(.) -`.
    TypeBSeparators,
    /// Type B teletype framing (`SOH QK … STX … ETX`) around the interchange.
    TypeBFraming,
    /// Segments wrapped at 64 characters with CR LF.
    LineWrapping,
    /// A part of a multi-part series sent after a later part.
    OutOfOrder,
    MissingDateOfBirth,
    /// A manually keyed name with a typing error.
    Typo,
    /// The same bytes sent twice.
    Duplicate,
    /// Sent after its window.
    Late,
}

impl Quirk {
    /// The finding code Passage's readers report for this quirk, if any.
    pub fn finding(self) -> Option<&'static str> {
        match self {
            Quirk::TypeBFraming => Some("preamble_skipped"),
            Quirk::LineWrapping => Some("segment_wrapped"),
            Quirk::MissingDateOfBirth => Some("missing_mandatory"),
            _ => None,
        }
    }
}

/// One message as a carrier sends it.
#[derive(Debug, Clone, Serialize)]
pub struct Sent {
    /// When it is sent (UTC).
    pub at: Timestamp,
    pub carrier: String,
    pub kind: Kind,
    pub flight: String,
    pub file: String,
    #[serde(skip)]
    pub bytes: Vec<u8>,
    pub bytes_len: usize,
    pub quirks: Vec<Quirk>,
}

/// A flight's summary for the flights file.
#[derive(Debug, Clone, Serialize)]
pub struct FlightSummary {
    pub key: String,
    pub carrier: String,
    pub origin: String,
    pub destination: String,
    pub departure_local: String,
    pub departure_utc: Timestamp,
    pub status: FlightStatus,
    pub seats: u32,
    pub travellers: usize,
    pub bookings: usize,
    /// The carrier never sent the closure messages (close-out list and closure push).
    pub no_closure: bool,
}

struct Traveller {
    person: Person,
    reference: String,
    tif: usize,
    checked_in: bool,
    manual: bool,
    meal: Option<&'static str>,
    medical: Option<&'static str>,
    frequent_flyer: Option<String>,
    seat: String,
    bags: u32,
    missing_birth: bool,
    typo: Option<String>,
}

struct Booking {
    locator: String,
    created: Timestamp,
    agency: Option<(String, String)>,
    phone: String,
    payment: &'static str,
    travellers: Vec<Traveller>,
}

const LOCATOR: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
const DIGITS: &[u8] = b"0123456789";
const RELIGIOUS_MEALS: [&str; 5] = ["MOML", "KSML", "HNML", "JNML", "VJML"];
const OTHER_MEALS: [&str; 5] = ["VGML", "DBML", "GFML", "CHML", "LFML"];
const MEDICAL: [&str; 5] = ["WCHR", "WCHS", "WCHC", "MEDA", "BLND"];

/// Everything one flight produces.
#[derive(Debug)]
pub struct FlightTraffic {
    pub summary: FlightSummary,
    pub messages: Vec<Sent>,
    pub truth: Vec<Truth>,
}

/// Counters that make interchange references unique across a run.
#[derive(Debug, Default)]
pub struct References {
    next: u64,
}

impl References {
    fn next(&mut self) -> u64 {
        self.next += 1;
        self.next
    }
}

/// Plans for planting listed people and look-alikes on this flight.
#[derive(Debug)]
pub struct Planting<'a> {
    pub listed: Option<(&'a Entry, truth::Variation)>,
    pub look_alike: Option<&'a Entry>,
}

pub fn flight(
    data: &Data,
    home_country: &str,
    f: &Flight,
    planting: Planting<'_>,
    refs: &mut References,
    rng: &mut Rng,
) -> FlightTraffic {
    let key = f.key(data);
    let carrier = data.carriers.get(f.carrier);
    let carrier_code = carrier.map_or("XX", |c| c.code.as_str()).to_string();
    let origin = data.airports.get(f.origin);
    let destination = data.airports.get(f.destination);
    let today = f.departure.local.date();
    let load = data.rate("load_factor_min")
        + rng.unit() * (data.rate("load_factor_max") - data.rate("load_factor_min"));
    let wanted = ((f64::from(f.seats) * load) as usize).max(1);
    let foreign_country = if f.inbound { origin } else { destination }
        .map_or(home_country.to_string(), |a| a.country.clone());

    let mut bookings: Vec<Booking> = Vec::new();
    let mut count = 0;
    let mut seat_row = 1;
    while count < wanted {
        let party = match rng.below(100) {
            0..=57 => 1,
            58..=82 => 2,
            83..=90 => 3,
            91..=96 => 4,
            _ => rng.between(5, 6) as usize,
        }
        .min(wanted - count);
        let nationality = match rng.below(100) {
            0..=54 => foreign_country.clone(),
            55..=89 => home_country.to_string(),
            _ => rng
                .pick(&data.airports)
                .map_or(home_country.to_string(), |a| a.country.clone()),
        };
        let family = party >= 3 && rng.chance(data.rate("family_party_of_3_or_more"))
            || party == 2 && rng.chance(data.rate("family_party_of_2"));
        let lead = people::person(data, &nationality, None, None, Age::Adult, today, rng);
        let surname_name = data
            .cultures
            .get(&lead.culture)
            .and_then(|p| p.surnames.iter().find(|n| n.latin == lead.surname))
            .cloned();
        let culture = lead.culture.clone();
        let mut travellers = Vec::with_capacity(party);
        for i in 0..party {
            let person = if i == 0 {
                lead.clone()
            } else {
                let age = if family && i >= 2 {
                    if rng.chance(data.rate("infants") * 8.0) {
                        Age::Infant
                    } else {
                        Age::Child
                    }
                } else {
                    Age::Adult
                };
                let mut p = people::person(
                    data,
                    &nationality,
                    if family { surname_name.as_ref() } else { None },
                    Some(&culture),
                    age,
                    today,
                    rng,
                );
                if family {
                    p.surname = lead.surname.clone();
                }
                p
            };
            let meal = rng.chance(data.rate("ssr_meal")).then(|| {
                if rng.chance(data.rate("ssr_meal_religious")) {
                    RELIGIOUS_MEALS
                        .get(rng.index(RELIGIOUS_MEALS.len()))
                        .copied()
                        .unwrap_or("MOML")
                } else {
                    OTHER_MEALS
                        .get(rng.index(OTHER_MEALS.len()))
                        .copied()
                        .unwrap_or("VGML")
                }
            });
            let medical = rng.chance(data.rate("ssr_medical")).then(|| {
                MEDICAL
                    .get(rng.index(MEDICAL.len()))
                    .copied()
                    .unwrap_or("WCHR")
            });
            let seat = format!("{:02}{}", seat_row, char::from(b'A' + (count % 6) as u8));
            if count % 6 == 5 {
                seat_row += 1;
            }
            count += 1;
            let manual = rng.chance(data.rate("manual_check_in"));
            travellers.push(Traveller {
                reference: format!("{}{:06}", carrier_code, rng.below(1_000_000)),
                tif: i + 1,
                checked_in: !rng.chance(data.rate("no_show")),
                manual,
                meal,
                medical,
                frequent_flyer: rng
                    .chance(data.rate("ssr_frequent_flyer"))
                    .then(|| rng.code(DIGITS, 10)),
                seat,
                bags: rng.below(3) as u32,
                missing_birth: rng.chance(data.rate("quirk_missing_date_of_birth")),
                typo: (manual && rng.chance(data.rate("quirk_typo") * 6.0))
                    .then(|| truth::typo(&person.surname, rng)),
                person,
            });
        }
        let lead_days = (rng.unit().powi(2) * 120.0) as i64 + 1;
        bookings.push(Booking {
            locator: rng.code(LOCATOR, 6),
            created: f.departure.utc
                - SignedDuration::from_hours(lead_days * 24 + rng.below(24) as i64),
            agency: rng.chance(data.rate("booked_by_agency")).then(|| {
                (
                    rng.code(DIGITS, 8),
                    format!(
                        "{}{}",
                        origin.map_or("XXX", |a| a.iata.as_str()),
                        rng.code(LOCATOR, 4)
                    ),
                )
            }),
            phone: rng.code(DIGITS, 10),
            payment: match rng.below(100) {
                0..=74 => "CC",
                75..=84 => "CA",
                85..=89 => "MS",
                _ => "IN",
            },
            travellers,
        });
    }

    // Ground truth: one traveller becomes the listed person, another a look-alike.
    let mut truth = Vec::new();
    let adults: Vec<(usize, usize)> = bookings
        .iter()
        .enumerate()
        .flat_map(|(b, bk)| {
            bk.travellers
                .iter()
                .enumerate()
                .filter(|(_, t)| t.person.age == Age::Adult && t.typo.is_none() && !t.missing_birth)
                .map(move |(t, _)| (b, t))
        })
        .collect();
    let mut chosen = adults.iter().copied();
    if let Some((entry, variation)) = planting.listed
        && let Some((b, t)) = chosen.next()
        && let Some(bk) = bookings.get_mut(b)
        && let Some(tr) = bk.travellers.get_mut(t)
    {
        truth::plant(&mut tr.person, entry, variation, rng);
        truth.push(Truth {
            flight: key.clone(),
            passenger_reference: tr.reference.clone(),
            booking: bk.locator.clone(),
            entry: entry.id.clone(),
            relation: Relation::Listed(variation),
        });
    }
    if let Some(entry) = planting.look_alike
        && let Some((b, t)) = chosen.next()
        && let Some(bk) = bookings.get_mut(b)
        && let Some(tr) = bk.travellers.get_mut(t)
    {
        truth::look_alike(&mut tr.person, entry, rng);
        truth.push(Truth {
            flight: key.clone(),
            passenger_reference: tr.reference.clone(),
            booking: bk.locator.clone(),
            entry: entry.id.clone(),
            relation: Relation::LookAlike,
        });
    }

    let no_closure = rng.chance(data.rate("quirk_no_closure"));
    let typeb = carrier.is_some_and(|c| c.delivery == Delivery::TypeB);
    let ctx = Context {
        data,
        flight: f,
        key: key.clone(),
        carrier: carrier_code.clone(),
        typeb,
    };
    let mut messages = Vec::new();
    let departure = match f.status {
        FlightStatus::Delayed(minutes) => f.departure.utc + SignedDuration::from_mins(minutes),
        _ => f.departure.utc,
    };

    // PNR pushes.
    let pushes: Vec<(Timestamp, bool)> = match f.status {
        FlightStatus::Cancelled => vec![(f.departure.utc - SignedDuration::from_hours(48), false)],
        _ => {
            let mut p = vec![
                (f.departure.utc - SignedDuration::from_hours(48), false),
                (f.departure.utc - SignedDuration::from_hours(24), false),
            ];
            if !no_closure {
                p.push((departure + SignedDuration::from_mins(20), true));
            }
            p
        }
    };
    for (at, closure) in pushes {
        let push = pnr_push(&ctx, &bookings, at, closure);
        let reference = refs.next();
        let bytes = write_push(&ctx, &push, at, reference);
        messages.push(sent(&ctx, at, Kind::PnrPush, bytes, vec![], reference));
    }

    match f.status {
        FlightStatus::Cancelled => {
            let at = f.departure.utc - SignedDuration::from_hours(3);
            let list = api_list(
                &ctx,
                paxlst::DocumentKind::FlightStatus,
                Some(paxlst::ListChange::FlightCancelled),
                vec![],
            );
            messages.extend(api_messages(&ctx, &list, at, Kind::Cancellation, refs, rng));
        }
        _ => {
            let crew_at = departure - SignedDuration::from_mins(90);
            let crew = crew_list(&ctx, rng);
            messages.extend(api_messages(
                &ctx,
                &crew,
                crew_at,
                Kind::CrewList,
                refs,
                rng,
            ));
            let at = departure - SignedDuration::from_mins(40);
            let persons: Vec<paxlst::Person> = bookings
                .iter()
                .flat_map(|b| {
                    b.travellers
                        .iter()
                        .filter(|t| t.checked_in)
                        .map(move |t| (b, t))
                })
                .map(|(b, t)| api_person(&ctx, b, t))
                .collect();
            let list = api_list(&ctx, paxlst::DocumentKind::Passengers, None, persons);
            messages.extend(api_messages(
                &ctx,
                &list,
                at,
                Kind::PassengerList,
                refs,
                rng,
            ));
            if !no_closure {
                let at = departure + SignedDuration::from_mins(15);
                let boarded: Vec<paxlst::Person> = bookings
                    .iter()
                    .flat_map(|b| {
                        b.travellers.iter().filter(|t| t.checked_in).map(move |t| {
                            let mut p = paxlst::Person::with_role(paxlst::PersonRole::Reference);
                            p.references = vec![
                                paxlst::Reference {
                                    qualifier: "AVF".into(),
                                    value: b.locator.as_str().into(),
                                },
                                paxlst::Reference {
                                    qualifier: "ABO".into(),
                                    value: t.reference.as_str().into(),
                                },
                            ];
                            p
                        })
                    })
                    .collect();
                let list = api_list(
                    &ctx,
                    paxlst::DocumentKind::FlightStatus,
                    Some(paxlst::ListChange::ClosedOnBoard),
                    boarded,
                );
                messages.extend(api_messages(&ctx, &list, at, Kind::CloseOut, refs, rng));
            }
        }
    }

    // Duplicates and late sending.
    let mut extra = Vec::new();
    for m in &mut messages {
        if rng.chance(data.rate("quirk_late")) {
            m.at += SignedDuration::from_mins(rng.between(90, 360) as i64);
            m.quirks.push(Quirk::Late);
        }
        if rng.chance(data.rate("quirk_duplicate")) {
            let mut copy = m.clone();
            copy.at += SignedDuration::from_mins(rng.between(1, 30) as i64);
            copy.file = copy.file.replace(".edi", "-resent.edi");
            copy.quirks.push(Quirk::Duplicate);
            extra.push(copy);
        }
    }
    messages.extend(extra);

    let travellers = bookings.iter().map(|b| b.travellers.len()).sum();
    FlightTraffic {
        summary: FlightSummary {
            key,
            carrier: carrier_code,
            origin: origin.map_or(String::new(), |a| a.iata.clone()),
            destination: destination.map_or(String::new(), |a| a.iata.clone()),
            departure_local: f.departure.local.to_string(),
            departure_utc: f.departure.utc,
            status: f.status,
            seats: f.seats,
            travellers,
            bookings: bookings.len(),
            no_closure,
        },
        messages,
        truth,
    }
}

struct Context<'a> {
    data: &'a Data,
    flight: &'a Flight,
    key: String,
    carrier: String,
    typeb: bool,
}

impl Context<'_> {
    fn airport(&self, i: usize) -> &str {
        self.data.airports.get(i).map_or("XXX", |a| a.iata.as_str())
    }

    fn offset(&self, i: usize) -> i32 {
        self.data
            .airports
            .get(i)
            .map_or(0, |a| a.utc_offset_minutes)
    }
}

fn local(at: jiff::civil::DateTime) -> LocalDateTime {
    LocalDateTime {
        date: at.date(),
        time: Some(at.time()),
    }
}

fn header(ctx: &Context<'_>, at: Timestamp, reference: u64, syntax: &str) -> InterchangeHeader {
    let utc = local_at(at, 0);
    InterchangeHeader {
        syntax_identifier: syntax.into(),
        syntax_version: Some(if syntax == "IATA" { "1" } else { "4" }.into()),
        sender: ctx.carrier.clone(),
        recipient: "PIU".into(),
        date: format!(
            "{:02}{:02}{:02}",
            utc.year().rem_euclid(100),
            utc.month(),
            utc.day()
        ),
        time: format!("{:02}{:02}", utc.hour(), utc.minute()),
        control_reference: format!("{reference:010}"),
        ..Default::default()
    }
}

fn sent(
    ctx: &Context<'_>,
    at: Timestamp,
    kind: Kind,
    bytes: Vec<u8>,
    quirks: Vec<Quirk>,
    reference: u64,
) -> Sent {
    let stamp = local_at(at, 0);
    let kind_name = match kind {
        Kind::PnrPush => "pnr",
        Kind::PassengerList => "api",
        Kind::CrewList => "crew",
        Kind::CloseOut => "clob",
        Kind::Cancellation => "xf",
    };
    let flight = ctx.key.split('/').next().unwrap_or("X");
    Sent {
        at,
        carrier: ctx.carrier.clone(),
        kind,
        flight: ctx.key.clone(),
        file: format!(
            "{}_{}_{}_{}_{}_{reference:010}.edi",
            stamp.strftime("%Y%m%dT%H%M%S"),
            ctx.carrier,
            kind_name,
            flight,
            ctx.flight.departure.local.date().strftime("%m%d"),
        ),
        bytes_len: bytes.len(),
        bytes,
        quirks,
    }
}

/// The flight as the PNR names it: the operating flight in the push header; in the itinerary,
/// the marketing carrier's flight for a code share, with the operating carrier beside it.
fn pnr_flight(ctx: &Context<'_>, as_sold: bool) -> pnrgov::Flight {
    let f = ctx.flight;
    let (carrier, number, operating) = match f.marketing {
        Some((partner, number)) if as_sold => (
            ctx.data
                .carriers
                .get(partner)
                .map_or(ctx.carrier.clone(), |c| c.code.clone()),
            number,
            Some(Text::from(ctx.carrier.as_str())),
        ),
        _ => (ctx.carrier.clone(), f.number, None),
    };
    pnrgov::Flight {
        departure: Some(pnrgov::LocalTime {
            at: local(f.departure.local),
            place: ctx.airport(f.origin).into(),
        }),
        arrival: Some(pnrgov::LocalTime {
            at: local(f.arrival.local),
            place: ctx.airport(f.destination).into(),
        }),
        origin: Some(ctx.airport(f.origin).into()),
        destination: Some(ctx.airport(f.destination).into()),
        carrier: Some(carrier.as_str().into()),
        operating_carrier: operating,
        number: Some(number.to_string().into()),
        booking_class: Some("Y".into()),
    }
}

fn ddmmmyy(d: jiff::civil::Date) -> String {
    const MONTHS: [&str; 12] = [
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ];
    let month = MONTHS
        .get(usize::try_from(d.month() - 1).unwrap_or(0))
        .copied()
        .unwrap_or("JAN");
    format!("{:02}{month}{:02}", d.day(), d.year().rem_euclid(100))
}

fn ssr(code: &str, text: Option<String>) -> pnrgov::Ssr {
    pnrgov::Ssr {
        code: code.into(),
        status: Some("HK".into()),
        quantity: Some(1),
        airline: None,
        board_point: None,
        off_point: None,
        text: text.map(Text::from),
        traveller: None,
        sensitive: None,
        segment: 0,
    }
}

fn pnr_push(ctx: &Context<'_>, bookings: &[Booking], at: Timestamp, closure: bool) -> pnrgov::Push {
    let flight = pnr_flight(ctx, true);
    let offset = ctx.offset(ctx.flight.origin);
    let mut out = Vec::new();
    for b in bookings.iter().filter(|b| b.created <= at) {
        let mut travellers = Vec::new();
        let mut check_ins = Vec::new();
        for t in &b.travellers {
            let p = &t.person;
            let title = match (p.age, p.sex) {
                (Age::Adult, people::Sex::Male) => "MR",
                (Age::Adult, people::Sex::Female) => "MRS",
                (Age::Child, people::Sex::Male) => "MSTR",
                (Age::Child, people::Sex::Female) => "MISS",
                (Age::Infant, _) => "",
            };
            let given = if title.is_empty() {
                p.given()
            } else {
                format!("{} {title}", p.given())
            };
            let sex = match (p.age, p.sex) {
                (Age::Infant, people::Sex::Male) => "MI",
                (Age::Infant, people::Sex::Female) => "FI",
                (_, s) => s.code(),
            };
            let mut ssrs = Vec::new();
            if !t.manual || t.tif % 2 == 0 {
                ssrs.push(ssr(
                    "DOCS",
                    Some(format!(
                        "/P/{}/{}/{}/{}/{sex}/{}/{}/{}",
                        p.passport.issuing_state,
                        p.passport.number,
                        p.nationality,
                        ddmmmyy(p.birth),
                        ddmmmyy(p.passport.expiry),
                        p.surname,
                        p.given()
                    )),
                ));
            }
            if let Some(meal) = t.meal {
                ssrs.push(ssr(meal, None));
            }
            if let Some(medical) = t.medical {
                ssrs.push(ssr(medical, None));
            }
            travellers.push(pnrgov::Traveller {
                surname: p.surname.as_str().into(),
                given_name: Some(given.into()),
                title: None,
                kind: match p.age {
                    Age::Adult => pnrgov::TravellerKind::Adult,
                    Age::Child => pnrgov::TravellerKind::Child,
                    Age::Infant => pnrgov::TravellerKind::Infant,
                },
                reference: Some(t.tif.to_string().into()),
                with_infant: false,
                infant_of: None,
                frequent_flyer: t
                    .frequent_flyer
                    .iter()
                    .map(|n| pnrgov::FrequentFlyer {
                        airline: ctx.carrier.as_str().into(),
                        number: n.as_str().into(),
                        tier: None,
                    })
                    .collect(),
                references: vec![t.reference.as_str().into()],
                documents: vec![],
                other_documents: vec![],
                contacts: vec![],
                identifications: vec![],
                ssrs,
                remarks: vec![],
                excess_baggage: vec![],
                fare: None,
                tickets: vec![pnrgov::Ticket {
                    number: Some(
                        format!(
                            "{}{}",
                            ctx.data
                                .carriers
                                .get(ctx.flight.carrier)
                                .map_or("999", |c| c.numeric.as_str()),
                            t.reference.get(2..).unwrap_or_default()
                        )
                        .into(),
                    ),
                    kind: Some("T".into()),
                    ..pnrgov::Ticket::default()
                }],
                payments: if t.tif == 1 {
                    vec![pnrgov::Payment {
                        kind: Some(b.payment.into()),
                        vendor: (b.payment == "CC").then(|| "VI".into()),
                        account: (b.payment == "CC").then(|| {
                            Text::from(format!(
                                "XXXXXXXXXXXX{}",
                                b.phone.get(6..).unwrap_or_default()
                            ))
                        }),
                        ..pnrgov::Payment::default()
                    }]
                } else {
                    vec![]
                },
                segment: 0,
            });
            if closure && t.checked_in {
                check_ins.push(pnrgov::CheckIn {
                    sequence: Some(
                        format!("{}-{:03}", ctx.airport(ctx.flight.origin), t.tif).into(),
                    ),
                    traveller: Some(t.tif.to_string().into()),
                    surname: Some(p.surname.as_str().into()),
                    seat: Some(t.seat.as_str().into()),
                    cabin: Some("Y".into()),
                    bags: (t.bags > 0).then(|| pnrgov::Bags {
                        count: Some(t.bags),
                        weight: Some((t.bags * 17).to_string().into()),
                        unit: Some("700".into()),
                        pool: None,
                        tags: vec![pnrgov::BagTag {
                            carrier: ctx
                                .data
                                .carriers
                                .get(ctx.flight.carrier)
                                .map(|c| c.numeric.as_str().into()),
                            number: format!(
                                "{:06}",
                                (t.tif * 7919 + b.locator.len() * 104_729) % 1_000_000
                            )
                            .into(),
                            consecutive: Some(t.bags),
                            destination: Some(ctx.airport(ctx.flight.destination).into()),
                        }],
                    }),
                    at: Some(local(local_at(
                        ctx.flight.departure.utc - SignedDuration::from_mins(70),
                        offset,
                    ))),
                    by: None,
                    segment: 0,
                });
            }
        }
        out.push(pnrgov::Booking {
            locators: vec![pnrgov::RecordLocator {
                system: ctx.carrier.as_str().into(),
                locator: b.locator.as_str().into(),
                created: Some(local(local_at(b.created, offset))),
            }],
            last_change: Some(local(local_at(
                b.created + SignedDuration::from_hours(2),
                offset,
            ))),
            point_of_sale: b
                .agency
                .as_ref()
                .map(|(agency, office)| pnrgov::Organisation {
                    company: Some("1A".into()),
                    agency: Some(agency.as_str().into()),
                    office: Some(office.as_str().into()),
                    originator_type: Some("T".into()),
                    ..pnrgov::Organisation::default()
                }),
            contacts: vec![pnrgov::Contact {
                purpose: Some("702".into()),
                phone: Some(b.phone.as_str().into()),
                ..pnrgov::Contact::default()
            }],
            travellers,
            itinerary: vec![pnrgov::ItinerarySegment {
                flight: flight.clone(),
                party_size: u32::try_from(b.travellers.len()).ok(),
                status: Some("HK".into()),
                check_ins,
                ..pnrgov::ItinerarySegment::default()
            }],
            history: vec![pnrgov::HistoryEntry {
                lines: vec![pnrgov::RawSegment {
                    tag: "LTS".into(),
                    elements: vec![vec![
                        format!(
                            "0/O/SS/{}{}/{}",
                            ctx.carrier,
                            ctx.flight.number,
                            b.travellers.len()
                        )
                        .into(),
                    ]],
                    segment: 0,
                }],
                ..pnrgov::HistoryEntry::default()
            }],
            ..pnrgov::Booking::default()
        });
    }
    pnrgov::Push {
        function: Some("22".into()),
        sender: None,
        flight: Some(pnr_flight(ctx, false)),
        declared_bookings: u32::try_from(out.len()).ok(),
        bookings: out,
        unread: vec![],
    }
}

fn write_push(ctx: &Context<'_>, push: &pnrgov::Push, at: Timestamp, reference: u64) -> Vec<u8> {
    let h = header(ctx, at, reference, "IATA");
    let f = ctx.flight;
    let common = format!(
        "{}/{}/{}/{}",
        f.departure.local.date().strftime("%d%m%y"),
        f.departure.local.time().strftime("%H%M"),
        ctx.carrier,
        f.number
    );
    pnrgov::write::push(
        push,
        &pnrgov::write::PushEnvelope {
            interchange: &h,
            group_reference: Some("1"),
            message_reference: "1",
            version: "13:1",
            common_access_reference: Some(&common),
            series: None,
        },
    )
}

fn api_person(ctx: &Context<'_>, b: &Booking, t: &Traveller) -> paxlst::Person {
    let p = &t.person;
    let mut person = paxlst::Person::with_role(paxlst::PersonRole::Passenger);
    person.surname = Some(t.typo.clone().unwrap_or_else(|| p.surname.clone()).into());
    person.given_names = p
        .given_names
        .iter()
        .map(|g| Text::from(g.as_str()))
        .collect();
    person.sex = Some(match p.sex {
        people::Sex::Male => paxlst::Sex::Male,
        people::Sex::Female => paxlst::Sex::Female,
    });
    person.date_of_birth = (!t.missing_birth).then_some(p.birth);
    person.nationality = Some(p.nationality.as_str().into());
    person.residence = Some(p.residence.as_str().into());
    person.embarkation = Some(ctx.airport(ctx.flight.origin).into());
    person.debarkation = Some(ctx.airport(ctx.flight.destination).into());
    person.verified = Some(!t.manual);
    person.references = vec![
        paxlst::Reference {
            qualifier: "AVF".into(),
            value: b.locator.as_str().into(),
        },
        paxlst::Reference {
            qualifier: "ABO".into(),
            value: t.reference.as_str().into(),
        },
        paxlst::Reference {
            qualifier: "SEA".into(),
            value: t.seat.as_str().into(),
        },
    ];
    person.documents = vec![paxlst::TravelDocument {
        kind: "P".into(),
        number: Some(p.passport.number.as_str().into()),
        issuing_state: Some(p.passport.issuing_state.as_str().into()),
        expiry: Some(p.passport.expiry),
        ..paxlst::TravelDocument::default()
    }];
    person
}

fn crew_list(ctx: &Context<'_>, rng: &mut Rng) -> paxlst::PassengerList {
    let home = ctx
        .data
        .carriers
        .get(ctx.flight.carrier)
        .and_then(|c| ctx.data.airport(&c.home))
        .map_or("XXA".to_string(), |a| a.country.clone());
    let n = if ctx.flight.seats > 200 {
        rng.between(10, 16)
    } else {
        rng.between(4, 7)
    };
    let persons = (0..n)
        .map(|i| {
            let p = people::person(
                ctx.data,
                &home,
                None,
                None,
                Age::Adult,
                ctx.flight.departure.local.date(),
                rng,
            );
            let mut c = paxlst::Person::with_role(paxlst::PersonRole::Crew);
            c.surname = Some(p.surname.as_str().into());
            c.given_names = p
                .given_names
                .iter()
                .map(|g| Text::from(g.as_str()))
                .collect();
            c.sex = Some(if p.sex == people::Sex::Male {
                paxlst::Sex::Male
            } else {
                paxlst::Sex::Female
            });
            c.date_of_birth = Some(p.birth);
            c.nationality = Some(p.nationality.as_str().into());
            c.crew_function = Some(if i < 2 { "CR1" } else { "CR2" }.into());
            c.documents = vec![paxlst::TravelDocument {
                kind: "P".into(),
                number: Some(p.passport.number.as_str().into()),
                issuing_state: Some(p.passport.issuing_state.as_str().into()),
                expiry: Some(p.passport.expiry),
                ..paxlst::TravelDocument::default()
            }];
            c
        })
        .collect();
    let mut list = api_list(ctx, paxlst::DocumentKind::Crew, None, persons);
    list.declared = paxlst::DeclaredCounts {
        passengers: None,
        crew: u32::try_from(n).ok(),
    };
    list
}

fn api_list(
    ctx: &Context<'_>,
    kind: paxlst::DocumentKind,
    change: Option<paxlst::ListChange>,
    persons: Vec<paxlst::Person>,
) -> paxlst::PassengerList {
    let f = ctx.flight;
    let mut leg = paxlst::Leg::for_flight(&format!("{}{}", ctx.carrier, f.number));
    leg.carrier = Some(ctx.carrier.as_str().into());
    leg.number = Some(f.number.to_string().into());
    leg.stops = vec![
        paxlst::Stop {
            role: paxlst::StopRole::Departure,
            airport: ctx.airport(f.origin).into(),
            departure: Some(local(f.departure.local)),
            arrival: None,
        },
        paxlst::Stop {
            role: paxlst::StopRole::Arrival,
            airport: ctx.airport(f.destination).into(),
            departure: None,
            arrival: Some(local(f.arrival.local)),
        },
    ];
    let passengers = persons
        .iter()
        .filter(|p| {
            p.role == paxlst::PersonRole::Passenger || p.role == paxlst::PersonRole::Reference
        })
        .count();
    paxlst::PassengerList {
        kind,
        change,
        transaction_reference: None,
        sender: Some(paxlst::Sender {
            id: None,
            name: Some(format!("{} DCS", ctx.carrier).into()),
            contacts: vec![],
        }),
        legs: vec![leg],
        declared: paxlst::DeclaredCounts {
            passengers: u32::try_from(passengers).ok().filter(|n| *n > 0),
            crew: None,
        },
        persons,
    }
}

/// Writes a list as the carrier sends it: whole over EDIFACT, in parts over Type B (possibly out
/// of order, wrapped, framed).
fn api_messages(
    ctx: &Context<'_>,
    list: &paxlst::PassengerList,
    at: Timestamp,
    kind: Kind,
    refs: &mut References,
    rng: &mut Rng,
) -> Vec<Sent> {
    let data = ctx.data;
    let separators = if ctx.typeb {
        Separators::from_una(*b":(.) -")
    } else {
        Separators::default()
    };
    let size = if ctx.typeb {
        data.rate("part_size_typeb").max(1.0) as usize
    } else {
        usize::MAX
    };
    let chunks: Vec<&[paxlst::Person]> = if list.persons.is_empty() {
        vec![&[][..]]
    } else {
        list.persons.chunks(size).collect()
    };
    let parts = chunks.len();
    let common = format!(
        "{}/{}",
        list.legs.first().map_or("", |l| l.flight.as_str()),
        ctx.flight.departure.local.date().strftime("%y%m%d")
    );
    let mut out = Vec::new();
    for (i, chunk) in chunks.iter().enumerate() {
        let part = paxlst::PassengerList {
            persons: chunk.to_vec(),
            ..list.clone()
        };
        let position = SeriesPosition {
            number: Some(i as u32 + 1),
            marker: if i + 1 == parts {
                Some('F')
            } else if i == 0 {
                Some('C')
            } else {
                None
            },
        };
        let reference = refs.next();
        let h = header(ctx, at, reference, "UNOA");
        let mut bytes = paxlst::write::passenger_list(
            &part,
            &paxlst::write::ListEnvelope {
                interchange: &h,
                separators,
                group_reference: Some("1"),
                message_reference: "1",
                release: "05B",
                common_access_reference: Some(&common),
                series: Some(&position),
            },
        );
        let mut quirks = Vec::new();
        if ctx.typeb {
            quirks.push(Quirk::TypeBSeparators);
            if rng.chance(data.rate("quirk_line_wrapping")) {
                let (wrapped, inside) = wrap_lines(&bytes, separators);
                bytes = wrapped;
                if inside {
                    quirks.push(Quirk::LineWrapping);
                }
            }
            bytes = frame_type_b(&bytes, &ctx.carrier);
            quirks.push(Quirk::TypeBFraming);
        }
        if chunk
            .iter()
            .any(|p| p.date_of_birth.is_none() && p.role == paxlst::PersonRole::Passenger)
        {
            quirks.push(Quirk::MissingDateOfBirth);
        }
        let mut when = at + SignedDuration::from_secs(i as i64 * 20);
        if parts > 1 && i == 0 && rng.chance(data.rate("quirk_out_of_order_series")) {
            when += SignedDuration::from_secs(parts as i64 * 20 + 30);
            quirks.push(Quirk::OutOfOrder);
        }
        out.push(sent(ctx, when, kind, bytes, quirks, reference));
    }
    out
}

/// Type B text: the segments run on and lines break every 64 characters, wherever that falls,
/// as teletype relays do (never inside the UNA, right after a release character, or right before
/// something that reads as the start of a segment). True when a break fell inside a segment.
fn wrap_lines(bytes: &[u8], separators: Separators) -> (Vec<u8>, bool) {
    let terminator = separators.terminator;
    let mut flat = Vec::with_capacity(bytes.len());
    let mut previous = 0u8;
    for &b in bytes {
        if !(b == b'\n' && previous == terminator) {
            flat.push(b);
        }
        previous = b;
    }
    let mut out = Vec::with_capacity(flat.len() + flat.len() / 30);
    let start = if flat.starts_with(b"UNA") {
        9.min(flat.len())
    } else {
        0
    };
    out.extend_from_slice(flat.get(..start).unwrap_or_default());
    let mut inside = false;
    let mut column = 0;
    for (i, &b) in flat.iter().enumerate().skip(start) {
        if column >= 64 {
            let last = out.last().copied();
            let next = flat.get(i..i + 3).unwrap_or_default();
            if last != separators.release && !edifact::tags::is_known(next) {
                out.extend_from_slice(b"\r\n");
                column = 0;
                inside |= last != Some(terminator) && b != terminator;
            }
        }
        out.push(b);
        column += 1;
    }
    out.extend_from_slice(b"\r\n");
    (out, inside)
}

/// The Type B envelope a relay puts around the text.
fn frame_type_b(bytes: &[u8], carrier: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + 64);
    out.extend_from_slice(b"\x01QK PIUAPXS\r\n.");
    out.extend_from_slice(carrier.as_bytes());
    out.extend_from_slice(b"DCSXS 010000\r\n\x02");
    out.extend_from_slice(bytes);
    out.extend_from_slice(b"\x03");
    out
}
