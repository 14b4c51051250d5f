//! `passage simulate`: a synthetic country's traffic, written to a folder or streamed to a
//! running Passage.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use simulator::{Config, Sent, Simulator, Size};

#[derive(clap::Args)]
pub struct Args {
    /// Seed: the same seed, size, days and start give the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// small (~40 flights a day), medium (~400) or large (~2,000).
    #[arg(long, default_value = "small")]
    size: Size,
    /// Number of days.
    #[arg(long, default_value_t = 1)]
    days: u32,
    /// First day of departures, YYYY-MM-DD.
    #[arg(long, default_value = "2026-12-01")]
    start: jiff::civil::Date,
    /// The receiving country (ISO 3166-1 alpha-3); its airports must be in the simulator's data.
    #[arg(long, default_value = "NLD")]
    country: String,
    /// Folder to write the messages, manifest, flights, watchlist and truth files into.
    #[arg(long, value_name = "DIR", required_unless_present = "to")]
    out: Option<PathBuf>,
    /// Base URL of a running Passage to send the messages to, in send-time order
    /// (POST {URL}/api/v1/messages).
    #[arg(long, value_name = "URL")]
    to: Option<String>,
    /// Messages per second when streaming.
    #[arg(long, default_value_t = 50.0)]
    rate: f64,
    /// Bearer token sent with every message when streaming (the carrier credential).
    #[arg(long)]
    token: Option<String>,
    /// Share of flights with a traveller planted on the watchlist (and, as often, a look-alike).
    #[arg(long, default_value_t = 0.03)]
    planted_share: f64,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let config = Config {
        start: args.start,
        home_country: args.country.clone(),
        planted_share: args.planted_share.clamp(0.0, 1.0),
        ..Config::new(args.seed, args.size, args.days)
    };
    let sim = Simulator::new(config).context("reading the simulator's data")?;
    if !sim
        .data()
        .airports
        .iter()
        .any(|a| a.country == args.country)
    {
        bail!(
            "country '{}' has no airport in the simulator's data",
            args.country
        );
    }
    let started = Instant::now();
    let mut messages: Vec<Sent> = Vec::new();
    let messages_dir = args.out.as_ref().map(|d| d.join("messages"));
    if let Some(dir) = &messages_dir {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    let mut write_error: Option<anyhow::Error> = None;
    let outcome = sim.run(|mut m| {
        if let Some(dir) = &messages_dir
            && write_error.is_none()
            && let Err(e) = std::fs::write(dir.join(&m.file), &m.bytes)
        {
            write_error = Some(anyhow::Error::new(e).context(format!("writing {}", m.file)));
        }
        if args.to.is_none() {
            m.bytes = Vec::new();
        }
        messages.push(m);
    });
    if let Some(e) = write_error {
        return Err(e);
    }
    messages.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.file.cmp(&b.file)));
    let travellers: usize = outcome.flights.iter().map(|f| f.travellers).sum();
    eprintln!(
        "simulated {} day(s): {} flights, {travellers} travellers, {} messages, {:.1} MB in {:.1} s",
        args.days,
        outcome.flights.len(),
        outcome.messages,
        outcome.bytes as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    if let Some(dir) = &args.out {
        write_files(dir, &sim, &outcome, &messages)?;
        eprintln!("written to {}", dir.display());
    }
    if let Some(url) = &args.to {
        stream(url, args.rate, args.token.as_deref(), &messages)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn jsonl<T: serde::Serialize>(path: &Path, items: &[T]) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(path).with_context(|| format!("creating {}", path.display()))?,
    );
    for item in items {
        serde_json::to_writer(&mut out, item)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(())
}

fn write_files(
    dir: &Path,
    sim: &Simulator,
    outcome: &simulator::Outcome,
    messages: &[Sent],
) -> anyhow::Result<()> {
    jsonl(&dir.join("manifest.jsonl"), messages)?;
    jsonl(&dir.join("flights.jsonl"), &outcome.flights)?;
    let list = simulator::truth::watchlist_csv(sim.watchlist());
    std::fs::write(dir.join("watchlist.csv"), list)?;
    let mut truth = String::from("flight,passenger_reference,booking,entry,relation,variation\n");
    for t in &outcome.truth {
        let (relation, variation) = match t.relation {
            simulator::Relation::Listed(v) => (
                "listed",
                serde_json::to_value(v)?.as_str().unwrap_or("").to_string(),
            ),
            simulator::Relation::LookAlike => ("look_alike", String::new()),
        };
        truth.push_str(&format!(
            "{},{},{},{},{relation},{variation}\n",
            t.flight, t.passenger_reference, t.booking, t.entry
        ));
    }
    std::fs::write(dir.join("truth.csv"), truth)?;
    Ok(())
}

fn stream(url: &str, rate: f64, token: Option<&str>, messages: &[Sent]) -> anyhow::Result<()> {
    if rate.is_nan() || rate <= 0.0 {
        bail!("--rate must be above zero");
    }
    let endpoint = format!("{}/api/v1/messages", url.trim_end_matches('/'));
    let bar = indicatif::ProgressBar::new(messages.len() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {pos}/{len} messages ({per_sec}) {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(30)))
        .http_status_as_error(false)
        .build()
        .into();
    let interval = Duration::from_secs_f64(1.0 / rate);
    let started = Instant::now();
    let (mut accepted, mut refused) = (0usize, 0usize);
    for (i, m) in messages.iter().enumerate() {
        let due = interval.mul_f64(i as f64);
        if let Some(wait) = due.checked_sub(started.elapsed()) {
            std::thread::sleep(wait);
        }
        let mut request = agent
            .post(&endpoint)
            .header("Content-Type", "application/edifact")
            .header("X-Passage-Carrier", &m.carrier);
        if let Some(token) = token {
            request = request.header("Authorization", &format!("Bearer {token}"));
        }
        let response = request
            .send(&m.bytes[..])
            .with_context(|| format!("sending {} to {endpoint}", m.file))?;
        if response.status().is_success() {
            accepted += 1;
        } else {
            refused += 1;
            bar.set_message(format!(
                "{refused} refused (last: HTTP {})",
                response.status().as_u16()
            ));
        }
        bar.inc(1);
    }
    bar.finish();
    eprintln!(
        "sent {} messages: {accepted} accepted, {refused} refused",
        messages.len()
    );
    Ok(())
}
