//! A headless Chromium for the end-to-end tests, driven through chromedriver over the W3C
//! WebDriver JSON protocol (plain HTTP with `ureq`, no WebDriver crate).
//!
//! ```ignore
//! let Some(b) = Browser::start() else { return }; // prints `skipped: <reason>`
//! b.goto(&format!("{}/console", server.url));
//! b.find("input[name=user]").type_text("ana");
//! b.find("button[type=submit]").click();
//! b.wait_for(|b| b.current_url().ends_with("/console/hits"), "the hits page");
//! ```
//!
//! Every failure panics with what was asked and, for a missing element, the page's URL and the
//! start of its source. Each `Browser` has its own chromedriver on a free port and its own fresh
//! profile directory, so tests may run in parallel (each browser costs a few hundred MB and a
//! core while it starts). Chromium treats http://127.0.0.1 and http://localhost as secure
//! contexts: cookies marked `Secure` are kept and sent there, so use the server's URL as given.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code
)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// How long `find`, `Element::find` and `wait_for` wait before they panic.
pub const WAIT: Duration = Duration::from_secs(5);
const POLL: Duration = Duration::from_millis(50);
/// The key under which WebDriver names an element (W3C).
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A cookie as `cookies()` gives it: (name, value, httpOnly, secure, sameSite).
pub type Cookie = (String, String, bool, bool, String);

/// A WebDriver error answer: `error` is the W3C code (`no such element`, `stale element
/// reference`, …).
#[derive(Debug)]
pub struct WdError {
    pub status: u16,
    pub error: String,
    pub message: String,
}

impl std::fmt::Display for WdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.error, self.message)
    }
}

pub struct Browser {
    driver: Child,
    /// `http://127.0.0.1:PORT/session/ID`
    session: String,
    agent: ureq::Agent,
    dir: PathBuf,
}

impl std::fmt::Debug for Browser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Browser")
            .field("session", &self.session)
            .field("dir", &self.dir)
            .finish()
    }
}

fn binary(var: &str, default: &str) -> PathBuf {
    std::env::var_os(var)
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from(default), PathBuf::from)
}

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn fresh_dir() -> PathBuf {
    static N: AtomicUsize = AtomicUsize::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let d = std::env::temp_dir().join(format!(
        "passage-browser-{}-{}-{nanos}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(d.join("profile")).unwrap();
    d
}

/// The first `n` characters of `s` (on a character boundary).
fn head(s: &str, n: usize) -> &str {
    s.char_indices().nth(n).map_or(s, |(i, _)| &s[..i])
}

fn tail_of_file(p: &Path, n: usize) -> String {
    let s = std::fs::read_to_string(p).unwrap_or_default();
    let start = s.len().saturating_sub(n);
    let start = (start..s.len())
        .find(|i| s.is_char_boundary(*i))
        .unwrap_or(s.len());
    s[start..].to_string()
}

/// One WebDriver request; `Err` for an error answer, panic when chromedriver is unreachable.
fn request(
    agent: &ureq::Agent,
    method: &str,
    url: &str,
    body: Option<&Value>,
) -> Result<Value, WdError> {
    let resp = match (method, body) {
        ("GET", _) => agent.get(url).call(),
        ("DELETE", _) => agent.delete(url).call(),
        ("POST", b) => agent
            .post(url)
            .header("Content-Type", "application/json; charset=utf-8")
            .send(serde_json::to_vec(b.unwrap_or(&json!({}))).unwrap()),
        _ => panic!("unknown method {method}"),
    };
    let mut resp = resp.unwrap_or_else(|e| panic!("webdriver {method} {url}: {e}"));
    let status = resp.status().as_u16();
    let text = resp
        .body_mut()
        .with_config()
        .limit(256 * 1024 * 1024)
        .read_to_string()
        .unwrap_or_else(|e| panic!("webdriver {method} {url}: reading the answer: {e}"));
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
        panic!(
            "webdriver {method} {url}: answer is not JSON ({e}): {}",
            head(&text, 500)
        )
    });
    let value = v.get("value").cloned().unwrap_or(Value::Null);
    if status >= 400 {
        return Err(WdError {
            status,
            error: value["error"]
                .as_str()
                .unwrap_or("unknown error")
                .to_string(),
            message: value["message"].as_str().unwrap_or("").to_string(),
        });
    }
    Ok(value)
}

