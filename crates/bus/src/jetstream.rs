//! The NATS JetStream engine: the ids awaiting processing in a work-queue stream shared by
//! every node, the dead letters beside it, and the carriers' own subjects.
//!
//! Streams and consumers are made when first needed and made again when NATS lost them, so
//! a node starts while NATS is away and says so (`waiting_for_nats`) until it is back.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use async_nats::jetstream::{
    self, AckKind,
    consumer::{self, AckPolicy, Consumer, pull},
    message::PublishMessage,
    stream::{self, RetentionPolicy, StorageType},
};
use async_nats::{HeaderMap, connection::State};
use futures_util::StreamExt;
use invariant::Surely;
use tokio::sync::Mutex;

use crate::{Access, BusError, Delivery, Inner as DeliveryInner, Settings, Status};

/// The names of the streams, subjects and consumers, under a prefix, so that tests (and units
/// sharing one NATS) keep apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    /// Subjects start with it (`passage`): `passage.intake.received`,
    /// `passage.carriers.XQ.messages`, `passage.dead.intake`.
    pub subjects: String,
    /// Streams start with it (`PASSAGE`): `PASSAGE_INTAKE`, `PASSAGE_CARRIERS`, `PASSAGE_DEAD`.
    pub streams: String,
}

impl Default for Names {
    fn default() -> Names {
        Names {
            subjects: "passage".into(),
            streams: "PASSAGE".into(),
        }
    }
}

/// The durable consumer every node's workers share.
const WORKERS: &str = "workers";
/// The durable consumer of the carriers' stream every node shares.
const CARRIER_INTAKE: &str = "intake";
/// The header naming why a dead letter or a carrier's message was put aside.
pub const REASON_HEADER: &str = "Passage-Reason";
/// The header keeping the subject a carrier's refused message came on.
pub const SUBJECT_HEADER: &str = "Passage-Subject";

impl Names {
    /// Names under `prefix`: subjects `prefix.…`, streams `PREFIX_…` (upper case, dots and
    /// dashes as underscores).
    pub fn under(prefix: &str) -> Names {
        Names {
            subjects: prefix.to_string(),
            streams: prefix.to_ascii_uppercase().replace(['.', '-'], "_"),
        }
    }

    pub fn intake_subject(&self) -> String {
        format!("{}.intake.received", self.subjects)
    }

    pub fn intake_stream(&self) -> String {
        format!("{}_INTAKE", self.streams)
    }

    /// Where a carrier publishes its messages.
    pub fn carrier_subject(&self, carrier: &str) -> String {
        format!("{}.carriers.{carrier}.messages", self.subjects)
    }

    pub fn carriers_stream(&self) -> String {
        format!("{}_CARRIERS", self.streams)
    }

    /// Dead letters of `kind` (`intake`: ids past their attempts; `carriers`: carriers'
    /// messages refused).
    pub fn dead_subject(&self, kind: &str) -> String {
        format!("{}.dead.{kind}", self.subjects)
    }

    pub fn dead_stream(&self) -> String {
        format!("{}_DEAD", self.streams)
    }

    fn all_streams(&self) -> [String; 3] {
        [
            self.intake_stream(),
            self.carriers_stream(),
            self.dead_stream(),
        ]
    }

    /// The carrier token of a carriers' subject, as sent (not judged here).
    fn carrier_of<'s>(&self, subject: &'s str) -> Option<&'s str> {
        subject
            .strip_prefix(self.subjects.as_str())?
            .strip_prefix(".carriers.")?
            .strip_suffix(".messages")
    }
}

/// A dead letter or a refused message, as kept in the dead stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    pub subject: String,
    /// Why it was put aside (a short code).
    pub reason: String,
    /// For a carrier's message refused, the subject it was published on.
    pub from: Option<String>,
    pub payload: Vec<u8>,
}

