//! The console over HTTP as a person uses it: sign in (and lock-out), a purpose before
//! personal data, a flight, a traveller, a hit reviewed as a false alarm with memory, and the
//! data protection officer's audit view showing all of it. Forms without the CSRF token are
//! refused. Server-side render times of the flights and traveller pages are printed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::time::Instant;

use common::session::{Session, between};

/// The refusal's text, without the page's one-time form token.
fn refusal(body: &str) -> String {
    between(body, "id=\"login-error\">", "</div>").unwrap()
}
use common::{PASSWORD, data_dir, get, serve, unit_with_traffic};

#[test]
fn sign_in_locks_after_five_failures_and_sign_out_ends_the_session() {
    let server = serve(&data_dir("console-sign-in"), &[]);
    let mut s = Session::new(&server.url);
    // Without a session every page sends to the sign-in form, keeping where it was going.
    let page = s.get("/flights?date=2026-12-01");
    assert_eq!(page.status, 303);
    assert_eq!(page.location, "/login?next=/flights%3Fdate%3D2026-12-01");

    let mut refusals = Vec::new();
    for _ in 0..5 {
        let page = s.sign_in("analyst-1", "not the password at all");
        assert_eq!(page.status, 401);
        assert!(
            page.body
                .contains("The user name or the password is wrong, or the account is locked")
        );
        refusals.push(refusal(&page.body));
    }
    // Locked after five: even the right password gets the very same answer.
    let page = s.sign_in("analyst-1", PASSWORD);
    assert_eq!(page.status, 401, "locked even with the right password");
    refusals.push(refusal(&page.body));
    // Nothing tells a locked account, a wrong password and an unknown user apart.
    let page = s.sign_in("no-such-user", "not the password at all");
    assert_eq!(page.status, 401);
    refusals.push(refusal(&page.body));
    assert!(refusals.windows(2).all(|w| w[0] == w[1]), "{refusals:?}");

    let mut s = Session::new(&server.url);
    let page = s.sign_in("supervisor-1", PASSWORD);
    assert_eq!(page.status, 303);
    assert_eq!(page.location, "/");
    assert!(s.has_cookie("passage_session"));
    let today = s.get("/");
    assert_eq!(today.status, 200);
    assert!(today.body.contains("supervisor-1 · PIU"));
    // A form without the session's token is refused; with it, sign-out ends the session.
    let forged = s.post_raw("/logout", &[("csrf", "0000")]);
    assert_eq!(forged.status, 403);
    assert_eq!(s.get("/").status, 200);
    let out = s.post("/logout", "/", &[]);
    assert_eq!(out.status, 303);
    assert_eq!(s.get("/").status, 303);
}

