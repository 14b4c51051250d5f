//! The audit view, for the data protection officer: who saw which traveller, searched what,
//! reviewed which hit, signed in when, and why; searchable, with the chain checked on every
//! visit (hashes, links, MACs under the unit's key, and the checkpoints kept outside the
//! database). Looking at the audit is itself audited.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State as Shared};
use serde::Deserialize;
use store::{AuditEntry, AuditQuery, AuditRecord, Breach, Verdict};

use super::{Chrome, PageResult, html};
use crate::State;
use crate::access::Who;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct AuditForm {
    actor: Option<String>,
    action: Option<String>,
    subject: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

#[derive(Template)]
#[template(path = "audit.html")]
struct AuditPage {
    c: Chrome,
    actor: String,
    action: String,
    subject: String,
    from: String,
    to: String,
    records: Vec<AuditRecord>,
    verdict: Verdict,
}

/// The text key saying why the chain does not verify.
fn breach_key(b: &Breach) -> &'static str {
    match b {
        Breach::Hash => "audit.breach.hash",
        Breach::Mac => "audit.breach.mac",
        Breach::Checkpoint => "audit.breach.checkpoint",
        Breach::NoSeal => "audit.breach.no_seal",
        Breach::ForgedCheckpoint => "audit.breach.forged_checkpoint",
    }
}

fn given(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

fn day(s: &Option<String>) -> Option<&str> {
    given(s).filter(|d| d.parse::<jiff::civil::Date>().is_ok())
}

pub(crate) async fn page(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Query(f): Query<AuditForm>,
) -> PageResult {
    let store = &state.store;
    let query = AuditQuery {
        actor: given(&f.actor),
        action: given(&f.action),
        subject: given(&f.subject),
        from: day(&f.from),
        to: day(&f.to),
        limit: 500,
    };
    let detail = format!(
        "actor={} action={} subject={} from={} to={}",
        query.actor.unwrap_or(""),
        query.action.unwrap_or(""),
        query.subject.unwrap_or(""),
        query.from.unwrap_or(""),
        query.to.unwrap_or("")
    );
    // Recorded first, so the officer's own look is in what they see.
    store
        .audit(&AuditEntry {
            actor: &who.principal.username,
            action: "audit.searched",
            subject: "audit",
            purpose: who.purpose.as_deref(),
            detail: &detail,
        })
        .await?;
    let records = store.audit_search(&query).await?;
    let verdict = store.verify_audit().await?;
    Ok(html(&AuditPage {
        c: Chrome::new(&who, "nav.audit", "/audit", false),
        actor: query.actor.unwrap_or("").to_string(),
        action: query.action.unwrap_or("").to_string(),
        subject: query.subject.unwrap_or("").to_string(),
        from: query.from.unwrap_or("").to_string(),
        to: query.to.unwrap_or("").to_string(),
        records,
        verdict,
    }))
}