impl Browser {
    /// A new headless Chromium with a fresh profile, or `None` (after printing
    /// `skipped: <reason>` to stderr) when chromedriver or Chromium is not installed.
    /// `PASSAGE_CHROMEDRIVER` and `PASSAGE_CHROMIUM` override `/usr/bin/chromedriver` and
    /// `/usr/bin/chromium`. Panics if they are installed but do not start.
    pub fn start() -> Option<Browser> {
        let driver_bin = binary("PASSAGE_CHROMEDRIVER", "/usr/bin/chromedriver");
        let chromium_bin = binary("PASSAGE_CHROMIUM", "/usr/bin/chromium");
        for (what, p) in [("chromedriver", &driver_bin), ("chromium", &chromium_bin)] {
            if !p.is_file() {
                eprintln!(
                    "skipped: {what} not found at {} (apt-get install --no-install-recommends \
                     chromium chromium-driver, or set PASSAGE_{})",
                    p.display(),
                    what.to_uppercase()
                );
                return None;
            }
        }
        let started = Instant::now();
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .proxy(None)
            .timeout_global(Some(Duration::from_secs(90)))
            .build()
            .into();
        let dir = fresh_dir();
        let log = dir.join("chromedriver.log");

        // The port is free when we look; should chromedriver lose it to someone else, try again.
        let mut attempt = 0;
        let (driver, driver_url) = loop {
            attempt += 1;
            let port = free_port();
            // CI runs the suite a second time under libfaketime to catch tests that depend on
            // today's date; Chromium does not start with it preloaded, and the browser's own
            // clock does not matter (the server's is the one under test).
            let mut child = Command::new(&driver_bin)
                .env_remove("LD_PRELOAD")
                .env_remove("FAKETIME")
                .arg(format!("--port={port}"))
                .arg(format!("--log-path={}", log.display()))
                .arg("--log-level=WARNING")
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap_or_else(|e| panic!("starting {}: {e}", driver_bin.display()));
            let url = format!("http://127.0.0.1:{port}");
            let deadline = Instant::now() + Duration::from_secs(20);
            let ready = loop {
                if let Ok(Some(st)) = child.try_wait() {
                    break Err(format!("chromedriver exited ({st})"));
                }
                if let Ok(mut r) = agent.get(&format!("{url}/status")).call() {
                    let body = r.body_mut().read_to_string().unwrap_or_default();
                    let v: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
                    if v["value"]["ready"] == json!(true) {
                        break Ok(());
                    }
                }
                if Instant::now() > deadline {
                    break Err("chromedriver not ready after 20 s".to_string());
                }
                std::thread::sleep(POLL);
            };
            match ready {
                Ok(()) => break (child, url),
                Err(why) => {
                    let _ = child.kill();
                    let _ = child.wait();
                    if attempt >= 3 {
                        let t = tail_of_file(&log, 2000);
                        let _ = std::fs::remove_dir_all(&dir);
                        panic!("{why}; its log ends:\n{t}");
                    }
                }
            }
        };

        let args = [
            "--headless=new".to_string(),
            "--no-sandbox".to_string(),
            "--disable-gpu".to_string(),
            "--disable-quic".to_string(),
            "--no-first-run".to_string(),
            "--disable-background-networking".to_string(),
            "--disable-component-update".to_string(),
            "--disable-sync".to_string(),
            "--disable-dev-shm-usage".to_string(),
            "--window-size=1366,900".to_string(),
            // Even with the flags above Chromium looks up accounts.google.com,
            // update.googleapis.com, clients2.google.com, the search engine's host and more on
            // start: on a closed network each is a DNS query that fails. It resolves no name
            // but localhost, 127.0.0.1 and [::1].
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1, EXCLUDE [::1]"
                .to_string(),
            format!("--user-data-dir={}", dir.join("profile").display()),
        ];
        let caps = json!({
            "capabilities": {
                "alwaysMatch": {
                    "browserName": "chrome",
                    "pageLoadStrategy": "normal",
                    "timeouts": {"pageLoad": 30_000, "script": 10_000, "implicit": 0},
                    "goog:chromeOptions": {
                        "binary": chromium_bin.to_str().unwrap(),
                        "args": args,
                    }
                }
            }
        });
        let session = match request(
            &agent,
            "POST",
            &format!("{driver_url}/session"),
            Some(&caps),
        ) {
            Ok(v) => v["sessionId"].as_str().unwrap().to_string(),
            Err(e) => {
                let mut driver = driver;
                let _ = driver.kill();
                let _ = driver.wait();
                let t = tail_of_file(&log, 2000);
                let _ = std::fs::remove_dir_all(&dir);
                panic!("chromium did not start: {e}\nchromedriver's log ends:\n{t}");
            }
        };
        let b = Browser {
            session: format!("{driver_url}/session/{session}"),
            driver,
            agent,
            dir,
        };
        // Shown with `--nocapture` (about a second on an idle machine).
        eprintln!("browser started in {:.1?}", started.elapsed());
        Some(b)
    }

