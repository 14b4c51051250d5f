//! Sign-in, sign-out, and stating a purpose. The sign-in form carries a token tied to a
//! short-lived cookie (no session exists yet to hold a CSRF token); a session cookie is
//! HttpOnly, Secure and SameSite=Strict. A refused sign-in says the same whatever the reason
//! (unknown user, wrong password, locked or disabled account); only too many attempts from one
//! address are told apart, with the seconds to wait.

use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::{ConnectInfo, Query, State as Shared};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use store::AuditEntry;

use super::{Chrome, ENGLISH, PageError, PageResult, Texts, html};
use crate::State;
use crate::access::{
    PURPOSE_COOKIE, SESSION_COOKIE, Who, console_cookie, cookie, principal, urlencode,
};
use axum_extra::extract::cookie::{Cookie, CookieJar};

const LOGIN_COOKIE: &str = "passage_login";

#[derive(Template)]
#[template(path = "login.html")]
struct LoginPage<'a> {
    t: &'static Texts,
    token: &'a str,
    next: &'a str,
    username: &'a str,
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct NextQuery {
    next: Option<String>,
}

/// Only a path of this site, else the start page: one `/` then not `/` or `\\` (`//host` and
/// `/\\host` leave the site), and nothing but visible ASCII (browsers drop tabs and line
/// breaks, so `/%09/host` is `//host`; a line break cannot be put in a header).
pub(crate) fn local(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.contains('\\')
                && n.bytes().all(|b| b.is_ascii_graphic()) =>
        {
            n
        }
        _ => "/",
    }
}

fn login_page(next: &str, username: &str, error: Option<String>, status: StatusCode) -> Response {
    let token = match accounts::random_token() {
        Ok(t) => t,
        Err(e) => {
            tracing::error!(error = %e, "random");
            return StatusCode::SERVICE_UNAVAILABLE.into_response();
        }
    };
    let page = html(&LoginPage {
        t: &ENGLISH,
        token: &token,
        next,
        username,
        error,
    });
    let jar = CookieJar::new().add(console_cookie(LOGIN_COOKIE, token, Some(600)));
    (status, jar, page).into_response()
}

pub(crate) async fn form(
    Shared(state): Shared<Arc<State>>,
    headers: HeaderMap,
    Query(q): Query<NextQuery>,
) -> Response {
    if let Ok(Some(_)) = principal(&state, &headers).await {
        return Redirect::to(local(q.next.as_deref())).into_response();
    }
    login_page(local(q.next.as_deref()), "", None, StatusCode::OK)
}

#[derive(Debug, Deserialize)]
pub(crate) struct LoginForm {
    username: String,
    password: String,
    token: String,
    next: Option<String>,
}

/// The address a request came from, when the server was started with it (`passage serve`
/// always is); without one, every attempt shares one limit.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Peer(pub accounts::Source);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        _: &S,
    ) -> Result<Peer, Self::Rejection> {
        Ok(Peer(
            parts
                .extensions
                .get::<ConnectInfo<std::net::SocketAddr>>()
                .map_or(accounts::Source::Unknown, |c| {
                    accounts::Source::Address(c.0.ip())
                }),
        ))
    }
}

