#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use jiff::civil::{Date, date};
use targeting::lifecycle::Event;
use targeting::{Action, Actor, Lifecycle, LifecycleError, Role, State, Version};

const TODAY: Date = date(2026, 12, 1);

fn analyst() -> Actor {
    Actor::new("analyst-1", &[Role::Analyst])
}

fn other_analyst() -> Actor {
    Actor::new("analyst-2", &[Role::Analyst])
}

fn supervisor() -> Actor {
    Actor::new("supervisor-1", &[Role::Supervisor])
}

/// A supervisor who also writes criteria.
fn writing_supervisor() -> Actor {
    Actor::new("supervisor-2", &[Role::Analyst, Role::Supervisor])
}

fn draft(author: &Actor) -> Version {
    Version::draft(
        "late-cash",
        "booking.lead_time_hours < 24 and payment.cash and itinerary.one_way",
        10.0,
        "Cases 2026/17 and 2026/23: couriers booked on the day, paid cash, one way.",
        date(2027, 6, 1),
        author,
    )
}

fn submitted() -> Version {
    draft(&analyst())
        .apply(Action::Submit, &analyst(), TODAY)
        .unwrap()
}

#[test]
fn the_whole_way_with_four_eyes() {
    let v = submitted();
    assert_eq!(v.state(), State::Submitted);
    let v = v.apply(Action::Approve, &supervisor(), TODAY).unwrap();
    assert_eq!(v.state(), State::Approved);
    assert_eq!(v.approved_by(), Some("supervisor-1"));
    let v = v.apply(Action::Activate, &supervisor(), TODAY).unwrap();
    assert_eq!(v.state(), State::Active);
    let v = v.apply(Action::Retire, &supervisor(), TODAY).unwrap();
    assert_eq!(v.state(), State::Retired);
    let actions: Vec<Action> = v.history().iter().map(|e: &Event| e.action).collect();
    assert_eq!(
        actions,
        [
            Action::Submit,
            Action::Approve,
            Action::Activate,
            Action::Retire
        ]
    );
    assert!(v.compile().is_ok());
}

#[test]
fn self_approval_is_refused_even_for_a_supervisor() {
    let author = writing_supervisor();
    let v = draft(&author)
        .apply(Action::Submit, &author, TODAY)
        .unwrap();
    assert_eq!(
        Lifecycle::transition(&v, Action::Approve, &author),
        Err(LifecycleError::OwnCriterion {
            action: Action::Approve
        })
    );
    assert!(matches!(
        v.apply(Action::Reject, &author, TODAY),
        Err(LifecycleError::OwnCriterion { .. })
    ));
    // Another supervisor may.
    assert_eq!(
        Lifecycle::transition(&v, Action::Approve, &supervisor()),
        Ok(State::Approved)
    );
}

#[test]
fn an_analyst_cannot_approve_activate_or_retire() {
    let v = submitted();
    for action in [Action::Approve, Action::Reject] {
        assert_eq!(
            Lifecycle::transition(&v, action, &other_analyst()),
            Err(LifecycleError::MissingRole {
                action,
                role: Role::Supervisor
            })
        );
    }
    let approved = v.apply(Action::Approve, &supervisor(), TODAY).unwrap();
    assert!(matches!(
        Lifecycle::transition(&approved, Action::Activate, &analyst()),
        Err(LifecycleError::MissingRole { .. })
    ));
    assert!(matches!(
        Lifecycle::transition(&approved, Action::Retire, &analyst()),
        Err(LifecycleError::MissingRole { .. })
    ));
}

#[test]
fn only_the_author_submits_or_withdraws() {
    let d = draft(&analyst());
    assert_eq!(
        Lifecycle::transition(&d, Action::Submit, &other_analyst()),
        Err(LifecycleError::NotAuthor {
            action: Action::Submit
        })
    );
    let back = submitted()
        .apply(Action::Withdraw, &analyst(), TODAY)
        .unwrap();
    assert_eq!(back.state(), State::Draft);
}

#[test]
fn retired_and_rejected_are_final() {
    let retired = submitted()
        .apply(Action::Approve, &supervisor(), TODAY)
        .unwrap()
        .apply(Action::Activate, &supervisor(), TODAY)
        .unwrap()
        .apply(Action::Retire, &supervisor(), TODAY)
        .unwrap();
    for action in [
        Action::Activate,
        Action::Approve,
        Action::Submit,
        Action::Retire,
        Action::Withdraw,
    ] {
        assert_eq!(
            Lifecycle::transition(&retired, action, &supervisor()),
            Err(LifecycleError::NotAllowed {
                action,
                state: State::Retired
            }),
            "{action}"
        );
    }
    let rejected = submitted()
        .apply(Action::Reject, &supervisor(), TODAY)
        .unwrap();
    assert!(matches!(
        Lifecycle::transition(&rejected, Action::Activate, &supervisor()),
        Err(LifecycleError::NotAllowed { .. })
    ));
    // Activation needs an approval first.
    assert!(matches!(
        Lifecycle::transition(&submitted(), Action::Activate, &supervisor()),
        Err(LifecycleError::NotAllowed { .. })
    ));
}

#[test]
fn versions_are_never_edited_a_change_is_a_new_version() {
    let active = submitted()
        .apply(Action::Approve, &supervisor(), TODAY)
        .unwrap()
        .apply(Action::Activate, &supervisor(), TODAY)
        .unwrap();
    let before = active.clone();
    let next = active.revise(
        "booking.lead_time_hours < 12 and payment.cash and itinerary.one_way",
        12.0,
        "Narrowed after review: 12 h covers all confirmed cases.",
        date(2027, 6, 1),
        &analyst(),
    );
    assert_eq!(active, before, "revising leaves the version as it was");
    assert_eq!(next.number(), 2);
    assert_eq!(next.criterion(), "late-cash");
    assert_eq!(next.state(), State::Draft);
    assert_eq!(next.approved_by(), None);
    assert!(next.history().is_empty());
    // Applying an action changes state and history only.
    let submitted = next.apply(Action::Submit, &analyst(), TODAY).unwrap();
    assert_eq!(submitted.text(), next.text());
    assert_eq!(submitted.weight(), next.weight());
    assert_eq!(submitted.number(), 2);
    assert_eq!(next.state(), State::Draft);
}

#[test]
fn nothing_the_checker_refuses_can_be_submitted_or_approved() {
    let bad = Version::draft(
        "meal",
        r#"ssr.code == "MOML" and payment.cash"#,
        5.0,
        "no",
        date(2027, 6, 1),
        &analyst(),
    );
    match Lifecycle::transition(&bad, Action::Submit, &analyst()) {
        Err(LifecycleError::Check(e)) => assert!(e.to_string().contains("protected-field")),
        other => panic!("{other:?}"),
    }
    let unjustified = Version::draft(
        "x",
        "payment.cash and bags.count == 0",
        5.0,
        "  ",
        date(2027, 6, 1),
        &analyst(),
    );
    assert_eq!(
        Lifecycle::transition(&unjustified, Action::Submit, &analyst()),
        Err(LifecycleError::NoJustification)
    );
}

#[test]
fn an_overdue_review_blocks_activation() {
    let approved = submitted()
        .apply(Action::Approve, &supervisor(), TODAY)
        .unwrap();
    assert!(matches!(
        approved.apply(Action::Activate, &supervisor(), date(2027, 6, 2)),
        Err(LifecycleError::ReviewOverdue { .. })
    ));
    assert!(approved.review_due(date(2027, 6, 2)));
    assert!(!approved.review_due(TODAY));
}
