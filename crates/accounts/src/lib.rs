//! Who may do what in Passage: local users of an agency with roles, argon2id passwords, sessions
//! (idle timeout, absolute end, a CSRF token each), lock-out after repeated failures, and bearer
//! tokens for machine clients. Every sign-in, failure, lock and sign-out is audited.
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

use jiff::{SignedDuration, Timestamp};
use serde::Serialize;
use store::{AuditEntry, NewUser, SessionRow, Store, StoreError, UserRow};

pub use role::{Role, format_roles, parse_roles};
pub use secret::{hash_password, random_token, same, token_hash, verify_password};

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
}

/// Why a sign-in was refused. The first two look alike to the person signing in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Unknown user, wrong password or disabled account: the same answer for all three.
    WrongCredentials,
    /// Too many failures; tried again after this time.
    Locked { until: Timestamp },
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
}

impl Default for Policy {
    fn default() -> Policy {
        Policy {
            max_failures: 5,
            lockout: SignedDuration::from_mins(15),
            idle: SignedDuration::from_mins(30),
            absolute: SignedDuration::from_hours(12),
            min_password: 12,
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
    /// Verified against when the user is unknown, so that the answer takes as long.
    decoy: String,
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
        let decoy = hash_password(&random_token()?)?;
        Ok(Accounts {
            store,
            policy,
            decoy,
        })
    }

    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Adds a user (and their agency when new), audited as done by `actor`.
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
        if spec.roles.is_empty() {
            return Err(AccountsError::Invalid("a user needs a role".into()));
        }
        self.check_password(spec.password)?;
        let agency = spec.agency.trim().to_ascii_uppercase();
        if agency.is_empty() {
            return Err(AccountsError::Invalid("a user belongs to an agency".into()));
        }
        let hash = hash_password(spec.password)?;
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
        if password.chars().count() < self.policy.min_password {
            return Err(AccountsError::Invalid(format!(
                "a password has at least {} characters",
                self.policy.min_password
            )));
        }
        Ok(())
    }

    /// Sets a new password; the user's sessions end.
    pub async fn set_password(
        &self,
        actor: &str,
        username: &str,
        password: &str,
    ) -> Result<(), AccountsError> {
        self.check_password(password)?;
        let user = self.user(username).await?;
        let hash = hash_password(password)?;
        let mut tx = self.store.begin().await?;
        tx.set_password(user.id, &hash).await?;
        tx.end_sessions_of(user.id).await?;
        user_event(&mut tx, actor, "user.password_set", username, "").await?;
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
        if roles.is_empty() {
            return Err(AccountsError::Invalid("a user needs a role".into()));
        }
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

    /// Checks a password and opens a session. Failures are counted and audited; the account
    /// locks after `max_failures` in a row.
    pub async fn sign_in(
        &self,
        username: &str,
        password: &str,
        now: Timestamp,
    ) -> Result<Result<SignedIn, Refusal>, AccountsError> {
        let Some(user) = self.store.user_named(username).await? else {
            verify_password(password, &self.decoy);
            self.store
                .audit(&AuditEntry {
                    actor: "anonymous",
                    action: "session.sign_in_failed",
                    subject: "user:unknown",
                    purpose: None,
                    detail: "unknown user name",
                })
                .await?;
            return Ok(Err(Refusal::WrongCredentials));
        };
        let subject = format!("user:{}", user.username);
        if let Some(until) = locked_until(&user, now) {
            self.store
                .audit(&AuditEntry {
                    actor: "anonymous",
                    action: "session.sign_in_failed",
                    subject: &subject,
                    purpose: None,
                    detail: "account locked",
                })
                .await?;
            return Ok(Err(Refusal::Locked { until }));
        }
        if user.disabled || !verify_password(password, &user.password_hash) {
            let failures = user.failed_logins + 1;
            let lock = (failures >= self.policy.max_failures)
                .then(|| now.checked_add(self.policy.lockout).unwrap_or(now));
            let mut tx = self.store.begin().await?;
            tx.login_failed(user.id, lock.map(|t| t.to_string()).as_deref())
                .await?;
            tx.audit(&AuditEntry {
                actor: "anonymous",
                action: if lock.is_some() {
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
            return Ok(Err(match lock {
                Some(until) => Refusal::Locked { until },
                None => Refusal::WrongCredentials,
            }));
        }
        let cookie = random_token()?;
        let csrf = random_token()?;
        let at = now.to_string();
        let mut tx = self.store.begin().await?;
        tx.login_succeeded(user.id).await?;
        tx.put_session(&SessionRow {
            token_hash: token_hash(&cookie),
            user_id: user.id,
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
        Ok(Ok(SignedIn {
            cookie,
            principal: Principal::of(&user, Some(csrf)),
        }))
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

    /// A new bearer token for a user (shown once; only its hash is kept).
    pub async fn issue_token(
        &self,
        actor: &str,
        username: &str,
        label: &str,
    ) -> Result<String, AccountsError> {
        let user = self.user(username).await?;
        let token = random_token()?;
        let mut tx = self.store.begin().await?;
        tx.put_api_token(&token_hash(&token), user.id, label)
            .await?;
        user_event(
            &mut tx,
            actor,
            "token.issued",
            username,
            &format!("label={label}"),
        )
        .await?;
        tx.commit().await?;
        Ok(token)
    }

    /// The user behind a bearer token that is not revoked, whose account is enabled.
    pub async fn bearer(&self, token: &str) -> Result<Option<Principal>, AccountsError> {
        let Some(id) = self.store.token_user(&token_hash(token)).await? else {
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
