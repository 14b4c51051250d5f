//! `/metrics` through the `metrics` crates: the names and meanings the operators' dashboards
//! read, the broken-invariant counter, one recorder per process however many servers run.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use server::{Credentials, Limits};

#[test]
fn metrics_keep_their_names_and_two_servers_do_not_mix() {
    let a = common::start(Limits::default(), Credentials::open());
    let b = common::start(Limits::default(), Credentials::open());
    assert!(
        server::install_metrics().is_some(),
        "installed once, found again"
    );
    assert!(std::ptr::eq(
        server::install_metrics().unwrap(),
        server::install_metrics().unwrap()
    ));
    // A message from carrier XQ to server a only: one failed (not EDIFACT).
    let sent = a.post_with(
        "/api/v1/messages",
        &[("x-passage-carrier", "XQ")],
        b"not an edifact message",
    );
    assert_eq!(sent.status, 422, "{}", sent.body);

    let m = a.get("/metrics");
    assert_eq!(m.status, 200, "{}", m.body);
    assert!(m.header("content-type").unwrap().starts_with("text/plain"));
    for line in [
        "# TYPE passage_messages gauge",
        "passage_messages{state=\"failed\"} 1",
        "# TYPE passage_carrier_messages_total counter",
        "passage_carrier_messages_total{carrier=\"XQ\",outcome=\"received\"} 1",
        "passage_carrier_messages_total{carrier=\"XQ\",outcome=\"failed\"} 1",
        "passage_carrier_messages_total{carrier=\"XQ\",outcome=\"processed\"} 0",
        "# TYPE passage_invariant_broken_total counter",
        "passage_invariant_broken_total 0",
    ] {
        assert!(
            m.body.lines().any(|l| l == line),
            "{line:?} missing in:\n{}",
            m.body
        );
    }
    let other = b.get("/metrics");
    assert!(!other.body.contains("carrier=\"XQ\""), "{}", other.body);
    assert!(other.body.contains("passage_invariant_broken_total 0"));
    // Without a token: the route's roles still hold.
    assert_eq!(a.get_with("/metrics", &[]).status, 401);
}
