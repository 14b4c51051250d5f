//! The findings of the security probe (issue 13) against the real binary: lock-out under
//! concurrent guesses, the per-address limit, oversized passwords, where a sign-in may send
//! the browser, bearer tokens that end and are revoked, a demo that leaves existing users
//! alone, and criteria moved on the command line only by a real user with a credential.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::time::Instant;

use common::session::{Session, between};
use common::{PASSWORD, add_users, data_dir, run, serve};

/// Posts the sign-in form with a fresh form token; the answer.
fn sign_in_to(s: &mut Session, user: &str, password: &str, next: &str) -> common::session::Page {
    let form = s.get("/login");
    let token = between(&form.body, "name=\"token\" value=\"", "\"").unwrap();
    s.post_raw(
        "/login",
        &[
            ("username", user),
            ("password", password),
            ("token", &token),
            ("next", next),
        ],
    )
}

#[test]
fn after_sign_in_the_browser_goes_only_to_a_path_of_this_site() {
    let server = serve(&data_dir("security-next"), &[]);
    for (next, expected) in [
        ("/flights?date=2026-12-01", "/flights?date=2026-12-01"),
        ("/\t/evil.example", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/ok\r\nSet-Cookie: x=1", "/"),
        ("/\n/evil.example", "/"),
        ("/caf\u{e9}", "/"),
    ] {
        let mut s = Session::new(&server.url);
        let page = sign_in_to(&mut s, "supervisor-1", PASSWORD, next);
        assert_eq!(page.status, 303, "{next:?}: {}", page.body);
        assert_eq!(page.location, expected, "{next:?}");
        // Signed in, the form itself sends on: the same rule, never a 500.
        let encoded: String = next.bytes().map(|b| format!("%{b:02X}")).collect();
        let again = s.get(&format!("/login?next={encoded}"));
        assert_eq!(again.status, 303, "{next:?}");
        assert_eq!(again.location, expected, "{next:?}");
    }
    // Without a session, the form keeps only a local path in its hidden field.
    let form = Session::new(&server.url).get("/login?next=%2F%09%2Fevil.example");
    assert_eq!(form.status, 200);
    assert!(
        form.body.contains("name=\"next\" value=\"/\""),
        "{}",
        form.body
    );
    let form = Session::new(&server.url).get("/login?next=%0A");
    assert_eq!(form.status, 200);
}

#[test]
fn concurrent_wrong_passwords_over_http_lock_the_account_and_the_address_is_limited() {
    let server = serve(&data_dir("security-lock"), &[]);
    let url = server.url.clone();
    // Eight guesses at once (within the address's burst of ten).
    let guesses: Vec<_> = (0..8)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut s = Session::new(&url);
                sign_in_to(&mut s, "analyst-1", "a wrong guess of a password", "/")
            })
        })
        .collect();
    let answers: Vec<_> = guesses.into_iter().map(|g| g.join().unwrap()).collect();
    assert!(answers.iter().all(|a| a.status == 401));
    let mut s = Session::new(&url);
    let right = sign_in_to(&mut s, "analyst-1", PASSWORD, "/");
    assert_eq!(right.status, 401, "refused while locked");
    assert!(!s.has_cookie("passage_session"));
    // Five failures counted, however many were sent at once.
    let page = bearer_page(&server, "admin-1", "/users");
    let row = between(&page, "<tr id=\"user-analyst-1\">", "</tr>").unwrap();
    assert!(row.contains("<td class=\"num\">5</td>"), "{row}");
    // The address has spent its burst: told to wait, with Retry-After.
    let mut limited = None;
    for _ in 0..3 {
        let page = sign_in_to(&mut Session::new(&url), "supervisor-1", PASSWORD, "/");
        if page.status == 429 {
            limited = Some(page);
            break;
        }
    }
    let limited = limited.expect("the eleventh attempt is refused");
    assert!(
        limited
            .body
            .contains("Too many sign-in attempts from this address")
    );
    let metrics = bearer_page(&server, "admin-1", "/metrics");
    assert!(
        metrics.contains("passage_sign_in_refused_total{reason=\"wrong_password\"} 5"),
        "{metrics}"
    );
    assert!(metrics.contains("passage_sign_in_refused_total{reason=\"locked\"} 4"));
    assert!(metrics.contains("passage_sign_in_refused_total{reason=\"rate_limited\"} 1"));
}

/// A page's body as a bearer token's holder gets it.
fn bearer_page(server: &common::Server, user: &str, path: &str) -> String {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    agent
        .get(&format!("{}{path}", server.url))
        .header("Authorization", server.bearer(user))
        .call()
        .unwrap()
        .body_mut()
        .read_to_string()
        .unwrap()
}