/// A connection to NATS JetStream, shared by a node's receiving and workers.
#[derive(Clone)]
pub struct JetStream {
    inner: Arc<Shared>,
}

struct Shared {
    client: async_nats::Client,
    js: jetstream::Context,
    names: Names,
    settings: Settings,
    /// The streams exist (as far as this node knows).
    streams_ready: AtomicBool,
    workers: Mutex<Pull>,
    carriers: Mutex<Pull>,
    /// How many deliveries a node's pull asks for at a time.
    batch: usize,
}

/// A durable pull consumer and its open stream of deliveries, made when first needed.
#[derive(Default)]
struct Pull {
    consumer: Option<Consumer<pull::Config>>,
    messages: Option<pull::Stream>,
}

impl std::fmt::Debug for JetStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JetStream")
            .field("names", &self.inner.names)
            .field("settings", &self.inner.settings)
            .finish_non_exhaustive()
    }
}

fn unreachable(e: impl std::fmt::Display) -> BusError {
    BusError::Unreachable(e.to_string())
}

impl JetStream {
    /// Connects to NATS at `url` (`nats://host:4222`; several servers separated by commas). The
    /// client keeps trying in the background when NATS is away, at the start too: this returns
    /// at once, and the node reports `waiting_for_nats` until the connection is made.
    /// `workers` is how many ids a node holds at a time.
    pub async fn connect(
        url: &str,
        names: Names,
        settings: Settings,
        workers: usize,
    ) -> Result<JetStream, BusError> {
        JetStream::connect_with(url, names, settings, workers, &Access::default()).await
    }

    /// As [`JetStream::connect`], proving this node to NATS as `access` says (a credentials
    /// file, TLS).
    pub async fn connect_with(
        url: &str,
        names: Names,
        settings: Settings,
        workers: usize,
        access: &Access,
    ) -> Result<JetStream, BusError> {
        let options = access.apply(
            async_nats::ConnectOptions::new()
                .name("passage")
                .retry_on_initial_connect()
                .connection_timeout(Duration::from_secs(2))
                .max_reconnects(None),
        )?;
        let client = options.connect(url).await.map_err(unreachable)?;
        let js = jetstream::ContextBuilder::new()
            .timeout(settings.publish_timeout)
            .build(client.clone());
        Ok(JetStream {
            inner: Arc::new(Shared {
                client,
                js,
                names,
                settings,
                streams_ready: AtomicBool::new(false),
                workers: Mutex::default(),
                carriers: Mutex::default(),
                batch: workers.max(1),
            }),
        })
    }

    pub fn names(&self) -> &Names {
        &self.inner.names
    }

    pub fn settings(&self) -> &Settings {
        &self.inner.settings
    }

    /// Whether the client is connected to NATS now.
    pub fn connected(&self) -> bool {
        self.inner.client.connection_state() == State::Connected
    }

    /// Makes the streams when they do not exist (an existing stream is kept as it is).
    pub async fn ensure_streams(&self) -> Result<(), BusError> {
        if self.inner.streams_ready.load(Ordering::Acquire) {
            return Ok(());
        }
        let n = &self.inner.names;
        let configs = [
            // Ids: a work queue (an acked id leaves it). An id lost here is found again in the
            // vault, so old leftovers (deliveries exhausted while the store was down) expire.
            stream::Config {
                name: n.intake_stream(),
                subjects: vec![n.intake_subject()],
                retention: RetentionPolicy::WorkQueue,
                storage: StorageType::File,
                max_age: Duration::from_secs(30 * 24 * 3600),
                duplicate_window: Duration::from_secs(120),
                ..Default::default()
            },
            // Carriers' messages: acknowledged to the carrier once here, so kept until a node
            // has them in its vault, however long that takes.
            stream::Config {
                name: n.carriers_stream(),
                subjects: vec![format!("{}.carriers.*.messages", n.subjects)],
                retention: RetentionPolicy::WorkQueue,
                storage: StorageType::File,
                duplicate_window: Duration::from_secs(120),
                ..Default::default()
            },
            // Dead letters and refused carriers' messages, for an administrator.
            stream::Config {
                name: n.dead_stream(),
                subjects: vec![format!("{}.dead.>", n.subjects)],
                retention: RetentionPolicy::Limits,
                storage: StorageType::File,
                max_age: Duration::from_secs(365 * 24 * 3600),
                ..Default::default()
            },
        ];
        for config in configs {
            self.inner
                .js
                .get_or_create_stream(config)
                .await
                .map_err(unreachable)?;
        }
        self.inner.streams_ready.store(true, Ordering::Release);
        Ok(())
    }

