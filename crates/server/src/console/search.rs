//! Searching persons across all flights kept, by surname or document number (narrowed by
//! given names and date of birth): what an analyst does for a reasoned request. A search asks
//! for a purpose and is audited with what was searched, so the officer can see it.

use std::sync::Arc;

use askama::Template;
use axum::extract::{Query, State as Shared};
use serde::Deserialize;
use store::{FoundPerson, PersonSearch};

use super::today::flight_href;
use super::{Chrome, PageResult, html, purpose_first};
use crate::State;
use crate::access::{Who, urlencode};

#[derive(Debug, Default, Deserialize)]
pub(crate) struct SearchForm {
    surname: Option<String>,
    given: Option<String>,
    dob: Option<String>,
    document: Option<String>,
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    c: Chrome,
    surname: String,
    given: String,
    dob: String,
    document: String,
    searched: bool,
    found: Vec<(String, FoundPerson)>,
}

fn given(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

pub(crate) async fn page(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Query(f): Query<SearchForm>,
) -> PageResult {
    let query = PersonSearch {
        surname: given(&f.surname),
        given: given(&f.given),
        date_of_birth: given(&f.dob).filter(|d| d.parse::<jiff::civil::Date>().is_ok()),
        document: given(&f.document),
        limit: 200,
    };
    let searched = query.surname.is_some() || query.document.is_some();
    let here = format!(
        "/travellers?surname={}&given={}&dob={}&document={}",
        urlencode(query.surname.unwrap_or("")),
        urlencode(query.given.unwrap_or("")),
        urlencode(query.date_of_birth.unwrap_or("")),
        urlencode(query.document.unwrap_or(""))
    );
    if searched && let Some(redirect) = purpose_first(&who, &here) {
        return Ok(redirect);
    }
    let store = &state.store;
    let mut found = Vec::new();
    if searched {
        // The audit keeps what was searched: the officer must be able to see it.
        store
            .audit(&store::AuditEntry {
                actor: &who.principal.username,
                action: "travellers.searched",
                subject: "search",
                purpose: who.purpose.as_deref(),
                detail: &format!(
                    "surname={} given={} dob={} document={}",
                    query.surname.unwrap_or(""),
                    query.given.unwrap_or(""),
                    query.date_of_birth.unwrap_or(""),
                    query.document.unwrap_or("")
                ),
            })
            .await?;
        found = store
            .search_persons(&query)
            .await?
            .into_iter()
            .map(|p| (flight_href(&p.flight), p))
            .collect();
    }
    Ok(html(&SearchPage {
        c: Chrome::new(&who, "nav.search", &here, true),
        surname: query.surname.unwrap_or("").to_string(),
        given: query.given.unwrap_or("").to_string(),
        dob: query.date_of_birth.unwrap_or("").to_string(),
        document: query.document.unwrap_or("").to_string(),
        searched,
        found,
    }))
}
