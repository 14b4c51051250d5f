//! Claims: which processing of a message writes its result. With a bus, an id may be
//! delivered twice (an ack lost, a node gone mid-message, an id published again) and two
//! workers, on one node or on two, may process it at once; only one of them may apply it.
//!
//! The claim is the first statement of the processing's write transaction: it matches the
//! message only in the state the processing started from, and the transaction moves the
//! message out of that state before it commits. SQLite holds the write lock from `BEGIN
//! IMMEDIATE`, so the second claim runs after the first commit and matches nothing;
//! PostgreSQL's row lock makes the second `UPDATE` wait for the first transaction and then
//! re-check the state, with the same result. The loser writes nothing.
//!

use crate::{MessageState, StoreError};

impl crate::Tx {
    /// Claims message `id`, in state `from`, for this transaction: true when it is ours to
    /// apply; false when another processing applied it first (or it is not in that state),
    /// and then the caller writes nothing.
    pub async fn claim(&mut self, id: i64, from: MessageState) -> Result<bool, StoreError> {
        let claimed: Option<i64> = on!(self.conn()?, |db| sqlx::query_scalar(
            "UPDATE messages SET state = state WHERE id = $1 AND state = $2 RETURNING id",
        )
        .bind(id)
        .bind(from.as_str())
        .fetch_optional(db)
        .await)?;
        Ok(claimed.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Received;

    crate::engines! {
    /// The first claim wins; once its transaction moved the state on, the next matches nothing.
    async fn a_message_is_claimed_once(store: Store) {
        let id = store
            .receive(&Received {
                channel: "nats",
                carrier: "XQ",
                body: b"UNB+UNOA:4+XQ+PIU+261201:1000+1'UNZ+0+1'",
            })
            .await
            .unwrap();
        let mut tx = store.begin().await.unwrap();
        assert!(tx.claim(id, MessageState::Received).await.unwrap());
        assert!(!tx.claim(id, MessageState::Waiting).await.unwrap());
        tx.finish(
            id,
            MessageState::Processed,
            None,
            &serde_json::json!([]),
            None,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let mut tx = store.begin().await.unwrap();
        assert!(!tx.claim(id, MessageState::Received).await.unwrap());
        assert!(!tx.claim(id + 1, MessageState::Received).await.unwrap());
        tx.commit().await.unwrap();
    }
    }
}
