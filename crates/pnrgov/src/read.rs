//! Reading a PNRGOV message: a state machine over the segment groups (SRC starts a booking, TIF a
//! traveller, TVL an itinerary segment, DAT/TRI its check-in data, EQN a split, MSG a non-air
//! segment, ABI or LTS the history), keeping every segment it cannot place.

use edifact::Record;
use std::borrow::Cow;

use edifact::date::{Century, DateProblem, LocalDateTime, place_year};
use edifact::{Finding, Segment};
use jiff::civil::{Date, Time};

use crate::airimp;
use crate::code;
use crate::model::*;
use crate::sensitive::Table;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Header,
    Booking,
    Traveller,
    Ticket,
    Payment,
    Itinerary,
    CheckInGroup,
    CheckIn,
    Split,
    NonAir,
    History,
}

impl Place {
    fn in_traveller(self) -> bool {
        matches!(self, Place::Traveller | Place::Ticket | Place::Payment)
    }

    fn in_itinerary(self) -> bool {
        matches!(
            self,
            Place::Itinerary | Place::CheckInGroup | Place::CheckIn
        )
    }
}

/// An SSR that names its traveller from outside the traveller's group.
struct Pointed {
    traveller: Text,
    ssr: Ssr,
}

pub(crate) struct PushReader<'f> {
    push: Push,
    place: Place,
    prepared: Option<Date>,
    findings: &'f mut Vec<Finding>,
    table: &'static Table,
    /// DAT and ORG of a check-in group, waiting for the TRI they belong to.
    check_in_at: Option<LocalDateTime>,
    check_in_by: Option<Organisation>,
    pointed: Vec<Pointed>,
}

fn own(v: Option<Cow<'_, str>>) -> Option<Text> {
    v.map(|s| Text::from(s.trim())).filter(|s| !s.is_empty())
}

const TITLES: &[&str] = &[
    "MR", "MRS", "MS", "MISS", "MSTR", "MASTER", "DR", "PROF", "REV", "SIR", "CAPT", "MME", "MLLE",
    "MADAM",
];

impl<'f> PushReader<'f> {
    pub(crate) fn new(prepared: Option<Date>, findings: &'f mut Vec<Finding>) -> Self {
        PushReader {
            push: Push::default(),
            place: Place::Header,
            prepared,
            findings,
            table: crate::sensitive::Table::builtin(),
            check_in_at: None,
            check_in_by: None,
            pointed: Vec::new(),
        }
    }

    fn booking(&mut self) -> Option<&mut Booking> {
        self.push.bookings.last_mut()
    }

    fn traveller(&mut self) -> Option<&mut Traveller> {
        self.push.bookings.last_mut()?.travellers.last_mut()
    }

    fn itinerary(&mut self) -> Option<&mut ItinerarySegment> {
        self.push.bookings.last_mut()?.itinerary.last_mut()
    }

    fn check_in(&mut self) -> Option<&mut CheckIn> {
        self.itinerary()?.check_ins.last_mut()
    }

    fn history(&mut self) -> Option<&mut HistoryEntry> {
        self.push.bookings.last_mut()?.history.last_mut()
    }

    pub(crate) fn segment(&mut self, s: &Segment<'_>) {
        let place = self.place;
        match s.tag_bytes() {
            b"UNH" | b"UNT" => {}
            b"SRC" => self.start_booking(s),
            b"MSG" if place == Place::Header => {
                self.push.function = own(s.text(1, 1)).or_else(|| own(s.text(1, 0)));
            }
            b"MSG" if self.has_booking() => {
                let kind = own(s.text(1, 1)).or_else(|| own(s.text(1, 0)));
                let index = s.index();
                if let Some(b) = self.booking() {
                    b.non_air.push(NonAirSegment {
                        kind,
                        details: None,
                        segment: index,
                    });
                }
                self.place = Place::NonAir;
            }
            b"ORG" => self.org(s),
            b"TVL" => self.tvl(s),
            b"EQN" => self.eqn(s),
            b"RCI" => self.rci(s),
            b"SSR" => self.ssr(s),
            b"DAT" => self.dat(s),
            b"IFT" => self.ift(s),
            b"ADD" => self.add(s),
            b"EBD" => self.ebd(s),
            b"TIF" => self.tif(s),
            b"FTI" | b"REF" | b"FAR" if place.in_traveller() => self.traveller_detail(s),
            b"TKT" if place.in_traveller() => self.tkt(s),
            b"MON" | b"PTK" | b"TXD" if place == Place::Ticket => self.ticket_detail(s),
            b"FOP" if place.in_traveller() => self.fop(s),
            b"TRA" | b"APD" if place.in_itinerary() => self.itinerary_detail(s),
            b"RPI" if place.in_itinerary() => self.itinerary_detail(s),
            b"TRI" if place.in_itinerary() => self.tri(s),
            b"SSD" | b"TBD" if place == Place::CheckIn => self.check_in_detail(s),
            b"LTS" if place == Place::History => self.history_line(s),
            b"ABI" | b"LTS" if self.has_booking() => self.start_history(s),
            _ if place == Place::History => self.history_line(s),
            tag => {
                let known = edifact::tags::is_known(tag);
                self.unread(s, known);
            }
        }
    }

