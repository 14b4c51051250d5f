//! What the end-to-end tests share: the real `passage serve` on a free port with one user of
//! each role (and a bearer token each), a fresh data directory, and JSON over HTTP.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    dead_code
)]

pub mod browser;
pub mod link;
pub mod session;

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::sync::Mutex;

/// The users every test server has: name, roles and agency. Their password is [`PASSWORD`].
/// The approving authorities: one of a court outside the unit, and one wrongly made in the
/// unit's own agency (whose decisions are refused).
pub const USERS: [(&str, &str, &str); 8] = [
    ("analyst-1", "analyst", "PIU"),
    ("lead-1", "analyst,supervisor", "PIU"),
    ("supervisor-1", "supervisor", "PIU"),
    ("admin-1", "administrator", "PIU"),
    ("dpo-1", "dpo", "PIU"),
    ("liaison-1", "carrier_liaison", "PIU"),
    ("judge-1", "approving_authority", "COURT"),
    ("judge-piu", "approving_authority", "PIU"),
];
pub const PASSWORD: &str = "test password of the e2e users";

/// Bearer tokens by server URL and user: `get` and `post` act as `analyst-1` on the server
/// whose URL the request starts with, unless an Authorization header is given.
static TOKENS: Mutex<Vec<(String, HashMap<String, String>)>> = Mutex::new(Vec::new());
/// The test users' tokens by data directory.
static USERS_OF: std::sync::LazyLock<Mutex<HashMap<std::path::PathBuf, HashMap<String, String>>>> =
    std::sync::LazyLock::new(Default::default);

/// The store of each data directory that runs on PostgreSQL (`PASSAGE_STORE` for every
/// command given that directory); the others use the embedded store inside them.
static STORE_OF: std::sync::LazyLock<Mutex<HashMap<std::path::PathBuf, String>>> =
    std::sync::LazyLock::new(Default::default);

/// The engine a test runs on.
pub use store::Engine;

/// Puts the unit of `data` on `engine`: on PostgreSQL a scratch database (dropped with the
/// returned guard) that every `passage` command given `data` then uses. `None` when PostgreSQL
/// is asked for but not configured outside CI: the test is skipped (in CI it fails).
pub fn unit_on(
    data: &std::path::Path,
    engine: Engine,
) -> Option<Option<store::testing::ScratchPostgres>> {
    match engine {
        Engine::Sqlite => Some(None),
        Engine::Postgres => {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            let scratch = runtime.block_on(store::testing::ScratchPostgres::create())?;
            STORE_OF
                .lock()
                .unwrap()
                .insert(data.to_path_buf(), scratch.url().to_string());
            Some(Some(scratch))
        }
    }
}

/// Every `passage` command given `data` uses the store at `url` (e.g. through a [`link::Link`]).
pub fn use_store(data: &std::path::Path, url: &str) {
    STORE_OF
        .lock()
        .unwrap()
        .insert(data.to_path_buf(), url.to_string());
}

/// The clock each data directory's commands run at, when a test sets one: the process's
/// whole clock (receipts, the audit, retention, sessions), set by libfaketime.
static CLOCK_OF: std::sync::LazyLock<Mutex<HashMap<std::path::PathBuf, jiff::Timestamp>>> =
    std::sync::LazyLock::new(Default::default);

/// Runs every later `passage` command given `data` with its wall clock starting at `at`
/// (through `faketime`, which the README's list of what tests need names).
pub fn set_clock(data: &std::path::Path, at: jiff::Timestamp) {
    CLOCK_OF.lock().unwrap().insert(data.to_path_buf(), at);
}

