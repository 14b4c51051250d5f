//! A unit copied from its embedded store to PostgreSQL (`passage migrate --from`) brings its
//! keys: the audit verifies on the copy, and a person's key on the copy is the one the source
//! kept, so a person is found again on later flights and remembered false alarms still match.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use common::{data_dir, passage};

#[tokio::test]
async fn a_unit_moves_to_postgresql_with_its_keys() {
    let Some(scratch) = store::testing::ScratchPostgres::create().await else {
        assert!(
            std::env::var_os("CI").is_none(),
            "PostgreSQL is required in CI (PASSAGE_TEST_POSTGRES_URL)"
        );
        return;
    };
    let source = data_dir("migrate-source");
    let files = data_dir("migrate-files");
    common::ingest_small_day(&source, &files);
    let (person, key) = {
        let store = store::Store::open(&source.join("passage.db"))
            .await
            .unwrap();
        let mut person = None;
        for f in store.flights_on("2026-12-01").await.unwrap() {
            if let Some(m) = store.manifest(f.id).await.unwrap().first() {
                person = Some(m.id);
                break;
            }
        }
        let person = person.expect("a person on a manifest");
        let key = store.person_key_of(person).await.unwrap().unwrap();
        store.close().await;
        (person, key)
    };
    assert!(key.starts_with("k:"), "{key}");

    let target = data_dir("migrate-target");
    let db = source.join("passage.db");
    let out = passage(
        &target,
        &[
            "migrate",
            "--from",
            db.to_str().unwrap(),
            "--store",
            scratch.url(),
        ],
        "",
    );
    assert!(out.contains("audit on the copy: Intact"), "{out}");
    for file in [
        store::KEY_FILE,
        store::SEALING_KEY_FILE,
        store::IDENTITY_KEY_FILE,
    ] {
        assert_eq!(
            std::fs::read(source.join(file)).unwrap(),
            std::fs::read(target.join(file)).unwrap(),
            "{file}"
        );
    }
    let copy = store::Store::open_postgres(scratch.url(), &target)
        .await
        .unwrap();
    assert_eq!(copy.person_key_of(person).await.unwrap(), Some(key.clone()));
    // The copy keys a new value as the source did.
    let plain = "D:XXA:X1234567";
    let source_store = store::Store::open(&db).await.unwrap();
    assert_eq!(
        copy.identity_key().keyed(plain),
        source_store.identity_key().keyed(plain)
    );
    source_store.close().await;
    copy.close().await;
    for dir in [&source, &files, &target] {
        let _ = std::fs::remove_dir_all(dir);
    }
}
