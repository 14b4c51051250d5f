//! The queue between receiving and processing: the ids of messages kept in the vault and not
//! yet processed. The vault is the truth; the bus only says "this id awaits processing", so an
//! entry lost by the bus is found again in the vault (state `received`) and published again.
//!
//! Three engines behind one [`Bus`]:
//!
//! - [`Bus::Inline`], the default: no queue; the task that received a message processes it at
//!   once (the single binary, as before the bus existed).
//! - [`Bus::InProcess`]: a queue in memory with the delivery rules of the JetStream engine
//!   (a delivery dropped without an answer comes back, at most `max_deliver` times, then it
//!   is a dead letter). Carriers get their answer as soon as the receipt is durable; workers
//!   of the same process take the ids. What it holds is lost with the process and found again
//!   in the vault at the next start.
//! - [`Bus::JetStream`]: NATS JetStream, shared by every node. A work-queue stream
//!   (`<STREAM>_INTAKE` on `<prefix>.intake.received`) holds the ids, published with the id as
//!   `Nats-Msg-Id` (the stream drops an id published again within its duplicate window); one
//!   durable pull consumer (`workers`) is shared by all nodes, with explicit acks, an ack wait
//!   kept open by progress acks while a message is processed, and bounded redelivery
//!   (`max_deliver`). A delivery past the processing attempts is a dead letter: the worker
//!   parks the message in the store and publishes its id to `<prefix>.dead.intake`, kept by
//!   the stream `<STREAM>_DEAD`.
//!
//! Carriers that deliver by message queue publish to `<prefix>.carriers.<CODE>.messages`
//! ([`JetStream::carrier_deliveries`]); the stream `<STREAM>_CARRIERS` keeps what they send
//! until a node has kept it in its vault. Which carrier may publish where is the NATS server's
//! to enforce, with one user per carrier, for example:
//!
//! ```text
//! jetstream: { max_mem: 1G, max_file: 100G }
//! max_payload: 16MB            # the same limit as the HTTP intake (NATS's default is 1 MB)
//! authorization: {
//!   users: [
//!     # the Passage nodes: the whole prefix and JetStream's API (or, better, `nkey: U…` with
//!     # the seed given to each node by --bus-credentials, see `Access`)
//!     { user: passage, password: $PASSAGE_NODE_PASSWORD,
//!       permissions: { publish: ["passage.>", "$JS.API.>", "$JS.ACK.>"], subscribe: ["_INBOX.>", "passage.>"] } }
//!     # one user per carrier: its own subject only, and the stream's acknowledgement
//!     { user: carrier-xq, password: $XQ_PASSWORD,
//!       permissions: { publish: ["passage.carriers.XQ.messages"], subscribe: ["_INBOX.>"] } }
//!   ]
//! }
//! ```
//!
//! The bus knows nothing of messages, carriers' rules or the store: ids in, ids out, bytes of
//! carriers in, with the subject's carrier token as sent.
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

mod access;
mod in_process;
mod jetstream;
pub mod testing;

use std::time::Duration;

pub use access::Access;
pub use in_process::InProcess;
pub use jetstream::{CarrierDelivery, DeadLetter, JetStream, Names, REASON_HEADER, SUBJECT_HEADER};

/// What went wrong on the bus. Never carries message content.
#[derive(Debug, thiserror::Error)]
pub enum BusError {
    /// NATS cannot be reached, or did not answer in time.
    #[error("the bus is not reachable: {0}")]
    Unreachable(String),
    /// NATS answered with a refusal (a stream or consumer that cannot be made, a bad subject).
    #[error("the bus refused: {0}")]
    Refused(String),
    /// The queue was closed (the process is stopping).
    #[error("the bus is closed")]
    Closed,
}

/// How deliveries behave, for every engine that queues.
#[derive(Debug, Clone)]
pub struct Settings {
    /// How long a delivery may go unanswered before it is given to another worker. Workers
    /// send progress at a third of it while they process.
    pub ack_wait: Duration,
    /// How many deliveries of an id may be processed. The delivery after the last one is a
    /// dead letter.
    pub attempts: u64,
    /// Deliveries allowed for putting a dead letter away (the store may fail meanwhile);
    /// the consumer's `max_deliver` is `attempts + dead_letter_tries`.
    pub dead_letter_tries: u64,
    /// How long a publication may wait for the bus's acknowledgement.
    pub publish_timeout: Duration,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            ack_wait: Duration::from_secs(30),
            // As recovery at start: a message that stopped the unit twice is parked.
            attempts: 2,
            dead_letter_tries: 3,
            publish_timeout: Duration::from_secs(2),
        }
    }
}

impl Settings {
    /// The consumer's bound on deliveries.
    pub fn max_deliver(&self) -> u64 {
        self.attempts + self.dead_letter_tries
    }
}

