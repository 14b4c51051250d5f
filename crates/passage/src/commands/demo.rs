//! `passage demo`: a living unit in one command — the single window on a fresh data directory,
//! fed a simulated day of traffic from several carriers at an accelerated clock.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use simulator::{Config, Simulator, Size};

#[derive(clap::Args)]
pub struct Args {
    /// Data directory (created; an existing one is reused).
    #[arg(long, default_value = "passage-data")]
    data: PathBuf,
    /// The store: a `postgres://` URL, or the path of an SQLite file (default: the embedded
    /// database in the data directory).
    #[arg(long, env = "PASSAGE_STORE", value_name = "URL|FILE")]
    store: Option<String>,
    /// Port to listen on (0 picks a free one).
    #[arg(long, default_value_t = 8080)]
    port: u16,
    /// Seed of the simulated traffic.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// small, medium or large.
    #[arg(long, default_value = "small")]
    size: Size,
    /// Simulated seconds per real second (720: the three days over which a day's flights are
    /// reported pass in about six minutes).
    #[arg(long, default_value_t = 720.0)]
    speed: f64,
    /// Feed everything as fast as possible, print a summary and stop.
    #[arg(long)]
    once: bool,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let serve = super::serve::Args {
            config: None,
            data: args.data.clone(),
            store: args.store.clone(),
            bind: "127.0.0.1".into(),
            port: args.port,
            carriers: None,
            carrier_on_command_line: Vec::new(),
            open_intake: true,
            max_message_mb: 16,
            rate_per_carrier: None,
            series_timeout_minutes: 10,
            airports: None,
            retention_policy: None,
            // The demo's clock runs 720 times faster: API data would be erased minutes after
            // the flights land, while the demo is being explored. `passage retention status
            // --data DIR` shows what is due; `retention run` applies it.
            retention_minutes: 0,
            bus: super::serve::BusArgs::default(),
        };
        let sim = Simulator::new(Config::new(args.seed, args.size, 1)).context("simulator data")?;
        let mut sent = Vec::new();
        let outcome = sim.run(|m| sent.push(m));
        sent.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.file.cmp(&b.file)));
        // The synthetic country's airports keep fixed offsets; the intake runs on the simulated
        // clock, so that carriers' timing is judged as if the day were real.
        let mut zones = intake::timing::AirportZones::default();
        for a in &sim.data().airports {
            if let Ok(offset) = jiff::tz::Offset::from_seconds(a.utc_offset_minutes * 60) {
                zones.insert(&a.iata, jiff::tz::TimeZone::fixed(offset));
            }
        }
        let simulated_start = sent.first().map(|m| m.at).unwrap_or_else(jiff::Timestamp::now);
        let real_start = Instant::now();
        let speed = if args.once { 0.0 } else { args.speed.max(1.0) };
        let clock_at = intake::SetClock::new(simulated_start);
        let clock: intake::Clock = {
            let clock_at = clock_at.clone();
            Arc::new(move || {
                let now = clock_at.get();
                if speed > 0.0 {
                    let elapsed = real_start.elapsed().as_secs_f64() * speed;
                    simulated_start
                        .checked_add(jiff::SignedDuration::from_secs_f64(elapsed))
                        .unwrap_or(now)
                        .max(now)
                } else {
                    now
                }
            })
        };
        let running = super::serve::start(
            &serve,
            super::serve::Setup {
                airports: Some(zones),
                clock: Some(clock),
            },
        )
        .await?;
        let intake = &running.state.intake;
        // The synthetic country's national watchlist, with travellers planted on it.
        let list = simulator::truth::watchlist_csv(sim.watchlist());
        let imported = intake
            .watchlists().import("national", screening::Format::Csv, list.as_bytes(), "demo")
            .await
            .context("importing the demo watchlist")?;
        let url = format!("http://{}", running.address);
        let made = demo_users(&running.state.accounts).await?;
        let day = "2026-12-01";
        println!("Passage demo: the single window is listening on {url}");
        println!("  data directory: {}", args.data.display());
        println!(
            "  feeding {} messages of {} flights ({} travellers) from {} carriers at {}× speed",
            sent.len(),
            outcome.flights.len(),
            outcome.flights.iter().map(|f| f.travellers).sum::<usize>(),
            sim.data().carriers.len(),
            args.speed
        );
        println!(
            "  watchlist 'national' version {}: {} entries (import again of the same file: no new version)",
            imported.number, imported.entries
        );
        match &made {
            DemoUsers::Made { password, users } => {
                println!(
                    "  console: {url}/login — users {}; password for this run: {password}",
                    users.join(", ")
                );
                if users.len() < DEMO_USERS.len() {
                    println!("  the other users of this data directory were kept as they are (passwords unchanged)");
                }
            }
            DemoUsers::Kept => println!(
                "  console: {url}/login — the users of this data directory were kept as they are (passwords unchanged)"
            ),
        }
        println!("  JSON API with a token: passage users token analyst --data {}; then curl -H 'Authorization: Bearer …' -H 'X-Passage-Purpose: DEMO-1' '{url}/api/v1/hits?state=open'", args.data.display());
        println!("  drop folder for files: {}/<CARRIER>/ (Ctrl-C stops)", running.folder.inbox().display());
        let first = sent.first().map(|m| m.at);
        let started = Instant::now();
        for (i, m) in sent.iter().enumerate() {
            if !args.once
                && let Some(first) = first
            {
                let offset = (m.at - first).as_secs_f64() / args.speed.max(1.0);
                if let Some(wait) = Duration::from_secs_f64(offset.max(0.0)).checked_sub(started.elapsed()) {
                    tokio::time::sleep(wait).await;
                }
            }
            // With --once the clock jumps from message to message.
            clock_at.set(m.at);
            intake.receive("http", &m.carrier, &m.bytes).await?;
            if (i + 1) % 50 == 0 || i + 1 == sent.len() {
                println!("  {} / {} messages in (simulated clock {})", i + 1, sent.len(), m.at);
            }
        }
        let flights = intake.store().flights_on(day).await?;
        let counts = intake.store().count_messages().await?;
        println!(
            "fed: {} flights in the store; messages {}",
            flights.len(),
            counts.iter().map(|(s, n)| format!("{} {n}", s.as_str())).collect::<Vec<_>>().join(", ")
        );
        // As the console counts them: a PNR twin of an API hit is one decision, not two.
        let open: i64 = intake
            .store()
            .hit_counts()
            .await?
            .iter()
            .filter(|(_, state, _)| state == "open")
            .map(|(_, _, n)| n)
            .sum();
        println!("screening: {open} hits waiting for review ({url}/hits)");
        if !args.once {
            println!("all traffic in; the server keeps running at {url} (Ctrl-C stops)");
            tokio::signal::ctrl_c().await?;
        }
        Ok(ExitCode::SUCCESS)
    })
}

