//! Targeting criteria in the intake: a criterion drafted, approved by a second person and
//! activated is evaluated on every PNR traveller as stored (hits with the version and the
//! explanation); self-approval is refused; a retired version stops hitting; a back-test over the
//! stored history counts what an independent reading of the simulated bookings counts.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::HashSet;

use intake::criteria::{CriteriaError, Draft};
use intake::{Config, Intake};
use store::TargetingHitFilter;
use targeting::{Action, Actor, LifecycleError, Role};

/// Cash and booked less than a week before departure: both drawn by the simulator (10% cash,
/// lead times from one day to four months, skewed short).
const COURIER: &str = "booking.lead_time_hours < 168 and payment.cash";
const LEAD_HOURS: i64 = 168;

fn analyst() -> Actor {
    Actor::new("analyst-1", &[Role::Analyst])
}

fn supervisor() -> Actor {
    Actor::new("supervisor-1", &[Role::Supervisor])
}

fn simulated(days: u32) -> Vec<simulator::Sent> {
    let sim = simulator::Simulator::new(simulator::Config::new(23, simulator::Size::Small, days))
        .unwrap();
    let mut sent = Vec::new();
    sim.run(|m| sent.push(m));
    sent.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.file.cmp(&b.file)));
    sent
}

/// (flight key, locator, TIF reference) of every traveller the simulated PNR pushes show paying
/// cash and booking less than `LEAD_HOURS` before departure, read straight from the pushes with
/// `pnrgov` (not through the intake's subject builder).
fn planted(sent: &[simulator::Sent], date: Option<&str>) -> HashSet<(String, String, String)> {
    let mut out = HashSet::new();
    for m in sent.iter().filter(|m| m.kind == simulator::Kind::PnrPush) {
        for message in pnrgov::read(&m.bytes).messages {
            let Some(push) = message.push() else { continue };
            let Some(flight) = push.flight.as_ref() else {
                continue;
            };
            let Some(key) = intake::pnr_flight_key(flight) else {
                continue;
            };
            if date.is_some_and(|d| key.date.to_string() != d) {
                continue;
            }
            let Some(departs) = flight.departure.as_ref().map(|d| d.at.datetime()) else {
                continue;
            };
            for b in &push.bookings {
                let cash = b
                    .travellers
                    .iter()
                    .flat_map(|t| &t.payments)
                    .any(|p| p.kind.as_deref() == Some("CA"));
                let Some(created) = b.locators.first().and_then(|l| l.created) else {
                    continue;
                };
                let lead = departs.duration_since(created.datetime()).as_secs() / 3600;
                let hours = departs.duration_since(created.datetime()).as_secs_f64() / 3600.0;
                if cash && hours < LEAD_HOURS as f64 {
                    assert!(lead < LEAD_HOURS);
                    for t in &b.travellers {
                        out.insert((
                            key.to_string(),
                            b.locator().unwrap_or("?").to_string(),
                            t.reference.as_deref().unwrap_or_default().to_string(),
                        ));
                    }
                }
            }
        }
    }
    out
}

async fn active(intake: &Intake, text: &str) -> i64 {
    let v = intake
        .criteria()
        .draft(
            &Draft {
                criterion: "courier",
                text,
                weight: 40.0,
                justification: "cases 2026/17 and 2026/23",
                review_by: jiff::civil::date(2099, 1, 1),
            },
            &analyst(),
        )
        .await
        .unwrap();
    assert_eq!(v.state, "draft");
    intake
        .criteria()
        .act(v.id, Action::Submit, &analyst(), "")
        .await
        .unwrap();
    intake
        .criteria()
        .act(v.id, Action::Approve, &supervisor(), "ok")
        .await
        .unwrap();
    let v = intake
        .criteria()
        .act(v.id, Action::Activate, &supervisor(), "")
        .await
        .unwrap();
    assert_eq!(v.state, "active");
    assert_eq!(v.approved_by.as_deref(), Some("supervisor-1"));
    v.id
}

async fn feed(intake: &Intake, sent: &[&simulator::Sent]) {
    for m in sent {
        intake.receive("http", &m.carrier, &m.bytes).await.unwrap();
    }
}

fn hit_keys(rows: &[store::TargetingHitRow]) -> HashSet<(String, String, String)> {
    rows.iter()
        .map(|h| {
            (
                h.flight.clone(),
                h.locator.clone().unwrap_or_default(),
                h.traveller.clone().unwrap_or_default(),
            )
        })
        .collect()
}

