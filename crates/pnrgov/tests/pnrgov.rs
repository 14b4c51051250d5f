//! PNRGOV read as carriers send it: the guide example fully asserted, and the project's own
//! fixtures (synthetic, written from the standard) for every group and for real-world mess.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use pnrgov::sensitive::Category;
use pnrgov::*;

fn corpus(relative: &str) -> Option<Vec<u8>> {
    test_corpus::read(&format!("messages/{relative}"))
}

fn codes(m: &Message) -> Vec<&str> {
    m.findings.iter().map(|f| f.code.as_ref()).collect()
}

#[test]
fn guide_appendix_b_example_1() {
    let Some(bytes) = corpus("guide-examples/PNRGOV_11.1_guide_appendixB_example1.edi") else {
        return;
    };
    let reading = read(&bytes);
    assert!(reading.findings.is_empty(), "{:?}", reading.findings);
    let m = &reading.messages[0];
    assert!(m.findings.is_empty(), "{:?}", m.findings);
    assert_eq!(
        (m.message_type.as_str(), m.version.as_str()),
        ("PNRGOV", "11:1")
    );
    assert_eq!(
        m.common_access_reference.as_deref(),
        Some("270513/0649/SQ/602")
    );
    let push = m.push().unwrap();
    assert_eq!(push.function.as_deref(), Some("22"));
    assert_eq!(push.sender.as_ref().unwrap().company.as_deref(), Some("1A"));
    let f = push.flight.as_ref().unwrap();
    assert_eq!(
        (f.carrier.as_deref(), f.number.as_deref()),
        (Some("SQ"), Some("602"))
    );
    assert_eq!(
        (f.origin.as_deref(), f.destination.as_deref()),
        (Some("SIN"), Some("ICN"))
    );
    let dep = f.departure.as_ref().unwrap();
    assert_eq!(
        (dep.at.to_string().as_str(), dep.place.as_str()),
        ("2013-05-27T14:30", "SIN")
    );
    assert_eq!(
        f.arrival.as_ref().unwrap().at.to_string(),
        "2013-05-27T22:05"
    );
    assert_eq!(push.declared_bookings, Some(1));

    let b = &push.bookings[0];
    assert_eq!(b.locator(), Some("3PGZOV"));
    assert_eq!(b.locators[0].system, "1A");
    assert_eq!(
        b.locators[0].created.unwrap().to_string(),
        "2013-03-19T13:54"
    );
    assert_eq!(b.last_change.unwrap().to_string(), "2013-05-27T05:59");
    let pos = b.point_of_sale.as_ref().unwrap();
    assert_eq!(
        (pos.agency.as_deref(), pos.office.as_deref()),
        (Some("32393340"), Some("SINSQ08AA"))
    );

    assert_eq!(b.travellers.len(), 2);
    let adult = &b.travellers[0];
    assert_eq!(
        (adult.surname.as_str(), adult.given_name.as_deref()),
        ("BELT", Some("ISABELLE MRS"))
    );
    assert_eq!(adult.title.as_deref(), Some("MRS"));
    assert_eq!(adult.kind, TravellerKind::Adult);
    assert_eq!(adult.reference.as_deref(), Some("2"));
    assert!(adult.with_infant);
    assert_eq!(adult.frequent_flyer[0].number, "8794285757");
    assert_eq!(adult.references, ["001C451486DFF0CC"]);
    let d = &adult.documents[..];
    assert_eq!(d.len(), 1, "the infant's DOCS moved to the infant");
    assert_eq!(d[0].number.as_deref(), Some("509229987"));
    assert_eq!(d[0].date_of_birth.unwrap().to_string(), "1978-07-01");
    assert_eq!(d[0].expiry.unwrap().to_string(), "2022-11-12");
    assert_eq!(d[0].sex.as_deref(), Some("F"));
    assert_eq!(d[0].given_names, ["ISABELLE", "RUTH"]);

    let infant = &b.travellers[1];
    assert_eq!(
        (infant.given_name.as_deref(), infant.kind.clone()),
        (Some("SOPHY"), TravellerKind::Infant)
    );
    assert_eq!(infant.infant_of.as_deref(), Some("2"));
    let d = &infant.documents[0];
    assert_eq!(
        (d.number.as_deref(), d.sex.as_deref(), d.infant),
        (Some("512731999"), Some("FI"), true)
    );
    assert_eq!(d.date_of_birth.unwrap().to_string(), "2012-09-20");
    assert_eq!(d.expiry.unwrap().to_string(), "2017-10-25");

    let seg = &b.itinerary[0];
    assert_eq!(seg.flight.booking_class.as_deref(), Some("D"));
    assert_eq!(
        (
            seg.party_size,
            seg.status.as_deref(),
            seg.equipment.as_deref()
        ),
        (Some(1), Some("HK"), Some("333"))
    );
    assert_eq!(seg.ssrs[0].code, "INFT");
    assert_eq!(seg.ssrs[0].traveller.as_deref(), Some("2"));
    assert_eq!(seg.check_ins.len(), 2);
    let c = &seg.check_ins[0];
    assert_eq!(
        (c.sequence.as_deref(), c.traveller.as_deref()),
        (Some("SIN-168"), Some("2"))
    );
    assert_eq!(
        (c.seat.as_deref(), c.cabin.as_deref()),
        (Some("011D"), Some("J"))
    );
    let bags = c.bags.as_ref().unwrap();
    assert_eq!(
        (bags.count, bags.weight.as_deref(), bags.unit.as_deref()),
        (Some(3), Some("33"), Some("700"))
    );
    assert_eq!(bags.pool.as_deref(), Some("HP SIN-168"));
    let tags: Vec<_> = bags.tags.iter().map(|t| t.number.as_str()).collect();
    assert_eq!(tags, ["0123456789", "0123456788", "0123456787"]);
    assert_eq!(bags.tags[0].destination.as_deref(), Some("ICN"));
    assert_eq!(seg.check_ins[1].traveller.as_deref(), Some("3"));
    assert_eq!(seg.check_ins[1].seat.as_deref(), Some("011D"));
    assert_eq!(
        b.history[0].lines[0].text(),
        "LTS+0/O/NM/BELT/ISABELLE MRS(ADT)(INF/SOPHY/20SEP12)"
    );
}

