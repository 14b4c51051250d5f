//! The audit log against someone who can write the database but does not hold the unit's key:
//! records cut off the end, a record deleted and the chain recomputed, history rewritten with
//! the key, MACs stripped, checkpoints forged or removed are all reported; an intact log, and one
//! with records from before the key existed, verify.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use store::*;

fn temp_db(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("passage-audit-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir.join("passage.db")
}

async fn write(store: &Store, n: usize) {
    for i in 0..n {
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
}

/// A connection behind the store's back, with the append-only triggers dropped.
async fn behind_the_back(path: &Path) -> sqlx::SqlitePool {
    let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    for drop in [
        "DROP TRIGGER IF EXISTS audit_no_update",
        "DROP TRIGGER IF EXISTS audit_no_delete",
    ] {
        sqlx::query(drop).execute(&pool).await.unwrap();
    }
    pool
}

/// The chain's hash as anyone who reads the code can compute it.
fn chain_hash(prev: &str, row: &[String; 6]) -> String {
    let mut h = Sha256::new();
    for part in std::iter::once(prev).chain(row.iter().map(String::as_str)) {
        h.update((part.len() as u64).to_be_bytes());
        h.update(part.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// Recomputes every hash and link from the first record on, as a forger without the key would.
async fn rechain(pool: &sqlx::SqlitePool) {
    use sqlx::Row;
    let rows = sqlx::query(
        "SELECT id, at, actor, action, subject, coalesce(purpose, ''), detail FROM audit ORDER BY id",
    )
    .fetch_all(pool)
    .await
    .unwrap();
    let mut prev = "0".repeat(64);
    for r in rows {
        let id: i64 = r.get(0);
        let fields: [String; 6] = std::array::from_fn(|i| r.get::<String, _>(i + 1));
        let hash = chain_hash(&prev, &fields);
        sqlx::query("UPDATE audit SET prev_hash = ?, hash = ? WHERE id = ?")
            .bind(&prev)
            .bind(&hash)
            .bind(id)
            .execute(pool)
            .await
            .unwrap();
        prev = hash;
    }
}

#[tokio::test]
async fn an_intact_log_verifies_and_its_key_is_private() {
    let path = temp_db("intact");
    let store = Store::open(&path).await.unwrap();
    write(&store, 30).await;
    let c = store.checkpoint_audit().await.unwrap().unwrap();
    assert_eq!((c.kind.as_str(), c.records, c.last), ("head", 30, 30));
    assert_eq!(
        store.checkpoint_audit().await.unwrap(),
        None,
        "nothing new, no checkpoint"
    );
    write(&store, 2).await;
    assert_eq!(
        store.verify_audit().await.unwrap(),
        Verdict::Intact {
            records: 32,
            unsealed: 0,
            anchored: 30
        }
    );
    let dir = path.parent().unwrap();
    let key = dir.join("audit.key");
    assert_eq!(
        std::fs::metadata(&key).unwrap().permissions().mode() & 0o777,
        0o600
    );
    assert_eq!(std::fs::read_to_string(&key).unwrap().trim().len(), 64);
    let lines = std::fs::read_to_string(dir.join("audit.checkpoints")).unwrap();
    assert_eq!(lines.lines().count(), 2, "the seal and one checkpoint");
    assert!(lines.starts_with("v1 seal 0 0 "), "{lines}");
    // The same key serves the next open.
    drop(store);
    let store = Store::open(&path).await.unwrap();
    write(&store, 1).await;
    assert!(matches!(
        store.verify_audit().await.unwrap(),
        Verdict::Intact { records: 33, .. }
    ));
}

#[tokio::test]
async fn records_cut_off_the_end_are_reported() {
    let path = temp_db("truncated");
    let store = Store::open(&path).await.unwrap();
    write(&store, 30).await;
    store.checkpoint_audit().await.unwrap();
    let pool = behind_the_back(&path).await;
    sqlx::query("DELETE FROM audit WHERE id > 5")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        store.verify_audit().await.unwrap(),
        Verdict::Truncated {
            records: 5,
            expected: 30
        }
    );
    // This process does not vouch for a shorter log…
    assert!(store.checkpoint_audit().await.is_err());
    // …and a checkpoint of the short log written by a new one does not hide the old one.
    drop(store);
    let store = Store::open(&path).await.unwrap();
    store.checkpoint_audit().await.unwrap().unwrap();
    assert_eq!(
        store.verify_audit().await.unwrap(),
        Verdict::Truncated {
            records: 5,
            expected: 30
        }
    );
}

#[tokio::test]
async fn a_record_deleted_and_the_chain_recomputed_is_reported() {
    let path = temp_db("rechained");
    let store = Store::open(&path).await.unwrap();
    write(&store, 10).await;
    let pool = behind_the_back(&path).await;
    sqlx::query("DELETE FROM audit WHERE id = 3")
        .execute(&pool)
        .await
        .unwrap();
    // Numbers closed up, so that no gap shows; hashes and links recomputed.
    sqlx::query("UPDATE audit SET id = id - 1 WHERE id > 3")
        .execute(&pool)
        .await
        .unwrap();
    rechain(&pool).await;
    assert_eq!(
        store.verify_audit().await.unwrap(),
        Verdict::Broken {
            at: 3,
            records: 9,
            reason: Breach::Mac
        }
    );
    // Stripping the MACs does not pass the records off as from before the key.
    sqlx::query("UPDATE audit SET mac = NULL")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(
        store.verify_audit().await.unwrap(),
        Verdict::Broken {
            at: 1,
            records: 9,
            reason: Breach::Mac
        }
    );
}

#[tokio::test]
async fn history_rewritten_with_the_key_does_not_match_a_checkpoint() {
    let path = temp_db("rewritten");
    let store = Store::open(&path).await.unwrap();
    write(&store, 10).await;
    store.checkpoint_audit().await.unwrap();
    // Whoever holds the key deletes from record 3 on and writes the rest again, through the
    // store: every hash, link and MAC holds.
    let pool = behind_the_back(&path).await;
    sqlx::query("DELETE FROM audit WHERE id >= 3")
        .execute(&pool)
        .await
        .unwrap();
    drop(store);
    let store = Store::open(&path).await.unwrap();
    write(&store, 8).await;
    assert_eq!(
        store.verify_audit().await.unwrap(),
        Verdict::Broken {
            at: 10,
            records: 10,
            reason: Breach::Checkpoint
        }
    );
}

#[tokio::test]
async fn checkpoints_forged_or_removed_are_reported() {
    let path = temp_db("checkpoints");
    let store = Store::open(&path).await.unwrap();
    write(&store, 4).await;
    store.checkpoint_audit().await.unwrap();
    let file = path.parent().unwrap().join("audit.checkpoints");
    let text = std::fs::read_to_string(&file).unwrap();
    // Claiming fewer records, to hide a truncation to come.
    std::fs::write(&file, text.replace(" head 4 4 ", " head 3 4 ")).unwrap();
    assert_eq!(
        store.verify_audit().await.unwrap(),
        Verdict::Unanchored {
            records: 4,
            reason: Breach::ForgedCheckpoint
        }
    );
    std::fs::remove_file(&file).unwrap();
    assert_eq!(
        store.verify_audit().await.unwrap(),
        Verdict::Unanchored {
            records: 4,
            reason: Breach::NoSeal
        }
    );
    // A half-written last line (a crash while writing) is left out, not a forgery.
    std::fs::write(&file, format!("{text}v1 head 5 5 ab")).unwrap();
    assert!(matches!(
        store.verify_audit().await.unwrap(),
        Verdict::Intact {
            records: 4,
            anchored: 4,
            ..
        }
    ));
}

#[tokio::test]
async fn records_from_before_the_key_are_checked_by_their_chain_up_to_the_seal() {
    let path = temp_db("legacy");
    let dir = path.parent().unwrap().to_path_buf();
    // A log as an earlier version left it: records without MAC, no key, no checkpoints.
    drop(Store::open(&path).await.unwrap());
    std::fs::remove_file(dir.join("audit.key")).unwrap();
    std::fs::remove_file(dir.join("audit.checkpoints")).unwrap();
    let pool = behind_the_back(&path).await;
    let mut prev = "0".repeat(64);
    for i in 1..=3i64 {
        let fields = [
            format!("2026-01-0{i}T00:00:00Z"),
            "system".to_string(),
            "message.received".to_string(),
            format!("message:{i}"),
            String::new(),
            "channel=http".to_string(),
        ];
        let hash = chain_hash(&prev, &fields);
        sqlx::query(
            "INSERT INTO audit (id, at, actor, action, subject, purpose, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?)",
        )
        .bind(i)
        .bind(&fields[0])
        .bind(&fields[1])
        .bind(&fields[2])
        .bind(&fields[3])
        .bind(&fields[5])
        .bind(&prev)
        .bind(&hash)
        .execute(&pool)
        .await
        .unwrap();
        prev = hash;
    }
    // The upgrade: a key is made and the seal vouches for the three.
    let store = Store::open(&path).await.unwrap();
    write(&store, 2).await;
    assert_eq!(
        store.verify_audit().await.unwrap(),
        Verdict::Intact {
            records: 5,
            unsealed: 3,
            anchored: 3
        }
    );
    // A record without MAC after the seal is not one of them.
    sqlx::query(
        "INSERT INTO audit (id, at, actor, action, subject, detail, prev_hash, hash) SELECT 6, at, actor, action, subject, detail, hash, hash FROM audit WHERE id = 5",
    )
    .execute(&pool)
    .await
    .unwrap();
    rechain(&pool).await;
    assert!(matches!(
        store.verify_audit().await.unwrap(),
        Verdict::Broken {
            reason: Breach::Mac,
            ..
        }
    ));
}

#[tokio::test]
async fn a_lost_or_shared_key_stops_the_open() {
    let path = temp_db("key");
    let store = Store::open(&path).await.unwrap();
    write(&store, 1).await;
    drop(store);
    let key = path.parent().unwrap().join("audit.key");
    std::fs::set_permissions(&key, std::fs::Permissions::from_mode(0o644)).unwrap();
    let e = Store::open(&path).await.unwrap_err().to_string();
    assert!(e.contains("mode 644") && e.contains("chmod 600"), "{e}");
    std::fs::remove_file(&key).unwrap();
    let e = Store::open(&path).await.unwrap_err().to_string();
    assert!(e.contains("is missing but the audit log was sealed"), "{e}");
    assert!(!key.exists(), "no new key replaces the lost one");
}

engines! {
    /// The audit's period ends: records before a time are deleted behind a cut, and what
    /// remains verifies from it, checkpoints of later heads included. Deleting past the cut is
    /// refused by the database, and a cut written without the key is found.
    async fn records_past_their_period_go_behind_a_cut_that_still_verifies(at: TestLocation) {
        let store = Store::open_at(&at.location).await.unwrap();
        write(&store, 20).await;
        store.checkpoint_audit().await.unwrap();
        let middle = jiff::Timestamp::now().to_string();
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        write(&store, 10).await;
        store.checkpoint_audit().await.unwrap();
        let before = match store.verify_audit().await.unwrap() {
            Verdict::Intact { records, .. } => records,
            other => panic!("{other:?}"),
        };
        let cut = store.cut_audit(&middle).await.unwrap().unwrap();
        assert_eq!(cut.removed, before - 10);
        // What remains: the ten later records and the cut's own record.
        let left = store.audit_records(None, 100).await.unwrap();
        assert_eq!(left.len(), 11);
        assert_eq!(left[0].action, "audit.cut");
        assert_eq!(left[0].category, AuditCategory::Erasure);
        assert_eq!(left[1].category, AuditCategory::Collection);
        store.checkpoint_audit().await.unwrap();
        assert!(
            matches!(store.verify_audit().await.unwrap(), Verdict::Intact { records: 11, .. }),
            "{:?}",
            store.verify_audit().await
        );
        // Nothing more is due before the same time.
        assert_eq!(store.cut_audit(&middle).await.unwrap(), None);
        store.close().await;
        // Past the cut, the log is still append-only.
        let last = left[1].id;
        let e = at
            .raw(&format!("DELETE FROM audit WHERE id = {last}"))
            .await
            .unwrap_err();
        assert!(e.to_string().contains("append-only"), "{e}");
        let e = at.raw("DELETE FROM audit_cuts").await.unwrap_err();
        assert!(e.to_string().contains("append-only"), "{e}");
        // A node started after the cut counts the records behind it as they were.
        let store = Store::open_at(&at.location).await.unwrap();
        write(&store, 3).await;
        let c = store.checkpoint_audit().await.unwrap().unwrap();
        assert_eq!(c.records, before + 1 + 3, "the cut's record and three more");
        assert!(matches!(
            store.verify_audit().await.unwrap(),
            Verdict::Intact { records: 14, .. }
        ));
        store.close().await;
        // A cut written without the key (to delete recent records) does not verify.
        at.raw(&format!(
            "INSERT INTO audit_cuts (upto, hash, records, at, mac) \
             VALUES ({last}, 'x', 30, '2030-01-01', 'forged')"
        ))
        .await
        .unwrap();
        let store = Store::open_at(&at.location).await.unwrap();
        assert!(matches!(
            store.verify_audit().await.unwrap(),
            Verdict::Broken { reason: Breach::Mac, .. }
        ));
    }
}

#[test]
fn every_action_has_its_kind() {
    use AuditCategory::*;
    for (action, kind) in [
        ("message.received", Collection),
        ("drop.refused", Collection),
        ("bus.refused", Collection),
        ("watchlist.imported", Collection),
        ("traveller.viewed", Consultation),
        ("message.raw_viewed", Consultation),
        ("manifest.viewed", Consultation),
        ("bookings.viewed", Consultation),
        ("hit.read", Consultation),
        ("hits.listed", Consultation),
        ("travellers.searched", Consultation),
        ("audit.searched", Consultation),
        ("watchlist.diff_viewed", Consultation),
        ("pnr.deleted_on_receipt", Erasure),
        ("retention.erased", Erasure),
        ("audit.cut", Erasure),
        ("retention.hold_placed", Administration),
        ("user.added", Administration),
        ("session.signed_in", Administration),
        ("purpose.stated", Administration),
        ("criterion.created", Administration),
    ] {
        assert_eq!(AuditCategory::of(action), kind, "{action}");
        assert_eq!(AuditCategory::parse(kind.as_str()), Some(kind));
    }
}
