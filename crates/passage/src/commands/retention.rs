//! `passage retention`: what the retention policy says is due, a run that applies it (also
//! what `serve` does each hour), and legal holds.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use retention::{Policy, Retention};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

/// Where the unit's data are, and the policy and zones in force.
#[derive(clap::Args, Clone)]
pub struct Unit {
    /// Data directory of this node (the embedded database, the audit's key).
    #[arg(long, env = "PASSAGE_DATA", default_value = "passage-data")]
    data: PathBuf,
    /// The unit's store: a `postgres://` URL, or the path of an SQLite file.
    #[arg(long, env = "PASSAGE_STORE", value_name = "URL|FILE")]
    store: Option<String>,
    /// The retention policy in force (TOML); the EU Directive 2016/681 profile when absent.
    #[arg(
        long = "retention-policy",
        env = "PASSAGE_RETENTION_POLICY",
        value_name = "FILE"
    )]
    policy: Option<PathBuf>,
    /// Airport time zones, `IATA,ZONE` per line: API periods run from arrival in the
    /// airport's zone (from the earliest instant a local time can be, without it).
    #[arg(long, env = "PASSAGE_AIRPORTS", value_name = "FILE")]
    airports: Option<PathBuf>,
}

#[derive(clap::Subcommand)]
enum Command {
    /// The policy in force, the oldest data of each kind and when they fall due, the last
    /// runs, and what a run now would erase.
    Status {
        #[command(flatten)]
        unit: Unit,
        /// The clock to judge at (RFC 3339, e.g. 2027-07-01T00:00:00Z); now by default.
        #[arg(long)]
        now: Option<jiff::Timestamp>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Apply the policy: keep statistics, erase what is due, keep what has an objective link.
    Run {
        #[command(flatten)]
        unit: Unit,
        /// The clock to run at (RFC 3339); now by default. A clock behind the last run's is
        /// refused.
        #[arg(long)]
        now: Option<jiff::Timestamp>,
        /// Count what would be erased; erase nothing.
        #[arg(long)]
        dry_run: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Place a legal hold: the data of a flight, a booking or a person are kept past their
    /// periods (never past the last) until released.
    Hold {
        #[command(flatten)]
        unit: Unit,
        /// The flight, e.g. XQ101/AMS-JFK/2026-12-01.
        #[arg(long)]
        flight: String,
        /// One booking of the flight (record locator).
        #[arg(long, conflicts_with = "person")]
        booking: Option<String>,
        /// One person of the flight's manifest (their number, as the console shows it).
        #[arg(long)]
        person: Option<i64>,
        /// Why (recorded in the audit).
        #[arg(long)]
        reason: String,
        /// The case it serves.
        #[arg(long = "case")]
        case_reference: String,
        /// Who places it.
        #[arg(long)]
        by: String,
    },
    /// Release a legal hold.
    Release {
        #[command(flatten)]
        unit: Unit,
        /// The hold's number.
        id: i64,
        #[arg(long)]
        by: String,
    },
    /// The legal holds in force (with --all, the released ones too).
    Holds {
        #[command(flatten)]
        unit: Unit,
        #[arg(long)]
        all: bool,
    },
}

/// The policy in force: the file given, else the EU profile. A file that does not read stops.
pub fn policy(path: Option<&std::path::Path>) -> anyhow::Result<Policy> {
    match path {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            Policy::parse(&text).with_context(|| format!("the policy in {}", path.display()))
        }
        None => Ok(Policy::eu_2016_681()?),
    }
}

impl Unit {
    async fn open(&self) -> anyhow::Result<(store::Store, Retention)> {
        let policy = policy(self.policy.as_deref())?;
        let airports = super::airports(self.airports.as_deref())?;
        let store = super::open_store(&self.data, self.store.as_deref()).await?;
        Ok((store.clone(), Retention::new(store, policy, airports)))
    }
}

fn json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// The non-zero counts, named, or "nothing".
fn named_counts(named: &[(&'static str, u64)]) -> String {
    match store::counts_text(named) {
        text if text.is_empty() => "nothing".to_string(),
        text => text,
    }
}

fn print_report(report: &retention::Report) {
    println!(
        "{} at {}{}",
        if report.dry_run {
            "would erase"
        } else {
            "erased"
        },
        report.now,
        report
            .run
            .map(|r| format!(" (run {r})"))
            .unwrap_or_default()
    );
    for (step, erased) in &report.steps {
        let counts = match step {
            retention::Step::Mask => named_counts(&report.masked.named()),
            _ => named_counts(&erased.named()),
        };
        println!("  {:<24} {counts}", step.name());
    }
    if report.counted > 0 {
        println!("  statistics kept for {} flight(s)", report.counted);
    }
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("starting the runtime")?;
    runtime.block_on(async {
        match &args.command {
            Command::Status {
                unit,
                now,
                json: as_json,
            } => {
                let (store, retention) = unit.open().await?;
                let status = retention
                    .status(now.unwrap_or_else(jiff::Timestamp::now))
                    .await?;
                store.close().await;
                if *as_json {
                    return json(&status).map(|_| ExitCode::SUCCESS);
                }
                println!("policy {} (sha256 {})", status.policy, status.policy_sha256);
                let o = &status.oldest;
                let line =
                    |what: &str, oldest: &Option<String>, due: &Option<String>| match (oldest, due)
                    {
                        (Some(o), Some(d)) => println!("  {what:<26} oldest {o}, due {d}"),
                        (Some(o), None) => println!("  {what:<26} oldest {o}"),
                        _ => println!("  {what:<26} none held"),
                    };
                line("PNR booking versions", &o.pnr_version, &status.next_pnr_due);
                line("flights with API data", &o.api_flight, &None);
                line("message bytes", &o.body, &status.next_body_due);
                line("message records", &o.message, &status.next_last_period_due);
                println!("  legal holds in force       {}", o.active_holds);
                let (versions, persons) = status.past_depersonalisation;
                if versions + persons > 0 {
                    println!(
                        "  past depersonalisation     {versions} booking version(s), {persons} \
                         API person(s) not masked yet (the next run masks them, Art. 12(2))"
                    );
                }
                for (kind, n) in &status.sealed {
                    println!("  sealed originals           {kind} {n}");
                }
                println!("  flights to count           {}", o.flights_to_count);
                match status.last_runs.first() {
                    Some(r) => println!(
                        "last run {} at clock {} ({})",
                        r.id,
                        r.now,
                        r.finished_at.as_deref().unwrap_or("did not finish")
                    ),
                    None => println!("no run yet"),
                }
                print_report(&status.due_now);
                Ok(ExitCode::SUCCESS)
            }
            Command::Run {
                unit,
                now,
                dry_run,
                json: as_json,
            } => {
                let (store, retention) = unit.open().await?;
                let bar = indicatif::ProgressBar::new_spinner();
                bar.set_style(
                    indicatif::ProgressStyle::with_template("{spinner} {msg} [{elapsed}]")
                        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
                );
                let mode = if *dry_run {
                    store::Mode::DryRun
                } else {
                    store::Mode::Erase
                };
                let report = retention
                    .run(
                        now.unwrap_or_else(jiff::Timestamp::now),
                        mode,
                        &mut |step, n| bar.set_message(format!("{}: {n}", step.name())),
                    )
                    .await;
                bar.finish_and_clear();
                store.close().await;
                let report = report?;
                if *as_json {
                    return json(&report).map(|_| ExitCode::SUCCESS);
                }
                print_report(&report);
                Ok(ExitCode::SUCCESS)
            }
            Command::Hold {
                unit,
                flight,
                booking,
                person,
                reason,
                case_reference,
                by,
            } => {
                let (store, _) = unit.open().await?;
                let row = store
                    .flight(flight)
                    .await?
                    .with_context(|| format!("no flight {flight}"))?;
                if let Some(p) = person
                    && !store.manifest(row.id).await?.iter().any(|m| m.id == *p)
                {
                    anyhow::bail!("person {p} is not on the manifest of {flight}");
                }
                if let Some(b) = booking
                    && store.booking(row.id, b).await?.is_none()
                {
                    anyhow::bail!("no booking {b} on {flight}");
                }
                let id = store
                    .place_hold(&store::NewHold {
                        flight_id: row.id,
                        locator: booking.as_deref(),
                        manifest_id: *person,
                        reason,
                        case_reference,
                        placed_by: by,
                    })
                    .await?;
                store.close().await;
                println!("hold {id} placed");
                Ok(ExitCode::SUCCESS)
            }
            Command::Release { unit, id, by } => {
                let (store, _) = unit.open().await?;
                let released = store.release_hold(*id, by).await?;
                store.close().await;
                if !released {
                    anyhow::bail!("no hold {id} in force");
                }
                println!("hold {id} released");
                Ok(ExitCode::SUCCESS)
            }
            Command::Holds { unit, all } => {
                let (store, _) = unit.open().await?;
                let holds = store.holds(!all).await?;
                store.close().await;
                for h in holds {
                    let scope = match (&h.locator, h.manifest_id) {
                        (_, Some(m)) => format!("person {m}"),
                        (Some(b), None) => format!("booking {b}"),
                        (None, None) => "whole flight".into(),
                    };
                    println!(
                        "{:>5}  {}  {scope}  case {}  by {} at {}{}",
                        h.id,
                        h.flight,
                        h.case_reference,
                        h.placed_by,
                        h.placed_at,
                        h.released_at
                            .map(|r| format!("  released {r}"))
                            .unwrap_or_default()
                    );
                }
                Ok(ExitCode::SUCCESS)
            }
        }
    })
}
