//! Who may call what. Every route is declared once in a table with the roles it admits; the
//! router is built from that table and nothing else, so a route cannot be added without saying
//! who may use it (and the authorization test walks the same table).
//!
//! A person is known by a session cookie (with a CSRF token for every unsafe request), a
//! machine client by a bearer token. Pages answer a missing session with a redirect to the
//! sign-in page, the JSON API with 401; a wrong role gets 403 either way.

use std::sync::Arc;

use accounts::{Principal, Role, same};
use axum::Json;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State as Shared};
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::MethodRouter;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};

use crate::State;

/// The cookie holding the session token.
pub const SESSION_COOKIE: &str = "passage_session";
/// Largest form body read to find its CSRF field.
const FORM_LIMIT: usize = 1024 * 1024;

/// Who may use a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Anyone: health, the sign-in page, static assets, the OpenAPI document.
    Public,
    /// A carrier, by its own credential (checked by the intake handler).
    Carrier,
    /// A signed-in person or token holding one of these roles.
    Roles(&'static [Role]),
    /// Anyone signed in.
    SignedIn,
}

/// Whether a route answers people in a browser (HTML) or programs (JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Face {
    Page,
    Api,
}

/// One row of the route table, as the authorization test sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteInfo {
    pub method: Method,
    pub path: &'static str,
    pub access: Access,
    pub face: Face,
    /// An API route that opens personal data: refused without a stated purpose
    /// (`X-Passage-Purpose`), as the console's pages ask for one first.
    pub purpose: bool,
}

/// A route with its handler.
pub(crate) struct Route {
    pub info: RouteInfo,
    pub handler: MethodRouter<Arc<State>>,
}

impl std::fmt::Debug for Route {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.info.fmt(f)
    }
}

pub(crate) fn route(
    method: Method,
    path: &'static str,
    access: Access,
    face: Face,
    handler: MethodRouter<Arc<State>>,
) -> Route {
    // Every API route for the personal-data roles opens travellers' data.
    let purpose = face == Face::Api && access == Access::Roles(crate::roles::PERSONAL);
    Route {
        info: RouteInfo {
            method,
            path,
            access,
            face,
            purpose,
        },
        handler,
    }
}

impl Route {
    /// Marks a route of other roles that opens personal data too (a back-test's sample).
    pub(crate) fn with_purpose(mut self) -> Route {
        self.info.purpose = true;
        self
    }
}

/// Wraps a route's handler with its access check; an API route's refusals by the framework
/// (a body or parameter that does not read) answer in the API's error form.
pub(crate) fn guarded(state: &Arc<State>, r: Route) -> MethodRouter<Arc<State>> {
    let handler = match r.info.face {
        Face::Api => r.handler.layer(middleware::map_response(json_errors)),
        Face::Page => r.handler,
    };
    match r.info.access {
        Access::Public | Access::Carrier => handler,
        Access::Roles(_) | Access::SignedIn => handler.route_layer(middleware::from_fn_with_state(
            (state.clone(), r.info.access, r.info.face, r.info.purpose),
            guard,
        )),
    }
}

/// Largest framework refusal text carried into a JSON error.
const REJECTION_LIMIT: usize = 4096;

/// Turns an error answer that is not JSON (axum's rejections of a body, a query or a path
/// parameter, in plain text) into `{error: {code, message}}`, the code named by the status.
async fn json_errors(response: Response) -> Response {
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let message = match to_bytes(body, REJECTION_LIMIT).await {
        Ok(b) if !b.is_empty() => String::from_utf8_lossy(&b).into_owned(),
        _ => status.canonical_reason().unwrap_or("refused").to_string(),
    };
    let code = match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "body_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "body_not_understood",
        _ if status.is_server_error() => "server_error",
        _ => "refused",
    };
    let mut answer = refuse(Face::Api, status, code, &message);
    for (name, value) in parts.headers.iter() {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            answer.headers_mut().append(name, value.clone());
        }
    }
    answer
}

/// The value of a cookie in the request (percent-decoded, as `axum-extra`'s jar reads it).
pub(crate) fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    CookieJar::from_headers(headers)
        .get(name)
        .map(|c| c.value().to_string())
}

