//! `passage parse`: read message files and print them as JSON or as a readable summary.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::process::ExitCode;

use anyhow::Context;
use edifact::{Finding, Severity};
use paxlst::{Body, Message, PassengerList, Reading, Response};
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

/// What one input gave.
#[derive(Serialize)]
struct FileReport<'a> {
    file: &'a str,
    bytes: usize,
    messages: &'a [Message],
    findings: &'a [Finding],
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let mut unreadable = false;
    let mut errors = false;
    let mut reports = Vec::new();
    for name in &args.files {
        let bytes = read_input(name)?;
        let reading = paxlst::read(&bytes);
        unreadable |= reading.messages.is_empty();
        errors |= reading.findings.iter().any(Finding::is_error)
            || reading.messages.iter().any(Message::has_errors);
        reports.push((name.as_str(), bytes.len(), reading));
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        let reports: Vec<FileReport<'_>> = reports
            .iter()
            .map(|(file, bytes, r)| FileReport {
                file,
                bytes: *bytes,
                messages: &r.messages,
                findings: &r.findings,
            })
            .collect();
        serde_json::to_writer_pretty(&mut out, &reports)?;
        writeln!(out)?;
    } else {
        for (file, _, reading) in &reports {
            out.write_all(summary(file, reading).as_bytes())?;
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

fn summary(file: &str, reading: &Reading) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{file}: {} message(s)", reading.messages.len());
    for m in &reading.messages {
        let from = m
            .interchange
            .as_ref()
            .map(|i| format!(" from {} to {}", i.sender, i.recipient))
            .unwrap_or_default();
        let part = m
            .series
            .as_ref()
            .filter(|_| m.is_series_part())
            .map(|p| {
                format!(
                    " part {}{}",
                    p.number.map(|n| n.to_string()).unwrap_or_default(),
                    if p.is_last() { " (last)" } else { "" }
                )
            })
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "  {} {} ref {}{from}{part}",
            m.message_type, m.version, m.reference
        );
        match &m.body {
            Body::PassengerList(l) => list_summary(&mut s, l),
            Body::Response(r) => response_summary(&mut s, r),
            Body::Unsupported => {}
        }
        findings_summary(&mut s, &m.findings, "    ");
    }
    findings_summary(&mut s, &reading.findings, "  ");
    s
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