store::engines! {
async fn an_active_criterion_hits_what_it_says_with_its_version_and_explanation(store: Store) {
    let intake = Intake::new(store, Config::default());
    let version = active(&intake, COURIER).await;
    assert_eq!(intake.criteria().targeter().unwrap().len(), 1);
    let sent = simulated(1);
    let all: Vec<&simulator::Sent> = sent.iter().collect();
    let started = std::time::Instant::now();
    feed(&intake, &all).await;
    let elapsed = started.elapsed();

    let rows = intake
        .store()
        .targeting_hits(&TargetingHitFilter::default(), 1_000_000)
        .await
        .unwrap();
    let expected = planted(&sent, None);
    assert!(
        expected.len() >= 5,
        "the simulated day should carry some cash bookings made within a week ({})",
        expected.len()
    );
    assert_eq!(hit_keys(&rows), expected);
    for h in &rows {
        assert_eq!(h.version_id, version);
        assert_eq!(h.criterion, "courier");
        assert_eq!(h.criterion_version, 1);
        assert_eq!(h.state, "open");
        assert_eq!(h.score, 40.0);
        let steps = h.explanation["steps"].as_array().unwrap();
        assert_eq!(steps.len(), 2);
        assert_eq!(steps[0]["field"], "booking.lead_time_hours");
        assert_eq!(steps[0]["truth"], "true");
        assert_eq!(steps[1]["field"], "payment.cash");
        assert_eq!(steps[1]["value"], "true");
    }
    let stats = intake.store().criterion_stats(Some(version)).await.unwrap();
    assert_eq!(stats[0].hits as usize, expected.len());
    assert_eq!(stats[0].reviewed, 0);
    // The cost of targeting: stored bookings read back, subjects, and the set.
    let stored = intake
        .store()
        .booking_versions_departing("2026-01-01", "2027-12-31")
        .await
        .unwrap();
    let targeter = intake.criteria().targeter().unwrap();
    let keys: Vec<model::FlightKey> = stored.iter().map(|b| b.flight.parse().unwrap()).collect();
    let started = std::time::Instant::now();
    let mut travellers = 0;
    let mut matched = 0;
    for (b, key) in stored.iter().zip(&keys) {
        let booking = pnrgov::stored::read(b.format, &b.booking).unwrap();
        travellers += intake::target::subjects(&booking, key, b.departure_local.as_deref()).len();
        matched += targeter
            .evaluate(&booking, key, b.departure_local.as_deref())
            .len();
    }
    let evaluation = started.elapsed();
    assert!(matched >= rows.len());
    eprintln!(
        "{} messages in {elapsed:?}; {} booking versions, {travellers} traveller evaluations: \
         subjects twice and one criterion in {evaluation:?} ({:.1} µs per traveller, upper bound)",
        sent.len(),
        stored.len(),
        evaluation.as_secs_f64() * 1e6 / travellers.max(1) as f64
    );
}
}

store::engines! {
async fn self_approval_is_refused_and_every_move_is_kept(store: Store) {
    let intake = Intake::new(store, Config::default());
    let both = Actor::new("lead-1", &[Role::Analyst, Role::Supervisor]);
    let v = intake
        .criteria()
        .draft(
            &Draft {
                criterion: "late-cash",
                text: COURIER,
                weight: 10.0,
                justification: "case 2026/17",
                review_by: jiff::civil::date(2099, 1, 1),
            },
            &both,
        )
        .await
        .unwrap();
    intake
        .criteria()
        .act(v.id, Action::Submit, &both, "")
        .await
        .unwrap();
    let refused = intake
        .criteria()
        .act(v.id, Action::Approve, &both, "")
        .await
        .unwrap_err();
    assert!(matches!(
        refused,
        CriteriaError::Lifecycle(LifecycleError::OwnCriterion { .. })
    ));
    // An analyst cannot approve either, nor activate what is not approved.
    let other_analyst = Actor::new("analyst-2", &[Role::Analyst]);
    assert!(matches!(
        intake
            .criteria()
            .act(v.id, Action::Approve, &other_analyst, "")
            .await
            .unwrap_err(),
        CriteriaError::Lifecycle(LifecycleError::MissingRole { .. })
    ));
    assert!(matches!(
        intake
            .criteria()
            .act(v.id, Action::Activate, &supervisor(), "")
            .await
            .unwrap_err(),
        CriteriaError::Lifecycle(LifecycleError::NotAllowed { .. })
    ));
    let row = intake
        .store()
        .criterion_version(v.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(row.state, "submitted");
    let events = intake.store().criterion_events(v.id).await.unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["create", "submit"]);

    // A criterion the checker refuses is not even kept as a draft.
    let refused = intake
        .criteria()
        .draft(
            &Draft {
                criterion: "bad",
                text: "traveller.nationality == \"XXA\"",
                weight: 10.0,
                justification: "none",
                review_by: jiff::civil::date(2099, 1, 1),
            },
            &analyst(),
        )
        .await
        .unwrap_err();
    assert!(matches!(refused, CriteriaError::Check(_)));
    assert_eq!(
        intake.store().criterion_versions(None).await.unwrap().len(),
        1
    );
}
}

