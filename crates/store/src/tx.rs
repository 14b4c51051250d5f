//! A write transaction: what one message changes is written in one commit, and a batch of
//! messages may share it. The write methods live on `Tx`; `Store` has short-hands that open and
//! commit a transaction around one of them.
//!
//! The transaction is driven by plain `BEGIN` / `COMMIT` statements on a connection
//! of the pool (sqlx's own transaction keeps a depth count that a failed commit leaves wrong,
//! and every later `begin` on that connection then fails). A transaction that does not end in
//! a successful commit is rolled back before its connection is reused, and the connection is
//! closed when even that fails: a full disk fails the writes it hits, not every later one.

use crate::engine::{Conn, On};
use crate::{Store, StoreError};

/// A write transaction holding the engine's write lock until `commit` (or until its connection
/// is rolled back or closed, when dropped).
#[derive(Debug)]
pub struct Tx {
    /// The connection, until the commit or the drop ends the transaction.
    conn: Option<Conn>,
    /// To seal the audit records written in it.
    pub(crate) seal: std::sync::Arc<crate::audit::Seal>,
    /// To key the person keys written in it.
    pub(crate) identity: crate::IdentityKey,
}

impl Store {
    /// Begins a write transaction; it takes the write lock at once (`engine.rs`).
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let conn = self.acquire_writer().await?;
        let mut tx = Tx {
            conn: Some(conn),
            seal: self.seal_handle(),
            identity: self.identity_key().clone(),
        };
        crate::engine::begin_on(tx.conn_mut()?).await?;
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
        on!(self.conn()?, |db| sqlx::query("COMMIT")
            .execute(db)
            .await
            .map(|_| ()))?;
        // Committed: the connection goes back to the pool as it is.
        drop(self.conn.take());
        Ok(())
    }

    /// Ends the transaction without keeping anything it wrote (a dry run).
    pub async fn rollback(mut self) -> Result<(), StoreError> {
        on!(self.conn()?, |db| sqlx::query("ROLLBACK")
            .execute(db)
            .await
            .map(|_| ()))?;
        drop(self.conn.take());
        Ok(())
    }

    /// The transaction's connection, as the executor of whichever engine it is.
    pub(crate) fn conn(
        &mut self,
    ) -> Result<On<&mut sqlx::SqliteConnection, &mut sqlx::PgConnection>, StoreError> {
        Ok(self.conn_mut()?.on())
    }

    pub(crate) fn conn_mut(&mut self) -> Result<&mut Conn, StoreError> {
        self.conn.as_mut().ok_or(StoreError::Ended)
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
/// `reset` statements ran; closes it when they fail (the database then rolls back what is
/// open). An in-memory database lives in its one connection, so closing is only the last
/// resort.
pub(crate) fn release_after_failure(mut conn: Conn, reset: &'static [&'static str]) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        conn.close_on_drop();
        return;
    };
    runtime.spawn(async move {
        let rolled_back = match on!(conn.on(), |db| sqlx::query("ROLLBACK")
            .execute(db)
            .await
            .map(|_| ()))
        {
            Ok(_) => true,
            // SQLite already rolled back (a full disk at COMMIT does that).
            Err(e) => e.to_string().contains("no transaction is active"),
        };
        let mut usable = rolled_back;
        for &statement in reset {
            usable &= on!(conn.on(), |db| sqlx::query(statement)
                .execute(db)
                .await
                .map(|_| ()))
            .is_ok();
        }
        if !usable {
            conn.close_on_drop();
        }
    });
}

#[cfg(test)]
impl Tx {
    /// The connection of a transaction on SQLite, for tests of SQLite's own failures.
    pub(crate) fn sqlite_conn(&mut self) -> &mut sqlx::SqliteConnection {
        match self.conn() {
            Ok(On::Sqlite(c)) => c,
            _ => panic!("an SQLite test runs on SQLite"),
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
                .execute(tx.sqlite_conn())
                .await
                .unwrap();
            // a body of a message that does not exist: refused at COMMIT, not before
            sqlx::query("INSERT INTO message_bodies (message_id, body) VALUES (987654321, x'00')")
                .execute(tx.sqlite_conn())
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
                .execute(tx.sqlite_conn())
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
                .fetch_one(tx.sqlite_conn())
                .await
                .unwrap();
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "PRAGMA max_page_count = {pages}"
            )))
            .execute(tx.sqlite_conn())
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