    /// Queues an id: returns once the stream has it (or had it: the same id within the
    /// duplicate window is not queued twice).
    pub(crate) async fn publish(&self, id: i64) -> Result<(), BusError> {
        let within = self.inner.settings.publish_timeout;
        tokio::time::timeout(within, async {
            self.ensure_streams().await?;
            let publish = PublishMessage::build()
                .payload(id.to_string().into())
                .message_id(id.to_string());
            let ack = self
                .inner
                .js
                .send_publish(self.inner.names.intake_subject(), publish)
                .await
                .map_err(unreachable)?;
            ack.await.map_err(|e| {
                // The stream may have been removed behind our back: made again next time.
                self.inner.streams_ready.store(false, Ordering::Release);
                unreachable(e)
            })?;
            Ok(())
        })
        .await
        .map_err(|_| BusError::Unreachable("no acknowledgement in time".into()))?
    }

    async fn consumer(
        &self,
        stream: String,
        name: &str,
        max_deliver: i64,
    ) -> Result<Consumer<pull::Config>, BusError> {
        self.ensure_streams().await?;
        let stream = self
            .inner
            .js
            .get_stream_no_info(&stream)
            .await
            .map_err(|e| {
                self.inner.streams_ready.store(false, Ordering::Release);
                unreachable(e)
            })?;
        stream
            .get_or_create_consumer(
                name,
                pull::Config {
                    durable_name: Some(name.to_string()),
                    ack_policy: AckPolicy::Explicit,
                    ack_wait: self.inner.settings.ack_wait,
                    max_deliver,
                    max_ack_pending: 1000,
                    ..Default::default()
                },
            )
            .await
            .map_err(unreachable)
    }