/// Every group of the message, with synthetic values (`tests/fixtures/full_push.edi`).
const FULL: &str = include_str!("fixtures/full_push.edi");

#[test]
fn every_group_of_a_booking() {
    let reading = read(FULL.as_bytes());
    assert!(reading.findings.is_empty(), "{:?}", reading.findings);
    let m = &reading.messages[0];
    let push = m.push().unwrap();
    assert_eq!(push.bookings.len(), 2);
    let b = &push.bookings[0];
    let locators: Vec<_> = b
        .locators
        .iter()
        .map(|l| (l.system.as_str(), l.locator.as_str()))
        .collect();
    assert_eq!(locators, [("XQ", "QZX123"), ("1A", "ABCDEF")]);
    assert_eq!(
        b.locators[0].created.unwrap().to_string(),
        "2026-11-01T12:00"
    );
    assert_eq!(b.last_change.unwrap().to_string(), "2026-11-26T08:15");
    assert_eq!(b.ssrs[0].text.as_deref(), Some("PAX IS VIP"));
    assert_eq!(b.remarks[0].qualifier, "4:28");
    assert_eq!(b.remarks[0].text, "CTC PAX 5550100");
    assert_eq!(b.remarks[1].sensitive, Some(Category::Religion));
    let pos = b.point_of_sale.as_ref().unwrap();
    assert_eq!(pos.agency.as_deref(), Some("12345675"));
    assert_eq!(pos.originator_type.as_deref(), Some("T"));
    assert_eq!(
        (pos.country.as_deref(), pos.currency.as_deref()),
        (Some("XXA"), Some("XXD"))
    );
    let contact = &b.contacts[0];
    assert_eq!(contact.street.as_deref(), Some("1 SAMPLE STREET"));
    assert_eq!(contact.phone.as_deref(), Some("5550100"));
    assert_eq!(
        contact.email.as_deref(),
        Some("ANNA.SYNTH+TRAVEL@MAIL.EXAMPLE")
    );
    assert_eq!(b.excess_baggage[0].amount.as_deref(), Some("40.00"));

    let names: Vec<_> = b
        .travellers
        .iter()
        .map(|t| t.given_name.clone().unwrap())
        .collect();
    assert_eq!(names, ["ANNA MRS", "BEN", "CARL", "DORA"]);
    let anna = &b.travellers[0];
    assert_eq!(anna.frequent_flyer[0].tier.as_deref(), Some("GOLD"));
    assert_eq!(anna.references, ["P000001"]);
    assert!(anna.fare.is_some());
    assert_eq!(anna.documents.len(), 1);
    assert_eq!(anna.documents[0].given_names, ["ANNA", "MARIA"]);
    assert_eq!(anna.other_documents[0].kind.as_deref(), Some("V"));
    assert_eq!(anna.other_documents[0].valid_for.as_deref(), Some("BBB"));
    assert_eq!(anna.identifications, ["PPX1234567"]);
    let sources: Vec<_> = anna
        .contacts
        .iter()
        .map(|c| c.ssr.clone().unwrap())
        .collect();
    assert_eq!(sources, ["DOCA", "CTCE", "CTCM"]);
    assert_eq!(anna.contacts[0].purpose.as_deref(), Some("D"));
    assert_eq!(
        anna.contacts[1].email.as_deref(),
        Some("ANNA.SYNTH@MAIL.EXAMPLE")
    );
    let moml = anna.ssrs.iter().find(|s| s.code == "MOML").unwrap();
    assert_eq!(moml.sensitive, Some(Category::Religion));
    let t = &anna.tickets[0];
    assert_eq!(
        (t.number.as_deref(), t.kind.as_deref()),
        (Some("9991234567890"), Some("T"))
    );
    assert_eq!(t.amounts[1].value, "560.00");
    assert_eq!(t.amounts[1].qualifier, "T");
    assert_eq!(t.taxes[0].value, "60.00");
    assert_eq!(t.taxes[0].qualifier, "AB");
    assert_eq!(t.issued.unwrap().to_string(), "2026-11-26T08:30");
    let p = &anna.payments[0];
    assert_eq!(
        (p.kind.as_deref(), p.vendor.as_deref()),
        (Some("CC"), Some("VI"))
    );
    assert_eq!(p.account.as_deref(), Some("XXXXXXXXXXXX1111"));
    assert_eq!(
        p.billing.as_ref().unwrap().city.as_deref(),
        Some("SAMPLETOWN")
    );

    let ben = &b.travellers[1];
    assert_eq!(
        (ben.kind.clone(), ben.infant_of.as_deref()),
        (TravellerKind::Infant, Some("1"))
    );
    assert_eq!(ben.documents[0].number.as_deref(), Some("X7654321"));
    let carl = &b.travellers[2];
    assert_eq!(carl.kind, TravellerKind::Child);
    assert_eq!(carl.reference.as_deref(), Some("3"));
    assert_eq!(
        carl.documents[0].number.as_deref(),
        Some("X9999999"),
        "DOCS pointed from the itinerary"
    );
    let dora = &b.travellers[3];
    assert_eq!(
        dora.surname, "SYNTH",
        "one TIF, two travellers sharing a surname"
    );
    assert_eq!(
        dora.ssrs[0].sensitive,
        Some(Category::Health),
        "WCHR follows the TIF of CARL and DORA"
    );
    assert!(
        dora.documents.is_empty(),
        "a traveller without DOCS is still a traveller"
    );

    let seg = &b.itinerary[0];
    assert_eq!(seg.flight.carrier.as_deref(), Some("XQ"));
    assert_eq!(seg.flight.operating_carrier.as_deref(), Some("ZY"));
    assert_eq!(seg.flight.booking_class.as_deref(), Some("Y"));
    assert_eq!(
        (seg.party_size, seg.equipment.as_deref()),
        (Some(4), Some("32N"))
    );
    assert_eq!(seg.ssrs[0].text.as_deref(), Some("12A"));
    assert_eq!(seg.check_ins.len(), 2);
    assert_eq!(seg.check_ins[0].at.unwrap().to_string(), "2026-11-28T08:40");
    assert_eq!(
        seg.check_ins[0].bags.as_ref().unwrap().tags[0].number,
        "0001234567"
    );
    assert_eq!(seg.check_ins[1].seat.as_deref(), Some("012B"));
    let split = b.split.as_ref().unwrap();
    assert_eq!(
        (split.travellers, split.locators[0].locator.as_str()),
        (Some(1), "QZX999")
    );
    assert_eq!(b.non_air[0].kind.as_deref(), Some("71"));
    assert_eq!(
        b.non_air[0].details.as_ref().unwrap().carrier.as_deref(),
        Some("HH")
    );
    let h = &b.history[0];
    assert_eq!(h.by.as_deref(), Some("1:XQ0101 AAA XQ"));
    assert_eq!(h.action.as_deref(), Some("A"));
    assert_eq!(h.at.unwrap().to_string(), "2026-11-01T12:01");
    assert_eq!(h.lines.len(), 4);

    let lone = &push.bookings[1];
    assert_eq!(lone.travellers[0].surname, "LONE");
    assert_eq!(lone.unread[0].text(), "ZZZ+UNKNOWN");
    assert_eq!(
        codes(m).iter().filter(|c| **c == "sensitive_data").count(),
        3
    );
    assert!(codes(m).contains(&"unknown_segment"));
}