#[test]
fn a_huge_password_is_refused_before_any_hashing() {
    let server = serve(&data_dir("security-huge"), &[]);
    let huge = "x".repeat(2 * 1024 * 1024);
    let mut s = Session::new(&server.url);
    let started = Instant::now();
    let page = sign_in_to(&mut s, "analyst-1", &huge, "/");
    let ms = started.elapsed().as_millis();
    assert_eq!(page.status, 401);
    assert!(ms < 2_000, "{ms} ms");
    let page = bearer_page(&server, "admin-1", "/users");
    let row = between(&page, "<tr id=\"user-analyst-1\">", "</tr>").unwrap();
    assert!(
        row.contains("<td class=\"num\">0</td>"),
        "not a failure: {row}"
    );
    eprintln!("2 MiB password refused in {ms} ms");
}

#[test]
fn tokens_expire_are_listed_revoked_and_end_with_a_new_password() {
    let data = data_dir("security-tokens");
    let server = serve(&data, &[]);
    let url = &server.url;
    let (code, token, err) = run(
        &data,
        &[
            "users",
            "token",
            "analyst-1",
            "--label",
            "batch",
            "--days",
            "7",
        ],
        "",
    );
    assert_eq!(code, 0, "{err}");
    let token = token.trim().to_string();
    assert!(err.contains("expires"), "{err}");
    let hits = |token: &str| {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        agent
            .get(&format!("{url}/api/v1/hits"))
            .header("Authorization", format!("Bearer {token}"))
            .header("X-Passage-Purpose", "TEST-TOKENS")
            .call()
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(hits(&token), 200);
    let (_, listed, _) = run(&data, &["users", "tokens", "analyst-1"], "");
    let batch = listed
        .lines()
        .find(|l| l.split('\t').nth(1) == Some("batch"))
        .unwrap();
    let fields: Vec<&str> = batch.split('\t').collect();
    assert_eq!(fields[4], "active");
    assert!(!listed.contains(&token), "the secret is never shown again");
    let in_a_week = jiff::Timestamp::now() + jiff::SignedDuration::from_hours(24 * 7);
    let expires: jiff::Timestamp = fields[3].parse().unwrap();
    assert!((expires.as_second() - in_a_week.as_second()).abs() < 120);
    let (code, _, err) = run(&data, &["users", "token", "analyst-1", "--days", "400"], "");
    assert_ne!(code, 0);
    assert!(err.contains("1 to 366 days"), "{err}");

    let (code, out, err) = run(&data, &["users", "revoke-token", fields[0]], "");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("revoked"));
    assert_eq!(hits(&token), 401, "revoked one by one");
    assert_eq!(
        hits(&server.tokens["analyst-1"]),
        200,
        "the others still work"
    );
    let (_, listed, _) = run(&data, &["users", "tokens", "analyst-1"], "");
    assert!(listed.contains("\tbatch\t") && listed.contains("\trevoked"));

    // The administrator's console lists the tokens and revokes one, only under its user.
    let (_, web, _) = run(
        &data,
        &["users", "token", "analyst-1", "--label", "web"],
        "",
    );
    let web = web.trim().to_string();
    let (_, listed, _) = run(&data, &["users", "tokens", "analyst-1"], "");
    let web_id = listed
        .lines()
        .find(|l| l.split('\t').nth(1) == Some("web"))
        .and_then(|l| l.split('\t').next())
        .unwrap()
        .to_string();
    let users = bearer_page(&server, "admin-1", "/users");
    let row = between(&users, "<tr id=\"user-analyst-1\">", "</tr>").unwrap();
    assert!(row.contains(&format!("id=\"token-{web_id}\"")), "{row}");
    assert!(!users.contains(&web), "never the secret");
    let revoke = |user: &str| {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .build()
            .into();
        agent
            .post(&format!("{url}/users/{user}/tokens/{web_id}/revoke"))
            .header("Authorization", server.bearer("admin-1"))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .send("")
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(revoke("lead-1"), 404, "not lead-1's token");
    assert_eq!(hits(&web), 200);
    assert_eq!(revoke("analyst-1"), 303);
    assert_eq!(hits(&web), 401);

    // A new password: every token and session of the user ends.
    let mut s = Session::new(url);
    assert_eq!(s.sign_in("analyst-1", PASSWORD).status, 303);
    let (code, _, err) = run(
        &data,
        &["users", "password", "analyst-1"],
        "a brand new password of analyst one\n",
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(hits(&server.tokens["analyst-1"]), 401);
    assert_eq!(s.get("/").status, 303, "the session ended");
}

#[test]
fn the_demo_keeps_the_users_a_data_directory_has() {
    let data = data_dir("security-demo");
    std::fs::create_dir_all(&data).unwrap();
    let (code, _, err) = run(
        &data,
        &[
            "users",
            "add",
            "admin",
            "--roles",
            "administrator",
            "--agency",
            "PIU",
        ],
        &format!("{PASSWORD}\n"),
    );
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run(&data, &["demo", "--once", "--port", "0"], "");
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("users analyst, supervisor, liaison, dpo, judge;"),
        "the absent ones are made: {out}"
    );
    assert!(out.contains("the other users of this data directory were kept"));
    let password = between(&out, "password for this run: ", "\n").unwrap();
    let (code, out, err) = run(&data, &["demo", "--once", "--port", "0"], "");
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("were kept as they are (passwords unchanged)"));
    assert!(!out.contains("password for this run"));
    // The administrator's password is the one they chose; the demo's own users keep theirs.
    let server = serve(&data, &[]);
    let mut s = Session::new(&server.url);
    assert_eq!(s.sign_in("admin", PASSWORD).status, 303);
    let mut s = Session::new(&server.url);
    assert_eq!(s.sign_in("analyst", &password).status, 303);
}

