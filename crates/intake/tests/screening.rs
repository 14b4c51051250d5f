//! Every traveller screened as intake stores them: planted travellers found with their
//! explanation, a remembered false alarm suppressed (visibly) next time, and a list change
//! re-screening the travellers already stored against the changed entries only.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::{HashMap, HashSet};

use intake::{Config, Intake};
use screening::Format;
use store::{Disposition, Store};

async fn day(store: Store) -> (Intake, simulator::Outcome, String) {
    let mut config = simulator::Config::new(11, simulator::Size::Small, 1);
    // Plant listed people and look-alikes on most flights (the default is a realistic 3%).
    config.planted_share = 0.5;
    let sim = simulator::Simulator::new(config).unwrap();
    let csv = simulator::truth::watchlist_csv(sim.watchlist());
    let mut sent = Vec::new();
    let outcome = sim.run(|m| sent.push(m));
    sent.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.file.cmp(&b.file)));
    // The intake's clock is the simulated send time of the message being taken in, and stays
    // on the simulated day afterwards: re-screening and expiry never read the real date.
    let clock = intake::SetClock::new(sent[0].at);
    let intake = Intake::new(store, Config::default()).with_clock(clock.clock());
    let report = intake
        .watchlists()
        .import("national", Format::Csv, csv.as_bytes(), "test-admin")
        .await
        .unwrap();
    assert!(report.new_version);
    assert_eq!(report.number, 1);
    assert_eq!(report.entries, sim.watchlist().len());
    assert_eq!(report.added, sim.watchlist().len());
    for m in &sent {
        clock.set(m.at);
        intake.receive("http", &m.carrier, &m.bytes).await.unwrap();
    }
    (intake, outcome, csv)
}

/// (flight key, API passenger reference) → entries hit.
async fn api_hits(intake: &Intake) -> HashMap<(String, String), HashSet<String>> {
    let store = intake.store();
    let mut out: HashMap<(String, String), HashSet<String>> = HashMap::new();
    let mut references: HashMap<i64, String> = HashMap::new();
    for h in store.hits(None, None, 1_000_000).await.unwrap() {
        let Some(manifest_id) = h.manifest_id else {
            continue;
        };
        if !references.contains_key(&manifest_id) {
            for row in store.manifest(h.flight_id).await.unwrap() {
                references.insert(row.id, row.reference.unwrap_or_default());
            }
        }
        out.entry((h.flight.clone(), references[&manifest_id].clone()))
            .or_default()
            .insert(h.entry_id);
    }
    out
}

store::engines! {
async fn planted_travellers_are_hit_with_explanations_and_look_alikes_are_explained(store: Store) {
    let (intake, outcome, _) = day(store).await;
    let hits = api_hits(&intake).await;
    let listed: Vec<_> = outcome
        .truth
        .iter()
        .filter(|t| matches!(t.relation, simulator::Relation::Listed(_)))
        .collect();
    assert!(!listed.is_empty());
    let found = listed
        .iter()
        .filter(|t| {
            hits.get(&(t.flight.clone(), t.passenger_reference.clone()))
                .is_some_and(|e| e.contains(&t.entry))
        })
        .count();
    // The matcher's accuracy is measured by `passage screen eval`; here the wiring: nearly every
    // planted traveller reaches the review queue through the API list.
    assert!(
        found * 100 >= listed.len() * 90,
        "{found} of {} planted travellers hit",
        listed.len()
    );
    // Each hit carries its explanation, list and version.
    let all = intake.store().hits(Some("open"), None, 10).await.unwrap();
    assert!(!all.is_empty());
    for h in &all {
        assert_eq!((h.list.as_str(), h.list_version), ("national", 1));
        assert!(h.score > 0.0 && h.score <= 1.0);
        assert!(
            h.explanation["comparisons"]
                .as_array()
                .is_some_and(|c| !c.is_empty()),
            "{}",
            h.explanation
        );
    }
    // PNR travellers are screened too.
    let pnr = intake
        .store()
        .hits(None, None, 1_000_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|h| h.locator.is_some())
        .count();
    assert!(pnr > 0);
}
}

store::engines! {
async fn a_remembered_false_alarm_is_suppressed_visibly_and_a_list_change_rescreens(store: Store) {
    let (intake, _, csv) = day(store).await;
    let store = intake.store();
    // The strongest hit: a planted traveller, who stays a hit whatever the traffic's name
    // frequencies (the screener counts them once the store holds enough travellers).
    let hit = store
        .hits(Some("open"), None, 1_000_000)
        .await
        .unwrap()
        .into_iter()
        .filter(|h| h.manifest_id.is_some())
        .max_by(|a, b| a.score.total_cmp(&b.score))
        .unwrap();

    // The analyst says: not this entry; remember it.
    let mut tx = store.begin().await.unwrap();
    assert!(
        tx.review_hit(hit.id, Disposition::FalseAlarm, "analyst-1", "other person")
            .await
            .unwrap()
    );
    tx.put_suppression(
        &hit.fingerprint,
        &hit.list,
        &hit.entry_id,
        "different person, checked documents",
        "analyst-1",
        None,
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    intake.watchlists().load().await.unwrap();

    // A new version of the list changes that entry (a reason added): the stored travellers are
    // screened again against it, and only it.
    let changed = csv
        .lines()
        .map(|l| {
            if l.starts_with(&format!("{},", hit.entry_id)) {
                format!("{l} (updated)")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let report = intake
        .watchlists()
        .import("national", Format::Csv, changed.as_bytes(), "test-admin")
        .await
        .unwrap();
    assert_eq!(
        (report.number, report.changed, report.added, report.removed),
        (2, 1, 0, 0)
    );
    assert!(report.rescreened > 0);
    assert!(report.hits >= 1, "{report:?}");
    let again = store.hit(hit.id).await.unwrap().unwrap();
    assert_eq!(again.list_version, 2, "the hit now names the new version");
    assert_eq!(again.state, "false_alarm", "the review stays");
    assert!(again.suppression_id.is_some(), "and the memory is visible");

    // The same file again is not a new version.
    let same = intake
        .watchlists()
        .import("national", Format::Csv, changed.as_bytes(), "test-admin")
        .await
        .unwrap();
    assert!(!same.new_version);
    assert_eq!(
        store.list_versions(Some("national")).await.unwrap().len(),
        2
    );

    // Reviews, memories and imports are audited; the chain holds.
    let actions: Vec<String> = store
        .audit_records(None, 100_000)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect();
    for a in ["hit.reviewed", "suppression.created", "watchlist.imported"] {
        assert!(actions.iter().any(|x| x == a), "{a}");
    }
    assert!(matches!(
        store.verify_audit().await.unwrap(),
        store::Verdict::Intact { .. }
    ));
}
}
