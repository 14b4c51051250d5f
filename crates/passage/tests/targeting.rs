//! Targeting end to end: the real `passage serve`, a criterion drafted by an analyst, refused
//! self-approval, approved by a supervisor and activated over HTTP; simulated traffic in; the
//! targeting hits read back with their criterion version and explanation, one reviewed, the
//! statistics and a back-test over the same day agreeing with what intake kept.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::session::{Session, between};
use common::{PASSWORD, data_dir, get, get_as, post, serve};
use std::process::Command;

const COURIER: &str = "booking.lead_time_hours < 168 and payment.cash";

#[test]
fn a_criterion_is_approved_by_a_second_person_activated_and_hits_traffic_over_http() {
    let data = data_dir("targeting");
    let server = serve(&data, &["--open-intake"]);
    let url = &server.url;
    let analyst = server.bearer("analyst-1");
    let supervisor = server.bearer("supervisor-1");
    let lead = server.bearer("lead-1");
    let json = ("Content-Type", "application/json");
    let analyst = [("Authorization", analyst.as_str()), json];
    let supervisor = [("Authorization", supervisor.as_str()), json];
    let lead = [("Authorization", lead.as_str()), json];

    // The editor's check: positions and rules.
    let (status, checked) = post(
        &format!("{url}/api/v1/criteria/check"),
        &analyst,
        br#"{"text": "payment.cash and\n ssr.code == \"MOML\""}"#,
    );
    assert_eq!(status, 200);
    assert_eq!(checked["ok"], false);
    let first = &checked["problems"][0];
    assert_eq!(first["rule"], "protected-field");
    assert_eq!(first["line"], 2);
    assert_eq!(first["column"], 2);

    let draft = serde_json::json!({
        "criterion": "courier",
        "text": COURIER,
        "weight": 30,
        "justification": "cases 2026/17 and 2026/23",
        "review_by": "2099-01-01",
    });
    // Written by a lead analyst who also holds the supervisor role.
    let (status, v) = post(
        &format!("{url}/api/v1/criteria"),
        &lead,
        draft.to_string().as_bytes(),
    );
    assert_eq!(status, 201, "{v}");
    let id = v["id"].as_i64().unwrap();
    let (status, _) = post(&format!("{url}/api/v1/criteria/{id}/submit"), &lead, b"");
    assert_eq!(status, 200);
    // An analyst without the supervisor role cannot approve.
    let (status, refused) = post(
        &format!("{url}/api/v1/criteria/{id}/approve"),
        &analyst,
        b"",
    );
    assert_eq!(status, 403, "{refused}");
    assert_eq!(refused["error"]["code"], "role_required");
    // The author, even with the supervisor role, cannot approve their own criterion.
    let (status, refused) = post(
        &format!("{url}/api/v1/criteria/{id}/approve"),
        &lead[..1],
        b"",
    );
    assert_eq!(status, 403, "{refused}");
    assert_eq!(refused["error"]["code"], "four_eyes");
    let (status, _) = post(
        &format!("{url}/api/v1/criteria/{id}/approve"),
        &supervisor,
        br#"{"note": "specific enough"}"#,
    );
    assert_eq!(status, 200);
    let (status, v) = post(
        &format!("{url}/api/v1/criteria/{id}/activate"),
        &supervisor,
        b"",
    );
    assert_eq!(status, 200);
    assert_eq!(v["state"], "active");
    assert_eq!(v["approved_by"], "supervisor-1");

    let out = Command::new(env!("CARGO_BIN_EXE_passage"))
        .args(["simulate", "--seed", "5", "--to", url, "--rate", "5000"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let (status, hits) = get(&format!("{url}/api/v1/targeting/hits?limit=1000"));
    assert_eq!(status, 200);
    let hits = hits["hits"].as_array().unwrap().clone();
    assert!(
        !hits.is_empty(),
        "a simulated day has cash bookings made within a week"
    );
    assert!(hits.len() < 1000);
    for h in &hits {
        assert_eq!(h["version_id"], id);
        assert_eq!(h["criterion"], "courier");
        assert_eq!(h["state"], "open");
        assert!(h["subject"].as_str().unwrap().starts_with("pnr:"));
        let steps = h["explanation"]["steps"].as_array().unwrap();
        assert!(steps.iter().all(|s| s["truth"] == "true"));
    }

    let hit = hits[0]["id"].as_i64().unwrap();
    let (status, reviewed) = post(
        &format!("{url}/api/v1/targeting/hits/{hit}/review"),
        &supervisor,
        br#"{"disposition": "false_alarm", "note": "known traveller"}"#,
    );
    assert_eq!(status, 200, "{reviewed}");
    assert_eq!(reviewed["hit"]["state"], "false_alarm");
    let (status, stats) = get(&format!("{url}/api/v1/criteria/{id}/stats"));
    assert_eq!(status, 200);
    assert_eq!(stats["stats"]["hits"], hits.len());
    assert_eq!(stats["stats"]["reviewed"], 1);
    assert_eq!(stats["stats"]["false_alarm"], 1);

    // The back-test over the stored day counts what the intake kept.
    let (status, report) = post(
        &format!("{url}/api/v1/criteria/backtest"),
        &analyst,
        serde_json::json!({"text": COURIER, "from": "2026-12-01", "to": "2026-12-31"})
            .to_string()
            .as_bytes(),
    );
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["travellers_hit"], hits.len());

    // The same queue in the console: a hit's conditions, and its review by form.
    let mut console = Session::new(url);
    assert_eq!(console.sign_in("analyst-1", PASSWORD).status, 303);
    console.post(
        "/purpose",
        "/purpose?next=/targeting",
        &[("purpose", "CASE-T-1"), ("next", "/targeting")],
    );
    let queue = console.get("/targeting");
    assert_eq!(queue.status, 200);
    assert_eq!(
        between(&queue.body, "id=\"targeting-count\">", "<").unwrap(),
        (hits.len() - 1).to_string(),
        "open hits: all but the one reviewed"
    );
    let today = console.get("/");
    assert_eq!(
        between(&today.body, "<div class=\"n\"><a href=\"/targeting\">", "<").unwrap(),
        (hits.len() - 1).to_string(),
        "today counts what the queue holds"
    );
    let path = between(
        &queue.body,
        "class=\"button targeting-review-link\" href=\"",
        "\"",
    )
    .unwrap();
    let page = console.get(&path);
    assert_eq!(page.status, 200);
    assert!(
        page.body.contains("payment.cash"),
        "the conditions are shown"
    );
    assert!(page.body.contains("booking.lead_time_hours"));
    let reviewed = console.post(
        &format!("{path}/review"),
        &path,
        &[("disposition", "confirmed"), ("note", "passed to customs")],
    );
    assert_eq!(reviewed.status, 303, "{}", reviewed.body);
    let page = console.get(&reviewed.location);
    assert!(page.body.contains("id=\"targeting-state\">confirmed"));
    let (_, stats) = get(&format!("{url}/api/v1/criteria/{id}/stats"));
    assert_eq!(stats["stats"]["confirmed"], 1);

    let (_, verdict) = get_as("dpo-1", &format!("{url}/api/v1/audit/verify"));
    assert_eq!(verdict["result"], "intact", "{verdict}");
    let _ = std::fs::remove_dir_all(&data);
}
