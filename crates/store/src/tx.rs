//! A write transaction: what one message changes is written in one commit, and a batch of
//! messages may share it. The write methods live on `Tx`; `Store` has short-hands that open and
//! commit a transaction around one of them.
//!
//! The transaction is driven by plain `BEGIN IMMEDIATE` / `COMMIT` statements on a connection
//! of the pool, and a transaction that does not end in a successful commit closes its
//! connection (SQLite rolls back what was open). A failed commit (a full disk, a deferred
//! constraint) therefore can never hand a connection still inside a transaction back to the
//! pool: the next write gets a fresh one.

use sqlx::pool::PoolConnection;
use sqlx::{Sqlite, SqliteConnection};

use crate::{Store, StoreError};

/// A write transaction holding SQLite's write lock until `commit` (or until its connection is
/// closed, when dropped).
#[derive(Debug)]
pub struct Tx {
    conn: PoolConnection<Sqlite>,
    open: bool,
    /// To seal the audit records written in it.
    pub(crate) seal: std::sync::Arc<crate::audit::Seal>,
}

impl Store {
    /// Begins a write transaction. It takes the write lock at once: a deferred one that reads
    /// first could not upgrade after another connection's commit (SQLITE_BUSY_SNAPSHOT).
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let conn = self.pool().acquire().await?;
        let mut tx = Tx {
            conn,
            open: true,
            seal: self.seal.clone(),
        };
        sqlx::query("BEGIN IMMEDIATE")
            .execute(&mut *tx.conn)
            .await?;
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
        sqlx::query("COMMIT").execute(&mut *self.conn).await?;
        self.open = false;
        Ok(())
    }

    pub(crate) fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.conn
    }
}

impl Drop for Tx {
    fn drop(&mut self) {
        if self.open {
            // Rolled back by SQLite when the connection closes; never reused half-open.
            self.conn.close_on_drop();
        }
    }
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
                .execute(tx.conn())
                .await
                .unwrap();
            // a body of a message that does not exist: refused at COMMIT, not before
            sqlx::query("INSERT INTO message_bodies (message_id, body) VALUES (987654321, x'00')")
                .execute(tx.conn())
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
                .fetch_one(tx.conn())
                .await
                .unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "PRAGMA max_page_count = {pages}"
            )))
            .execute(tx.conn())
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
