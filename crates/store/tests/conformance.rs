//! What several nodes on one store rely on, on both engines: two `Store`s opened on the same
//! database (two processes, or two machines on one PostgreSQL) write at once and the audit stays
//! one chain, receipts get distinct numbers, and what one writes the other reads.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use store::*;

fn entry(subject: &str) -> AuditEntry<'_> {
    AuditEntry {
        actor: "system",
        action: "test.appended",
        subject,
        purpose: None,
        detail: "",
    }
}

engines! {
    /// Two nodes append at once: one chain, no fork, every record verifies.
    async fn two_nodes_append_to_one_audit_chain(at: TestLocation) {
        let first = Store::open_at(&at.location).await.unwrap();
        let second = Store::open_at(&at.location).await.unwrap();
        let before = match first.verify_audit().await.unwrap() {
            Verdict::Intact { records, .. } => records,
            other => panic!("{other:?}"),
        };
        let mut tasks = tokio::task::JoinSet::new();
        for (node, store) in [(1, first.clone()), (2, second.clone())] {
            for i in 0..40 {
                let store = store.clone();
                tasks.spawn(async move {
                    if i % 2 == 0 {
                        store.audit(&entry(&format!("node:{node}/{i}"))).await.unwrap();
                    } else {
                        store
                            .receive(&Received {
                                channel: "http",
                                carrier: "XQ",
                                body: format!("UNA:+.? 'UNB+UNOA:4+XQ+PIU+{node}{i}'").as_bytes(),
                            })
                            .await
                            .unwrap();
                    }
                });
            }
        }
        while let Some(done) = tasks.join_next().await {
            done.unwrap();
        }
        // 40 appends and 40 receipts (each audited) from the two nodes
        for store in [&first, &second] {
            match store.verify_audit().await.unwrap() {
                Verdict::Intact { records, .. } => assert_eq!(records, before + 80),
                other => panic!("{other:?}"),
            }
        }
        let ids = second.messages(None, None, None, 100, 0).await.unwrap();
        let mut numbers: Vec<i64> = ids.iter().map(|m| m.id).collect();
        numbers.sort_unstable();
        numbers.dedup();
        assert_eq!(numbers.len(), 40, "every receipt has a number of its own");
        assert_eq!(first.unprocessed().await.unwrap().len(), 40);
        first.close().await;
        second.close().await;
    }
}

engines! {
    /// A write transaction holds the write lock: a second one waits for it rather than
    /// interleaving, so a read-then-write (the next audit number) sees the first's commit.
    async fn a_write_transaction_waits_for_the_one_before(at: TestLocation) {
        let first = Store::open_at(&at.location).await.unwrap();
        let second = Store::open_at(&at.location).await.unwrap();
        let mut tx = first.begin().await.unwrap();
        let a = tx.audit(&entry("held")).await.unwrap();
        let waiting = tokio::spawn(async move {
            let started = std::time::Instant::now();
            let id = second.audit(&entry("after")).await.unwrap();
            second.close().await;
            (id, started.elapsed())
        });
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        assert!(!waiting.is_finished(), "the second writer waits for the lock");
        tx.commit().await.unwrap();
        let (b, waited) = waiting.await.unwrap();
        assert_eq!(b, a + 1, "the second record follows the first in the chain");
        assert!(waited >= std::time::Duration::from_millis(250), "{waited:?}");
        assert!(matches!(
            first.verify_audit().await.unwrap(),
            Verdict::Intact { .. }
        ));
        first.close().await;
    }
}

engines! {
    /// A body is rewritten once, to what the law lets the unit keep; never again, and never
    /// otherwise. The digest and size stay those of what was received.
    async fn a_body_is_filtered_once_and_then_fixed(at: TestLocation) {
        let store = Store::open_at(&at.location).await.unwrap();
        let id = store
            .receive(&Received {
                channel: "http",
                carrier: "XQ",
                body: b"UNH+1'SSR+VJML'UNT+3+1'",
            })
            .await
            .unwrap();
        let received = store.message(id).await.unwrap().unwrap();
        assert_eq!(received.body, BodyKept::AsReceived);
        let mut tx = store.begin().await.unwrap();
        tx.keep_filtered(id, b"UNH+1'UNT+2+1'").await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(store.message_body(id).await.unwrap().unwrap(), b"UNH+1'UNT+2+1'");
        let filtered = store.message(id).await.unwrap().unwrap();
        assert_eq!(filtered.body, BodyKept::Filtered);
        assert_eq!((filtered.sha256, filtered.size), (received.sha256, received.size));

        let mut tx = store.begin().await.unwrap();
        let e = tx.keep_filtered(id, b"UNH+1'SSR+VJML'UNT+3+1'").await.unwrap_err();
        assert!(e.to_string().contains("legally filtered once"), "{e}");
        drop(tx);
        let mut tx = store.begin().await.unwrap();
        let e = tx.keep_filtered(id + 1, b"x").await.unwrap_err();
        assert!(e.to_string().contains("not one"), "{e}");
        drop(tx);
        store.close().await;
        let e = at
            .raw("UPDATE message_bodies SET body = body, filtered = FALSE")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("legally filtered once"), "{e}");
        let store = Store::open_at(&at.location).await.unwrap();
        assert_eq!(store.message_body(id).await.unwrap().unwrap(), b"UNH+1'UNT+2+1'");
    }
}