#[test]
fn an_analyst_reviews_a_hit_and_the_officer_sees_it_in_the_audit() {
    let server = unit_with_traffic("console-review");
    let mut analyst = Session::new(&server.url);
    assert_eq!(analyst.sign_in("analyst-1", PASSWORD).status, 303);

    // Personal data asks for a purpose first.
    let queue = analyst.get("/hits");
    assert_eq!(queue.status, 303);
    assert_eq!(queue.location, "/purpose?next=/hits");
    let stated = analyst.post(
        "/purpose",
        "/purpose?next=/hits",
        &[("purpose", "CASE-2026-041"), ("next", "/hits")],
    );
    assert_eq!(stated.status, 303);
    assert_eq!(stated.location, "/hits");
    let queue = analyst.get("/hits");
    assert_eq!(queue.status, 200);
    assert!(queue.body.contains("CASE-2026-041"));
    // Today's count is the queue's: a PNR twin of an API hit is one decision, counted once.
    let today = analyst.get("/");
    let waiting = between(&today.body, "id=\"hits-open\"><a href=\"/hits\">", "<").unwrap();
    assert_eq!(
        between(&queue.body, "id=\"hit-count\">", "<").unwrap(),
        waiting
    );
    // A hit on an API traveller whose linked PNR traveller hit the same entry: the queue shows
    // the API one only.
    let (_, all) = get(&format!("{}/api/v1/hits?state=open&limit=5000", server.url));
    let all = all["hits"].as_array().unwrap().clone();
    let twin_of = |h: &serde_json::Value| {
        all.iter()
            .find(|p| {
                p["subject"].as_str().unwrap().starts_with("pnr:")
                    && p["flight_id"] == h["flight_id"]
                    && p["entry_id"] == h["entry_id"]
            })
            .map(|p| p["id"].as_i64().unwrap())
    };
    let (api_hit, pnr_twin) = all
        .iter()
        .filter(|h| h["subject"].as_str().unwrap().starts_with("api:"))
        .find_map(|h| twin_of(h).map(|t| (h["id"].as_i64().unwrap(), t)))
        .expect("a planted traveller hit on both API and PNR");
    assert!(queue.body.contains(&format!("href=\"/hits/{api_hit}\"")));
    assert!(
        !queue.body.contains(&format!("href=\"/hits/{pnr_twin}\"")),
        "the PNR twin is not a second line"
    );
    let hit_path = format!("/hits/{api_hit}");
    let hit = analyst.get(&hit_path);
    assert_eq!(hit.status, 200);
    assert!(hit.body.contains("id=\"comparisons\""));
    assert!(hit.body.contains("date_of_birth") || hit.body.contains("name_part"));

    // The flight and the traveller of the hit.
    let before = hit.body.split("\" id=\"hit-traveller\"").next().unwrap();
    let traveller_path = before.rsplit("href=\"").next().unwrap().to_string();
    assert!(
        traveller_path.starts_with("/travellers/"),
        "{traveller_path}"
    );
    let started = Instant::now();
    let traveller = analyst.get(&traveller_path);
    let traveller_ms = started.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(traveller.status, 200);
    assert!(traveller.body.contains("id=\"traveller-name\""));
    // (with the carrier's separators: `NAD+` or, in Type B framing, `NAD(`)
    assert!(
        traveller.body.contains("  NAD+") || traveller.body.contains("  NAD("),
        "the person's segments as received: {}",
        traveller
            .body
            .split("class=\"segments\"")
            .skip(1)
            .collect::<Vec<_>>()
            .join("|||")
    );
    // The same person found by surname across the flights kept.
    let name = between(&traveller.body, "id=\"traveller-name\">", "</h1>").unwrap();
    let surname = name.split(',').next().unwrap().replace("&#39;", "'");
    let found = analyst.get(&format!(
        "/travellers?surname={}",
        surname.replace(' ', "+").replace('\'', "%27")
    ));
    assert_eq!(found.status, 200);
    assert!(found.body.contains(&format!("href=\"{traveller_path}\"")));
    let flight_path = between(&traveller.body, "<p><a href=\"", "\"").unwrap();
    assert!(flight_path.starts_with("/flights/"), "{flight_path}");
    let flight = analyst.get(&flight_path);
    assert_eq!(flight.status, 200);
    assert!(
        flight.body.contains(&traveller_path),
        "the traveller is on the manifest"
    );
    let date = flight_path.rsplit('/').next().unwrap().to_string();
    let started = Instant::now();
    let flights = analyst.get(&format!("/flights?date={date}"));
    let flights_ms = started.elapsed().as_secs_f64() * 1000.0;
    assert_eq!(flights.status, 200);
    assert!(flights.body.contains(&flight_path));
    eprintln!(
        "server round trip (debug build, small day): flights page {flights_ms:.1} ms, traveller page {traveller_ms:.1} ms"
    );

    // Reviewed as a false alarm, remembered.
    let id = hit_path.trim_start_matches("/hits/");
    let review = analyst.post(
        &format!("/hits/{id}/review"),
        &hit_path,
        &[
            ("disposition", "false_alarm"),
            ("note", "date of birth and document differ"),
            ("remember", "1"),
            ("remember_reason", "different person, checked passport"),
        ],
    );
    assert_eq!(review.status, 303, "{}", review.body);
    let reviewed = analyst.get(&review.location);
    assert!(reviewed.body.contains("id=\"hit-state\">false_alarm"));
    assert!(reviewed.body.contains("Reviewed by analyst-1"));
    // The PNR twin is decided with it.
    let (_, twin) = get(&format!("{}/api/v1/hits/{pnr_twin}", server.url));
    assert_eq!(twin["state"], "false_alarm", "{twin}");
    assert!(
        twin["note"]
            .as_str()
            .unwrap()
            .ends_with(&format!("(with hit {api_hit})"))
    );

    // An analyst has no audit view; the officer has, and sees the analyst's steps with purpose.
    assert_eq!(analyst.get("/audit").status, 403);
    let mut dpo = Session::new(&server.url);
    assert_eq!(dpo.sign_in("dpo-1", PASSWORD).status, 303);
    let audit = dpo.get("/audit?actor=analyst-1");
    assert_eq!(audit.status, 200);
    for action in [
        "session.signed_in",
        "purpose.stated",
        "hits.listed",
        "hit.read",
        "traveller.viewed",
        "manifest.viewed",
        "travellers.searched",
        "hit.reviewed",
    ] {
        assert!(audit.body.contains(action), "{action} in the audit view");
    }
    assert!(audit.body.contains("CASE-2026-041"));
    assert!(
        audit
            .body
            .contains(&format!("surname={surname}").replace('\'', "&#39;")),
        "what was searched is in the audit"
    );
    assert!(audit.body.contains("The chain of records is intact"));
    // The officer's own look is recorded too.
    let again = dpo.get("/audit?actor=dpo-1");
    assert!(again.body.contains("audit.searched"));
    // The officer cannot open travellers.
    assert_eq!(dpo.get(&traveller_path).status, 403);

    // The national list's hits given to the police: they leave the unit's queue for the
    // police's, and no one outside the police sees or decides them, by any path.
    common::passage(
        &server.data,
        &[
            "users", "add", "police-1", "--roles", "analyst", "--agency", "POLICE",
        ],
        &format!("{PASSWORD}\n"),
    );
    let police_token = common::passage(&server.data, &["users", "token", "police-1"], "")
        .trim()
        .to_string();
    let mut admin = Session::new(&server.url);
    assert_eq!(admin.sign_in("admin-1", PASSWORD).status, 303);
    let set = admin.post("/lists/national/owner", "/lists", &[("agency", "POLICE")]);
    assert_eq!(set.status, 303, "{}", set.body);
    assert!(
        admin
            .get("/lists")
            .body
            .contains("id=\"owner-national\">POLICE")
    );
    let count = |page: &str| between(page, "id=\"hit-count\">", "<").unwrap();
    assert_eq!(count(&analyst.get("/hits").body), "0", "the unit's queue");
    assert_eq!(
        count(&analyst.get("/hits?agency=ALL").body),
        "0",
        "no view of all agencies"
    );
    assert_eq!(count(&analyst.get("/hits?agency=POLICE").body), "0");
    let mut police = Session::new(&server.url);
    assert_eq!(police.sign_in("police-1", PASSWORD).status, 303);
    police.post(
        "/purpose",
        "/purpose?next=/hits",
        &[("purpose", "CASE-P-7"), ("next", "/hits")],
    );
    let police_queue = police.get("/hits");
    assert_ne!(count(&police_queue.body), "0", "the police's queue");
    let police_hit = between(
        &police_queue.body,
        "class=\"button review-link\" href=\"",
        "\"",
    )
    .unwrap();
    assert_eq!(police.get(&police_hit).status, 200);
    let police_id = police_hit.trim_start_matches("/hits/").to_string();

    // Another agency's analyst: not found on the page, the review form, the API.
    assert_eq!(analyst.get(&police_hit).status, 404);
    let forged = analyst.post(
        &format!("{police_hit}/review"),
        "/",
        &[("disposition", "false_alarm"), ("note", "not ours")],
    );
    assert_eq!(forged.status, 404, "{}", forged.body);
    let url = &server.url;
    let (status, _) = get(&format!("{url}/api/v1/hits/{police_id}"));
    assert_eq!(status, 404);
    let (_, listed) = get(&format!("{url}/api/v1/hits?limit=5000"));
    assert!(
        listed["hits"]
            .as_array()
            .unwrap()
            .iter()
            .all(|h| h["list"] != "national"),
        "the API lists none of the police's hits to the unit"
    );
    let (status, refused) = common::post(
        &format!("{url}/api/v1/hits/{police_id}/review"),
        &[("Content-Type", "application/json")],
        br#"{"disposition": "false_alarm", "note": "not ours"}"#,
    );
    assert_eq!(status, 404, "{refused}");
    let bearer = format!("Bearer {police_token}");
    let (status, seen) = common::post(
        &format!("{url}/api/v1/hits/{police_id}/review"),
        &[
            ("Authorization", bearer.as_str()),
            ("Content-Type", "application/json"),
        ],
        br#"{"disposition": "needs_information", "note": "asked the carrier"}"#,
    );
    assert_eq!(status, 200, "{seen}");
    assert_eq!(seen["hit"]["state"], "needs_information");
    assert_eq!(seen["hit"]["reviewed_by"], "police-1");
}
