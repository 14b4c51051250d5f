//! Retention through the real binary on the embedded store: a simulated day ingested, a legal
//! hold placed, runs at injected clocks; after the PNR period no surname of a traveller without
//! an objective link is left in any file of the data directory (every byte read, after the run's
//! checkpoint), and the held flight's travellers are kept masked: their names are not in any
//! file either, its bookings and persons are all there, the console shows them as masked, and
//! their sealed originals open to the names they replaced. The search is first shown to find
//! the surnames while they are held, so that "not found" means gone.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::BTreeSet;

use common::session::Session;
use common::{PASSWORD, data_dir, passage, run};
use jiff::{Timestamp, ToSpan, tz::TimeZone};

/// Every byte of every file under `dir`.
fn all_bytes(dir: &std::path::Path) -> Vec<u8> {
    common::files_under(dir)
        .into_iter()
        .flat_map(|(_, b)| b)
        .collect()
}

fn found(haystack: &[u8], names: &BTreeSet<String>) -> Vec<String> {
    names
        .iter()
        .filter(|n| haystack.windows(n.len()).any(|w| w == n.as_bytes()))
        .cloned()
        .collect()
}

/// Names per flight as the store holds them (surnames and given names of manifests and
/// booking travellers, word by word).
async fn surnames(data: &std::path::Path) -> Vec<(String, BTreeSet<String>)> {
    let store = store::Store::open(&data.join("passage.db")).await.unwrap();
    let mut out = Vec::new();
    for f in store.flights_on("2026-12-01").await.unwrap() {
        let names = common::traveller_names(&store, f.id).await;
        out.push((f.key, names));
    }
    store.close().await;
    out
}

