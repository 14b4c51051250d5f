//! The single window end to end: the real `passage serve` process, simulated traffic in over HTTP
//! and the drop folder, answers read back through the JSON API.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::os::unix::fs::PermissionsExt;
use std::process::Command;
use std::time::{Duration, Instant};

mod common;

use common::{Engine, data_dir, get, get_as, post, serve, simulate, unit_on};

#[test]
fn simulated_traffic_in_over_http_and_the_drop_folder() {
    simulated_traffic_in_over_http_and_the_drop_folder_on(Engine::Sqlite);
}

#[test]
fn simulated_traffic_in_over_http_and_the_drop_folder_on_postgres() {
    simulated_traffic_in_over_http_and_the_drop_folder_on(Engine::Postgres);
}

fn simulated_traffic_in_over_http_and_the_drop_folder_on(engine: Engine) {
    let data = data_dir(&format!("traffic-{engine:?}"));
    let Some(_store) = unit_on(&data, engine) else {
        return;
    };
    let server = serve(&data, &["--open-intake"]);
    let out = Command::new(env!("CARGO_BIN_EXE_passage"))
        .args([
            "simulate",
            "--seed",
            "2",
            "--to",
            &server.url,
            "--rate",
            "5000",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(" 0 refused"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let (status, flights) = get(&format!("{}/api/v1/flights?date=2026-12-01", server.url));
    assert_eq!(status, 200);
    let flights = flights["flights"].as_array().unwrap().clone();
    assert_eq!(flights.len(), 40);
    // Closed flights: the close-out settled everyone the passenger list had reported.
    let closed: Vec<_> = flights.iter().filter(|f| f["status"] == "closed").collect();
    assert!(closed.len() >= 30, "{}", closed.len());
    let mut settled = 0;
    let mut with_passengers = 0;
    let mut key = String::new();
    for f in &closed {
        let k = f["key"].as_str().unwrap();
        let (status, manifest) = get(&format!("{}/api/v1/flights/{k}/manifest", server.url));
        assert_eq!(status, 200);
        let persons = manifest["persons"].as_array().unwrap();
        let passengers: Vec<_> = persons
            .iter()
            .filter(|p| p["role"] == "passenger")
            .collect();
        // A list whose series still waits for a part (until the timeout) has put nobody on
        // the manifest yet.
        if passengers.is_empty() {
            continue;
        }
        with_passengers += 1;
        // Settled: nobody left merely reported (boarded, or not boarded when the close-out
        // did not list them, also when their list came after it).
        if passengers.iter().all(|p| p["status"] != "reported") {
            settled += 1;
            if passengers.iter().any(|p| p["status"] == "boarded") {
                key = k.to_string();
            }
        }
    }
    let (_, manifest) = get(&format!("{}/api/v1/flights/{key}/manifest", server.url));
    let links = manifest["links"].as_array().unwrap();
    assert!(!links.is_empty(), "API persons linked to PNR travellers");
    assert!(
        links[0]["agreed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f == "surname")
    );
    assert!(with_passengers * 10 >= closed.len() * 9);
    assert_eq!(settled, with_passengers);
    let (_, bookings) = get(&format!("{}/api/v1/flights/{key}/bookings", server.url));
    let text = bookings.to_string();
    assert!(!bookings["bookings"].as_array().unwrap().is_empty());
    for code in [
        "\"MOML\"", "\"KSML\"", "\"HNML\"", "\"WCHR\"", "\"MEDA\"", "\"BLND\"",
    ] {
        assert!(!text.contains(code), "{code} reached the API");
    }

    // The drop folder: a file in inbox/<CARRIER>/ is taken in and archived.
    let inbox = data.join("drop/inbox/XQ");
    std::fs::create_dir_all(&inbox).unwrap();
    let list = b"UNB+UNOA:4+XQ+PIU+261127:0900+77'UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'TDT+20+XQ9+++XQ'LOC+125+AAA'DTM+189:2612021005:201'LOC+87+BBB'DTM+232:2612021240:201'NAD+FL+++SYNTH:ANNA'ATT+2++F'DTM+329:900102'NAT+2+XXA'RFF+ABO:P1'DOC+P+X1'DTM+36:301231'LOC+91+XXA'CNT+42:1'UNT+18+1'UNZ+1+77'";
    std::fs::write(inbox.join("list.edi"), list).unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, f) = get(&format!("{}/api/v1/flights?date=2026-12-02", server.url));
        if f["flights"]
            .as_array()
            .is_some_and(|a| a.iter().any(|x| x["key"] == "XQ9/AAA-BBB/2026-12-02"))
        {
            break;
        }
        assert!(Instant::now() < deadline, "the drop folder was not swept");
        std::thread::sleep(Duration::from_millis(200));
    }
    assert!(data.join("drop/archive/XQ/list.edi").exists());

    // Reads of personal data were audited, and the chain holds.
    let (_, verdict) = get_as("dpo-1", &format!("{}/api/v1/audit/verify", server.url));
    assert_eq!(verdict["result"], "intact");
    let (_, metrics) = get_as("admin-1", &format!("{}/metrics", server.url));
    assert!(
        metrics
            .as_str()
            .unwrap()
            .contains("passage_messages{state=\"processed\"}")
    );
    let (_, openapi) = get(&format!("{}/api/openapi.json", server.url));
    assert!(openapi["paths"]["/api/v1/messages"]["post"].is_object());
}

#[test]
fn bad_input_gets_a_clear_answer_and_is_kept() {
    let data = data_dir("bad");
    // Carrier credentials come from a file readable by the service's user only.
    let secrets = data_dir("bad-secrets");
    std::fs::create_dir_all(&secrets).unwrap();
    let carriers = secrets.join("carriers");
    std::fs::write(&carriers, "# the unit's carriers\nXQ s3cret-token-of-xq\n").unwrap();
    std::fs::set_permissions(&carriers, std::fs::Permissions::from_mode(0o600)).unwrap();
    let server = serve(
        &data,
        &[
            "--carriers",
            carriers.to_str().unwrap(),
            "--max-message-mb",
            "1",
            "--rate-per-carrier",
            "0.5",
        ],
    );
    let intake = format!("{}/api/v1/messages", server.url);
    let (status, body) = post(&intake, &[("Authorization", "Bearer wrong")], b"UNH+1'");
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (401, Some("unknown_carrier_credential"))
    );
    let (status, body) = post(
        &intake,
        &[("Authorization", "Bearer s3cret-token-of-xq")],
        b"",
    );
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (400, Some("empty_body"))
    );
    let (status, receipt) = post(
        &intake,
        &[("Authorization", "Bearer s3cret-token-of-xq")],
        b"\xff\xfe garbage \x00",
    );
    assert_eq!(status, 422);
    assert_eq!(receipt["outcome"], "failed");
    let id = receipt["message"].as_i64().unwrap();
    let (_, stored) = get(&format!("{}/api/v1/messages/{id}", server.url));
    assert_eq!(stored["state"], "failed");
    assert_eq!(stored["carrier"], "XQ");
    assert!(
        stored["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"] == "no_message")
    );
    // A truncated message is read as far as it goes, kept, and answered with a CONTRL.
    let (status, receipt) = post(
        &intake,
        &[("Authorization", "Bearer s3cret-token-of-xq")],
        b"UNB+UNOA:4+XQ+PIU+261127:0900+5'UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'TDT+20+XQ1",
    );
    assert_eq!(status, 202);
    assert!(
        receipt["contrl"]
            .as_str()
            .unwrap()
            .contains("UCI+5+XQ+PIU+")
    );
    // A carrier sending faster than its rate is told when to come back.
    // (0.5 a second, bursts of 5: three were sent above.)
    let refused = (0..5)
        .map(|_| {
            post(
                &intake,
                &[("Authorization", "Bearer s3cret-token-of-xq")],
                b"UNH+1'",
            )
        })
        .find(|(status, _)| *status == 429);
    let (_, body) = refused.expect("the burst is spent within five more messages");
    assert_eq!(body["error"]["code"], "rate_limited");
    // Too large: refused before reading (413; the server may close the connection while the
    // client is still sending, which a client then sees as a broken pipe). The rate is judged
    // first, so wait for the next token (0.5 a second) to see the size refused.
    std::thread::sleep(std::time::Duration::from_millis(2_100));
    let big = vec![b'A'; 2 * 1024 * 1024];
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    match agent
        .post(&intake)
        .header("Authorization", "Bearer s3cret-token-of-xq")
        .send(&big[..])
    {
        Ok(r) => assert_eq!(r.status().as_u16(), 413),
        Err(e) => assert!(
            e.to_string().to_lowercase().contains("pipe") || e.to_string().contains("reset"),
            "{e}"
        ),
    }
    let (status, _) = get(&format!("{}/health", server.url));
    assert_eq!(status, 200, "the server stands after refusing");
}