/// The demo's users, one of each role: name, display name, roles and agency. The approving authority is a court
/// outside the unit (Directive 2016/681 Art. 12(3)).
const DEMO_USERS: [(&str, &str, &[accounts::Role], &str); 6] = [
    ("analyst", "Demo Analyst", &[accounts::Role::Analyst], "PIU"),
    (
        "supervisor",
        "Demo Supervisor",
        &[accounts::Role::Supervisor, accounts::Role::Analyst],
        "PIU",
    ),
    (
        "liaison",
        "Demo Carrier Liaison",
        &[accounts::Role::CarrierLiaison],
        "PIU",
    ),
    (
        "dpo",
        "Demo Data Protection Officer",
        &[accounts::Role::DataProtectionOfficer],
        "PIU",
    ),
    (
        "admin",
        "Demo Administrator",
        &[accounts::Role::Administrator],
        "PIU",
    ),
    (
        "judge",
        "Demo Approving Authority",
        &[accounts::Role::ApprovingAuthority],
        "COURT",
    ),
];

/// What the demo did about its users.
#[derive(Debug)]
enum DemoUsers {
    /// These were added, with this run's password.
    Made {
        password: String,
        users: Vec<&'static str>,
    },
    /// All were there already: nothing changed.
    Kept,
}

/// Adds the demo users that are absent. An existing user (made by an earlier demo or by
/// hand, possibly the unit's real administrator) is never changed: no password reset.
async fn demo_users(accounts: &accounts::Accounts) -> anyhow::Result<DemoUsers> {
    let password: String = accounts::random_token()?.chars().take(16).collect();
    let mut users = Vec::new();
    for (username, display_name, roles, agency) in DEMO_USERS {
        if accounts.store().user_named(username).await?.is_some() {
            continue;
        }
        accounts
            .add_user(
                "demo",
                &accounts::UserSpec {
                    username,
                    display_name,
                    agency,
                    roles,
                    password: &password,
                },
            )
            .await?;
        users.push(username);
    }
    Ok(if users.is_empty() {
        DemoUsers::Kept
    } else {
        DemoUsers::Made { password, users }
    })
}