#[tokio::test]
async fn the_data_directory_keeps_nothing_the_law_says_to_delete() {
    let data = data_dir("retention");
    let files = data_dir("retention-files");
    common::ingest_small_day(&data, &files);
    let received = Timestamp::now();

    let flights = surnames(&data).await;
    let (held_flight, held_names) = flights
        .iter()
        .max_by_key(|(_, names)| names.len())
        .cloned()
        .unwrap();
    // Long names of no one on the held flight: a short one may stand in other text.
    let others: BTreeSet<String> = flights
        .iter()
        .filter(|(key, _)| *key != held_flight)
        .flat_map(|(_, names)| names.iter().cloned())
        .filter(|n| n.len() >= 7 && n.bytes().all(|b| b.is_ascii_uppercase()))
        // Fields stand side by side in the database file: KUZNETSOVA would be found in a held
        // KUZNETSOV followed by ALEKSANDR. A name holding a held one, or held in one, is left out.
        .filter(|n| {
            held_names
                .iter()
                .all(|h| !h.contains(n.as_str()) && (h.len() < 4 || !n.contains(h.as_str())))
        })
        .collect();
    assert!(others.len() > 50, "{}", others.len());
    // The held flight's own long names, for the masking that keeps them.
    let held_long: BTreeSet<String> = held_names
        .iter()
        .filter(|n| n.len() >= 7 && n.bytes().all(|b| b.is_ascii_uppercase()))
        .cloned()
        .collect();
    assert!(held_long.len() >= 5, "{held_long:?}");
    assert!(found(&all_bytes(&data), &held_long).len() * 2 > held_long.len());
    let before = found(&all_bytes(&data), &others);
    assert!(
        before.len() * 2 > others.len(),
        "the search finds held surnames: {} of {}",
        before.len(),
        others.len()
    );

    // The DPO places the hold from the console (a supervisor may too; an analyst may not see
    // the page), and a second one on a booking, released again.
    {
        let server = common::serve(&data, &["--retention-minutes", "0"]);
        let mut analyst = Session::new(&server.url);
        analyst.sign_in("analyst-1", PASSWORD);
        assert_eq!(analyst.get("/retention").status, 403);
        let mut dpo = Session::new(&server.url);
        assert_eq!(dpo.sign_in("dpo-1", PASSWORD).status, 303);
        let page = dpo.get("/retention");
        assert_eq!(page.status, 200);
        assert!(
            page.body.contains("id=\"policy\">eu-2016-681<"),
            "{}",
            page.body
        );
        assert!(page.body.contains("6 months") && page.body.contains("24 hours"));
        let placed = dpo.post(
            "/retention/holds",
            "/retention",
            &[
                ("flight", &held_flight),
                ("case", "CASE-7"),
                ("reason", "an open case"),
            ],
        );
        assert_eq!(placed.status, 303, "{}", placed.body);
        let refused = dpo.post(
            "/retention/holds",
            "/retention",
            &[
                ("flight", &held_flight),
                ("case", ""),
                ("reason", "no case"),
            ],
        );
        assert_eq!(refused.status, 400);
        let other = &flights.iter().find(|(k, _)| *k != held_flight).unwrap().0;
        let booking = {
            let store = store::Store::open(&data.join("passage.db")).await.unwrap();
            let f = store.flight(other).await.unwrap().unwrap();
            let b = store.bookings(f.id).await.unwrap()[0].locator.clone();
            store.close().await;
            b
        };
        let placed = dpo.post(
            "/retention/holds",
            "/retention",
            &[
                ("flight", other),
                ("booking", &booking),
                ("case", "CASE-8"),
                ("reason", "a day"),
            ],
        );
        assert_eq!(placed.status, 303);
        let page = dpo.get("/retention");
        assert!(page.body.contains("CASE-7") && page.body.contains("CASE-8"));
        let id = {
            let before = page.body.split("CASE-8").next().unwrap();
            let row = before.rsplit("id=\"hold-").next().unwrap();
            row.split('"').next().unwrap().to_string()
        };
        let released = dpo.post(&format!("/retention/holds/{id}/release"), "/retention", &[]);
        assert_eq!(released.status, 303);
        let page = dpo.get("/retention");
        assert!(page.body.contains("CASE-7") && !page.body.contains("CASE-8"));
        // An analyst sees beside a traveller when their data leave the unit.
        let (held_person, other_person, other_identity) = {
            let store = store::Store::open(&data.join("passage.db")).await.unwrap();
            let f = store.flight(&held_flight).await.unwrap().unwrap();
            let held = store.manifest(f.id).await.unwrap()[0].id;
            let f = store.flight(other).await.unwrap().unwrap();
            let other = store.manifest(f.id).await.unwrap()[0].clone();
            store.close().await;
            (held, other.id, other.identity)
        };
        let stated = analyst.state_purpose("CASE-7");
        assert_eq!(stated.status, 303);
        let page = analyst.get(&format!("/travellers/{other_person}"));
        assert!(
            page.body.contains("API data deleted at 2026-12-0"),
            "{}",
            page.body
        );
        let page = analyst.get(&format!("/travellers/{held_person}"));
        assert!(
            page.body.contains("API data kept by an objective link"),
            "{}",
            page.body
        );
        // A data subject's request (the other person): the DPO finds their API record, where it
        // came from, when it goes, and the analyst's consultation of it with its purpose.
        let dsr = format!(
            "/data-subjects?surname={}&birth={}",
            other_identity.surname,
            other_identity
                .date_of_birth
                .map(|d| d.to_string())
                .unwrap_or_default()
        );
        let first = dpo.get(&dsr);
        assert_eq!(first.status, 303, "a purpose first");
        dpo.state_purpose("DSR-1");
        let report = dpo.get(&dsr);
        assert_eq!(report.status, 200);
        assert!(
            report
                .body
                .contains(&format!("href=\"/travellers/{other_person}\"")),
            "{}",
            report.body
        );
        assert!(report.body.contains(other.as_str()), "the flight");
        assert!(
            report.body.contains("API data deleted at 2026-12-0"),
            "{}",
            report.body
        );
        let accesses = report.body.split("id=\"subject-accesses\"").nth(1).unwrap();
        assert!(
            accesses.contains("traveller.viewed")
                && accesses.contains("analyst-1")
                && accesses.contains("CASE-7")
                && accesses.contains(&format!("traveller:{other_person}")),
            "{accesses}"
        );
        assert!(accesses.contains("consultation"));
        // The request asks for erasure: the DPO erases the record with a reason (an analyst
        // may not), and the same report no longer finds it but lists the erasure.
        let fields = [
            ("traveller", other_person.to_string()),
            (
                "reason",
                "received in error: not on this flight".to_string(),
            ),
        ];
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let erase = format!(
            "/data-subjects/erase?surname={}",
            other_identity.surname.replace(' ', "%20")
        );
        assert_eq!(analyst.post(&erase, "/", &fields).status, 403);
        let erased = dpo.post(&erase, &dsr, &fields);
        assert_eq!(erased.status, 303, "{}", erased.body);
        assert!(
            erased.location.contains(&format!("erased={other_person}")),
            "{}",
            erased.location
        );
        let report = dpo.get(&erased.location);
        assert!(
            report.body.contains("id=\"subject-erased\""),
            "{}",
            report.body
        );
        assert!(
            !report
                .body
                .contains(&format!("href=\"/travellers/{other_person}\"")),
            "{}",
            report.body
        );
        let accesses = report.body.split("id=\"subject-accesses\"").nth(1).unwrap();
        assert!(
            accesses.contains("subject.erased") && accesses.contains("DSR-1"),
            "{accesses}"
        );
        assert_eq!(
            analyst.get(&format!("/travellers/{other_person}")).status,
            404
        );
        assert_eq!(analyst.get("/data-subjects").status, 403, "the DPO's page");
        let audit = dpo.get("/audit?kind=administration");
        assert!(audit.body.contains("retention.hold_placed"));
        assert!(audit.body.contains("retention.hold_released"));
        assert!(
            !audit.body.contains("message.received"),
            "only administration"
        );
    }
    let holds = passage(&data, &["retention", "holds"], "");
    assert_eq!(holds.lines().count(), 1, "{holds}");
    assert!(
        holds.contains("CASE-7") && holds.contains("whole flight"),
        "{holds}"
    );
    let out = passage(
        &data,
        &["retention", "run", "--now", "2026-12-04T00:00:00Z"],
        "",
    );
    assert!(
        out.contains("API data") && out.contains("api_persons"),
        "{out}"
    );
    // A clock behind the last run's is refused, and says so.
    let (code, _, err) = run(
        &data,
        &["retention", "run", "--now", "2026-12-03T00:00:00Z"],
        "",
    );
    assert_ne!(code, 0);
    assert!(err.contains("behind"), "{err}");

    let seven_months = received
        .to_zoned_datetime(TimeZone::UTC)
        .checked_add(7.months())
        .unwrap()
        .timestamp()
        .to_string();
    let out = passage(&data, &["retention", "run", "--now", &seven_months], "");
    assert!(out.contains("pnr_versions"), "{out}");
    let mut left = found(&all_bytes(&data), &others);
    left.extend(found(&all_bytes(&data), &held_long));
    if !left.is_empty() {
        // Where they stand, for whoever reads a failure.
        for n in &left {
            for (p, bytes) in common::files_under(&data) {
                if let Some(at) = bytes.windows(n.len()).position(|w| w == n.as_bytes()) {
                    let around = &bytes[at.saturating_sub(80)..(at + 80).min(bytes.len())];
                    eprintln!("{}: {}", p.display(), String::from_utf8_lossy(around));
                }
            }
        }
    }
    assert!(left.is_empty(), "still in the data directory: {left:?}");

    // What the hold protects is kept, masked: every person and booking of the flight is
    // there without a name, and the sealed originals open to the names they replaced.
    let held = surnames(&data).await;
    assert!(held.iter().all(|(_, n)| n.is_empty()), "{held:?}");
    let (held_person, sealed_surname) = {
        let store = store::Store::open(&data.join("passage.db")).await.unwrap();
        let f = store.flight(&held_flight).await.unwrap().unwrap();
        let manifest = store.manifest(f.id).await.unwrap();
        assert!(!manifest.is_empty() && manifest.iter().all(|m| m.masked_at.is_some()));
        assert!(!store.bookings(f.id).await.unwrap().is_empty());
        let original = store
            .unseal_person(f.id, manifest[0].id)
            .await
            .unwrap()
            .unwrap();
        store.close().await;
        (manifest[0].id, original.surname)
    };
    assert!(held_names.contains(&sealed_surname), "{sealed_surname}");
    {
        let server = common::serve(&data, &["--retention-minutes", "0"]);
        let mut analyst = Session::new(&server.url);
        analyst.sign_in("analyst-1", PASSWORD);
        analyst.state_purpose("CASE-7");
        let page = analyst.get(&format!("/travellers/{held_person}"));
        assert_eq!(page.status, 200);
        assert!(page.body.contains("id=\"masked\""), "{}", page.body);
        assert!(page.body.contains(">masked<"), "{}", page.body);
        assert!(!page.body.contains(&sealed_surname), "{}", page.body);
        let mut dpo = Session::new(&server.url);
        dpo.sign_in("dpo-1", PASSWORD);
        let page = dpo.get("/retention");
        assert!(page.body.contains("id=\"sealed\""), "{}", page.body);
        let audit = dpo.get("/audit?kind=erasure");
        assert!(audit.body.contains("retention.masked"), "{}", audit.body);

        // Unmasking (Art. 12(3)): the analyst files a reasoned request; nobody in the unit may
        // decide it (a supervisor by the route table, an "authority" of the unit's own agency
        // by the rule); the court's authority approves it for an hour; then the requester, and
        // nobody else, reads the full data of that person; the DPO sees it and reviews it, and
        // every step is in the audit.
        let filed = analyst.post(
            &format!("/travellers/{held_person}/unmask"),
            &format!("/travellers/{held_person}"),
            &[
                ("case", "CASE-7"),
                ("grounds", "the held traveller is a suspect in case 7"),
            ],
        );
        assert_eq!(filed.status, 303, "{}", filed.body);
        let request = filed.location.clone();
        assert!(request.starts_with("/unmask/"), "{request}");
        let pending = analyst.get(&request);
        assert!(
            pending.body.contains("id=\"unmask-state\">pending<"),
            "{}",
            pending.body
        );
        assert!(!pending.body.contains(&sealed_surname));
        let mut supervisor = Session::new(&server.url);
        supervisor.sign_in("supervisor-1", PASSWORD);
        let decide = format!("{request}/decide");
        let approve = [
            ("decision", "approve"),
            ("hours", "1"),
            ("reasons", "necessary and proportionate for case 7"),
        ];
        assert_eq!(supervisor.post(&decide, "/", &approve).status, 403);
        let mut own_agency = Session::new(&server.url);
        own_agency.sign_in("judge-piu", PASSWORD);
        let refused = own_agency.post(&decide, &request, &approve);
        assert_eq!(refused.status, 403);
        assert!(
            refused.body.contains("id=\"unmask-error\""),
            "{}",
            refused.body
        );
        assert!(refused.body.contains(">pending<"));
        let mut judge = Session::new(&server.url);
        assert_eq!(judge.sign_in("judge-1", PASSWORD).status, 303);
        let listed = judge.get("/unmask");
        assert!(listed.body.contains("CASE-7"), "{}", listed.body);
        let decided = judge.post(&decide, &request, &approve);
        assert_eq!(decided.status, 303, "{}", decided.body);
        let page = judge.get(&request);
        assert!(page.body.contains(">approved<") && !page.body.contains(&sealed_surname));
        let granted = analyst.get(&request);
        assert!(
            granted.body.contains("id=\"unmask-granted\""),
            "{}",
            granted.body
        );
        assert!(granted.body.contains(&sealed_surname), "{}", granted.body);
        let mut colleague = Session::new(&server.url);
        colleague.sign_in("lead-1", PASSWORD);
        assert_eq!(
            colleague.get(&request).status,
            404,
            "another's request is not theirs"
        );
        let page = dpo.get("/retention");
        assert!(
            page.body.contains("id=\"unmask-to-review\""),
            "{}",
            page.body
        );
        let page = dpo.get(&request);
        assert!(
            !page.body.contains(&sealed_surname),
            "the DPO reviews, does not read"
        );
        assert_eq!(
            dpo.post(&format!("{request}/reviewed"), &request, &[])
                .status,
            303
        );
        assert!(
            !dpo.get("/retention")
                .body
                .contains("id=\"unmask-to-review\"")
        );
        let audit = dpo.get("/audit");
        for action in [
            "unmask.requested",
            "unmask.approved",
            "traveller.unmasked",
            "unmask.reviewed",
        ] {
            assert!(audit.body.contains(action), "{action}: {}", audit.body);
        }
        let disclosures = dpo.get("/audit?kind=disclosure");
        assert!(
            disclosures.body.contains("traveller.unmasked"),
            "{}",
            disclosures.body
        );
    }
    let status: serde_json::Value = serde_json::from_str(&passage(
        &data,
        &["retention", "status", "--json", "--now", &seven_months],
        "",
    ))
    .unwrap();
    assert_eq!(status["policy"], "eu-2016-681");
    assert_eq!(status["oldest"]["active_holds"], 1);
    assert_eq!(status["due_now"]["erased"]["pnr_versions"], 0, "{status}");
    assert_eq!(status["last_runs"].as_array().unwrap().len(), 2);
    let _ = std::fs::remove_dir_all(&data);
    let _ = std::fs::remove_dir_all(&files);
}

#[test]
fn a_policy_that_does_not_hold_stops_the_start() {
    let data = data_dir("retention-policy");
    std::fs::create_dir_all(&data).unwrap();
    let policy = data.join("policy.toml");
    std::fs::write(
        &policy,
        retention::EU_2016_681.replace(
            "deleted_after = \"5 years\"",
            "deleted_after = \"3 months\"",
        ),
    )
    .unwrap();
    let policy = policy.to_str().unwrap();
    let (code, _, err) = run(
        &data,
        &["retention", "status", "--retention-policy", policy],
        "",
    );
    assert_ne!(code, 0);
    assert!(err.contains("longer than pnr.deleted_after"), "{err}");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_passage"))
        .args(["serve", "--port", "0", "--data", data.to_str().unwrap()])
        .args(["--retention-policy", policy])
        .env_remove("PASSAGE_STORE")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("pnr.deleted_after"), "{err}");
    let _ = std::fs::remove_dir_all(&data);
}
