//! Who may do what in Passage: local users of an agency with roles, argon2id passwords, sessions
//! (idle timeout, absolute end, a CSRF token each), lock-out after repeated failures, and bearer
//! tokens for machine clients (with an expiry, listed and revoked one by one). Every sign-in,
//! lock and sign-out is audited; refusals that say nothing about an account (unknown user,
//! locked, disabled, too long, too many) are counted and audited together at most once a
//! minute. Password checks run on blocking threads, one at a time per account, within a
//! per-source rate.
//!
//! Nothing here knows HTTP: the server turns cookies and headers into calls on [`Accounts`].
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

mod role;
mod secret;
mod throttle;

use std::sync::Arc;

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use store::{AuditEntry, NewUser, SessionRow, Store, StoreError, TokenRow, UserRow};

pub use role::{Role, format_roles, parse_roles, roles_refused};
pub use secret::{hash_password, random_token, same, token_hash, verify_password};
pub use throttle::{Reason, Source};

/// What can go wrong; never carries a password or a token.
#[derive(Debug, thiserror::Error)]
pub enum AccountsError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error("no random bytes: {0}")]
    Random(String),
    #[error("{0}")]
    Invalid(String),
    #[error("user name {0} is taken")]
    Taken(String),
    #[error("no such user: {0}")]
    NoSuchUser(String),
    #[error("no such token: {0}")]
    NoSuchToken(i64),
    #[error("{0} unavailable")]
    Unavailable(&'static str),
}

/// Why a sign-in was refused, as the person signing in may learn it: unknown user, wrong
/// password, locked and disabled account all get `WrongCredentials` after the same work; only
/// too many attempts from one source are told apart (it says nothing about an account).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    WrongCredentials,
    /// Too many attempts from this source: try again after this many seconds.
    RateLimited {
        retry_after: u64,
    },
}

/// The rules of sign-in.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Consecutive failures that lock an account.
    pub max_failures: i64,
    pub lockout: SignedDuration,
    /// A session unused this long ends.
    pub idle: SignedDuration,
    /// A session ends this long after sign-in, however active.
    pub absolute: SignedDuration,
    /// Shortest password accepted.
    pub min_password: usize,
    /// Longest password accepted, in bytes: refused before any hashing, at sign-in and when
    /// set (argon2 of megabytes is a denial of service).
    pub max_password_bytes: usize,
    /// Sign-in attempts a source may make at once, and the time to earn one more.
    pub sign_in_burst: u32,
    pub sign_in_refill: std::time::Duration,
    /// A refused sign-in is answered no sooner than this after it began: the paths that
    /// write (a wrong password is counted) and those that do not (unknown, locked, disabled)
    /// take the same time seen from outside.
    pub refusal_floor: std::time::Duration,
    /// Days a bearer token lives by default, and at most.
    pub token_days: i64,
    pub max_token_days: i64,
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            max_failures: 5,
            lockout: SignedDuration::from_mins(15),
            idle: SignedDuration::from_mins(30),
            absolute: SignedDuration::from_hours(12),
            min_password: 12,
            max_password_bytes: 1024,
            sign_in_burst: 10,
            sign_in_refill: std::time::Duration::from_secs(6),
            refusal_floor: std::time::Duration::from_millis(250),
            token_days: 90,
            max_token_days: 366,
        }
    }
}

/// Who is acting: a signed-in person or a machine client with a bearer token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Principal {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub agency: String,
    pub roles: Vec<Role>,
    /// The session's CSRF token; `None` for a bearer token (no cookie, nothing to forge).
    #[serde(skip)]
    pub csrf: Option<String>,
}

impl Principal {
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }

    pub fn has_any(&self, roles: &[Role]) -> bool {
        roles.iter().any(|r| self.has(*r))
    }

    fn of(u: &UserRow, csrf: Option<String>) -> Principal {
        Principal {
            user_id: u.id,
            username: u.username.clone(),
            display_name: u.display_name.clone(),
            agency: u.agency.clone(),
            roles: parse_roles(&u.roles),
            csrf,
        }
    }
}

/// A session just opened: the cookie value goes to the browser, nowhere else.
#[derive(Debug)]
pub struct SignedIn {
    pub cookie: String,
    pub principal: Principal,
}

