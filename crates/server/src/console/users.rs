//! Users, for the administrator: who may sign in, their agency and roles, whether disabled or
//! locked out, their bearer tokens (never the secret); adding a user, changing roles,
//! disabling and enabling, setting a new password, revoking one token.
//! Every change goes through `accounts`, which audits it with the acting administrator.

use std::sync::Arc;

use accounts::{AccountsError, Role, UserSpec};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State as Shared};
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;

use super::{Chrome, PageError, PageResult, html};
use crate::State;
use crate::access::Who;

#[derive(Debug)]
pub(crate) struct UserLine {
    pub username: String,
    pub display_name: String,
    pub agency: String,
    /// Role names, as stored.
    pub roles: Vec<&'static str>,
    /// The catalogue keys of the roles.
    pub role_keys: Vec<&'static str>,
    pub disabled: bool,
    pub failed_logins: i64,
    pub locked_until: String,
    pub created_at: String,
    pub tokens: Vec<TokenLine>,
}

/// A bearer token as the administrator sees it.
#[derive(Debug)]
pub(crate) struct TokenLine {
    pub id: i64,
    pub label: String,
    pub created_at: String,
    pub expires_at: String,
    /// active, expired or revoked.
    pub state: &'static str,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    c: Chrome,
    users: Vec<UserLine>,
    /// Every role: name and catalogue key.
    roles: Vec<(&'static str, &'static str)>,
    done: Option<String>,
    error: Option<String>,
    /// What the add form held when it was refused, to fill it again.
    form: AddForm,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DoneQuery {
    done: Option<String>,
}

/// The catalogue key of a role's name.
pub(crate) fn role_key(r: &Role) -> &'static str {
    match r {
        Role::Analyst => "role.analyst",
        Role::Supervisor => "role.supervisor",
        Role::CarrierLiaison => "role.carrier_liaison",
        Role::DataProtectionOfficer => "role.dpo",
        Role::Administrator => "role.administrator",
        Role::ApprovingAuthority => "role.approving_authority",
    }
}

async fn page(
    state: &State,
    who: &Who,
    done: Option<String>,
    error: Option<String>,
    form: AddForm,
) -> PageResult {
    let now = jiff::Timestamp::now();
    let stamp = accounts::utc_seconds(now);
    let store = state.accounts.store();
    let mut tokens = std::collections::HashMap::new();
    let rows = store.users().await?;
    for u in &rows {
        let lines: Vec<TokenLine> = store
            .api_tokens(u.id)
            .await?
            .into_iter()
            .map(|t| TokenLine {
                state: match &t.revoked_at {
                    Some(_) => "revoked",
                    None if t.expires_at <= stamp => "expired",
                    None => "active",
                },
                id: t.id,
                label: t.label,
                created_at: t.created_at.chars().take(10).collect(),
                expires_at: t.expires_at.chars().take(10).collect(),
            })
            .collect();
        tokens.insert(u.id, lines);
    }
    let users = rows
        .into_iter()
        .map(|u| UserLine {
            tokens: tokens.remove(&u.id).unwrap_or_default(),
            roles: accounts::parse_roles(&u.roles)
                .iter()
                .map(|r| r.as_str())
                .collect(),
            role_keys: accounts::parse_roles(&u.roles)
                .iter()
                .map(role_key)
                .collect(),
            // A lock that has run out is no lock.
            locked_until: u
                .locked_until
                .filter(|l| l.parse::<jiff::Timestamp>().is_ok_and(|t| t > now))
                .map(|l| l.chars().take(16).collect::<String>().replace('T', " "))
                .unwrap_or_default(),
            username: u.username,
            display_name: u.display_name,
            agency: u.agency,
            disabled: u.disabled,
            failed_logins: u.failed_logins,
            created_at: u.created_at.chars().take(10).collect(),
        })
        .collect();
    Ok(html(&UsersPage {
        c: Chrome::new(who, "nav.users", "/users", false),
        users,
        roles: Role::ALL
            .iter()
            .map(|r| (r.as_str(), role_key(r)))
            .collect(),
        done,
        error,
        form,
    }))
}

/// What a change did, as a catalogue key for the notice after the redirect.
fn done_key(done: &str) -> Option<&'static str> {
    Some(match done {
        "added" => "users.done_added",
        "roles" => "users.done_roles",
        "disabled" => "users.done_disabled",
        "enabled" => "users.done_enabled",
        "password" => "users.done_password",
        "token_revoked" => "users.done_token_revoked",
        _ => return None,
    })
}

pub(crate) async fn list(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let done = q
        .done
        .as_deref()
        .and_then(done_key)
        .map(|k| super::ENGLISH.get(k).to_string());
    page(&state, &who, done, None, AddForm::default()).await
}

/// A form's fields in order; a field ticked several times (`role`) comes several times.
type Fields = Vec<(String, String)>;

