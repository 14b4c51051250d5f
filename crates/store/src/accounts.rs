//! Who may sign in: agencies, users (with an argon2 hash made elsewhere), sessions and bearer
//! tokens, both kept only as the SHA-256 of what the client holds. The rules (lock-out, idle
//! timeout, roles) live in the `accounts` crate; this module only keeps rows.

use serde::Serialize;

use crate::{Store, StoreError, Tx, now};

/// An agency users belong to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct AgencyRow {
    pub code: String,
    pub name: String,
}

/// A user to add.
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub agency: &'a str,
    /// Comma-separated role names.
    pub roles: &'a str,
    pub password_hash: &'a str,
}

/// A user as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct UserRow {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub agency: String,
    pub roles: String,
    #[serde(skip)]
    pub password_hash: String,
    pub failed_logins: i64,
    pub locked_until: Option<String>,
    pub disabled: bool,
    pub created_at: String,
}

/// A session as stored, with its user.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SessionRow {
    pub token_hash: String,
    pub user_id: i64,
    pub csrf: String,
    pub created_at: String,
    pub last_seen: String,
    pub expires_at: String,
}

/// A bearer token as listed: what it is for and when it ends, never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct TokenRow {
    pub id: i64,
    pub user_id: i64,
    pub label: String,
    pub created_at: String,
    pub expires_at: String,
    pub revoked_at: Option<String>,
}

const USER_COLUMNS: &str = "id, username, display_name, agency, roles, password_hash, \
     failed_logins, locked_until, disabled, created_at";

