//! Reading masked data again (Directive 2016/681 Art. 12(3)), on both engines: a request is
//! decided only by an authority of another agency than the requester's, and never by the
//! requester; an approval opens the originals to its requester only, and only until it ends;
//! every step is in the audit. The sealing key lives outside the database: a missing key with
//! sealed originals stored stops the store from opening, and the key's file is the owner's.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::os::unix::fs::PermissionsExt;

use jiff::{SignedDuration, Timestamp};
use model::FlightKey;
use store::*;

async fn a_flight(store: &Store) -> i64 {
    let key: FlightKey = "XQ101/AMS-JFK/2026-12-01".parse().unwrap();
    let mut tx = store.begin().await.unwrap();
    let flight = tx.flight_id(&key, None, None).await.unwrap();
    tx.commit().await.unwrap();
    flight
}

fn decision<'a>(
    approve: bool,
    by: &'a str,
    agency: &'a str,
    until: Timestamp,
) -> UnmaskDecision<'a> {
    UnmaskDecision {
        approve,
        decision: "necessary and proportionate",
        valid_until: approve.then_some(until),
        by,
        agency,
    }
}

store::engines! {
async fn only_an_authority_outside_the_unit_opens_masked_data_for_a_time(store: Store) {
    let flight = a_flight(&store).await;
    let request = NewUnmaskRequest {
        flight_id: flight,
        manifest_id: Some(7),
        locator: Some("ABC123"),
        case_reference: "CASE-1",
        grounds: "the person is a suspect in case 1",
        requested_by: "analyst-1",
        agency: "PIU",
    };
    let id = store.request_unmask(&request).await.unwrap();
    let until = Timestamp::now().checked_add(SignedDuration::from_hours(2)).unwrap();
    // The requester, and anyone of the requester's agency, may not decide.
    assert_eq!(
        store.decide_unmask(id, &decision(true, "analyst-1", "COURT", until)).await.unwrap(),
        Decided::OwnRequest
    );
    assert_eq!(
        store.decide_unmask(id, &decision(true, "judge-piu", "piu", until)).await.unwrap(),
        Decided::SameAgency
    );
    assert_eq!(
        store.decide_unmask(id + 1000, &decision(true, "judge-1", "COURT", until)).await.unwrap(),
        Decided::NotFound
    );
    let r = store.unmask_request(id).await.unwrap().unwrap();
    assert_eq!(r.state, "pending");
    assert!(!r.grants("analyst-1", Timestamp::now()));
    assert_eq!(
        store.decide_unmask(id, &decision(true, "judge-1", "COURT", until)).await.unwrap(),
        Decided::Done
    );
    assert_eq!(
        store.decide_unmask(id, &decision(false, "judge-2", "COURT", until)).await.unwrap(),
        Decided::NotPending,
        "decided once"
    );
    let r = store.unmask_request(id).await.unwrap().unwrap();
    assert_eq!(
        (r.state.as_str(), r.decided_by.as_deref(), r.decided_agency.as_deref()),
        ("approved", Some("judge-1"), Some("COURT"))
    );
    // Open to the requester only, until the approval ends.
    let now = Timestamp::now();
    assert!(r.grants("analyst-1", now));
    assert!(!r.grants("analyst-2", now), "another user of the unit");
    let later = until.checked_add(SignedDuration::from_secs(1)).unwrap();
    assert!(!r.grants("analyst-1", later), "after the approval ended");
    // A refused request opens nothing.
    let other = store.request_unmask(&request).await.unwrap();
    store.decide_unmask(other, &decision(false, "judge-1", "COURT", until)).await.unwrap();
    let refused = store.unmask_request(other).await.unwrap().unwrap();
    assert_eq!(refused.state, "refused");
    assert!(!refused.grants("analyst-1", now));
    // The DPO sees both, and reviews each once.
    assert_eq!(store.unmask_requests_to_review().await.unwrap(), 2);
    assert_eq!(store.unmask_requests(None, 10).await.unwrap().len(), 2);
    assert_eq!(store.unmask_requests(Some("analyst-2"), 10).await.unwrap().len(), 0);
    assert!(store.review_unmask(id, "dpo-1").await.unwrap());
    assert!(!store.review_unmask(id, "dpo-1").await.unwrap());
    assert_eq!(store.unmask_requests_to_review().await.unwrap(), 1);
    let actions: Vec<String> = store
        .audit_records(Some(&format!("unmask:{id}")), 10)
        .await
        .unwrap()
        .into_iter()
        .map(|a| a.action)
        .collect();
    assert_eq!(actions, ["unmask.reviewed", "unmask.approved", "unmask.requested"]);
    // The last period takes the requests with the flight.
    store.erase_flight(flight, Mode::Erase).await.unwrap();
    assert!(store.unmask_request(id).await.unwrap().is_none());
}
}

store::engines! {
async fn the_sealing_key_is_kept_outside_and_never_replaced(at: TestLocation) {
    let store = Store::open_at(&at.location).await.unwrap();
    let key = at.dir().join(SEALING_KEY_FILE);
    let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o600);
    let flight = a_flight(&store).await;
    // Something sealed: then a missing key stops the store rather than making a new one.
    let byte = match at.engine() {
        Engine::Sqlite => "X'00'",
        Engine::Postgres => "'\\x00'::bytea",
    };
    at.raw(&format!(
        "INSERT INTO sealed (flight_id, kind, row_key, format, nonce, payload, sealed_at) \
         VALUES ({flight}, 'person', '1', 1, {byte}, {byte}, '2026-12-01T00:00:00Z')"
    ))
    .await
    .unwrap();
    store.close().await;
    std::fs::rename(&key, key.with_extension("moved")).unwrap();
    let e = Store::open_at(&at.location).await.unwrap_err();
    assert!(matches!(e, StoreError::SealingKey(_)), "{e}");
    assert!(e.to_string().contains("restore it from the backup"), "{e}");
    std::fs::rename(key.with_extension("moved"), &key).unwrap();
    let store = Store::open_at(&at.location).await.unwrap();
    // A value sealed under another key does not open: it is reported, not read as empty.
    let e = store.unseal(SealedKind::Person, flight, "1").await.unwrap_err();
    assert!(matches!(e, StoreError::Corrupt(_)), "{e}");
    store.close().await;
}
}
