//! Memory per message is bounded: the peak of what the process allocates while one message at
//! the 16 MiB size limit is received, read and stored, measured by a counting allocator. This
//! binary holds one test so that nothing else allocates meanwhile.
// The one unsafe code of the workspace: a counting global allocator around the system's.
#![allow(
    unsafe_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use intake::{Config, Intake};
use store::Store;

struct Counting;

static NOW: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = NOW.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(now, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        unsafe { System.dealloc(p, layout) };
        NOW.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

const LIMIT: usize = 16 << 20;
const HEADER: &[u8] = b"UNB+UNOA:4+XQ+PIU+261127:0900+1'UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'TDT+20+XQ101+++XQ'LOC+125+AMS'DTM+189:2612011005:201'LOC+87+JFK'DTM+232:2612011240:201'";

fn message(repeated: &[u8]) -> Vec<u8> {
    let mut body = HEADER.to_vec();
    while body.len() + repeated.len() + 16 < LIMIT {
        body.extend_from_slice(repeated);
    }
    body.extend_from_slice(b"UNT+8+1'UNZ+1+1'");
    body
}

/// What the intake allocates at most, above what it held before, for one message.
async fn peak_for(intake: &Intake, body: &[u8]) -> usize {
    let before = NOW.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    intake.receive("http", "XQ", body).await.unwrap();
    PEAK.load(Ordering::Relaxed) - before
}

#[tokio::test]
async fn one_message_at_the_size_limit_stays_under_its_memory_bound() {
    let intake = Intake::new(Store::open_in_memory().await.unwrap(), Config::default());
    let mut peaks = Vec::new();
    for (what, repeated) in [
        ("empty segments", &b"'"[..]),
        ("unknown segments", &b"XYZ'"[..]),
        ("free-text segments", &b"FTX+AAA+++SOME TEXT'"[..]),
        ("persons", &b"NAD+FL+++SYNTH:ANNA'ATT+2++F'DOC+P+X1'"[..]),
    ] {
        let body = message(repeated);
        peaks.push((what, peak_for(&intake, &body).await));
    }
    let report: Vec<String> = peaks
        .iter()
        .map(|(what, peak)| format!("{what}: {} MiB", peak >> 20))
        .collect();
    println!("peak allocation per 16 MiB message: {}", report.join(", "));
    // The bound stated in ARCHITECTURE.md: 24 times the message.
    for (what, peak) in &peaks {
        assert!(*peak < 24 * LIMIT, "{what}: {} MiB", peak >> 20);
    }
}
