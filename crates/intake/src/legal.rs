//! The legal filters at the door: only the PNR data elements a regime allows are kept, and data
//! that can reveal a special category (religion, health, …) is deleted on receipt.
//!
//! The default regime is EU Directive 2016/681 Annex I as narrowed by the Court of Justice in
//! C-817/19: general remarks only as far as they concern unaccompanied minors; SSRs only those
//! carrying Annex I data (API data, contacts of the passenger, seats, frequent flyer, tickets,
//! infants and minors).

use std::collections::{BTreeMap, BTreeSet};

use pnrgov::Booking;
use pnrgov::sensitive::Category;

/// What a legal regime lets the unit keep of a PNR.
#[derive(Debug, Clone)]
pub struct Regime {
    pub name: &'static str,
    /// SSR codes that carry data the regime allows.
    pub allowed_ssrs: Vec<&'static str>,
    /// Free-text remarks are kept only when they mention one of these words.
    pub remark_words: Vec<&'static str>,
}

impl Regime {
    /// EU Directive 2016/681, Annex I, as narrowed in C-817/19.
    pub fn eu_pnr_directive() -> Regime {
        Regime {
            name: "eu-2016-681",
            allowed_ssrs: vec![
                "DOCS", "DOCO", "DOCA", "FOID", "CTCE", "CTCM", "CTCR", "INFT", "CHLD", "UMNR",
                "SEAT", "FQTV", "TKNE", "TKNA", "GRPS",
            ],
            remark_words: vec!["UM", "UMNR", "UNACCOMPANIED", "MINOR"],
        }
    }
}

/// What was deleted, by reason: a category of special data, or data the regime does not allow.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deletions {
    pub sensitive: BTreeMap<&'static str, usize>,
    pub not_allowed: BTreeMap<&'static str, usize>,
    /// The segments (positions in the interchange) that held what went: the vault keeps the
    /// message without them (`edifact::excise`).
    pub segments: BTreeSet<usize>,
}

impl Deletions {
    pub fn is_empty(&self) -> bool {
        self.sensitive.is_empty() && self.not_allowed.is_empty()
    }

    fn sensitive(&mut self, c: Category, segment: usize) {
        *self.sensitive.entry(c.name()).or_default() += 1;
        self.segments.insert(segment);
    }

    fn not_allowed(&mut self, what: &'static str, segment: usize) {
        *self.not_allowed.entry(what).or_default() += 1;
        self.segments.insert(segment);
    }

    /// Adds what `other` deleted.
    pub fn add(&mut self, other: Deletions) {
        for (k, v) in other.sensitive {
            *self.sensitive.entry(k).or_default() += v;
        }
        for (k, v) in other.not_allowed {
            *self.not_allowed.entry(k).or_default() += v;
        }
        self.segments.extend(other.segments);
    }
}

fn remark_allowed(regime: &Regime, text: &str) -> bool {
    text.split(|c: char| !c.is_alphanumeric()).any(|w| {
        regime
            .remark_words
            .iter()
            .any(|k| k.eq_ignore_ascii_case(w))
    })
}

fn keep_ssr(regime: &Regime, ssr: &pnrgov::Ssr, deleted: &mut Deletions) -> bool {
    if let Some(c) = ssr.sensitive {
        deleted.sensitive(c, ssr.segment);
        false
    } else if !regime.allowed_ssrs.contains(&ssr.code.as_str()) {
        deleted.not_allowed("ssr", ssr.segment);
        false
    } else {
        true
    }
}

fn keep_remark(regime: &Regime, r: &pnrgov::Remark, deleted: &mut Deletions) -> bool {
    if let Some(c) = r.sensitive {
        deleted.sensitive(c, r.segment);
        false
    } else if !remark_allowed(regime, &r.text) {
        deleted.not_allowed("remark", r.segment);
        false
    } else {
        true
    }
}

/// Removes from `booking` what `regime` does not allow; says what went, never what it said.
pub fn filter_booking(regime: &Regime, booking: &mut Booking) -> Deletions {
    let mut deleted = Deletions::default();
    booking.ssrs.retain(|s| keep_ssr(regime, s, &mut deleted));
    booking
        .remarks
        .retain(|r| keep_remark(regime, r, &mut deleted));
    for t in &mut booking.travellers {
        t.ssrs.retain(|s| keep_ssr(regime, s, &mut deleted));
        t.remarks.retain(|r| keep_remark(regime, r, &mut deleted));
        if let Some(fare) = t.fare.take() {
            deleted.not_allowed("fare", fare.segment);
        }
    }
    for i in &mut booking.itinerary {
        i.ssrs.retain(|s| keep_ssr(regime, s, &mut deleted));
        i.remarks.retain(|r| keep_remark(regime, r, &mut deleted));
    }
    // History repeats the booking's data: lines holding a sensitive code or word go too.
    let table = pnrgov::sensitive::Table::builtin();
    for h in &mut booking.history {
        h.lines.retain(|line| {
            let text = line.text();
            let sensitive = line
                .elements
                .iter()
                .flatten()
                .find_map(|v| table.ssr(v.split([' ', '/', ':']).next().unwrap_or_default()))
                .or_else(|| table.text(&text));
            match sensitive {
                Some(c) => {
                    deleted.sensitive(c, line.segment);
                    false
                }
                None => true,
            }
        });
    }
    for unread in booking.unread.drain(..) {
        deleted.not_allowed("unread segment", unread.segment);
    }
    deleted
}

/// A push's segments that no booking holds and the reader could not place: not data the
/// regime lists, so the vault does not keep them either.
pub fn filter_push(push: &pnrgov::Push) -> Deletions {
    let mut deleted = Deletions::default();
    for unread in &push.unread {
        deleted.not_allowed("unread segment", unread.segment);
    }
    deleted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_and_unlisted_data_goes_api_data_stays() {
        let text = "UNB+IATA:1+XQ+PIU+261127:0900+1'UNH+1+PNRGOV:13:1:IA'MSG+:22'TVL+281126:1005:281126:1310+AAA+BBB+XQ+101'EQN+1'SRC'RCI+XQ:ABC123'IFT+4:28+PAX WANTS HALAL FOOD'IFT+4:28+VIP OF THE CHAIRMAN'IFT+4:28+UMNR AGE 9 MET BY AUNT'TIF+SYNTH+ANNA:A:1'SSR+DOCS:HK:1:XQ:::::/P/XXA/X1/XXA/01JAN90/F/01JAN30/SYNTH/ANNA'SSR+MOML:HK:1:XQ'SSR+WCHR:HK:1:XQ'SSR+PETC:HK:1:XQ'UNT+14+1'UNZ+1+1'";
        let reading = pnrgov::read(text.as_bytes());
        let mut b = reading.messages[0].push().unwrap().bookings[0].clone();
        let deleted = filter_booking(&Regime::eu_pnr_directive(), &mut b);
        assert_eq!(deleted.sensitive.get("religion"), Some(&2));
        assert_eq!(deleted.sensitive.get("health"), Some(&1));
        assert_eq!(deleted.not_allowed.get("ssr"), Some(&1));
        assert_eq!(deleted.not_allowed.get("remark"), Some(&1));
        assert_eq!(b.remarks.len(), 1, "the minor's remark stays");
        let codes: Vec<_> = b.travellers[0]
            .ssrs
            .iter()
            .map(|s| s.code.as_str())
            .collect();
        assert_eq!(codes, ["DOCS"]);
        assert_eq!(b.travellers[0].documents.len(), 1);
    }
}