    /// One command of this session (`path` after `/session/{id}`); `Err` for an error answer.
    pub fn try_cmd(&self, method: &str, path: &str, body: Option<Value>) -> Result<Value, WdError> {
        request(
            &self.agent,
            method,
            &format!("{}{path}", self.session),
            body.as_ref(),
        )
    }

    /// One command of this session; panics on an error answer.
    pub fn cmd(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.try_cmd(method, path, body)
            .unwrap_or_else(|e| panic!("webdriver {method} {path}: {e}"))
    }

    /// Opens `url` and waits for the page to load.
    pub fn goto(&self, url: &str) {
        self.try_cmd("POST", "/url", Some(json!({ "url": url })))
            .unwrap_or_else(|e| panic!("goto {url}: {e}"));
    }

    pub fn back(&self) {
        self.cmd("POST", "/back", None);
    }

    pub fn refresh(&self) {
        self.cmd("POST", "/refresh", None);
    }

    pub fn current_url(&self) -> String {
        self.cmd("GET", "/url", None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub fn title(&self) -> String {
        self.cmd("GET", "/title", None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub fn page_source(&self) -> String {
        self.cmd("GET", "/source", None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The current URL and the first 2,000 characters of the page source, for panic messages.
    pub fn describe_page(&self) -> String {
        let url = self
            .try_cmd("GET", "/url", None)
            .map_or_else(|e| format!("(unknown: {e})"), |v| v.to_string());
        let src = self
            .try_cmd("GET", "/source", None)
            .map(|v| v.as_str().unwrap_or_default().to_string())
            .unwrap_or_else(|e| format!("(unknown: {e})"));
        format!("page {url}, source begins:\n{}", head(&src, 2000))
    }

    fn element(&self, v: &Value) -> Element<'_> {
        Element {
            browser: self,
            id: v[ELEMENT_KEY]
                .as_str()
                .unwrap_or_else(|| panic!("not an element: {v}"))
                .to_string(),
        }
    }

    /// Finds once under `base` (`""` for the document, `/element/{id}` for an element).
    fn find_under(&self, base: &str, css: &str) -> Result<Option<Element<'_>>, WdError> {
        match self.try_cmd(
            "POST",
            &format!("{base}/element"),
            Some(json!({"using": "css selector", "value": css})),
        ) {
            Ok(v) => Ok(Some(self.element(&v))),
            Err(e) if e.error == "no such element" => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn find_waiting(&self, base: &str, css: &str) -> Element<'_> {
        let deadline = Instant::now() + WAIT;
        loop {
            match self.find_under(base, css) {
                Ok(Some(e)) => return e,
                Ok(None) if Instant::now() < deadline => std::thread::sleep(POLL),
                Ok(None) => panic!(
                    "no element matches `{css}`{} after {WAIT:?}; {}",
                    if base.is_empty() {
                        ""
                    } else {
                        " within the element"
                    },
                    self.describe_page()
                ),
                Err(e) => panic!("find `{css}`: {e}; {}", self.describe_page()),
            }
        }
    }

    /// The first element matching `css`, waiting up to 5 s for it to appear; panics with the
    /// selector, the page's URL and the start of its source when none does.
    pub fn find(&self, css: &str) -> Element<'_> {
        self.find_waiting("", css)
    }

    /// The first element matching `css` now, if any (no waiting).
    pub fn try_find(&self, css: &str) -> Option<Element<'_>> {
        self.find_under("", css)
            .unwrap_or_else(|e| panic!("find `{css}`: {e}"))
    }

    /// Every element matching `css` now (no waiting; possibly none).
    pub fn find_all(&self, css: &str) -> Vec<Element<'_>> {
        self.find_all_under("", css)
    }

    fn find_all_under(&self, base: &str, css: &str) -> Vec<Element<'_>> {
        let v = self.cmd(
            "POST",
            &format!("{base}/elements"),
            Some(json!({"using": "css selector", "value": css})),
        );
        v.as_array()
            .map(|a| a.iter().map(|e| self.element(e)).collect())
            .unwrap_or_default()
    }

    /// Runs `js` as the body of a function in the page (`arguments[0]`… are `args`; pass an
    /// element with `Element::as_arg`) and gives its return value.
    pub fn execute(&self, js: &str, args: &[Value]) -> Value {
        self.try_cmd(
            "POST",
            "/execute/sync",
            Some(json!({"script": js, "args": args})),
        )
        .unwrap_or_else(|e| panic!("execute `{}`: {e}", head(js, 200)))
    }

    /// Polls `cond` every 50 ms up to 5 s; panics naming `what` and the page when it stays false.
    pub fn wait_for(&self, mut cond: impl FnMut(&Browser) -> bool, what: &str) {
        let deadline = Instant::now() + WAIT;
        loop {
            if cond(self) {
                return;
            }
            if Instant::now() >= deadline {
                panic!("waited {WAIT:?} for {what}; {}", self.describe_page());
            }
            std::thread::sleep(POLL);
        }
    }

    /// A PNG of the viewport, written to `path` (parent directories created).
    pub fn screenshot(&self, path: impl AsRef<Path>) {
        use base64::Engine as _;
        let path = path.as_ref();
        let b64 = self.cmd("GET", "/screenshot", None);
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().unwrap_or_default())
            .unwrap();
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, png).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
    }

    /// The cookies visible to the current page: (name, value, httpOnly, secure, sameSite).
    pub fn cookies(&self) -> Vec<Cookie> {
        let v = self.cmd("GET", "/cookie", None);
        v.as_array()
            .map(|a| {
                a.iter()
                    .map(|c| {
                        (
                            c["name"].as_str().unwrap_or_default().to_string(),
                            c["value"].as_str().unwrap_or_default().to_string(),
                            c["httpOnly"].as_bool().unwrap_or(false),
                            c["secure"].as_bool().unwrap_or(false),
                            c["sameSite"].as_str().unwrap_or_default().to_string(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The cookie named `name` visible to the current page, if any.
    pub fn cookie(&self, name: &str) -> Option<Cookie> {
        self.cookies().into_iter().find(|c| c.0 == name)
    }

    /// Forgets every cookie of the current page's domain (a signed-out browser).
    pub fn delete_cookies(&self) {
        self.cmd("DELETE", "/cookie", None);
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ending the session quits Chromium; then chromedriver goes, then the profile.
        let _ = request(&self.agent, "DELETE", &self.session, None).map_err(|e| {
            eprintln!("browser: ending the session: {e}");
        });
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// An element of the page (a WebDriver element reference; stale once the page changes).
#[derive(Debug, Clone)]
pub struct Element<'b> {
    browser: &'b Browser,
    pub id: String,
}

impl<'b> Element<'b> {
    fn path(&self, what: &str) -> String {
        format!("/element/{}{what}", self.id)
    }

    fn cmd(&self, method: &str, what: &str, body: Option<Value>) -> Value {
        self.browser
            .try_cmd(method, &self.path(what), body)
            .unwrap_or_else(|e| {
                panic!(
                    "element {method} {what}: {e}; {}",
                    self.browser.describe_page()
                )
            })
    }

    /// The element as an argument of `Browser::execute`.
    pub fn as_arg(&self) -> Value {
        json!({ ELEMENT_KEY: self.id })
    }

    /// Clicks it (scrolled into view); a click that navigates returns once the new page loaded.
    pub fn click(&self) {
        self.cmd("POST", "/click", Some(json!({})));
    }

    /// Types `text` into it (after what it holds; `clear()` first to replace).
    pub fn type_text(&self, text: &str) {
        self.cmd("POST", "/value", Some(json!({ "text": text })));
    }

    pub fn clear(&self) {
        self.cmd("POST", "/clear", Some(json!({})));
    }

    /// Its rendered text (as a person sees it: hidden parts left out).
    pub fn text(&self) -> String {
        self.cmd("GET", "/text", None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The HTML attribute `name` as written in the page, if any (for what a person typed or
    /// ticked, read `value()` or `prop("checked")`).
    pub fn attr(&self, name: &str) -> Option<String> {
        match self.cmd("GET", &format!("/attribute/{name}"), None) {
            Value::Null => None,
            Value::String(s) => Some(s),
            v => Some(v.to_string()),
        }
    }

    /// The current value of an input, select or textarea (what a person typed or chose).
    pub fn value(&self) -> String {
        match self.prop("value") {
            Value::String(s) => s,
            Value::Null => String::new(),
            v => v.to_string(),
        }
    }

    /// The DOM property `name` (`value`, `checked`, …) as JSON.
    pub fn prop(&self, name: &str) -> Value {
        self.cmd("GET", &format!("/property/{name}"), None)
    }

    pub fn tag_name(&self) -> String {
        self.cmd("GET", "/name", None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    pub fn is_displayed(&self) -> bool {
        self.cmd("GET", "/displayed", None)
            .as_bool()
            .unwrap_or(false)
    }

    /// The first element within this one matching `css`, waiting up to 5 s.
    pub fn find(&self, css: &str) -> Element<'b> {
        self.browser.find_waiting(&self.path(""), css)
    }

    /// The first element within this one matching `css` now, if any.
    pub fn try_find(&self, css: &str) -> Option<Element<'b>> {
        self.browser
            .find_under(&self.path(""), css)
            .unwrap_or_else(|e| panic!("find `{css}` within the element: {e}"))
    }

    /// Every element within this one matching `css` now.
    pub fn find_all(&self, css: &str) -> Vec<Element<'b>> {
        self.browser.find_all_under(&self.path(""), css)
    }

    /// Submits the form this element is (or is in) as a person would: by clicking its first
    /// submit button, so the button's name and value are sent and the click waits for the next
    /// page. A form without a button is sent with `requestSubmit()` and the old page waited out.
    pub fn submit_form(&self) {
        let button = self.browser.execute(
            "const f = arguments[0].closest('form') || arguments[0].form;
             if (!f) { return 'no form'; }
             return [...f.elements].find(e => e.type === 'submit' && !e.disabled) || null;",
            &[self.as_arg()],
        );
        match button {
            Value::String(s) => panic!("submit_form: {s}; {}", self.browser.describe_page()),
            Value::Null => {
                let before = self
                    .browser
                    .execute("return document.documentElement;", &[]);
                self.browser.execute(
                    "(arguments[0].closest('form') || arguments[0].form).requestSubmit();",
                    &[self.as_arg()],
                );
                let old = self.browser.element(&before);
                self.browser.wait_for(
                    |b| {
                        b.try_cmd("GET", &old.path("/name"), None)
                            .is_err_and(|e| e.error == "stale element reference")
                    },
                    "the page after submitting the form",
                );
            }
            v => self.browser.element(&v).click(),
        }
    }
}