    /// The next message of a pull consumer, making the consumer and its stream of
    /// deliveries when needed. Waits (retrying each second) while NATS is away.
    async fn pull(&self, carriers: bool) -> jetstream::Message {
        let inner = &self.inner;
        let pull = if carriers {
            &inner.carriers
        } else {
            &inner.workers
        };
        let mut quiet = false;
        loop {
            let mut p = pull.lock().await;
            if p.messages.is_none() {
                if p.consumer.is_none() {
                    let made = if carriers {
                        // Carriers' messages are never given up: they are retried until kept.
                        self.consumer(inner.names.carriers_stream(), CARRIER_INTAKE, -1)
                            .await
                    } else {
                        let max = i64::try_from(inner.settings.max_deliver()).unwrap_or(i64::MAX);
                        self.consumer(inner.names.intake_stream(), WORKERS, max)
                            .await
                    };
                    match made {
                        Ok(c) => p.consumer = Some(c),
                        Err(e) => {
                            drop(p);
                            if !quiet {
                                tracing::warn!(error = %e, carriers, "bus: waiting for NATS");
                                quiet = true;
                            }
                            tokio::time::sleep(Duration::from_secs(1)).await;
                            continue;
                        }
                    }
                }
                let opened = match &p.consumer {
                    Some(c) => {
                        c.stream()
                            .max_messages_per_batch(inner.batch)
                            .heartbeat(Duration::from_secs(5))
                            .expires(Duration::from_secs(30))
                            .messages()
                            .await
                    }
                    None => continue,
                };
                match opened {
                    Ok(s) => p.messages = Some(s),
                    Err(e) => {
                        p.consumer = None;
                        drop(p);
                        if !quiet {
                            tracing::warn!(error = %e, carriers, "bus: waiting for NATS");
                            quiet = true;
                        }
                        tokio::time::sleep(Duration::from_secs(1)).await;
                        continue;
                    }
                }
            }
            let Some(messages) = p.messages.as_mut() else {
                continue;
            };
            match messages.next().await {
                Some(Ok(m)) => {
                    if quiet {
                        tracing::info!(carriers, "bus: NATS reached again");
                    }
                    return m;
                }
                Some(Err(e)) => {
                    use consumer::pull::MessagesErrorKind as K;
                    // A missed heartbeat (NATS away) keeps the stream, which resumes by itself.
                    if !matches!(e.kind(), K::MissingHeartbeat) {
                        p.messages = None;
                        p.consumer = None;
                        inner.streams_ready.store(false, Ordering::Release);
                    }
                    drop(p);
                    if !quiet {
                        tracing::warn!(error = %e, carriers, "bus: waiting for NATS");
                        quiet = true;
                    }
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
                None => {
                    p.messages = None;
                }
            }
        }
    }

    /// The next id to process. A payload that is not an id goes to the dead letters.
    pub(crate) async fn next(&self) -> Option<Delivery> {
        loop {
            let m = self.pull(false).await;
            // Every delivery of a pull consumer carries its metadata in the reply subject.
            let attempt = m
                .info()
                .ok()
                .and_then(|i| u64::try_from(i.delivered).ok())
                .surely_or(1, "a JetStream delivery without its delivery count");
            let id = std::str::from_utf8(&m.payload)
                .ok()
                .and_then(|s| s.parse::<i64>().ok());
            let ticket = Ticket {
                message: m,
                bus: self.clone(),
            };
            let Some(id) = id else {
                tracing::error!(
                    "bus: a queued entry is not a message id; put with the dead letters"
                );
                if let Err(e) = ticket.put_aside("intake", "not_a_message_id", None).await {
                    tracing::error!(error = %e, "bus: putting an entry aside");
                }
                continue;
            };
            return Some(Delivery {
                id,
                attempt,
                attempts: self.inner.settings.attempts,
                inner: DeliveryInner::JetStream(Box::new(ticket)),
            });
        }
    }

    /// The next message a carrier published on its subject. Waits while NATS is away.
    pub async fn carrier_deliveries(&self) -> CarrierDelivery {
        let m = self.pull(true).await;
        // The stream takes only `<prefix>.carriers.*.messages`; anything else would name no
        // carrier, and an empty carrier is refused like any other that is not a code.
        let carrier = self
            .inner
            .names
            .carrier_of(m.subject.as_str())
            .map_or_else(String::new, str::to_string);
        CarrierDelivery {
            carrier,
            ticket: Ticket {
                message: m,
                bus: self.clone(),
            },
        }
    }

    pub(crate) async fn status(&self) -> Status {
        if !self.connected() {
            return Status {
                engine: "nats",
                state: "waiting_for_nats",
                pending: None,
            };
        }
        // Asked of NATS, never of the workers' pull (a worker waiting for deliveries holds it).
        let info = async {
            let stream = self
                .inner
                .js
                .get_stream_no_info(self.inner.names.intake_stream())
                .await
                .ok()?;
            stream.consumer_info(WORKERS).await.ok()
        };
        let pending = tokio::time::timeout(Duration::from_millis(250), info)
            .await
            .ok()
            .flatten()
            .map(|i| i.num_pending + i.num_ack_pending as u64);
        Status {
            engine: "nats",
            state: "connected",
            pending,
        }
    }

    /// Ids queued or in the hands of a worker, from the consumer's counts.
    pub async fn pending(&self) -> Result<u64, BusError> {
        let mut c = self
            .consumer(
                self.inner.names.intake_stream(),
                WORKERS,
                i64::try_from(self.inner.settings.max_deliver()).unwrap_or(i64::MAX),
            )
            .await?;
        let info = c.info().await.map_err(unreachable)?;
        Ok(info.num_pending + info.num_ack_pending as u64)
    }

    /// Everything the dead stream keeps, oldest first.
    pub async fn dead_letters(&self) -> Result<Vec<DeadLetter>, BusError> {
        self.ensure_streams().await?;
        let mut stream = self
            .inner
            .js
            .get_stream(self.inner.names.dead_stream())
            .await
            .map_err(unreachable)?;
        let state = stream.info().await.map_err(unreachable)?.state.clone();
        let mut out = Vec::new();
        if state.messages == 0 {
            return Ok(out);
        }
        for seq in state.first_sequence..=state.last_sequence {
            let Ok(m) = stream.get_raw_message(seq).await else {
                continue;
            };
            let header = |name: &str| m.headers.get(name).map(|v| v.as_str().to_string());
            out.push(DeadLetter {
                subject: m.subject.to_string(),
                reason: header(REASON_HEADER).unwrap_or_default(),
                from: header(SUBJECT_HEADER),
                payload: m.payload.to_vec(),
            });
        }
        Ok(out)
    }

    /// Removes this prefix's streams (and so their consumers): for tests, and for an
    /// administrator starting over.
    pub async fn delete_streams(&self) -> Result<(), BusError> {
        for name in self.inner.names.all_streams() {
            // A stream already gone is what was wanted.
            let _ = self.inner.js.delete_stream(&name).await;
        }
        self.inner.streams_ready.store(false, Ordering::Release);
        *self.inner.workers.lock().await = Pull::default();
        *self.inner.carriers.lock().await = Pull::default();
        Ok(())
    }

    /// Publishes bytes on a carrier's subject, as a carrier would (tests, tools).
    pub async fn publish_as_carrier(&self, carrier: &str, body: Vec<u8>) -> Result<(), BusError> {
        self.ensure_streams().await?;
        let ack = self
            .inner
            .js
            .publish(self.inner.names.carrier_subject(carrier), body.into())
            .await
            .map_err(unreachable)?;
        ack.await.map_err(unreachable)?;
        Ok(())
    }

    /// Publishes a raw payload on the intake subject (tests: an entry that is not an id).
    pub async fn publish_raw(&self, payload: Vec<u8>) -> Result<(), BusError> {
        self.ensure_streams().await?;
        let ack = self
            .inner
            .js
            .publish(self.inner.names.intake_subject(), payload.into())
            .await
            .map_err(unreachable)?;
        ack.await.map_err(unreachable)?;
        Ok(())
    }
}

/// A delivery of the JetStream engine.
pub(crate) struct Ticket {
    message: jetstream::Message,
    bus: JetStream,
}

impl std::fmt::Debug for Ticket {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ticket")
            .field("subject", &self.message.subject)
            .finish_non_exhaustive()
    }
}

