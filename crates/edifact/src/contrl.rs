//! CONTRL syntax and service reports (ISO 9735), built from findings and read back.
//!
//! Passage accepts what it can read: a message is rejected (action 4) only when a finding of
//! severity error stands in it; tolerated deviations are still reported, as UCS/UCD detail
//! under an acknowledged message, so the carrier can mend them.

use std::borrow::Cow;

use crate::envelope::{InterchangeHeader, Parsed};
use crate::finding::{Finding, Severity, code};
use crate::separators::Separators;
use crate::writer::Writer;

/// 0083 action, coded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// 4: this level and all lower levels rejected.
    Rejected,
    /// 7: this level acknowledged.
    Acknowledged,
    /// 8: interchange received (not yet checked).
    Received,
}

impl Action {
    pub fn code(self) -> &'static str {
        match self {
            Action::Rejected => "4",
            Action::Acknowledged => "7",
            Action::Received => "8",
        }
    }

    pub fn from_code(code: &str) -> Option<Action> {
        match code {
            "4" => Some(Action::Rejected),
            "7" => Some(Action::Acknowledged),
            "8" => Some(Action::Received),
            _ => None,
        }
    }
}

/// One reported error: where (segment position in the message, element, component) and the
/// ISO 9735 syntax error code (0085).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SyntaxError {
    /// Segment position in the message, UNH = 1.
    pub position: usize,
    pub element: Option<usize>,
    pub component: Option<usize>,
    pub error: u8,
}

/// The report on one message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MessageReport {
    pub reference: String,
    /// Type, version, release, agency.
    pub identifier: [String; 4],
    pub action: Action,
    pub error: Option<u8>,
    pub details: Vec<SyntaxError>,
}

/// A whole CONTRL: the interchange-level verdict and one report per message.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    /// UNB 0020 of the interchange acknowledged.
    pub control_reference: String,
    pub sender: String,
    pub recipient: String,
    pub action: Action,
    pub error: Option<u8>,
    pub messages: Vec<MessageReport>,
}

/// ISO 9735 syntax error code (0085) for a finding code, where one applies. Covers the codes of
/// this crate and the generic validation codes message crates share.
pub fn syntax_error(finding_code: &str) -> Option<u8> {
    Some(match finding_code {
        code::UNKNOWN_SYNTAX_IDENTIFIER => 2,
        "bad_code_value" | "bad_date" | "bad_number" => 12,
        code::MISSING_ENVELOPE_ELEMENT
        | code::MISSING_MESSAGE_TRAILER
        | code::MISSING_INTERCHANGE_TRAILER
        | code::MISSING_GROUP_TRAILER
        | code::MISSING_MESSAGE_HEADER
        | "missing_mandatory" => 13,
        code::INVALID_SEGMENT_TAG | "unknown_segment" | code::SEGMENT_OUTSIDE_MESSAGE => 15,
        code::DANGLING_RELEASE
        | code::MISSING_SEGMENT_TERMINATOR
        | code::MISSING_FINAL_TERMINATOR => 18,
        code::CHARACTER_OUTSIDE_REPERTOIRE => 21,
        code::UNA_SEPARATOR_CLASH | code::UNA_TRUNCATED => 22,
        "duplicate" => 26,
        code::REFERENCE_MISMATCH => 28,
        code::SEGMENT_COUNT_MISMATCH | code::MESSAGE_COUNT_MISMATCH | "count_mismatch" => 29,
        code::NO_MESSAGE => 32,
        "too_long" => 39,
        _ => return None,
    })
}

