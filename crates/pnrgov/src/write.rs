//! Writing a PNRGOV push: typed bookings back into EDIFACT, group by group, in the order the
//! reader expects them. Segments kept as sent (history lines, fares, pricing, unread ones) are
//! written element by element, escaped for the separators of the output.

use edifact::date::LocalDateTime;
use edifact::{InterchangeHeader, Separators, SeriesPosition, Writer};

use crate::model::*;

/// How a push is addressed and numbered.
#[derive(Debug, Clone)]
pub struct PushEnvelope<'a> {
    pub interchange: &'a InterchangeHeader,
    /// UNG reference, when the programme uses functional groups.
    pub group_reference: Option<&'a str>,
    pub message_reference: &'a str,
    /// Version and release, e.g. `13:1`.
    pub version: &'a str,
    /// UNH 0068: `DDMMYY/HHMM/carrier/flight`.
    pub common_access_reference: Option<&'a str>,
    pub series: Option<&'a SeriesPosition>,
}

/// PNRGOV writes `UNA:+.?*'`: the standard separators with `*` for repetitions.
pub fn separators() -> Separators {
    Separators::from_una(*b":+.?*'")
}

/// Writes one push in its own interchange.
pub fn push(push: &Push, envelope: &PushEnvelope<'_>) -> Vec<u8> {
    let mut w = Writer::new(separators()).line_breaks(true);
    w.una();
    let x = envelope.interchange;
    w.interchange(x);
    let (version, release) = envelope
        .version
        .split_once(':')
        .unwrap_or((envelope.version, ""));
    if let Some(reference) = envelope.group_reference {
        w.group(&edifact::GroupHeader {
            message_group: "PNRGOV".into(),
            sender: x.sender.clone(),
            recipient: x.recipient.clone(),
            date: x.date.clone(),
            time: x.time.clone(),
            reference: reference.into(),
            agency: "IA".into(),
            version: envelope.version.into(),
            segment: 0,
        });
    }
    w.message(
        envelope.message_reference,
        &["PNRGOV", version, release, "IA"],
        envelope.common_access_reference,
        envelope.series,
    );
    write_push(&mut w, push);
    w.end_message();
    if envelope.group_reference.is_some() {
        w.end_group();
    }
    w.end_interchange();
    w.finish()
}

fn ddmmyy(at: &LocalDateTime) -> (String, String) {
    let d = at.date;
    let date = format!(
        "{:02}{:02}{:02}",
        d.day(),
        d.month(),
        d.year().rem_euclid(100)
    );
    let time = at
        .time
        .map(|t| format!("{:02}{:02}", t.hour(), t.minute()))
        .unwrap_or_default();
    (date, time)
}

fn s(v: &Option<Text>) -> &str {
    v.as_deref().unwrap_or("")
}

fn write_push(w: &mut Writer, push: &Push) {
    w.segment("MSG").composite(&["", s(&push.function)]);
    if let Some(org) = &push.sender {
        write_org(w, org);
    }
    if let Some(f) = &push.flight {
        write_tvl(w, f);
    }
    let count = push.bookings.len().to_string();
    w.segment("EQN").element(
        &push
            .declared_bookings
            .map(|n| n.to_string())
            .unwrap_or(count),
    );
    for raw in &push.unread {
        write_raw(w, raw);
    }
    for b in &push.bookings {
        write_booking(w, b);
    }
}

fn write_org(w: &mut Writer, o: &Organisation) {
    w.segment("ORG")
        .composite(&[s(&o.company), s(&o.location)])
        .composite(&[s(&o.agency), s(&o.office)])
        .element(s(&o.place))
        .empty()
        .element(s(&o.originator_type))
        .composite(&[s(&o.country), s(&o.currency)])
        .element(s(&o.agent));
}

fn write_tvl(w: &mut Writer, f: &Flight) {
    let (dep_date, dep_time) = f
        .departure
        .as_ref()
        .map(|t| ddmmyy(&t.at))
        .unwrap_or_default();
    let (arr_date, arr_time) = f
        .arrival
        .as_ref()
        .map(|t| ddmmyy(&t.at))
        .unwrap_or_default();
    w.segment("TVL")
        .composite(&[&dep_date, &dep_time, &arr_date, &arr_time])
        .element(s(&f.origin))
        .element(s(&f.destination))
        .composite(&[s(&f.carrier), s(&f.operating_carrier)])
        .composite(&[s(&f.number), s(&f.booking_class)]);
}