pub(crate) async fn submit(
    Shared(state): Shared<Arc<State>>,
    Peer(source): Peer,
    headers: HeaderMap,
    Form(f): Form<LoginForm>,
) -> Response {
    let next = local(f.next.as_deref());
    // No cookie is a stale form, as a wrong one is.
    let expected = cookie(&headers, LOGIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || !accounts::same(&expected, &f.token) {
        return login_page(
            next,
            &f.username,
            Some(ENGLISH.get("login.stale").into()),
            StatusCode::FORBIDDEN,
        );
    }
    let outcome = state
        .accounts
        .sign_in(
            f.username.trim(),
            &f.password,
            source,
            jiff::Timestamp::now(),
        )
        .await;
    match outcome {
        Ok(Ok(signed)) => redirect_setting(
            next,
            [
                console_cookie(SESSION_COOKIE, signed.cookie, None),
                removal(LOGIN_COOKIE),
            ],
        ),
        Ok(Err(accounts::Refusal::WrongCredentials)) => login_page(
            next,
            &f.username,
            Some(ENGLISH.get("login.wrong").into()),
            StatusCode::UNAUTHORIZED,
        ),
        Ok(Err(accounts::Refusal::RateLimited { retry_after })) => {
            let mut page = login_page(
                next,
                &f.username,
                Some(
                    ENGLISH
                        .get("login.too_many")
                        .replace("{s}", &retry_after.to_string()),
                ),
                StatusCode::TOO_MANY_REQUESTS,
            );
            if let Ok(v) = retry_after.to_string().parse() {
                page.headers_mut().insert(header::RETRY_AFTER, v);
            }
            page
        }
        Err(e) => {
            tracing::error!(error = %e, "sign-in");
            PageError::Store.into_response()
        }
    }
}

pub(crate) async fn sign_out(Shared(state): Shared<Arc<State>>, headers: HeaderMap) -> Response {
    if let Some(c) = cookie(&headers, SESSION_COOKIE)
        && let Err(e) = state.accounts.sign_out(&c).await
    {
        tracing::error!(error = %e, "sign-out");
    }
    redirect_setting("/login", [removal(SESSION_COOKIE), removal(PURPOSE_COOKIE)])
}

/// A redirect that sets (or clears) cookies.
fn redirect_setting<const N: usize>(to: &str, cookies: [Cookie<'static>; N]) -> Response {
    let jar = cookies.into_iter().fold(CookieJar::new(), CookieJar::add);
    (jar, Redirect::to(to)).into_response()
}

/// Clears a cookie in the browser: empty, expired, with the attributes it was set with.
fn removal(name: &'static str) -> Cookie<'static> {
    let mut c = console_cookie(name, String::new(), Some(0));
    c.make_removal();
    c
}

#[derive(Template)]
#[template(path = "purpose.html")]
struct PurposePage<'a> {
    c: Chrome,
    next: &'a str,
}

pub(crate) async fn purpose_form(who: Who, Query(q): Query<NextQuery>) -> Response {
    let next = local(q.next.as_deref());
    html(&PurposePage {
        c: Chrome::new(&who, "nav.today", next, false),
        next,
    })
}

#[derive(Debug, Deserialize)]
pub(crate) struct PurposeForm {
    purpose: String,
    next: Option<String>,
}

pub(crate) async fn purpose_submit(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Form(f): Form<PurposeForm>,
) -> PageResult {
    let next = local(f.next.as_deref()).to_string();
    let purpose: String = f.purpose.trim().chars().take(200).collect();
    if purpose.is_empty() {
        return Ok(Redirect::to(&format!("/purpose?next={}", urlencode(&next))).into_response());
    }
    state
        .store
        .audit(&AuditEntry {
            actor: &who.principal.username,
            action: "purpose.stated",
            subject: &format!("user:{}", who.principal.username),
            purpose: Some(&purpose),
            detail: "",
        })
        .await?;
    Ok(redirect_setting(
        &next,
        [console_cookie(PURPOSE_COOKIE, purpose, None)],
    ))
}

#[cfg(test)]
mod tests {
    use super::local;

    #[test]
    fn only_a_path_of_this_site_is_followed_after_sign_in() {
        for kept in ["/", "/flights?date=2026-12-01", "/hits/7", "/a%2F%2Fb"] {
            assert_eq!(local(Some(kept)), kept);
        }
        for refused in [
            "//evil.example",
            "/\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/ok\r\nSet-Cookie: x=1",
            "/ spaced",
            "/caf\u{e9}",
            "https://evil.example/",
            "evil.example",
            "",
        ] {
            assert_eq!(local(Some(refused)), "/", "{refused:?}");
        }
        assert_eq!(local(None), "/");
    }
}
