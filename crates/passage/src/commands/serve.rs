//! `passage serve`: the single window — HTTP intake and API, the drop folder, recovery of what
//! was received before a stop.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use intake::folder::DropFolder;
use intake::{Config, Intake};
use server::{Credentials, Limits, State};

#[derive(clap::Args, Clone)]
pub struct Args {
    /// A TOML file with these settings, one key per flag (`port = 8080`, `bus-workers = 4`):
    /// the command line and the environment win over it.
    #[arg(long, env = "PASSAGE_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory: the database and the drop folders live here.
    #[arg(long, env = "PASSAGE_DATA", default_value = "passage-data")]
    pub data: PathBuf,
    /// The unit's store: a `postgres://` URL (several nodes may share it), or the path of an
    /// SQLite file (default: the embedded database in the data directory).
    #[arg(long, env = "PASSAGE_STORE", value_name = "URL|FILE")]
    pub store: Option<String>,
    /// Address to listen on.
    #[arg(long, env = "PASSAGE_BIND", default_value = "127.0.0.1")]
    pub bind: String,
    /// Port to listen on (0 picks a free one).
    #[arg(long, env = "PASSAGE_PORT", default_value_t = 8080)]
    pub port: u16,
    /// Carrier credentials: a file of `CARRIER TOKEN` (or `TOKEN=CARRIER`) lines, `#` for
    /// comments, readable by this user only (mode 600).
    #[arg(long, env = "PASSAGE_CARRIERS", value_name = "FILE")]
    pub carriers: Option<PathBuf>,
    /// No longer accepted: a token on the command line is readable by every local user.
    #[arg(long = "carrier", hide = true, value_name = "TOKEN=CARRIER")]
    pub carrier_on_command_line: Vec<String>,
    /// Accept any sender, taking the carrier from the X-Passage-Carrier header (demonstrations
    /// and load tests on a machine of one's own only).
    #[arg(long)]
    pub open_intake: bool,
    /// Largest message accepted, in megabytes.
    #[arg(long, default_value_t = 16)]
    pub max_message_mb: usize,
    /// Messages per second each carrier may send (bursts of ten times that); unlimited when
    /// absent.
    #[arg(long)]
    pub rate_per_carrier: Option<f64>,
    /// Minutes parts of a series wait for the others.
    #[arg(long, default_value_t = 10)]
    pub series_timeout_minutes: u64,
    /// Airport time zones, `IATA,ZONE` per line (ZONE: `Europe/Amsterdam` or `+01:00`), to judge
    /// carriers' timing against the push windows; timing is counted as unknown without it.
    #[arg(long, env = "PASSAGE_AIRPORTS", value_name = "FILE")]
    pub airports: Option<PathBuf>,
    /// The retention policy in force (TOML, see crates/retention/policies/); the EU Directive
    /// 2016/681 profile when absent. A file that does not read stops the start.
    #[arg(
        long = "retention-policy",
        env = "PASSAGE_RETENTION_POLICY",
        value_name = "FILE"
    )]
    pub retention_policy: Option<PathBuf>,
    /// Minutes between retention runs (0: this node runs none; another node of the unit must).
    #[arg(long, default_value_t = 60)]
    pub retention_minutes: u64,
    #[command(flatten)]
    pub bus: BusArgs,
}