impl Ticket {
    fn within(&self) -> Duration {
        self.bus.inner.settings.publish_timeout
    }

    pub(crate) async fn progress(&self) -> Result<(), BusError> {
        self.message
            .ack_with(AckKind::Progress)
            .await
            .map_err(unreachable)
    }

    /// Acks and waits for NATS to confirm: once this returns the entry is gone.
    pub(crate) async fn ack(self) -> Result<(), BusError> {
        tokio::time::timeout(self.within(), self.message.double_ack())
            .await
            .map_err(|_| BusError::Unreachable("no acknowledgement in time".into()))?
            .map_err(unreachable)
    }

    pub(crate) async fn retry(self, delay: Duration) -> Result<(), BusError> {
        self.message
            .ack_with(AckKind::Nak(Some(delay)))
            .await
            .map_err(unreachable)
    }

    pub(crate) async fn dead_letter(self, id: i64, reason: &str) -> Result<(), BusError> {
        tracing::warn!(message = id, reason, "bus: put with the dead letters");
        self.put_aside("intake", reason, None).await
    }

    /// Copies the entry (headers and bytes) to the dead stream under `kind` with the reason,
    /// then acks it. Not acked when the copy failed: it comes back.
    async fn put_aside(self, kind: &str, reason: &str, from: Option<&str>) -> Result<(), BusError> {
        let names = &self.bus.inner.names;
        let mut headers = match &self.message.headers {
            Some(h) => h.clone(),
            None => HeaderMap::new(),
        };
        headers.insert(REASON_HEADER, reason);
        if let Some(from) = from {
            headers.insert(SUBJECT_HEADER, from);
        }
        // The same entry put aside twice (an ack lost after the copy) is kept once.
        let stream_sequence = self
            .message
            .info()
            .ok()
            .map(|i| i.stream_sequence)
            .surely_or(0, "a JetStream delivery without its stream sequence");
        let publish = PublishMessage::build()
            .payload(self.message.payload.clone())
            .headers(headers)
            .message_id(format!("{kind}-{stream_sequence}"));
        let within = self.within();
        let js = &self.bus.inner.js;
        let subject = names.dead_subject(kind);
        tokio::time::timeout(within, async {
            js.send_publish(subject, publish)
                .await
                .map_err(unreachable)?
                .await
                .map_err(unreachable)
        })
        .await
        .map_err(|_| BusError::Unreachable("no acknowledgement in time".into()))??;
        self.ack().await
    }
}

