//! CPU work stays off the async runtime: `/health` answers within 50 ms (p99) while 5 MB
//! messages are being read on every core (the intake reads on blocking threads, one read
//! slot per core).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use server::{Credentials, Limits};

/// A synthetic PAXLST of about `bytes` bytes: one flight, as many invented passengers as fit;
/// `n` makes each message (and its duplicate key) different.
fn big_paxlst(n: usize, bytes: usize) -> Vec<u8> {
    let mut persons = String::new();
    let mut count = 0usize;
    while persons.len() < bytes {
        count += 1;
        persons.push_str(&format!(
            "NAD+FL+++SYNTH{n}:PERSON{count}'\nATT+2++F'\nDTM+329:19900102:102'\nNAT+2+XXA'\n\
             RFF+ABO:P{count}'\nDOC+P+X{n:03}{count:07}'\nDTM+36:301231'\nLOC+91+XXA'\n"
        ));
    }
    let segments = 8 + count * 8 + 2;
    format!(
        "UNA:+.? '\nUNB+UNOC:4+ZZ+PIU+261127:0930+{n}'\nUNH+1+PAXLST:D:05B:UN:IATA+ZZ9/261128+01:F'\n\
         BGM+745'\nTDT+20+ZZ9+++ZZ'\nLOC+125+AAA'\nDTM+189:2611281005:201'\nLOC+87+BBB'\n\
         DTM+232:2611281310:201'\n{persons}CNT+42:{count}'\nUNT+{segments}+1'\nUNZ+1+{n}'\n"
    )
    .into_bytes()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

#[test]
fn health_answers_within_50_ms_while_big_messages_are_read_on_every_core() {
    let s = common::start(Limits::default(), Credentials::open());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let messages: Vec<Vec<u8>> = (0..cores * 3).map(|n| big_paxlst(n + 1, 5 << 20)).collect();
    assert!(messages.iter().all(|m| m.len() >= 5 << 20));
    let messages = Arc::new(messages);
    let next = Arc::new(AtomicUsize::new(0));
    let reading = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let mut senders = Vec::new();
    // One sender per core, each sending its messages one after the other: every read slot
    // stays busy while the probe runs.
    for _ in 0..cores {
        let (messages, next, reading, done, url) = (
            messages.clone(),
            next.clone(),
            reading.clone(),
            done.clone(),
            s.url.clone(),
        );
        senders.push(std::thread::spawn(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .build()
                .into();
            let mut answered = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= messages.len() || done.load(Ordering::SeqCst) {
                    break;
                }
                reading.fetch_add(1, Ordering::SeqCst);
                let started = Instant::now();
                let r = agent
                    .post(&format!("{url}/api/v1/messages"))
                    .header("x-passage-carrier", "ZZ")
                    .send(&messages[i][..])
                    .unwrap();
                reading.fetch_sub(1, Ordering::SeqCst);
                answered.push((r.status().as_u16(), started.elapsed()));
            }
            answered
        }));
    }
    // Probe while every core has a message to read.
    let agent: ureq::Agent = ureq::Agent::config_builder().build().into();
    let mut latencies = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(120);
    while reading.load(Ordering::SeqCst) == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(5));
    }
    while next.load(Ordering::SeqCst) < messages.len() + cores && Instant::now() < deadline {
        let busy = reading.load(Ordering::SeqCst);
        let started = Instant::now();
        let r = agent.get(&format!("{}/health", s.url)).call().unwrap();
        let took = started.elapsed();
        assert_eq!(r.status().as_u16(), 200);
        if busy >= cores {
            latencies.push(took);
        }
        std::thread::sleep(Duration::from_millis(10));
        if reading.load(Ordering::SeqCst) == 0 && next.load(Ordering::SeqCst) >= messages.len() {
            break;
        }
    }
    done.store(true, Ordering::SeqCst);
    let answered: Vec<(u16, Duration)> = senders
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    assert!(
        answered
            .iter()
            .all(|(status, _)| [202, 422].contains(status)),
        "{answered:?}"
    );
    let slowest_read = answered.iter().map(|(_, d)| *d).max().unwrap();
    latencies.sort();
    assert!(
        latencies.len() >= 50,
        "only {} probes while every core was reading ({answered:?})",
        latencies.len()
    );
    let (p50, p99, max) = (
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.99),
        *latencies.last().unwrap(),
    );
    let accepted = answered.iter().filter(|(s, _)| *s == 202).count();
    eprintln!(
        "/health while {cores} x 5 MB messages were read: {} probes, p50 {p50:?}, p99 {p99:?}, \
         max {max:?}; {} messages ({accepted} accepted), slowest answered in {slowest_read:?}",
        latencies.len(),
        answered.len()
    );
    // The messages were read to their end and kept, not refused early.
    assert_eq!(accepted, answered.len(), "{answered:?}");
    assert!(p99 < Duration::from_millis(50), "p99 {p99:?}");
}
