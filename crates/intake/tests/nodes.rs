//! Two nodes on one store: what one puts in force (a list imported, a false alarm remembered, a
//! criterion activated) the other puts in force at its next sync, on both engines.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use intake::criteria::Draft;
use intake::{Config, Intake, Outcome};
use screening::Format;
use store::{MessageState, Store};
use targeting::{Action, Actor, Role};

async fn node(at: &store::testing::TestLocation) -> Intake {
    node_with(at, Config::default()).await
}

async fn node_with(at: &store::testing::TestLocation, config: Config) -> Intake {
    let intake = Intake::new(Store::open_at(&at.location).await.unwrap(), config);
    intake.watchlists().load().await.unwrap();
    intake.criteria().load().await.unwrap();
    intake
}

store::engines! {
    async fn a_list_imported_on_one_node_is_in_force_on_the_other(at: TestLocation) {
        let (a, b) = (node(at).await, node(at).await);
        assert!(!b.watchlists().sync().await.unwrap(), "nothing moved yet");
        let sim = simulator::Simulator::new(simulator::Config::new(11, simulator::Size::Small, 1))
            .unwrap();
        let csv = simulator::truth::watchlist_csv(sim.watchlist());
        a.watchlists()
            .import("national", Format::Csv, csv.as_bytes(), "test-admin")
            .await
            .unwrap();
        assert_eq!(b.watchlists().screener().unwrap().lists(), 0);
        assert!(b.watchlists().sync().await.unwrap(), "the import moved the lists");
        assert_eq!(b.watchlists().screener().unwrap().lists(), 1);
        assert!(!b.watchlists().sync().await.unwrap(), "rebuilt once per change");
        // the node that imported put it in force itself and has nothing to catch up with
        assert!(!a.watchlists().sync().await.unwrap());
        a.store().close().await;
        b.store().close().await;
    }
}

store::engines! {
    async fn a_criterion_activated_on_one_node_is_in_force_on_the_other(at: TestLocation) {
        let (a, b) = (node(at).await, node(at).await);
        let analyst = Actor::new("analyst-1", &[Role::Analyst]);
        let supervisor = Actor::new("supervisor-1", &[Role::Supervisor]);
        let v = a
            .criteria()
            .draft(
                &Draft {
                    criterion: "courier",
                    text: "booking.lead_time_hours < 168 and payment.cash",
                    weight: 40.0,
                    justification: "cases 2026/17 and 2026/23",
                    review_by: jiff::civil::date(2099, 1, 1),
                },
                &analyst,
            )
            .await
            .unwrap();
        a.criteria().act(v.id, Action::Submit, &analyst, "").await.unwrap();
        a.criteria().act(v.id, Action::Approve, &supervisor, "ok").await.unwrap();
        assert_eq!(b.criteria().targeter().unwrap().len(), 0);
        a.criteria().act(v.id, Action::Activate, &supervisor, "").await.unwrap();
        assert!(b.criteria().sync().await.unwrap());
        assert_eq!(b.criteria().targeter().unwrap().len(), 1);
        a.criteria().act(v.id, Action::Retire, &supervisor, "").await.unwrap();
        assert!(b.criteria().sync().await.unwrap());
        assert_eq!(b.criteria().targeter().unwrap().len(), 0);
        a.store().close().await;
        b.store().close().await;
    }
}

store::engines! {
    /// The parts of one series received by different nodes: whichever receives the last
    /// assembles all of them (they wait in the store, not in one node's memory), once.
    async fn the_parts_of_a_series_received_by_two_nodes_are_assembled_once(at: TestLocation) {
        let Some(parts) = ["test7_part2.edi", "test7_part3.edi", "test7_part1.edi"]
            .iter()
            .map(|f| test_corpus::read(&format!("messages/astra/apis_edi_file_d02b/{f}")))
            .collect::<Option<Vec<Vec<u8>>>>()
        else {
            return;
        };
        // the second node's series time out at once, when it is asked to flush them
        let impatient = Config {
            series_timeout: std::time::Duration::ZERO,
            ..Config::default()
        };
        let (a, b) = (node(at).await, node_with(at, impatient).await);
        let first = a.receive("folder", "OK", &parts[0]).await.unwrap().outcome;
        let second = b.receive("folder", "OK", &parts[1]).await.unwrap().outcome;
        assert_eq!((first, second), (Outcome::Waiting, Outcome::Waiting));
        // the last part on the first node: it finds the part the second node keeps waiting
        let last = a.receive("folder", "OK", &parts[2]).await.unwrap().outcome;
        assert_eq!(last, Outcome::Processed);
        let flight = a
            .store()
            .flight("OK688/PRG-BCN/2007-10-08")
            .await
            .unwrap()
            .unwrap();
        let names: Vec<_> = a
            .store()
            .manifest(flight.id)
            .await
            .unwrap()
            .iter()
            .map(|m| m.identity.surname.clone())
            .collect();
        assert_eq!(names, ["STRANSKY", "KOVACS", "LESKA", "PUTIN", "PUTINA"]);
        for id in 1..=3 {
            assert_eq!(
                b.store().message(id).await.unwrap().unwrap().state,
                MessageState::Processed
            );
        }
        // the second node's memory still holds its part: its timeout finds it applied
        // elsewhere and applies nothing again
        assert_eq!(b.flush_series().await.unwrap(), 0);
        assert_eq!(a.store().manifest(flight.id).await.unwrap().len(), 5);
        a.store().close().await;
        b.store().close().await;
    }
}
