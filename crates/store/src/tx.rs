//! A write transaction: what one message changes is written in one commit, and a batch of
//! messages may share it. The write methods live on `Tx`; `Store` has short-hands that open and
//! commit a transaction around one of them.
//!
//! The transaction is driven by plain `BEGIN IMMEDIATE` / `COMMIT` statements on a connection
//! of the pool (sqlx's own transaction keeps a depth count that a failed commit leaves wrong,
//! and every later `begin` on that connection then fails). A transaction that does not end in
//! a successful commit is rolled back before its connection is reused, and the connection is
//! closed when even that fails: a full disk fails the writes it hits, not every later one.

use sqlx::pool::PoolConnection;
use sqlx::{Sqlite, SqliteConnection};

use crate::{Store, StoreError};

/// A write transaction holding SQLite's write lock until `commit` (or until its connection is
/// closed, when dropped).
#[derive(Debug)]
pub struct Tx {
    /// The connection, until the commit or the drop ends the transaction.
    conn: Option<PoolConnection<Sqlite>>,
    /// To seal the audit records written in it.
    pub(crate) seal: std::sync::Arc<crate::audit::Seal>,
}

impl Store {
    /// Begins a write transaction. It takes the write lock at once: a deferred one that reads
    /// first could not upgrade after another connection's commit (SQLITE_BUSY_SNAPSHOT).
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let conn = self.writer().acquire().await?;
        let mut tx = Tx {
            conn: Some(conn),
            seal: self.seal.clone(),
        };
        sqlx::query("BEGIN IMMEDIATE").execute(tx.conn()?).await?;
        Ok(tx)
    }
}

impl Store {
    /// Whether a write transaction can be begun and committed (what readiness reports).
    pub async fn check_writable(&self) -> Result<(), StoreError> {
        self.begin().await?.commit().await
    }
}

impl Tx {
    pub async fn commit(mut self) -> Result<(), StoreError> {
        sqlx::query("COMMIT").execute(self.conn()?).await?;
        // Committed: the connection goes back to the pool as it is.
        drop(self.conn.take());
        Ok(())
    }

    pub(crate) fn conn(&mut self) -> Result<&mut SqliteConnection, StoreError> {
        self.conn.as_deref_mut().ok_or(StoreError::Ended)
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        // Still holding its connection: dropped without a commit (an error on the way, or a
        // failed commit).
        if let Some(conn) = self.conn.take() {
            release_after_failure(conn, &[]);
        }
    }
}

/// Returns a connection whose transaction failed to the pool once it is rolled back and the
/// `reset` statements ran; closes it when they fail (SQLite then rolls back what is open). An
/// in-memory database lives in its one connection, so closing is only the last resort.
pub(crate) fn release_after_failure(
    mut conn: PoolConnection<Sqlite>,
    reset: &'static [&'static str],
) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        conn.close_on_drop();
        return;
    };
    runtime.spawn(async move {
        let rolled_back = match sqlx::query("ROLLBACK").execute(&mut *conn).await {
            Ok(_) => true,
            // SQLite already rolled back (a full disk at COMMIT does that).
            Err(e) => e.to_string().contains("no transaction is active"),
        };
        let mut usable = rolled_back;
        for &statement in reset {
            usable &= sqlx::query(statement).execute(&mut *conn).await.is_ok();
        }
        if !usable {
            conn.close_on_drop();
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn file_store(dir: &std::path::Path) -> Store {
        Store::open(&dir.join("passage.db")).await.unwrap()
    }

    fn received() -> crate::Received<'static> {
        crate::Received {
            channel: "http",
            carrier: "XQ",
            body: b"UNB+UNOA:4+XQ+PIU+261201:1000+1'UNZ+0+1'",
        }
    }

    fn temp_dir(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("passage-tx-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    /// A commit refused by the database (here a deferred foreign key; a full disk the same)
    /// leaves SQLite inside the transaction: the next writes must still work.
    #[tokio::test]
    async fn a_failed_commit_leaves_the_store_writable() {
        let dir = temp_dir("commit");
        let store = file_store(&dir).await;
        for _ in 0..6 {
            let mut tx = store.begin().await.unwrap();
            sqlx::query("PRAGMA defer_foreign_keys = ON")
                .execute(tx.conn().unwrap())
                .await
                .unwrap();
            // a body of a message that does not exist: refused at COMMIT, not before
            sqlx::query("INSERT INTO message_bodies (message_id, body) VALUES (987654321, x'00')")
                .execute(tx.conn().unwrap())
                .await
                .unwrap();
            let refused = tx.commit().await.unwrap_err();
            assert!(refused.to_string().contains("FOREIGN KEY"), "{refused}");
        }
        // every connection of the pool went through a failed transaction; writes go on
        let id = store.receive(&received()).await.unwrap();
        assert!(store.message(id).await.unwrap().is_some());
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// An in-memory database lives in its one connection: a failed transaction is rolled back,
    /// never closed with its data.
    #[tokio::test]
    async fn a_failed_transaction_keeps_an_in_memory_store() {
        let store = Store::open_in_memory().await.unwrap();
        let before = store.receive(&received()).await.unwrap();
        for _ in 0..3 {
            let mut tx = store.begin().await.unwrap();
            sqlx::query("INSERT INTO message_bodies (message_id, body) VALUES (987654321, x'00')")
                .execute(tx.conn().unwrap())
                .await
                .unwrap_err();
            drop(tx);
        }
        assert!(store.message(before).await.unwrap().is_some());
        let after = store.receive(&received()).await.unwrap();
        assert_eq!(after, before + 1);
    }

    /// A statement failing for lack of space, then the transaction dropped: the space comes
    /// back (here the page limit is per connection, so the fresh connection has none) and the
    /// store writes again without a restart.
    #[tokio::test]
    async fn a_full_disk_then_space_again_needs_no_restart() {
        let dir = temp_dir("full");
        let store = file_store(&dir).await;
        let id = store.receive(&received()).await.unwrap();
        for _ in 0..6 {
            let mut tx = store.begin().await.unwrap();
            let pages: i64 = sqlx::query_scalar("PRAGMA page_count")
                .fetch_one(tx.conn().unwrap())
                .await
                .unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "PRAGMA max_page_count = {pages}"
            )))
            .execute(tx.conn().unwrap())
            .await
            .unwrap();
            let findings = serde_json::Value::String("x".repeat(1 << 20));
            let full = tx
                .finish(id, crate::MessageState::Failed, None, &findings, None)
                .await
                .unwrap_err();
            assert!(full.to_string().contains("full"), "{full}");
            drop(tx);
        }
        let findings = serde_json::json!([{"code": "x"}]);
        store
            .finish(id, crate::MessageState::Failed, None, &findings, None)
            .await
            .unwrap();
        let again = store.receive(&received()).await.unwrap();
        assert!(store.message(again).await.unwrap().is_some());
        drop(store);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
