//! PAXLST as typed data: the list, its flight legs, the persons and their documents.

use jiff::civil::Date;
use serde::Serialize;

/// Short text kept inline (most values of a passenger list fit in 24 bytes).
pub type Text = compact_str::CompactString;

use crate::date::LocalDateTime;

/// BGM 1001: what kind of list this is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// 745: passenger list.
    Passengers,
    /// 250: crew list declaration.
    Crew,
    /// 266: flight status update (close-out, cancellation).
    FlightStatus,
    /// 336: master crew list.
    MasterCrew,
    /// 655: gate pass.
    GatePass,
    Other(Text),
}

impl DocumentKind {
    pub fn from_code(code: &str) -> DocumentKind {
        match code {
            "745" => DocumentKind::Passengers,
            "250" => DocumentKind::Crew,
            "266" => DocumentKind::FlightStatus,
            "336" => DocumentKind::MasterCrew,
            "655" => DocumentKind::GatePass,
            other => DocumentKind::Other(Text::from(other)),
        }
    }

    pub fn code(&self) -> &str {
        match self {
            DocumentKind::Passengers => "745",
            DocumentKind::Crew => "250",
            DocumentKind::FlightStatus => "266",
            DocumentKind::MasterCrew => "336",
            DocumentKind::GatePass => "655",
            DocumentKind::Other(c) => c,
        }
    }
}

/// BGM 1004: a change to an earlier list, or a flight close-out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ListChange {
    /// CP: changed passenger data (only the changed persons).
    ChangePassengerData,
    /// XR: reservation cancelled (persons removed).
    CancelReservation,
    /// RP: reduction in party.
    ReductionInParty,
    /// CL: flight closed, no list.
    Closed,
    /// CLOB: flight closed, persons on board listed.
    ClosedOnBoard,
    /// CLNB: flight closed, persons not on board listed.
    ClosedNotOnBoard,
    /// XF: flight cancelled.
    FlightCancelled,
    Other(Text),
}

impl ListChange {
    pub fn from_code(code: &str) -> ListChange {
        match code {
            "CP" => ListChange::ChangePassengerData,
            "XR" => ListChange::CancelReservation,
            "RP" => ListChange::ReductionInParty,
            "CL" => ListChange::Closed,
            "CLOB" => ListChange::ClosedOnBoard,
            "CLNB" => ListChange::ClosedNotOnBoard,
            "XF" => ListChange::FlightCancelled,
            other => ListChange::Other(Text::from(other)),
        }
    }

    pub fn code(&self) -> &str {
        match self {
            ListChange::ChangePassengerData => "CP",
            ListChange::CancelReservation => "XR",
            ListChange::ReductionInParty => "RP",
            ListChange::Closed => "CL",
            ListChange::ClosedOnBoard => "CLOB",
            ListChange::ClosedNotOnBoard => "CLNB",
            ListChange::FlightCancelled => "XF",
            ListChange::Other(c) => c,
        }
    }

    /// True for the close-out and cancellation codes.
    pub fn is_close_out(&self) -> bool {
        matches!(
            self,
            ListChange::Closed
                | ListChange::ClosedOnBoard
                | ListChange::ClosedNotOnBoard
                | ListChange::FlightCancelled
        )
    }
}

/// A telephone, fax or e-mail contact (COM).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contact {
    pub number: Text,
    /// 3155: TE telephone, FX fax, EM e-mail, …
    pub kind: Text,
}

/// The party that sent the list (NAD+MS and its COM).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Sender {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<Text>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<Contact>,
}

/// LOC 3227 at flight level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum StopRole {
    /// 125: last departure airport before entry.
    Departure,
    /// 87: first arrival airport in the destination country.
    Arrival,
    /// 92: an airport of a progressive flight.
    Routing,
    /// 130: final destination.
    FinalDestination,
}

/// One place a leg touches, with its scheduled time (local to the airport).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Stop {
    pub role: StopRole,
    pub airport: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub departure: Option<LocalDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arrival: Option<LocalDateTime>,
}

