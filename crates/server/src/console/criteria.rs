//! Targeting criteria: every criterion with its versions, states and statistics; one version
//! with its events and the lifecycle's buttons (four eyes enforced by the lifecycle, refusals
//! shown); the editor with live checking (problems with line, column and rule as one types)
//! and a back-test over a period. A version is never edited: saving makes a new draft.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State as Shared};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect};
use serde::Deserialize;
use store::{CriterionEventRow, CriterionStats, CriterionVersionRow};
use targeting::{CheckError, Criterion};

use super::{Chrome, PageError, PageResult, html};
use crate::State;
use crate::access::Who;
use crate::criteria::{NewDraft, draft, move_version, run_backtest};
use crate::roles::CRITERIA_WRITE;

#[derive(Debug)]
pub(crate) struct VersionLine {
    pub id: i64,
    pub number: i64,
    pub state: String,
    pub weight: String,
    pub author: String,
    pub approved_by: String,
    pub review_by: String,
    pub updated: String,
    pub stats: CriterionStats,
}

fn short_time(at: &str) -> String {
    at.chars().take(16).collect::<String>().replace('T', " ")
}

fn version_line(v: &CriterionVersionRow, stats: &HashMap<i64, CriterionStats>) -> VersionLine {
    VersionLine {
        id: v.id,
        number: v.number,
        state: v.state.clone(),
        weight: format!("{}", v.weight),
        author: v.author.clone(),
        approved_by: v.approved_by.clone().unwrap_or_default(),
        review_by: v.review_by.clone(),
        updated: short_time(&v.updated_at),
        stats: stats.get(&v.id).cloned().unwrap_or_default(),
    }
}

#[derive(Debug)]
pub(crate) struct CriterionSection {
    pub criterion: String,
    pub versions: Vec<VersionLine>,
}

#[derive(Template)]
#[template(path = "criteria.html")]
struct CriteriaPage {
    c: Chrome,
    criteria: Vec<CriterionSection>,
    can_write: bool,
}

async fn stats_by_version(state: &State) -> Result<HashMap<i64, CriterionStats>, PageError> {
    Ok(state
        .store
        .criterion_stats(None)
        .await?
        .into_iter()
        .map(|s| (s.version_id, s))
        .collect())
}

pub(crate) async fn list(Shared(state): Shared<Arc<State>>, who: Who) -> PageResult {
    let versions = state.store.criterion_versions(None).await?;
    let stats = stats_by_version(&state).await?;
    let mut by: BTreeMap<String, Vec<VersionLine>> = BTreeMap::new();
    for v in &versions {
        by.entry(v.criterion.clone())
            .or_default()
            .push(version_line(v, &stats));
    }
    Ok(html(&CriteriaPage {
        c: Chrome::new(&who, "nav.criteria", "/criteria", false),
        criteria: by
            .into_iter()
            .map(|(criterion, mut versions)| {
                versions.reverse();
                CriterionSection {
                    criterion,
                    versions,
                }
            })
            .collect(),
        can_write: who.principal.has_any(CRITERIA_WRITE),
    }))
}

/// One problem of the checker, with the line it is on and a caret under its column.
#[derive(Debug)]
pub(crate) struct ProblemLine {
    pub line: usize,
    pub column: usize,
    pub rule: String,
    pub message: String,
    pub source: String,
    pub caret: String,
}

/// What the checker said of a text: fine (its canonical form and fields), or its problems.
#[derive(Debug, Default)]
pub(crate) struct Checked {
    pub ok: bool,
    pub canonical: String,
    pub fields: Vec<&'static str>,
    pub problems: Vec<ProblemLine>,
}

fn problems(text: &str, e: &CheckError) -> Vec<ProblemLine> {
    e.problems
        .iter()
        .map(|p| ProblemLine {
            line: p.line,
            column: p.column,
            rule: p.rule.to_string(),
            message: p.message.clone(),
            source: text
                .lines()
                .nth(p.line.saturating_sub(1))
                .unwrap_or("")
                .to_string(),
            caret: format!("{}^", " ".repeat(p.column.saturating_sub(1).min(500))),
        })
        .collect()
}

/// Runs the checker, as the JSON API's check does.
pub(crate) fn check(text: &str, weight: f64) -> Checked {
    if text.trim().is_empty() {
        return Checked::default();
    }
    match Criterion::compile(text, weight) {
        Ok(c) => Checked {
            ok: true,
            canonical: c.text().to_string(),
            fields: c.fields().map(|f| f.name).collect(),
            problems: Vec::new(),
        },
        Err(e) => Checked {
            ok: false,
            problems: problems(text, &e),
            ..Checked::default()
        },
    }
}