#[test]
fn real_world_mess_is_read_and_reported() {
    // Wrapped lines, a missing terminator, an empty date, text after UNZ, a UNH reference wrapped
    // across lines, two messages in one file, `*` declared as repetition separator.
    let messy = "UNA:+.?*'\r\nUNB+IATA:1+XQ+PIU+261127:0900+78'\r\nUNH+M2+PNRG\r\nOV:13:1:IA'\r\nMSG+:22'\r\nTVL+281126:1005:281126:1310+AAA+BBB+XQ+101'\r\nEQN+1'\r\nSRC'\r\nRCI+XQ:QZX200'\r\nTIF+WRAP+PE\r\nTER MR:A:1'\r\nTVL+281126:1005:281126:1310+AAA+BBB+XQ+101'\r\nDAT+2:\r\nORG+XQ++++A'\r\nTRI++AAA-003:::1'\r\nUNT+12+M2'\r\nUNH+M3+PNRGOV:13:1:IA'\r\nMSG+:22'\r\nTVL+281126:1005:281126:1310+AAA+BBB+XQ+101'\r\nEQN+2'\r\nSRC'\r\nRCI+XQ:QZX300*1A:QQ1'\r\nTIF+ONLY+ONE:A:1'\r\nUNT+8+M3'\r\nUNZ+2+78'\r\n\r\nEND OF TRANSMISSION\r\n";
    let reading = read(messy.as_bytes());
    let file_codes: Vec<_> = reading.findings.iter().map(|f| f.code.as_ref()).collect();
    assert_eq!(file_codes, ["text_after_interchange"]);
    assert_eq!(reading.messages.len(), 2);
    let m = &reading.messages[0];
    assert_eq!(m.message_type, "PNRGOV", "UNH wrapped across lines");
    let b = &m.push().unwrap().bookings[0];
    assert_eq!(b.travellers[0].given_name.as_deref(), Some("PETER MR"));
    let c = &b.itinerary[0].check_ins[0];
    assert_eq!((c.sequence.as_deref(), c.at), (Some("AAA-003"), None));
    assert_eq!(c.by.as_ref().unwrap().company.as_deref(), Some("XQ"));
    assert_eq!(
        codes(m),
        [
            "segment_wrapped",
            "segment_wrapped",
            "missing_segment_terminator",
            "empty_date"
        ]
    );
    let m = &reading.messages[1];
    assert_eq!(codes(m), ["count_mismatch"]);
    assert_eq!(m.findings[0].text, "EQN declares 2 PNRs but 1 were read");
    // With `*` declared, the second repetition of RCI's element is another system's locator:
    // the first repetition is read, the rest kept in the segment.
    assert_eq!(m.push().unwrap().bookings[0].locator(), Some("QZX300"));
}

