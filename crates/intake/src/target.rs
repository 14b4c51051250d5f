//! The targeting hook: every PNR traveller the intake stores is evaluated against the criteria
//! in force, and each criterion version that matches becomes a hit with its explanation, for a
//! person to review (Directive 2016/681 Art. 6(3)(b), 6(5)).
//!
//! The subject is built from the booking *as stored* (the JSON after the legal filters), the
//! flight key and its local departure: the same function serves the intake and the back-test
//! over stored history, so a back-test counts what the intake would have kept. What the legal
//! filters deleted never reaches a criterion.

use edifact::date::LocalDateTime;
use jiff::civil::DateTime;
use model::FlightKey;
use pnrgov::{Booking, Flight, ItinerarySegment, Text, Traveller, TravellerKind};
use store::{CriterionVersionRow, HitSubject, NewTargetingHit};
use stored_json::Versioned as _;
use targeting::subject::{
    Bags, Booking as SBooking, CheckIn, Contacts, FrequentFlyer, Leg, Payment, Seat, Ticket,
    TravelDocument, Traveller as STraveller,
};
use targeting::{CriteriaSet, Criterion, StoredExplanation, Subject};

/// The compiled criteria in force, each under its version's row id.
#[derive(Debug, Default)]
pub struct Targeter {
    set: CriteriaSet,
    /// Versions that no longer compile (the language changed under them): not evaluated.
    pub skipped: Vec<i64>,
}

/// One criterion version that matched one traveller.
#[derive(Debug, Clone)]
pub struct TargetHit {
    pub locator: String,
    pub reference: String,
    pub version_id: i64,
    pub score: f64,
    /// JSON (`targeting::stored`): every condition with the traveller's value.
    pub explanation: String,
}

impl Targeter {
    /// Compiles the active versions.
    pub fn build(versions: &[CriterionVersionRow]) -> Targeter {
        let mut t = Targeter::default();
        for v in versions {
            match Criterion::compile(&v.text, v.weight) {
                Ok(c) => t.set.insert(v.id.to_string(), c),
                Err(_) => t.skipped.push(v.id),
            }
        }
        t
    }

    /// How many criteria are in force.
    pub fn len(&self) -> usize {
        self.set.len()
    }

    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }

    /// Evaluates the travellers of a booking as it is kept, on a flight.
    pub fn evaluate(
        &self,
        booking: &Booking,
        key: &FlightKey,
        departure_local: Option<&str>,
    ) -> Vec<TargetHit> {
        if self.set.is_empty() {
            return Vec::new();
        }
        let subjects = subjects(booking, key, departure_local);
        let mut out = Vec::new();
        for (reference, subject) in &subjects {
            let assessment = self.set.evaluate(subject);
            for hit in assessment.hits {
                // The set's ids are the version ids `build` inserted.
                let Ok(version_id) = hit.id.parse::<i64>() else {
                    invariant::never!("a criterion in the set has a non-numeric id");
                    continue;
                };
                let explanation = StoredExplanation::from(&hit.explanation)
                    .write()
                    .unwrap_or_else(|e| {
                        invariant::never!("a targeting explanation does not serialise: {e}");
                        r#"{"version":1,"steps":[]}"#.to_string()
                    });
                out.push(TargetHit {
                    // A booking without a record locator is kept under the empty one.
                    locator: subject.booking.locator.clone().unwrap_or_default(),
                    reference: reference.clone(),
                    version_id,
                    score: hit.weight,
                    explanation,
                });
            }
        }
        out
    }
}

impl TargetHit {
    /// The hit as a row to keep.
    pub fn row(&self, flight_id: i64, message_id: i64) -> NewTargetingHit {
        NewTargetingHit {
            flight_id,
            subject: HitSubject::Pnr {
                locator: self.locator.clone(),
                traveller: self.reference.clone(),
            },
            message_id,
            version_id: self.version_id,
            score: self.score,
            explanation: self.explanation.clone(),
        }
    }
}

