//! `passage ingest`: take files into the store directly, as the drop folder would, with a
//! summary of what was accepted, duplicated, left waiting and failed.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use intake::{Config, Intake, Outcome};

#[derive(clap::Args)]
pub struct Args {
    /// Files or directories (read recursively, in name order).
    #[arg(required = true, value_name = "FILE|DIR")]
    paths: Vec<PathBuf>,
    /// Data directory of the store.
    #[arg(long, env = "PASSAGE_DATA", default_value = "passage-data")]
    data: PathBuf,
    /// The unit's store: a `postgres://` URL, or the path of an SQLite file (default: the
    /// embedded database in the data directory).
    #[arg(long, env = "PASSAGE_STORE", value_name = "URL|FILE")]
    store: Option<String>,
    /// The carrier the files come from.
    #[arg(long, default_value = "UNKNOWN")]
    carrier: String,
}

fn files(paths: &[PathBuf]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack: Vec<PathBuf> = paths.to_vec();
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            if let Ok(entries) = std::fs::read_dir(&p) {
                stack.extend(entries.flatten().map(|e| e.path()));
            }
        } else if p.is_file() {
            out.push(p);
        }
    }
    out.sort();
    out
}

/// How many files share one receipt commit.
const BATCH_FILES: usize = 64;

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        std::fs::create_dir_all(&args.data)?;
        let store = super::open_store(&args.data, args.store.as_deref()).await.context("opening the store")?;
        let intake = Intake::new(store, Config::default());
        // Travellers taken in are screened against the lists in force, as the server does.
        let lists = intake.watchlists().load().await.context("loading the watchlists in force")?;
        intake.criteria().load().await.context("loading the active criteria")?;
        let files = files(&args.paths);
        let bar = indicatif::ProgressBar::new(files.len() as u64);
        let (mut processed, mut duplicates, mut kept, mut failed) = (0, 0, 0, Vec::new());
        let mut parts = Vec::new();
        let carrier = args.carrier.to_ascii_uppercase();
        let started = std::time::Instant::now();
        let mut bytes_in = 0u64;
        // Receipts are committed a batch at a time: one wait for the disk per batch, not per file.
        for batch in files.chunks(BATCH_FILES) {
            let mut bodies = Vec::with_capacity(batch.len());
            for f in batch {
                bodies.push(std::fs::read(f).with_context(|| format!("reading {}", f.display()))?);
            }
            bytes_in += bodies.iter().map(|b| b.len() as u64).sum::<u64>();
            let receipts = intake.receive_batch("file", &carrier, bodies).await?;
            intake.watchlists().refresh_if_grown().await?;
            for (f, receipt) in batch.iter().zip(receipts) {
                match receipt.outcome {
                    Outcome::Processed => processed += 1,
                    Outcome::Duplicate { .. } => duplicates += 1,
                    Outcome::Waiting => parts.push(receipt.message),
                    Outcome::Failed => failed.push((f.clone(), receipt.message)),
                    // Without a bus nothing is queued, and fresh receipts are never skipped.
                    Outcome::Kept | Outcome::Queued | Outcome::Skipped => kept += 1,
                }
                bar.inc(1);
            }
        }
        bar.finish();
        let mut waiting = 0;
        for id in &parts {
            match intake.store().message(*id).await?.map(|m| m.state) {
                Some(store::MessageState::Waiting) => waiting += 1,
                _ => processed += 1,
            }
        }
        let elapsed = started.elapsed().as_secs_f64();
        let totals = intake.store().totals().await?;
        println!(
            "{} files, {:.1} MB in {elapsed:.1} s: {:.0} messages/s, {:.0} travellers/s ({} flights, {} travellers on API manifests, {} PNR travellers)",
            files.len(),
            bytes_in as f64 / 1e6,
            files.len() as f64 / elapsed,
            totals.api_persons as f64 / elapsed,
            totals.flights,
            totals.api_persons,
            totals.pnr_travellers,
        );
        let hits = intake.store().hits(Some("open"), None, i64::MAX).await?.len();
        println!("screened against {lists} lists: {hits} hits waiting for review");
        println!(
            "{} files: {processed} processed, {duplicates} duplicates, {waiting} parts of series still waiting for the others, {kept} kept for the next start, {} failed",
            files.len(),
            failed.len()
        );
        for (f, id) in &failed {
            let findings = intake.store().message(*id).await?.map(|m| m.findings).unwrap_or_default();
            let codes: Vec<String> = findings
                .as_array()
                .map(|a| a.iter().filter_map(|f| f["code"].as_str().map(String::from)).collect())
                .unwrap_or_default();
            println!("  failed: {} (message {id}): {}", f.display(), codes.join(", "));
        }
        Ok(if failed.is_empty() { ExitCode::SUCCESS } else { ExitCode::from(1) })
    })
}
