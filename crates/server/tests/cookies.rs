//! The console's cookies keep their attributes through `axum-extra`'s jar: every one is
//! HttpOnly, Secure, SameSite=Strict, Path=/; the sign-in form's lives ten minutes; sign-out
//! clears the session and the purpose.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeSet;

use server::{Credentials, Limits};

/// A Set-Cookie header: name, value, and its attributes (lowercase, sorted).
fn parsed(header: &str) -> (String, String, BTreeSet<String>) {
    let mut parts = header.split("; ");
    let (name, value) = parts.next().unwrap().split_once('=').unwrap();
    let attributes = parts
        .filter(|a| !a.starts_with("Expires="))
        .map(str::to_ascii_lowercase)
        .collect();
    (name.to_string(), value.to_string(), attributes)
}

fn cookie_named(a: &common::Answer, name: &str) -> (String, BTreeSet<String>) {
    let found: Vec<_> = a
        .all("set-cookie")
        .into_iter()
        .map(parsed)
        .filter(|(n, _, _)| n == name)
        .collect();
    assert_eq!(found.len(), 1, "{name} in {:?}", a.headers);
    let (_, v, attrs) = found.into_iter().next().unwrap();
    (v, attrs)
}

fn expected(extra: &[&str]) -> BTreeSet<String> {
    ["httponly", "secure", "samesite=strict", "path=/"]
        .iter()
        .chain(extra)
        .map(|s| s.to_string())
        .collect()
}

#[test]
fn console_cookies_keep_their_attributes() {
    let s = common::start(Limits::default(), Credentials::open());
    let form = s.get_with("/login", &[]);
    assert_eq!(form.status, 200);
    let (token, attrs) = cookie_named(&form, "passage_login");
    assert_eq!(attrs, expected(&["max-age=600"]));
    assert!(form.body.contains(&token));

    let body = format!(
        "username=lead&password={}&token={token}&next=%2Fhits",
        common::PASSWORD.replace(' ', "+")
    );
    let login_cookie = format!("passage_login={token}");
    let signed = s.post_with(
        "/login",
        &[
            ("cookie", login_cookie.as_str()),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        body.as_bytes(),
    );
    assert_eq!(signed.status, 303, "{}", signed.body);
    assert_eq!(signed.header("location"), Some("/hits"));
    let (session, attrs) = cookie_named(&signed, "passage_session");
    assert_eq!(
        attrs,
        expected(&[]),
        "a session cookie lives with the browser"
    );
    let (cleared, attrs) = cookie_named(&signed, "passage_login");
    assert_eq!((cleared.as_str(), attrs), ("", expected(&["max-age=0"])));

    // A purpose stated in the console is kept in a cookie and read back decoded.
    let session_cookie = format!("passage_session={session}");
    let page = s.get_with("/purpose?next=/hits", &[("cookie", &session_cookie)]);
    assert_eq!(page.status, 200, "{}", page.body);
    let csrf = page
        .body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string();
    let stated = s.post_with(
        "/purpose",
        &[
            ("cookie", &session_cookie),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        format!("csrf={csrf}&purpose=Case+42%3B+a%2Fb&next=%2Fhits").as_bytes(),
    );
    assert_eq!(stated.status, 303, "{}", stated.body);
    let (purpose, attrs) = cookie_named(&stated, "passage_purpose");
    assert_eq!(attrs, expected(&[]));
    assert_eq!(purpose, "Case%2042%3B%20a%2Fb");
    let both = format!("{session_cookie}; passage_purpose={purpose}");
    assert_eq!(
        s.get_with("/api/v1/hits", &[("cookie", &both)]).status,
        200,
        "the purpose cookie states the purpose"
    );
    assert_eq!(
        s.get_with("/api/v1/hits", &[("cookie", &session_cookie)])
            .status,
        400
    );

    // A stale form (no cookie, or another one) is refused.
    let stale = s.post_with(
        "/login",
        &[("content-type", "application/x-www-form-urlencoded")],
        body.as_bytes(),
    );
    assert_eq!(stale.status, 403);

    let out = s.post_with(
        "/logout",
        &[
            ("cookie", &both),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        format!("csrf={csrf}").as_bytes(),
    );
    assert_eq!(out.status, 303, "{}", out.body);
    for name in ["passage_session", "passage_purpose"] {
        let (v, attrs) = cookie_named(&out, name);
        assert_eq!(
            (v.as_str(), attrs),
            ("", expected(&["max-age=0"])),
            "{name}"
        );
    }
    assert_eq!(
        s.get_with("/api/v1/hits", &[("cookie", &both)]).status,
        401,
        "the session ended"
    );
}