/// The queue of message ids awaiting processing.
#[derive(Debug, Clone, Default)]
pub enum Bus {
    /// No queue: the receiving task processes (the single binary's default).
    #[default]
    Inline,
    InProcess(InProcess),
    JetStream(JetStream),
}

/// Where the bus stands, for `/health` and `/ready`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    /// `inline`, `in_process` or `nats`.
    pub engine: &'static str,
    /// `connected`, or `waiting_for_nats` while NATS cannot be reached.
    pub state: &'static str,
    /// Ids waiting or being processed, when the bus could say.
    pub pending: Option<u64>,
}

impl Bus {
    /// Whether receiving only queues the id (workers process), rather than processing at once.
    pub fn queues(&self) -> bool {
        !matches!(self, Bus::Inline)
    }

    /// Queues a message id. Returns once the bus has it (JetStream: the stream acknowledged
    /// it, or said it already had it).
    pub async fn publish(&self, id: i64) -> Result<(), BusError> {
        match self {
            Bus::Inline => Ok(()),
            Bus::InProcess(q) => q.publish(id),
            Bus::JetStream(js) => js.publish(id).await,
        }
    }

    /// The next id to process: waits for one. `None` for the inline engine (nothing is
    /// queued) and once the queue is closed.
    pub async fn next(&self) -> Option<Delivery> {
        match self {
            Bus::Inline => None,
            Bus::InProcess(q) => q.next().await,
            Bus::JetStream(js) => js.next().await,
        }
    }

    /// The state of the bus. Asks NATS for the consumer's counts within a quarter second;
    /// a disconnected client is reported without asking.
    pub async fn status(&self) -> Status {
        match self {
            Bus::Inline => Status {
                engine: "inline",
                state: "connected",
                pending: Some(0),
            },
            Bus::InProcess(q) => Status {
                engine: "in_process",
                state: "connected",
                pending: Some(q.pending()),
            },
            Bus::JetStream(js) => js.status().await,
        }
    }

    /// The settings deliveries follow (the defaults for the inline engine).
    pub fn settings(&self) -> Settings {
        match self {
            Bus::Inline => Settings::default(),
            Bus::InProcess(q) => q.settings().clone(),
            Bus::JetStream(js) => js.settings().clone(),
        }
    }
}

/// One delivery of an id to a worker. Answer it with [`Delivery::ack`] after the processing
/// commit, [`Delivery::retry`] after a failure, or [`Delivery::dead_letter`] once
/// [`Delivery::exhausted`]; a delivery dropped unanswered comes back after the ack wait (the
/// in-process engine: at once), as when a node dies mid-message.
#[derive(Debug)]
pub struct Delivery {
    id: i64,
    /// 1 for the first delivery.
    attempt: u64,
    attempts: u64,
    inner: Inner,
}

#[derive(Debug)]
enum Inner {
    InProcess(in_process::Ticket),
    JetStream(Box<jetstream::Ticket>),
}

impl Delivery {
    /// The message's vault id.
    pub fn id(&self) -> i64 {
        self.id
    }

    /// Which delivery of this id this is, from 1.
    pub fn attempt(&self) -> u64 {
        self.attempt
    }

    /// Whether this delivery is past the processing attempts: the message is not processed
    /// again but parked, and the id put with the dead letters.
    pub fn exhausted(&self) -> bool {
        self.attempt > self.attempts
    }

    /// Tells the bus the worker is still at it: the ack wait starts again.
    pub async fn progress(&self) -> Result<(), BusError> {
        match &self.inner {
            Inner::InProcess(_) => Ok(()),
            Inner::JetStream(t) => t.progress().await,
        }
    }

    /// Done: the processing committed (or there was nothing to do). The id leaves the queue.
    pub async fn ack(self) -> Result<(), BusError> {
        match self.inner {
            Inner::InProcess(t) => {
                t.ack();
                Ok(())
            }
            Inner::JetStream(t) => t.ack().await,
        }
    }

    /// Not done: deliver it again after `delay` (counts as a delivery).
    pub async fn retry(self, delay: Duration) -> Result<(), BusError> {
        match self.inner {
            Inner::InProcess(t) => {
                t.retry(delay);
                Ok(())
            }
            Inner::JetStream(t) => t.retry(delay).await,
        }
    }

    /// Puts the id with the dead letters (with the reason, a short code), then acks it.
    pub async fn dead_letter(self, reason: &str) -> Result<(), BusError> {
        let id = self.id;
        match self.inner {
            Inner::InProcess(t) => {
                t.dead_letter(id, reason);
                Ok(())
            }
            Inner::JetStream(t) => t.dead_letter(id, reason).await,
        }
    }
}