/// Writes a segment kept as sent. One whose tag is malformed or names an envelope segment is not
/// written: it would change the structure of what is written (the input keeps it).
fn write_raw(w: &mut Writer, raw: &RawSegment) {
    let tag = raw.tag.as_bytes();
    if !edifact::tags::is_well_formed(tag)
        || edifact::tags::SERVICE.iter().any(|t| t.as_bytes() == tag)
    {
        return;
    }
    let mut seg = w.segment(&raw.tag);
    for element in &raw.elements {
        let parts: Vec<&str> = element.iter().map(Text::as_str).collect();
        seg.composite(&parts);
    }
}

fn write_rci(w: &mut Writer, locators: &[RecordLocator]) {
    if locators.is_empty() {
        return;
    }
    let mut seg = w.segment("RCI");
    for l in locators {
        let (date, time) = l.created.as_ref().map(ddmmyy).unwrap_or_default();
        seg.composite(&[&l.system, &l.locator, "", &date, &time]);
    }
}

fn write_ssr(w: &mut Writer, x: &Ssr) {
    let quantity = x.quantity.map(|q| q.to_string()).unwrap_or_default();
    w.segment("SSR")
        .composite(&[
            &x.code,
            s(&x.status),
            &quantity,
            s(&x.airline),
            "",
            "",
            s(&x.board_point),
            s(&x.off_point),
            s(&x.text),
        ])
        .composite(&["", "", s(&x.traveller)]);
}

fn write_ift(w: &mut Writer, r: &Remark) {
    let mut qualifier: Vec<&str> = r.qualifier.split(':').collect();
    if let Some(airline) = &r.airline {
        qualifier.resize(3, "");
        qualifier.push(airline);
    }
    let mut seg = w.segment("IFT");
    seg.composite(&qualifier);
    if !r.text.is_empty() {
        seg.element(&r.text);
    }
}

fn write_add(w: &mut Writer, c: &Contact) {
    let mut seg = w.segment("ADD");
    seg.empty().composite(&[
        s(&c.purpose),
        s(&c.street),
        s(&c.city),
        s(&c.region),
        s(&c.country),
        s(&c.postal_code),
        s(&c.phone),
    ]);
    if let Some(email) = &c.email {
        seg.composite(&["", "", "", "", "", "", "", email]);
    }
}

fn write_ebd(w: &mut Writer, e: &ExcessBaggage) {
    w.segment("EBD")
        .composite(&[s(&e.currency), s(&e.amount)])
        .composite(&[s(&e.pieces), s(&e.weight), s(&e.unit)]);
}

fn write_dat(w: &mut Writer, qualifier: &str, at: Option<&LocalDateTime>) {
    match at {
        Some(at) => {
            let (date, time) = ddmmyy(at);
            w.segment("DAT").composite(&[qualifier, &date, &time]);
        }
        None => {
            w.segment("DAT");
        }
    }
}

fn write_booking(w: &mut Writer, b: &Booking) {
    w.segment("SRC");
    write_rci(w, &b.locators);
    for x in &b.ssrs {
        write_ssr(w, x);
    }
    if let Some(at) = &b.last_change {
        write_dat(w, "700", Some(at));
    }
    for r in &b.remarks {
        write_ift(w, r);
    }
    if let Some(org) = &b.point_of_sale {
        write_org(w, org);
    }
    for c in &b.contacts {
        write_add(w, c);
    }
    for e in &b.excess_baggage {
        write_ebd(w, e);
    }
    for t in &b.travellers {
        write_traveller(w, t);
    }
    for i in &b.itinerary {
        write_itinerary(w, i);
    }
    if let Some(split) = &b.split {
        let n = split.travellers.map(|n| n.to_string()).unwrap_or_default();
        w.segment("EQN").element(&n);
        write_rci(w, &split.locators);
    }
    for n in &b.non_air {
        w.segment("MSG").composite(&["", s(&n.kind)]);
        if let Some(details) = &n.details {
            write_tvl(w, details);
        }
    }
    for raw in &b.unread {
        write_raw(w, raw);
    }
    for h in &b.history {
        let starts_with_lts = h.by.is_none() && h.lines.first().is_some_and(|l| l.tag == "LTS");
        if !starts_with_lts {
            w.segment("ABI").element(s(&h.by));
        }
        for line in &h.lines {
            write_raw(w, line);
        }
    }
}

