//! Two nodes on one store: what one puts in force (a list imported, a false alarm remembered, a
//! criterion activated) the other puts in force at its next sync, on both engines.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use intake::criteria::Draft;
use intake::{Config, Intake};
use screening::Format;
use store::Store;
use targeting::{Action, Actor, Role};

async fn node(at: &store::testing::TestLocation) -> Intake {
    let intake = Intake::new(
        Store::open_at(&at.location).await.unwrap(),
        Config::default(),
    );
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
