//! The console in real headless Chromium: an analyst signs in, states a purpose, opens the
//! hit queue, a hit, its traveller and flight, reviews the hit as a false alarm with memory;
//! the data protection officer then finds those actions in the audit view. Screenshots of
//! the pages go to `$PASSAGE_SCREENSHOTS` when set (`docs/screenshots/` is made that way),
//! else to a temporary directory. Skipped, with the reason, without Chromium.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::PathBuf;

use common::browser::Browser;
use common::{Engine, PASSWORD, unit_with_traffic_on};
use serde_json::json;

fn sign_in(b: &Browser, url: &str, user: &str) {
    b.goto(&format!("{url}/login"));
    b.find("#username").type_text(user);
    b.find("#password").type_text(PASSWORD);
    b.find("#sign-in").click();
    b.wait_for(|b| b.current_url() == format!("{url}/"), "the today page");
}

#[test]
fn an_analyst_reviews_a_hit_in_the_browser_and_the_officer_audits_it() {
    an_analyst_reviews_a_hit_in_the_browser_and_the_officer_audits_it_on(Engine::Sqlite);
}

#[test]
fn an_analyst_reviews_a_hit_in_the_browser_and_the_officer_audits_it_on_postgres() {
    an_analyst_reviews_a_hit_in_the_browser_and_the_officer_audits_it_on(Engine::Postgres);
}

fn an_analyst_reviews_a_hit_in_the_browser_and_the_officer_audits_it_on(engine: Engine) {
    let Some(b) = Browser::start() else {
        return;
    };
    let Some((server, _store)) = unit_with_traffic_on("console-browser", engine) else {
        return;
    };
    let url = &server.url;
    let shots = std::env::var_os("PASSAGE_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| common::data_dir(&format!("console-browser-shots-{engine:?}")));
    let shot = |name: &str| b.screenshot(shots.join(format!("{name}.png")));

    b.goto(&format!("{url}/login"));
    shot("sign-in");
    sign_in(&b, url, "analyst-1");
    let session = b.cookie("passage_session").expect("a session cookie");
    assert!(session.2, "HttpOnly");
    assert!(session.3, "Secure");
    assert_eq!(session.4, "Strict");
    assert!(b.find("#who").text().contains("analyst-1"));
    assert!(b.find("#hits-open").text().parse::<u32>().unwrap() > 0);
    shot("today");

    // The queue asks for a purpose first.
    b.find("a[href='/hits']").click();
    b.wait_for(|b| b.current_url().contains("/purpose"), "the purpose form");
    b.find("#purpose-input").type_text("CASE-2026-041");
    b.find("#purpose-submit").click();
    b.wait_for(
        |b| b.current_url() == format!("{url}/hits"),
        "the hit queue",
    );
    assert_eq!(b.find("#purpose").text(), "CASE-2026-041");
    shot("hits");

    // A hit on an API traveller: its explanation, traveller and flight.
    let hit_href = b.execute(
        "for (const row of document.querySelectorAll('#hits tbody tr')) {
           if (row.querySelector('a[href^=\"/travellers/\"]')) {
             return row.querySelector('a.review-link').getAttribute('href');
           }
         } return null;",
        &[],
    );
    let hit_href = hit_href
        .as_str()
        .expect("a hit on an API traveller")
        .to_string();
    b.goto(&format!("{url}{hit_href}"));
    assert!(b.find_all("#comparisons tbody tr").len() > 1);
    shot("hit");
    b.find("#hit-traveller").click();
    b.wait_for(
        |b| b.current_url().contains("/travellers/"),
        "the traveller page",
    );
    assert!(!b.find("#traveller-name").text().is_empty());
    assert!(b.find("#segments, pre.segments").text().contains("NAD+"));
    shot("traveller");
    b.find("main p a").click();
    b.wait_for(|b| b.current_url().contains("/flights/"), "the flight page");
    assert!(b.find_all("#manifest tbody tr").len() > 10);
    shot("flight");
    let date = b.current_url().rsplit('/').next().unwrap().to_string();
    b.goto(&format!("{url}/flights?date={date}"));
    assert!(b.find_all("#flights tbody tr").len() > 5);
    shot("flights");

    // Reviewed as a false alarm, remembered.
    b.goto(&format!("{url}{hit_href}"));
    b.find("#disposition-false-alarm").click();
    b.find("#note")
        .type_text("date of birth and document differ");
    b.find("#remember").click();
    b.find("#remember_reason")
        .type_text("different person, passport checked");
    b.find("#review-submit").click();
    b.wait_for(
        |b| b.try_find("#review-done").is_some(),
        "the review recorded",
    );
    assert_eq!(b.find("#hit-state").text(), "false_alarm");

    // The criteria editor checks as the analyst types (htmx, with the CSRF header).
    // Under the Content-Security-Policy (no inline script or style): htmx works and the page
    // breaks no rule of it.
    b.goto(&format!("{url}/criteria/new"));
    b.execute(
        "window.cspViolations = []; document.addEventListener('securitypolicyviolation', \
         function (e) { window.cspViolations.push(e.violatedDirective + ' ' + e.blockedURI); });",
        &[],
    );
    assert_eq!(
        b.execute(
            "return document.querySelectorAll('style, [style]').length;",
            &[]
        ),
        json!(0),
        "no inline style (htmx's own is turned off)"
    );
    b.find("#criterion").type_text("courier");
    b.find("#text")
        .type_text("payment.cash and\n ssr.code == \"MOML\"");
    b.wait_for(
        |b| b.try_find("#check-problems").is_some(),
        "the live check's problems",
    );
    let problem = b.find("#check-problems .problem");
    assert_eq!(problem.attr("data-line").as_deref(), Some("2"));
    assert_eq!(
        problem.attr("data-rule").as_deref(),
        Some("protected-field")
    );
    shot("criteria");
    b.find("#text").clear();
    b.find("#text")
        .type_text("booking.lead_time_hours < 168 and payment.cash");
    b.wait_for(|b| b.try_find("#check-ok").is_some(), "the check passing");
    assert_eq!(
        b.execute("return window.cspViolations;", &[]),
        json!([]),
        "nothing the policy refuses"
    );

    // Signed out; the officer sees the analyst's steps with their purpose.
    b.find("header form button").click();
    b.wait_for(|b| b.current_url().contains("/login"), "the sign-in page");
    assert!(b.cookie("passage_session").is_none());
    sign_in(&b, url, "dpo-1");
    b.goto(&format!("{url}/audit?actor=analyst-1"));
    let audit = b.find("#audit").text();
    for action in [
        "session.signed_in",
        "purpose.stated",
        "hit.read",
        "traveller.viewed",
        "manifest.viewed",
        "hit.reviewed",
        "session.signed_out",
    ] {
        assert!(audit.contains(action), "{action} in the audit view");
    }
    assert!(audit.contains("CASE-2026-041"));
    assert!(b.find("#chain").text().contains("intact"));
    shot("audit");
    // The officer has no way into personal data.
    let refused = b.execute(
        "return fetch(arguments[0]).then(r => r.status);",
        &[json!(format!("{url}{hit_href}"))],
    );
    assert_eq!(refused, json!(403));

    // The carrier liaison's scorecard, drawn on the server.
    b.find("header form button").click();
    b.wait_for(|b| b.current_url().contains("/login"), "the sign-in page");
    sign_in(&b, url, "liaison-1");
    b.goto(&format!("{url}/carriers"));
    b.find("table a[href^='/carriers/']").click();
    b.wait_for(
        |b| b.try_find("svg rect").is_some(),
        "the scorecard's charts",
    );
    shot("carrier");
}