/// Assesses interchange `index` of `parsed`: the syntax findings plus `more` (findings of the
/// message crates, placed by file segment index).
pub fn assess(parsed: &Parsed<'_>, index: usize, more: &[Finding]) -> Option<Report> {
    let x = parsed.interchanges.get(index)?;
    let header = x.header.clone().unwrap_or_default();
    let range = x.first_segment..x.end_segment;
    let all: Vec<&Finding> = parsed
        .findings
        .iter()
        .chain(more.iter())
        .filter(|f| f.segment.is_none_or(|s| range.contains(&s)))
        .collect();

    let mut messages = Vec::new();
    for m in &x.messages {
        let inside: Vec<&&Finding> = all
            .iter()
            .filter(|f| {
                f.segment
                    .is_some_and(|s| (m.first_segment..m.end_segment).contains(&s))
            })
            .collect();
        let details: Vec<SyntaxError> = inside
            .iter()
            .filter(|f| f.severity >= Severity::Warning)
            .filter_map(|f| {
                Some(SyntaxError {
                    position: f.segment? - m.first_segment + 1,
                    element: f.element,
                    component: f.component,
                    error: syntax_error(&f.code)?,
                })
            })
            .collect();
        let first_error = inside
            .iter()
            .find(|f| f.is_error())
            .map(|f| syntax_error(&f.code).unwrap_or(18));
        messages.push(MessageReport {
            reference: m.header.reference.clone(),
            identifier: [
                m.header.message_type.clone(),
                m.header.version.clone(),
                m.header.release.clone(),
                m.header.agency.clone(),
            ],
            action: if first_error.is_some() {
                Action::Rejected
            } else {
                Action::Acknowledged
            },
            error: first_error,
            details,
        });
    }
    // The interchange is rejected only when nothing in it could be accepted.
    let envelope_error = all
        .iter()
        .filter(|f| {
            f.is_error()
                && !x.messages.iter().any(|m| {
                    f.segment
                        .is_some_and(|s| (m.first_segment..m.end_segment).contains(&s))
                })
        })
        .find_map(|f| syntax_error(&f.code));
    let accepted = messages.iter().any(|m| m.action == Action::Acknowledged);
    Some(Report {
        control_reference: header.control_reference,
        sender: header.sender,
        recipient: header.recipient,
        action: if accepted {
            Action::Acknowledged
        } else {
            Action::Rejected
        },
        error: if accepted {
            envelope_error
        } else {
            envelope_error.or(Some(32))
        },
        messages,
    })
}

/// Who writes the CONTRL back, and under which reference.
#[derive(Debug, Clone)]
pub struct Reply<'a> {
    pub sender: &'a str,
    pub control_reference: &'a str,
    pub date: &'a str,
    pub time: &'a str,
}

/// Writes `report` as a CONTRL interchange (syntax 4, CONTRL:4:1:UN) addressed to the sender of
/// the interchange it acknowledges.
pub fn write(report: &Report, reply: &Reply<'_>) -> Vec<u8> {
    let mut w = Writer::new(Separators::default()).line_breaks(true);
    w.interchange(&InterchangeHeader {
        syntax_identifier: "UNOC".into(),
        syntax_version: Some("4".into()),
        sender: reply.sender.into(),
        recipient: report.sender.clone(),
        date: reply.date.into(),
        time: reply.time.into(),
        control_reference: reply.control_reference.into(),
        ..Default::default()
    });
    w.message("1", &["CONTRL", "4", "1", "UN"], None, None);
    let error = report.error.map(|e| e.to_string());
    w.segment("UCI")
        .element(&report.control_reference)
        .element(&report.sender)
        .element(&report.recipient)
        .element(report.action.code())
        .element(error.as_deref().unwrap_or(""));
    for m in &report.messages {
        let error = m.error.map(|e| e.to_string());
        let [t, v, r, a] = &m.identifier;
        w.segment("UCM")
            .element(&m.reference)
            .composite(&[t, v, r, a])
            .element(m.action.code())
            .element(error.as_deref().unwrap_or(""));
        for d in &m.details {
            let position = d.position.to_string();
            let code = d.error.to_string();
            match d.element {
                None => {
                    w.segment("UCS").element(&position).element(&code);
                }
                Some(element) => {
                    w.segment("UCS").element(&position);
                    let element = element.to_string();
                    let component = d.component.map(|c| c.to_string());
                    w.segment("UCD")
                        .element(&code)
                        .composite(&[&element, component.as_deref().unwrap_or("")]);
                }
            }
        }
    }
    w.end_message();
    w.end_interchange();
    w.finish()
}

