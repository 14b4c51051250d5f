//! Watchlists: every list with its versions (as imported, never edited), one list's entries
//! (searchable, a page at a time), what changed between two versions, and the import of a new
//! version (a file upload, through the same function as the JSON API's import).

use std::collections::BTreeMap;
use std::sync::Arc;

use askama::Template;
use axum::extract::{Multipart, Path, Query, State as Shared};
use axum::response::{IntoResponse, Redirect};
use screening::{BirthDate, Entry, ListVersion};
use serde::Deserialize;
use store::ListVersionRow;

use super::{Chrome, PageError, PageResult, audited, html};
use crate::State;
use crate::access::Who;
use crate::hits::{import_list, valid_list_name};
use crate::roles::LISTS_WRITE;

/// Entries on a page.
const PAGE: usize = 100;

#[derive(Debug)]
pub(crate) struct VersionLine {
    pub number: i64,
    pub format: String,
    pub published: String,
    pub imported_at: String,
    pub imported_by: String,
    pub entries: i64,
    pub added: i64,
    pub changed: i64,
    pub removed: i64,
    pub sha: String,
}

impl From<&ListVersionRow> for VersionLine {
    fn from(v: &ListVersionRow) -> VersionLine {
        VersionLine {
            number: v.number,
            format: v.format.clone(),
            published: v.published.clone().unwrap_or_default(),
            imported_at: v
                .imported_at
                .chars()
                .take(16)
                .collect::<String>()
                .replace('T', " "),
            imported_by: v.imported_by.clone(),
            entries: v.entries,
            added: v.added,
            changed: v.changed,
            removed: v.removed,
            sha: v.source_sha256.chars().take(12).collect(),
        }
    }
}

#[derive(Debug)]
pub(crate) struct ListSection {
    pub list: String,
    pub versions: Vec<VersionLine>,
    /// The agency the list's hits go to; `None`: the whole unit.
    pub owner: Option<String>,
}

