//! The store on both engines (SQLite, and PostgreSQL when configured): the vault keeps bytes and states, keys are
//! recorded only after success, the audit chain verifies and a tampered record is found.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use model::{Capacity, Document, FlightKey, Identity, Sex, Status};
use store::*;

engines! {
async fn the_vault_keeps_every_byte_and_survives_a_reopen(at: TestLocation) {
    let body = b"UNA:+.? 'UNB+UNOA:4+XQ+PIU+261127:0900+1'\xff\x00garbage";
    let id = {
        let store = Store::open_at(&at.location).await.unwrap();
        let id = store
            .receive(&Received {
                channel: "http",
                carrier: "XQ",
                body,
            })
            .await
            .unwrap();
        assert_eq!(store.unprocessed().await.unwrap(), [id]);
        id
    };
    let store = Store::open_at(&at.location).await.unwrap();
    assert_eq!(store.message_body(id).await.unwrap().unwrap(), body);
    let m = store.message(id).await.unwrap().unwrap();
    assert_eq!(
        (m.carrier.as_str(), m.size, m.state),
        ("XQ", body.len() as i64, MessageState::Received)
    );
    assert_eq!(m.sha256.len(), 64);
    assert_eq!(
        store.unprocessed().await.unwrap(),
        [id],
        "a receipt not processed before a crash is processed after"
    );
}
}

engines! {
async fn keys_are_recorded_only_after_success(store: Store) {
    let first = store
        .receive(&Received {
            channel: "http",
            carrier: "XQ",
            body: b"A",
        })
        .await
        .unwrap();
    let findings = serde_json::json!([{"code": "no_message"}]);
    store
        .finish(first, MessageState::Failed, None, &findings, Some("k1"))
        .await
        .unwrap();
    assert_eq!(
        store.processed_under("k1").await.unwrap(),
        None,
        "a failed message can be retried"
    );
    let second = store
        .receive(&Received {
            channel: "http",
            carrier: "XQ",
            body: b"A",
        })
        .await
        .unwrap();
    store
        .finish(
            second,
            MessageState::Processed,
            Some("PAXLST"),
            &serde_json::json!([]),
            Some("k1"),
        )
        .await
        .unwrap();
    assert_eq!(store.processed_under("k1").await.unwrap(), Some(second));
    let third = store
        .receive(&Received {
            channel: "folder",
            carrier: "XQ",
            body: b"A",
        })
        .await
        .unwrap();
    store.mark_duplicate(third, second).await.unwrap();
    let m = store.message(third).await.unwrap().unwrap();
    assert_eq!(
        (m.state, m.duplicate_of),
        (MessageState::Duplicate, Some(second))
    );
    let failed = store.message(first).await.unwrap().unwrap();
    assert_eq!(failed.findings[0]["code"], "no_message");
    let listed = store.messages(Some("XQ"), None, None, 10, 0).await.unwrap();
    assert_eq!(
        listed.iter().map(|m| m.id).collect::<Vec<_>>(),
        [third, second, first]
    );
    let counts = store.count_messages().await.unwrap();
    assert_eq!(
        counts,
        [
            (MessageState::Duplicate, 1),
            (MessageState::Failed, 1),
            (MessageState::Processed, 1)
        ]
    );
}
}

engines! {
async fn the_audit_chain_verifies_and_tampering_is_found(at: TestLocation) {
    let store = Store::open_at(&at.location).await.unwrap();
    for i in 0..5 {
        let subject = format!("message:{i}");
        store
            .audit(&AuditEntry {
                actor: "system",
                action: "message.received",
                subject: &subject,
                purpose: None,
                detail: "channel=http",
            })
            .await
            .unwrap();
    }
    store
        .audit(&AuditEntry {
            actor: "analyst1",
            action: "traveller.viewed",
            subject: "manifest:7",
            purpose: Some("CASE-2026-17"),
            detail: "",
        })
        .await
        .unwrap();
    assert_eq!(
        store.verify_audit().await.unwrap(),
        Verdict::Intact {
            records: 6,
            unsealed: 0,
            anchored: 0
        }
    );
    let mine = store.audit_records(Some("manifest:7"), 10).await.unwrap();
    assert_eq!(mine[0].purpose.as_deref(), Some("CASE-2026-17"));

    // The database refuses edits…
    let refused = at
        .raw("UPDATE audit SET actor = 'nobody' WHERE id = 3")
        .await
        .unwrap_err();
    assert!(refused.to_string().contains("append-only"), "{refused}");
    assert!(at.raw("DELETE FROM audit WHERE id = 3").await.is_err());
    // …and an edit made by someone who drops the trigger is found by the chain.
    at.raw(&at.drop_trigger("audit_no_update", "audit"))
        .await
        .unwrap();
    at.raw("UPDATE audit SET actor = 'nobody' WHERE id = 3")
        .await
        .unwrap();
    assert_eq!(
        store.verify_audit().await.unwrap(),
        Verdict::Broken {
            at: 3,
            records: 6,
            reason: Breach::Hash
        }
    );
}
}