/// `passage` with the store of `data` when it is not the embedded one, at its clock when a
/// test set one.
fn command_for(data: &std::path::Path) -> Command {
    let clock = CLOCK_OF.lock().unwrap().get(data).copied();
    let mut c = match clock {
        Some(at) => {
            // libfaketime preloaded into `passage` itself, not through the `faketime`
            // wrapper: killing a wrapped server would leave the server running and the
            // wrapper's semaphore behind.
            const LIBFAKETIME: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";
            assert!(
                std::path::Path::new(LIBFAKETIME).exists(),
                "{LIBFAKETIME} is missing: install the faketime package (README, Tests)"
            );
            let mut c = Command::new(env!("CARGO_BIN_EXE_passage"));
            c.env("LD_PRELOAD", LIBFAKETIME)
                .env("FAKETIME", format!("@{}", at.strftime("%Y-%m-%d %H:%M:%S")))
                // Timers and timeouts keep the real monotonic clock; the zone is UTC so the
                // time given is read as UTC.
                .env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
                .env("TZ", "UTC");
            c
        }
        None => Command::new(env!("CARGO_BIN_EXE_passage")),
    };
    match STORE_OF.lock().unwrap().get(data) {
        Some(url) => c.env("PASSAGE_STORE", url),
        None => c.env_remove("PASSAGE_STORE"),
    };
    c
}

/// Runs `passage ARGS --data DATA` with `stdin`: exit code, standard output, standard error.
pub fn run(data: &std::path::Path, args: &[&str], stdin: &str) -> (i32, String, String) {
    let mut child = command_for(data)
        .args(args)
        .args(["--data", data.to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // A command that refuses early (an unknown user, say) exits before reading its input.
    match child.stdin.take().unwrap().write_all(stdin.as_bytes()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        written => written.unwrap(),
    }
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// Runs `passage ARGS --data DATA` with `stdin`, which must succeed: its standard output.
pub fn passage(data: &std::path::Path, args: &[&str], stdin: &str) -> String {
    let (code, out, err) = run(data, args, stdin);
    assert_eq!(code, 0, "passage {args:?}: {err}");
    out
}

/// Adds the test users to a data directory; their tokens by name.
pub fn add_users(data: &std::path::Path) -> HashMap<String, String> {
    let mut tokens = HashMap::new();
    for (name, roles, agency) in USERS {
        passage(
            data,
            &["users", "add", name, "--roles", roles, "--agency", agency],
            &format!("{PASSWORD}\n"),
        );
        let token = passage(data, &["users", "token", name], "");
        tokens.insert(name.to_string(), token.trim().to_string());
    }
    tokens
}

fn token_for(url: &str, user: &str) -> Option<String> {
    TOKENS
        .lock()
        .unwrap()
        .iter()
        .find(|(base, _)| url.starts_with(base.as_str()))
        .and_then(|(_, t)| t.get(user).cloned())
}

pub struct Server {
    pub child: Child,
    pub url: String,
    /// Bearer tokens of the test users, by name.
    pub tokens: HashMap<String, String>,
    /// The data directory it serves.
    pub data: std::path::PathBuf,
    /// Kept open: the server's standard output stays connected while it runs.
    _stdout: std::io::Lines<BufReader<std::process::ChildStdout>>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// The Authorization header value of a test user.
    pub fn bearer(&self, user: &str) -> String {
        format!("Bearer {}", self.tokens[user])
    }
}

pub fn serve(data: &std::path::Path, extra: &[&str]) -> Server {
    std::fs::create_dir_all(data).unwrap();
    // A restarted server keeps the users it was given the first time.
    let tokens = USERS_OF
        .lock()
        .unwrap()
        .entry(data.to_path_buf())
        .or_insert_with(|| add_users(data))
        .clone();
    // The simulated traffic is of 2026-12-01: the hourly retention run would erase its API
    // data under a test's feet. Tests of retention ask for it.
    let retention: &[&str] = if extra.contains(&"--retention-minutes") {
        &[]
    } else {
        &["--retention-minutes", "0"]
    };
    let mut child = command_for(data)
        .args(["serve", "--port", "0", "--data", data.to_str().unwrap()])
        .args(retention)
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (url, lines) = listening(&mut child);
    TOKENS.lock().unwrap().push((url.clone(), tokens.clone()));
    Server {
        child,
        url,
        tokens,
        data: data.to_path_buf(),
        _stdout: lines,
    }
}

/// The URL a started `passage serve` listens on (its first line), and the rest of its
/// standard output, to keep open while it runs.
pub fn listening(
    child: &mut Child,
) -> (String, std::io::Lines<BufReader<std::process::ChildStdout>>) {
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    let url = first.strip_prefix("listening on ").unwrap().to_string();
    (url, lines)
}

pub fn data_dir(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("passage-e2e-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// GET as one of the test users (see [`USERS`]).
pub fn get_as(user: &str, url: &str) -> (u16, serde_json::Value) {
    let auth = token_for(url, user).map(|t| format!("Bearer {t}"));
    request_get(url, auth.as_deref())
}

/// GET as `analyst-1`.
pub fn get(url: &str) -> (u16, serde_json::Value) {
    let auth = token_for(url, "analyst-1").map(|t| format!("Bearer {t}"));
    request_get(url, auth.as_deref())
}

/// GET with exactly these headers (no user's token): as a carrier, for instance.
pub fn get_with(url: &str, headers: &[(&str, &str)]) -> (u16, serde_json::Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut req = agent.get(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let mut r = req.call().unwrap();
    let status = r.status().as_u16();
    let body = r.body_mut().read_to_string().unwrap();
    (
        status,
        serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body)),
    )
}

fn request_get(url: &str, auth: Option<&str>) -> (u16, serde_json::Value) {
    let mut headers = vec![("X-Passage-Purpose", "TEST-1")];
    if let Some(a) = auth {
        headers.push(("Authorization", a));
    }
    get_with(url, &headers)
}

pub fn post(url: &str, headers: &[(&str, &str)], body: &[u8]) -> (u16, serde_json::Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut req = agent.post(url);
    if !headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("authorization"))
        && let Some(t) = token_for(url, "analyst-1")
    {
        req = req.header("Authorization", format!("Bearer {t}"));
    }
    // Reviews and back-tests open personal data: they state a purpose, as `get` does.
    if !headers
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("x-passage-purpose"))
    {
        req = req.header("X-Passage-Purpose", "TEST-1");
    }
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let mut r = req.send(body).unwrap();
    let status = r.status().as_u16();
    let body = r.body_mut().read_to_string().unwrap();
    (
        status,
        serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body)),
    )
}