/// A cookie of the console as every one is set: the whole site (`Path=/`), never read by
/// scripts (`HttpOnly`), only over TLS (`Secure`), never sent from another site
/// (`SameSite=Strict`); `max_age` seconds when given, else for the browser's session. Its
/// value is percent-encoded when set and decoded when read.
pub(crate) fn console_cookie(
    name: &'static str,
    value: String,
    max_age: Option<i64>,
) -> Cookie<'static> {
    let mut c = Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .secure(true)
        .same_site(SameSite::Strict)
        .build();
    if let Some(s) = max_age {
        c.set_max_age(time::Duration::seconds(s));
    }
    c
}

fn bearer(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}

/// The principal of a request, from its bearer token or session cookie.
pub(crate) async fn principal(
    state: &State,
    headers: &HeaderMap,
) -> Result<Option<Principal>, accounts::AccountsError> {
    if let Some(token) = bearer(headers) {
        return state.accounts.bearer(token).await;
    }
    match cookie(headers, SESSION_COOKIE) {
        Some(c) => state.accounts.session(&c, jiff::Timestamp::now()).await,
        None => Ok(None),
    }
}

fn refuse(face: Face, status: StatusCode, code: &'static str, message: &str) -> Response {
    match face {
        Face::Api => (
            status,
            Json(crate::wire::ErrorBody {
                error: crate::wire::ErrorDetail {
                    code: code.into(),
                    message: message.into(),
                },
            }),
        )
            .into_response(),
        Face::Page => refusal_page(status, message),
    }
}

/// A short page for a refusal or an error: the status, one sentence, a way back.
pub(crate) fn refusal_page(status: StatusCode, text: &str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        format!(
            "<!doctype html><html lang=\"en\"><meta charset=\"utf-8\"><title>{status}</title>\
             <link rel=\"stylesheet\" href=\"/assets/console.css\"><main class=\"refusal\">\
             <h1>{}</h1><p>{text}</p><p><a href=\"/\">Today</a></p></main></html>",
            status.canonical_reason().unwrap_or("Refused")
        ),
    )
        .into_response()
}

async fn guard(
    Shared((state, access, face, needs_purpose)): Shared<(Arc<State>, Access, Face, bool)>,
    request: Request,
    next: Next,
) -> Response {
    let who = match principal(&state, request.headers()).await {
        Ok(p) => p,
        Err(e) => {
            tracing::error!(error = %e, "accounts");
            return refuse(
                face,
                StatusCode::SERVICE_UNAVAILABLE,
                "store_unavailable",
                "sign-in could not be checked; try again",
            );
        }
    };
    let Some(who) = who else {
        return match face {
            Face::Page => {
                let next = request
                    .uri()
                    .path_and_query()
                    .map(|p| p.as_str())
                    .unwrap_or("/");
                Redirect::to(&format!("/login?next={}", urlencode(next))).into_response()
            }
            Face::Api => refuse(
                face,
                StatusCode::UNAUTHORIZED,
                "sign_in_required",
                "a session or a bearer token is required",
            ),
        };
    };
    if let Access::Roles(roles) = access
        && !who.has_any(roles)
    {
        let names: Vec<&str> = roles.iter().map(|r| r.as_str()).collect();
        return refuse(
            face,
            StatusCode::FORBIDDEN,
            "role_required",
            &format!("this needs one of the roles: {}", names.join(", ")),
        );
    }
    if needs_purpose && stated_purpose(request.headers()).is_none() {
        return refuse(
            face,
            StatusCode::BAD_REQUEST,
            "purpose_required",
            "this opens personal data: state the purpose or case reference in the X-Passage-Purpose header",
        );
    }
    let unsafe_method = !matches!(*request.method(), Method::GET | Method::HEAD);
    let request = match (&who.csrf, unsafe_method) {
        (Some(expected), true) => match csrf_checked(request, expected, face).await {
            Ok(r) => r,
            Err(response) => return response,
        },
        _ => request,
    };
    let mut request = request;
    request.extensions_mut().insert(who);
    next.run(request).await
}

/// Lets an unsafe request through when it carries the session's CSRF token, in the
/// `X-CSRF-Token` header (htmx, scripts) or in a form's `csrf` field.
async fn csrf_checked(request: Request, expected: &str, face: Face) -> Result<Request, Response> {
    let forged = || {
        refuse(
            face,
            StatusCode::FORBIDDEN,
            "csrf_token_invalid",
            "the form is stale or did not come from this console; reload the page",
        )
    };
    if let Some(v) = request
        .headers()
        .get("x-csrf-token")
        .and_then(|v| v.to_str().ok())
    {
        return if same(v, expected) {
            Ok(request)
        } else {
            Err(forged())
        };
    }
    let is_form = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
    if !is_form {
        return Err(forged());
    }
    let (parts, body) = request.into_parts();
    let bytes = to_bytes(body, FORM_LIMIT).await.map_err(|_| {
        refuse(
            face,
            StatusCode::PAYLOAD_TOO_LARGE,
            "form_too_large",
            "the form is too large",
        )
    })?;
    let token = form_field(&bytes, "csrf");
    if token.as_deref().is_some_and(|t| same(t, expected)) {
        Ok(Request::from_parts(parts, Body::from(bytes)))
    } else {
        Err(forged())
    }
}

