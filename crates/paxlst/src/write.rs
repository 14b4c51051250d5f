//! Writing a PAXLST: the list as typed data back into EDIFACT.

use edifact::{InterchangeHeader, Separators, SeriesPosition, Writer};

use crate::cusres::format_201;
use crate::model::*;

/// How a PAXLST is addressed and numbered.
#[derive(Debug, Clone)]
pub struct ListEnvelope<'a> {
    pub interchange: &'a InterchangeHeader,
    pub separators: Separators,
    /// UNG reference, when the programme uses functional groups.
    pub group_reference: Option<&'a str>,
    pub message_reference: &'a str,
    /// Directory release, e.g. `05B`.
    pub release: &'a str,
    pub common_access_reference: Option<&'a str>,
    pub series: Option<&'a SeriesPosition>,
}

fn yymmdd(d: jiff::civil::Date) -> String {
    format!(
        "{:02}{:02}{:02}",
        d.year().rem_euclid(100),
        d.month(),
        d.day()
    )
}

/// Writes one PAXLST message in its own interchange.
pub fn passenger_list(list: &PassengerList, envelope: &ListEnvelope<'_>) -> Vec<u8> {
    let mut w = Writer::new(envelope.separators).line_breaks(true);
    w.una();
    let x = envelope.interchange;
    w.interchange(x);
    if let Some(reference) = envelope.group_reference {
        w.group(&edifact::GroupHeader {
            message_group: "PAXLST".into(),
            sender: x.sender.clone(),
            recipient: x.recipient.clone(),
            date: x.date.clone(),
            time: x.time.clone(),
            reference: reference.into(),
            agency: "UN".into(),
            version: format!("D:{}", envelope.release),
            segment: 0,
        });
    }
    w.message(
        envelope.message_reference,
        &["PAXLST", "D", envelope.release, "UN", "IATA"],
        envelope.common_access_reference,
        envelope.series,
    );
    write_body(&mut w, list);
    w.end_message();
    if envelope.group_reference.is_some() {
        w.end_group();
    }
    w.end_interchange();
    w.finish()
}

fn write_body(w: &mut Writer, list: &PassengerList) {
    {
        let mut bgm = w.segment("BGM");
        bgm.element(list.kind.code());
        if let Some(change) = &list.change {
            bgm.element(change.code());
        }
    }
    if let Some(tn) = &list.transaction_reference {
        w.segment("RFF").composite(&["TN", tn]);
    }
    if let Some(sender) = &list.sender {
        w.segment("NAD")
            .element("MS")
            .element(sender.id.as_deref().unwrap_or(""))
            .empty()
            .element(sender.name.as_deref().unwrap_or(""));
        write_contacts(w, &sender.contacts);
    }
    for leg in &list.legs {
        w.segment("TDT")
            .element("20")
            .element(&leg.flight)
            .empty()
            .empty()
            .element(leg.carrier.as_deref().unwrap_or(""));
        for stop in &leg.stops {
            let qualifier = match stop.role {
                StopRole::Departure => "125",
                StopRole::Arrival => "87",
                StopRole::Routing => "92",
                StopRole::FinalDestination => "130",
            };
            w.segment("LOC").element(qualifier).element(&stop.airport);
            for (q, when) in [("189", stop.departure), ("232", stop.arrival)] {
                if let Some(when) = when {
                    w.segment("DTM").composite(&[q, &format_201(&when), "201"]);
                }
            }
        }
    }
    for p in &list.persons {
        write_person(w, p);
    }
    if let Some(n) = list.declared.passengers {
        w.segment("CNT").composite(&["42", &n.to_string()]);
    }
    if let Some(n) = list.declared.crew {
        w.segment("CNT").composite(&["41", &n.to_string()]);
    }
}

fn write_contacts(w: &mut Writer, contacts: &[Contact]) {
    if contacts.is_empty() {
        return;
    }
    let mut com = w.segment("COM");
    for c in contacts {
        com.composite(&[&c.number, &c.kind]);
    }
}

fn write_person(w: &mut Writer, p: &Person) {
    {
        let mut name: Vec<&str> = vec![p.surname.as_deref().unwrap_or("")];
        name.extend(p.given_names.iter().map(Text::as_str));
        let a = p.address.as_deref().cloned().unwrap_or_default();
        w.segment("NAD")
            .element(p.role.code())
            .empty()
            .empty()
            .composite(&name)
            .element(a.street.as_deref().unwrap_or(""))
            .element(a.city.as_deref().unwrap_or(""))
            .composite(&["", "", "", a.region.as_deref().unwrap_or("")])
            .element(a.postal_code.as_deref().unwrap_or(""))
            .element(a.country.as_deref().unwrap_or(""));
    }
    if let Some(sex) = p.sex {
        w.segment("ATT").element("2").empty().element(sex.code());
    }
    if let Some(dob) = p.date_of_birth {
        w.segment("DTM").composite(&["329", &yymmdd(dob)]);
    }
    if let Some(n) = p.baggage.count {
        w.segment("MEA")
            .element("CT")
            .empty()
            .composite(&["", &n.to_string()]);
    }
    if let Some(weight) = &p.baggage.weight {
        w.segment("MEA")
            .element("WT")
            .empty()
            .composite(&[p.baggage.weight_unit.as_deref().unwrap_or(""), weight]);
    }
    if let Some(v) = p.verified {
        w.segment("GEI")
            .element("4")
            .element(if v { "173" } else { "174" });
    }
    for t in &p.baggage.tags {
        let n = t.consecutive.map(|n| n.to_string()).unwrap_or_default();
        w.segment("FTX")
            .element("BAG")
            .empty()
            .empty()
            .composite(&[&t.first, &n]);
    }
    for remark in &p.remarks {
        w.segment("FTX")
            .element("AAI")
            .empty()
            .empty()
            .element(remark);
    }
    for (q, v) in [
        ("22", &p.clearance),
        ("174", &p.residence),
        ("178", &p.embarkation),
        ("179", &p.debarkation),
    ] {
        if let Some(v) = v {
            w.segment("LOC").element(q).element(v);
        }
    }
    if let Some(v) = &p.place_of_birth {
        w.segment("LOC").element("180").composite(&["", "", "", v]);
    }
    write_contacts(w, &p.contacts);
    if let Some(f) = &p.crew_function {
        w.segment("EMP").element("1").element(f);
    }
    if let Some(n) = &p.nationality {
        w.segment("NAT").element("2").element(n);
    }
    for r in &p.references {
        w.segment("RFF").composite(&[&r.qualifier, &r.value]);
    }
    for d in &p.documents {
        w.segment("DOC")
            .element(&d.kind)
            .element(d.number.as_deref().unwrap_or(""));
        if let Some(e) = d.expiry {
            w.segment("DTM").composite(&["36", &yymmdd(e)]);
        }
        if let Some(e) = d.issued {
            w.segment("DTM").composite(&["182", &yymmdd(e)]);
        }
        if d.issuing_state.is_some() || d.issuing_place.is_some() {
            w.segment("LOC").element("91").composite(&[
                d.issuing_state.as_deref().unwrap_or(""),
                "",
                "",
                d.issuing_place.as_deref().unwrap_or(""),
            ]);
        }
    }
}
