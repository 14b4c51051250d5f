//! The browser harness itself, against the real server: a page loads and is read, a script runs,
//! a cookie marked `Secure` is kept on http://127.0.0.1, a screenshot is a PNG. Skipped (with the
//! reason printed) where chromedriver or Chromium is not installed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use common::browser::Browser;
use serde_json::json;

#[test]
fn the_browser_reads_the_real_server() {
    let Some(b) = Browser::start() else {
        return;
    };
    let data = common::data_dir("browser-harness");
    let server = common::serve(&data, &[]);

    // A page loads and its text is read.
    let health = format!("{}/health", server.url);
    b.goto(&health);
    assert_eq!(b.current_url(), health);
    let body = b.find("body").text();
    assert!(body.contains(r#""status":"ok""#), "{body}");
    assert!(b.page_source().contains(r#""status":"ok""#));
    assert!(b.try_find("#no-such-thing").is_none());
    assert!(!b.find_all("body *").is_empty());
    // The browser resolves no name but localhost (no DNS queries on a closed network).
    b.goto(&health.replace("127.0.0.1", "localhost"));
    assert!(b.find("body").text().contains(r#""status":"ok""#));
    b.goto(&health);

    // Scripts run, with arguments and elements; 127.0.0.1 is a secure context.
    assert_eq!(
        b.execute("return arguments[0] + arguments[1];", &[json!(2), json!(3)]),
        json!(5)
    );
    let tag = b.execute(
        "return arguments[0].tagName.toLowerCase();",
        &[b.find("body").as_arg()],
    );
    assert_eq!(tag, json!("body"));
    assert_eq!(
        b.execute("return window.isSecureContext;", &[]),
        json!(true)
    );

    // A cookie marked Secure is kept on plain http://127.0.0.1 (as the console's session is).
    b.execute(
        "document.cookie = 'probe=1; Path=/; Secure; SameSite=Strict';",
        &[],
    );
    let probe = b.cookie("probe").expect("the Secure cookie is kept");
    assert_eq!(
        probe,
        ("probe".into(), "1".into(), false, true, "Strict".into())
    );
    b.delete_cookies();
    assert!(b.cookies().is_empty());

    // Typing, clearing, waiting: on a small form made in the page.
    b.execute(
        "document.body.innerHTML = '<form id=f><input name=q><button>Go</button></form>';",
        &[],
    );
    let input = b.find("#f input[name=q]");
    input.type_text("XQ101");
    assert_eq!(input.prop("value"), json!("XQ101"));
    input.clear();
    input.type_text("AMS");
    assert_eq!(input.value(), "AMS");
    assert_eq!(input.attr("name").as_deref(), Some("q"));
    assert_eq!(
        input.attr("value"),
        None,
        "the attribute, not what was typed"
    );
    assert_eq!(b.find("#f").find("button").text(), "Go");
    b.execute("setTimeout(() => { document.title = 'later'; }, 300);", &[]);
    b.wait_for(|b| b.title() == "later", "the title set by a timer");
    // Submitting the form (a GET to the same path) lands on a new page with the field in the URL.
    input.submit_form();
    // The navigation the submit starts may not have committed when the click returns.
    b.wait_for(
        |b| b.current_url().ends_with("/health?q=AMS"),
        "the submitted form's page",
    );

    // A screenshot is a PNG.
    let shot = data.join("shots/health.png");
    b.screenshot(&shot);
    let png = std::fs::read(&shot).unwrap();
    assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    assert!(png.len() > 1000);

    drop(b);
    drop(server);
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn a_missing_element_names_the_selector_and_the_page() {
    let Some(b) = Browser::start() else {
        return;
    };
    b.goto("data:text/html,<title>t</title><p id=here>here</p>");
    assert_eq!(b.find("#here").text(), "here");
    let started = std::time::Instant::now();
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        b.find("#not-here");
    }))
    .expect_err("find panics when nothing matches");
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(started.elapsed() >= common::browser::WAIT);
    assert!(message.contains("#not-here"), "{message}");
    assert!(message.contains("data:text/html"), "{message}");
    assert!(message.contains("id=\"here\""), "{message}");
}
