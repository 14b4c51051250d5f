//! Multi-part series (UNH 0068 + S010 `01:C` … `nn:F`): collect parts in any order, say what is
//! missing, and merge a complete (or abandoned) series into one list.

use edifact::Record;
use std::collections::BTreeMap;

use edifact::Finding;
use serde::Serialize;

use crate::code;
use crate::model::PassengerList;
use crate::read_list::check_declared_counts;
use crate::{Body, Message};

/// The highest part number S010 0070 (n..2) can carry.
pub const MAX_PARTS: u32 = 99;

/// What identifies a series: who sent it, the document it is (BGM: passenger list, crew
/// list, close-out…) and its common access reference. Carriers give a flight's crew list,
/// passenger list and close-out the same reference (the flight and date): without the
/// document, a late part of one would be taken for a part of another.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct SeriesKey {
    pub sender: String,
    /// BGM 1001, and the list's change indicator when it has one (`745`, `266:CLOB`).
    pub document: String,
    pub reference: String,
}

impl SeriesKey {
    /// The series a message belongs to: interchange sender and UNH 0068, falling back on the
    /// message reference and the first flight when 0068 is absent.
    pub fn of(message: &Message) -> SeriesKey {
        let sender = message
            .interchange
            .as_ref()
            .map(|i| i.sender.clone())
            .unwrap_or_default();
        let reference = match &message.common_access_reference {
            Some(r) => r.clone(),
            None => {
                let flight = message
                    .passenger_list()
                    .and_then(|l| l.legs.first())
                    .map(|l| l.flight.clone())
                    .unwrap_or_default();
                format!("{}/{}", message.reference, flight)
            }
        };
        let document = match message.passenger_list() {
            Some(list) => match &list.change {
                Some(change) => format!("{}:{}", list.kind.code(), change.code()),
                None => list.kind.code().to_string(),
            },
            None => String::new(),
        };
        SeriesKey {
            sender,
            document,
            reference,
        }
    }
}

/// Where a series stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum SeriesStatus {
    Complete {
        parts: u32,
    },
    Incomplete {
        received: Vec<u32>,
        missing: Vec<u32>,
        /// False while the final part (`F`) has not arrived: more may be missing.
        last_known: bool,
    },
}

/// The parts of one series received so far.
#[derive(Debug, Clone, Default)]
pub struct Series {
    parts: BTreeMap<u32, Message>,
    last: Option<u32>,
    /// Parts received twice (kept, not merged) and parts without a usable number.
    extra: Vec<Message>,
}

impl Series {
    pub fn new() -> Series {
        Series::default()
    }

    /// Adds a part. A second part with the same number, or one whose number is outside
    /// 1..=99 (S010 0070 is n..2), is kept aside and reported at merge.
    pub fn add(&mut self, part: Message) {
        let number = part
            .series
            .as_ref()
            .and_then(|s| s.number)
            .filter(|n| (1..=MAX_PARTS).contains(n));
        let Some(number) = number else {
            self.extra.push(part);
            return;
        };
        if part.series.as_ref().is_some_and(|s| s.is_last()) {
            self.last = Some(number);
        }
        match self.parts.entry(number) {
            std::collections::btree_map::Entry::Occupied(_) => self.extra.push(part),
            std::collections::btree_map::Entry::Vacant(slot) => {
                slot.insert(part);
            }
        }
    }

    pub fn status(&self) -> SeriesStatus {
        let received: Vec<u32> = self.parts.keys().copied().collect();
        let highest = self.last.or_else(|| received.last().copied()).unwrap_or(0);
        let missing: Vec<u32> = (1..=highest)
            .filter(|n| !self.parts.contains_key(n))
            .collect();
        if missing.is_empty() && self.last.is_some() {
            SeriesStatus::Complete { parts: highest }
        } else {
            SeriesStatus::Incomplete {
                received,
                missing,
                last_known: self.last.is_some(),
            }
        }
    }

    pub fn is_complete(&self) -> bool {
        matches!(self.status(), SeriesStatus::Complete { .. })
    }

    /// Merges the parts received, in part order, into one list: the header of the first part,
    /// every person of every part. Findings say what was missing and whether the counts hold.
    pub fn merge(&self) -> Option<(PassengerList, Vec<Finding>)> {
        // Parts without a usable number are merged in arrival order when nothing else came.
        let ordered: Vec<&Message> = if self.parts.is_empty() {
            self.extra.iter().collect()
        } else {
            self.parts.values().collect()
        };
        let mut parts = ordered.into_iter().filter_map(|m| match &m.body {
            Body::PassengerList(l) => Some((m, l)),
            _ => None,
        });
        let (first_message, first) = parts.next()?;
        let mut merged = first.clone();
        let mut findings = Vec::new();
        for (m, l) in parts {
            if l.legs.first().map(|x| &x.flight) != merged.legs.first().map(|x| &x.flight) {
                findings.record(
                    Finding::warning(
                        code::SERIES_MISMATCH,
                        "a part names another flight than the first part",
                    )
                    .at(m.first_segment),
                );
            }
            merged.persons.extend(l.persons.iter().cloned());
            if merged.declared.passengers.is_none() {
                merged.declared.passengers = l.declared.passengers;
            }
            if merged.declared.crew.is_none() {
                merged.declared.crew = l.declared.crew;
            }
        }
        let set_aside = if self.parts.is_empty() {
            &[][..]
        } else {
            &self.extra[..]
        };
        for m in set_aside {
            findings.record(
                Finding::warning(
                    code::SERIES_DUPLICATE_PART,
                    "a part arrived twice or without a number; the first copy was used",
                )
                .at(m.first_segment),
            );
        }
        match self.status() {
            SeriesStatus::Complete { .. } => {
                check_declared_counts(&merged, first_message.first_segment, &mut findings);
            }
            SeriesStatus::Incomplete {
                missing,
                last_known,
                ..
            } => {
                let missing: Vec<String> = missing.iter().map(u32::to_string).collect();
                let text = match (missing.is_empty(), last_known) {
                    (_, false) if missing.is_empty() => {
                        "the final part of the series never arrived".to_string()
                    }
                    (_, false) => format!(
                        "parts {} and the final part of the series never arrived",
                        missing.join(", ")
                    ),
                    _ => format!("parts {} of the series never arrived", missing.join(", ")),
                };
                findings.record(
                    Finding::error(code::SERIES_INCOMPLETE, text).at(first_message.first_segment),
                );
            }
        }
        Some((merged, findings))
    }
}
