//! The screening hook: every traveller intake stores is screened against the lists in force,
//! and what scores at or above a list's threshold is kept as a hit, with its explanation, for a
//! person to review. Remembered false alarms come back marked, never silently dropped.

use std::collections::HashMap;

use jiff::civil::Date;
use screening::{Hit, ListVersion, Matcher, Query, Suppression, Suppressions};
use store::{HitSubject, NewHit, SuppressionRow};
use stored_json::Versioned as _;

/// The matcher built from the latest version of every list, with the remembered false alarms.
#[derive(Debug)]
pub struct Screener {
    matcher: Matcher,
    suppressions: Suppressions,
    /// (fingerprint, list, entry) → the suppression's row id.
    suppression_ids: HashMap<(String, String, String), i64>,
    lists: usize,
    /// Keys the fingerprints kept and compared (`store/src/identity.rs`).
    key: store::IdentityKey,
}

/// A traveller of a message and what screening found for them.
#[derive(Debug, Clone)]
pub struct TravellerHits {
    pub traveller: Traveller,
    pub fingerprint: String,
    pub hits: Vec<Hit>,
}

/// Who in a message a hit is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Traveller {
    /// A person of a passenger or crew list.
    Api {
        reference: Option<String>,
        surname: String,
        given_names: String,
    },
    /// A traveller of a PNR booking.
    Pnr { locator: String, reference: String },
}

impl Screener {
    pub fn build(
        versions: &[ListVersion],
        suppressions: &[SuppressionRow],
        config: &screening::Config,
        key: store::IdentityKey,
    ) -> Screener {
        let refs: Vec<&ListVersion> = versions.iter().collect();
        let matcher = Matcher::build(&refs, config);
        let mut remembered = Suppressions::default();
        let mut suppression_ids = HashMap::new();
        for s in suppressions {
            remembered.add(Suppression {
                fingerprint: screening::Fingerprint(s.fingerprint.clone()),
                list: s.list.clone(),
                entry_id: s.entry_id.clone(),
                reason: s.reason.clone(),
                who: s.who.clone(),
                expires: s.expires_on.as_deref().and_then(|d| d.parse().ok()),
            });
            suppression_ids.insert(
                (s.fingerprint.clone(), s.list.clone(), s.entry_id.clone()),
                s.id,
            );
        }
        Screener {
            matcher,
            suppressions: remembered,
            suppression_ids,
            lists: versions.len(),
            key,
        }
    }

    /// The traveller's fingerprint as kept: keyed, so that the stored ones cannot be matched
    /// against a dictionary without the unit's key.
    fn fingerprint(&self, query: &Query) -> screening::Fingerprint {
        screening::Fingerprint(self.key.keyed(&query.fingerprint().0))
    }

    /// How many lists are in force.
    pub fn lists(&self) -> usize {
        self.lists
    }

    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// Screens one traveller; `None` when nothing reached a threshold.
    pub fn screen(
        &self,
        traveller: Traveller,
        query: &Query,
        today: Date,
    ) -> Option<TravellerHits> {
        if query.surname.is_empty() && query.documents.is_empty() {
            return None;
        }
        let mut hits = self.matcher.screen(query);
        if hits.is_empty() {
            return None;
        }
        let fingerprint = self.fingerprint(query);
        self.suppressions.apply(&fingerprint, &mut hits, today);
        Some(TravellerHits {
            traveller,
            fingerprint: fingerprint.0,
            hits,
        })
    }