/// Reads a CONTRL back into a report (the first CONTRL message of the input).
pub fn read(parsed: &Parsed<'_>) -> Option<Report> {
    let (_, m) = parsed
        .messages()
        .find(|(_, m)| m.header.message_type == "CONTRL")?;
    let mut report: Option<Report> = None;
    let mut pending_position: Option<usize> = None;
    let num = |v: Option<Cow<'_, str>>| v.and_then(|v| v.parse::<u8>().ok());
    for s in parsed.message_segments(m) {
        match s.tag() {
            "UCI" => {
                report = Some(Report {
                    control_reference: s.text(1, 0).unwrap_or_default().into_owned(),
                    sender: s.text(2, 0).unwrap_or_default().into_owned(),
                    recipient: s.text(3, 0).unwrap_or_default().into_owned(),
                    action: Action::from_code(&s.text(4, 0).unwrap_or_default())?,
                    error: num(s.text(5, 0)),
                    messages: Vec::new(),
                });
            }
            "UCM" => {
                let r = report.as_mut()?;
                let id = |c| s.text(2, c).unwrap_or_default().into_owned();
                r.messages.push(MessageReport {
                    reference: s.text(1, 0).unwrap_or_default().into_owned(),
                    identifier: [id(0), id(1), id(2), id(3)],
                    action: Action::from_code(&s.text(3, 0).unwrap_or_default())?,
                    error: num(s.text(4, 0)),
                    details: Vec::new(),
                });
            }
            "UCS" => {
                let position = s.text(1, 0).and_then(|p| p.parse().ok());
                match num(s.text(2, 0)) {
                    Some(error) => {
                        let m = report.as_mut()?.messages.last_mut()?;
                        m.details.push(SyntaxError {
                            position: position?,
                            element: None,
                            component: None,
                            error,
                        });
                        pending_position = None;
                    }
                    None => pending_position = position,
                }
            }
            "UCD" => {
                let m = report.as_mut()?.messages.last_mut()?;
                m.details.push(SyntaxError {
                    position: pending_position?,
                    element: s.text(2, 0).and_then(|e| e.parse().ok()),
                    component: s.text(2, 1).and_then(|c| c.parse().ok()),
                    error: num(s.text(1, 0))?,
                });
            }
            _ => {}
        }
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::parse;

    const REPLY: Reply<'static> = Reply {
        sender: "PIU",
        control_reference: "C1",
        date: "261127",
        time: "0931",
    };

    #[test]
    fn clean_interchange_is_acknowledged() {
        let p = parse(b"UNB+UNOA:4+ZZ+PIU+261127:0930+R1+++++1'UNH+M1+PAXLST:D:05B:UN:IATA'BGM+745'UNT+3+M1'UNZ+1+R1'");
        let report = assess(&p, 0, &[]).unwrap();
        assert_eq!(report.action, Action::Acknowledged);
        assert_eq!(report.messages[0].action, Action::Acknowledged);
        let bytes = write(&report, &REPLY);
        let text = String::from_utf8(bytes.clone()).unwrap();
        assert!(text.contains("UCI+R1+ZZ+PIU+7'"), "{text}");
        assert!(text.contains("UCM+M1+PAXLST:D:05B:UN+7'"), "{text}");
        assert_eq!(read(&parse(&bytes)).unwrap(), report);
    }

    #[test]
    fn count_mismatch_is_reported_under_an_acknowledged_message() {
        let p = parse(b"UNB+UNOA:4+ZZ+PIU+261127:0930+R1'UNH+M1+PAXLST:D:15B:UN:IATA'BGM+250'UNT+20+M1'UNZ+1+R1'");
        let report = assess(&p, 0, &[]).unwrap();
        let m = &report.messages[0];
        assert_eq!(m.action, Action::Acknowledged);
        assert_eq!(
            m.details,
            [SyntaxError {
                position: 3,
                element: Some(1),
                component: None,
                error: 29
            }]
        );
        let bytes = write(&report, &REPLY);
        assert!(String::from_utf8_lossy(&bytes).contains("UCS+3'\nUCD+29+1'"));
        assert_eq!(read(&parse(&bytes)).unwrap(), report);
    }

    #[test]
    fn unreadable_message_is_rejected() {
        let p = parse(b"UNB+UNOA:4+ZZ+PIU+261127:0930+R1'UNH+M1+PAXLST:D:05B:UN:IATA'BGM+745'bad segment'UNT+4+M1'UNZ+1+R1'");
        let report = assess(&p, 0, &[]).unwrap();
        assert_eq!(report.messages[0].action, Action::Rejected);
        assert_eq!(report.messages[0].error, Some(15));
        assert_eq!(report.action, Action::Rejected);
        assert_eq!(report.error, Some(32));
    }
}
