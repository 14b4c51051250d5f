//! A PNRGOV push as typed data: the flight it is for, and every booking with its travellers,
//! documents, contacts, tickets, payments, itinerary, check-in data and history.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use edifact::date::LocalDateTime;

use crate::sensitive::Category;

/// Short text kept inline (most values fit in 24 bytes).
pub type Text = compact_str::CompactString;

/// A date and time local to a place, as carriers send schedules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalTime {
    pub at: LocalDateTime,
    /// The airport (or city) whose local time this is.
    pub place: Text,
}

/// An organisation: a system, airline, agency or office (ORG).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Organisation {
    /// Airline or system code (`1A`, `SQ`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<Text>,
    /// Location (city or airport code) of the company element.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<Text>,
    /// Travel agency IATA number or other agent identification.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agency: Option<Text>,
    /// Office (pseudo city) identifier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub office: Option<Text>,
    /// Place of the point of sale.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place: Option<Text>,
    /// Originator type (`A` airline, `T` travel agent, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub originator_type: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<Text>,
    /// Agent sine or other identification of the person who acted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub agent: Option<Text>,
    /// The segment as sent, for the elements this model does not name.
    pub raw: Text,
}

/// A flight: TVL in the header (the flight the push is for), in an itinerary or a history entry.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Flight {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub departure: Option<LocalTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arrival: Option<LocalTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination: Option<Text>,
    /// Marketing carrier.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carrier: Option<Text>,
    /// Operating carrier, when TVL or TRA names another one (code share).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operating_carrier: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<Text>,
    /// Reservation booking designator (class).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub booking_class: Option<Text>,
}

/// A record locator in one reservation system (RCI).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordLocator {
    /// System or airline holding the record (`1A`, `SQ`).
    pub system: Text,
    pub locator: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<LocalDateTime>,
}

/// A special service request (SSR) or other service information, with its free text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ssr {
    /// Four-letter code: DOCS, INFT, WCHR, …
    pub code: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantity: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub airline: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub board_point: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub off_point: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<Text>,
    /// The traveller reference (TIF number) the SSR applies to, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub traveller: Option<Text>,
    /// Set when the SSR can reveal a special category of personal data.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sensitive: Option<Category>,
    pub segment: usize,
}

/// Free text (IFT): OSI, remarks and other information, with its qualifiers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Remark {
    /// IFT qualifiers as sent, e.g. `4:28` (OSI) or `4:63`.
    pub qualifier: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub airline: Option<Text>,
    pub text: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sensitive: Option<Category>,
    pub segment: usize,
}

/// An address, telephone or e-mail (ADD), or an SSR DOCA/CTCE/CTCM contact.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// The SSR the contact came from (DOCA, CTCE, CTCM); none for ADD.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ssr: Option<Text>,
    /// Address purpose: ADD 3299, or DOCA `R` residence / `D` destination.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purpose: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub street: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub country: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<Text>,
    pub segment: usize,
}

/// Excess baggage (EBD).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExcessBaggage {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pieces: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<Text>,
    pub segment: usize,
}

/// A frequent-flyer account (FTI).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FrequentFlyer {
    pub airline: Text,
    pub number: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tier: Option<Text>,
}

/// Traveller type in TIF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TravellerKind {
    Adult,
    Child,
    Infant,
    Other(Text),
}

impl TravellerKind {
    pub fn from_code(code: &str) -> TravellerKind {
        match code {
            "A" | "ADT" => TravellerKind::Adult,
            "C" | "CHD" | "CH" => TravellerKind::Child,
            "IN" | "INF" | "I" => TravellerKind::Infant,
            other => TravellerKind::Other(Text::from(other)),
        }
    }
}

/// A travel document from SSR DOCS (the API data inside a PNR).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TravelDocument {
    /// Document type: P passport, I identity card, …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issuing_state: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nationality: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_of_birth: Option<Date>,
    /// M, F, U, or MI/FI for a male or female infant.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sex: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiry: Option<Date>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub surname: Option<Text>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub given_names: Vec<Text>,
    /// The document belongs to the infant travelling with this traveller.
    pub infant: bool,
    pub segment: usize,
}

/// A further document from SSR DOCO (a visa, mostly).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OtherDocument {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place_of_birth: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub place_of_issue: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued: Option<Date>,
    /// The country the document is valid for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub valid_for: Option<Text>,
    pub infant: bool,
    pub segment: usize,
}

/// A ticket (TKT group) with its amounts, pricing and taxes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ticket {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub number: Option<Text>,
    /// Document type (`T` ticket, `Y` …), as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub booklets: Option<Text>,
    /// MON: amounts with their qualifiers (`T` total, `B` base, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amounts: Vec<Amount>,
    /// PTK: pricing and ticketing details as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pricing: Option<RawSegment>,
    /// TXD: taxes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub taxes: Vec<Amount>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub issued: Option<LocalDateTime>,
    pub segment: usize,
}

/// A monetary amount with its qualifier and currency.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Amount {
    pub qualifier: Text,
    pub value: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub currency: Option<Text>,
}

/// A form of payment (FOP group) with its billing address.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    /// CC card, CA cash, MS miscellaneous, CK cheque, …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<Text>,
    /// Card vendor (VI, CA, AX, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vendor: Option<Text>,
    /// Account or card number, as sent (usually masked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expiry: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub billing: Option<Contact>,
    pub segment: usize,
}