/// Users, sessions and tokens over the store.
#[derive(Debug, Clone)]
pub struct Accounts {
    store: Store,
    policy: Policy,
    /// Verified against when the user is unknown, locked or disabled, so that the answer takes
    /// as long as for a wrong password.
    decoy: Arc<str>,
    throttle: Arc<throttle::Throttle>,
}

/// A bearer token just issued: its id (to list and revoke it) and the secret, shown once.
#[derive(Debug)]
pub struct Issued {
    pub id: i64,
    pub token: String,
    pub expires_at: Timestamp,
}

/// UTC to the second, in the one form the store compares as text.
pub fn utc_seconds(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// A user to add.
#[derive(Debug, Clone)]
pub struct UserSpec<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub agency: &'a str,
    pub roles: &'a [Role],
    pub password: &'a str,
}

impl Accounts {
    pub fn new(store: Store, policy: Policy) -> Result<Accounts, AccountsError> {
        let decoy = hash_password(&random_token()?)?.into();
        let throttle = Arc::new(throttle::Throttle::new(
            policy.sign_in_burst,
            policy.sign_in_refill,
        ));
        Ok(Accounts {
            store,
            policy,
            decoy,
            throttle,
        })
    }

    /// Sign-in refusals since start, by reason (for metrics; no names).
    pub fn refusals(&self) -> Vec<(Reason, u64)> {
        self.throttle.totals()
    }

    /// An argon2id hash, made on a blocking thread.
    async fn hash(&self, password: &str) -> Result<String, AccountsError> {
        let password = password.to_string();
        self.throttle
            .hashing(move || hash_password(&password))
            .await?
    }

