//! The analyst console: server-rendered pages (askama templates, htmx for the few interactive
//! parts), every text from the message catalogue, every page behind the same route table and
//! role check as the JSON API. Opening personal data asks for a purpose first and writes an
//! audit record with it.

mod assets;
mod audit;
mod carriers;
mod chart;
mod criteria;
mod flights;
mod hits;
mod lists;
mod login;
mod messages;
mod retention;
mod search;
mod subjects;
mod targeting;
mod texts;
mod today;
mod traveller;
mod unmask;
mod users;

use accounts::Role;
use askama::Template;
use axum::http::{Method, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::access::{Access, Face, Route, Who, refusal_page, route};
use crate::roles::*;

pub use texts::{ENGLISH, Texts};

/// What every page shows around its content: who is signed in, the menu their roles open,
/// the CSRF token for forms, the purpose in force.
#[derive(Debug)]
pub(crate) struct Chrome {
    pub t: &'static Texts,
    pub csrf: String,
    pub display_name: String,
    pub agency: String,
    pub nav: Vec<NavItem>,
    /// The catalogue key of the menu entry this page belongs to.
    pub active: &'static str,
    pub purpose: Option<String>,
    /// Whether the page holds personal data (the purpose bar is shown).
    pub personal: bool,
    /// This page's path and query, to come back to after stating a purpose.
    pub here: String,
}

#[derive(Debug)]
pub(crate) struct NavItem {
    pub key: &'static str,
    pub href: &'static str,
}

/// The menu: an entry is shown only to the roles its pages admit.
const MENU: [(&str, &str, &[Role]); 14] = [
    ("nav.today", "/", ANYONE),
    ("nav.flights", "/flights", QUALITY),
    ("nav.search", "/travellers", PERSONAL),
    ("nav.hits", "/hits", PERSONAL),
    ("nav.targeting", "/targeting", PERSONAL),
    ("nav.lists", "/lists", LISTS_READ),
    ("nav.criteria", "/criteria", CRITERIA_READ),
    ("nav.messages", "/messages", QUALITY),
    ("nav.carriers", "/carriers", QUALITY),
    ("nav.audit", "/audit", AUDIT),
    ("nav.retention", "/retention", RETENTION),
    ("nav.unmask", "/unmask", UNMASK_READ),
    ("nav.subjects", "/data-subjects", SUBJECTS),
    ("nav.users", "/users", USERS),
];

/// Every role (the menu's "Today" entry).
const ANYONE: &[Role] = &Role::ALL;

impl Chrome {
    pub fn new(who: &Who, active: &'static str, here: &str, personal: bool) -> Chrome {
        let p = &who.principal;
        Chrome {
            t: &ENGLISH,
            csrf: p.csrf.clone().unwrap_or_default(),
            display_name: p.display_name.clone(),
            agency: p.agency.clone(),
            nav: MENU
                .iter()
                .filter(|(_, _, roles)| p.has_any(roles))
                .map(|(key, href, _)| NavItem { key, href })
                .collect(),
            active,
            purpose: who.purpose.clone(),
            personal,
            here: here.to_string(),
        }
    }
}

/// A rendered page, or a plain 500 when a template fails (it never carries data).
pub(crate) fn html<T: Template>(page: &T) -> Response {
    match page.render() {
        Ok(body) => Html(body).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                "the page could not be drawn",
            )
                .into_response()
        }
    }
}

/// A page could not be made: the store failed, or what was asked for is not there.
#[derive(Debug)]
pub(crate) enum PageError {
    Store,
    NotFound,
    /// A form that asks for what cannot be done: the text key saying why.
    Refused(&'static str),
}

impl From<store::StoreError> for PageError {
    fn from(e: store::StoreError) -> PageError {
        tracing::error!(error = %e, "store");
        PageError::Store
    }
}

/// A stored booking or explanation that does not read is the store's failure: the page says
/// so (the error names no values) rather than showing blank cells.
impl From<pnrgov::stored::StoredError> for PageError {
    fn from(e: pnrgov::stored::StoredError) -> PageError {
        tracing::error!(error = %e, "stored data");
        PageError::Store
    }
}

/// A message's findings as stored (`edifact::Finding` as JSON), read through their type; null
/// until the message is read. Findings that do not read are the store's failure.
pub(crate) fn stored_findings(v: &serde_json::Value) -> Result<Vec<edifact::Finding>, PageError> {
    use serde::Deserialize;
    if v.is_null() {
        return Ok(Vec::new());
    }
    Vec::<edifact::Finding>::deserialize(v).map_err(|e| {
        // The position only: a wrong value would be quoted.
        tracing::error!(
            line = e.line(),
            column = e.column(),
            "stored findings do not read"
        );
        PageError::Store
    })
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        match self {
            PageError::Store => {
                refusal_page(StatusCode::SERVICE_UNAVAILABLE, ENGLISH.get("error.store"))
            }
            PageError::NotFound => {
                refusal_page(StatusCode::NOT_FOUND, ENGLISH.get("error.not_found"))
            }
            PageError::Refused(key) => refusal_page(StatusCode::BAD_REQUEST, ENGLISH.get(key)),
        }
    }
}