engines! {
async fn flights_and_manifests(store: Store) {
    let message = store
        .receive(&Received {
            channel: "http",
            carrier: "XQ",
            body: b"x",
        })
        .await
        .unwrap();
    let key: FlightKey = "XQ101/AMS-JFK/2026-12-01".parse().unwrap();
    let mut tx = store.begin().await.unwrap();
    let flight = tx
        .flight_id(&key, Some("2026-12-01T10:05"), None)
        .await
        .unwrap();
    assert_eq!(
        tx.flight_id(&key, None, Some("2026-12-01T12:40"))
            .await
            .unwrap(),
        flight
    );
    let identity = Identity {
        surname: "SYNTH".into(),
        given_names: vec!["ANNA".into()],
        sex: Some(Sex::Female),
        date_of_birth: Some(jiff::civil::date(1990, 1, 2)),
        nationality: Some("XXA".into()),
        documents: vec![Document {
            kind: Some("P".into()),
            number: Some("X1234567".into()),
            issuing_state: Some("XXA".into()),
            expiry: None,
        }],
    };
    let update = PersonUpdate {
        reference: Some("P1"),
        booking: Some("QZX123"),
        role: Capacity::Passenger,
        status: Status::Reported,
        identity: &identity,
        message,
    };
    tx.put_persons(flight, std::slice::from_ref(&update))
        .await
        .unwrap();
    tx.put_persons(flight, std::slice::from_ref(&update))
        .await
        .unwrap();
    assert_eq!(
        tx.set_persons_status(flight, &["P1", "P9"], Status::Boarded, message)
            .await
            .unwrap(),
        1,
        "same reference, same row; nobody has P9"
    );
    tx.commit().await.unwrap();
    let f = store.flight(&key.to_string()).await.unwrap().unwrap();
    assert_eq!(
        (f.departure_local.as_deref(), f.arrival_local.as_deref()),
        (Some("2026-12-01T10:05"), Some("2026-12-01T12:40"))
    );
    assert_eq!(store.flights_on("2026-12-01").await.unwrap().len(), 1);
    let manifest = store.manifest(flight).await.unwrap();
    assert_eq!(manifest.len(), 1);
    assert_eq!(manifest[0].status, "boarded");
    assert_eq!(manifest[0].identity, identity);
}
}

engines! {
async fn a_person_without_a_passenger_reference_is_matched_not_added_twice(store: Store) {
    let message = store
        .receive(&Received {
            channel: "http",
            carrier: "XQ",
            body: b"x",
        })
        .await
        .unwrap();
    let key: FlightKey = "XQ102/AMS-JFK/2026-12-01".parse().unwrap();
    let mut identity = Identity {
        surname: "SYNTH".into(),
        given_names: vec!["BORIS".into()],
        date_of_birth: Some(jiff::civil::date(1980, 5, 6)),
        nationality: Some("XXA".into()),
        ..Identity::default()
    };
    let update = |identity: &Identity| {
        let tx = store.begin();
        let identity = identity.clone();
        let key = key.clone();
        async move {
            let mut tx = tx.await.unwrap();
            let flight = tx.flight_id(&key, None, None).await.unwrap();
            tx.put_persons(
                flight,
                &[PersonUpdate {
                    reference: None,
                    booking: Some("QZX999"),
                    role: Capacity::Passenger,
                    status: Status::Reported,
                    identity: &identity,
                    message,
                }],
            )
            .await
            .unwrap();
            tx.commit().await.unwrap();
            flight
        }
    };
    let flight = update(&identity).await;
    // A change (CP) without RFF+ABO correcting the nationality: the same person, updated.
    identity.nationality = Some("XXB".into());
    update(&identity).await;
    let manifest = store.manifest(flight).await.unwrap();
    assert_eq!(manifest.len(), 1);
    assert_eq!(manifest[0].identity.nationality.as_deref(), Some("XXB"));
    // Someone else of the same booking is another row.
    identity.given_names = vec!["CARLA".into()];
    update(&identity).await;
    assert_eq!(store.manifest(flight).await.unwrap().len(), 2);
}
}

