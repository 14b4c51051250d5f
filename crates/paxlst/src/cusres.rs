//! CUSRES: the government's answers to interactive API requests, unsolicited changes of an
//! answer, and the carrier's acknowledgement of such a change. Read and written.

use edifact::Record;
use edifact::{Finding, InterchangeHeader, Segment, Separators, Writer};
use jiff::civil::Date;
use serde::Serialize;

use crate::model::Text;

use crate::code;
use crate::date::{self, Century, LocalDateTime};

/// BGM 1001 of a CUSRES.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseKind {
    /// 962: answer to a PAXLST request.
    Answer,
    /// 132: unsolicited change of an earlier answer, sent by the government.
    Unsolicited,
    /// 312: the carrier's acknowledgement of an unsolicited change.
    Acknowledgement,
    Other(Text),
}

impl ResponseKind {
    pub fn from_code(code: &str) -> ResponseKind {
        match code {
            "962" => ResponseKind::Answer,
            "132" => ResponseKind::Unsolicited,
            "312" => ResponseKind::Acknowledgement,
            other => ResponseKind::Other(Text::from(other)),
        }
    }

    pub fn code(&self) -> &str {
        match self {
            ResponseKind::Answer => "962",
            ResponseKind::Unsolicited => "132",
            ResponseKind::Acknowledgement => "312",
            ResponseKind::Other(c) => c,
        }
    }
}

/// ERC: the decision for a traveller (ERP+2) or for the whole request (ERP+1).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionCode {
    /// 0Z: OK to board.
    OkToBoard,
    /// 1Z: do not board.
    NoBoard,
    /// 2Z: board, but contact the authority / secondary check.
    Advisory,
    /// 4Z: insufficient data; complete and resend.
    InsufficientData,
    /// 0 at message level: request accepted.
    Accepted,
    /// 1 at message level: request not processed.
    Exception,
    Other(Text),
}

impl DecisionCode {
    pub fn from_code(code: &str) -> DecisionCode {
        match code {
            "0Z" => DecisionCode::OkToBoard,
            "1Z" => DecisionCode::NoBoard,
            "2Z" => DecisionCode::Advisory,
            "4Z" => DecisionCode::InsufficientData,
            "0" => DecisionCode::Accepted,
            "1" => DecisionCode::Exception,
            other => DecisionCode::Other(Text::from(other)),
        }
    }

    pub fn code(&self) -> &str {
        match self {
            DecisionCode::OkToBoard => "0Z",
            DecisionCode::NoBoard => "1Z",
            DecisionCode::Advisory => "2Z",
            DecisionCode::InsufficientData => "4Z",
            DecisionCode::Accepted => "0",
            DecisionCode::Exception => "1",
            DecisionCode::Other(c) => c,
        }
    }

    /// Only an explicit OK lets a traveller board: anything else fails closed.
    pub fn allows_boarding(&self) -> bool {
        *self == DecisionCode::OkToBoard
    }
}

/// ERP 1: about the whole request; 2: about one traveller.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionLevel {
    Message,
    Passenger,
}

/// One decision (ERP group).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Decision {
    pub level: DecisionLevel,
    /// RFF+AVF: the booking locator echoed from the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub booking_locator: Option<Text>,
    /// RFF+ABO: the passenger reference echoed from the request (the join key).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub passenger_reference: Option<Text>,
    pub code: DecisionCode,
    /// FTX+AAP texts shown to the check-in agent.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub texts: Vec<Text>,
}

/// The flight a response is about.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct ResponseFlight {
    /// RFF+AF: carrier and flight number, e.g. `CA339`.
    pub flight: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub departure_airport: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arrival_airport: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub departure: Option<LocalDateTime>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arrival: Option<LocalDateTime>,
}

/// One CUSRES message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Response {
    pub kind: ResponseKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub transaction_reference: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flight: Option<ResponseFlight>,
    pub decisions: Vec<Decision>,
}

pub(crate) struct ResponseReader<'f> {
    response: Response,
    prepared: Option<Date>,
    findings: &'f mut Vec<Finding>,
    in_decision: bool,
    saw_bgm: bool,
}

fn own(v: Option<std::borrow::Cow<'_, str>>) -> Option<Text> {
    v.map(|s| Text::from(s.trim())).filter(|s| !s.is_empty())
}

