//! Pre-determined targeting criteria (Directive (EU) 2016/681 Art. 6(3)(b), 6(4); CJEU C-817/19).
//!
//! Analysts write criteria in a small language over a documented [field catalogue](catalogue);
//! the [checker](check) refuses unknown fields, type errors and anything that refers to a
//! special category of personal data or a proxy of one ([`protected`]); a criterion compiles
//! once and evaluates many times, with an [`Explanation`] of every condition; a
//! [`CriteriaSet`] adds the weights of the criteria a traveller matches. The [`lifecycle`]
//! holds the four-eyes approval rules. The crate is pure: no storage, HTTP or message formats.
//! The language and the catalogue are documented for analysts in `docs/criteria.md`.
//!
//! ```
//! use targeting::{Criterion, Subject};
//! let rule = Criterion::compile("booking.lead_time_hours < 24 and payment.cash", 10.0).unwrap();
//! let outcome = rule.evaluate(&Subject::default());
//! assert!(!outcome.matched); // nothing known: neither true nor false
//! ```
//!
//! # Why a purpose-made language and not CEL
//!
//! CEL through the `cel` crate (0.15.0, the version that resolves offline here) was evaluated
//! and not chosen:
//!
//! - **No type checking.** The Rust `cel` crate interprets dynamically; it has no checker
//!   against declared variables. A criterion with a misspelt field or a string compared with a
//!   number would be accepted and then be silently false (or an error) on every traveller.
//!   Refusing it when the analyst writes it, with the position, is the requirement.
//! - **Positions and our own refusals.** Refusing protected attributes and their proxies
//!   (meal codes in any string, words like "halal", name patterns, nationality as the sole
//!   ground) needs a walk over a syntax tree with exact spans. `cel` exposes offsets per node id
//!   but its tree is built for its own interpreter; we would write the checker anyway.
//! - **Too much power.** CEL has macros (`exists`, `map`, `filter`), maps, arbitrary functions
//!   and dynamic values. Criteria need comparisons, `and`/`or`/`not`, lists, a few string
//!   tests, durations. Less to read, less to review, less to go wrong in front of a DPO.
//! - **Explanations.** Each condition must be shown with the traveller's value and its truth
//!   (`booking.lead_time_hours = 5 < 24 ✓`); a purpose-made tree gives that directly, with
//!   three-valued logic for absent data instead of CEL's "no such key" errors.
//! - **Weight.** `cel` 0.15 pulls 70 packages (an ANTLR runtime, `chrono` and `chrono-tz`
//!   beside our `jiff`, `regex`, `nom`); the own lexer and parser are about 600 lines (plus
//!   tests) with no dependency.
//! - **Speed.** `dependencies.md` lists `cel` at about 0.6 µs per compiled rule (not measured
//!   again here): 1,000 rules would take ~600 µs per traveller against a budget of 50 µs. Here
//!   the fields are computed once per traveller, each distinct condition once per set, and each
//!   criterion is a walk over the results (see `bench/RESULTS.md`, section Targeting).
//!
//! `zen-expression` has the same gaps (untyped, no spans to our rules); `rhai` is a full
//! scripting language and `evalexpr` is AGPL (both rejected in `dependencies.md`).
//!
//! # Nationality and other personal characteristics
//!
//! The Directive forbids criteria based on race or ethnic origin, political opinions, religion
//! or philosophical beliefs, trade-union membership, health, sexual life or orientation
//! (Art. 6(4)); these and their proxies are refused outright. Nationality is not in that list
//! and is an Annex I item (API data, item 18), but the Court requires criteria to be specific,
//! reliable and non-discriminatory (C-817/19, about paras 194–201, with the Charter's Art. 21,
//! which names nationality, sex and age among the grounds of discrimination). So nationality,
//! the document's issuing State, sex, age (and date of birth, minor, age band) and names are
//! *restricted*: a criterion may use them only together (`and`) with a condition on another
//! field, on every path by which the criterion can be true. `traveller.nationality == "XXA"`
//! alone, or `… or traveller.nationality == "XXA"`, is refused (`not-specific`);
//! `traveller.nationality == "XXA" and booking.lead_time_hours < 12` is accepted. Names may
//! only be compared whole (`==`, `in`); patterns over names (`starts_with`, `contains`) are
//! refused as proxies for ethnic origin or religion (`name-pattern`).
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub mod catalogue;
pub mod check;
mod eval;
pub mod lifecycle;
pub mod protected;
pub mod stored;
pub mod subject;
pub mod syntax;
pub mod value;

pub use catalogue::{Field, Restriction};
pub use check::{CheckError, Problem, Rule};
pub use eval::{
    Assessment, Compiled, CriteriaSet, Criterion, Explanation, Hit, MAX_WEIGHT, Outcome, Step,
    Truth,
};
pub use lifecycle::{Action, Actor, Lifecycle, LifecycleError, Role, State, Version};
pub use stored::StoredExplanation;
pub use subject::Subject;
pub use value::{Type, Value};