store::engines! {
async fn a_retired_version_stops_hitting_and_a_new_version_replaces_the_old(store: Store) {
    let intake = Intake::new(store, Config::default());
    let sent = simulated(2);
    let first_day = "2026-12-01";
    let (day1, day2): (Vec<&simulator::Sent>, Vec<&simulator::Sent>) =
        sent.iter().partition(|m| m.flight.contains(first_day));
    assert!(!day1.is_empty() && !day2.is_empty());

    let v1 = active(&intake, COURIER).await;
    feed(&intake, &day1).await;
    let hits1 = intake
        .store()
        .targeting_hits(
            &TargetingHitFilter {
                version_id: Some(v1),
                ..TargetingHitFilter::default()
            },
            1_000_000,
        )
        .await
        .unwrap();
    assert_eq!(hit_keys(&hits1), planted(&sent, Some(first_day)));

    // Version 2 of the same criterion replaces version 1 on activation.
    let v2 = active(
        &intake,
        "booking.lead_time_hours < 168 and payment.types intersects [\"CA\", \"MS\"]",
    )
    .await;
    assert_eq!(
        intake
            .store()
            .criterion_version(v1)
            .await
            .unwrap()
            .unwrap()
            .state,
        "retired"
    );
    let v2_row = intake.store().criterion_version(v2).await.unwrap().unwrap();
    assert_eq!(v2_row.number, 2);
    // Then version 2 is retired too: nothing is in force.
    intake
        .criteria()
        .act(v2, Action::Retire, &supervisor(), "replaced by review")
        .await
        .unwrap();
    assert!(intake.criteria().targeter().unwrap().is_empty());
    feed(&intake, &day2).await;
    let after = intake
        .store()
        .targeting_hits(&TargetingHitFilter::default(), 1_000_000)
        .await
        .unwrap();
    assert_eq!(
        hit_keys(&after),
        hit_keys(&hits1),
        "no hit after retirement"
    );
    assert!(after.iter().all(|h| h.version_id == v1));
}
}

store::engines! {
async fn a_backtest_counts_what_the_history_holds(store: Store) {
    // History stored with no criterion in force.
    let intake = Intake::new(store, Config::default());
    let sent = simulated(2);
    let all: Vec<&simulator::Sent> = sent.iter().collect();
    feed(&intake, &all).await;
    assert_eq!(
        intake
            .store()
            .targeting_hits(&TargetingHitFilter::default(), 10)
            .await
            .unwrap()
            .len(),
        0
    );

    let day = jiff::civil::date(2026, 12, 1);
    let report = intake
        .criteria()
        .backtest(COURIER, day, day, "analyst-1")
        .await
        .unwrap();
    let expected = planted(&sent, Some("2026-12-01"));
    assert_eq!(report.travellers_hit, expected.len());
    let flights: HashSet<&String> = expected.iter().map(|(f, _, _)| f).collect();
    assert_eq!(report.flights_hit, flights.len());
    let bookings: HashSet<(&String, &String)> = expected.iter().map(|(f, l, _)| (f, l)).collect();
    assert_eq!(report.bookings_hit, bookings.len());
    assert_eq!(report.sample.len(), expected.len().min(20));
    for s in &report.sample {
        assert!(expected.contains(&(s.flight.clone(), s.locator.clone(), s.traveller.clone())));
        assert!(
            s.explanation
                .steps
                .iter()
                .all(|st| st.truth == targeting::Truth::True)
        );
    }
    assert!(report.travellers > report.travellers_hit);

    // The whole period: both days.
    let both = intake
        .criteria()
        .backtest(COURIER, day, jiff::civil::date(2026, 12, 2), "analyst-1")
        .await
        .unwrap();
    assert_eq!(both.travellers_hit, planted(&sent, None).len());
    eprintln!(
        "back-test: {} booking versions, {} travellers, {} hit, {} ms",
        both.booking_versions, both.travellers, both.travellers_hit, both.elapsed_ms
    );

    // A refused criterion is reported, not run.
    assert!(matches!(
        intake
            .criteria()
            .backtest(
                "payment.cash or traveller.sex == \"F\"",
                day,
                day,
                "analyst-1"
            )
            .await
            .unwrap_err(),
        CriteriaError::Check(_)
    ));
}
}
