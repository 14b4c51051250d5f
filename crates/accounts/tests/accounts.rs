#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use accounts::{Accounts, Policy, Reason, Refusal, Role, Source, UserSpec};
use jiff::{SignedDuration, Timestamp};
use store::Store;

const PASSWORD: &str = "a long enough secret";
const ANY: Source = Source::Unknown;

async fn accounts_with_analyst(store: Store) -> Accounts {
    // Many attempts from one source: the per-source limit has its own test.
    accounts_with(
        store,
        Policy {
            sign_in_burst: 1000,
            ..Policy::default()
        },
    )
    .await
}

async fn accounts_with(store: Store, policy: Policy) -> Accounts {
    let accounts = Accounts::new(store, policy).unwrap();
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

store::engines! {
async fn sign_in_opens_a_session_that_knows_the_user_and_roles(store: Store) {
    let a = accounts_with_analyst(store.clone()).await;
    let s = a
        .sign_in("ana", PASSWORD, ANY, t0())
        .await
        .unwrap()
        .unwrap();
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
}

store::engines! {
async fn unknown_user_and_wrong_password_get_the_same_answer(store: Store) {
    let a = accounts_with_analyst(store.clone()).await;
    assert_eq!(
        a.sign_in("nobody", PASSWORD, ANY, t0())
            .await
            .unwrap()
            .unwrap_err(),
        Refusal::WrongCredentials
    );
    assert_eq!(
        a.sign_in("ana", "wrong password!!", ANY, t0())
            .await
            .unwrap()
            .unwrap_err(),
        Refusal::WrongCredentials
    );
}
}

store::engines! {
async fn five_failures_lock_the_account_for_fifteen_minutes(store: Store) {
    let a = accounts_with_analyst(store.clone()).await;
    for i in 1..=4 {
        let r = a
            .sign_in("ana", "wrong password!!", ANY, t0())
            .await
            .unwrap();
        assert_eq!(r.unwrap_err(), Refusal::WrongCredentials, "failure {i}");
    }
    // The fifth locks; the answer is the same as for any wrong password.
    assert_eq!(
        a.sign_in("ana", "wrong password!!", ANY, t0())
            .await
            .unwrap()
            .unwrap_err(),
        Refusal::WrongCredentials
    );
    let user = a.store().user_named("ana").await.unwrap().unwrap();
    assert_eq!(user.locked_until.as_deref(), Some("2026-11-27T08:15:00Z"));
    // Locked: even the right password is refused until the lock ends.
    let later = t0() + SignedDuration::from_mins(14);
    assert_eq!(
        a.sign_in("ana", PASSWORD, ANY, later)
            .await
            .unwrap()
            .unwrap_err(),
        Refusal::WrongCredentials
    );
    let after = t0() + SignedDuration::from_mins(16);
    assert!(
        a.sign_in("ana", PASSWORD, ANY, after)
            .await
            .unwrap()
            .is_ok()
    );
    let user = a.store().user_named("ana").await.unwrap().unwrap();
    assert_eq!(user.failed_logins, 0);
    assert!(user.locked_until.is_none());
}
}

store::engines! {
async fn an_idle_session_ends_and_an_active_one_ends_after_twelve_hours(store: Store) {
    let a = accounts_with_analyst(store.clone()).await;
    let s = a
        .sign_in("ana", PASSWORD, ANY, t0())
        .await
        .unwrap()
        .unwrap();
    assert!(
        a.session(&s.cookie, t0() + SignedDuration::from_mins(31))
            .await
            .unwrap()
            .is_none()
    );

    let s = a
        .sign_in("ana", PASSWORD, ANY, t0())
        .await
        .unwrap()
        .unwrap();
    let mut now = t0();
    for _ in 0..(12 * 3) {
        now += SignedDuration::from_mins(20);
        let alive = a.session(&s.cookie, now).await.unwrap().is_some();
        assert_eq!(alive, now < t0() + SignedDuration::from_hours(12), "{now}");
    }
}
}

store::engines! {
async fn bearer_tokens_act_as_their_user_until_the_user_is_disabled(store: Store) {
    let a = accounts_with_analyst(store.clone()).await;
    let token = a
        .issue_token("setup", "ana", "batch", None)
        .await
        .unwrap()
        .token;
    let p = a.bearer(&token).await.unwrap().unwrap();
    assert_eq!(p.username, "ana");
    assert_eq!(p.csrf, None);
    assert!(a.bearer("0000").await.unwrap().is_none());
    let s = a
        .sign_in("ana", PASSWORD, ANY, t0())
        .await
        .unwrap()
        .unwrap();
    a.set_disabled("setup", "ana", true).await.unwrap();
    assert!(a.bearer(&token).await.unwrap().is_none());
    assert!(a.session(&s.cookie, t0()).await.unwrap().is_none());
    assert_eq!(
        a.sign_in("ana", PASSWORD, ANY, t0())
            .await
            .unwrap()
            .unwrap_err(),
        Refusal::WrongCredentials
    );
}
}

store::engines! {
async fn weak_passwords_bad_names_and_taken_names_are_refused(store: Store) {
    let a = accounts_with_analyst(store.clone()).await;
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
}

/// The probe of issue 13: wrong passwords sent all at once were all checked against the same
/// old failure count, and the right one came through after them.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_wrong_passwords_lock_the_account_and_the_right_one_is_refused() {
    let a = accounts_with_analyst(Store::open_in_memory().await.unwrap()).await;
    let attempts: Vec<_> = (0..30)
        .map(|_| {
            let a = a.clone();
            tokio::spawn(async move {
                a.sign_in("ana", "wrong password!!", ANY, t0())
                    .await
                    .unwrap()
            })
        })
        .collect();
    for attempt in attempts {
        assert_eq!(
            attempt.await.unwrap().unwrap_err(),
            Refusal::WrongCredentials
        );
    }
    let user = a.store().user_named("ana").await.unwrap().unwrap();
    assert_eq!(
        user.failed_logins, 5,
        "checks after the lock are not counted"
    );
    assert!(user.locked_until.is_some());
    assert_eq!(
        a.sign_in("ana", PASSWORD, ANY, t0() + SignedDuration::from_mins(1))
            .await
            .unwrap()
            .unwrap_err(),
        Refusal::WrongCredentials,
        "refused while locked"
    );
    let counted: std::collections::HashMap<&str, u64> = a
        .refusals()
        .into_iter()
        .map(|(r, n)| (r.as_str(), n))
        .collect();
    assert_eq!(counted["wrong_password"], 5);
    assert_eq!(counted["locked"], 26);
}

store::engines! {
async fn a_source_is_limited_and_told_when_to_come_back(store: Store) {
    let a = accounts_with(store.clone(), Policy {
        sign_in_burst: 3,
        ..Policy::default()
    })
    .await;
    let here = Source::Address("192.0.2.7".parse().unwrap());
    for _ in 0..3 {
        assert_eq!(
            a.sign_in("nobody", PASSWORD, here, t0())
                .await
                .unwrap()
                .unwrap_err(),
            Refusal::WrongCredentials
        );
    }
    assert_eq!(
        a.sign_in("ana", PASSWORD, here, t0())
            .await
            .unwrap()
            .unwrap_err(),
        Refusal::RateLimited { retry_after: 6 },
        "even the right password waits"
    );
    let elsewhere = Source::Address("192.0.2.8".parse().unwrap());
    assert!(
        a.sign_in("ana", PASSWORD, elsewhere, t0())
            .await
            .unwrap()
            .is_ok()
    );
}
}

store::engines! {
async fn a_password_over_1024_bytes_is_refused_before_hashing(store: Store) {
    let a = accounts_with_analyst(store.clone()).await;
    let huge = "x".repeat(15 * 1024 * 1024);
    let started = std::time::Instant::now();
    assert_eq!(
        a.sign_in("ana", &huge, ANY, t0())
            .await
            .unwrap()
            .unwrap_err(),
        Refusal::WrongCredentials
    );
    assert!(started.elapsed() < std::time::Duration::from_millis(500));
    let user = a.store().user_named("ana").await.unwrap().unwrap();
    assert_eq!(user.failed_logins, 0, "not a password check");
    let err = a.set_password("setup", "ana", &"y".repeat(1025)).await;
    assert!(
        matches!(&err, Err(accounts::AccountsError::Invalid(m)) if m.contains("1024 bytes")),
        "{err:?}"
    );
    assert!(
        a.set_password("setup", "ana", &"y".repeat(1024))
            .await
            .is_ok()
    );
}
}

store::engines! {
async fn refusals_that_name_no_account_are_audited_together_once_a_minute(store: Store) {
    let a = accounts_with_analyst(store.clone()).await;
    for i in 0..20 {
        let at = t0() + SignedDuration::from_secs(i);
        let r = a.sign_in(&format!("nobody{i}"), PASSWORD, ANY, at).await;
        assert_eq!(r.unwrap().unwrap_err(), Refusal::WrongCredentials);
    }
    let records = a
        .store()
        .audit_records(Some("users:anonymous"), 100)
        .await
        .unwrap();
    assert_eq!(records.len(), 1, "one record for the first minute");
    assert_eq!(records[0].action, "session.sign_in_failed");
    let later = t0() + SignedDuration::from_secs(90);
    a.sign_in("nobody", PASSWORD, ANY, later)
        .await
        .unwrap()
        .unwrap_err();
    let records = a
        .store()
        .audit_records(Some("users:anonymous"), 100)
        .await
        .unwrap();
    assert_eq!(records.len(), 2);
    assert_eq!(
        records[0].detail,
        "refusals since the last record: unknown_user=20"
    );
    let unknown = a
        .refusals()
        .into_iter()
        .find(|(r, _)| *r == Reason::UnknownUser)
        .unwrap();
    assert_eq!(unknown.1, 21);
}
}

store::engines! {
/// Seen from outside, a refusal takes as long whatever its reason: a disabled account is
/// checked with argon2 like any other, and the paths that write nothing wait for the floor.
async fn unknown_wrong_locked_and_disabled_take_the_same_time(store: Store) {
    let a = accounts_with_analyst(store.clone()).await;
    a.add_user(
        "setup",
        &UserSpec {
            username: "off",
            display_name: "Off",
            agency: "PIU",
            roles: &[Role::Analyst],
            password: PASSWORD,
        },
    )
    .await
    .unwrap();
    a.set_disabled("setup", "off", true).await.unwrap();
    let fastest = |user: &'static str, password: &'static str, at: Timestamp| {
        let a = a.clone();
        async move {
            let mut times = Vec::new();
            for _ in 0..3 {
                let started = std::time::Instant::now();
                let r = a.sign_in(user, password, ANY, at).await.unwrap();
                assert_eq!(r.unwrap_err(), Refusal::WrongCredentials, "{user}");
                times.push(started.elapsed());
            }
            times.into_iter().min().unwrap()
        }
    };
    let wrong = fastest("ana", "wrong password!!", t0()).await;
    let unknown = fastest("nobody", PASSWORD, t0()).await;
    let disabled = fastest("off", PASSWORD, t0()).await;
    // Three failures counted above, two more: locked.
    for _ in 0..2 {
        a.sign_in("ana", "wrong password!!", ANY, t0())
            .await
            .unwrap()
            .unwrap_err();
    }
    let locked = fastest("ana", PASSWORD, t0() + SignedDuration::from_mins(1)).await;
    let times = [wrong, unknown, disabled, locked];
    eprintln!("fastest refusal of three: wrong, unknown, disabled, locked: {times:?}");
    let floor = Policy::default().refusal_floor;
    assert!(times.iter().all(|t| *t >= floor), "{times:?}");
    let spread = *times.iter().max().unwrap() - *times.iter().min().unwrap();
    assert!(
        spread < std::time::Duration::from_millis(100),
        "wrong, unknown, disabled, locked: {times:?}"
    );
}
}

store::engines! {
async fn tokens_expire_are_listed_revoked_one_by_one_and_end_with_a_new_password(store: Store) {
    let a = accounts_with_analyst(store.clone()).await;
    let batch = a
        .issue_token("setup", "ana", "batch", Some(30))
        .await
        .unwrap();
    let report = a.issue_token("setup", "ana", "report", None).await.unwrap();
    let now = jiff::Timestamp::now();
    assert!(a.bearer_at(&batch.token, now).await.unwrap().is_some());
    let in_31_days = now + SignedDuration::from_hours(24 * 31);
    assert!(
        a.bearer_at(&batch.token, in_31_days)
            .await
            .unwrap()
            .is_none(),
        "expired"
    );
    assert!(
        a.bearer_at(&report.token, in_31_days)
            .await
            .unwrap()
            .is_some(),
        "90 days by default"
    );
    assert!(
        a.issue_token("setup", "ana", "x", Some(400)).await.is_err(),
        "a year at most"
    );
    let listed = a.tokens("ana").await.unwrap();
    assert_eq!(
        listed.iter().map(|t| t.label.as_str()).collect::<Vec<_>>(),
        ["report", "batch"]
    );
    assert!(listed.iter().all(|t| t.revoked_at.is_none()));
    assert_eq!(a.revoke_token("admin", batch.id).await.unwrap(), "ana");
    assert!(a.bearer(&batch.token).await.unwrap().is_none(), "revoked");
    assert!(
        a.bearer(&report.token).await.unwrap().is_some(),
        "one by one"
    );
    assert!(matches!(
        a.revoke_token("admin", 999_999).await,
        Err(accounts::AccountsError::NoSuchToken(999_999))
    ));
    // A new password ends the sessions and revokes the tokens that are left.
    let s = a
        .sign_in("ana", PASSWORD, ANY, t0())
        .await
        .unwrap()
        .unwrap();
    a.set_password("admin", "ana", "a new long enough secret")
        .await
        .unwrap();
    assert!(a.bearer(&report.token).await.unwrap().is_none());
    assert!(a.session(&s.cookie, t0()).await.unwrap().is_none());
    let actions: Vec<String> = a
        .store()
        .audit_records(Some("user:ana"), 3)
        .await
        .unwrap()
        .into_iter()
        .map(|r| format!("{} {}", r.action, r.detail))
        .collect();
    assert_eq!(
        actions[0],
        "user.password_set sessions ended, tokens revoked=1"
    );
}
}
