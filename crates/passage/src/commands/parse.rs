//! `passage parse`: read message files and print them as JSON or as a readable summary.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::process::ExitCode;

use anyhow::Context;
use edifact::{Finding, Severity};
use paxlst::{Body, PassengerList, Response};
use serde::Serialize;

#[derive(clap::Args)]
pub struct Args {
    /// Files to read; `-` reads standard input.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<String>,
    /// Print JSON (documented in docs/parse-json.md) instead of a summary.
    #[arg(long)]
    json: bool,
    /// Fail (exit 1) when any finding of severity error is present.
    #[arg(long)]
    strict: bool,
}

/// One message of any type Passage reads.
#[derive(Serialize)]
#[serde(untagged)]
enum Message {
    /// PAXLST and CUSRES, and types no reader knows (left unread with a finding).
    Api(paxlst::Message),
    Pnr(pnrgov::Message),
}

impl Message {
    fn has_errors(&self) -> bool {
        match self {
            Message::Api(m) => m.has_errors(),
            Message::Pnr(m) => m.has_errors(),
        }
    }

    fn findings(&self) -> &[Finding] {
        match self {
            Message::Api(m) => &m.findings,
            Message::Pnr(m) => &m.findings,
        }
    }
}

/// What one input gave.
#[derive(Serialize)]
struct FileReport {
    file: String,
    bytes: usize,
    messages: Vec<Message>,
    /// Findings outside any message.
    findings: Vec<Finding>,
}

/// Reads every message of `bytes`, each with the reader of its type.
fn read_file(file: &str, bytes: &[u8]) -> FileReport {
    let parsed = edifact::parse(bytes);
    let messages = parsed
        .messages()
        .map(|(x, m)| match m.header.message_type.as_str() {
            "PNRGOV" => Message::Pnr(pnrgov::read_message(&parsed, x, m)),
            _ => Message::Api(paxlst::read_message(&parsed, x, m)),
        })
        .collect();
    FileReport {
        file: file.to_string(),
        bytes: bytes.len(),
        messages,
        findings: parsed.findings_outside_messages(),
    }
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let mut reports = Vec::new();
    for name in &args.files {
        let bytes = read_input(name)?;
        reports.push(read_file(name, &bytes));
    }
    let unreadable = reports.iter().any(|r| r.messages.is_empty());
    let errors = reports.iter().any(|r| {
        r.findings.iter().any(Finding::is_error) || r.messages.iter().any(Message::has_errors)
    });
    let mut out = std::io::stdout().lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &reports)?;
        writeln!(out)?;
    } else {
        for report in &reports {
            out.write_all(summary(report).as_bytes())?;
        }
    }
    Ok(if unreadable || (args.strict && errors) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn read_input(name: &str) -> anyhow::Result<Vec<u8>> {
    if name == "-" {
        let mut bytes = Vec::new();
        std::io::stdin()
            .read_to_end(&mut bytes)
            .context("reading standard input")?;
        Ok(bytes)
    } else {
        std::fs::read(name).with_context(|| format!("reading {name}"))
    }
}

fn summary(report: &FileReport) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}: {} message(s)", report.file, report.messages.len());
    for message in &report.messages {
        let (interchange, m_type, version, reference, series) = match message {
            Message::Api(m) => (
                &m.interchange,
                &m.message_type,
                &m.version,
                &m.reference,
                &m.series,
            ),
            Message::Pnr(m) => (
                &m.interchange,
                &m.message_type,
                &m.version,
                &m.reference,
                &m.series,
            ),
        };
        let from = interchange
            .as_ref()
            .map(|i| format!(" from {} to {}", i.sender, i.recipient))
            .unwrap_or_default();
        let part = series
            .as_ref()
            .filter(|p| !p.is_single())
            .map(|p| {
                format!(
                    " part {}{}",
                    p.number.map(|n| n.to_string()).unwrap_or_default(),
                    if p.is_last() { " (last)" } else { "" }
                )
            })
            .unwrap_or_default();
        let _ = writeln!(s, "  {m_type} {version} ref {reference}{from}{part}");
        match message {
            Message::Api(m) => match &m.body {
                Body::PassengerList(l) => list_summary(&mut s, l),
                Body::Response(r) => response_summary(&mut s, r),
                Body::Unsupported => {}
            },
            Message::Pnr(m) => {
                if let Some(push) = m.push() {
                    push_summary(&mut s, push);
                }
            }
        }
        findings_summary(&mut s, message.findings(), "    ");
    }
    findings_summary(&mut s, &report.findings, "  ");
    s
}