fn value(fields: &Fields, name: &str) -> String {
    fields
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// The roles ticked in a form; unknown names grant nothing.
fn roles_of(fields: &Fields) -> Vec<Role> {
    let mut roles: Vec<Role> = fields
        .iter()
        .filter(|(k, _)| k == "role")
        .filter_map(|(_, v)| Role::parse(v))
        .collect();
    roles.sort();
    roles.dedup();
    roles
}

/// What the add form held, to fill it again after a refusal (never the password).
#[derive(Debug, Default)]
pub(crate) struct AddForm {
    pub username: String,
    pub display_name: String,
    pub agency: String,
    pub roles: Vec<Role>,
}

impl AddForm {
    /// Whether the form had this role ticked.
    pub fn has(&self, name: &str) -> bool {
        self.roles.iter().any(|r| r.as_str() == name)
    }
}

/// Why a change was refused, in words for the page; a store failure is the page's error.
fn refusal(e: AccountsError) -> Result<String, PageError> {
    match e {
        AccountsError::Invalid(m) => Ok(m),
        AccountsError::Taken(_) => Ok(super::ENGLISH.get("users.taken").to_string()),
        AccountsError::NoSuchUser(_) => Err(PageError::NotFound),
        other => {
            tracing::error!(error = %other, "accounts");
            Err(PageError::Store)
        }
    }
}

fn back(done: &str) -> PageResult {
    Ok(Redirect::to(&format!("/users?done={done}")).into_response())
}

pub(crate) async fn add(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Form(fields): Form<Fields>,
) -> PageResult {
    let form = AddForm {
        username: value(&fields, "username").trim().to_string(),
        display_name: value(&fields, "display_name").trim().to_string(),
        agency: value(&fields, "agency").trim().to_string(),
        roles: roles_of(&fields),
    };
    let password = value(&fields, "password");
    let spec = UserSpec {
        username: &form.username,
        display_name: match form.display_name.as_str() {
            "" => &form.username,
            d => d,
        },
        agency: &form.agency,
        roles: &form.roles,
        password: &password,
    };
    match state
        .accounts
        .add_user(&who.principal.username, &spec)
        .await
    {
        Ok(_) => back("added"),
        Err(e) => {
            let message = refusal(e)?;
            page(&state, &who, None, Some(message), form).await
        }
    }
}

pub(crate) async fn set_roles(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Path(username): Path<String>,
    Form(fields): Form<Fields>,
) -> PageResult {
    let roles = roles_of(&fields);
    // An administrator cannot take the role away from themselves: someone must keep it.
    if username == who.principal.username && !roles.contains(&Role::Administrator) {
        let e = super::ENGLISH.get("users.own_admin").to_string();
        return page(&state, &who, None, Some(e), AddForm::default()).await;
    }
    match state
        .accounts
        .set_roles(&who.principal.username, &username, &roles)
        .await
    {
        Ok(()) => back("roles"),
        Err(e) => {
            let message = refusal(e)?;
            page(&state, &who, None, Some(message), AddForm::default()).await
        }
    }
}

pub(crate) async fn disable(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Path(username): Path<String>,
) -> PageResult {
    if username == who.principal.username {
        let e = super::ENGLISH.get("users.own_disable").to_string();
        return page(&state, &who, None, Some(e), AddForm::default()).await;
    }
    match state
        .accounts
        .set_disabled(&who.principal.username, &username, true)
        .await
    {
        Ok(()) => back("disabled"),
        Err(e) => {
            let message = refusal(e)?;
            page(&state, &who, None, Some(message), AddForm::default()).await
        }
    }
}

pub(crate) async fn enable(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Path(username): Path<String>,
) -> PageResult {
    match state
        .accounts
        .set_disabled(&who.principal.username, &username, false)
        .await
    {
        Ok(()) => back("enabled"),
        Err(e) => {
            let message = refusal(e)?;
            page(&state, &who, None, Some(message), AddForm::default()).await
        }
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct PasswordForm {
    password: String,
}

pub(crate) async fn password(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Path(username): Path<String>,
    Form(f): Form<PasswordForm>,
) -> PageResult {
    match state
        .accounts
        .set_password(&who.principal.username, &username, &f.password)
        .await
    {
        Ok(()) => back("password"),
        Err(e) => {
            let message = refusal(e)?;
            page(&state, &who, None, Some(message), AddForm::default()).await
        }
    }
}

/// Revokes one of a user's tokens (a token of another user is not found here).
pub(crate) async fn revoke_token(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Path((username, id)): Path<(String, i64)>,
) -> PageResult {
    let theirs = match state.accounts.tokens(&username).await {
        Ok(tokens) => tokens.iter().any(|t| t.id == id),
        Err(e) => {
            let message = refusal(e)?;
            return page(&state, &who, None, Some(message), AddForm::default()).await;
        }
    };
    if !theirs {
        return Err(PageError::NotFound);
    }
    match state
        .accounts
        .revoke_token(&who.principal.username, id)
        .await
    {
        Ok(_) => back("token_revoked"),
        Err(accounts::AccountsError::NoSuchToken(_)) => Err(PageError::NotFound),
        Err(e) => {
            let message = refusal(e)?;
            page(&state, &who, None, Some(message), AddForm::default()).await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_ticked_role_is_read_and_unknown_ones_grant_nothing() {
        let fields: Fields = [
            ("csrf", "x"),
            ("role", "supervisor"),
            ("role", "analyst"),
            ("role", "root"),
            ("role", "analyst"),
        ]
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        assert_eq!(roles_of(&fields), vec![Role::Analyst, Role::Supervisor]);
        assert_eq!(value(&fields, "csrf"), "x");
        assert_eq!(value(&fields, "none"), "");
        for r in Role::ALL {
            assert!(super::super::ENGLISH.has(role_key(&r)));
        }
    }
}
