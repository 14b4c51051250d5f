#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use accounts::{Accounts, Policy, Refusal, Role, UserSpec};
use jiff::{SignedDuration, Timestamp};
use store::Store;

const PASSWORD: &str = "a long enough secret";

async fn accounts_with_analyst() -> Accounts {
    let store = Store::open_in_memory().await.unwrap();
    let accounts = Accounts::new(store, Policy::default()).unwrap();
    accounts
        .add_user(
            "setup",
            &UserSpec {
                username: "ana",
                display_name: "Analyst One",
                agency: "piu",
                roles: &[Role::Analyst],
                password: PASSWORD,
            },
        )
        .await
        .unwrap();
    accounts
}

fn t0() -> Timestamp {
    "2026-11-27T08:00:00Z".parse().unwrap()
}

#[tokio::test]
async fn sign_in_opens_a_session_that_knows_the_user_and_roles() {
    let a = accounts_with_analyst().await;
    let s = a.sign_in("ana", PASSWORD, t0()).await.unwrap().unwrap();
    assert_eq!(s.principal.agency, "PIU");
    assert_eq!(s.principal.roles, vec![Role::Analyst]);
    let p = a.session(&s.cookie, t0()).await.unwrap().unwrap();
    assert_eq!(p.username, "ana");
    assert_eq!(p.csrf, s.principal.csrf);
    assert!(a.session("not a cookie", t0()).await.unwrap().is_none());
    a.sign_out(&s.cookie).await.unwrap();
    assert!(a.session(&s.cookie, t0()).await.unwrap().is_none());
    let actions: Vec<String> = a
        .store()
        .audit_records(Some("user:ana"), 10)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect();
    assert_eq!(
        actions,
        ["session.signed_out", "session.signed_in", "user.added"]
    );
}

#[tokio::test]
async fn unknown_user_and_wrong_password_get_the_same_answer() {
    let a = accounts_with_analyst().await;
    assert_eq!(
        a.sign_in("nobody", PASSWORD, t0())
            .await
            .unwrap()
            .unwrap_err(),
        Refusal::WrongCredentials
    );
    assert_eq!(
        a.sign_in("ana", "wrong password!!", t0())
            .await
            .unwrap()
            .unwrap_err(),
        Refusal::WrongCredentials
    );
}

#[tokio::test]
async fn five_failures_lock_the_account_for_fifteen_minutes() {
    let a = accounts_with_analyst().await;
    for i in 1..=4 {
        let r = a.sign_in("ana", "wrong password!!", t0()).await.unwrap();
        assert_eq!(r.unwrap_err(), Refusal::WrongCredentials, "failure {i}");
    }
    let until = t0() + SignedDuration::from_mins(15);
    assert_eq!(
        a.sign_in("ana", "wrong password!!", t0())
            .await
            .unwrap()
            .unwrap_err(),
        Refusal::Locked { until }
    );
    // Locked: even the right password is refused until the lock ends.
    let later = t0() + SignedDuration::from_mins(14);
    assert_eq!(
        a.sign_in("ana", PASSWORD, later)
            .await
            .unwrap()
            .unwrap_err(),
        Refusal::Locked { until }
    );
    let after = t0() + SignedDuration::from_mins(16);
    assert!(a.sign_in("ana", PASSWORD, after).await.unwrap().is_ok());
    let user = a.store().user_named("ana").await.unwrap().unwrap();
    assert_eq!(user.failed_logins, 0);
    assert!(user.locked_until.is_none());
}

#[tokio::test]
async fn an_idle_session_ends_and_an_active_one_ends_after_twelve_hours() {
    let a = accounts_with_analyst().await;
    let s = a.sign_in("ana", PASSWORD, t0()).await.unwrap().unwrap();
    assert!(
        a.session(&s.cookie, t0() + SignedDuration::from_mins(31))
            .await
            .unwrap()
            .is_none()
    );

    let s = a.sign_in("ana", PASSWORD, t0()).await.unwrap().unwrap();
    let mut now = t0();
    for _ in 0..(12 * 3) {
        now += SignedDuration::from_mins(20);
        let alive = a.session(&s.cookie, now).await.unwrap().is_some();
        assert_eq!(alive, now < t0() + SignedDuration::from_hours(12), "{now}");
    }
}

#[tokio::test]
async fn bearer_tokens_act_as_their_user_until_the_user_is_disabled() {
    let a = accounts_with_analyst().await;
    let token = a.issue_token("setup", "ana", "batch").await.unwrap();
    let p = a.bearer(&token).await.unwrap().unwrap();
    assert_eq!(p.username, "ana");
    assert_eq!(p.csrf, None);
    assert!(a.bearer("0000").await.unwrap().is_none());
    let s = a.sign_in("ana", PASSWORD, t0()).await.unwrap().unwrap();
    a.set_disabled("setup", "ana", true).await.unwrap();
    assert!(a.bearer(&token).await.unwrap().is_none());
    assert!(a.session(&s.cookie, t0()).await.unwrap().is_none());
    assert_eq!(
        a.sign_in("ana", PASSWORD, t0()).await.unwrap().unwrap_err(),
        Refusal::WrongCredentials
    );
}

#[tokio::test]
async fn weak_passwords_bad_names_and_taken_names_are_refused() {
    let a = accounts_with_analyst().await;
    let spec = |username, password| UserSpec {
        username,
        display_name: "X",
        agency: "PIU",
        roles: &[Role::Supervisor],
        password,
    };
    assert!(a.add_user("setup", &spec("sup", "short")).await.is_err());
    assert!(
        a.add_user("setup", &spec("sup er", PASSWORD))
            .await
            .is_err()
    );
    assert!(matches!(
        a.add_user("setup", &spec("ana", PASSWORD)).await,
        Err(accounts::AccountsError::Taken(_))
    ));
    assert!(a.add_user("setup", &spec("sup", PASSWORD)).await.is_ok());
}