fn push_summary(s: &mut String, push: &pnrgov::Push) {
    if let Some(f) = &push.flight {
        let when = |t: &Option<pnrgov::LocalTime>| {
            t.as_ref().map(|t| t.at.to_string()).unwrap_or_default()
        };
        let _ = writeln!(
            s,
            "    push for {}{}: {} {} -> {} {}",
            f.carrier.as_deref().unwrap_or("?"),
            f.number.as_deref().unwrap_or("?"),
            f.origin.as_deref().unwrap_or("?"),
            when(&f.departure),
            f.destination.as_deref().unwrap_or("?"),
            when(&f.arrival)
        );
    }
    let _ = writeln!(s, "    {} booking(s)", push.bookings.len());
    for b in &push.bookings {
        let _ = writeln!(
            s,
            "      {} | {} traveller(s) | {} segment(s)",
            b.locator().unwrap_or("?"),
            b.travellers.len(),
            b.itinerary.len()
        );
        for t in &b.travellers {
            let doc = t
                .documents
                .first()
                .map(|d| {
                    format!(
                        "{} {} {}",
                        d.kind.as_deref().unwrap_or("?"),
                        d.number.as_deref().unwrap_or("?"),
                        d.issuing_state.as_deref().unwrap_or("?")
                    )
                })
                .unwrap_or_else(|| "no document".into());
            let _ = writeln!(
                s,
                "        {}, {} | {:?} | {}",
                t.surname,
                t.given_name.as_deref().unwrap_or(""),
                t.kind,
                doc
            );
        }
    }
}

fn list_summary(s: &mut String, l: &PassengerList) {
    let change = l
        .change
        .as_ref()
        .map(|c| format!(" ({})", c.code()))
        .unwrap_or_default();
    let _ = writeln!(s, "    list {}{change}", l.kind.code());
    for leg in &l.legs {
        let stop = |st: Option<&paxlst::Stop>, dep: bool| {
            st.map(|st| {
                let when = if dep { st.departure } else { st.arrival };
                format!(
                    "{} {}",
                    st.airport,
                    when.map(|w| w.to_string()).unwrap_or_default()
                )
            })
            .unwrap_or_else(|| "?".into())
        };
        let _ = writeln!(
            s,
            "    flight {}: {} -> {}",
            leg.flight,
            stop(leg.origin(), true),
            stop(leg.destination(), false)
        );
    }
    let declared = [
        l.declared.passengers.map(|n| format!("{n} passengers")),
        l.declared.crew.map(|n| format!("{n} crew")),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    let _ = writeln!(
        s,
        "    {} person(s){}",
        l.persons.len(),
        if declared.is_empty() {
            String::new()
        } else {
            format!(" (declared for the flight: {declared})")
        }
    );
    for p in &l.persons {
        let doc = p
            .documents
            .first()
            .map(|d| {
                format!(
                    "{} {} {} exp {}",
                    d.kind,
                    d.number.as_deref().unwrap_or("?"),
                    d.issuing_state.as_deref().unwrap_or("?"),
                    d.expiry
                        .map(|e| e.to_string())
                        .unwrap_or_else(|| "?".into())
                )
            })
            .unwrap_or_else(|| "no document".into());
        let _ = writeln!(
            s,
            "      {:<4}{}, {} | {} | {} | {} | {}",
            p.role.code(),
            p.surname.as_deref().unwrap_or("?"),
            p.given_names.join(" "),
            p.sex.map(|x| x.code()).unwrap_or("?"),
            p.date_of_birth
                .map(|d| d.to_string())
                .unwrap_or_else(|| "?".into()),
            p.nationality.as_deref().unwrap_or("?"),
            doc
        );
    }
}

fn response_summary(s: &mut String, r: &Response) {
    let flight = r
        .flight
        .as_ref()
        .map(|f| format!(" for {}", f.flight))
        .unwrap_or_default();
    let _ = writeln!(s, "    response {}{flight}", r.kind.code());
    for d in &r.decisions {
        let _ = writeln!(
            s,
            "      {} {} {}",
            d.code.code(),
            d.passenger_reference.as_deref().unwrap_or("(message)"),
            d.texts.join(" / ")
        );
    }
}

fn findings_summary(s: &mut String, findings: &[Finding], indent: &str) {
    for f in findings {
        let severity = match f.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        let place = [
            f.segment.map(|x| format!("segment {x}")),
            f.element.map(|x| format!("element {x}")),
            f.component.map(|x| format!("component {x}")),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        let _ = writeln!(s, "{indent}{severity:<7} {} [{place}] {}", f.code, f.text);
    }
}