fn write_traveller(w: &mut Writer, t: &Traveller) {
    let kind = match &t.kind {
        TravellerKind::Adult => "A",
        TravellerKind::Child => "C",
        TravellerKind::Infant => "IN",
        TravellerKind::Other(code) => code,
    };
    w.segment("TIF").element(&t.surname).composite(&[
        s(&t.given_name),
        kind,
        s(&t.reference),
        if t.with_infant { "1" } else { "" },
    ]);
    for f in &t.frequent_flyer {
        w.segment("FTI")
            .composite(&[&f.airline, &f.number, "", "", "", "", s(&f.tier)]);
    }
    for r in &t.remarks {
        write_ift(w, r);
    }
    for r in &t.references {
        w.segment("REF").composite(&["", r]);
    }
    for e in &t.excess_baggage {
        write_ebd(w, e);
    }
    if let Some(fare) = &t.fare {
        write_raw(w, fare);
    }
    for x in &t.ssrs {
        write_ssr(w, x);
    }
    // Contacts from SSRs are written by their SSRs.
    for c in t.contacts.iter().filter(|c| c.ssr.is_none()) {
        write_add(w, c);
    }
    for k in &t.tickets {
        w.segment("TKT")
            .composite(&[s(&k.number), s(&k.kind), s(&k.booklets)]);
        if !k.amounts.is_empty() {
            let mut seg = w.segment("MON");
            for a in &k.amounts {
                seg.composite(&[&a.qualifier, &a.value, s(&a.currency)]);
            }
        }
        if let Some(pricing) = &k.pricing {
            write_raw(w, pricing);
        }
        if !k.taxes.is_empty() {
            let mut seg = w.segment("TXD");
            seg.empty();
            for a in &k.taxes {
                seg.composite(&[&a.value, s(&a.currency), "", &a.qualifier]);
            }
        }
        if let Some(at) = &k.issued {
            write_dat(w, "710", Some(at));
        }
    }
    for p in &t.payments {
        w.segment("FOP").composite(&[
            s(&p.kind),
            "",
            s(&p.amount),
            s(&p.vendor),
            s(&p.account),
            s(&p.expiry),
        ]);
        if let Some(billing) = &p.billing {
            write_add(w, billing);
        }
    }
}

fn write_itinerary(w: &mut Writer, i: &ItinerarySegment) {
    write_tvl(w, &i.flight);
    if i.party_size.is_some() || i.status.is_some() {
        let n = i.party_size.map(|n| n.to_string()).unwrap_or_default();
        w.segment("RPI").element(&n).element(s(&i.status));
    }
    if let Some(e) = &i.equipment {
        w.segment("APD").element(e);
    }
    for x in &i.ssrs {
        write_ssr(w, x);
    }
    write_rci(w, &i.locators);
    for r in &i.remarks {
        write_ift(w, r);
    }
    for c in &i.check_ins {
        write_dat(w, "2", c.at.as_ref());
        if let Some(by) = &c.by {
            write_org(w, by);
        }
        w.segment("TRI")
            .empty()
            .composite(&[s(&c.sequence), "", "", s(&c.traveller)]);
        if let Some(surname) = &c.surname {
            w.segment("TIF").element(surname);
        }
        if c.seat.is_some() || c.cabin.is_some() {
            w.segment("SSD")
                .element(s(&c.seat))
                .empty()
                .empty()
                .empty()
                .element(s(&c.cabin));
        }
        if let Some(b) = &c.bags {
            let count = b.count.map(|n| n.to_string()).unwrap_or_default();
            let mut seg = w.segment("TBD");
            seg.empty()
                .composite(&[&count, s(&b.weight), s(&b.unit)])
                .empty();
            let pool: Vec<&str> = b
                .pool
                .as_deref()
                .map(|p| p.split(' ').collect())
                .unwrap_or_default();
            seg.composite(&pool);
            for t in &b.tags {
                let n = t.consecutive.map(|n| n.to_string()).unwrap_or_default();
                seg.composite(&[s(&t.carrier), &t.number, &n, s(&t.destination)]);
            }
        }
    }
}