/// One flight leg (TDT group): flight, carrier and the places it touches.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Leg {
    /// TDT 8028 as sent, e.g. `ZZ123`.
    pub flight: Text,
    pub carrier: Option<Text>,
    /// The flight number without the carrier designator.
    pub number: Option<Text>,
    /// Airport the leg departs from and its scheduled local time (derived from the stops).
    pub origin: Option<Text>,
    pub departure: Option<LocalDateTime>,
    /// Airport the leg arrives at and its scheduled local time (derived from the stops).
    pub destination: Option<Text>,
    pub arrival: Option<LocalDateTime>,
    pub stops: Vec<Stop>,
}

impl Leg {
    pub(crate) fn new(flight: Text, carrier: Option<Text>, number: Option<Text>) -> Leg {
        Leg {
            flight,
            carrier,
            number,
            origin: None,
            departure: None,
            destination: None,
            arrival: None,
            stops: Vec::new(),
        }
    }

    /// A leg with no stops yet, the carrier and number split from the flight identifier.
    pub fn for_flight(flight: &str) -> Leg {
        let (carrier, number) = crate::read_list::split_flight(flight, None);
        Leg::new(Text::from(flight), carrier, number)
    }

    /// Fills the derived origin, destination and times from the stops.
    pub(crate) fn settle(&mut self) {
        let origin = self.origin().map(|s| (s.airport.clone(), s.departure));
        let destination = self.destination().map(|s| (s.airport.clone(), s.arrival));
        (self.origin, self.departure) = origin.map_or((None, None), |(a, t)| (Some(a), t));
        (self.destination, self.arrival) = destination.map_or((None, None), |(a, t)| (Some(a), t));
    }

    /// Where the leg departs: LOC 125, or the first routing stop with a departure time.
    pub fn origin(&self) -> Option<&Stop> {
        self.stops
            .iter()
            .find(|s| s.role == StopRole::Departure)
            .or_else(|| {
                self.stops
                    .iter()
                    .find(|s| s.role == StopRole::Routing && s.departure.is_some())
            })
    }

    /// Where the leg arrives: LOC 87, or the last routing stop with an arrival time.
    pub fn destination(&self) -> Option<&Stop> {
        self.stops
            .iter()
            .find(|s| s.role == StopRole::Arrival)
            .or_else(|| {
                self.stops
                    .iter()
                    .rev()
                    .find(|s| s.role == StopRole::Routing && s.arrival.is_some())
            })
    }
}

/// NAD 3035 for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PersonRole {
    /// FL
    Passenger,
    /// FM
    Crew,
    /// DDU
    TransitPassenger,
    /// DDT
    TransitCrew,
    /// ZZZ: a person named only by reference (close-out lists).
    Reference,
    Other(Text),
}

impl PersonRole {
    pub fn from_code(code: &str) -> PersonRole {
        match code {
            "FL" => PersonRole::Passenger,
            "FM" => PersonRole::Crew,
            "DDU" => PersonRole::TransitPassenger,
            "DDT" => PersonRole::TransitCrew,
            "ZZZ" => PersonRole::Reference,
            other => PersonRole::Other(Text::from(other)),
        }
    }

    pub fn code(&self) -> &str {
        match self {
            PersonRole::Passenger => "FL",
            PersonRole::Crew => "FM",
            PersonRole::TransitPassenger => "DDU",
            PersonRole::TransitCrew => "DDT",
            PersonRole::Reference => "ZZZ",
            PersonRole::Other(c) => c,
        }
    }

    pub fn is_crew(&self) -> bool {
        matches!(self, PersonRole::Crew | PersonRole::TransitCrew)
    }
}

/// ATT+2: sex as the carrier sent it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Sex {
    #[serde(rename = "M")]
    Male,
    #[serde(rename = "F")]
    Female,
    #[serde(rename = "U")]
    Unspecified,
    #[serde(rename = "X")]
    Other,
}

impl Sex {
    pub fn from_code(code: &str) -> Option<Sex> {
        match code {
            "M" => Some(Sex::Male),
            "F" => Some(Sex::Female),
            "U" => Some(Sex::Unspecified),
            "X" => Some(Sex::Other),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "M",
            Sex::Female => "F",
            Sex::Unspecified => "U",
            Sex::Other => "X",
        }
    }
}

/// The address of a person (NAD elements 5 to 9).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Address {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<Text>,
}