/// The bus between receiving and processing.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct BusArgs {
    /// `nats://HOST:4222` (NATS JetStream, shared by every node; several servers separated by
    /// commas; a user and password in the URL are better given by PASSAGE_BUS than on the
    /// command line), `memory` (a queue in this process), or absent: each message is
    /// processed as it is received.
    #[arg(long = "bus", env = "PASSAGE_BUS", value_name = "URL")]
    pub url: Option<String>,
    /// Subjects on the bus start with it (`PREFIX.intake.received`,
    /// `PREFIX.carriers.CODE.messages`), streams with it in capitals (`PREFIX_INTAKE`).
    #[arg(
        long = "bus-prefix",
        env = "PASSAGE_BUS_PREFIX",
        default_value = "passage"
    )]
    pub prefix: String,
    /// Messages this node processes at once from the bus (default: one per core).
    #[arg(long = "bus-workers")]
    pub workers: Option<usize>,
    /// Seconds a delivery may go unanswered before another worker gets it (workers in good
    /// health tell progress at a third of it).
    #[arg(long = "bus-ack-wait", default_value_t = 30)]
    pub ack_wait_seconds: u64,
    /// Do not take carriers' messages from `PREFIX.carriers.*.messages`.
    #[arg(long = "no-bus-carriers")]
    pub no_carriers: bool,
    /// The node's NATS credentials: a `.creds` file (user JWT and nkey seed, as `nsc` writes
    /// it) or a user nkey seed (`SU…`), readable by this user only.
    #[arg(
        long = "bus-credentials",
        env = "PASSAGE_BUS_CREDENTIALS",
        value_name = "FILE"
    )]
    pub credentials: Option<PathBuf>,
    /// The CA certificate (PEM) that signed the NATS servers' certificates: TLS is required.
    #[arg(long = "bus-ca", env = "PASSAGE_BUS_CA", value_name = "FILE")]
    pub ca: Option<PathBuf>,
    /// This node's certificate (PEM), for NATS servers that verify clients (with --bus-key).
    #[arg(
        long = "bus-cert",
        env = "PASSAGE_BUS_CERT",
        value_name = "FILE",
        requires = "key"
    )]
    pub cert: Option<PathBuf>,
    /// This node's private key (PEM, readable by this user only), with --bus-cert.
    #[arg(
        long = "bus-key",
        env = "PASSAGE_BUS_KEY",
        value_name = "FILE",
        requires = "cert"
    )]
    pub key: Option<PathBuf>,
}

impl BusArgs {
    /// What the node shows NATS.
    fn access(&self) -> bus::Access {
        bus::Access {
            credentials: self.credentials.clone(),
            ca: self.ca.clone(),
            client: self.cert.clone().zip(self.key.clone()),
        }
    }
}

/// The bus named by the flags, and the NATS connection when it is one.
async fn connect_bus(
    args: &BusArgs,
    workers: usize,
) -> anyhow::Result<(bus::Bus, Option<bus::JetStream>)> {
    let settings = bus::Settings {
        ack_wait: Duration::from_secs(args.ack_wait_seconds.max(1)),
        ..bus::Settings::default()
    };
    match args.url.as_deref() {
        None => Ok((bus::Bus::Inline, None)),
        Some("memory") => Ok((bus::Bus::InProcess(bus::InProcess::new(settings)), None)),
        Some(url) if url.starts_with("nats://") || url.starts_with("tls://") => {
            let js = bus::JetStream::connect_with(
                url,
                bus::Names::under(&args.prefix),
                settings,
                workers,
                &args.access(),
            )
            .await
            .context("connecting to NATS")?;
            Ok((bus::Bus::JetStream(js.clone()), Some(js)))
        }
        Some(_) => anyhow::bail!("--bus takes nats://HOST:PORT (or tls://…) or memory"),
    }
}

/// What `start` may be given beyond the flags: the demo's zones and simulated clock.
#[derive(Default)]
pub struct Setup {
    pub airports: Option<intake::timing::AirportZones>,
    pub clock: Option<intake::Clock>,
}

/// A running single window.
pub struct Running {
    pub state: Arc<State>,
    pub address: SocketAddr,
    pub folder: DropFolder,
}

pub fn credentials(args: &Args) -> anyhow::Result<Credentials> {
    // Refused even with --open-intake: the token is already in every local user's view.
    if !args.carrier_on_command_line.is_empty() {
        anyhow::bail!(
            "--carrier is no longer accepted: a token on the command line can be read by every \
             user of this machine (ps, /proc). Put the credentials in a file readable by this \
             user only (chmod 600), one `CARRIER TOKEN` per line, and give it with --carriers FILE"
        );
    }
    if args.open_intake {
        return Ok(Credentials::open());
    }
    match &args.carriers {
        Some(path) => Credentials::load(path).map_err(anyhow::Error::msg),
        None => Ok(Credentials::default()),
    }
}