    fn has_booking(&self) -> bool {
        !self.push.bookings.is_empty()
    }

    /// Keeps a segment that stood where nothing expects it, with a finding.
    fn unread(&mut self, s: &Segment<'_>, known: bool) {
        let tag: String = s.tag().chars().take(3).collect();
        let finding = if known {
            Finding::warning(
                code::UNEXPECTED_SEGMENT,
                format!("{tag} stands where PNRGOV does not expect it; kept as sent"),
            )
        } else {
            Finding::warning(
                code::UNKNOWN_SEGMENT,
                format!("segment {tag} is not part of PNRGOV; kept as sent"),
            )
        };
        self.findings.record(finding.at(s.index()));
        let raw = raw(s);
        match self.push.bookings.last_mut() {
            Some(b) => b.unread.push(raw),
            None => self.push.unread.push(raw),
        }
    }

    fn start_booking(&mut self, s: &Segment<'_>) {
        self.finish_booking();
        self.push.bookings.push(Booking {
            segment: s.index(),
            ..Booking::default()
        });
        self.place = Place::Booking;
        self.check_in_at = None;
        self.check_in_by = None;
    }

    fn org(&mut self, s: &Segment<'_>) {
        let org = organisation(s);
        match self.place {
            Place::Header => self.push.sender = Some(org),
            Place::Booking => {
                if let Some(b) = self.booking() {
                    b.point_of_sale = Some(org);
                }
            }
            Place::Itinerary | Place::CheckInGroup | Place::CheckIn => {
                self.check_in_by = Some(org);
                self.place = Place::CheckInGroup;
            }
            Place::History => self.history_line(s),
            _ => self.unread(s, true),
        }
    }

    fn tvl(&mut self, s: &Segment<'_>) {
        let flight = self.flight(s);
        match self.place {
            Place::Header => self.push.flight = Some(flight),
            Place::NonAir => {
                if let Some(n) = self.booking().and_then(|b| b.non_air.last_mut()) {
                    n.details = Some(flight);
                }
            }
            Place::History => self.history_line(s),
            _ if self.has_booking() => {
                let index = s.index();
                if let Some(b) = self.booking() {
                    b.itinerary.push(ItinerarySegment {
                        flight,
                        segment: index,
                        ..ItinerarySegment::default()
                    });
                }
                self.place = Place::Itinerary;
                self.check_in_at = None;
                self.check_in_by = None;
            }
            _ => self.unread(s, true),
        }
    }

    /// TVL: `date:time:date:time + from + to + carrier[:operating] + number[:class]`.
    fn flight(&mut self, s: &Segment<'_>) -> Flight {
        let origin = own(s.text(2, 0));
        let destination = own(s.text(3, 0));
        let departure = self
            .padis_date(s, 1, 0, Some(1), Century::Nearest)
            .map(|at| LocalTime {
                at,
                place: origin.clone().unwrap_or_default(),
            });
        let arrival = self
            .padis_date(s, 1, 2, Some(3), Century::Nearest)
            .map(|at| LocalTime {
                at,
                place: destination.clone().unwrap_or_default(),
            });
        Flight {
            departure,
            arrival,
            origin,
            destination,
            carrier: own(s.text(4, 0)),
            operating_carrier: own(s.text(4, 1)),
            number: own(s.text(5, 0)),
            booking_class: own(s.text(5, 1)),
        }
    }

    fn eqn(&mut self, s: &Segment<'_>) {
        let n = s.text(1, 0).and_then(|v| v.trim().parse::<u32>().ok());
        if n.is_none() {
            self.findings.record(
                Finding::warning(code::BAD_NUMBER, "EQN count is not a whole number")
                    .at(s.index())
                    .element(1),
            );
        }
        match self.place {
            Place::Header => self.push.declared_bookings = n,
            Place::History => self.history_line(s),
            _ if self.has_booking() => {
                let index = s.index();
                if let Some(b) = self.booking() {
                    b.split = Some(Split {
                        travellers: n,
                        locators: Vec::new(),
                        segment: index,
                    });
                }
                self.place = Place::Split;
            }
            _ => self.unread(s, true),
        }
    }

