//! A synthetic subject (no real person): booked five hours before an evening departure from
//! XAA, paid in cash by someone else, one way with a connection.
#![allow(dead_code)]

use jiff::civil::{date, datetime};
use model::Sex;
use targeting::subject::*;

pub fn subject() -> Subject {
    let out = Leg {
        origin: "XAA".into(),
        destination: "XBB".into(),
        origin_country: Some("XA".into()),
        destination_country: Some("XB".into()),
        departure: Some(datetime(2026, 12, 1, 20, 30, 0, 0)),
        operating_carrier: Some("XQ".into()),
        marketing_carrier: Some("XQ".into()),
        flight_number: Some("101".into()),
    };
    let on = Leg {
        origin: "XBB".into(),
        destination: "XCC".into(),
        origin_country: Some("XB".into()),
        destination_country: Some("XC".into()),
        departure: Some(datetime(2026, 12, 2, 1, 15, 0, 0)),
        operating_carrier: Some("XR".into()),
        marketing_carrier: Some("XQ".into()),
        flight_number: Some("7".into()),
    };
    Subject {
        traveller: Traveller {
            surname: Some("TESTPERSON".into()),
            given_names: Some("ALEX".into()),
            date_of_birth: Some(date(2001, 12, 2)),
            sex: Some(Sex::Other),
            nationality: Some("XXA".into()),
            unaccompanied_minor: Some(false),
        },
        document: Some(TravelDocument {
            kind: Some("P".into()),
            issuing_state: Some("XXA".into()),
            expiry: Some(date(2027, 1, 15)),
        }),
        booking: Booking {
            locator: Some("ZZ9XYZ".into()),
            created: Some(datetime(2026, 12, 1, 15, 30, 0, 0)),
            last_changed: Some(datetime(2026, 12, 1, 17, 0, 0, 0)),
            party_size: Some(2),
            agency_iata: Some("99999992".into()),
            agency_city: Some("XAA".into()),
            agency_country: Some("XA".into()),
            channel: Some("agency".into()),
            split: Some(false),
            changes: Some(3),
        },
        flight: Some(out.clone()),
        itinerary: vec![out, on],
        payment: Payment {
            types: vec!["CA".into()],
            payer_in_party: Some(false),
            card_country: None,
        },
        ticket: Ticket {
            number_present: Some(true),
            ticketed: Some(true),
            issued: Some(datetime(2026, 12, 1, 16, 0, 0, 0)),
        },
        bags: Bags {
            count: Some(0),
            weight_kg: Some(0.0),
        },
        seat: Seat {
            number: Some("23A".into()),
            assigned_at_check_in: Some(true),
        },
        check_in: CheckIn {
            checked_in: Some(true),
            at: Some(datetime(2026, 12, 1, 19, 0, 0, 0)),
            go_show: Some(false),
        },
        frequent_flyer: None,
        contacts: Contacts {
            has_email: Some(false),
            has_phone: Some(true),
        },
    }
}
