//! Any bytes through the intake's whole read phase — EDIFACT, PAXLST or PNRGOV, the legal
//! filters, screening against a list in force and targeting with a criterion in force — as a
//! carrier's message. Nothing may panic; run with a per-input time and memory limit
//! (`-timeout=10 -rss_limit_mb=2048`), so a message whose cost is unbounded fails the run.
#![no_main]

use std::sync::OnceLock;

use intake::criteria::Draft;
use intake::{Config, Intake};
use libfuzzer_sys::fuzz_target;
use targeting::{Action, Actor, Role};

fn intake() -> &'static Intake {
    static INTAKE: OnceLock<Intake> = OnceLock::new();
    INTAKE.get_or_init(|| {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        runtime.block_on(async {
            let store = store::Store::open_in_memory().await.expect("a store");
            let intake = Intake::new(store, Config::default());
            let sim = simulator::Simulator::new(simulator::Config::new(
                11,
                simulator::Size::Small,
                1,
            ))
            .expect("a simulator");
            let csv = simulator::truth::watchlist_csv(sim.watchlist());
            intake
                .import_list("national", screening::Format::Csv, csv.as_bytes(), "fuzz")
                .await
                .expect("a list");
            let analyst = Actor::new("fuzz-analyst", &[Role::Analyst]);
            let supervisor = Actor::new("fuzz-supervisor", &[Role::Supervisor]);
            let v = intake
                .draft_criterion(
                    &Draft {
                        criterion: "courier",
                        text: "booking.lead_time_hours < 168 and payment.cash",
                        weight: 40.0,
                        justification: "fuzzing",
                        review_by: jiff::civil::date(2099, 1, 1),
                    },
                    &analyst,
                )
                .await
                .expect("a draft");
            for (action, actor) in [
                (Action::Submit, &analyst),
                (Action::Approve, &supervisor),
                (Action::Activate, &supervisor),
            ] {
                intake
                    .criterion_action(v.id, action, actor, "")
                    .await
                    .expect("a lifecycle move");
            }
            intake
        })
    })
}

fuzz_target!(|data: &[u8]| {
    let preview = intake().preview("http", "XQ", data);
    // what cannot be applied says why
    assert!(preview.readable || preview.findings > 0, "{preview:?}");
});
