//! A write transaction: what one message changes is written in one commit, and a batch of
//! messages may share it. The write methods live on `Tx`; `Store` has short-hands that open and
//! commit a transaction around one of them.

use sqlx::{Sqlite, SqliteConnection};

use crate::{Store, StoreError};

/// A write transaction holding SQLite's write lock until `commit` (or rollback on drop).
#[derive(Debug)]
pub struct Tx {
    inner: sqlx::Transaction<'static, Sqlite>,
    /// To seal the audit records written in it.
    pub(crate) seal: std::sync::Arc<crate::audit::Seal>,
}

impl Store {
    /// Begins a write transaction. It takes the write lock at once: a deferred one that reads
    /// first could not upgrade after another connection's commit (SQLITE_BUSY_SNAPSHOT).
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        Ok(Tx {
            inner: self.pool().begin_with("BEGIN IMMEDIATE").await?,
            seal: self.seal.clone(),
        })
    }
}

impl Tx {
    pub async fn commit(self) -> Result<(), StoreError> {
        self.inner.commit().await?;
        Ok(())
    }

    pub(crate) fn conn(&mut self) -> &mut SqliteConnection {
        &mut self.inner
    }
}