/// A local date-time as stored: to the minute (the stored form keeps no seconds), so that the
/// intake, evaluating the booking it is about to keep, sees what a back-test reads back.
fn local(t: &LocalDateTime) -> DateTime {
    let d = t.datetime();
    d.date().at(d.hour(), d.minute(), 0, 0)
}

/// A flight's local departure as the store keeps it (`2026-12-01T06:30`, or a date alone at
/// 00:00), written from a `LocalDateTime`: text that does not read back is a broken invariant,
/// reported, and the booking's own departure is used instead.
fn local_text(text: &str) -> Option<DateTime> {
    match text.parse::<LocalDateTime>() {
        Ok(t) => Some(local(&t)),
        Err(_) => {
            invariant::never!("a stored local departure does not read as a local date-time");
            None
        }
    }
}

fn sex(code: &str) -> Option<model::Sex> {
    match code {
        "M" | "MI" => Some(model::Sex::Male),
        "F" | "FI" => Some(model::Sex::Female),
        "U" => Some(model::Sex::Unspecified),
        "X" => Some(model::Sex::Other),
        _ => None,
    }
}

fn text(t: &Option<Text>) -> Option<String> {
    t.as_ref().map(Text::to_string)
}

fn leg(f: &Flight) -> Option<Leg> {
    Some(Leg {
        origin: text(&f.origin)?,
        destination: text(&f.destination)?,
        origin_country: None,
        destination_country: None,
        departure: f.departure.as_ref().map(|t| local(&t.at)),
        operating_carrier: text(&f.operating_carrier).or_else(|| text(&f.carrier)),
        marketing_carrier: text(&f.carrier),
        flight_number: text(&f.number),
    })
}

/// Whether an itinerary segment is the flight of `key`.
fn is_flight(s: &ItinerarySegment, key: &FlightKey) -> bool {
    let f = &s.flight;
    f.origin.as_deref() == Some(key.origin.as_str())
        && f.destination.as_deref() == Some(key.destination.as_str())
        && f.number.as_deref() == Some(key.number.as_str())
}

