//! Depersonalisation by masking (Directive (EU) 2016/681 Art. 12(2)): six months after their
//! transfer PNR data are kept only with the elements that could serve to identify the
//! passenger masked out:
//!
//! (a) names, including the names of other passengers in the PNR and the number of travellers
//!     in the PNR travelling together; (b) address and contact information; (c) all forms of
//!     payment information, including billing address; (d) frequent flyer information;
//! (e) general remarks; (f) any API data collected.
//!
//! [`depersonalise`] takes those elements out of a [`Booking`] and marks it [`Masked`], so that
//! a reader shows "masked" where they stood (never a blank). Free text that may carry any of
//! them goes too: every SSR's text (DOCS, DOCA, CTCE, FOID, INFT… name the person), the history
//! lines and the segments kept unread. What stays is what the Directive does not list: the
//! record locator, dates, itinerary, the traveller's kind and reference, seats, bags, tickets'
//! numbers and amounts, the point of sale.

use serde::{Deserialize, Serialize};

use crate::model::{Booking, Text};

/// A booking's mark once masked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Masked {
    /// When (UTC, RFC 3339).
    pub at: Text,
}

/// The booking with what Art. 12(2) masks taken out, marked masked at `at`.
pub fn depersonalise(mut booking: Booking, at: &str) -> Booking {
    // (b) contacts; (e) general remarks; SSR texts name, address or document the person.
    booking.contacts.clear();
    booking.remarks.clear();
    for ssr in &mut booking.ssrs {
        ssr.text = None;
        ssr.traveller = None;
    }
    for traveller in &mut booking.travellers {
        // (a) names.
        traveller.surname = Text::default();
        traveller.given_name = None;
        traveller.title = None;
        // (d) frequent flyer; (f) API data (documents, SSR DOCS/DOCO/DOCA); (b) contacts.
        traveller.frequent_flyer.clear();
        traveller.documents.clear();
        traveller.other_documents.clear();
        traveller.contacts.clear();
        traveller.identifications.clear();
        traveller.remarks.clear();
        for ssr in &mut traveller.ssrs {
            ssr.text = None;
        }
        // (c) payment information, billing address included.
        traveller.payments.clear();
    }
    for segment in &mut booking.itinerary {
        // (a) the number travelling together.
        segment.party_size = None;
        segment.remarks.clear();
        for ssr in &mut segment.ssrs {
            ssr.text = None;
        }
        for check_in in &mut segment.check_ins {
            check_in.surname = None;
        }
    }
    if let Some(split) = &mut booking.split {
        split.travellers = None;
    }
    // Free text and segments as sent may hold any of the above.
    booking.history.clear();
    booking.unread.clear();
    booking.masked = Some(Masked { at: at.into() });
    booking
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A push carrying every element Art. 12(2) lists (synthetic names).
    const PUSH: &[u8] = b"UNB+IATA:1+1A+PIU+130527:0649+1'UNH+1+PNRGOV:11:1:IA'MSG+:22'\
TVL+270513:1430:270513:2205+SIN+ICN+SQ+602'EQN+1'SRC'RCI+1A:ABC123::190313:1354'\
IFT+4:28::SQ+CALL ZORVANEK BEFORE DEPARTURE'\
TIF+ZORVANEK+ANNA MRS:A:1'FTI+SQ:123456789:::GOLD'\
IFT+4:63::SQ+ZORVANEK ANNA 14 QUILLSTREET'\
SSR+DOCS:HK:1:SQ:::::/P/XXA/X123/XXA/01JAN80/F/01JAN30/ZORVANEK/ANNA'\
TBD'FOP+CC:::VI:4111111111111111:0130'\
TVL+270513:1430:270513:2205+SIN+ICN+SQ+602:Y+1'RPI+2+HK'\
UNT+13+1'UNZ+1+1'";

    #[test]
    fn nothing_that_identifies_is_left() {
        let reading = crate::read(PUSH);
        let push = reading.messages[0].push().unwrap();
        let booking = push.bookings[0].clone();
        let before = crate::stored::write(&booking).unwrap();
        assert!(
            before.contains("ZORVANEK"),
            "the fixture names the traveller"
        );
        let masked = depersonalise(booking, "2027-06-01T00:00:00Z");
        let after = crate::stored::write(&masked).unwrap();
        for gone in [
            "ZORVANEK",
            "ANNA",
            "QUILLSTREET",
            "4111111111111111",
            "123456789",
            "X123",
        ] {
            assert!(
                !after.contains(gone),
                "{gone} is still in the masked booking"
            );
        }
        assert_eq!(masked.locator(), Some("ABC123"));
        assert_eq!(masked.travellers.len(), 1);
        assert_eq!(masked.travellers[0].reference.as_deref(), Some("1"));
        assert_eq!(masked.itinerary[0].party_size, None);
        assert_eq!(
            masked.masked,
            Some(Masked {
                at: "2027-06-01T00:00:00Z".into()
            })
        );
        // Read back through the stored form, the mark stays.
        let read = crate::stored::read(crate::stored::FORMAT, &after).unwrap();
        assert_eq!(read, masked);
    }
}
