//! An open-loop load test of a running `passage serve --open-intake`: messages of a simulated
//! day are sent at a fixed rate, each at its scheduled time whatever the server does, and
//! every latency is counted from that scheduled time (a slow server cannot slow the sender and
//! hide its own queue). Meanwhile an analyst reads a flight list every half second.
//!
//! `load URL MESSAGES_DIR TOKEN RATE SECONDS` — prints one line of figures. Bounded: at most
//! RATE × SECONDS messages, at most 1,024 in flight (sends past that are counted as not sent),
//! and it stops by itself.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const MAX_IN_FLIGHT: usize = 1_024;

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(120)))
        .build()
        .into()
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    sorted
        .get((sorted.len() * p / 100).min(sorted.len().saturating_sub(1)))
        .copied()
        .unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.0}", d.as_secs_f64() * 1000.0)
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let [_, url, dir, token, rate, seconds] = args.as_slice() else {
        return Err("usage: load URL MESSAGES_DIR TOKEN RATE SECONDS".into());
    };
    let rate: f64 = rate.parse().map_err(|e| format!("RATE: {e}"))?;
    let seconds: f64 = seconds.parse().map_err(|e| format!("SECONDS: {e}"))?;
    // `passage simulate --out DIR` writes DIR/messages/<send time>_<CARRIER>_…: name order is
    // send order.
    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for f in std::fs::read_dir(dir).map_err(|e| format!("{dir}: {e}"))? {
        let path = f.map_err(|e| e.to_string())?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        let Some(carrier) = name.split('_').nth(1) else {
            continue;
        };
        files.push((carrier.to_string(), path.clone()));
    }
    files.sort_by(|a, b| a.1.file_name().cmp(&b.1.file_name()));
    let total = ((rate * seconds) as usize).min(files.len());
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(total)));
    let statuses = Arc::new(Mutex::new(std::collections::BTreeMap::<u16, usize>::new()));
    let in_flight = Arc::new(AtomicUsize::new(0));
    let mut max_in_flight = 0;
    let mut not_sent = 0;
    let done = Arc::new(std::sync::atomic::AtomicBool::new(false));
    // The analyst's reads, every half second while the load runs.
    let reads = {
        let (url, token, done) = (url.clone(), token.clone(), done.clone());
        std::thread::spawn(move || {
            let agent = agent();
            let mut out = Vec::new();
            while !done.load(Ordering::Relaxed) {
                let started = Instant::now();
                let ok = agent
                    .get(format!("{url}/api/v1/flights?date=2026-12-01"))
                    .header("Authorization", format!("Bearer {token}"))
                    .header("X-Passage-Purpose", "LOAD-TEST")
                    .call()
                    .map(|r| r.status().as_u16() == 200)
                    .unwrap_or(false);
                out.push((started.elapsed(), ok));
                std::thread::sleep(Duration::from_millis(500));
            }
            out
        })
    };
    let start = Instant::now();
    let mut senders = Vec::with_capacity(total);
    for (i, (carrier, path)) in files.into_iter().take(total).enumerate() {
        let scheduled = start + Duration::from_secs_f64(i as f64 / rate);
        if let Some(wait) = scheduled.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let now_in_flight = in_flight.load(Ordering::Relaxed);
        max_in_flight = max_in_flight.max(now_in_flight);
        if now_in_flight >= MAX_IN_FLIGHT {
            not_sent += 1;
            continue;
        }
        let body = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        in_flight.fetch_add(1, Ordering::Relaxed);
        let (url, latencies, statuses, in_flight) = (
            url.clone(),
            latencies.clone(),
            statuses.clone(),
            in_flight.clone(),
        );
        senders.push(std::thread::spawn(move || {
            let status = agent()
                .post(format!("{url}/api/v1/messages"))
                .header("X-Passage-Carrier", &carrier)
                .send(&body[..])
                .map(|r| r.status().as_u16())
                .unwrap_or(0);
            let latency = scheduled.elapsed();
            in_flight.fetch_sub(1, Ordering::Relaxed);
            if let Ok(mut l) = latencies.lock() {
                l.push(latency);
            }
            if let Ok(mut s) = statuses.lock() {
                *s.entry(status).or_default() += 1;
            }
        }));
    }
    let sent_in = start.elapsed();
    for s in senders {
        let _ = s.join();
    }
    let all_in = start.elapsed();
    done.store(true, Ordering::Relaxed);
    let reads = reads.join().map_err(|_| "the reader stopped")?;
    let mut latencies = latencies.lock().map_err(|e| e.to_string())?.clone();
    latencies.sort();
    let mut read_times: Vec<Duration> = reads.iter().map(|(d, _)| *d).collect();
    read_times.sort();
    let failed_reads = reads.iter().filter(|(_, ok)| !ok).count();
    let answered = latencies.len();
    println!(
        "rate {rate}/s for {seconds} s: sent {answered} (not sent {not_sent}) in {:.1} s, all answered after {:.1} s = {:.0} msg/s; latency from schedule p50 {} ms p99 {} ms max {} ms; most in flight {max_in_flight}; statuses {:?}; reads {} p99 {} ms max {} ms, failed {failed_reads}",
        sent_in.as_secs_f64(),
        all_in.as_secs_f64(),
        answered as f64 / all_in.as_secs_f64(),
        ms(percentile(&latencies, 50)),
        ms(percentile(&latencies, 99)),
        ms(latencies.last().copied().unwrap_or_default()),
        statuses.lock().map_err(|e| e.to_string())?,
        read_times.len(),
        ms(percentile(&read_times, 99)),
        ms(read_times.last().copied().unwrap_or_default()),
    );
    Ok(())
}