const COURIER: &str = "booking.lead_time_hours < 168 and payment.cash\n";

#[test]
fn criteria_are_moved_on_the_command_line_only_by_a_real_user_with_a_credential() {
    let data = data_dir("security-criteria");
    std::fs::create_dir_all(&data).unwrap();
    let tokens = add_users(&data);
    let file = data.join("courier.crit");
    std::fs::write(&file, COURIER).unwrap();
    let file = file.to_str().unwrap();
    let pw = format!("{PASSWORD}\n");

    let (code, out, err) = run(
        &data,
        &[
            "criteria",
            "add",
            file,
            "--name",
            "courier",
            "--weight",
            "30",
            "--justification",
            "cases 2026/17",
            "--as",
            "analyst-1",
        ],
        &pw,
    );
    assert_eq!(code, 0, "{err}");
    let id = between(&out, "version id ", ":").unwrap();
    let (code, _, err) = run(
        &data,
        &["criteria", "submit", &id, "--as", "analyst-1"],
        &pw,
    );
    assert_eq!(code, 0, "{err}");

    // A supervisor who does not exist, a role claimed on the command line, a wrong password,
    // no credential at all: each refused, nothing approved.
    let (code, _, err) = run(&data, &["criteria", "approve", &id, "--as", "ghost"], &pw);
    assert_ne!(code, 0);
    assert!(err.contains("sign-in refused"), "{err}");
    let (code, _, err) = run(
        &data,
        &[
            "criteria",
            "approve",
            &id,
            "--as",
            "ghost",
            "--role",
            "supervisor",
        ],
        &pw,
    );
    assert_eq!(code, 2, "no such option: {err}");
    let (code, _, err) = run(
        &data,
        &["criteria", "approve", &id, "--as", "supervisor-1"],
        "not the password of supervisor one\n",
    );
    assert_ne!(code, 0);
    assert!(err.contains("sign-in refused"), "{err}");
    let (code, _, err) = run(&data, &["criteria", "approve", &id], "");
    assert_ne!(code, 0);
    assert!(err.contains("say who acts"), "{err}");
    // A real user without the supervisor role: the lifecycle refuses, as over HTTP.
    let (code, _, err) = run(
        &data,
        &["criteria", "approve", &id, "--as", "analyst-1"],
        &pw,
    );
    assert_eq!(code, 1);
    assert!(err.contains("refused"), "{err}");
    let (code, _, err) = run(&data, &["criteria", "approve", &id, "--as", "admin-1"], &pw);
    assert_ne!(code, 0);
    assert!(
        err.contains("neither the analyst nor the supervisor role"),
        "{err}"
    );
    let (_, listed, _) = run(&data, &["criteria", "list"], "");
    assert!(listed.contains("submitted"), "{listed}");

    // The real supervisor, by a token read from a file.
    let token_file = data.join("supervisor.token");
    std::fs::write(&token_file, format!("{}\n", tokens["supervisor-1"])).unwrap();
    let token_file = token_file.to_str().unwrap();
    let (code, _, err) = run(
        &data,
        &[
            "criteria",
            "approve",
            &id,
            "--as",
            "lead-1",
            "--token-file",
            token_file,
        ],
        "",
    );
    assert_ne!(code, 0);
    assert!(err.contains("the token is not lead-1's"), "{err}");
    let (code, out, err) = run(
        &data,
        &["criteria", "approve", &id, "--token-file", token_file],
        "",
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("is approved"), "{out}");
    let (_, listed, _) = run(&data, &["criteria", "list"], "");
    assert!(listed.contains("approved by supervisor-1"), "{listed}");
    // A disabled supervisor's token no longer acts.
    let (code, _, _) = run(&data, &["users", "disable", "supervisor-1"], "");
    assert_eq!(code, 0);
    let (code, _, err) = run(
        &data,
        &["criteria", "activate", &id, "--token-file", token_file],
        "",
    );
    assert_ne!(code, 0);
    assert!(err.contains("unknown, expired or revoked"), "{err}");
}