/// One field of a URL-encoded form (`form_urlencoded`: `+` is a space, `%XX` a byte).
pub(crate) fn form_field(body: &[u8], name: &str) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

/// Percent-encodes everything but unreserved characters and `/`.
pub(crate) fn urlencode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~/".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_fields_are_decoded() {
        let body = b"a=1&csrf=ab%2Bc+d&next=%2Fflights%3Fq%3D1";
        assert_eq!(form_field(body, "csrf").as_deref(), Some("ab+c d"));
        assert_eq!(form_field(body, "next").as_deref(), Some("/flights?q=1"));
        assert_eq!(form_field(body, "none"), None);
        assert_eq!(form_field(b"x=%zz%4", "x").as_deref(), Some("%zz%4"));
        assert_eq!(form_field(b"csrf=a&csrf=b", "csrf").as_deref(), Some("a"));
    }

    #[test]
    fn cookies_are_found_among_others() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            "a=1; passage_session=xyz; b=2".parse().unwrap(),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("xyz"));
        assert_eq!(cookie(&h, "c"), None);
        assert_eq!(urlencode("/flights?q=a b"), "/flights%3Fq%3Da%20b");
    }

    #[test]
    fn the_purpose_cookie_reads_back_what_was_set() {
        let set = console_cookie(PURPOSE_COOKIE, "Case 42; a/b \"x\"".into(), None);
        let encoded = set.encoded().to_string();
        let pair = encoded.split("; ").next().unwrap();
        assert!(!pair.contains(' ') && !pair.contains(';'), "{pair}");
        let mut h = HeaderMap::new();
        h.insert(header::COOKIE, format!("a=1; {pair}").parse().unwrap());
        assert_eq!(stated_purpose(&h).as_deref(), Some("Case 42; a/b \"x\""));
        // The header wins over the cookie; blank is no purpose.
        h.insert("x-passage-purpose", " case 7 ".parse().unwrap());
        assert_eq!(stated_purpose(&h).as_deref(), Some("case 7"));
        h.insert("x-passage-purpose", "  ".parse().unwrap());
        assert_eq!(stated_purpose(&h), None);
    }
}

/// The person (or token holder) behind a guarded request, and the purpose or case reference
/// they gave (`X-Passage-Purpose`, or the console's purpose cookie).
#[derive(Debug, Clone)]
pub(crate) struct Who {
    pub principal: Principal,
    pub purpose: Option<String>,
}

/// The cookie holding the purpose an analyst stated for their current work.
pub const PURPOSE_COOKIE: &str = "passage_purpose";

/// The purpose or case reference of a request: the `X-Passage-Purpose` header, else the
/// console's purpose cookie; at most 200 characters, never blank.
fn stated_purpose(headers: &HeaderMap) -> Option<String> {
    headers
        .get("x-passage-purpose")
        .and_then(|v| v.to_str().ok())
        .map(String::from)
        .or_else(|| cookie(headers, PURPOSE_COOKIE))
        .map(|p| p.trim().chars().take(200).collect::<String>())
        .filter(|p| !p.is_empty())
}

impl Who {
    /// Writes the audit record of this person's read of personal data, with their purpose.
    pub(crate) async fn audit_read(
        &self,
        store: &store::Store,
        action: &str,
        subject: &str,
    ) -> Result<(), store::StoreError> {
        store
            .audit(&store::AuditEntry {
                actor: &self.principal.username,
                action,
                subject,
                purpose: self.purpose.as_deref(),
                detail: "",
            })
            .await?;
        Ok(())
    }
}

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Who {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Who, Response> {
        let principal = parts
            .extensions
            .get::<Principal>()
            .cloned()
            .ok_or_else(|| {
                refuse(
                    Face::Api,
                    StatusCode::UNAUTHORIZED,
                    "sign_in_required",
                    "a session or a bearer token is required",
                )
            })?;
        let purpose = stated_purpose(&parts.headers);
        Ok(Who { principal, purpose })
    }
}