    /// Screens many travellers (a list's persons, a push's travellers), on every core when
    /// there are enough of them to be worth the threads; hits in the travellers' order.
    pub fn screen_all(
        &self,
        travellers: Vec<(Traveller, Query)>,
        today: Date,
    ) -> Vec<TravellerHits> {
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1);
        if threads <= 1 || travellers.len() < PARALLEL_FROM {
            return travellers
                .into_iter()
                .filter_map(|(t, q)| self.screen(t, &q, today))
                .collect();
        }
        let chunk = travellers.len().div_ceil(threads);
        let mut parts: Vec<Vec<(Traveller, Query)>> = Vec::with_capacity(threads);
        let mut rest = travellers.into_iter();
        loop {
            let part: Vec<(Traveller, Query)> = rest.by_ref().take(chunk).collect();
            if part.is_empty() {
                break;
            }
            parts.push(part);
        }
        std::thread::scope(|scope| {
            let handles: Vec<_> = parts
                .into_iter()
                .map(|part| {
                    scope.spawn(move || {
                        part.into_iter()
                            .filter_map(|(t, q)| self.screen(t, &q, today))
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            // A part whose thread panicked would lose its travellers' hits: the panic goes on to
            // the read phase, which parks the message (`reader_failed`) rather than keep it
            // screened in part.
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    }

    /// Screens one traveller against some entries only (those a list change touched).
    pub fn screen_changed(
        &self,
        traveller: Traveller,
        query: &Query,
        changed: &[(String, String)],
        today: Date,
    ) -> Option<TravellerHits> {
        let mut hits = self.matcher.screen_changed(query, changed);
        if hits.is_empty() {
            return None;
        }
        let fingerprint = self.fingerprint(query);
        self.suppressions.apply(&fingerprint, &mut hits, today);
        Some(TravellerHits {
            traveller,
            fingerprint: fingerprint.0,
            hits,
        })
    }

    /// The hits of a traveller as rows to keep.
    pub fn rows(
        &self,
        found: &TravellerHits,
        flight_id: i64,
        subject: HitSubject,
        message_id: i64,
    ) -> Vec<NewHit> {
        found
            .hits
            .iter()
            .map(|h| NewHit {
                flight_id,
                subject: subject.clone(),
                message_id,
                list: h.list.clone(),
                list_version: i64::from(h.list_version),
                entry_id: h.entry_id.clone(),
                score: h.score,
                explanation: explanation_json(&h.explanation),
                fingerprint: found.fingerprint.clone(),
                suppression: h.suppressed.as_ref().and_then(|_| {
                    self.suppression_ids
                        .get(&(
                            found.fingerprint.clone(),
                            h.list.clone(),
                            h.entry_id.clone(),
                        ))
                        .copied()
                }),
            })
            .collect()
    }
}

/// Travellers from this many on are screened on every core.
const PARALLEL_FROM: usize = 32;

/// Screens the persons of a list.
pub fn screen_list(
    screener: &Screener,
    list: &paxlst::PassengerList,
    today: Date,
) -> Vec<TravellerHits> {
    let travellers = list
        .persons
        .iter()
        .map(|p| {
            let identity = crate::identity(p);
            let query = Query::from(&identity);
            (
                Traveller::Api {
                    reference: p.passenger_reference().map(String::from),
                    surname: identity.surname.clone(),
                    given_names: identity.given_names.join(" "),
                },
                query,
            )
        })
        .collect();
    screener.screen_all(travellers, today)
}

/// A PNR traveller as the matcher sees them: the name, and what SSR DOCS tells.
pub fn pnr_query(t: &pnrgov::Traveller) -> Query {
    let given = t
        .given_name
        .as_deref()
        .unwrap_or_default()
        .split_whitespace()
        .filter(|w| Some(*w) != t.title.as_deref())
        .collect::<Vec<_>>()
        .join(" ");
    let doc = t.documents.first();
    Query {
        surname: t.surname.to_string(),
        given_names: given,
        date_of_birth: doc.and_then(|d| d.date_of_birth),
        sex: doc.and_then(|d| match d.sex.as_deref() {
            Some("M" | "MI") => Some(model::Sex::Male),
            Some("F" | "FI") => Some(model::Sex::Female),
            _ => None,
        }),
        nationality: doc.and_then(|d| d.nationality.as_deref().map(String::from)),
        documents: t
            .documents
            .iter()
            .filter_map(|d| {
                Some((
                    d.number.as_deref()?.to_string(),
                    d.issuing_state.as_deref().map(String::from),
                ))
            })
            .collect(),
    }
}

/// The travellers of a booking as the screener takes them.
pub fn booking_travellers(locator: &str, booking: &pnrgov::Booking) -> Vec<(Traveller, Query)> {
    booking
        .travellers
        .iter()
        .map(|t| {
            (
                Traveller::Pnr {
                    locator: locator.to_string(),
                    reference: t.reference.as_deref().unwrap_or_default().to_string(),
                },
                pnr_query(t),
            )
        })
        .collect()
}

/// Screens the travellers of a booking.
pub fn screen_booking(
    screener: &Screener,
    locator: &str,
    booking: &pnrgov::Booking,
    today: Date,
) -> Vec<TravellerHits> {
    screener.screen_all(booking_travellers(locator, booking), today)
}

/// A hit's explanation as kept (`screening::stored`). Plain structs with string keys always
/// serialise; should one not, the hit is still kept, with an explanation that says so, and the
/// broken invariant is reported.
fn explanation_json(e: &screening::Explanation) -> String {
    screening::StoredExplanation::from(e)
        .write()
        .unwrap_or_else(|err| {
            invariant::never!("a hit's explanation does not serialise: {err}");
            r#"{"version":1,"entry_name":"","quality":"primary","name_score":0.0,"comparisons":[],"threshold":0.0}"#.to_string()
        })
}