/// A reference (RFF) with its qualifier: AVF booking locator, ABO passenger reference, SEA
/// seat, CR customer reference, AEA government reference, YZY ticket …
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reference {
    pub qualifier: Text,
    pub value: Text,
}

/// A travel document (DOC group).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct TravelDocument {
    /// DOC 1001: P passport, V visa, I identity card, …
    pub kind: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuing_state: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiry: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued: Option<Date>,
    /// LOC+91 may carry a place name besides the state.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuing_place: Option<Text>,
    pub segment: usize,
}

/// Bags declared for a person (MEA and FTX+BAG).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct Baggage {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight_unit: Option<Text>,
    /// First tag number and how many consecutive tags follow it.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<BagTags>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BagTags {
    pub first: Text,
    pub consecutive: Option<u32>,
}

impl Baggage {
    fn is_empty(&self) -> bool {
        self.count.is_none() && self.weight.is_none() && self.tags.is_empty()
    }
}

/// One person on the list (NAD group) with everything the carrier sent about them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    pub role: PersonRole,
    pub surname: Option<Text>,
    pub given_names: Vec<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    /// Boxed: most persons have none, and a person is kept small.
    pub address: Option<Box<Address>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nationality: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place_of_birth: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub residence: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub embarkation: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub debarkation: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clearance: Option<Text>,
    /// GEI+4: 173 document data verified by the carrier, 174 not verified.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
    /// EMP: crew function (CR1 … CR5).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crew_function: Option<Text>,
    #[serde(skip_serializing_if = "Baggage::is_empty")]
    pub baggage: Baggage,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<Contact>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Reference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub remarks: Vec<Text>,
    pub documents: Vec<TravelDocument>,
    /// Segment index of the NAD that starts the person.
    pub segment: usize,
}

impl Person {
    /// A person with nothing known yet but the role: for writers that build lists by hand.
    pub fn with_role(role: PersonRole) -> Person {
        Person::new(role, 0)
    }

    pub(crate) fn new(role: PersonRole, segment: usize) -> Person {
        Person {
            role,
            surname: None,
            given_names: Vec::new(),
            address: None,
            sex: None,
            date_of_birth: None,
            nationality: None,
            place_of_birth: None,
            residence: None,
            embarkation: None,
            debarkation: None,
            clearance: None,
            verified: None,
            crew_function: None,
            baggage: Baggage::default(),
            contacts: Vec::new(),
            references: Vec::new(),
            remarks: Vec::new(),
            documents: Vec::new(),
            segment,
        }
    }

    /// The first reference with `qualifier`.
    pub fn reference(&self, qualifier: &str) -> Option<&str> {
        self.references
            .iter()
            .find(|r| r.qualifier == qualifier)
            .map(|r| r.value.as_str())
    }

    /// RFF+AVF: the booking (PNR) locator.
    pub fn booking_locator(&self) -> Option<&str> {
        self.reference("AVF")
    }

    /// RFF+ABO: the carrier's unique passenger reference, the key of changes and answers.
    pub fn passenger_reference(&self) -> Option<&str> {
        self.reference("ABO")
    }

    /// RFF+SEA: the seat.
    pub fn seat(&self) -> Option<&str> {
        self.reference("SEA")
    }
}

/// Total counts the list declares (CNT).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct DeclaredCounts {
    /// CNT+42: total passengers on the flight.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passengers: Option<u32>,
    /// CNT+41: total crew on the flight.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crew: Option<u32>,
}

/// One PAXLST message (or a series merged into one).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PassengerList {
    pub kind: DocumentKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub change: Option<ListChange>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_reference: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender: Option<Sender>,
    pub legs: Vec<Leg>,
    pub persons: Vec<Person>,
    pub declared: DeclaredCounts,
}

impl PassengerList {
    /// Persons who are passengers (FL, DDU).
    pub fn passengers(&self) -> impl Iterator<Item = &Person> {
        self.persons
            .iter()
            .filter(|p| matches!(p.role, PersonRole::Passenger | PersonRole::TransitPassenger))
    }

    /// Persons who are crew (FM, DDT).
    pub fn crew(&self) -> impl Iterator<Item = &Person> {
        self.persons.iter().filter(|p| p.role.is_crew())
    }
}