engines! {
    /// What is append-only is refused by the database itself, whoever asks.
    async fn the_database_refuses_to_rewrite_what_is_append_only(at: TestLocation) {
        let store = Store::open_at(&at.location).await.unwrap();
        store.audit(&entry("kept")).await.unwrap();
        let id = store
            .receive(&Received {
                channel: "http",
                carrier: "XQ",
                body: b"UNA:+.? '",
            })
            .await
            .unwrap();
        store.close().await;
        for (sql, refusal) in [
            ("UPDATE audit SET actor = 'x'", "append-only"),
            ("DELETE FROM audit", "append-only"),
            (
                "UPDATE message_bodies SET body = body",
                "the vault keeps messages as received",
            ),
        ] {
            let e = at.raw(sql).await.unwrap_err();
            assert!(e.to_string().contains(refusal), "{sql}: {e}");
        }
        if at.engine() == Engine::Postgres {
            let e = at.raw("TRUNCATE audit").await.unwrap_err();
            assert!(e.to_string().contains("append-only"), "{e}");
        }
        let store = Store::open_at(&at.location).await.unwrap();
        assert!(store.message_body(id).await.unwrap().is_some());
        assert!(matches!(
            store.verify_audit().await.unwrap(),
            Verdict::Intact { .. }
        ));
        store.close().await;
    }
}

engines! {
    /// The schema is migrated once, by whichever node opens first; the others find it done.
    async fn nodes_opening_at_once_migrate_once(at: TestLocation) {
        let (a, b) = tokio::join!(
            Store::open_at(&at.location),
            Store::open_at(&at.location)
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        let (sa, sb) = (a.schema_version().await.unwrap(), b.schema_version().await.unwrap());
        assert_eq!(sa, sb);
        // The engine's folder applied up to its last file (numbered as the file's prefix).
        let folder = match at.engine() {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        };
        let last = std::fs::read_dir(format!("{}/migrations/{folder}", env!("CARGO_MANIFEST_DIR")))
            .unwrap()
            .filter_map(|f| {
                let name = f.unwrap().file_name().into_string().unwrap();
                name.strip_suffix(".sql")?.split('_').next()?.parse::<i64>().ok()
            })
            .max()
            .unwrap();
        assert_eq!(sa.version, last);
        a.close().await;
        b.close().await;
    }
}

/// A unit moves from the embedded store to PostgreSQL: every row, the numbering continuing
/// after them, and the audit verifying on the copy under the same key.
#[tokio::test]
async fn a_unit_moves_from_the_embedded_store_to_postgres() {
    let Some(source_at) = testing::location_on(Engine::Sqlite).await else {
        return;
    };
    let Some(target) = testing::ScratchPostgres::create().await else {
        return;
    };
    let source = Store::open_at(&source_at.location).await.unwrap();
    let mut tx = source.begin().await.unwrap();
    tx.put_agency("PIU", "Passenger information unit")
        .await
        .unwrap();
    let user = tx
        .add_user(&NewUser {
            username: "analyst-1",
            display_name: "Analyst One",
            agency: "PIU",
            roles: "analyst",
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
        })
        .await
        .unwrap()
        .unwrap();
    tx.set_disabled(user, true).await.unwrap();
    tx.commit().await.unwrap();
    for i in 0..5 {
        source
            .receive(&Received {
                channel: "http",
                carrier: "XQ",
                body: format!("UNA:+.? 'UNB+UNOA:4+XQ+PIU+{i}'\u{0}\u{ff}").as_bytes(),
            })
            .await
            .unwrap();
    }
    source.checkpoint_audit().await.unwrap();
    // the operator copies the key and checkpoints beside the new store (passage migrate --from)
    for f in [KEY_FILE, CHECKPOINT_FILE] {
        std::fs::copy(source_at.dir().join(f), target.dir().join(f)).unwrap();
    }
    let copy = target.open().await.unwrap();
    let report = copy.copy_from(&source).await.unwrap();
    assert_eq!(report.tables, source.table_counts().await.unwrap());
    assert!(report.rows() > 15, "{report:?}");
    assert!(
        copy.user_named("analyst-1")
            .await
            .unwrap()
            .unwrap()
            .disabled
    );
    for id in 1..=5 {
        assert_eq!(
            copy.message_body(id).await.unwrap(),
            source.message_body(id).await.unwrap()
        );
    }
    assert!(matches!(
        copy.verify_audit().await.unwrap(),
        Verdict::Intact { .. }
    ));
    // numbering continues after the copied rows, and the chain after the copied records
    let next = copy
        .receive(&Received {
            channel: "http",
            carrier: "XQ",
            body: b"after the move",
        })
        .await
        .unwrap();
    assert_eq!(next, 6);
    assert!(matches!(
        copy.verify_audit().await.unwrap(),
        Verdict::Intact { .. }
    ));
    // a store that holds data already is not copied into
    let again = copy.copy_from(&source).await.unwrap_err();
    assert!(again.to_string().contains("already holds"), "{again}");
    copy.close().await;
    source.close().await;
}