engines! {
async fn the_same_person_is_found_across_trips_by_document_or_name_and_birth(store: Store) {
    let message = store
        .receive(&Received {
            channel: "http",
            carrier: "XQ",
            body: b"x",
        })
        .await
        .unwrap();
    let traveller = Identity {
        surname: "SYNTH".into(),
        given_names: vec!["DANA".into()],
        date_of_birth: Some(jiff::civil::date(1975, 3, 4)),
        documents: vec![Document {
            kind: Some("P".into()),
            number: Some("X-7654321".into()),
            issuing_state: Some("XXA".into()),
            expiry: None,
        }],
        ..Identity::default()
    };
    let namesake = Identity {
        date_of_birth: Some(jiff::civil::date(1990, 1, 1)),
        documents: Vec::new(),
        ..traveller.clone()
    };
    let mut rows = Vec::new();
    for (i, (key, identity)) in [
        ("XQ1/AMS-JFK/2026-12-01", &traveller),
        ("XQ2/JFK-AMS/2026-12-09", &traveller),
        ("XQ3/AMS-LHR/2026-12-10", &namesake),
    ]
    .into_iter()
    .enumerate()
    {
        let mut tx = store.begin().await.unwrap();
        let flight = tx
            .flight_id(&key.parse().unwrap(), None, None)
            .await
            .unwrap();
        let reference = format!("P{i}");
        tx.put_persons(
            flight,
            &[PersonUpdate {
                reference: Some(&reference),
                booking: None,
                role: Capacity::Passenger,
                status: Status::Reported,
                identity,
                message,
            }],
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        rows.push(store.manifest(flight).await.unwrap()[0].id);
    }
    let trips = store.trips(rows[0]).await.unwrap();
    let flights: Vec<&str> = trips.iter().map(|t| t.flight.as_str()).collect();
    assert_eq!(
        flights,
        ["XQ2/JFK-AMS/2026-12-09", "XQ1/AMS-JFK/2026-12-01"]
    );
    assert_eq!(
        store.trips(rows[2]).await.unwrap().len(),
        1,
        "a namesake is another person"
    );
    assert_eq!(
        person_key(&traveller).as_deref(),
        Some("D:XXA:X7654321"),
        "separators in the number do not matter"
    );
}
}

engines! {
/// A list that names one passenger reference twice (carriers send such lists) applies the
/// second after the first, on both engines: one row, with the second's data.
async fn a_reference_named_twice_in_one_list_is_one_person(store: Store) {
    let message = store
        .receive(&Received {
            channel: "http",
            carrier: "XQ",
            body: b"x",
        })
        .await
        .unwrap();
    let key: FlightKey = "XQ103/AMS-JFK/2026-12-01".parse().unwrap();
    let first = Identity {
        surname: "SYNTH".into(),
        given_names: vec!["ANNA".into()],
        sex: Some(Sex::Female),
        date_of_birth: Some(jiff::civil::date(1990, 1, 2)),
        nationality: Some("XXA".into()),
        documents: vec![],
    };
    let second = Identity {
        given_names: vec!["ANNE".into()],
        ..first.clone()
    };
    let person = |identity, status| PersonUpdate {
        reference: Some("P1"),
        booking: Some("QZX123"),
        role: Capacity::Passenger,
        status,
        identity,
        message,
    };
    let mut tx = store.begin().await.unwrap();
    let flight = tx.flight_id(&key, None, None).await.unwrap();
    let written = tx
        .put_persons(
            flight,
            &[
                person(&first, Status::Reported),
                person(&second, Status::Boarded),
            ],
        )
        .await
        .unwrap();
    tx.commit().await.unwrap();
    assert_eq!(written, 2);
    let manifest = store.manifest(flight).await.unwrap();
    assert_eq!(manifest.len(), 1);
    assert_eq!(manifest[0].identity, second);
    assert_eq!(manifest[0].status, "boarded");
}
}