#[test]
fn a_killed_server_loses_nothing_it_acknowledged() {
    a_killed_server_loses_nothing_it_acknowledged_on(Engine::Sqlite);
}

#[test]
fn a_killed_server_loses_nothing_it_acknowledged_on_postgres() {
    a_killed_server_loses_nothing_it_acknowledged_on(Engine::Postgres);
}

fn a_killed_server_loses_nothing_it_acknowledged_on(engine: Engine) {
    let data = data_dir(&format!("crash-{engine:?}"));
    let Some(_store) = unit_on(&data, engine) else {
        return;
    };
    let bodies = common::small_day_without_duplicates();

    let mut server = serve(&data, &["--open-intake"]);
    // SIGKILL in the middle of the traffic.
    let acknowledged = common::send_and_kill(&mut server, bodies, 60, None);

    let server = serve(&data, &["--open-intake"]);
    let (_, listed) = get(&format!("{}/api/v1/messages?limit=1000", server.url));
    let listed = listed["messages"].as_array().unwrap();
    for (id, sha) in &acknowledged {
        let (status, m) = get(&format!("{}/api/v1/messages/{id}", server.url));
        assert_eq!(status, 200, "acknowledged message {id} lost");
        assert_eq!(m["sha256"].as_str(), Some(sha.as_str()));
        assert_ne!(
            m["state"], "received",
            "message {id} not processed after the restart"
        );
        let copies = listed
            .iter()
            .filter(|x| x["sha256"].as_str() == Some(sha.as_str()))
            .count();
        assert_eq!(copies, 1, "message {id} kept more than once");
    }
    let (_, verdict) = get_as("dpo-1", &format!("{}/api/v1/audit/verify", server.url));
    assert_eq!(verdict["result"], "intact");
}