impl<'f> ResponseReader<'f> {
    pub(crate) fn new(prepared: Option<Date>, findings: &'f mut Vec<Finding>) -> Self {
        ResponseReader {
            response: Response {
                kind: ResponseKind::Other(Text::default()),
                transaction_reference: None,
                flight: None,
                decisions: Vec::new(),
            },
            prepared,
            findings,
            in_decision: false,
            saw_bgm: false,
        }
    }

    fn flight(&mut self) -> &mut ResponseFlight {
        self.response
            .flight
            .get_or_insert_with(ResponseFlight::default)
    }

    pub(crate) fn segment(&mut self, s: &Segment<'_>) {
        match s.tag_bytes() {
            b"UNH" | b"UNT" => {}
            b"BGM" => {
                self.saw_bgm = true;
                let kind = ResponseKind::from_code(&own(s.text(1, 0)).unwrap_or_default());
                if matches!(kind, ResponseKind::Other(_)) {
                    self.findings.record(
                        Finding::warning(
                            code::BAD_CODE_VALUE,
                            "BGM document name code is not a known CUSRES code",
                        )
                        .at(s.index())
                        .element(1),
                    );
                }
                self.response.kind = kind;
            }
            b"RFF" => {
                let qualifier = own(s.text(1, 0)).unwrap_or_default();
                let value = own(s.text(1, 1));
                match (self.in_decision, qualifier.as_str()) {
                    (false, "TN") => self.response.transaction_reference = value,
                    (false, "AF") => self.flight().flight = value.unwrap_or_default(),
                    (true, "AVF" | "ABO") => {
                        if let Some(d) = self.response.decisions.last_mut() {
                            if qualifier == "AVF" {
                                d.booking_locator = value;
                            } else {
                                d.passenger_reference = value;
                            }
                        }
                    }
                    _ => self.findings.record(
                        Finding::warning(code::BAD_CODE_VALUE, "RFF qualifier not expected here")
                            .at(s.index())
                            .element(1),
                    ),
                }
            }
            b"DTM" => {
                let qualifier = own(s.text(1, 0)).unwrap_or_default();
                let value = own(s.text(1, 1)).unwrap_or_default();
                let format = own(s.text(1, 2));
                match date::read(&value, format.as_deref(), Century::Nearest, self.prepared) {
                    Ok(r) => match qualifier.as_str() {
                        "189" => self.flight().departure = Some(r.value),
                        "232" => self.flight().arrival = Some(r.value),
                        _ => {}
                    },
                    Err(_) => self.findings.record(
                        Finding::error(code::BAD_DATE, "date is not readable")
                            .at(s.index())
                            .element(1)
                            .component(2),
                    ),
                }
            }
            b"LOC" => {
                let qualifier = own(s.text(1, 0)).unwrap_or_default();
                let place = own(s.text(2, 0));
                match qualifier.as_str() {
                    "125" => self.flight().departure_airport = place,
                    "87" => self.flight().arrival_airport = place,
                    _ => {}
                }
            }
            b"ERP" => {
                let level = match own(s.text(1, 0)).as_deref() {
                    Some("1") => DecisionLevel::Message,
                    _ => DecisionLevel::Passenger,
                };
                self.in_decision = true;
                self.response.decisions.push(Decision {
                    level,
                    booking_locator: None,
                    passenger_reference: None,
                    code: DecisionCode::Other(Text::default()),
                    texts: Vec::new(),
                });
            }
            b"ERC" => {
                let code_value = own(s.text(1, 0)).unwrap_or_default();
                let decision = DecisionCode::from_code(&code_value);
                if matches!(decision, DecisionCode::Other(_)) {
                    self.findings.record(
                        Finding::warning(
                            code::BAD_CODE_VALUE,
                            "ERC decision code is not known; it does not allow boarding",
                        )
                        .at(s.index())
                        .element(1),
                    );
                }
                if let Some(d) = self.response.decisions.last_mut() {
                    d.code = decision;
                }
            }
            b"FTX" => {
                let text = s
                    .element(4)
                    .map(|e| {
                        e.components()
                            .map(|c| c.text().trim().to_string())
                            .filter(|c| !c.is_empty())
                            .collect::<Vec<_>>()
                            .join(" ")
                    })
                    .unwrap_or_default();
                if let Some(d) = self.response.decisions.last_mut()
                    && !text.is_empty()
                {
                    d.texts.push(text.into());
                }
            }
            _ => self.findings.record(
                Finding::warning(
                    code::UNKNOWN_SEGMENT,
                    "segment is not part of CUSRES; kept raw",
                )
                .at(s.index()),
            ),
        }
    }