/// `passage simulate` with seed 9 and half the planted travellers on the list, plus `extra`.
pub fn simulate(extra: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_passage"))
        .args(["simulate", "--seed", "9", "--planted-share", "0.5"])
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A server holding a simulated day of traffic screened against the simulator's national
/// list (half the planted travellers on it), so that there are hits to review.
pub fn unit_with_traffic(name: &str) -> Server {
    let data = data_dir(name);
    traffic_into(name, &data)
}

/// [`unit_with_traffic`] on `engine`, with the guard of its PostgreSQL database (`None`:
/// PostgreSQL not configured outside CI).
pub fn unit_with_traffic_on(
    name: &str,
    engine: Engine,
) -> Option<(Server, Option<store::testing::ScratchPostgres>)> {
    let data = data_dir(&format!("{name}-{engine:?}"));
    let guard = unit_on(&data, engine)?;
    Some((traffic_into(name, &data), guard))
}

fn traffic_into(name: &str, data: &std::path::Path) -> Server {
    let files = data_dir(&format!("{name}-files"));
    let server = serve(data, &["--open-intake"]);
    simulate(&["--out", files.to_str().unwrap()]);
    let list = std::fs::read(files.join("watchlist.csv")).unwrap();
    let admin = server.bearer("admin-1");
    let (status, report) = post(
        &format!("{}/api/v1/lists/national", server.url),
        &[("Authorization", admin.as_str())],
        &list,
    );
    assert_eq!(status, 201, "{report}");
    simulate(&["--to", &server.url, "--rate", "5000"]);
    server
}

/// A small simulated day (seed 9) in send order without the simulator's deliberate duplicates,
/// as (carrier, bytes).
pub fn small_day_without_duplicates() -> Vec<(String, Vec<u8>)> {
    let sim =
        simulator::Simulator::new(simulator::Config::new(9, simulator::Size::Small, 1)).unwrap();
    let mut sent = Vec::new();
    sim.run(|m| sent.push(m));
    sent.retain(|m| !m.quirks.contains(&simulator::Quirk::Duplicate));
    sent.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.file.cmp(&b.file)));
    sent.into_iter().map(|m| (m.carrier, m.bytes)).collect()
}

