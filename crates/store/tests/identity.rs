//! Keyed identity values, on both engines: a person key is stored keyed (no name, birth date
//! or document number in the column), the same person gets the same key on another flight,
//! values kept before keys existed are keyed when the store opens, and a missing key with
//! keyed values stored stops the store.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use model::{Capacity, Document, FlightKey, Identity, Status};
use store::*;

fn someone() -> Identity {
    Identity {
        surname: "QUILLFEATHER".into(),
        given_names: vec!["ANNA".into()],
        sex: None,
        date_of_birth: Some("1980-01-01".parse().unwrap()),
        nationality: Some("XXA".into()),
        documents: vec![Document {
            kind: Some("P".into()),
            number: Some("X1234567".into()),
            issuing_state: Some("XXA".into()),
            expiry: None,
        }],
    }
}

async fn on_flight(store: &Store, key: &str, identity: &Identity) -> i64 {
    let message = store
        .receive(&Received {
            channel: "http",
            carrier: "XQ",
            body: key.as_bytes(),
        })
        .await
        .unwrap();
    let key: FlightKey = key.parse().unwrap();
    let mut tx = store.begin().await.unwrap();
    let flight = tx.flight_id(&key, None, None).await.unwrap();
    tx.put_persons(
        flight,
        &[PersonUpdate {
            reference: Some("1"),
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
    store.manifest(flight).await.unwrap()[0].id
}

async fn person_keys(at: &store::testing::TestLocation) -> Vec<String> {
    let store = Store::open_at(&at.location).await.unwrap();
    let mut out = Vec::new();
    for f in ["XQ101/AMS-JFK/2026-12-01", "XQ102/JFK-AMS/2026-12-05"] {
        let flight = store.flight(f).await.unwrap().unwrap();
        let id = store.manifest(flight.id).await.unwrap()[0].id;
        out.extend(store.person_key_of(id).await.unwrap());
    }
    store.close().await;
    out
}

store::engines! {
async fn person_keys_are_keyed_and_old_ones_keyed_on_opening(at: TestLocation) {
    let store = Store::open_at(&at.location).await.unwrap();
    let one = on_flight(&store, "XQ101/AMS-JFK/2026-12-01", &someone()).await;
    let two = on_flight(&store, "XQ102/JFK-AMS/2026-12-05", &someone()).await;
    store.close().await;
    let keys = person_keys(at).await;
    assert_eq!(keys.len(), 2);
    assert_eq!(keys[0], keys[1], "the same person on two flights");
    assert!(keys[0].starts_with("k:") && keys[0].len() == 34, "{}", keys[0]);
    for plain in ["QUILLFEATHER", "X1234567", "1980"] {
        assert!(!keys[0].contains(plain));
    }
    let trips = {
        let store = Store::open_at(&at.location).await.unwrap();
        let t = store.trips(one).await.unwrap();
        store.close().await;
        t
    };
    assert_eq!(trips.len(), 2, "found again through the keyed value");

    // A key kept before keys existed is keyed when the store opens, to the same value.
    at.raw(&format!("UPDATE manifest SET person_key = 'D:XXA:X1234567' WHERE id = {two}"))
        .await
        .unwrap();
    let rekeyed = person_keys(at).await;
    assert_eq!(rekeyed, keys);

    // Without its key the store does not open: a new key would match nothing kept.
    let file = at.dir().join(IDENTITY_KEY_FILE);
    std::fs::rename(&file, file.with_extension("moved")).unwrap();
    let e = Store::open_at(&at.location).await.unwrap_err();
    assert!(matches!(e, StoreError::IdentityKey(_)), "{e}");
    std::fs::rename(file.with_extension("moved"), &file).unwrap();
}
}