#[derive(Template)]
#[template(path = "lists.html")]
struct ListsPage {
    c: Chrome,
    lists: Vec<ListSection>,
    can_import: bool,
    agencies: Vec<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListsQuery {
    /// A list to open (or start, by importing its first version).
    new: Option<String>,
}

pub(crate) async fn lists(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Query(q): Query<ListsQuery>,
) -> PageResult {
    if let Some(name) = q.new.as_deref().map(str::trim)
        && valid_list_name(name)
    {
        return Ok(Redirect::to(&format!("/lists/{name}")).into_response());
    }
    let rows = state.store.list_versions(None).await?;
    let mut by_list: BTreeMap<String, Vec<VersionLine>> = BTreeMap::new();
    for v in &rows {
        by_list.entry(v.list.clone()).or_default().push(v.into());
    }
    let owners: std::collections::HashMap<String, String> =
        state.store.list_owners().await?.into_iter().collect();
    let agencies = state
        .store
        .agencies()
        .await?
        .into_iter()
        .map(|a| a.code)
        .collect();
    Ok(html(&ListsPage {
        c: Chrome::new(&who, "nav.lists", "/lists", false),
        lists: by_list
            .into_iter()
            .map(|(list, versions)| ListSection {
                owner: owners.get(&list).cloned(),
                list,
                versions,
            })
            .collect(),
        can_import: who.principal.has_any(LISTS_WRITE),
        agencies,
    }))
}

#[derive(Debug, Deserialize)]
pub(crate) struct OwnerForm {
    /// An agency's code, or empty for the whole unit.
    #[serde(default)]
    agency: String,
}

/// Gives a list's hits to an agency's queue (or back to the whole unit's), audited.
pub(crate) async fn set_owner(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Path(list): Path<String>,
    axum::Form(f): axum::Form<OwnerForm>,
) -> PageResult {
    if !valid_list_name(&list) {
        return Err(PageError::NotFound);
    }
    let store = &state.store;
    let agency = f.agency.trim().to_ascii_uppercase();
    let known = store.agencies().await?.iter().any(|a| a.code == agency);
    let owner = (!agency.is_empty() && known).then_some(agency.as_str());
    let mut tx = store.begin().await?;
    tx.set_list_owner(&list, owner, &who.principal.username)
        .await?;
    tx.audit(&store::AuditEntry {
        actor: &who.principal.username,
        action: "watchlist.owner_set",
        subject: &format!("list:{list}"),
        purpose: None,
        detail: &format!("agency={}", owner.unwrap_or("unit")),
    })
    .await?;
    tx.commit().await?;
    Ok(Redirect::to("/lists").into_response())
}

#[derive(Debug)]
pub(crate) struct EntryLine {
    pub id: String,
    pub kind: String,
    pub name: String,
    pub aliases: Vec<String>,
    pub birth: String,
    pub nationalities: String,
    pub documents: Vec<String>,
    pub reason: String,
    pub listed_on: String,
}

fn birth(b: &BirthDate) -> String {
    match b {
        BirthDate::Exact(d) => d.to_string(),
        BirthDate::Year(y) => y.to_string(),
        BirthDate::Range { from, to } => format!("{from}–{to}"),
    }
}

fn kind(e: &Entry) -> String {
    use invariant::Surely;
    serde_json::to_value(e.kind)
        .ok()
        .and_then(|v| v.as_str().map(String::from))
        .surely_or(String::new(), "an entry's kind serialises as a string")
}

fn entry_line(e: &Entry) -> EntryLine {
    let mut names = e.names.iter().map(|n| n.full.clone());
    EntryLine {
        id: e.id.clone(),
        kind: kind(e),
        name: names.next().unwrap_or_default(),
        aliases: names.collect(),
        birth: e
            .birth_dates
            .iter()
            .map(birth)
            .collect::<Vec<_>>()
            .join(", "),
        nationalities: e.nationalities.join(", "),
        documents: e
            .documents
            .iter()
            .map(|d| {
                format!(
                    "{} {} {}",
                    d.kind.as_deref().unwrap_or(""),
                    d.number,
                    d.issuing_state.as_deref().unwrap_or("")
                )
                .trim()
                .to_string()
            })
            .collect(),
        reason: e
            .reason
            .as_deref()
            .unwrap_or("")
            .chars()
            .take(160)
            .collect(),
        listed_on: e.listed_on.map(|d| d.to_string()).unwrap_or_default(),
    }
}

/// The primary name of an entry, for diffs.
fn primary(e: &Entry) -> String {
    e.names.first().map(|n| n.full.clone()).unwrap_or_default()
}

/// Whether some name of an entry contains the search, ignoring case.
fn named(e: &Entry, q: &str) -> bool {
    e.id.to_lowercase() == q || e.names.iter().any(|n| n.full.to_lowercase().contains(q))
}

async fn version(
    state: &State,
    list: &str,
    number: Option<i64>,
) -> Result<Option<ListVersion>, PageError> {
    match state.store.list_version_json(list, number).await? {
        Some(json) => serde_json::from_str(&json).map(Some).map_err(|e| {
            tracing::error!(error = %e, "stored list version");
            PageError::Store
        }),
        None => Ok(None),
    }
}

#[derive(Template)]
#[template(path = "list.html")]
struct ListPage {
    c: Chrome,
    list: String,
    versions: Vec<VersionLine>,
    shown: i64,
    q: String,
    matching: usize,
    entries: Vec<EntryLine>,
    page: usize,
    previous: Option<String>,
    next: Option<String>,
    can_import: bool,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    version: Option<i64>,
    q: Option<String>,
    page: Option<usize>,
}

pub(crate) async fn list(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Path(list): Path<String>,
    Query(query): Query<ListQuery>,
) -> PageResult {
    if !valid_list_name(&list) {
        return Err(PageError::NotFound);
    }
    let can_import = who.principal.has_any(LISTS_WRITE);
    let rows = state.store.list_versions(Some(&list)).await?;
    if rows.is_empty() && !can_import {
        return Err(PageError::NotFound);
    }
    let v = match rows.is_empty() {
        true => None,
        false => Some(
            version(&state, &list, query.version)
                .await?
                .ok_or(PageError::NotFound)?,
        ),
    };
    let q: String = query
        .q
        .unwrap_or_default()
        .trim()
        .chars()
        .take(100)
        .collect();
    let needle = q.to_lowercase();
    let page = query.page.unwrap_or(1).clamp(1, 100_000);
    let matching: Vec<&Entry> = v
        .iter()
        .flat_map(|v| v.entries.iter())
        .filter(|e| needle.is_empty() || named(e, &needle))
        .collect();
    let shown = v.as_ref().map(|v| i64::from(v.number)).unwrap_or(0);
    if v.is_some() {
        audited(
            &state,
            &who,
            "watchlist.entries_viewed",
            &format!("watchlist:{list}/{shown}"),
        )
        .await?;
    }
    let enc = crate::access::urlencode;
    let link = |p: usize| {
        format!(
            "/lists/{}?version={shown}&q={}&page={p}",
            enc(&list),
            enc(&q)
        )
    };
    let entries = matching
        .iter()
        .skip((page - 1) * PAGE)
        .take(PAGE)
        .map(|e| entry_line(e))
        .collect();
    Ok(html(&ListPage {
        c: Chrome::new(&who, "nav.lists", &link(page), false),
        versions: rows.iter().map(VersionLine::from).collect(),
        previous: (page > 1).then(|| link(page - 1)),
        next: (matching.len() > page * PAGE).then(|| link(page + 1)),
        list,
        shown,
        q,
        matching: matching.len(),
        entries,
        page,
        can_import,
    }))
}

#[derive(Debug)]
pub(crate) struct ChangeLine {
    pub id: String,
    pub before: String,
    pub after: String,
}

#[derive(Template)]
#[template(path = "list_diff.html")]
struct DiffPage {
    c: Chrome,
    list: String,
    from: i64,
    to: i64,
    numbers: Vec<i64>,
    /// Added, changed, removed: catalogue key, element id, entries.
    sections: Vec<(&'static str, &'static str, Vec<ChangeLine>)>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DiffQuery {
    from: Option<i64>,
    to: Option<i64>,
}

pub(crate) async fn diff(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Path(list): Path<String>,
    Query(q): Query<DiffQuery>,
) -> PageResult {
    if !valid_list_name(&list) {
        return Err(PageError::NotFound);
    }
    let rows = state.store.list_versions(Some(&list)).await?;
    let numbers: Vec<i64> = rows.iter().map(|r| r.number).collect();
    let latest = numbers.first().copied().ok_or(PageError::NotFound)?;
    let to = q.to.filter(|n| numbers.contains(n)).unwrap_or(latest);
    let from = q
        .from
        .filter(|n| numbers.contains(n) || *n == 0)
        .unwrap_or(to - 1)
        .max(0);
    let new = version(&state, &list, Some(to))
        .await?
        .ok_or(PageError::NotFound)?;
    // Version 0 is the empty list before the first import.
    let old = match from {
        0 => None,
        n => version(&state, &list, Some(n)).await?,
    }
    .unwrap_or_else(|| ListVersion {
        list: list.clone(),
        number: 0,
        source_sha256: String::new(),
        published: None,
        entries: Vec::new(),
    });
    let d = screening::diff(&old, &new);
    let by_id = |v: &ListVersion, id: &str| {
        v.entries
            .iter()
            .find(|e| e.id == id)
            .map(primary)
            .unwrap_or_default()
    };
    let lines = |ids: &[String]| -> Vec<ChangeLine> {
        ids.iter()
            .map(|id| ChangeLine {
                id: id.clone(),
                before: by_id(&old, id),
                after: by_id(&new, id),
            })
            .collect()
    };
    audited(
        &state,
        &who,
        "watchlist.diff_viewed",
        &format!("watchlist:{list}/{from}..{to}"),
    )
    .await?;
    let here = format!("/lists/{list}/diff?from={from}&to={to}");
    Ok(html(&DiffPage {
        c: Chrome::new(&who, "nav.lists", &here, false),
        sections: vec![
            ("lists.added", "added", lines(&d.added)),
            ("lists.changed", "changed", lines(&d.changed)),
            ("lists.removed", "removed", lines(&d.removed)),
        ],
        list,
        from,
        to,
        numbers,
    }))
}

#[derive(Template)]
#[template(path = "list_import.html")]
struct ImportResult {
    c: Chrome,
    list: String,
    report: Option<intake::watchlists::ImportReport>,
    error: Option<String>,
}

/// Imports an uploaded file (`multipart/form-data`: `file`, optional `format`) as the list's
/// next version. Answers a fragment for htmx to put under the form; a refusal is shown there
/// (with 200: htmx leaves error answers unswapped).
pub(crate) async fn import(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Path(list): Path<String>,
    mut form: Multipart,
) -> PageResult {
    let mut file: Vec<u8> = Vec::new();
    let mut format = String::new();
    let mut error = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or("").to_string();
                match field.bytes().await {
                    Ok(bytes) if name == "file" => file = bytes.to_vec(),
                    Ok(bytes) if name == "format" => {
                        format = String::from_utf8_lossy(&bytes).trim().to_string();
                    }
                    Ok(_) => {}
                    Err(e) => {
                        error = Some(e.body_text());
                        break;
                    }
                }
            }
            Ok(None) => break,
            Err(e) => {
                error = Some(e.body_text());
                break;
            }
        }
    }
    let outcome = match error {
        Some(e) => Err(e),
        None => import_list(
            &state,
            &who.principal.username,
            &list,
            Some(format.as_str()),
            &file,
        )
        .await
        .map_err(|e| e.message().to_string()),
    };
    let (report, error) = match outcome {
        Ok(r) => (Some(r), None),
        Err(e) => (None, Some(e)),
    };
    let here = format!("/lists/{list}");
    Ok(html(&ImportResult {
        c: Chrome::new(&who, "nav.lists", &here, false),
        list,
        report,
        error,
    }))
}