impl Tx {
    /// Adds an agency, or renames it.
    pub async fn put_agency(&mut self, code: &str, name: &str) -> Result<(), StoreError> {
        on!(self.conn()?, |db| sqlx::query(
            "INSERT INTO agencies (code, name, created_at) VALUES ($1, $2, $3)
             ON CONFLICT (code) DO UPDATE SET name = excluded.name",
        )
        .bind(code)
        .bind(name)
        .bind(now())
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Adds a user; `None` when the user name is taken.
    pub async fn add_user(&mut self, u: &NewUser<'_>) -> Result<Option<i64>, StoreError> {
        Ok(on!(self.conn()?, |db| sqlx::query_scalar(
            "INSERT INTO users (username, display_name, agency, roles, password_hash, created_at)
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (username) DO NOTHING RETURNING id",
        )
        .bind(u.username)
        .bind(u.display_name)
        .bind(u.agency)
        .bind(u.roles)
        .bind(u.password_hash)
        .bind(now())
        .fetch_optional(db)
        .await)?)
    }

    /// Replaces a user's password hash and lifts any lock-out.
    pub async fn set_password(&mut self, user_id: i64, hash: &str) -> Result<(), StoreError> {
        on!(self.conn()?, |db| {
            sqlx::query(
            "UPDATE users SET password_hash = $1, failed_logins = 0, locked_until = NULL WHERE id = $2",
        )
        .bind(hash)
        .bind(user_id)
        .execute(db)
.await.map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// Replaces a user's roles.
    pub async fn set_roles(&mut self, user_id: i64, roles: &str) -> Result<(), StoreError> {
        on!(self.conn()?, |db| sqlx::query(
            "UPDATE users SET roles = $1 WHERE id = $2"
        )
        .bind(roles)
        .bind(user_id)
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Disables (or enables) a user; disabling ends their sessions and revokes their tokens.
    pub async fn set_disabled(&mut self, user_id: i64, disabled: bool) -> Result<(), StoreError> {
        on!(self.conn()?, |db| sqlx::query(
            "UPDATE users SET disabled = $1 WHERE id = $2"
        )
        .bind(disabled)
        .bind(user_id)
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
        if disabled {
            self.end_sessions_of(user_id).await?;
            self.revoke_tokens_of(user_id).await?;
        }
        Ok(())
    }

    /// Counts a failed sign-in and decides the lock in the same statement, from the count
    /// the increment returns: concurrent failures cannot all read the same old count. The
    /// account locks until `lock_until` when this failure makes `max_failures` or more.
    /// Returns the consecutive failures so far and whether the account is now locked by it.
    pub async fn login_failed(
        &mut self,
        user_id: i64,
        max_failures: i64,
        lock_until: &str,
    ) -> Result<(i64, bool), StoreError> {
        let failures: i64 = on!(self.conn()?, |db| sqlx::query_scalar(
            "UPDATE users SET failed_logins = failed_logins + 1,
                 locked_until = CASE WHEN failed_logins + 1 >= $1 THEN $2 ELSE locked_until END
             WHERE id = $3 RETURNING failed_logins",
        )
        .bind(max_failures)
        .bind(lock_until)
        .bind(user_id)
        .fetch_one(db)
        .await)?;
        Ok((failures, failures >= max_failures))
    }

    /// A successful sign-in: failures forgotten, the lock lifted — only when the account is
    /// enabled and not locked at `now` (UTC, `YYYY-MM-DDTHH:MM:SSZ`), decided in the same
    /// statement, so that a lock set by a concurrent failure holds. False when refused.
    pub async fn login_succeeded(&mut self, user_id: i64, now: &str) -> Result<bool, StoreError> {
        let done = on!(self.conn()?, |db| sqlx::query(
            "UPDATE users SET failed_logins = 0, locked_until = NULL
             WHERE id = $1 AND disabled = FALSE AND (locked_until IS NULL OR locked_until <= $2)",
        )
        .bind(user_id)
        .bind(now)
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(done == 1)
    }

    pub async fn put_session(&mut self, s: &SessionRow) -> Result<(), StoreError> {
        on!(self.conn()?, |db| sqlx::query(
            "INSERT INTO sessions (token_hash, user_id, csrf, created_at, last_seen, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&s.token_hash)
        .bind(s.user_id)
        .bind(&s.csrf)
        .bind(&s.created_at)
        .bind(&s.last_seen)
        .bind(&s.expires_at)
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn touch_session(&mut self, token_hash: &str, at: &str) -> Result<(), StoreError> {
        on!(self.conn()?, |db| sqlx::query(
            "UPDATE sessions SET last_seen = $1 WHERE token_hash = $2"
        )
        .bind(at)
        .bind(token_hash)
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn end_session(&mut self, token_hash: &str) -> Result<(), StoreError> {
        on!(self.conn()?, |db| sqlx::query(
            "DELETE FROM sessions WHERE token_hash = $1"
        )
        .bind(token_hash)
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    pub async fn end_sessions_of(&mut self, user_id: i64) -> Result<(), StoreError> {
        on!(self.conn()?, |db| sqlx::query(
            "DELETE FROM sessions WHERE user_id = $1"
        )
        .bind(user_id)
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(())
    }

    /// Drops sessions past their absolute end or idle since `idle_before`.
    pub async fn end_stale_sessions(
        &mut self,
        now: &str,
        idle_before: &str,
    ) -> Result<u64, StoreError> {
        let r = on!(self.conn()?, |db| sqlx::query(
            "DELETE FROM sessions WHERE expires_at <= $1 OR last_seen < $2"
        )
        .bind(now)
        .bind(idle_before)
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(r)
    }

    /// Keeps a new bearer token (its hash) until `expires_at`; returns its id.
    pub async fn put_api_token(
        &mut self,
        token_hash: &str,
        user_id: i64,
        label: &str,
        expires_at: &str,
    ) -> Result<i64, StoreError> {
        Ok(on!(self.conn()?, |db| sqlx::query_scalar(
            "INSERT INTO api_tokens (token_hash, user_id, label, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(token_hash)
        .bind(user_id)
        .bind(label)
        .bind(now())
        .bind(expires_at)
        .fetch_one(db)
        .await)?)
    }

    /// Revokes one token; the name of the user it belonged to, `None` when there is no such
    /// token.
    pub async fn revoke_token(&mut self, id: i64) -> Result<Option<String>, StoreError> {
        let user: Option<i64> = on!(self.conn()?, |db| sqlx::query_scalar(
            "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2
             RETURNING user_id",
        )
        .bind(now())
        .bind(id)
        .fetch_optional(db)
        .await)?;
        let Some(user) = user else {
            return Ok(None);
        };
        Ok(on!(self.conn()?, |db| sqlx::query_scalar(
            "SELECT username FROM users WHERE id = $1"
        )
        .bind(user)
        .fetch_optional(db)
        .await)?)
    }

    /// Revokes every token of a user (a new password, a disabled account); how many.
    pub async fn revoke_tokens_of(&mut self, user_id: i64) -> Result<u64, StoreError> {
        let r = on!(self.conn()?, |db| sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(user_id)
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(r)
    }
}

impl Tx {
    /// Gives a list's hits to an agency (`None`: to the whole unit), audited by the caller.
    pub async fn set_list_owner(
        &mut self,
        list: &str,
        agency: Option<&str>,
        by: &str,
    ) -> Result<(), StoreError> {
        match agency {
            Some(agency) => {
                on!(self.conn()?, |db| sqlx::query(
                    "INSERT INTO list_owners (list, agency, set_by, set_at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (list) DO UPDATE SET agency = excluded.agency,
                         set_by = excluded.set_by, set_at = excluded.set_at",
                )
                .bind(list)
                .bind(agency)
                .bind(by)
                .bind(now())
                .execute(db)
                .await
                .map(|r| r.rows_affected()))?;
            }
            None => {
                on!(self.conn()?, |db| sqlx::query(
                    "DELETE FROM list_owners WHERE list = $1"
                )
                .bind(list)
                .execute(db)
                .await
                .map(|r| r.rows_affected()))?;
            }
        }
        Ok(())
    }
}

impl Store {
    /// Lists and the agency their hits go to.
    pub async fn list_owners(&self) -> Result<Vec<(String, String)>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Owner {
            list: String,
            agency: String,
        }
        let rows = on!(self.reader(), |db| sqlx::query_as::<_, Owner>(
            "SELECT list, agency FROM list_owners ORDER BY list"
        )
        .fetch_all(db)
        .await)?;
        Ok(rows.into_iter().map(|o| (o.list, o.agency)).collect())
    }

    pub async fn agencies(&self) -> Result<Vec<AgencyRow>, StoreError> {
        Ok(on!(self.reader(), |db| sqlx::query_as(
            "SELECT code, name FROM agencies ORDER BY code"
        )
        .fetch_all(db)
        .await)?)
    }

    pub async fn users(&self) -> Result<Vec<UserRow>, StoreError> {
        Ok(on!(self.reader(), |db| sqlx::query_as(
            sqlx::AssertSqlSafe(format!(
                "SELECT {USER_COLUMNS} FROM users ORDER BY username"
            ))
        )
        .fetch_all(db)
        .await)?)
    }

    pub async fn user_named(&self, username: &str) -> Result<Option<UserRow>, StoreError> {
        Ok(on!(self.reader(), |db| sqlx::query_as(
            sqlx::AssertSqlSafe(format!(
                "SELECT {USER_COLUMNS} FROM users WHERE username = $1"
            ))
        )
        .bind(username)
        .fetch_optional(db)
        .await)?)
    }

    pub async fn user(&self, id: i64) -> Result<Option<UserRow>, StoreError> {
        Ok(on!(self.reader(), |db| sqlx::query_as(
            sqlx::AssertSqlSafe(format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1"))
        )
        .bind(id)
        .fetch_optional(db)
        .await)?)
    }

    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>, StoreError> {
        Ok(on!(self.reader(), |db| sqlx::query_as(
            "SELECT token_hash, user_id, csrf, created_at, last_seen, expires_at
             FROM sessions WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(db)
        .await)?)
    }

    /// The user of a bearer token that is neither revoked nor expired at `now` (UTC,
    /// `YYYY-MM-DDTHH:MM:SSZ`).
    pub async fn token_user(&self, token_hash: &str, now: &str) -> Result<Option<i64>, StoreError> {
        Ok(on!(self.reader(), |db| sqlx::query_scalar(
            "SELECT user_id FROM api_tokens
             WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(db)
        .await)?)
    }

    /// A user's bearer tokens, newest first (never the secret: it is not kept).
    pub async fn api_tokens(&self, user_id: i64) -> Result<Vec<TokenRow>, StoreError> {
        Ok(on!(self.reader(), |db| sqlx::query_as(
            "SELECT id, user_id, label, created_at, expires_at, revoked_at FROM api_tokens
             WHERE user_id = $1 ORDER BY id DESC",
        )
        .bind(user_id)
        .fetch_all(db)
        .await)?)
    }
}