pub(crate) type PageResult = Result<Response, PageError>;

/// Personal data needs a stated purpose: without one, the person is sent to state it first.
pub(crate) fn purpose_first(who: &Who, here: &str) -> Option<Response> {
    who.purpose.is_none().then(|| {
        Redirect::to(&format!("/purpose?next={}", crate::access::urlencode(here))).into_response()
    })
}

/// Records a person's read of personal data, with their purpose.
pub(crate) async fn audited(
    state: &crate::State,
    who: &Who,
    action: &str,
    subject: &str,
) -> Result<(), PageError> {
    Ok(who.audit_read(&state.store, action, subject).await?)
}

/// A JSON value as one line of text: strings as they are, objects as their values joined.
pub(crate) fn flat(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) => n.to_string(),
        serde_json::Value::Bool(b) => b.to_string(),
        serde_json::Value::Array(a) => a
            .iter()
            .map(flat)
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" "),
        serde_json::Value::Object(o) => o
            .iter()
            .filter(|(k, _)| k.as_str() != "segment")
            .map(|(_, v)| flat(v))
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
        serde_json::Value::Null => String::new(),
    }
}

/// A disposition as a review form sends it.
pub(crate) fn disposition(form_value: &str) -> Option<store::Disposition> {
    match form_value {
        "confirmed" => Some(store::Disposition::Confirmed),
        "false_alarm" => Some(store::Disposition::FalseAlarm),
        "needs_information" => Some(store::Disposition::NeedsInformation),
        _ => None,
    }
}

/// `?done=1` after a review: the page says it was recorded.
#[derive(Debug, serde::Deserialize)]
pub(crate) struct DoneQuery {
    pub done: Option<String>,
}

