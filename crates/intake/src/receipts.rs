//! Group commit of receipts: while one caller waits for the disk to sync its receipt, the
//! receipts that arrive meanwhile queue up, and the next caller to take the lead commits all of
//! them with one sync. Under concurrent load (several carriers sending at once) the sync cost is
//! shared; alone, a receipt commits as before. Every caller still returns only once its own
//! receipt is on disk.

use std::sync::Mutex;

use store::{Received, Store};
use tokio::sync::oneshot;

/// A receipt waiting for the next commit.
struct Waiting {
    channel: String,
    carrier: String,
    body: Vec<u8>,
    done: oneshot::Sender<Result<i64, String>>,
}

/// The queue and the leader's lock.
#[derive(Default)]
pub(crate) struct GroupCommit {
    queue: Mutex<Vec<Waiting>>,
    leader: tokio::sync::Mutex<()>,
}

impl std::fmt::Debug for GroupCommit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit").finish_non_exhaustive()
    }
}

/// Why a receipt could not be kept (the store's error, as text: it is shared by a batch).
#[derive(Debug, Clone, thiserror::Error)]
#[error("the receipt could not be kept: {0}")]
pub struct ReceiptError(pub String);

impl GroupCommit {
    /// Keeps one message; returns its vault id once it is on disk.
    pub(crate) async fn receive(
        &self,
        store: &Store,
        channel: &str,
        carrier: &str,
        body: &[u8],
    ) -> Result<i64, ReceiptError> {
        let (done, mut answer) = oneshot::channel();
        crate::sync::lock(&self.queue).push(Waiting {
            channel: channel.to_string(),
            carrier: carrier.to_string(),
            body: body.to_vec(),
            done,
        });
        {
            let _lead = self.leader.lock().await;
            // The previous leader may have committed this receipt already.
            if let Ok(result) = answer.try_recv() {
                return result.map_err(ReceiptError);
            }
            let batch = std::mem::take(&mut *crate::sync::lock(&self.queue));
            if !batch.is_empty() {
                let received: Vec<Received<'_>> = batch
                    .iter()
                    .map(|w| Received {
                        channel: &w.channel,
                        carrier: &w.carrier,
                        body: &w.body,
                    })
                    .collect();
                let result = store.receive_many(&received).await;
                drop(received);
                match result {
                    Ok(ids) => {
                        for (w, id) in batch.into_iter().zip(ids) {
                            let _ = w.done.send(Ok(id));
                        }
                    }
                    Err(e) => {
                        let text = e.to_string();
                        for w in batch {
                            let _ = w.done.send(Err(text.clone()));
                        }
                    }
                }
            }
        }
        match answer.await {
            Ok(result) => result.map_err(ReceiptError),
            Err(_) => Err(ReceiptError("the receipt was dropped unanswered".into())),
        }
    }
}
