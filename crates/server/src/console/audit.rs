//! The audit view, for the data protection officer: who saw which traveller, searched what,
//! reviewed which hit, signed in when, and why; searchable, with the chain checked on every
//! visit (hashes, links, MACs under the unit's key, and the checkpoints kept outside the
//! database). Looking at the audit is itself audited.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State as Shared};
use serde::Deserialize;
use store::{AuditCategory, AuditEntry, AuditQuery, AuditRecord, Breach, Verdict};

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
    /// collection, consultation, disclosure, erasure, administration.
    kind: Option<String>,
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
    /// The kind searched for ("" for all), and every kind for the choice.
    kind: String,
    kinds: [AuditCategory; 5],
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

/// The text key naming a kind of record.
fn kind_key(kind: &str) -> &'static str {
    match AuditCategory::parse(kind) {
        Some(AuditCategory::Collection) => "audit.kind.collection",
        Some(AuditCategory::Consultation) => "audit.kind.consultation",
        Some(AuditCategory::Disclosure) => "audit.kind.disclosure",
        Some(AuditCategory::Erasure) => "audit.kind.erasure",
        Some(AuditCategory::Administration) | None => "audit.kind.administration",
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
        category: given(&f.kind).and_then(AuditCategory::parse),
        limit: 500,
    };
    let detail = format!(
        "actor={} action={} subject={} from={} to={} kind={}",
        query.actor.unwrap_or(""),
        query.action.unwrap_or(""),
        query.subject.unwrap_or(""),
        query.from.unwrap_or(""),
        query.to.unwrap_or(""),
        query.category.map_or("", AuditCategory::as_str)
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
        kind: query.category.map_or("", AuditCategory::as_str).to_string(),
        kinds: AuditCategory::ALL,
        records,
        verdict,
    }))
}