    fn rci(&mut self, s: &Segment<'_>) {
        let locators = self.locators(s);
        match self.place {
            Place::Booking => {
                if let Some(b) = self.booking() {
                    b.locators.extend(locators);
                }
            }
            Place::Split => {
                if let Some(split) = self.booking().and_then(|b| b.split.as_mut()) {
                    split.locators.extend(locators);
                }
            }
            p if p.in_itinerary() => {
                if let Some(i) = self.itinerary() {
                    i.locators.extend(locators);
                }
            }
            Place::History => self.history_line(s),
            _ => self.unread(s, true),
        }
    }

    /// RCI: one element per system: `company:locator:type:DDMMYY:HHMM`.
    fn locators(&mut self, s: &Segment<'_>) -> Vec<RecordLocator> {
        let mut out = Vec::new();
        for position in 1..=s.element_count() {
            let Some(locator) = own(s.text(position, 1)) else {
                continue;
            };
            let created = self.padis_date(s, position, 3, Some(4), Century::Nearest);
            out.push(RecordLocator {
                system: own(s.text(position, 0)).unwrap_or_default(),
                locator,
                created,
            });
        }
        if out.is_empty() {
            self.findings.record(
                Finding::warning(code::MISSING_MANDATORY, "RCI has no record locator")
                    .at(s.index())
                    .element(1)
                    .component(2),
            );
        }
        out
    }

    fn read_ssr(&mut self, s: &Segment<'_>) -> Ssr {
        let code_value = own(s.text(1, 0)).unwrap_or_default();
        let text = own(s.text(1, 8));
        // Document and contact SSRs carry structured data, not free text.
        let structured = matches!(
            code_value.as_str(),
            "DOCS" | "DOCO" | "DOCA" | "FOID" | "CTCE" | "CTCM" | "INFT" | "SEAT" | "TKNE"
        );
        let sensitive = self.table.ssr(&code_value).or_else(|| {
            text.as_deref()
                .filter(|_| !structured)
                .and_then(|t| self.table.text(t))
        });
        if let Some(category) = sensitive {
            self.findings.record(
                Finding::info(
                    code::SENSITIVE_DATA,
                    format!(
                        "SSR marked as {} data, to be deleted on receipt",
                        category.name()
                    ),
                )
                .at(s.index()),
            );
        }
        Ssr {
            status: own(s.text(1, 1)),
            quantity: s.text(1, 2).and_then(|q| q.trim().parse().ok()),
            airline: own(s.text(1, 3)),
            board_point: own(s.text(1, 6)),
            off_point: own(s.text(1, 7)),
            text,
            traveller: own(s.text(2, 2)),
            sensitive,
            segment: s.index(),
            code: code_value,
        }
    }

    fn ssr(&mut self, s: &Segment<'_>) {
        if self.place == Place::History {
            self.history_line(s);
            return;
        }
        let ssr = self.read_ssr(s);
        let place = self.place;
        if place.in_traveller() {
            let reference = self.prepared;
            if let Some(t) = self.traveller() {
                apply_ssr(t, &ssr, reference);
                t.ssrs.push(ssr);
            }
            return;
        }
        if let Some(traveller) = ssr.traveller.clone() {
            self.pointed.push(Pointed {
                traveller,
                ssr: ssr.clone(),
            });
        }
        match place {
            Place::Booking => {
                if let Some(b) = self.booking() {
                    b.ssrs.push(ssr);
                }
            }
            p if p.in_itinerary() => {
                if let Some(i) = self.itinerary() {
                    i.ssrs.push(ssr);
                }
            }
            _ => self.unread(s, true),
        }
    }

    fn dat(&mut self, s: &Segment<'_>) {
        let qualifier = own(s.text(1, 0));
        let has_value = s.text(1, 1).is_some();
        if qualifier.is_some() && !has_value {
            self.findings.record(
                Finding::info(code::EMPTY_DATE, "DAT carries a qualifier but no date")
                    .at(s.index())
                    .element(1)
                    .component(2),
            );
        }
        let at = if has_value {
            self.padis_date(s, 1, 1, Some(2), Century::Nearest)
        } else {
            None
        };
        match self.place {
            Place::Booking => {
                if let Some(b) = self.booking() {
                    b.last_change = at;
                }
            }
            Place::Ticket => {
                if let Some(t) = self.traveller().and_then(|t| t.tickets.last_mut()) {
                    t.issued = at;
                }
            }
            p if p.in_itinerary() => {
                self.check_in_at = at;
                self.check_in_by = None;
                self.place = Place::CheckInGroup;
            }
            Place::History => {
                if let Some(h) = self.history() {
                    h.at = at;
                }
                self.history_line(s);
            }
            _ => self.unread(s, true),
        }
    }

