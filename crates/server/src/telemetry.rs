//! Prometheus metrics through the `metrics` facade, rendered by `metrics-exporter-prometheus`
//! (without its HTTP listener: `/metrics` is a route of the table, behind its roles).
//!
//! Two recorders: the process's global one, installed once per process whatever the number of
//! servers started in it, holds what code anywhere reports through the `metrics` facade and
//! the process's count of broken invariants (`invariant::broken_count`, set at each scrape as
//! `invariant::METRIC`); the figures a server keeps itself (messages in its
//! vault by state, messages per carrier, sign-in refusals) are read at each scrape into a
//! recorder of that scrape, so two servers in one process never mix their figures.
//!
//! Labels hold states, carrier codes, outcomes and reasons: never personal data.

use std::sync::OnceLock;

use metrics::{Unit, counter, describe_counter, describe_gauge, gauge};
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};

use crate::State;

static GLOBAL: OnceLock<Option<PrometheusHandle>> = OnceLock::new();

/// The process's recorder: installed at the first call, the same handle after; `None` when
/// another recorder was installed first (logged once; the global figures are then missing
/// from `/metrics`, which the test of the route catches).
pub fn install() -> Option<&'static PrometheusHandle> {
    GLOBAL
        .get_or_init(|| {
            let recorder = PrometheusBuilder::new().build_recorder();
            let handle = recorder.handle();
            match metrics::set_global_recorder(recorder) {
                Ok(()) => {
                    describe_counter!(
                        invariant::METRIC,
                        Unit::Count,
                        "States that cannot happen, found since start (each logged as an error)."
                    );
                    Some(handle)
                }
                Err(e) => {
                    tracing::error!(error = %e, "metrics: another recorder is installed");
                    None
                }
            }
        })
        .as_ref()
}

/// The text of `/metrics`: this server's figures, then the process's.
pub(crate) async fn render(state: &State) -> Result<String, store::StoreError> {
    let messages = state.store.count_messages().await?;
    let carriers = state.intake.counters();
    let refusals = state.accounts.refusals();
    let recorder = PrometheusBuilder::new().build_recorder();
    let local = recorder.handle();
    metrics::with_local_recorder(&recorder, || {
        describe_gauge!("passage_messages", "Messages in the vault by state.");
        for (s, n) in &messages {
            gauge!("passage_messages", "state" => s.as_str()).set(*n as f64);
        }
        describe_counter!(
            "passage_carrier_messages_total",
            "Messages per carrier since start, by outcome."
        );
        for (carrier, c) in &carriers {
            for (what, n) in [
                ("received", c.received),
                ("processed", c.processed),
                ("duplicate", c.duplicates),
                ("failed", c.failed),
                ("with_errors", c.with_errors),
            ] {
                counter!("passage_carrier_messages_total", "carrier" => carrier.clone(), "outcome" => what)
                    .absolute(n);
            }
        }
        describe_counter!(
            "passage_sign_in_refused_total",
            "Sign-in attempts refused since start, by reason."
        );
        for (reason, n) in &refusals {
            counter!("passage_sign_in_refused_total", "reason" => reason.as_str()).absolute(*n);
        }
    });
    let mut out = local.render();
    if let Some(global) = install() {
        // The invariant crate counts without the facade (it is a build dependency of the legal
        // tables, and a count must not depend on a recorder being installed): published here.
        counter!(invariant::METRIC).absolute(invariant::broken_count());
        out.push_str(&global.render());
    }
    Ok(out)
}
