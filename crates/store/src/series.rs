//! Parts of a PAXLST series kept waiting for the others. The parts are in the vault in state
//! `waiting` with their series' key, so that whichever node receives the last part finds the
//! others — under the write lock, where no other node can take them at the same time.

use crate::{StoreError, Tx};

impl Tx {
    /// Records that waiting message `id` is a part of `series`.
    pub async fn set_series(&mut self, id: i64, series: &str) -> Result<(), StoreError> {
        on!(self.conn()?, |db| sqlx::query(
            "UPDATE messages SET series = $1 WHERE id = $2"
        )
        .bind(series)
        .bind(id)
        .execute(db)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    /// The parts of `series` still waiting, oldest first.
    pub async fn waiting_in_series(&mut self, series: &str) -> Result<Vec<i64>, StoreError> {
        Ok(on!(self.conn()?, |db| sqlx::query_scalar(
            "SELECT id FROM messages WHERE series = $1 AND state = 'waiting' ORDER BY id"
        )
        .bind(series)
        .fetch_all(db)
        .await)?)
    }
}

impl crate::Store {
    /// The messages of the series message `id` was a part of (itself included; none when it
    /// was no part), oldest first. A series name comes again when a carrier sends the same
    /// document anew: at most `limit`.
    pub async fn series_parts(&self, id: i64, limit: i64) -> Result<Vec<i64>, StoreError> {
        Ok(on!(self.reader(), |db| sqlx::query_scalar(
            "SELECT id FROM messages WHERE series IS NOT NULL \
             AND series = (SELECT series FROM messages WHERE id = $1) ORDER BY id LIMIT $2"
        )
        .bind(id)
        .bind(limit)
        .fetch_all(db)
        .await)?)
    }
}

#[cfg(test)]
mod tests {
    use crate::{MessageState, Received};

    crate::engines! {
        async fn waiting_parts_are_found_by_their_series(store: Store) {
            let mut ids = Vec::new();
            for body in [&b"part 1"[..], b"part 2", b"other"] {
                ids.push(
                    store
                        .receive(&Received {
                            channel: "http",
                            carrier: "XQ",
                            body,
                        })
                        .await
                        .unwrap(),
                );
            }
            let mut tx = store.begin().await.unwrap();
            for (id, series) in ids.iter().zip(["XQ/1", "XQ/1", "XQ/2"]) {
                tx.finish(*id, MessageState::Waiting, Some("PAXLST"), &serde_json::json!([]), None)
                    .await
                    .unwrap();
                tx.set_series(*id, series).await.unwrap();
            }
            assert_eq!(tx.waiting_in_series("XQ/1").await.unwrap(), ids[..2]);
            tx.finish(ids[0], MessageState::Processed, Some("PAXLST"), &serde_json::json!([]), None)
                .await
                .unwrap();
            assert_eq!(tx.waiting_in_series("XQ/1").await.unwrap(), ids[1..2]);
            tx.commit().await.unwrap();
        }
    }
}
