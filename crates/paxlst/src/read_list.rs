//! Reading a PAXLST message from its segments into a [`PassengerList`].

use edifact::Record;
use std::borrow::Cow;

use edifact::{Finding, Segment};
use jiff::civil::Date;

use crate::code;
use crate::date::{self, Century, DateProblem, LocalDateTime};
use crate::model::*;

/// Where in the message the reader stands, which decides what a LOC, DTM, COM or RFF means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    Header,
    Sender,
    Leg,
    Person,
    Document,
}

pub(crate) struct ListReader<'f> {
    list: PassengerList,
    place: Place,
    /// The date the interchange was prepared: the reference for two-digit years.
    prepared: Option<Date>,
    /// Maximum length of a name component in this version (35 in D02B, 70 later).
    name_limit: usize,
    findings: &'f mut Vec<Finding>,
    saw_bgm: bool,
    cnt_segment: Option<usize>,
}

fn own(v: Option<Cow<'_, str>>) -> Option<Text> {
    v.map(|s| Text::from(s.trim())).filter(|s| !s.is_empty())
}

impl<'f> ListReader<'f> {
    /// `segments` is the message's segment count: persons take a dozen or more each, so it
    /// bounds how many to make room for.
    pub(crate) fn new(
        prepared: Option<Date>,
        release: &str,
        segments: usize,
        findings: &'f mut Vec<Finding>,
    ) -> ListReader<'f> {
        ListReader {
            list: PassengerList {
                kind: DocumentKind::Other(Text::default()),
                change: None,
                transaction_reference: None,
                sender: None,
                legs: Vec::new(),
                persons: Vec::with_capacity(segments / 12),
                declared: DeclaredCounts::default(),
            },
            place: Place::Header,
            prepared,
            name_limit: if release.eq_ignore_ascii_case("02B") {
                35
            } else {
                70
            },
            findings,
            saw_bgm: false,
            cnt_segment: None,
        }
    }

    pub(crate) fn segment(&mut self, s: &Segment<'_>) {
        match s.tag_bytes() {
            b"UNH" | b"UNT" => {}
            b"BGM" => self.bgm(s),
            b"RFF" => self.rff(s),
            b"NAD" => self.nad(s),
            b"COM" => self.com(s),
            b"TDT" => self.tdt(s),
            b"LOC" => self.loc(s),
            b"DTM" => self.dtm(s),
            b"ATT" => self.att(s),
            b"MEA" => self.mea(s),
            b"GEI" => self.gei(s),
            b"FTX" => self.ftx(s),
            b"EMP" => self.emp(s),
            b"NAT" => self.nat(s),
            b"DOC" => self.doc(s),
            b"CNT" => self.cnt(s),
            _ => self.findings.record(
                Finding::warning(
                    code::UNKNOWN_SEGMENT,
                    format!(
                        "segment {} is not part of PAXLST; kept raw",
                        s.tag().chars().take(3).collect::<Text>()
                    ),
                )
                .at(s.index()),
            ),
        }
    }

    pub(crate) fn finish(mut self, first_segment: usize, check_counts: bool) -> PassengerList {
        for leg in &mut self.list.legs {
            leg.settle();
        }
        if !self.saw_bgm {
            self.findings.record(
                Finding::error(code::MISSING_MANDATORY, "PAXLST has no BGM segment")
                    .at(first_segment),
            );
        }
        if self.list.legs.is_empty() && self.list.change != Some(ListChange::Closed) {
            self.findings.record(
                Finding::error(
                    code::MISSING_MANDATORY,
                    "PAXLST names no flight (TDT segment group)",
                )
                .at(first_segment),
            );
        }
        let close_out = self
            .list
            .change
            .as_ref()
            .is_some_and(ListChange::is_close_out);
        for person in &self.list.persons {
            if person.role != PersonRole::Reference && !close_out {
                check_person(person, self.findings);
            }
        }
        if check_counts {
            let at = self.cnt_segment.unwrap_or(first_segment);
            check_declared_counts(&self.list, at, self.findings);
        }
        self.list
    }

    fn bad_code(&mut self, s: &Segment<'_>, element: usize, what: &str) {
        self.findings.record(
            Finding::warning(code::BAD_CODE_VALUE, format!("{what} is not a known code"))
                .at(s.index())
                .element(element),
        );
    }

    fn unexpected(&mut self, s: &Segment<'_>, why: &str) {
        self.findings.record(
            Finding::warning(
                code::UNEXPECTED_SEGMENT,
                format!("{} {why}; kept raw", s.tag()),
            )
            .at(s.index()),
        );
    }

    fn person(&mut self) -> Option<&mut Person> {
        self.list.persons.last_mut()
    }

    fn bgm(&mut self, s: &Segment<'_>) {
        self.saw_bgm = true;
        match s.text(1, 0) {
            Some(c) => {
                self.list.kind = DocumentKind::from_code(c.trim());
                if matches!(self.list.kind, DocumentKind::Other(_)) {
                    self.bad_code(s, 1, "BGM document name code");
                }
            }
            None => self.findings.record(
                Finding::error(code::MISSING_MANDATORY, "BGM has no document name code")
                    .at(s.index())
                    .element(1),
            ),
        }
        if let Some(c) = own(s.text(2, 0)) {
            let change = ListChange::from_code(&c);
            if matches!(change, ListChange::Other(_)) {
                self.bad_code(s, 2, "BGM document identifier");
            }
            self.list.change = Some(change);
        }
    }

    fn rff(&mut self, s: &Segment<'_>) {
        let qualifier = own(s.text(1, 0)).unwrap_or_default();
        let value = own(s.text(1, 1));
        match self.place {
            Place::Person | Place::Document => {
                let Some(value) = value else {
                    self.findings.record(
                        Finding::warning(code::MISSING_MANDATORY, "RFF has no reference value")
                            .at(s.index())
                            .element(1)
                            .component(2),
                    );
                    return;
                };
                if let Some(p) = self.person() {
                    p.references.push(Reference { qualifier, value });
                }
            }
            Place::Header if qualifier == "TN" => self.list.transaction_reference = value,
            _ => self.unexpected(s, "stands where no reference is expected"),
        }
    }

    fn nad(&mut self, s: &Segment<'_>) {
        let Some(qualifier) = own(s.text(1, 0)) else {
            self.findings.record(
                Finding::error(code::MISSING_MANDATORY, "NAD has no party qualifier")
                    .at(s.index())
                    .element(1),
            );
            // Still a party: read it as a person of unknown role so nobody is dropped.
            self.start_person(s, PersonRole::Other(Text::default()));
            return;
        };
        if qualifier == "MS" {
            let name = s
                .element(4)
                .map(|e| {
                    e.components()
                        .map(|c| Text::from(c.text().trim()))
                        .filter(|c| !c.is_empty())
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .filter(|n| !n.is_empty())
                .map(Text::from);
            self.list.sender = Some(Sender {
                id: own(s.text(2, 0)),
                name,
                contacts: Vec::new(),
            });
            self.place = Place::Sender;
            return;
        }
        let role = PersonRole::from_code(&qualifier);
        if matches!(role, PersonRole::Other(_)) {
            self.bad_code(s, 1, "NAD party function code");
        }
        self.start_person(s, role);
    }

    fn start_person(&mut self, s: &Segment<'_>, role: PersonRole) {
        let mut person = Person::new(role, s.index());
        if let Some(name) = s.element(4) {
            for (i, part) in name.components().enumerate() {
                let text = part.text();
                let text = text.trim();
                if text.len() > self.name_limit && text.chars().count() > self.name_limit {
                    self.findings.record(
                        Finding::warning(
                            code::TOO_LONG,
                            format!(
                                "name component is longer than the {} characters allowed",
                                self.name_limit
                            ),
                        )
                        .at(s.index())
                        .element(4)
                        .component(i + 1),
                    );
                }
                match i {
                    0 => person.surname = (!text.is_empty()).then(|| Text::from(text)),
                    _ if !text.is_empty() => person.given_names.push(Text::from(text)),
                    _ => {}
                }
            }
        }
        let address = Address {
            street: own(s.element(5).map(|e| e.value())),
            city: own(s.text(6, 0)),
            region: own(s.element(7).and_then(|e| {
                // C819: country sub-entity; the name is in component 4 (`:::LINCS`), some
                // carriers send it in component 1.
                e.text(3).or_else(|| e.text(0))
            })),
            postal_code: own(s.text(8, 0)),
            country: own(s.text(9, 0)),
        };
        if address != Address::default() {
            person.address = Some(Box::new(address));
        }
        self.list.persons.push(person);
        self.place = Place::Person;
    }

    fn com(&mut self, s: &Segment<'_>) {
        let contacts: Vec<Contact> = s
            .elements()
            .filter_map(|e| {
                Some(Contact {
                    number: own(e.text(0))?,
                    kind: own(e.text(1)).unwrap_or_default(),
                })
            })
            .collect();
        match self.place {
            Place::Sender => {
                if let Some(sender) = self.list.sender.as_mut() {
                    sender.contacts.extend(contacts);
                }
            }
            Place::Person | Place::Document => {
                if let Some(p) = self.person() {
                    p.contacts.extend(contacts);
                }
            }
            _ => self.unexpected(s, "stands outside the sender and person groups"),
        }
    }

    fn tdt(&mut self, s: &Segment<'_>) {
        if matches!(self.place, Place::Person | Place::Document) {
            self.unexpected(s, "comes after the persons; read as a further leg");
        }
        if let Some(q) = own(s.text(1, 0))
            && q != "20"
            && q != "34"
        {
            self.bad_code(s, 1, "TDT transport stage qualifier");
        }
        let flight = own(s.text(2, 0)).unwrap_or_default();
        if flight.is_empty() {
            self.findings.record(
                Finding::warning(code::MISSING_MANDATORY, "TDT has no flight identification")
                    .at(s.index())
                    .element(2),
            );
        }
        let (carrier, number) = split_flight(&flight, own(s.text(5, 0)).as_deref());
        self.list.legs.push(Leg::new(flight, carrier, number));
        self.place = Place::Leg;
    }

    fn loc(&mut self, s: &Segment<'_>) {
        let qualifier = own(s.text(1, 0)).unwrap_or_default();
        let place = own(s.text(2, 0));
        match self.place {
            Place::Leg => {
                let role = match qualifier.as_str() {
                    "125" => StopRole::Departure,
                    "87" => StopRole::Arrival,
                    "92" => StopRole::Routing,
                    "130" => StopRole::FinalDestination,
                    _ => {
                        self.bad_code(s, 1, "LOC place qualifier at flight level");
                        return;
                    }
                };
                if let Some(airport) = &place {
                    self.check_airport(s, airport);
                }
                let Some(airport) = place else {
                    self.findings.record(
                        Finding::warning(code::MISSING_MANDATORY, "LOC has no airport code")
                            .at(s.index())
                            .element(2),
                    );
                    return;
                };
                if let Some(leg) = self.list.legs.last_mut() {
                    leg.stops.push(Stop {
                        role,
                        airport,
                        departure: None,
                        arrival: None,
                    });
                }
            }
            Place::Document if qualifier == "91" => {
                let state = place.or_else(|| own(s.text(2, 3)));
                let named_place = own(s.text(2, 3));
                if let Some(state) = &state {
                    self.check_country(s, 2, state);
                }
                if let Some(d) = self.person().and_then(|p| p.documents.last_mut()) {
                    d.issuing_state = state;
                    d.issuing_place = named_place;
                }
            }
            Place::Person | Place::Document => {
                // LOC+180 names a place of birth in component 4 (`:::AMBER HILL GBR`).
                match (qualifier.as_str(), &place) {
                    ("22" | "178" | "179", Some(airport)) => self.check_airport(s, airport),
                    ("174", Some(country)) => self.check_country(s, 2, country),
                    _ => {}
                }
                let value = place.or_else(|| own(s.text(2, 3)));
                let Some(p) = self.list.persons.last_mut() else {
                    return;
                };
                let slot = match qualifier.as_str() {
                    "22" => &mut p.clearance,
                    "174" => &mut p.residence,
                    "178" => &mut p.embarkation,
                    "179" => &mut p.debarkation,
                    "180" => &mut p.place_of_birth,
                    _ => {
                        self.bad_code(s, 1, "LOC place qualifier for a person");
                        return;
                    }
                };
                *slot = value;
            }
            _ => self.unexpected(s, "stands outside a flight or person group"),
        }
    }

    fn dtm(&mut self, s: &Segment<'_>) {
        let qualifier = own(s.text(1, 0)).unwrap_or_default();
        let value = s.text(1, 1);
        let format = own(s.text(1, 2));
        let Some(value) = value.filter(|v| !v.trim().is_empty()) else {
            self.findings.record(
                Finding::warning(
                    code::MISSING_MANDATORY,
                    format!("DTM {} has no date", printable_code(&qualifier)),
                )
                .at(s.index())
                .element(1)
                .component(2),
            );
            return;
        };
        match (self.place, qualifier.as_str()) {
            (Place::Leg, "189" | "232") => {
                let reference = self.prepared;
                let Some(when) =
                    self.read_date(s, &value, format.as_deref(), Century::Nearest, reference)
                else {
                    return;
                };
                if let Some(stop) = self.list.legs.last_mut().and_then(|l| l.stops.last_mut()) {
                    if qualifier == "189" {
                        stop.departure = Some(when);
                    } else {
                        stop.arrival = Some(when);
                    }
                }
            }
            (Place::Person | Place::Document, "329") => {
                let reference = self.reference_date();
                let Some(when) =
                    self.read_date(s, &value, format.as_deref(), Century::Past, reference)
                else {
                    return;
                };
                if let Some(p) = self.person() {
                    p.date_of_birth = Some(when.date);
                }
            }
            (Place::Document, "36" | "182") => {
                let reference = self.reference_date();
                let century = if qualifier == "36" {
                    Century::Around
                } else {
                    Century::Past
                };
                let Some(when) = self.read_date(s, &value, format.as_deref(), century, reference)
                else {
                    return;
                };
                if let Some(d) = self.person().and_then(|p| p.documents.last_mut()) {
                    if qualifier == "36" {
                        d.expiry = Some(when.date);
                    } else {
                        d.issued = Some(when.date);
                    }
                }
            }
            _ => self.bad_code(s, 1, "DTM qualifier in this position"),
        }
    }

    /// The date two-digit years of persons are placed around: when the list was prepared,
    /// else the flight's first scheduled date.
    fn reference_date(&self) -> Option<Date> {
        self.prepared.or_else(|| {
            self.list
                .legs
                .iter()
                .flat_map(|l| &l.stops)
                .find_map(|s| s.departure.or(s.arrival))
                .map(|d| d.date)
        })
    }

    fn read_date(
        &mut self,
        s: &Segment<'_>,
        value: &str,
        format: Option<&str>,
        century: Century,
        reference: Option<Date>,
    ) -> Option<LocalDateTime> {
        match date::read(value, format, century, reference) {
            Ok(reading) => {
                if reading.had_blanks {
                    self.findings.record(
                        Finding::info(code::BLANKS_IN_VALUE, "blanks in a date were removed")
                            .at(s.index())
                            .element(1)
                            .component(2),
                    );
                }
                if reading.format_mismatch {
                    self.findings.record(
                        Finding::warning(
                            code::DATE_FORMAT_MISMATCH,
                            "date length does not fit its format qualifier; read by its length",
                        )
                        .at(s.index())
                        .element(1)
                        .component(3),
                    );
                }
                Some(reading.value)
            }
            Err(problem) => {
                let text = match problem {
                    DateProblem::Unreadable => "date is not in a known layout",
                    DateProblem::Invalid => "date names no calendar day or time",
                };
                self.findings.record(
                    Finding::error(code::BAD_DATE, text)
                        .at(s.index())
                        .element(1)
                        .component(2),
                );
                None
            }
        }
    }

    fn att(&mut self, s: &Segment<'_>) {
        let Some(code_value) = own(s.text(3, 0)) else {
            self.findings.record(
                Finding::warning(code::MISSING_MANDATORY, "ATT has no value")
                    .at(s.index())
                    .element(3),
            );
            return;
        };
        let sex = Sex::from_code(&code_value);
        if sex.is_none() {
            self.bad_code(s, 3, "sex");
        }
        if let Some(p) = self.in_person(s) {
            p.sex = sex;
        }
    }

    fn in_person(&mut self, s: &Segment<'_>) -> Option<&mut Person> {
        if !matches!(self.place, Place::Person | Place::Document) {
            self.unexpected(s, "stands outside a person group");
            return None;
        }
        self.list.persons.last_mut()
    }

    fn mea(&mut self, s: &Segment<'_>) {
        let qualifier = own(s.text(1, 0)).unwrap_or_default();
        let unit = own(s.text(3, 0));
        let value = own(s.text(3, 1));
        let count = value.as_deref().map(|v| v.parse::<u32>());
        if qualifier == "CT" && matches!(count, Some(Err(_))) {
            self.findings.record(
                Finding::warning(code::BAD_NUMBER, "bag count is not a whole number")
                    .at(s.index())
                    .element(3)
                    .component(2),
            );
        }
        let Some(p) = self.in_person(s) else {
            return;
        };
        match qualifier.as_str() {
            "CT" => p.baggage.count = count.and_then(Result::ok),
            "WT" => {
                p.baggage.weight = value;
                p.baggage.weight_unit = unit;
            }
            _ => self.bad_code(s, 1, "MEA measurement qualifier"),
        }
    }

    fn gei(&mut self, s: &Segment<'_>) {
        let value = own(s.text(2, 0));
        let verified = match value.as_deref() {
            Some("173") => Some(true),
            Some("174") => Some(false),
            _ => {
                self.bad_code(s, 2, "GEI processing indicator");
                None
            }
        };
        if let Some(p) = self.in_person(s) {
            p.verified = verified;
        }
    }

    fn ftx(&mut self, s: &Segment<'_>) {
        let subject = own(s.text(1, 0)).unwrap_or_default();
        let Some(p) = self.in_person(s) else {
            return;
        };
        if subject == "BAG" {
            if let Some(first) = own(s.text(4, 0)) {
                let consecutive = s.text(4, 1).and_then(|c| c.trim().parse().ok());
                p.baggage.tags.push(BagTags { first, consecutive });
            }
        } else if let Some(text) = s.element(4) {
            let text: Vec<Text> = text
                .components()
                .map(|c| Text::from(c.text().trim()))
                .filter(|c| !c.is_empty())
                .collect();
            if !text.is_empty() {
                p.remarks.push(text.join(" ").into());
            }
        }
    }

    fn emp(&mut self, s: &Segment<'_>) {
        let function = own(s.text(2, 0));
        if let Some(f) = &function
            && !matches!(f.as_str(), "CR1" | "CR2" | "CR3" | "CR4" | "CR5")
        {
            self.bad_code(s, 2, "crew function");
        }
        if let Some(p) = self.in_person(s) {
            p.crew_function = function;
        }
    }

    fn nat(&mut self, s: &Segment<'_>) {
        let Some(nationality) = own(s.text(2, 0)) else {
            self.findings.record(
                Finding::warning(code::MISSING_MANDATORY, "NAT has no nationality")
                    .at(s.index())
                    .element(2),
            );
            return;
        };
        self.check_country(s, 2, &nationality);
        if let Some(p) = self.in_person(s) {
            p.nationality = Some(nationality);
        }
    }

    fn check_country(&mut self, s: &Segment<'_>, element: usize, value: &str) {
        let well_formed = value.len() == 3 && value.bytes().all(|b| b.is_ascii_uppercase());
        if !well_formed {
            self.bad_code(s, element, "country (ISO 3166-1 alpha-3 or Doc 9303 code)");
        }
    }

    fn check_airport(&mut self, s: &Segment<'_>, value: &str) {
        let well_formed = value.len() == 3 && value.bytes().all(|b| b.is_ascii_uppercase());
        if !well_formed {
            self.bad_code(s, 2, "airport (IATA location code)");
        }
    }

    fn doc(&mut self, s: &Segment<'_>) {
        let kind = own(s.text(1, 0)).unwrap_or_default();
        if kind.is_empty() {
            self.findings.record(
                Finding::warning(code::MISSING_MANDATORY, "DOC has no document type")
                    .at(s.index())
                    .element(1),
            );
        } else if !matches!(
            kind.as_str(),
            "P" | "V" | "I" | "IP" | "A" | "C" | "AC" | "F" | "T" | "M" | "L" | "G" | "R" | "PT"
        ) {
            self.bad_code(s, 1, "document type");
        }
        let number = own(s.text(2, 0));
        if number.is_none() {
            self.findings.record(
                Finding::warning(code::MISSING_MANDATORY, "DOC has no document number")
                    .at(s.index())
                    .element(2),
            );
        }
        let index = s.index();
        let Some(p) = self.in_person(s) else {
            return;
        };
        p.documents.push(TravelDocument {
            kind,
            number,
            segment: index,
            ..TravelDocument::default()
        });
        self.place = Place::Document;
    }

    fn cnt(&mut self, s: &Segment<'_>) {
        let qualifier = own(s.text(1, 0)).unwrap_or_default();
        let value = s.text(1, 1).map(|v| v.trim().parse::<u32>());
        let value = match value {
            Some(Ok(n)) => n,
            _ => {
                self.findings.record(
                    Finding::warning(code::BAD_NUMBER, "CNT value is not a whole number")
                        .at(s.index())
                        .element(1)
                        .component(2),
                );
                return;
            }
        };
        self.cnt_segment = Some(s.index());
        match qualifier.as_str() {
            "42" => self.list.declared.passengers = Some(value),
            "41" => self.list.declared.crew = Some(value),
            _ => self.bad_code(s, 1, "CNT control total qualifier"),
        }
        self.place = Place::Header;
    }
}

fn printable_code(s: &str) -> Text {
    s.chars()
        .filter(char::is_ascii_alphanumeric)
        .take(4)
        .collect()
}

/// Splits `ZZ123` into carrier `ZZ` and number `123`, trusting the carrier element when given.
pub(crate) fn split_flight(flight: &str, carrier: Option<&str>) -> (Option<Text>, Option<Text>) {
    let flight = flight.trim();
    if let Some(c) = carrier.filter(|c| !c.is_empty()) {
        let number = flight.strip_prefix(c).unwrap_or(flight).trim();
        return (Some(c.into()), (!number.is_empty()).then(|| number.into()));
    }
    let bytes = flight.as_bytes();
    // IATA designators are two characters; ICAO ones three letters.
    let cut = if bytes.len() > 3 && bytes.iter().take(3).all(u8::is_ascii_alphabetic) {
        3
    } else {
        2
    };
    match (flight.get(..cut), flight.get(cut..)) {
        (Some(c), Some(n))
            if !n.is_empty() && n.bytes().next().is_some_and(|b| b.is_ascii_digit()) =>
        {
            (Some(c.into()), Some(n.into()))
        }
        _ => (None, None),
    }
}

/// Core API elements (ICAO Annex 9, 9.8) a person should carry; each missing one is a finding.
fn check_person(p: &Person, findings: &mut Vec<Finding>) {
    let mut missing = Vec::new();
    if p.surname.is_none() {
        missing.push("surname");
    }
    if p.sex.is_none() {
        missing.push("sex");
    }
    if p.date_of_birth.is_none() {
        missing.push("date of birth");
    }
    if p.nationality.is_none() {
        missing.push("nationality");
    }
    match p.documents.first() {
        None => missing.push("travel document"),
        Some(d) => {
            if d.number.is_none() {
                missing.push("document number");
            }
            if d.expiry.is_none() && d.kind == "P" {
                missing.push("document expiry");
            }
            if d.issuing_state.is_none() {
                missing.push("document issuing state");
            }
        }
    }
    if !missing.is_empty() {
        findings.record(
            Finding::warning(
                code::MISSING_MANDATORY,
                format!("person lacks core API data: {}", missing.join(", ")),
            )
            .at(p.segment),
        );
    }
}

/// Compares CNT+42 / CNT+41 with the persons listed.
pub(crate) fn check_declared_counts(list: &PassengerList, at: usize, findings: &mut Vec<Finding>) {
    // Close-out lists name passengers by reference only (NAD+ZZZ): they count as passengers.
    let passengers = list.passengers().count()
        + list
            .persons
            .iter()
            .filter(|p| p.role == PersonRole::Reference)
            .count();
    let crew = list.crew().count();
    for (declared, actual, what) in [
        (list.declared.passengers, passengers, "passengers"),
        (list.declared.crew, crew, "crew members"),
    ] {
        if let Some(declared) = declared
            && usize::try_from(declared).ok() != Some(actual)
        {
            findings.record(
                Finding::warning(
                    code::COUNT_MISMATCH,
                    format!("CNT declares {declared} {what} but {actual} are listed"),
                )
                .at(at),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flight_numbers() {
        let s = |f: &str, c: Option<&str>| split_flight(f, c);
        assert_eq!(
            s("ZZ123", Some("ZZ")),
            (Some("ZZ".into()), Some("123".into()))
        );
        assert_eq!(s("OK688", None), (Some("OK".into()), Some("688".into())));
        assert_eq!(s("U21234", None), (Some("U2".into()), Some("1234".into())));
        assert_eq!(s("BAW117", None), (Some("BAW".into()), Some("117".into())));
        assert_eq!(
            s("ZX877", Some("XZ")),
            (Some("XZ".into()), Some("ZX877".into()))
        );
        assert_eq!(s("", None), (None, None));
    }
}