/// Sends `bodies` to `server` over HTTP from another thread and kills the server (SIGKILL)
/// once `after` of them are acknowledged, in the middle of the traffic. Returns every
/// acknowledged message's id with the SHA-256 of its bytes. With `outcome`, every answer must
/// be a 202 with that outcome (e.g. `queued`); without, only successes count.
pub fn send_and_kill(
    server: &mut Server,
    bodies: Vec<(String, Vec<u8>)>,
    after: usize,
    outcome: Option<&'static str>,
) -> Vec<(i64, String)> {
    use sha2::{Digest, Sha256};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let url = server.url.clone();
    let acknowledged: Arc<Mutex<Vec<(i64, String)>>> = Arc::default();
    let count = Arc::new(AtomicUsize::new(0));
    let sender = {
        let (acknowledged, count) = (acknowledged.clone(), count.clone());
        std::thread::spawn(move || {
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .http_status_as_error(false)
                .timeout_global(Some(std::time::Duration::from_secs(30)))
                .build()
                .into();
            for (carrier, body) in &bodies {
                let Ok(mut r) = agent
                    .post(format!("{url}/api/v1/messages"))
                    .header("X-Passage-Carrier", carrier)
                    .send(&body[..])
                else {
                    break; // the server is gone
                };
                let Ok(text) = r.body_mut().read_to_string() else {
                    break;
                };
                match outcome {
                    Some(_) => assert_eq!(r.status().as_u16(), 202, "{text}"),
                    None if !r.status().is_success() => continue,
                    None => {}
                }
                let receipt: serde_json::Value = serde_json::from_str(&text).unwrap();
                if let Some(expected) = outcome {
                    assert_eq!(receipt["outcome"], expected, "{receipt}");
                }
                let sha: String = Sha256::digest(body)
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect();
                acknowledged
                    .lock()
                    .unwrap()
                    .push((receipt["message"].as_i64().unwrap(), sha));
                count.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    while count.load(Ordering::SeqCst) < after {
        assert!(
            !sender.is_finished(),
            "the server stopped acknowledging before the kill"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    sender.join().unwrap();
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= after);
    acknowledged
}

/// The bytes of every file under `dir`, one entry per file.
pub fn files_under(dir: &std::path::Path) -> Vec<(std::path::PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(p) = stack.pop() {
        if p.is_dir() {
            stack.extend(std::fs::read_dir(&p).unwrap().flatten().map(|e| e.path()));
        } else {
            let bytes = std::fs::read(&p).unwrap();
            out.push((p, bytes));
        }
    }
    out
}

/// The names (words of surnames and given names) of a flight's travellers as the store holds
/// them, API manifest and PNR bookings.
pub async fn traveller_names(
    store: &store::Store,
    flight: i64,
) -> std::collections::BTreeSet<String> {
    let mut names = std::collections::BTreeSet::new();
    let mut add = |text: &str| names.extend(text.split_whitespace().map(str::to_string));
    for m in store.manifest(flight).await.unwrap() {
        add(&m.identity.surname);
        m.identity.given_names.iter().for_each(|g| add(g));
    }
    for b in store.bookings(flight).await.unwrap() {
        let booking = pnrgov::stored::read(b.format, &b.booking).unwrap();
        for t in &booking.travellers {
            add(&t.surname);
            add(t.given_name.as_deref().unwrap_or_default());
        }
    }
    names
}

/// Takes [`small_day_without_duplicates`] into `data` with `passage ingest`, through files
/// written to `files`.
pub fn ingest_small_day(data: &std::path::Path, files: &std::path::Path) {
    std::fs::create_dir_all(files).unwrap();
    for (i, (_, bytes)) in small_day_without_duplicates().iter().enumerate() {
        std::fs::write(files.join(format!("{i:05}.edi")), bytes).unwrap();
    }
    passage(data, &["ingest", files.to_str().unwrap()], "");
}
