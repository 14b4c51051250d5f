//! The life of a criterion, as data and rules (no storage, no clock): a version is drafted by an
//! analyst, submitted, approved by a *different* person with the supervisor role (four eyes),
//! activated, and eventually retired. A version's content (text, weight, justification, review
//! date) is never edited: a change is a new version ([`Version::revise`]), which goes through the
//! same approval. Directive 2016/681 Art. 6(4): criteria are set and regularly reviewed by the
//! unit; C-817/19: they must be explicit, reviewed, and never changed by a machine.

use std::fmt;

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::check::CheckError;
use crate::eval::{Compiled, Criterion};

/// The user's roles decide what a person may do with criteria: an analyst writes, submits and
/// withdraws them; a supervisor approves, rejects, activates and retires those written by
/// others. Other roles may do nothing here.
pub use model::Role;

/// A person acting on a criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Actor {
    pub id: String,
    pub roles: Vec<Role>,
}

impl Actor {
    pub fn new(id: impl Into<String>, roles: &[Role]) -> Actor {
        Actor {
            id: id.into(),
            roles: roles.to_vec(),
        }
    }

    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

/// Where a version stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Draft,
    Submitted,
    Approved,
    Active,
    /// Refused by a supervisor; a revision is a new version.
    Rejected,
    /// No longer in force; never comes back (a new version can).
    Retired,
}

impl State {
    pub fn name(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Submitted => "submitted",
            State::Approved => "approved",
            State::Active => "active",
            State::Rejected => "rejected",
            State::Retired => "retired",
        }
    }
}

impl fmt::Display for State {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What can be done to a version.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Submit,
    Withdraw,
    Approve,
    Reject,
    Activate,
    Retire,
}

impl Action {
    pub fn name(self) -> &'static str {
        match self {
            Action::Submit => "submit",
            Action::Withdraw => "withdraw",
            Action::Approve => "approve",
            Action::Reject => "reject",
            Action::Activate => "activate",
            Action::Retire => "retire",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a transition is refused.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LifecycleError {
    #[error("cannot {action} a version that is {state}")]
    NotAllowed { action: Action, state: State },
    #[error("the author cannot {action} their own criterion: a second person must (four eyes)")]
    OwnCriterion { action: Action },
    #[error("to {action} a criterion needs the {role:?} role")]
    MissingRole { action: Action, role: Role },
    #[error("only the author can {action} this version")]
    NotAuthor { action: Action },
    #[error("the criterion does not pass the checker:\n{0}")]
    Check(CheckError),
    #[error("the review date {review_by} has passed: revise the criterion (a new version)")]
    ReviewOverdue { review_by: Date },
    #[error("a criterion needs a justification (the cases it rests on)")]
    NoJustification,
}

/// The transition rules.
#[derive(Debug)]
pub struct Lifecycle;

impl Lifecycle {
    /// The state `action` by `actor` leads to, or why it is refused. Submitting and approving
    /// also run the checker on the text, so that nothing the checker refuses can become active.
    pub fn transition(
        version: &Version,
        action: Action,
        actor: &Actor,
    ) -> Result<State, LifecycleError> {
        use Action::*;
        use State::*;
        let is_author = actor.id == version.author;
        let next = match (version.state, action) {
            (Draft, Submit) => Submitted,
            (Submitted, Withdraw) => Draft,
            (Submitted, Approve) => Approved,
            (Submitted, Reject) => Rejected,
            (Approved, Activate) => Active,
            (Approved | Active, Retire) => Retired,
            (state, action) => return Err(LifecycleError::NotAllowed { action, state }),
        };
        match action {
            Submit | Withdraw if !is_author => return Err(LifecycleError::NotAuthor { action }),
            Approve | Reject | Activate | Retire if !actor.has(Role::Supervisor) => {
                return Err(LifecycleError::MissingRole {
                    action,
                    role: Role::Supervisor,
                });
            }
            Approve | Reject if is_author => return Err(LifecycleError::OwnCriterion { action }),
            _ => {}
        }
        if matches!(action, Submit | Approve) {
            if version.justification.trim().is_empty() {
                return Err(LifecycleError::NoJustification);
            }
            version.compile().map_err(LifecycleError::Check)?;
        }
        Ok(next)
    }
}

/// One thing that happened to a version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Event {
    pub action: Action,
    pub actor: String,
    pub on: Date,
    pub from: State,
    pub to: State,
}

/// One version of a criterion. Its content has no setters: [`Version::apply`] returns the
/// version in its new state (content unchanged, the event appended), [`Version::revise`] a new
/// version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Version {
    criterion: String,
    number: u32,
    text: String,
    weight: f64,
    justification: String,
    review_by: Date,
    author: String,
    state: State,
    approved_by: Option<String>,
    history: Vec<Event>,
}

impl Version {
    /// The first version of a new criterion, as a draft.
    pub fn draft(
        criterion: impl Into<String>,
        text: impl Into<String>,
        weight: f64,
        justification: impl Into<String>,
        review_by: Date,
        author: &Actor,
    ) -> Version {
        Version {
            criterion: criterion.into(),
            number: 1,
            text: text.into(),
            weight,
            justification: justification.into(),
            review_by,
            author: author.id.clone(),
            state: State::Draft,
            approved_by: None,
            history: Vec::new(),
        }
    }

    /// A new draft version with changed content; this version stays as it is.
    pub fn revise(
        &self,
        text: impl Into<String>,
        weight: f64,
        justification: impl Into<String>,
        review_by: Date,
        author: &Actor,
    ) -> Version {
        Version {
            criterion: self.criterion.clone(),
            number: self.number + 1,
            ..Version::draft(
                String::new(),
                text,
                weight,
                justification,
                review_by,
                author,
            )
        }
    }

    /// Applies an action on a day: the version in its new state, or why not. Activation also
    /// refuses a version whose review date has passed.
    pub fn apply(
        &self,
        action: Action,
        actor: &Actor,
        on: Date,
    ) -> Result<Version, LifecycleError> {
        let to = Lifecycle::transition(self, action, actor)?;
        if action == Action::Activate && self.review_by < on {
            return Err(LifecycleError::ReviewOverdue {
                review_by: self.review_by,
            });
        }
        let mut next = self.clone();
        next.state = to;
        if action == Action::Approve {
            next.approved_by = Some(actor.id.clone());
        }
        if action == Action::Withdraw {
            next.approved_by = None;
        }
        next.history.push(Event {
            action,
            actor: actor.id.clone(),
            on,
            from: self.state,
            to,
        });
        Ok(next)
    }

    /// Compiles the text with the weight.
    pub fn compile(&self) -> Result<Compiled, CheckError> {
        Criterion::compile(&self.text, self.weight)
    }

    /// Whether the review date has passed on `on` (the criterion should be revised).
    pub fn review_due(&self, on: Date) -> bool {
        self.review_by < on
    }

    pub fn criterion(&self) -> &str {
        &self.criterion
    }
    pub fn number(&self) -> u32 {
        self.number
    }
    pub fn text(&self) -> &str {
        &self.text
    }
    pub fn weight(&self) -> f64 {
        self.weight
    }
    pub fn justification(&self) -> &str {
        &self.justification
    }
    pub fn review_by(&self) -> Date {
        self.review_by
    }
    pub fn author(&self) -> &str {
        &self.author
    }
    pub fn state(&self) -> State {
        self.state
    }
    pub fn approved_by(&self) -> Option<&str> {
        self.approved_by.as_deref()
    }
    pub fn history(&self) -> &[Event] {
        &self.history
    }
}