    /// Whether `password` matches `phc`, checked on a blocking thread.
    async fn verify(&self, password: &str, phc: &str) -> Result<bool, AccountsError> {
        let (password, phc) = (password.to_string(), phc.to_string());
        self.throttle
            .hashing(move || verify_password(&password, &phc))
            .await
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Adds a user (and their agency when new), audited as done by `actor`. An approving
    /// authority holds no other role (it is not part of the unit); the unit's own agencies
    /// are refused for it when its requests are decided.
    pub async fn add_user(&self, actor: &str, spec: &UserSpec<'_>) -> Result<i64, AccountsError> {
        let valid_name = !spec.username.is_empty()
            && spec.username.len() <= 64
            && spec
                .username
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b));
        if !valid_name {
            return Err(AccountsError::Invalid(
                "a user name is 1 to 64 letters, digits, dots, dashes or underscores".into(),
            ));
        }
        check_roles(spec.roles)?;
        self.check_password(spec.password)?;
        let agency = spec.agency.trim().to_ascii_uppercase();
        if agency.is_empty() {
            return Err(AccountsError::Invalid("a user belongs to an agency".into()));
        }
        let hash = self.hash(spec.password).await?;
        let roles = format_roles(spec.roles);
        let new_agency = self
            .store
            .agencies()
            .await?
            .iter()
            .all(|a| a.code != agency);
        let mut tx = self.store.begin().await?;
        if new_agency {
            tx.put_agency(&agency, &agency).await?;
        }
        let id = tx
            .add_user(&NewUser {
                username: spec.username,
                display_name: spec.display_name,
                agency: &agency,
                roles: &roles,
                password_hash: &hash,
            })
            .await?
            .ok_or_else(|| AccountsError::Taken(spec.username.to_string()))?;
        let detail = format!("agency={agency} roles={roles}");
        user_event(&mut tx, actor, "user.added", spec.username, &detail).await?;
        tx.commit().await?;
        Ok(id)
    }

    fn check_password(&self, password: &str) -> Result<(), AccountsError> {
        if password.len() > self.policy.max_password_bytes {
            return Err(AccountsError::Invalid(format!(
                "a password has at most {} bytes",
                self.policy.max_password_bytes
            )));
        }
        if password.chars().count() < self.policy.min_password {
            return Err(AccountsError::Invalid(format!(
                "a password has at least {} characters",
                self.policy.min_password
            )));
        }
        Ok(())
    }

    /// Sets a new password; the user's sessions end and their bearer tokens are revoked
    /// (whoever knew the old password may have made one).
    pub async fn set_password(
        &self,
        actor: &str,
        username: &str,
        password: &str,
    ) -> Result<(), AccountsError> {
        self.check_password(password)?;
        let user = self.user(username).await?;
        let hash = self.hash(password).await?;
        let mut tx = self.store.begin().await?;
        tx.set_password(user.id, &hash).await?;
        tx.end_sessions_of(user.id).await?;
        let revoked = tx.revoke_tokens_of(user.id).await?;
        let detail = format!("sessions ended, tokens revoked={revoked}");
        user_event(&mut tx, actor, "user.password_set", username, &detail).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Replaces a user's roles, audited.
    pub async fn set_roles(
        &self,
        actor: &str,
        username: &str,
        roles: &[Role],
    ) -> Result<(), AccountsError> {
        check_roles(roles)?;
        let user = self.user(username).await?;
        let roles = format_roles(roles);
        let mut tx = self.store.begin().await?;
        tx.set_roles(user.id, &roles).await?;
        user_event(
            &mut tx,
            actor,
            "user.roles_set",
            username,
            &format!("roles={roles}"),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Disables or enables a user; disabling ends their sessions and tokens.
    pub async fn set_disabled(
        &self,
        actor: &str,
        username: &str,
        disabled: bool,
    ) -> Result<(), AccountsError> {
        let user = self.user(username).await?;
        let mut tx = self.store.begin().await?;
        tx.set_disabled(user.id, disabled).await?;
        let action = if disabled {
            "user.disabled"
        } else {
            "user.enabled"
        };
        user_event(&mut tx, actor, action, username, "").await?;
        tx.commit().await?;
        Ok(())
    }

    async fn user(&self, username: &str) -> Result<UserRow, AccountsError> {
        self.store
            .user_named(username)
            .await?
            .ok_or_else(|| AccountsError::NoSuchUser(username.to_string()))
    }

    /// Checks a password and opens a session. See [`Accounts::authenticate`] for the checks.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        source: Source,
        now: Timestamp,
    ) -> Result<Result<SignedIn, Refusal>, AccountsError> {
        let mut user = match self.authenticate(username, password, source, now).await? {
            Ok(user) => user,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let cookie = random_token()?;
        let csrf = random_token()?;
        let at = now.to_string();
        let mut tx = self.store.begin().await?;
        tx.put_session(&SessionRow {
            token_hash: token_hash(&cookie),
            user_id: user.user_id,
            csrf: csrf.clone(),
            created_at: at.clone(),
            last_seen: at,
            expires_at: now
                .checked_add(self.policy.absolute)
                .unwrap_or(now)
                .to_string(),
        })
        .await?;
        user_event(
            &mut tx,
            &user.username,
            "session.signed_in",
            &user.username,
            "",
        )
        .await?;
        tx.commit().await?;
        user.csrf = Some(csrf);
        Ok(Ok(SignedIn {
            cookie,
            principal: user,
        }))
    }

    /// Checks a user's password (the command line acts as a user this way, without a
    /// session). Attempts are limited per source; a password longer than the policy allows
    /// is refused before hashing; one check at a time per account, each seeing the failures
    /// counted before it; a failure is counted and the lock decided in one statement, and a
    /// success only clears an account that is enabled and not locked at that moment. Unknown
    /// users, wrong passwords, locked and disabled accounts get the same answer after the
    /// same argon2 work.
    pub async fn authenticate(
        &self,
        username: &str,
        password: &str,
        source: Source,
        now: Timestamp,
    ) -> Result<Result<Principal, Refusal>, AccountsError> {
        let started = tokio::time::Instant::now();
        let outcome = self.check(username, password, source, now).await?;
        if outcome == Err(Refusal::WrongCredentials) {
            // After the account's turn is over: waiting here holds up no other check.
            tokio::time::sleep_until(started + self.policy.refusal_floor).await;
        }
        Ok(outcome)
    }

    async fn check(
        &self,
        username: &str,
        password: &str,
        source: Source,
        now: Timestamp,
    ) -> Result<Result<Principal, Refusal>, AccountsError> {
        if let Err(retry_after) = self.throttle.attempt(source) {
            self.refused(Reason::RateLimited, now).await?;
            return Ok(Err(Refusal::RateLimited { retry_after }));
        }
        if password.len() > self.policy.max_password_bytes {
            self.refused(Reason::TooLong, now).await?;
            return Ok(Err(Refusal::WrongCredentials));
        }
        let Some(found) = self.store.user_named(username).await? else {
            self.verify(password, &self.decoy).await?;
            self.refused(Reason::UnknownUser, now).await?;
            return Ok(Err(Refusal::WrongCredentials));
        };
        let _turn = self.throttle.turn(found.id).await?;
        // Read again in this account's turn: the check before may have locked it.
        let Some(user) = self.store.user(found.id).await? else {
            self.verify(password, &self.decoy).await?;
            self.refused(Reason::UnknownUser, now).await?;
            return Ok(Err(Refusal::WrongCredentials));
        };
        if locked_until(&user, now).is_some() {
            self.verify(password, &self.decoy).await?;
            self.refused(Reason::Locked, now).await?;
            return Ok(Err(Refusal::WrongCredentials));
        }
        let right = self.verify(password, &user.password_hash).await?;
        if user.disabled {
            self.refused(Reason::Disabled, now).await?;
            return Ok(Err(Refusal::WrongCredentials));
        }
        let subject = format!("user:{}", user.username);
        if !right {
            self.throttle.count(Reason::WrongPassword);
            let until = utc_seconds(now.checked_add(self.policy.lockout).unwrap_or(now));
            let mut tx = self.store.begin().await?;
            let (failures, locked) = tx
                .login_failed(user.id, self.policy.max_failures, &until)
                .await?;
            tx.audit(&AuditEntry {
                actor: "anonymous",
                action: if locked {
                    "session.locked"
                } else {
                    "session.sign_in_failed"
                },
                subject: &subject,
                purpose: None,
                detail: &format!("consecutive failures={failures}"),
            })
            .await?;
            tx.commit().await?;
            return Ok(Err(Refusal::WrongCredentials));
        }
        let mut tx = self.store.begin().await?;
        if !tx.login_succeeded(user.id, &utc_seconds(now)).await? {
            // Locked or disabled since it was read (by another process): refused all the same.
            drop(tx);
            self.refused(Reason::Locked, now).await?;
            return Ok(Err(Refusal::WrongCredentials));
        }
        tx.commit().await?;
        Ok(Ok(Principal::of(&user, None)))
    }

    /// Counts a refusal that is not audited one by one; writes the aggregated record when due.
    async fn refused(&self, reason: Reason, now: Timestamp) -> Result<(), AccountsError> {
        self.throttle.count(reason);
        let Some(counts) = self.throttle.aggregate(reason, now)? else {
            return Ok(());
        };
        let detail = counts
            .iter()
            .map(|(r, n)| format!("{}={n}", r.as_str()))
            .collect::<Vec<_>>()
            .join(" ");
        self.store
            .audit(&AuditEntry {
                actor: "anonymous",
                action: "session.sign_in_failed",
                subject: "users:anonymous",
                purpose: None,
                detail: &format!("refusals since the last record: {detail}"),
            })
            .await?;
        Ok(())
    }

    /// The person behind a session cookie, if the session is alive; marks it used.
    pub async fn session(
        &self,
        cookie: &str,
        now: Timestamp,
    ) -> Result<Option<Principal>, AccountsError> {
        let hash = token_hash(cookie);
        let Some(s) = self.store.session(&hash).await? else {
            return Ok(None);
        };
        let expired = parse(&s.expires_at).is_none_or(|t| t <= now);
        let last = parse(&s.last_seen);
        let idle = last.is_none_or(|t| now.duration_since(t) >= self.policy.idle);
        let user = self.store.user(s.user_id).await?;
        let Some(user) = user.filter(|u| !u.disabled) else {
            return Ok(None);
        };
        if expired || idle {
            let mut tx = self.store.begin().await?;
            tx.end_session(&hash).await?;
            let detail = if expired { "absolute end" } else { "idle" };
            user_event(
                &mut tx,
                &user.username,
                "session.expired",
                &user.username,
                detail,
            )
            .await?;
            tx.commit().await?;
            return Ok(None);
        }
        // One write a minute per session at most: reading a page must not queue behind intake.
        if last.is_some_and(|t| now.duration_since(t) >= SignedDuration::from_secs(60)) {
            let mut tx = self.store.begin().await?;
            tx.touch_session(&hash, &now.to_string()).await?;
            tx.commit().await?;
        }
        Ok(Some(Principal::of(&user, Some(s.csrf))))
    }

    /// Ends a session.
    pub async fn sign_out(&self, cookie: &str) -> Result<(), AccountsError> {
        let hash = token_hash(cookie);
        let Some(s) = self.store.session(&hash).await? else {
            return Ok(());
        };
        let name = self
            .store
            .user(s.user_id)
            .await?
            .map(|u| u.username)
            .unwrap_or_default();
        let mut tx = self.store.begin().await?;
        tx.end_session(&hash).await?;
        user_event(&mut tx, &name, "session.signed_out", &name, "").await?;
        tx.commit().await?;
        Ok(())
    }

    /// A new bearer token for a user, living `days` (the policy's default when `None`); shown
    /// once, only its hash is kept.
    pub async fn issue_token(
        &self,
        actor: &str,
        username: &str,
        label: &str,
        days: Option<i64>,
    ) -> Result<Issued, AccountsError> {
        let days = days.unwrap_or(self.policy.token_days);
        if !(1..=self.policy.max_token_days).contains(&days) {
            return Err(AccountsError::Invalid(format!(
                "a token lives 1 to {} days",
                self.policy.max_token_days
            )));
        }
        let user = self.user(username).await?;
        if user.disabled {
            return Err(AccountsError::Invalid("the user is disabled".into()));
        }
        let token = random_token()?;
        let now = Timestamp::now();
        let expires_at = now
            .checked_add(SignedDuration::from_hours(24 * days))
            .map_err(|e| AccountsError::Invalid(e.to_string()))?;
        let mut tx = self.store.begin().await?;
        let id = tx
            .put_api_token(
                &token_hash(&token),
                user.id,
                label,
                &utc_seconds(expires_at),
            )
            .await?;
        user_event(
            &mut tx,
            actor,
            "token.issued",
            username,
            &format!("token={id} label={label} days={days}"),
        )
        .await?;
        tx.commit().await?;
        Ok(Issued {
            id,
            token,
            expires_at,
        })
    }

    /// A user's tokens, newest first, without their secrets.
    pub async fn tokens(&self, username: &str) -> Result<Vec<TokenRow>, AccountsError> {
        let user = self.user(username).await?;
        Ok(self.store.api_tokens(user.id).await?)
    }

    /// Revokes one token by its id, audited; the user it belonged to.
    pub async fn revoke_token(&self, actor: &str, id: i64) -> Result<String, AccountsError> {
        let mut tx = self.store.begin().await?;
        let Some(username) = tx.revoke_token(id).await? else {
            return Err(AccountsError::NoSuchToken(id));
        };
        user_event(
            &mut tx,
            actor,
            "token.revoked",
            &username,
            &format!("token={id}"),
        )
        .await?;
        tx.commit().await?;
        Ok(username)
    }

    /// The user behind a bearer token that is neither revoked nor expired, whose account is
    /// enabled.
    pub async fn bearer(&self, token: &str) -> Result<Option<Principal>, AccountsError> {
        self.bearer_at(token, Timestamp::now()).await
    }

    /// [`Accounts::bearer`] at a given time.
    pub async fn bearer_at(
        &self,
        token: &str,
        now: Timestamp,
    ) -> Result<Option<Principal>, AccountsError> {
        let Some(id) = self
            .store
            .token_user(&token_hash(token), &utc_seconds(now))
            .await?
        else {
            return Ok(None);
        };
        Ok(self
            .store
            .user(id)
            .await?
            .filter(|u| !u.disabled)
            .map(|u| Principal::of(&u, None)))
    }
}

fn parse(s: &str) -> Option<Timestamp> {
    s.parse().ok()
}

fn locked_until(user: &UserRow, now: Timestamp) -> Option<Timestamp> {
    user.locked_until
        .as_deref()
        .and_then(parse)
        .filter(|t| *t > now)
}

/// The audit record of something done to or by a user, in the transaction that does it.
async fn user_event(
    tx: &mut store::Tx,
    actor: &str,
    action: &str,
    username: &str,
    detail: &str,
) -> Result<(), StoreError> {
    tx.audit(&AuditEntry {
        actor,
        action,
        subject: &format!("user:{username}"),
        purpose: None,
        detail,
    })
    .await?;
    Ok(())
}

/// Refuses roles a user may not hold together.
fn check_roles(roles: &[Role]) -> Result<(), AccountsError> {
    match roles_refused(roles) {
        Some(reason) => Err(AccountsError::Invalid(reason.into())),
        None => Ok(()),
    }
}