    fn ift(&mut self, s: &Segment<'_>) {
        if self.place == Place::History {
            self.history_line(s);
            return;
        }
        let qualifier: Vec<String> = s
            .element(1)
            .map(|e| {
                e.components()
                    .map(|c| c.text().trim().to_string())
                    .collect()
            })
            .unwrap_or_default();
        let airline = qualifier.get(3).filter(|a| !a.is_empty()).map(Text::from);
        let qualifier = qualifier
            .iter()
            .take(2)
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(":");
        let text: Vec<String> = s
            .elements()
            .skip(1)
            .map(|e| e.value().trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        let text = Text::from(text.join(" "));
        let sensitive = self.table.text(&text);
        if let Some(category) = sensitive {
            self.findings.record(
                Finding::info(
                    code::SENSITIVE_DATA,
                    format!(
                        "remark marked as {} data, to be deleted on receipt",
                        category.name()
                    ),
                )
                .at(s.index()),
            );
        }
        let remark = Remark {
            qualifier: Text::from(qualifier),
            airline,
            text,
            sensitive,
            segment: s.index(),
        };
        match self.place {
            Place::Booking => {
                if let Some(b) = self.booking() {
                    b.remarks.push(remark);
                }
            }
            p if p.in_traveller() => {
                if let Some(t) = self.traveller() {
                    t.remarks.push(remark);
                }
            }
            p if p.in_itinerary() => {
                if let Some(i) = self.itinerary() {
                    i.remarks.push(remark);
                }
            }
            _ => self.unread(s, true),
        }
    }

    fn add(&mut self, s: &Segment<'_>) {
        let contact = address(s);
        match self.place {
            Place::Booking => {
                if let Some(b) = self.booking() {
                    b.contacts.push(contact);
                }
            }
            Place::Payment => {
                if let Some(p) = self.traveller().and_then(|t| t.payments.last_mut()) {
                    p.billing = Some(contact);
                }
            }
            p if p.in_traveller() => {
                if let Some(t) = self.traveller() {
                    t.contacts.push(contact);
                }
            }
            Place::History => self.history_line(s),
            _ => self.unread(s, true),
        }
    }

    fn ebd(&mut self, s: &Segment<'_>) {
        let excess = ExcessBaggage {
            currency: own(s.text(1, 0)),
            amount: own(s.text(1, 1)),
            pieces: own(s.text(2, 0)),
            weight: own(s.text(2, 1)),
            unit: own(s.text(2, 2)),
            segment: s.index(),
        };
        match self.place {
            Place::Booking => {
                if let Some(b) = self.booking() {
                    b.excess_baggage.push(excess);
                }
            }
            p if p.in_traveller() => {
                if let Some(t) = self.traveller() {
                    t.excess_baggage.push(excess);
                }
            }
            Place::History => self.history_line(s),
            _ => self.unread(s, true),
        }
    }

    fn tif(&mut self, s: &Segment<'_>) {
        match self.place {
            Place::Booking | Place::Traveller | Place::Ticket | Place::Payment => {
                self.start_travellers(s)
            }
            Place::CheckInGroup | Place::CheckIn => {
                let surname = own(s.text(1, 0));
                let reference = own(s.text(2, 2));
                if self.place == Place::CheckInGroup {
                    self.new_check_in(s.index());
                }
                if let Some(c) = self.check_in() {
                    c.surname = surname;
                    if c.traveller.is_none() {
                        c.traveller = reference;
                    }
                }
            }
            Place::History => self.history_line(s),
            _ => self.unread(s, true),
        }
    }

    /// TIF: `surname[:qualifier] + given name and title:type:reference:infant indicator`, one
    /// traveller per given-name element (several may share a surname).
    fn start_travellers(&mut self, s: &Segment<'_>) {
        let surname = own(s.text(1, 0));
        if surname.is_none() {
            self.findings.record(
                Finding::warning(code::MISSING_MANDATORY, "TIF has no surname")
                    .at(s.index())
                    .element(1),
            );
        }
        let count = s.element_count().max(2);
        for position in 2..=count {
            let given = own(s.text(position, 0));
            let (given_name, title) = split_title(given);
            let kind = own(s.text(position, 1))
                .map(|k| TravellerKind::from_code(&k))
                .unwrap_or(TravellerKind::Adult);
            let traveller = Traveller {
                surname: surname.clone().unwrap_or_default(),
                given_name,
                title,
                kind,
                reference: own(s.text(position, 2)),
                with_infant: s.text(position, 3).as_deref().map(str::trim) == Some("1"),
                infant_of: None,
                frequent_flyer: Vec::new(),
                references: Vec::new(),
                documents: Vec::new(),
                other_documents: Vec::new(),
                contacts: Vec::new(),
                identifications: Vec::new(),
                ssrs: Vec::new(),
                remarks: Vec::new(),
                excess_baggage: Vec::new(),
                fare: None,
                tickets: Vec::new(),
                payments: Vec::new(),
                segment: s.index(),
            };
            if let Some(b) = self.booking() {
                b.travellers.push(traveller);
            }
        }
        self.place = Place::Traveller;
    }

    fn traveller_detail(&mut self, s: &Segment<'_>) {
        let tag = s.tag_bytes();
        let fare = raw(s);
        let ff = (tag == b"FTI").then(|| FrequentFlyer {
            airline: own(s.text(1, 0)).unwrap_or_default(),
            number: own(s.text(1, 1)).unwrap_or_default(),
            tier: own(s.text(1, 6)).or_else(|| own(s.text(1, 5))),
        });
        let reference = own(s.text(1, 1)).or_else(|| own(s.text(1, 0)));
        let Some(t) = self.traveller() else {
            return;
        };
        match tag {
            b"FTI" => t.frequent_flyer.extend(ff),
            b"REF" => t.references.extend(reference),
            _ => t.fare = Some(fare),
        }
    }

    fn tkt(&mut self, s: &Segment<'_>) {
        let ticket = Ticket {
            number: own(s.text(1, 0)),
            kind: own(s.text(1, 1)),
            booklets: own(s.text(1, 2)),
            segment: s.index(),
            ..Ticket::default()
        };
        if let Some(t) = self.traveller() {
            t.tickets.push(ticket);
        }
        self.place = Place::Ticket;
    }

    fn ticket_detail(&mut self, s: &Segment<'_>) {
        let tag = s.tag_bytes();
        let amounts: Vec<Amount> = s
            .elements()
            .filter_map(|e| {
                Some(Amount {
                    qualifier: own(e.text(0)).unwrap_or_default(),
                    value: own(e.text(1))?,
                    currency: own(e.text(2)),
                })
            })
            .collect();
        let taxes: Vec<Amount> = s
            .elements()
            .skip(1)
            .filter_map(|e| {
                Some(Amount {
                    value: own(e.text(0))?,
                    currency: own(e.text(1)),
                    qualifier: own(e.text(3))
                        .or_else(|| own(e.text(2)))
                        .unwrap_or_default(),
                })
            })
            .collect();
        let pricing = raw(s);
        let Some(ticket) = self.traveller().and_then(|t| t.tickets.last_mut()) else {
            return;
        };
        match tag {
            b"MON" => ticket.amounts.extend(amounts),
            b"TXD" => ticket.taxes.extend(taxes),
            _ => ticket.pricing = Some(pricing),
        }
    }

    fn fop(&mut self, s: &Segment<'_>) {
        let payment = Payment {
            kind: own(s.text(1, 0)),
            amount: own(s.text(1, 2)),
            vendor: own(s.text(1, 3)),
            account: own(s.text(1, 4)),
            expiry: own(s.text(1, 5)),
            billing: None,
            segment: s.index(),
        };
        if let Some(t) = self.traveller() {
            t.payments.push(payment);
        }
        self.place = Place::Payment;
    }

    fn itinerary_detail(&mut self, s: &Segment<'_>) {
        let tag = s.tag_bytes();
        let first = own(s.text(1, 0));
        let second = own(s.text(1, 1));
        let status = own(s.text(2, 0));
        let Some(i) = self.itinerary() else {
            return;
        };
        match tag {
            b"TRA" => {
                i.flight.operating_carrier = first;
                if second.is_some() && i.flight.number.is_none() {
                    i.flight.number = second;
                }
            }
            b"RPI" => {
                i.party_size = first.and_then(|n| n.parse().ok());
                i.status = status;
            }
            _ => i.equipment = first,
        }
    }

    fn new_check_in(&mut self, index: usize) {
        let at = self.check_in_at;
        let by = self.check_in_by.clone();
        if let Some(i) = self.itinerary() {
            i.check_ins.push(CheckIn {
                at,
                by,
                segment: index,
                ..CheckIn::default()
            });
        }
        self.place = Place::CheckIn;
    }

    fn tri(&mut self, s: &Segment<'_>) {
        self.new_check_in(s.index());
        let sequence = own(s.text(2, 0));
        let traveller = own(s.text(2, 3));
        if let Some(c) = self.check_in() {
            c.sequence = sequence;
            c.traveller = traveller;
        }
    }

    fn check_in_detail(&mut self, s: &Segment<'_>) {
        let tag = s.tag_bytes();
        let seat = own(s.text(1, 0));
        let cabin = own(s.text(5, 0));
        let bags = (tag == b"TBD").then(|| bags(s));
        let Some(c) = self.check_in() else {
            return;
        };
        match bags {
            Some(b) => c.bags = Some(b),
            None => {
                c.seat = seat;
                c.cabin = cabin;
            }
        }
    }

    fn start_history(&mut self, s: &Segment<'_>) {
        let by = (s.tag_bytes() == b"ABI").then(|| {
            let parts: Vec<String> = s
                .elements()
                .map(|e| e.value().trim().to_string())
                .filter(|v| !v.is_empty())
                .collect();
            Text::from(parts.join(" "))
        });
        let index = s.index();
        if let Some(b) = self.booking() {
            b.history.push(HistoryEntry {
                by,
                segment: index,
                ..HistoryEntry::default()
            });
        }
        self.place = Place::History;
        if s.tag_bytes() == b"LTS" {
            self.history_line(s);
        }
    }

    fn history_line(&mut self, s: &Segment<'_>) {
        let action = (s.tag_bytes() == b"SAC")
            .then(|| own(s.text(3, 0)).or_else(|| own(s.text(1, 0))))
            .flatten();
        let line = raw(s);
        if let Some(h) = self.history() {
            if action.is_some() {
                h.action = action;
            }
            h.lines.push(line);
        }
    }

    /// A PADIS date (DDMMYY) in element `position`, component `date`, with the time (HHMM) in
    /// component `time`. Placed by `century` around the date the interchange was prepared.
    fn padis_date(
        &mut self,
        s: &Segment<'_>,
        position: usize,
        date: usize,
        time: Option<usize>,
        century: Century,
    ) -> Option<LocalDateTime> {
        let value = s.text(position, date)?;
        let clock = time.and_then(|t| s.text(position, t));
        match padis(&value, clock.as_deref(), century, self.prepared) {
            Ok(at) => Some(at),
            Err(problem) => {
                let text = match problem {
                    DateProblem::Unreadable => "date is not in the DDMMYY layout",
                    DateProblem::Invalid => "date names no calendar day or time",
                };
                self.findings.record(
                    Finding::error(code::BAD_DATE, text)
                        .at(s.index())
                        .element(position)
                        .component(date + 1),
                );
                None
            }
        }
    }

    /// Links infants to their adults, gives each infant the documents filed under its adult,
    /// and applies SSRs that name a traveller from outside the traveller's group.
    fn finish_booking(&mut self) {
        let pointed = std::mem::take(&mut self.pointed);
        let reference = self.prepared;
        let Some(b) = self.push.bookings.last_mut() else {
            return;
        };
        for p in &pointed {
            if let Some(t) = b
                .travellers
                .iter_mut()
                .find(|t| t.reference.as_deref() == Some(p.traveller.as_str()))
            {
                apply_ssr(t, &p.ssr, reference);
            }
        }
        link_infants(&mut b.travellers);
    }

    pub(crate) fn finish(mut self, first_segment: usize) -> Push {
        self.finish_booking();
        if let Some(declared) = self.push.declared_bookings {
            let actual = self.push.bookings.len();
            if usize::try_from(declared).ok() != Some(actual) {
                self.findings.record(
                    Finding::warning(
                        code::COUNT_MISMATCH,
                        format!("EQN declares {declared} PNRs but {actual} were read"),
                    )
                    .at(first_segment),
                );
            }
        }
        if self.push.flight.is_none() {
            self.findings.record(
                Finding::warning(
                    code::MISSING_MANDATORY,
                    "PNRGOV names no flight (TVL before the first PNR)",
                )
                .at(first_segment),
            );
        }
        self.push
    }
}

fn split_title(given: Option<Text>) -> (Option<Text>, Option<Text>) {
    let Some(given) = given else {
        return (None, None);
    };
    let title = given
        .rsplit_once(' ')
        .map(|(_, last)| last)
        .filter(|last| TITLES.contains(last))
        .map(Text::from);
    (Some(given), title)
}

/// Adds what an SSR says about a traveller: documents, visas, addresses, identifications and
/// contacts. An equal document already held is not added twice.
fn apply_ssr(t: &mut Traveller, ssr: &Ssr, reference: Option<Date>) {
    let Some(text) = ssr.text.as_deref() else {
        return;
    };
    match ssr.code.as_str() {
        "DOCS" => {
            let mut d = airimp::docs(text, reference);
            d.segment = ssr.segment;
            let known = t
                .documents
                .iter()
                .any(|x| x.number == d.number && x.date_of_birth == d.date_of_birth);
            if !known {
                t.documents.push(d);
            }
        }
        "DOCO" => {
            let mut d = airimp::doco(text, reference);
            d.segment = ssr.segment;
            if !t.other_documents.iter().any(|x| x.number == d.number) {
                t.other_documents.push(d);
            }
        }
        "DOCA" | "CTCE" | "CTCM" => {
            let mut c = match ssr.code.as_str() {
                "DOCA" => airimp::doca(text),
                "CTCE" => airimp::ctce(text),
                _ => airimp::ctcm(text),
            };
            c.segment = ssr.segment;
            let known = t.contacts.iter().any(|x| {
                Contact {
                    segment: c.segment,
                    ..x.clone()
                } == c
            });
            if !known {
                t.contacts.push(c);
            }
        }
        "FOID" => {
            let id = Text::from(text.trim());
            if !t.identifications.contains(&id) {
                t.identifications.push(id);
            }
        }
        _ => {}
    }
}

/// An infant follows the adult that travels with it: link them, and move the documents of the
/// infant (sex MI/FI) that carriers file under the adult to the infant.
fn link_infants(travellers: &mut [Traveller]) {
    let mut adult: Option<usize> = None;
    let mut moves: Vec<(usize, usize)> = Vec::new();
    for i in 0..travellers.len() {
        let Some(t) = travellers.get(i) else {
            continue;
        };
        if t.kind == TravellerKind::Infant {
            if let Some(a) = adult.take() {
                let adult_ref = travellers.get(a).and_then(|x| x.reference.clone());
                if let Some(infant) = travellers.get_mut(i) {
                    infant.infant_of = adult_ref;
                }
                moves.push((a, i));
            }
        } else if t.with_infant {
            adult = Some(i);
        }
    }
    for (a, i) in moves {
        let docs: Vec<TravelDocument> = travellers
            .get_mut(a)
            .map(|adult| {
                let (infant_docs, own_docs): (Vec<_>, Vec<_>) =
                    adult.documents.drain(..).partition(|d| d.infant);
                adult.documents = own_docs;
                infant_docs
            })
            .unwrap_or_default();
        if let Some(infant) = travellers.get_mut(i) {
            for d in docs {
                if !infant.documents.iter().any(|x| x.number == d.number) {
                    infant.documents.push(d);
                }
            }
        }
    }
}

/// A segment as its tag and the text of its components.
fn raw(s: &Segment<'_>) -> RawSegment {
    RawSegment {
        tag: Text::from(s.tag()),
        elements: s
            .elements()
            .map(|e| e.components().map(|c| Text::from(c.text())).collect())
            .collect(),
        segment: s.index(),
    }
}

/// ORG: `company:location + agency:office + place + system + originator type + country:currency
/// + agent …` (the layout of the PADIS guide examples).
fn organisation(s: &Segment<'_>) -> Organisation {
    Organisation {
        company: own(s.text(1, 0)),
        location: own(s.text(1, 1)),
        agency: own(s.text(2, 0)),
        office: own(s.text(2, 1)),
        place: own(s.text(3, 0)),
        originator_type: own(s.text(5, 0)),
        country: own(s.text(6, 0)),
        currency: own(s.text(6, 1)),
        agent: own(s.text(7, 0)),
        raw: Text::from(s.raw_text()),
    }
}

/// ADD: `purpose:street:city:region:country:postal code:phone`; a component holding `@` is an
/// e-mail, wherever it stands.
fn address(s: &Segment<'_>) -> Contact {
    let mut c = Contact {
        segment: s.index(),
        ..Contact::default()
    };
    for element in s.elements() {
        let parts: Vec<Text> = element
            .components()
            .map(|p| Text::from(p.text().trim()))
            .collect();
        let get = |i: usize| parts.get(i).filter(|p| !p.is_empty()).cloned();
        if let Some(email) = parts.iter().find(|p| p.contains('@')) {
            c.email = Some(email.clone());
            continue;
        }
        if parts.iter().all(|p| p.is_empty()) {
            continue;
        }
        c.purpose = c.purpose.take().or_else(|| get(0));
        c.street = c.street.take().or_else(|| get(1));
        c.city = c.city.take().or_else(|| get(2));
        c.region = c.region.take().or_else(|| get(3));
        c.country = c.country.take().or_else(|| get(4));
        c.postal_code = c.postal_code.take().or_else(|| get(5));
        c.phone = c.phone.take().or_else(|| get(6));
    }
    c
}

/// TBD: `+ count:weight:unit + + pool + carrier:tag:consecutive:destination …`.
fn bags(s: &Segment<'_>) -> Bags {
    let pool: Vec<String> = s
        .element(4)
        .map(|e| {
            e.components()
                .map(|c| c.text().trim().to_string())
                .filter(|c| !c.is_empty())
                .collect()
        })
        .unwrap_or_default();
    Bags {
        count: s.text(2, 0).and_then(|n| n.trim().parse().ok()),
        weight: own(s.text(2, 1)),
        unit: own(s.text(2, 2)),
        pool: (!pool.is_empty()).then(|| Text::from(pool.join(" "))),
        tags: s
            .elements()
            .skip(4)
            .filter_map(|e| {
                Some(BagTag {
                    carrier: own(e.text(0)),
                    number: own(e.text(1))?,
                    consecutive: e.text(2).and_then(|n| n.trim().parse().ok()),
                    destination: own(e.text(3)),
                })
            })
            .collect(),
    }
}

/// DDMMYY (and HHMM) as PADIS writes dates; the century is placed around `reference`.
pub(crate) fn padis(
    date: &str,
    time: Option<&str>,
    century: Century,
    reference: Option<Date>,
) -> Result<LocalDateTime, DateProblem> {
    let date = date.trim();
    if date.len() != 6 || !date.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DateProblem::Unreadable);
    }
    let n = |s: &str, from: usize| -> i32 {
        s.get(from..from + 2)
            .and_then(|v| v.parse().ok())
            .unwrap_or(-1)
    };
    let (day, month, yy) = (n(date, 0), n(date, 2), n(date, 4));
    let year = place_year(yy, month, day, century, reference);
    let date = Date::new(
        i16::try_from(year).map_err(|_| DateProblem::Invalid)?,
        i8::try_from(month).map_err(|_| DateProblem::Invalid)?,
        i8::try_from(day).map_err(|_| DateProblem::Invalid)?,
    )
    .map_err(|_| DateProblem::Invalid)?;
    let time = match time.map(str::trim).filter(|t| !t.is_empty()) {
        None => None,
        Some(t) if t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()) => Some(
            Time::new(
                i8::try_from(n(t, 0)).map_err(|_| DateProblem::Invalid)?,
                i8::try_from(n(t, 2)).map_err(|_| DateProblem::Invalid)?,
                0,
                0,
            )
            .map_err(|_| DateProblem::Invalid)?,
        ),
        Some(_) => return Err(DateProblem::Unreadable),
    };
    Ok(LocalDateTime { date, time })
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn padis_dates() {
        let r = Some(date(2013, 5, 27));
        let d = padis("270513", Some("1430"), Century::Nearest, r).unwrap();
        assert_eq!(d.to_string(), "2013-05-27T14:30");
        assert_eq!(
            padis("190313", None, Century::Past, r).unwrap().to_string(),
            "2013-03-19"
        );
        assert_eq!(
            padis("310213", None, Century::Past, r),
            Err(DateProblem::Invalid)
        );
        assert_eq!(
            padis("2705", None, Century::Past, r),
            Err(DateProblem::Unreadable)
        );
        assert_eq!(
            padis("270513", Some("2560"), Century::Past, r),
            Err(DateProblem::Invalid)
        );
    }

    #[test]
    fn titles_glued_to_given_names() {
        assert_eq!(
            split_title(Some("ISABELLE MRS".into())),
            (Some("ISABELLE MRS".into()), Some("MRS".into()))
        );
        assert_eq!(
            split_title(Some("SOPHY".into())),
            (Some("SOPHY".into()), None)
        );
        assert_eq!(split_title(Some("ANNA DR".into())).1.as_deref(), Some("DR"));
    }
}