#[test]
fn travellers_are_screened_and_a_hit_is_reviewed_over_http() {
    let data = data_dir("screening");
    let files = data_dir("screening-files");
    let server = serve(&data, &["--open-intake"]);
    simulate(&["--out", files.to_str().unwrap()]);
    let list = std::fs::read(files.join("watchlist.csv")).unwrap();

    // The unit's national list, imported over HTTP by an administrator (not an analyst).
    let url = &server.url;
    let admin = server.bearer("admin-1");
    let (status, body) = post(&format!("{url}/api/v1/lists/national"), &[], &list);
    assert_eq!(status, 403, "an analyst does not import lists: {body}");
    let (status, report) = post(
        &format!("{url}/api/v1/lists/national"),
        &[("Authorization", admin.as_str())],
        &list,
    );
    assert_eq!(status, 201, "{report}");
    assert_eq!(report["number"], 1);
    assert_eq!(report["entries"], 300);
    let (status, _) = post(
        &format!("{url}/api/v1/lists/national"),
        &[("Authorization", admin.as_str())],
        &list,
    );
    assert_eq!(status, 200, "the same file again is no new version");
    let (_, versions) = get(&format!("{url}/api/v1/lists"));
    assert_eq!(versions["versions"].as_array().unwrap().len(), 1);

    simulate(&["--to", url, "--rate", "5000"]);
    let (status, hits) = get(&format!("{url}/api/v1/hits?state=open&limit=1000"));
    assert_eq!(status, 200);
    let hits = hits["hits"].as_array().unwrap().clone();
    let truth = std::fs::read_to_string(files.join("truth.csv")).unwrap();
    let planted = truth.lines().filter(|l| l.contains(",listed,")).count();
    assert!(planted > 0);
    assert!(
        hits.len() >= planted,
        "{} hits for {planted} planted",
        hits.len()
    );
    let hit = &hits[0];
    assert!(hit["explanation"]["comparisons"].as_array().unwrap().len() > 1);
    assert_eq!(hit["list"], "national");

    // Reviewed as a false alarm and remembered: the decision and the memory are kept.
    let id = hit["id"].as_i64().unwrap();
    let (status, reviewed) = post(
        &format!("{url}/api/v1/hits/{id}/review"),
        &[
            ("Content-Type", "application/json"),
        ],
        br#"{"disposition":"false_alarm","note":"documents differ","remember":{"reason":"other person"}}"#,
    );
    assert_eq!(status, 200, "{reviewed}");
    assert_eq!(reviewed["hit"]["state"], "false_alarm");
    assert!(reviewed["suppression"].as_i64().is_some());
    // The traveller's trips (here one day of traffic: at least this one).
    let manifest_id = hits.iter().find_map(|h| h["manifest_id"].as_i64()).unwrap();
    let (status, trips) = get(&format!("{url}/api/v1/travellers/{manifest_id}/trips"));
    assert_eq!(status, 200, "{trips}");
    assert!(
        trips["trips"]
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["manifest_id"] == manifest_id)
    );
    let (_, audit) = get_as("dpo-1", &format!("{url}/api/v1/audit/verify"));
    assert_eq!(audit["result"], "intact", "{audit}");

    // The carriers' scorecard: counters per day, kept in the store. Without airport zones the
    // server cannot judge timing, and says so.
    let (_, carriers) = get(&format!("{url}/api/v1/carriers"));
    let carrier = carriers["carriers"]
        .as_object()
        .unwrap()
        .keys()
        .next()
        .unwrap()
        .clone();
    let (status, card) = get(&format!(
        "{url}/api/v1/carriers/{carrier}/scorecard?from=2020-01-01&to=2099-12-31"
    ));
    assert_eq!(status, 200, "{card}");
    assert!(card["totals"]["received"].as_i64().unwrap() > 0, "{card}");
    assert!(
        card["totals"]["timing_unknown"].as_i64().unwrap() > 0,
        "{card}"
    );
    assert!(!card["days"].as_array().unwrap().is_empty());
}