#[test]
fn several_pnrs_and_messages_keep_their_order() {
    let mut text = String::new();
    for n in 0..3 {
        text.push_str(&format!(
            "UNB+IATA:1+XQ+PIU+261127:0900+{n}'UNH+1+PNRGOV:11:1:IA'MSG+:22'TVL+281126:1005:281126:1310+AAA+BBB+XQ+10{n}'EQN+2'SRC'RCI+XQ:A{n}'TIF+FIRST+X:A:1'SRC'RCI+XQ:B{n}'TIF+SECOND+Y:A:1'UNT+11+1'UNZ+1+{n}'\n"
        ));
    }
    let reading = read(text.as_bytes());
    assert!(reading.findings.is_empty(), "{:?}", reading.findings);
    let locators: Vec<_> = reading
        .messages
        .iter()
        .flat_map(|m| {
            m.push()
                .unwrap()
                .bookings
                .iter()
                .map(|b| b.locator().unwrap().to_string())
        })
        .collect();
    assert_eq!(locators, ["A0", "B0", "A1", "B1", "A2", "B2"]);
    assert!(reading.messages.iter().all(|m| m.findings.is_empty()));
}

#[test]
fn a_message_that_is_not_pnrgov_is_left_unread_with_a_finding() {
    let reading = read(b"UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'UNT+3+1'");
    assert_eq!(reading.messages[0].body, Body::Unsupported);
    assert!(codes(&reading.messages[0]).contains(&"unsupported_message"));
}
