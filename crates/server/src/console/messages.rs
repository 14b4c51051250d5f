//! The vault: every message received, newest first, by carrier, type and state, with its size
//! and findings; one message's metadata and findings (code, severity, segment, element, text).
//! Findings carry no personal data; the bytes as received do, so they are shown only to the
//! roles that see personal data, for a stated purpose, and audited.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Path, Query, State as Shared};
use edifact::Severity;
use serde::Deserialize;
use store::{MessageState, StoredMessage};

use super::{Chrome, PageError, PageResult, audited, html, purpose_first, stored_findings};
use crate::State;
use crate::access::Who;
use crate::roles::PERSONAL;

/// Messages on a page.
const PAGE: usize = 100;

const STATES: [&str; 5] = ["received", "processed", "waiting", "failed", "duplicate"];
const TYPES: [&str; 3] = ["PAXLST", "PNRGOV", "CUSRES"];

fn state_of(s: &str) -> Option<MessageState> {
    Some(match s {
        "received" => MessageState::Received,
        "processed" => MessageState::Processed,
        "waiting" => MessageState::Waiting,
        "failed" => MessageState::Failed,
        "duplicate" => MessageState::Duplicate,
        _ => return None,
    })
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct MessagesQuery {
    carrier: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    state: Option<String>,
    page: Option<usize>,
}

#[derive(Debug)]
pub(crate) struct MessageLine {
    pub id: i64,
    pub received_at: String,
    pub carrier: String,
    pub channel: String,
    pub kind: String,
    pub state: &'static str,
    pub size: String,
    pub findings: usize,
    pub errors: usize,
    /// Distinct finding codes, the first few.
    pub codes: String,
}

#[derive(Template)]
#[template(path = "messages.html")]
struct MessagesPage {
    c: Chrome,
    carrier: String,
    kind: String,
    state: String,
    states: [&'static str; 5],
    types: [&'static str; 3],
    lines: Vec<MessageLine>,
    page: usize,
    previous: Option<String>,
    next: Option<String>,
}

/// "1.2 kB", "830 B".
pub(crate) fn size(bytes: i64) -> String {
    match bytes {
        b if b >= 1_048_576 => format!("{:.1} MB", b as f64 / 1_048_576.0),
        b if b >= 1024 => format!("{:.1} kB", b as f64 / 1024.0),
        b => format!("{b} B"),
    }
}

/// A finding's severity as the page names it.
pub(crate) fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Info => "info",
        Severity::Warning => "warning",
        Severity::Error => "error",
    }
}

fn line(m: &StoredMessage) -> Result<MessageLine, PageError> {
    let all = stored_findings(&m.findings)?;
    let mut codes: Vec<String> = all.iter().map(|f| f.code.to_string()).collect();
    codes.sort();
    codes.dedup();
    let more = codes.len().saturating_sub(4);
    let mut shown = codes.into_iter().take(4).collect::<Vec<_>>().join(", ");
    if more > 0 {
        shown.push_str(&format!(" +{more}"));
    }
    Ok(MessageLine {
        id: m.id,
        received_at: m
            .received_at
            .chars()
            .take(19)
            .collect::<String>()
            .replace('T', " "),
        carrier: m.carrier.clone(),
        channel: m.channel.clone(),
        kind: m.message_type.clone().unwrap_or_default(),
        state: m.state.as_str(),
        size: size(m.size),
        findings: all.len(),
        errors: all.iter().filter(|f| f.severity == Severity::Error).count(),
        codes: shown,
    })
}

fn link(carrier: &str, kind: &str, state: &str, page: usize) -> String {
    let enc = crate::access::urlencode;
    format!(
        "/messages?carrier={}&type={}&state={}&page={page}",
        enc(carrier),
        enc(kind),
        enc(state)
    )
}

pub(crate) async fn list(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Query(q): Query<MessagesQuery>,
) -> PageResult {
    let carrier = q
        .carrier
        .unwrap_or_default()
        .trim()
        .to_ascii_uppercase()
        .chars()
        .take(8)
        .collect::<String>();
    let kind = q
        .kind
        .filter(|k| TYPES.contains(&k.as_str()))
        .unwrap_or_default();
    let wanted = q.state.unwrap_or_default();
    let filter = state_of(&wanted);
    let wanted = if filter.is_some() {
        wanted
    } else {
        String::new()
    };
    let page = q.page.unwrap_or(1).clamp(1, 10_000);
    let skip = (page - 1) * PAGE;
    let store = &state.store;
    let carrier_filter = (!carrier.is_empty()).then_some(carrier.as_str());
    // One page and one more row, to know whether there is a next page.
    let kind_filter = (!kind.is_empty()).then_some(kind.as_str());
    let rows = store
        .messages(
            carrier_filter,
            filter,
            kind_filter,
            PAGE as i64 + 1,
            i64::try_from(skip).unwrap_or(0),
        )
        .await?;
    let more = rows.len() > PAGE;
    let lines: Vec<_> = rows.iter().take(PAGE).map(line).collect::<Result<_, _>>()?;
    let here = link(&carrier, &kind, &wanted, page);
    Ok(html(&MessagesPage {
        c: Chrome::new(&who, "nav.messages", &here, false),
        previous: (page > 1).then(|| link(&carrier, &kind, &wanted, page - 1)),
        next: more.then(|| link(&carrier, &kind, &wanted, page + 1)),
        carrier,
        kind,
        state: wanted,
        states: STATES,
        types: TYPES,
        lines,
        page,
    }))
}

#[derive(Debug)]
pub(crate) struct FindingLine {
    pub code: String,
    pub severity: String,
    pub segment: String,
    pub element: String,
    pub text: String,
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    c: Chrome,
    m: StoredMessage,
    line: MessageLine,
    findings: Vec<FindingLine>,
    sees_raw: bool,
    /// The text key saying what the vault holds of the bytes.
    kept: &'static str,
}

pub(crate) async fn message(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Path(id): Path<i64>,
) -> PageResult {
    let m = state.store.message(id).await?.ok_or(PageError::NotFound)?;
    let number = |n: Option<usize>| n.map(|n| n.to_string()).unwrap_or_default();
    let findings = stored_findings(&m.findings)?
        .into_iter()
        .map(|f| {
            let element = match (f.element, f.component) {
                (e, None) => number(e),
                (e, Some(c)) => format!("{}.{c}", number(e)),
            };
            FindingLine {
                code: f.code.to_string(),
                severity: severity_name(f.severity).to_string(),
                segment: number(f.segment),
                element,
                text: f.text,
            }
        })
        .collect();
    let kept = match m.body {
        store::BodyKept::AsReceived => "message.kept_as_received",
        store::BodyKept::Filtered => "message.kept_filtered",
        store::BodyKept::Sealed => "message.kept_sealed",
        store::BodyKept::Erased => "message.kept_erased",
    };
    Ok(html(&MessagePage {
        c: Chrome::new(&who, "nav.messages", &format!("/messages/{id}"), false),
        kept,
        line: line(&m)?,
        m,
        findings,
        sees_raw: who.principal.has_any(PERSONAL),
    }))
}

#[derive(Template)]
#[template(path = "message_raw.html")]
struct RawPage {
    c: Chrome,
    id: i64,
    segments: Vec<String>,
    filtered: bool,
}

/// The bytes as text, one segment a line: a segment ends at its terminator (`'` unless the
/// message says otherwise in UNA) when the release character does not escape it.
fn segments(body: &[u8]) -> Vec<String> {
    let text = String::from_utf8_lossy(body);
    let (release, terminator) = match text.strip_prefix("UNA") {
        Some(una) => {
            let c: Vec<char> = una.chars().take(6).collect();
            (
                c.get(3).copied().unwrap_or('?'),
                c.get(5).copied().unwrap_or('\''),
            )
        }
        None => ('?', '\''),
    };
    let mut out = Vec::new();
    let mut current = String::new();
    let mut released = false;
    let mut skip_una = text.starts_with("UNA");
    for (i, ch) in text.chars().enumerate() {
        if skip_una {
            // UNA's six service characters are not a segment's content.
            current.push(ch);
            if i == 8 {
                out.push(std::mem::take(&mut current));
                skip_una = false;
            }
            continue;
        }
        if ch == '\r' || ch == '\n' {
            continue;
        }
        current.push(ch);
        if released {
            released = false;
        } else if ch == release {
            released = true;
        } else if ch == terminator {
            out.push(std::mem::take(&mut current));
        }
    }
    if !current.trim().is_empty() {
        out.push(current);
    }
    out
}

pub(crate) async fn raw(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Path(id): Path<i64>,
) -> PageResult {
    let here = format!("/messages/{id}/raw");
    if let Some(redirect) = purpose_first(&who, &here) {
        return Ok(redirect);
    }
    let m = state.store.message(id).await?.ok_or(PageError::NotFound)?;
    let body = state
        .store
        .message_body(id)
        .await?
        .ok_or(PageError::NotFound)?;
    audited(&state, &who, "message.raw_viewed", &format!("message:{id}")).await?;
    Ok(html(&RawPage {
        c: Chrome::new(&who, "nav.messages", &here, true),
        id,
        segments: segments(&body),
        filtered: m.body == store::BodyKept::Filtered,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_split_at_unreleased_terminators() {
        let s = segments(b"UNA:+.? 'UNB+UNOA:4+X'NAD+FL+++O??BRIEN?'S'UNT+2+1'");
        assert_eq!(
            s,
            [
                "UNA:+.? '",
                "UNB+UNOA:4+X'",
                "NAD+FL+++O??BRIEN?'S'",
                "UNT+2+1'"
            ]
        );
        let s = segments(b"UNB+UNOA:4'\nUNH+1'\r\n");
        assert_eq!(s, ["UNB+UNOA:4'", "UNH+1'"]);
    }

    #[test]
    fn sizes_read_as_people_say_them() {
        assert_eq!(size(830), "830 B");
        assert_eq!(size(2048), "2.0 kB");
        assert_eq!(size(3 * 1_048_576), "3.0 MB");
    }
}