/// Opens the store, recovers, and starts listening and sweeping.
pub async fn start(args: &Args, setup: Setup) -> anyhow::Result<Running> {
    // Before anything is opened: a bad credentials file stops the start.
    let credentials = credentials(args)?;
    tracing::info!(tokens = credentials.len(), "carrier credentials");
    let policy = super::retention::policy(args.retention_policy.as_deref())?;
    tracing::info!(policy = %policy.name, sha256 = %policy.sha256, "retention policy");
    std::fs::create_dir_all(&args.data)
        .with_context(|| format!("creating {}", args.data.display()))?;
    let store = super::open_store(&args.data, args.store.as_deref()).await?;
    let airports = match (&args.airports, setup.airports) {
        (None, Some(zones)) => zones,
        (path, _) => super::airports(path.as_deref())?,
    };
    let retention = retention::Retention::new(store.clone(), policy, airports.clone());
    let mut intake = Intake::new(
        store,
        Config {
            series_timeout: Duration::from_secs(args.series_timeout_minutes * 60),
            airports,
            ..Config::default()
        },
    );
    if let Some(clock) = setup.clock {
        intake = intake.with_clock(clock);
    }
    let workers = args
        .bus
        .workers
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, std::num::NonZero::get));
    let (bus, nats) = connect_bus(&args.bus, workers).await?;
    let queued = bus.queues();
    intake = intake.with_bus(bus);
    // Lists first, so that what recovery processes is screened too.
    let lists = intake
        .watchlists()
        .load()
        .await
        .context("loading the watchlists in force")?;
    tracing::info!(lists, "watchlists in force");
    let criteria = intake
        .criteria()
        .load()
        .await
        .context("loading the targeting criteria in force")?;
    tracing::info!(criteria, "targeting criteria in force");
    let accounts = accounts::Accounts::new(intake.store().clone(), accounts::Policy::default())?;
    let limits = Limits {
        body_bytes: args.max_message_mb * 1024 * 1024,
        rate: args
            .rate_per_carrier
            .map(|r| server::RateLimit::new(r, (r * 10.0).max(1.0))),
    };
    let state = Arc::new(
        State::new(intake, accounts, credentials, limits).with_retention(retention.clone()),
    );
    // The folder takes what HTTP takes: no file larger than a message may be.
    let folder = DropFolder::new(args.data.join("drop"), state.limits.body_bytes);
    folder.prepare().context("creating the drop folders")?;
    let listener = tokio::net::TcpListener::bind((args.bind.as_str(), args.port))
        .await
        .with_context(|| format!("listening on {}:{}", args.bind, args.port))?;
    let address = listener.local_addr()?;
    let app = server::app(state.clone());
    tokio::spawn(async move {
        // The peer's address reaches the handlers: sign-in attempts are limited per address.
        let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "server stopped");
        }
    });
    if args.retention_minutes > 0 {
        let every = Duration::from_secs(args.retention_minutes * 60);
        let state = state.clone();
        tokio::spawn(async move {
            // The first run a minute after start (recovery first), then at each period.
            tokio::time::sleep(Duration::from_secs(60).min(every)).await;
            loop {
                match retention
                    .run(state.intake.now(), store::Mode::Erase, &mut |_, _| {})
                    .await
                {
                    Ok(report) => {
                        tracing::info!(run = ?report.run, erased = ?report.erased, "retention")
                    }
                    // Another node ran with a clock a little ahead: its run did the work.
                    Err(e @ ::retention::RetentionError::ClockBehind { .. }) => {
                        tracing::warn!(error = %e, "retention")
                    }
                    Err(e) => tracing::error!(error = %e, "retention"),
                }
                tokio::time::sleep(every).await;
            }
        });
    }
    let sweeper = (state.clone(), folder.clone());
    let carriers_off = args.bus.no_carriers;
    tokio::spawn(async move {
        let (state, folder) = sweeper;
        // Recovery runs after the server listens: whatever the vault holds, the unit answers
        // at once (a message that stopped it before is parked, not retried for ever). With a
        // bus, series parts are restored here and what is still received goes through the
        // bus (published again: the bus and the claim make a repeat harmless).
        if queued {
            match state.intake.restore_series().await {
                Ok(n) => tracing::info!(series_parts = n, "series parts restored"),
                Err(e) => tracing::error!(error = %e, "restoring series"),
            }
            match state.intake.publish_received().await {
                Ok(n) => tracing::info!(published = n, "received messages published on the bus"),
                Err(e) => tracing::error!(error = %e, "publishing received messages"),
            }
            // Workers on every node take ids from the bus (once the series wait again); a
            // node that cannot reach NATS waits for it and says so.
            for _ in 0..workers {
                let state = state.clone();
                tokio::spawn(async move { state.intake.work().await });
            }
            if let Some(js) = nats.filter(|_| !carriers_off) {
                let state = state.clone();
                let max = state.limits.body_bytes;
                tokio::spawn(async move { state.intake.take_from_carriers(&js, max).await });
            }
        } else {
            match state.intake.recover().await {
                Ok(r) => tracing::info!(
                    series_parts = r.series_parts,
                    processed = r.processed,
                    failed = r.failed,
                    parked = r.parked,
                    errors = r.errors,
                    "recovered messages received before the last stop"
                ),
                Err(e) => tracing::error!(error = %e, "recovery"),
            }
        }
        let mut round: u64 = 0;
        loop {
            round += 1;
            // Name frequencies follow the traffic: rebuild the screener when it has doubled.
            if round.is_multiple_of(60)
                && let Err(e) = state.watchlists.refresh_if_grown().await
            {
                tracing::error!(error = %e, "screening refresh");
            }
            // What another node put in force (a list imported, a false alarm remembered, a
            // criterion activated) is in force here within two seconds.
            if round.is_multiple_of(2) {
                if let Err(e) = state.watchlists.sync().await {
                    tracing::error!(error = %e, "lists in force");
                }
                if let Err(e) = state.criteria.sync().await {
                    tracing::error!(error = %e, "criteria in force");
                }
            }
            if let Err(e) = folder.sweep(&state.intake).await {
                tracing::error!(error = %e, "drop folder");
            }
            if let Err(e) = state.intake.flush_series().await {
                tracing::error!(error = %e, "series");
            }
            // Without a bus: what was kept while the store failed to process it.
            if !queued
                && round.is_multiple_of(60)
                && let Err(e) = state.intake.sweep_kept().await
            {
                tracing::error!(error = %e, "kept messages");
            }
            // Ids the bus did not take when they were kept (NATS was away).
            if queued
                && round.is_multiple_of(5)
                && let Err(e) = state.intake.publish_unpublished().await
            {
                tracing::error!(error = %e, "publishing kept messages");
            }
            // Ids the bus never got (NATS away when they were kept) or lost.
            if queued
                && round.is_multiple_of(60)
                && let Err(e) = state.intake.sweep_bus().await
            {
                tracing::error!(error = %e, "bus sweep");
            }
            // The vault's partitions ahead of the months to come (PostgreSQL).
            if round % 3600 == 1800 {
                let today = jiff::Timestamp::now()
                    .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                    .date();
                match state.store.ensure_partitions(today).await {
                    Ok(made) => {
                        for name in made.made {
                            tracing::info!(partition = %name, "vault partition made");
                        }
                        for name in made.blocked {
                            tracing::error!(
                                partition = %name,
                                "receipts of this month sit in the vault's default partition; its partition is not made"
                            );
                        }
                    }
                    Err(e) => tracing::error!(error = %e, "vault partitions"),
                }
            }
            // The audit's head, outside the database: what is cut off the end after this is
            // found by the verification.
            if round % 30 == 1 {
                match state.store.checkpoint_audit().await {
                    Ok(Some(c)) => {
                        tracing::info!(records = c.records, last = c.last, hash = %c.hash, "audit checkpoint");
                    }
                    Ok(None) => {}
                    Err(e) => tracing::error!(error = %e, "audit checkpoint"),
                }
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    });
    Ok(Running {
        state,
        address,
        folder,
    })
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let running = start(args, Setup::default()).await?;
        // Tests and scripts read this line to find the port. Whoever reads may stop reading:
        // a closed standard output must not stop the server.
        use std::io::Write as _;
        let mut out = std::io::stdout();
        let _ = writeln!(out, "listening on http://{}", running.address);
        let _ = writeln!(out, "drop folder: {}", running.folder.inbox().display());
        let _ = out.flush();
        tokio::signal::ctrl_c().await?;
        let _ = writeln!(out, "stopping");
        Ok(ExitCode::SUCCESS)
    })
}
