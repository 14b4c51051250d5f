//! For tests of every crate that talk to NATS: the server to use, and streams of a test's own
//! that are deleted when it ends. NATS is at `PASSAGE_TEST_NATS_URL` (default
//! `nats://127.0.0.1:4222`); without it a test is skipped with the reason, and in CI (`CI` set)
//! it fails — a bus test that silently did not run would prove nothing.

use std::time::Duration;

use crate::{JetStream, Names, Settings};

/// The NATS server tests use, or `None` (skipped) when it does not answer outside CI.
///
/// # Panics
/// In CI when NATS does not answer.
#[allow(clippy::panic)]
pub fn nats_url() -> Option<String> {
    let url =
        std::env::var("PASSAGE_TEST_NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into());
    let address = url.trim_start_matches("nats://").to_string();
    let reachable = std::net::ToSocketAddrs::to_socket_addrs(&address)
        .ok()
        .and_then(|mut a| a.next())
        .is_some_and(|a| std::net::TcpStream::connect_timeout(&a, Duration::from_secs(1)).is_ok());
    if reachable {
        return Some(url);
    }
    if std::env::var_os("CI").is_some() {
        panic!("NATS is required in CI and does not answer at {url}");
    }
    eprintln!("skipped: NATS does not answer at {url} (set PASSAGE_TEST_NATS_URL)");
    None
}

/// Streams of one test under a prefix of its own, deleted when this is dropped (the test
/// passed or not).
#[derive(Debug)]
pub struct ScratchStreams {
    url: String,
    pub prefix: String,
    pub names: Names,
}

impl ScratchStreams {
    /// Names for test `test` on the server at `url`.
    pub fn new(url: &str, test: &str) -> ScratchStreams {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let prefix = format!("t-{test}-{}-{nanos}", std::process::id());
        ScratchStreams {
            url: url.to_string(),
            names: Names::under(&prefix),
            prefix,
        }
    }
}

impl Drop for ScratchStreams {
    fn drop(&mut self) {
        let (url, names) = (self.url.clone(), self.names.clone());
        // On a runtime of its own: the test's may be gone (a panic unwinding).
        let _ = std::thread::spawn(move || {
            let Ok(runtime) = tokio::runtime::Runtime::new() else {
                return;
            };
            runtime.block_on(async {
                if let Ok(js) = JetStream::connect(&url, names, Settings::default(), 1).await {
                    let _ = tokio::time::timeout(Duration::from_secs(5), js.delete_streams()).await;
                }
            });
        })
        .join();
    }
}