/// One traveller of a booking (TIF group).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Traveller {
    pub surname: Text,
    /// Given name field as sent, title included (`ISABELLE MRS`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub given_name: Option<Text>,
    /// Title found glued to the given name (`MRS`, `MR`, `MSTR` …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<Text>,
    pub kind: TravellerKind,
    /// TIF traveller reference number: what SSRs and check-in data point at.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<Text>,
    /// This traveller travels with an infant.
    pub with_infant: bool,
    /// For an infant: the reference of the adult it travels with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub infant_of: Option<Text>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub frequent_flyer: Vec<FrequentFlyer>,
    /// REF: unique passenger references.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<Text>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<TravelDocument>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_documents: Vec<OtherDocument>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<Contact>,
    /// Other forms of identification (SSR FOID), as sent.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifications: Vec<Text>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ssrs: Vec<Ssr>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remarks: Vec<Remark>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excess_baggage: Vec<ExcessBaggage>,
    /// FAR: fare information as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fare: Option<RawSegment>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tickets: Vec<Ticket>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub payments: Vec<Payment>,
    pub segment: usize,
}

/// Bags checked for a traveller (TBD).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bags {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<Text>,
    /// Unit code as sent (`700` kilograms, `701` pounds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unit: Option<Text>,
    /// Pooled baggage: head of pool indicator and pool reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pool: Option<Text>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<BagTag>,
}

/// A run of bag tags: carrier numeric code, first tag number, how many follow, destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BagTag {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub carrier: Option<Text>,
    pub number: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub consecutive: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub destination: Option<Text>,
}

/// Check-in data of one traveller for a flight (Gr7: TRI, TIF, SSD, TBD).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckIn {
    /// Check-in or boarding sequence, e.g. `SIN-168`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sequence: Option<Text>,
    /// TIF reference of the traveller checked in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub traveller: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub surname: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seat: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cabin: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bags: Option<Bags>,
    /// The check-in transaction time (DAT), when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<LocalDateTime>,
    /// Who checked the traveller in (ORG).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<Organisation>,
    pub segment: usize,
}

/// One segment of the itinerary (Gr5).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ItinerarySegment {
    pub flight: Flight,
    /// RPI: number in party and status (`HK` confirmed, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub party_size: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Text>,
    /// APD: aircraft type.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub equipment: Option<Text>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ssrs: Vec<Ssr>,
    /// Locators of this segment in other systems.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub locators: Vec<RecordLocator>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remarks: Vec<Remark>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub check_ins: Vec<CheckIn>,
    pub segment: usize,
}

/// Split or divided PNR information (Gr8).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Split {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub travellers: Option<u32>,
    pub locators: Vec<RecordLocator>,
    pub segment: usize,
}

/// A non-air segment (Gr9: hotel, car, …), kept as sent.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NonAirSegment {
    /// MSG function as sent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<Flight>,
    pub segment: usize,
}

/// One history entry (Gr10 or LTS), its segments kept in order as raw text.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryEntry {
    /// ABI: who or which office made the change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub by: Option<Text>,
    /// SAC: the action (A added, X cancelled, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub action: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<LocalDateTime>,
    /// Every segment of the entry, as sent.
    pub lines: Vec<RawSegment>,
    pub segment: usize,
}

/// A segment kept as sent: its tag and the text of every component of every element, so that
/// it can be shown, searched and written again whatever separators it came with.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSegment {
    pub tag: Text,
    pub elements: Vec<Vec<Text>>,
    pub segment: usize,
}

impl RawSegment {
    /// The segment written with the standard separators, for reading by a person.
    pub fn text(&self) -> String {
        let mut out = self.tag.to_string();
        for element in &self.elements {
            out.push('+');
            out.push_str(&element.join(":"));
        }
        out
    }
}

/// One PNR (Gr1).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Booking {
    pub locators: Vec<RecordLocator>,
    /// DAT+700: last transaction on the PNR.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_change: Option<LocalDateTime>,
    /// Point of sale or agency that created the booking (ORG).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub point_of_sale: Option<Organisation>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contacts: Vec<Contact>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ssrs: Vec<Ssr>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remarks: Vec<Remark>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excess_baggage: Vec<ExcessBaggage>,
    pub travellers: Vec<Traveller>,
    pub itinerary: Vec<ItinerarySegment>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub split: Option<Split>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub non_air: Vec<NonAirSegment>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<HistoryEntry>,
    /// Segments kept as sent (with a finding) because they stood where nothing expects them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unread: Vec<RawSegment>,
    /// Segment index of SRC.
    pub segment: usize,
    /// Set once the booking was depersonalised (Directive 2016/681 Art. 12(2)): what it
    /// masks is gone, and readers show it as masked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub masked: Option<crate::depersonalise::Masked>,
}

impl Booking {
    /// The first record locator: what the booking is known by.
    pub fn locator(&self) -> Option<&str> {
        self.locators.first().map(|l| l.locator.as_str())
    }
}

/// One PNRGOV message: the flight pushed for and its bookings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Push {
    /// MSG function code (`22` push of PNR data to a State).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function: Option<Text>,
    /// The system or airline that sent the push (ORG).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sender: Option<Organisation>,
    /// The flight the push is for (TVL).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flight: Option<Flight>,
    /// EQN: the number of PNRs the message declares.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub declared_bookings: Option<u32>,
    pub bookings: Vec<Booking>,
    /// Segments kept as sent outside any booking.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unread: Vec<RawSegment>,
}