/// The subjects of a stored booking on the flight `key` (departing at `departure_local`), each
/// with the traveller's TIF reference (empty when none was sent). The booking is the one kept
/// (after the legal filters): the intake passes it as it writes it, the back-test as it reads
/// it back (`pnrgov::stored`).
pub fn subjects(
    b: &Booking,
    key: &FlightKey,
    departure_local: Option<&str>,
) -> Vec<(String, Subject)> {
    let segment = b.itinerary.iter().find(|s| is_flight(s, key));
    let departure = departure_local.and_then(local_text).or_else(|| {
        segment
            .and_then(|s| s.flight.departure.as_ref())
            .map(|t| local(&t.at))
    });
    let flight = Leg {
        origin: key.origin.clone(),
        destination: key.destination.clone(),
        origin_country: None,
        destination_country: None,
        departure,
        operating_carrier: Some(key.carrier.clone()),
        marketing_carrier: segment.and_then(|s| text(&s.flight.carrier)),
        flight_number: Some(key.number.clone()),
    };
    let itinerary: Vec<Leg> = b.itinerary.iter().filter_map(|s| leg(&s.flight)).collect();
    let is_infant = |t: &Traveller| t.kind == TravellerKind::Infant;
    let seated = b.travellers.iter().filter(|t| !is_infant(t)).count();
    let party = segment
        .and_then(|s| s.party_size)
        .or_else(|| u32::try_from(seated).ok());
    let pos = b.point_of_sale.as_ref();
    let booking = SBooking {
        locator: b.locators.first().map(|l| l.locator.to_string()),
        created: b
            .locators
            .first()
            .and_then(|l| l.created.as_ref())
            .map(local),
        last_changed: b.last_change.as_ref().map(local),
        party_size: party,
        agency_iata: pos.and_then(|p| text(&p.agency)),
        agency_city: pos.and_then(|p| text(&p.location).or_else(|| text(&p.place))),
        agency_country: pos.and_then(|p| text(&p.country)),
        channel: pos.and_then(|p| match p.originator_type.as_deref() {
            Some("T") => Some("agency".to_string()),
            Some("A" | "E") => Some("airline".to_string()),
            _ => None,
        }),
        split: Some(b.split.is_some()),
        changes: (!b.history.is_empty())
            .then(|| u32::try_from(b.history.len().saturating_sub(1)).ok())
            .flatten(),
    };
    // Forms of payment are the booking's (carriers file them under the traveller who paid).
    let mut types: Vec<String> = b
        .travellers
        .iter()
        .flat_map(|t| t.payments.iter().filter_map(|p| text(&p.kind)))
        .collect();
    types.sort_unstable();
    types.dedup();
    let payment = Payment {
        types,
        // PNRGOV FOP carries no payer name; the question stays open.
        payer_in_party: None,
        card_country: None,
    };
    let check_ins = segment.map(|s| s.check_ins.as_slice()).unwrap_or_default();
    let booking_contacts = &b.contacts;

    let mut out = Vec::with_capacity(b.travellers.len());
    for t in &b.travellers {
        // A traveller without a TIF reference is one (the empty reference), not an error.
        let reference = text(&t.reference).unwrap_or_default();
        let doc = t.documents.iter().find(|d| !d.infant || is_infant(t));
        let given = t.given_name.as_deref().map(|g| {
            g.split_whitespace()
                .filter(|w| Some(*w) != t.title.as_deref())
                .collect::<Vec<_>>()
                .join(" ")
        });
        let check_in = check_ins
            .iter()
            .find(|c| match (&c.traveller, &t.reference) {
                (Some(a), Some(b)) => a == b,
                _ => c.surname.as_deref() == Some(t.surname.as_str()),
            });
        let known_check_in = !check_ins.is_empty();
        let bags = check_in.and_then(|c| c.bags.as_ref());
        let contacts = t.contacts.iter().chain(booking_contacts);
        let mut contacts_known = false;
        let (mut email, mut phone) = (false, false);
        for c in contacts {
            contacts_known = true;
            email |= c.email.is_some();
            phone |= c.phone.is_some();
        }
        let subject = Subject {
            traveller: STraveller {
                surname: (!t.surname.is_empty()).then(|| t.surname.to_string()),
                given_names: given.filter(|g| !g.is_empty()),
                date_of_birth: doc.and_then(|d| d.date_of_birth),
                sex: doc.and_then(|d| d.sex.as_deref()).and_then(sex),
                nationality: doc.and_then(|d| text(&d.nationality)),
                unaccompanied_minor: None,
            },
            document: doc.map(|d| TravelDocument {
                kind: text(&d.kind),
                issuing_state: text(&d.issuing_state),
                expiry: d.expiry,
            }),
            booking: booking.clone(),
            flight: Some(flight.clone()),
            itinerary: itinerary.clone(),
            payment: payment.clone(),
            ticket: Ticket {
                number_present: Some(t.tickets.iter().any(|k| k.number.is_some())),
                ticketed: Some(!t.tickets.is_empty()),
                issued: t.tickets.iter().find_map(|k| k.issued.as_ref()).map(local),
            },
            bags: Bags {
                count: if known_check_in {
                    Some(bags.and_then(|b| b.count).unwrap_or(0))
                } else {
                    None
                },
                weight_kg: bags.and_then(|b| {
                    let w: f64 = b.weight.as_deref()?.trim().parse().ok()?;
                    match b.unit.as_deref() {
                        Some("701" | "LB" | "L") => Some(w * 0.453_592_37),
                        _ => Some(w),
                    }
                }),
            },
            seat: Seat {
                number: check_in.and_then(|c| text(&c.seat)),
                assigned_at_check_in: None,
            },
            check_in: CheckIn {
                checked_in: known_check_in.then_some(check_in.is_some()),
                at: check_in.and_then(|c| c.at.as_ref()).map(local),
                go_show: None,
            },
            frequent_flyer: t.frequent_flyer.first().map(|f| FrequentFlyer {
                carrier: Some(f.airline.to_string()),
                tier: text(&f.tier),
            }),
            contacts: Contacts {
                has_email: contacts_known.then_some(email),
                has_phone: contacts_known.then_some(phone),
            },
        };
        out.push((reference, subject));
    }
    out
}