/// The pages, with who may open each.
pub(crate) fn routes() -> Vec<Route> {
    use axum::routing::{get, post};
    let page =
        |method: Method, path, access, handler| route(method, path, access, Face::Page, handler);
    vec![
        page(Method::GET, "/login", Access::Public, get(login::form)),
        page(Method::POST, "/login", Access::Public, post(login::submit)),
        page(
            Method::POST,
            "/logout",
            Access::SignedIn,
            post(login::sign_out),
        ),
        page(
            Method::GET,
            "/purpose",
            Access::Roles(PURPOSE),
            get(login::purpose_form),
        ),
        page(
            Method::POST,
            "/purpose",
            Access::Roles(PURPOSE),
            post(login::purpose_submit),
        ),
        page(
            Method::GET,
            "/assets/{file}",
            Access::Public,
            get(assets::file),
        ),
        page(Method::GET, "/", Access::SignedIn, get(today::page)),
        page(
            Method::GET,
            "/travellers",
            Access::Roles(PERSONAL),
            get(search::page),
        ),
        page(
            Method::GET,
            "/targeting",
            Access::Roles(PERSONAL),
            get(targeting::queue),
        ),
        page(
            Method::GET,
            "/targeting/{id}",
            Access::Roles(PERSONAL),
            get(targeting::hit),
        ),
        page(
            Method::POST,
            "/targeting/{id}/review",
            Access::Roles(PERSONAL),
            post(targeting::review),
        ),
        page(
            Method::GET,
            "/flights",
            Access::Roles(QUALITY),
            get(flights::list),
        ),
        page(
            Method::GET,
            "/flights/{flight}/{route}/{date}",
            Access::Roles(PERSONAL),
            get(flights::flight),
        ),
        page(
            Method::GET,
            "/travellers/{id}",
            Access::Roles(PERSONAL),
            get(traveller::page),
        ),
        page(
            Method::GET,
            "/hits",
            Access::Roles(PERSONAL),
            get(hits::queue),
        ),
        page(
            Method::GET,
            "/hits/{id}",
            Access::Roles(PERSONAL),
            get(hits::hit),
        ),
        page(
            Method::POST,
            "/hits/{id}/review",
            Access::Roles(PERSONAL),
            post(hits::review),
        ),
        page(
            Method::GET,
            "/audit",
            Access::Roles(AUDIT),
            get(audit::page),
        ),
        page(
            Method::GET,
            "/retention",
            Access::Roles(RETENTION),
            get(retention::page),
        ),
        page(
            Method::POST,
            "/retention/holds",
            Access::Roles(HOLDS),
            post(retention::place),
        ),
        page(
            Method::POST,
            "/retention/holds/{id}/release",
            Access::Roles(HOLDS),
            post(retention::release),
        ),
        page(
            Method::POST,
            "/travellers/{id}/unmask",
            Access::Roles(UNMASK_REQUEST),
            post(unmask::file),
        ),
        page(
            Method::GET,
            "/data-subjects",
            Access::Roles(SUBJECTS),
            get(subjects::page),
        ),
        page(
            Method::POST,
            "/data-subjects/erase",
            Access::Roles(SUBJECTS),
            post(subjects::erase),
        ),
        page(
            Method::GET,
            "/unmask",
            Access::Roles(UNMASK_READ),
            get(unmask::list),
        ),
        page(
            Method::GET,
            "/unmask/{id}",
            Access::Roles(UNMASK_READ),
            get(unmask::page),
        ),
        page(
            Method::POST,
            "/unmask/{id}/decide",
            Access::Roles(UNMASK_DECIDE),
            post(unmask::decide),
        ),
        page(
            Method::POST,
            "/unmask/{id}/reviewed",
            Access::Roles(UNMASK_REVIEW),
            post(unmask::review),
        ),
        page(
            Method::GET,
            "/lists",
            Access::Roles(LISTS_READ),
            get(lists::lists),
        ),
        page(
            Method::GET,
            "/lists/{list}",
            Access::Roles(LISTS_READ),
            get(lists::list),
        ),
        page(
            Method::GET,
            "/lists/{list}/diff",
            Access::Roles(LISTS_READ),
            get(lists::diff),
        ),
        page(
            Method::POST,
            "/lists/{list}/import",
            Access::Roles(LISTS_WRITE),
            post(lists::import),
        ),
        page(
            Method::POST,
            "/lists/{list}/owner",
            Access::Roles(LISTS_WRITE),
            post(lists::set_owner),
        ),
        page(
            Method::GET,
            "/criteria",
            Access::Roles(CRITERIA_READ),
            get(criteria::list),
        ),
        page(
            Method::POST,
            "/criteria",
            Access::Roles(CRITERIA_WRITE),
            post(criteria::create),
        ),
        page(
            Method::GET,
            "/criteria/new",
            Access::Roles(CRITERIA_WRITE),
            get(criteria::new_form),
        ),
        page(
            Method::POST,
            "/criteria/check",
            Access::Roles(CRITERIA_WRITE),
            post(criteria::live_check),
        ),
        page(
            Method::POST,
            "/criteria/backtest",
            Access::Roles(CRITERIA_WRITE),
            post(criteria::backtest),
        ),
        page(
            Method::GET,
            "/criteria/{id}",
            Access::Roles(CRITERIA_READ),
            get(criteria::version),
        ),
        page(
            Method::POST,
            "/criteria/{id}/{action}",
            Access::Roles(CRITERIA_WRITE),
            post(criteria::act),
        ),
        page(
            Method::GET,
            "/messages",
            Access::Roles(QUALITY),
            get(messages::list),
        ),
        page(
            Method::GET,
            "/messages/{id}",
            Access::Roles(QUALITY),
            get(messages::message),
        ),
        page(
            Method::GET,
            "/messages/{id}/raw",
            Access::Roles(PERSONAL),
            get(messages::raw),
        ),
        page(
            Method::GET,
            "/carriers",
            Access::Roles(QUALITY),
            get(carriers::list),
        ),
        page(
            Method::GET,
            "/carriers/{code}",
            Access::Roles(QUALITY),
            get(carriers::carrier),
        ),
        page(
            Method::GET,
            "/users",
            Access::Roles(USERS),
            get(users::list),
        ),
        page(
            Method::POST,
            "/users",
            Access::Roles(USERS),
            post(users::add),
        ),
        page(
            Method::POST,
            "/users/{username}/roles",
            Access::Roles(USERS),
            post(users::set_roles),
        ),
        page(
            Method::POST,
            "/users/{username}/disable",
            Access::Roles(USERS),
            post(users::disable),
        ),
        page(
            Method::POST,
            "/users/{username}/enable",
            Access::Roles(USERS),
            post(users::enable),
        ),
        page(
            Method::POST,
            "/users/{username}/password",
            Access::Roles(USERS),
            post(users::password),
        ),
        page(
            Method::POST,
            "/users/{username}/tokens/{id}/revoke",
            Access::Roles(USERS),
            post(users::revoke_token),
        ),
    ]
}