/// A message a carrier published on its subject, until it is kept (then [`ack`]) or refused.
///
/// [`ack`]: CarrierDelivery::ack
#[derive(Debug)]
pub struct CarrierDelivery {
    carrier: String,
    ticket: Ticket,
}

impl CarrierDelivery {
    /// The carrier named by the subject, as sent: the receiver judges it.
    pub fn carrier(&self) -> &str {
        &self.carrier
    }

    pub fn body(&self) -> &[u8] {
        &self.ticket.message.payload
    }

    /// The subject it was published on.
    pub fn subject(&self) -> &str {
        self.ticket.message.subject.as_str()
    }

    /// Kept in the vault: it leaves the carriers' stream.
    pub async fn ack(self) -> Result<(), BusError> {
        self.ticket.ack().await
    }

    /// Not kept now (the store failed): delivered again after `delay`.
    pub async fn retry(self, delay: Duration) -> Result<(), BusError> {
        self.ticket.retry(delay).await
    }

    /// Not taken (a subject that names no carrier, a message too large): kept, headers and
    /// bytes, in the dead stream under `carriers` with the reason and the subject, then it
    /// leaves the carriers' stream.
    pub async fn refuse(self, reason: &str) -> Result<(), BusError> {
        let subject = self.ticket.message.subject.to_string();
        self.ticket
            .put_aside("carriers", reason, Some(&subject))
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_under_a_prefix() {
        let n = Names::under("t-1.x");
        assert_eq!(n.intake_subject(), "t-1.x.intake.received");
        assert_eq!(n.intake_stream(), "T_1_X_INTAKE");
        assert_eq!(n.carrier_subject("XQ"), "t-1.x.carriers.XQ.messages");
        assert_eq!(n.dead_subject("intake"), "t-1.x.dead.intake");
        assert_eq!(n.carrier_of("t-1.x.carriers.XQ.messages"), Some("XQ"));
        assert_eq!(n.carrier_of("t-1.x.carriers.xq1.messages"), Some("xq1"));
        assert_eq!(n.carrier_of("other.carriers.XQ.messages"), None);
        assert_eq!(Names::default().intake_stream(), "PASSAGE_INTAKE");
    }
}