    pub(crate) fn finish(self, first_segment: usize) -> Response {
        if !self.saw_bgm {
            self.findings.record(
                Finding::error(code::MISSING_MANDATORY, "CUSRES has no BGM segment")
                    .at(first_segment),
            );
        }
        for d in &self.response.decisions {
            if matches!(d.code, DecisionCode::Other(ref c) if c.is_empty()) {
                self.findings.record(
                    Finding::error(code::MISSING_MANDATORY, "a decision group has no ERC code")
                        .at(first_segment),
                );
            }
        }
        self.response
    }
}

/// How a CUSRES is addressed and numbered.
#[derive(Debug, Clone)]
pub struct ResponseEnvelope<'a> {
    pub interchange: &'a InterchangeHeader,
    /// UNG, when the programme uses functional groups.
    pub group_reference: Option<&'a str>,
    /// UNH 0062: echoes the request's message reference.
    pub message_reference: &'a str,
    /// UNH 0068: echoes the request's common access reference.
    pub common_access_reference: Option<&'a str>,
}

/// Writes a CUSRES D05B interchange.
pub fn write(response: &Response, envelope: &ResponseEnvelope<'_>) -> Vec<u8> {
    let mut w = Writer::new(Separators::default()).line_breaks(true);
    w.una();
    let x = envelope.interchange;
    w.interchange(x);
    if let Some(reference) = envelope.group_reference {
        w.group(&edifact::GroupHeader {
            message_group: "CUSRES".into(),
            sender: x.sender.clone(),
            recipient: x.recipient.clone(),
            date: x.date.clone(),
            time: x.time.clone(),
            reference: reference.into(),
            agency: "UN".into(),
            version: "D:05B".into(),
            segment: 0,
        });
    }
    w.message(
        envelope.message_reference,
        &["CUSRES", "D", "05B", "UN", "IATA"],
        envelope.common_access_reference,
        None,
    );
    w.segment("BGM").element(response.kind.code());
    if let Some(tn) = &response.transaction_reference {
        w.segment("RFF").composite(&["TN", tn]);
    }
    if let Some(f) = &response.flight {
        w.segment("RFF").composite(&["AF", &f.flight]);
        for (qualifier, when) in [("189", f.departure), ("232", f.arrival)] {
            if let Some(when) = when {
                let value = format_201(&when);
                w.segment("DTM").composite(&[qualifier, &value, "201"]);
            }
        }
        for (qualifier, airport) in [("125", &f.departure_airport), ("87", &f.arrival_airport)] {
            if let Some(airport) = airport {
                w.segment("LOC").element(qualifier).element(airport);
            }
        }
    }
    for d in &response.decisions {
        w.segment("ERP").element(match d.level {
            DecisionLevel::Message => "1",
            DecisionLevel::Passenger => "2",
        });
        if let Some(v) = &d.booking_locator {
            w.segment("RFF").composite(&["AVF", v]);
        }
        if let Some(v) = &d.passenger_reference {
            w.segment("RFF").composite(&["ABO", v]);
        }
        w.segment("ERC").element(d.code.code());
        for text in &d.texts {
            w.segment("FTX")
                .element("AAP")
                .empty()
                .empty()
                .element(text);
        }
    }
    w.end_message();
    if envelope.group_reference.is_some() {
        w.end_group();
    }
    w.end_interchange();
    w.finish()
}

/// YYMMDDHHMM, the 201 layout carriers expect.
pub(crate) fn format_201(when: &LocalDateTime) -> String {
    let d = when.date;
    let (h, m) = when.time.map(|t| (t.hour(), t.minute())).unwrap_or((0, 0));
    format!(
        "{:02}{:02}{:02}{:02}{:02}",
        d.year().rem_euclid(100),
        d.month(),
        d.day(),
        h,
        m
    )
}