#[derive(Template)]
#[template(path = "criterion_check.html")]
struct CheckFragment {
    c: Chrome,
    checked: Checked,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct CheckForm {
    #[serde(default)]
    text: String,
    weight: Option<String>,
}

fn weight_of(s: Option<&str>) -> Option<f64> {
    s.and_then(|w| w.trim().parse::<f64>().ok())
        .filter(|w| w.is_finite() && *w > 0.0)
}

/// The editor's live check: a fragment with the problems, for htmx to put under the text.
pub(crate) async fn live_check(who: Who, Form(f): Form<CheckForm>) -> PageResult {
    Ok(html(&CheckFragment {
        c: Chrome::new(&who, "nav.criteria", "/criteria/new", false),
        checked: check(&f.text, weight_of(f.weight.as_deref()).unwrap_or(1.0)),
    }))
}

/// What the editor's fields hold.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct DraftForm {
    #[serde(default)]
    pub criterion: String,
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub weight: String,
    #[serde(default)]
    pub justification: String,
    #[serde(default)]
    pub review_by: String,
}

#[derive(Template)]
#[template(path = "criterion_edit.html")]
struct EditorPage {
    c: Chrome,
    form: DraftForm,
    /// The version revised, if any.
    revises: Option<CriterionVersionRow>,
    checked: Checked,
    error: Option<String>,
    backtest: BacktestForm,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct NewQuery {
    /// A version to revise: the editor starts from its text.
    from: Option<i64>,
}

fn in_a_year(state: &State) -> String {
    let today = jiff::tz::TimeZone::UTC
        .to_datetime(state.intake.now())
        .date();
    today
        .checked_add(jiff::Span::new().years(1))
        .unwrap_or(today)
        .to_string()
}

/// The back-test period offered: the last 30 days up to the intake's today and the next 2.
fn default_period(state: &State) -> BacktestForm {
    let today = jiff::tz::TimeZone::UTC
        .to_datetime(state.intake.now())
        .date();
    BacktestForm {
        text: String::new(),
        from: today
            .checked_sub(jiff::Span::new().days(30))
            .unwrap_or(today)
            .to_string(),
        to: today
            .checked_add(jiff::Span::new().days(2))
            .unwrap_or(today)
            .to_string(),
    }
}

pub(crate) async fn new_form(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Query(q): Query<NewQuery>,
) -> PageResult {
    let revises = match q.from {
        Some(id) => Some(
            state
                .store
                .criterion_version(id)
                .await?
                .ok_or(PageError::NotFound)?,
        ),
        None => None,
    };
    let form = match &revises {
        Some(v) => DraftForm {
            criterion: v.criterion.clone(),
            text: v.text.clone(),
            weight: format!("{}", v.weight),
            justification: v.justification.clone(),
            review_by: in_a_year(&state),
        },
        None => DraftForm {
            weight: "10".into(),
            review_by: in_a_year(&state),
            ..DraftForm::default()
        },
    };
    let checked = check(&form.text, weight_of(Some(&form.weight)).unwrap_or(1.0));
    Ok(html(&EditorPage {
        c: Chrome::new(&who, "nav.criteria", "/criteria/new", false),
        form,
        revises,
        checked,
        error: None,
        backtest: default_period(&state),
    }))
}

/// Saves the editor's text as a new draft version (through the API's own path).
pub(crate) async fn create(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Form(f): Form<DraftForm>,
) -> PageResult {
    let refuse = |form: DraftForm, checked: Checked, error: Option<String>| {
        let page = html(&EditorPage {
            c: Chrome::new(&who, "nav.criteria", "/criteria/new", false),
            form,
            revises: None,
            checked,
            error,
            backtest: default_period(&state),
        });
        Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
    };
    let t = &super::ENGLISH;
    let criterion = f.criterion.trim().to_string();
    if criterion.is_empty() || criterion.chars().count() > 64 {
        let checked = check(&f.text, 1.0);
        return refuse(f, checked, Some(t.get("criteria.name_needed").into()));
    }
    let Some(weight) = weight_of(Some(&f.weight)) else {
        let checked = check(&f.text, 1.0);
        return refuse(f, checked, Some(t.get("criteria.weight_needed").into()));
    };
    let review_by = match f.review_by.trim() {
        "" => None,
        d => match d.parse() {
            Ok(d) => Some(d),
            Err(_) => {
                let checked = check(&f.text, weight);
                return refuse(f, checked, Some(t.get("criteria.date_needed").into()));
            }
        },
    };
    let d = NewDraft {
        criterion,
        text: f.text.clone(),
        weight,
        justification: f.justification.trim().to_string(),
        review_by,
    };
    match draft(&state, &who, &d).await {
        Ok(Ok(v)) => Ok(Redirect::to(&format!("/criteria/{}?done=drafted", v.id)).into_response()),
        Ok(Err(e)) => {
            let checked = Checked {
                ok: false,
                problems: problems(&f.text, &e),
                ..Checked::default()
            };
            refuse(f, checked, Some(t.get("criteria.refused").into()))
        }
        Err(e) => {
            let checked = check(&f.text, weight);
            refuse(f, checked, Some(e.message().to_string()))
        }
    }
}

#[derive(Debug)]
pub(crate) struct EventLine {
    pub at: String,
    pub action: String,
    pub actor: String,
    pub role: String,
    pub from: String,
    pub to: String,
    pub note: String,
}

impl From<&CriterionEventRow> for EventLine {
    fn from(e: &CriterionEventRow) -> EventLine {
        EventLine {
            at: short_time(&e.at),
            action: e.action.clone(),
            actor: e.actor.clone(),
            role: e.role.clone(),
            from: e.from_state.clone().unwrap_or_default(),
            to: e.to_state.clone(),
            note: e.note.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "criterion.html")]
struct VersionPage {
    c: Chrome,
    v: CriterionVersionRow,
    stats: CriterionStats,
    events: Vec<EventLine>,
    others: Vec<VersionLine>,
    /// The moves offered: action, catalogue key of its button, whether it undoes or ends.
    actions: Vec<(&'static str, &'static str, bool)>,
    can_write: bool,
    done: Option<String>,
    error: Option<String>,
    backtest: BacktestForm,
}

/// The moves the lifecycle allows from a state; who may make them it decides when asked.
fn actions(state: &str) -> Vec<(&'static str, &'static str, bool)> {
    const SUBMIT: (&str, &str, bool) = ("submit", "criteria.submit", false);
    const APPROVE: (&str, &str, bool) = ("approve", "criteria.approve", false);
    const REJECT: (&str, &str, bool) = ("reject", "criteria.reject", true);
    const WITHDRAW: (&str, &str, bool) = ("withdraw", "criteria.withdraw", true);
    const ACTIVATE: (&str, &str, bool) = ("activate", "criteria.activate", false);
    const RETIRE: (&str, &str, bool) = ("retire", "criteria.retire", true);
    match state {
        "draft" => vec![SUBMIT],
        "submitted" => vec![APPROVE, REJECT, WITHDRAW],
        "approved" => vec![ACTIVATE, RETIRE],
        "active" => vec![RETIRE],
        _ => Vec::new(),
    }
}

async fn version_page(
    state: &State,
    who: &Who,
    id: i64,
    done: Option<String>,
    error: Option<String>,
) -> PageResult {
    let store = &state.store;
    let v = store
        .criterion_version(id)
        .await?
        .ok_or(PageError::NotFound)?;
    let events = store.criterion_events(id).await?;
    let stats = stats_by_version(state).await?;
    let others = store
        .criterion_versions(Some(&v.criterion))
        .await?
        .iter()
        .rev()
        .map(|o| version_line(o, &stats))
        .collect();
    let can_write = who.principal.has_any(CRITERIA_WRITE);
    let mut backtest = default_period(state);
    backtest.text = v.text.clone();
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = html(&VersionPage {
        c: Chrome::new(who, "nav.criteria", &format!("/criteria/{id}"), false),
        stats: stats.get(&id).cloned().unwrap_or_default(),
        events: events.iter().map(EventLine::from).collect(),
        others,
        actions: if can_write {
            actions(&v.state)
        } else {
            Vec::new()
        },
        v,
        can_write,
        done,
        error,
        backtest,
    });
    Ok((status, page).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DoneQuery {
    done: Option<String>,
}

/// The catalogue key saying what was just done.
fn done_key(done: &str) -> Option<&'static str> {
    Some(match done {
        "drafted" => "criteria.done_drafted",
        "submit" => "criteria.done_submit",
        "withdraw" => "criteria.done_withdraw",
        "approve" => "criteria.done_approve",
        "reject" => "criteria.done_reject",
        "activate" => "criteria.done_activate",
        "retire" => "criteria.done_retire",
        _ => return None,
    })
}

pub(crate) async fn version(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Path(id): Path<i64>,
    Query(q): Query<DoneQuery>,
) -> PageResult {
    let done = q
        .done
        .as_deref()
        .and_then(done_key)
        .map(|k| super::ENGLISH.get(k).to_string());
    version_page(&state, &who, id, done, None).await
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ActionForm {
    #[serde(default)]
    note: String,
}

/// A lifecycle move from the version page, through the API's own path; a refusal (four eyes,
/// a missing role, a wrong state) is shown on the page.
pub(crate) async fn act(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Path((id, action)): Path<(i64, String)>,
    Form(f): Form<ActionForm>,
) -> PageResult {
    let note: String = f.note.trim().chars().take(500).collect();
    match move_version(&state, &who, id, &action, &note).await {
        Ok(_) => Ok(Redirect::to(&format!("/criteria/{id}?done={action}")).into_response()),
        Err(e) if e.status() == StatusCode::NOT_FOUND => Err(PageError::NotFound),
        Err(e) => version_page(&state, &who, id, None, Some(e.message().to_string())).await,
    }
}

/// A back-test asked for: the text and the period (the editor's fields come along).
#[derive(Debug, Default, Deserialize)]
pub(crate) struct BacktestForm {
    #[serde(default)]
    pub text: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
}

#[derive(Debug)]
pub(crate) struct SampleLine {
    pub flight: String,
    pub locator: String,
    pub traveller: String,
    pub steps: Vec<String>,
}

#[derive(Template)]
#[template(path = "criterion_backtest.html")]
struct BacktestFragment {
    c: Chrome,
    report: Option<intake::criteria::BacktestReport>,
    sample: Vec<SampleLine>,
    checked: Checked,
    error: Option<String>,
}

/// The back-test: a fragment with what the text would have hit over the period, and a sample
/// with explanations. Answered with 200 even when refused: htmx leaves error answers unswapped.
pub(crate) async fn backtest(
    Shared(state): Shared<Arc<State>>,
    who: Who,
    Form(f): Form<BacktestForm>,
) -> PageResult {
    let fragment = |report: Option<intake::criteria::BacktestReport>,
                    checked: Checked,
                    error: Option<String>| {
        let sample = report
            .iter()
            .flat_map(|r| r.sample.iter())
            .map(|h| SampleLine {
                flight: h.flight.clone(),
                locator: h.locator.clone(),
                traveller: h.traveller.clone(),
                steps: h.explanation.steps.iter().map(|s| s.to_string()).collect(),
            })
            .collect();
        Ok(html(&BacktestFragment {
            c: Chrome::new(&who, "nav.criteria", "/criteria", false),
            report,
            sample,
            checked,
            error,
        }))
    };
    let t = &super::ENGLISH;
    let (Ok(from), Ok(to)) = (
        f.from.trim().parse::<jiff::civil::Date>(),
        f.to.trim().parse::<jiff::civil::Date>(),
    ) else {
        return fragment(
            None,
            Checked::default(),
            Some(t.get("criteria.period_needed").into()),
        );
    };
    if from > to || (to - from).get_days() > 366 {
        return fragment(
            None,
            Checked::default(),
            Some(t.get("criteria.period_needed").into()),
        );
    }
    match run_backtest(&state, &who, &f.text, from, to).await {
        Ok(Ok(report)) => fragment(Some(report), Checked::default(), None),
        Ok(Err(e)) => fragment(
            None,
            Checked {
                ok: false,
                problems: problems(&f.text, &e),
                ..Checked::default()
            },
            Some(t.get("criteria.refused").into()),
        ),
        Err(e) => fragment(None, Checked::default(), Some(e.message().to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_problem_points_at_its_line_and_column() {
        let text = "payment.cash and\n ssr.code == \"MOML\"";
        let c = check(text, 1.0);
        assert!(!c.ok);
        let p = &c.problems[0];
        assert_eq!((p.line, p.column), (2, 2));
        assert_eq!(p.rule, "protected-field");
        assert_eq!(p.source, " ssr.code == \"MOML\"");
        assert_eq!(p.caret, " ^");
        let ok = check("payment.cash", 1.0);
        assert!(ok.ok, "{:?}", ok.problems);
        assert_eq!(ok.fields, ["payment.cash"]);
        assert!(!check("  ", 1.0).ok);
        assert!(check("  ", 1.0).problems.is_empty());
    }
}
