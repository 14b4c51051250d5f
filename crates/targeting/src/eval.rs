//! Compiled criteria and their evaluation: once per criterion the text is checked and compiled;
//! for each subject the fields the criteria use are computed once, then every criterion is a
//! walk over a small tree of typed tests with no allocation. Explanations are built only for
//! what is shown (a single evaluation, or the hits of a set).

use std::collections::HashMap;
use std::fmt;

use serde::Serialize;

use crate::catalogue::{self, Field};
use crate::check::{self, CheckError, Node, Op, Problem, Rule, Test};
use crate::subject::Subject;
use crate::syntax::{CmpOp, Expr, Span};
use crate::value::Value;

/// Three-valued truth: a condition over a field the subject does not have is `Unknown`.
/// `and` is false if any side is false, `or` true if any side is true, `not unknown` is
/// unknown; a criterion matches only when it is `True`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Truth {
    True,
    False,
    Unknown,
}

impl Truth {
    fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }

    fn from(b: bool) -> Truth {
        if b { Truth::True } else { Truth::False }
    }

    pub fn mark(self) -> &'static str {
        match self {
            Truth::True => "✓",
            Truth::False => "✗",
            Truth::Unknown => "?",
        }
    }
}

/// Entry point of the language.
#[derive(Debug)]
pub struct Criterion;

/// The largest weight a criterion can carry.
pub const MAX_WEIGHT: f64 = 1000.0;

impl Criterion {
    /// Checks `text` against the language, the field catalogue and the protected attributes,
    /// and compiles it with its `weight` (added to a subject's score when it matches).
    pub fn compile(text: &str, weight: f64) -> Result<Compiled, CheckError> {
        let weight_ok = weight.is_finite() && weight > 0.0 && weight <= MAX_WEIGHT;
        let checked = check::check(text);
        if !weight_ok {
            let mut problems = checked.err().map(|e| e.problems).unwrap_or_default();
            problems.push(Problem {
                rule: Rule::Weight,
                message: format!("the weight must be more than 0 and at most {MAX_WEIGHT}"),
                span: Span::new(0, 0),
                line: 1,
                column: 1,
                category: None,
            });
            return Err(CheckError { problems });
        }
        let checked = checked?;
        let mut used = FieldSet::default();
        collect(&checked.program, &mut used);
        Ok(Compiled {
            canonical: checked.expr.to_string(),
            expr: checked.expr,
            program: checked.program,
            weight,
            used,
        })
    }
}

/// A checked, compiled criterion. Evaluation never fails.
#[derive(Debug, Clone)]
pub struct Compiled {
    expr: Expr,
    canonical: String,
    program: Node,
    weight: f64,
    used: FieldSet,
}

/// What one criterion says about one subject.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Outcome {
    pub matched: bool,
    pub truth: Truth,
    /// The weight when matched, else 0.
    pub score: f64,
    pub explanation: Explanation,
}

/// Every condition of a criterion with the subject's value and its truth, in text order.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Explanation {
    pub steps: Vec<Step>,
}

/// One condition: `booking.lead_time_hours = 5 < 24 ✓`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    pub field: &'static str,
    /// The subject's value, as text (`absent` when unknown).
    pub value: String,
    /// The test, as written canonically (`< 24`); empty for a bare yes/no field.
    pub test: String,
    pub truth: Truth,
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {}", self.field, self.value)?;
        if !self.test.is_empty() {
            write!(f, " {}", self.test)?;
        }
        write!(f, " {}", self.truth.mark())
    }
}

impl Explanation {
    /// The conditions that held.
    pub fn held(&self) -> impl Iterator<Item = &Step> {
        self.steps.iter().filter(|s| s.truth == Truth::True)
    }
}

impl fmt::Display for Explanation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.steps.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{s}")?;
        }
        Ok(())
    }
}

impl Compiled {
    /// The criterion in canonical form (what is stored, shown and reviewed).
    pub fn text(&self) -> &str {
        &self.canonical
    }

    /// The syntax tree.
    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    pub fn weight(&self) -> f64 {
        self.weight
    }

    /// The catalogue fields the criterion reads.
    pub fn fields(&self) -> impl Iterator<Item = &'static Field> + '_ {
        catalogue::fields()
            .iter()
            .enumerate()
            .filter(|(i, _)| self.used.has(*i))
            .map(|(_, f)| f)
    }

    /// Evaluates the criterion for one subject, with its explanation.
    pub fn evaluate(&self, subject: &Subject) -> Outcome {
        let facts = Facts::of(subject, &self.used);
        let truth = eval(&self.program, &facts);
        self.outcome(truth, &facts)
    }

    fn outcome(&self, truth: Truth, facts: &Facts<'_>) -> Outcome {
        let matched = truth == Truth::True;
        let mut explanation = Explanation::default();
        explain(&self.program, facts, &mut explanation.steps);
        Outcome {
            matched,
            truth,
            score: if matched { self.weight } else { 0.0 },
            explanation,
        }
    }
}

/// Many active criteria, evaluated together. Each field is computed once per subject, and each
/// distinct condition once, however many criteria share it (`payment.cash` may stand in hundreds):
/// the set keeps the distinct tests, and each criterion becomes a tree over their results.
#[derive(Debug, Clone, Default)]
pub struct CriteriaSet {
    criteria: Vec<(String, Compiled)>,
    plans: Vec<Plan>,
    tests: Vec<Test>,
    index: HashMap<String, u32>,
    used: FieldSet,
}

/// A criterion over the results of the set's distinct tests.
#[derive(Debug, Clone)]
enum Plan {
    /// A conjunction of tests, the common case.
    All(Box<[u32]>),
    And(Box<[Plan]>),
    Or(Box<[Plan]>),
    Not(Box<Plan>),
    Const(bool),
    Ref(u32),
}

/// One criterion that matched a subject.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub id: String,
    pub weight: f64,
    pub explanation: Explanation,
}

/// What a set of criteria says about one subject: the sum of the weights of the criteria that
/// matched, and each of them with its explanation. It is a reason for a person to look, never a
/// decision (Directive 2016/681 Art. 6(5), 7(6)).
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Assessment {
    pub score: f64,
    pub hits: Vec<Hit>,
}

impl CriteriaSet {
    pub fn new() -> CriteriaSet {
        CriteriaSet::default()
    }

    /// Adds a compiled criterion under an id (e.g. `criterion-id@version`).
    pub fn insert(&mut self, id: impl Into<String>, compiled: Compiled) {
        self.used.union(&compiled.used);
        let plan = self.plan(&compiled.program);
        self.plans.push(plan);
        self.criteria.push((id.into(), compiled));
    }

    fn plan(&mut self, node: &Node) -> Plan {
        match node {
            Node::And(items) => {
                let refs: Vec<u32> = items
                    .iter()
                    .filter_map(|n| match n {
                        Node::Test(t) => Some(self.intern(t)),
                        _ => None,
                    })
                    .collect();
                if refs.len() == items.len() {
                    Plan::All(refs.into_boxed_slice())
                } else {
                    Plan::And(items.iter().map(|n| self.plan(n)).collect())
                }
            }
            Node::Or(items) => Plan::Or(items.iter().map(|n| self.plan(n)).collect()),
            Node::Not(n) => Plan::Not(Box::new(self.plan(n))),
            Node::Const(b) => Plan::Const(*b),
            Node::Test(t) => Plan::Ref(self.intern(t)),
        }
    }

    fn intern(&mut self, test: &Test) -> u32 {
        let key = format!("{}|{:?}", test.field, test.op);
        if let Some(i) = self.index.get(&key) {
            return *i;
        }
        let i = u32::try_from(self.tests.len()).unwrap_or(u32::MAX);
        self.tests.push(test.clone());
        self.index.insert(key, i);
        i
    }

    pub fn len(&self) -> usize {
        self.criteria.len()
    }

    pub fn is_empty(&self) -> bool {
        self.criteria.is_empty()
    }

    /// Number of distinct conditions across the criteria.
    pub fn distinct_tests(&self) -> usize {
        self.tests.len()
    }

    /// The results of every distinct test for one subject.
    fn results<'a>(&self, facts: &Facts<'a>) -> Vec<Truth> {
        self.tests.iter().map(|t| test(t, facts)).collect()
    }

    /// Evaluates every criterion for one subject; explains the ones that matched.
    pub fn evaluate(&self, subject: &Subject) -> Assessment {
        let facts = Facts::of(subject, &self.used);
        let results = self.results(&facts);
        let mut assessment = Assessment::default();
        for ((id, c), plan) in self.criteria.iter().zip(&self.plans) {
            if run(plan, &results) == Truth::True {
                assessment.score += c.weight;
                let mut explanation = Explanation::default();
                explain(&c.program, &facts, &mut explanation.steps);
                assessment.hits.push(Hit {
                    id: id.clone(),
                    weight: c.weight,
                    explanation,
                });
            }
        }
        assessment
    }

    /// Counts the criteria that match, without explanations (for back-testing on history).
    pub fn count_matches(&self, subject: &Subject) -> usize {
        let facts = Facts::of(subject, &self.used);
        let results = self.results(&facts);
        self.plans
            .iter()
            .filter(|p| run(p, &results) == Truth::True)
            .count()
    }
}

fn run(plan: &Plan, results: &[Truth]) -> Truth {
    // The plans index the tests they were compiled with: an index past them is a bug, read as
    // "unknown" (never true) in release.
    let at = |i: &u32| {
        results.get(*i as usize).copied().unwrap_or_else(|| {
            invariant::never!("criteria plan refers to test {i} of {}", results.len());
            Truth::Unknown
        })
    };
    match plan {
        Plan::All(refs) => {
            let mut out = Truth::True;
            for r in refs.iter() {
                match at(r) {
                    Truth::False => return Truth::False,
                    Truth::Unknown => out = Truth::Unknown,
                    Truth::True => {}
                }
            }
            out
        }
        Plan::And(items) => {
            let mut out = Truth::True;
            for p in items.iter() {
                match run(p, results) {
                    Truth::False => return Truth::False,
                    Truth::Unknown => out = Truth::Unknown,
                    Truth::True => {}
                }
            }
            out
        }
        Plan::Or(items) => {
            let mut out = Truth::False;
            for p in items.iter() {
                match run(p, results) {
                    Truth::True => return Truth::True,
                    Truth::Unknown => out = Truth::Unknown,
                    Truth::False => {}
                }
            }
            out
        }
        Plan::Not(p) => run(p, results).not(),
        Plan::Const(b) => Truth::from(*b),
        Plan::Ref(r) => at(r),
    }
}

/// Which catalogue fields are used (the catalogue has fewer than 128).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct FieldSet(u128);

impl FieldSet {
    fn add(&mut self, i: usize) {
        if i < 128 {
            self.0 |= 1 << i;
        }
    }

    fn has(&self, i: usize) -> bool {
        i < 128 && self.0 & (1 << i) != 0
    }

    fn union(&mut self, other: &FieldSet) {
        self.0 |= other.0;
    }
}

fn collect(node: &Node, used: &mut FieldSet) {
    match node {
        Node::And(items) | Node::Or(items) => items.iter().for_each(|n| collect(n, used)),
        Node::Not(n) => collect(n, used),
        Node::Const(_) => {}
        Node::Test(t) => {
            used.add(t.field);
            if let Op::Fields(_, other) = t.op {
                used.add(other);
            }
        }
    }
}

/// The values of the used fields for one subject.
struct Facts<'a> {
    values: Vec<Value<'a>>,
}

impl<'a> Facts<'a> {
    fn of(subject: &'a Subject, used: &FieldSet) -> Facts<'a> {
        let values = catalogue::fields()
            .iter()
            .enumerate()
            .map(|(i, f)| {
                if used.has(i) {
                    f.value(subject)
                } else {
                    Value::Absent
                }
            })
            .collect();
        Facts { values }
    }

    fn get(&self, i: usize) -> &Value<'a> {
        self.values.get(i).unwrap_or_else(|| {
            invariant::never!("criteria field {i} of {} facts", self.values.len());
            &Value::Absent
        })
    }
}

fn eval(node: &Node, facts: &Facts<'_>) -> Truth {
    match node {
        Node::And(items) => {
            let mut out = Truth::True;
            for n in items.iter() {
                match eval(n, facts) {
                    Truth::False => return Truth::False,
                    Truth::Unknown => out = Truth::Unknown,
                    Truth::True => {}
                }
            }
            out
        }
        Node::Or(items) => {
            let mut out = Truth::False;
            for n in items.iter() {
                match eval(n, facts) {
                    Truth::True => return Truth::True,
                    Truth::Unknown => out = Truth::Unknown,
                    Truth::False => {}
                }
            }
            out
        }
        Node::Not(n) => eval(n, facts).not(),
        Node::Const(b) => Truth::from(*b),
        Node::Test(t) => test(t, facts),
    }
}

fn explain(node: &Node, facts: &Facts<'_>, steps: &mut Vec<Step>) {
    match node {
        Node::And(items) | Node::Or(items) => items.iter().for_each(|n| explain(n, facts, steps)),
        Node::Not(n) => explain(n, facts, steps),
        Node::Const(_) => {}
        Node::Test(t) => {
            let value = facts.get(t.field);
            let field = catalogue::fields().get(t.field).map_or("?", |f| f.name);
            let test_text = match t.op {
                Op::Fields(_, other) => format!("{} (= {})", t.tail, facts.get(other)),
                _ => t.tail.to_string(),
            };
            steps.push(Step {
                field,
                value: value.to_string(),
                test: test_text,
                truth: test(t, facts),
            });
        }
    }
}

fn order<T: PartialOrd>(op: CmpOp, a: &T, b: &T) -> Option<bool> {
    Some(match op {
        CmpOp::Eq => a == b,
        CmpOp::Ne => a != b,
        CmpOp::Lt => a < b,
        CmpOp::Le => a <= b,
        CmpOp::Gt => a > b,
        CmpOp::Ge => a >= b,
        _ => return None,
    })
}

fn eq_ci(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b)
}

fn contains_ci(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    n.is_empty() || h.windows(n.len()).any(|w| w.eq_ignore_ascii_case(n))
}

fn test(t: &Test, facts: &Facts<'_>) -> Truth {
    let value = facts.get(t.field);
    if let Op::Present = t.op {
        return Truth::from(!value.is_absent());
    }
    let known = match (&t.op, value) {
        (_, Value::Absent) => None,
        (Op::IsTrue, Value::Bool(b)) => Some(*b),
        (Op::Bool(ne, want), Value::Bool(b)) => Some((b == want) != *ne),
        (Op::Num(op, x), v) => v.as_f64().and_then(|v| order(*op, &v, x)),
        (Op::NumIn(xs, negate), v) => v.as_f64().map(|v| xs.contains(&v) != *negate),
        (Op::Str(op, s), Value::Str(v)) => match op {
            CmpOp::Eq => Some(eq_ci(v, s)),
            CmpOp::Ne => Some(!eq_ci(v, s)),
            CmpOp::StartsWith => Some(
                v.len() >= s.len()
                    && v.as_bytes()
                        .get(..s.len())
                        .is_some_and(|p| p.eq_ignore_ascii_case(s.as_bytes())),
            ),
            CmpOp::EndsWith => Some(
                v.len() >= s.len()
                    && v.as_bytes()
                        .get(v.len() - s.len()..)
                        .is_some_and(|p| p.eq_ignore_ascii_case(s.as_bytes())),
            ),
            CmpOp::Contains => Some(contains_ci(v, s)),
            _ => None,
        },
        (Op::StrIn(xs, negate), Value::Str(v)) => Some(xs.iter().any(|x| eq_ci(v, x)) != *negate),
        (Op::ListContains(s), Value::List(items)) => Some(items.iter().any(|i| eq_ci(i, s))),
        (Op::ListIntersects(xs), Value::List(items)) => {
            Some(items.iter().any(|i| xs.iter().any(|x| eq_ci(i, x))))
        }
        (Op::Time(op, x), Value::DateTime(v)) => order(*op, v, x),
        (Op::Dur(op, x), Value::Duration(v)) => order(*op, v, x),
        (Op::Fields(op, other), v) => compare_values(*op, v, facts.get(*other)),
        _ => None,
    };
    known.map_or(Truth::Unknown, Truth::from)
}

fn compare_values(op: CmpOp, a: &Value<'_>, b: &Value<'_>) -> Option<bool> {
    match (a, b) {
        (Value::Str(a), Value::Str(b)) => match op {
            CmpOp::Eq => Some(eq_ci(a, b)),
            CmpOp::Ne => Some(!eq_ci(a, b)),
            _ => None,
        },
        (Value::Bool(a), Value::Bool(b)) => order(op, a, b),
        (Value::DateTime(a), Value::DateTime(b)) => order(op, a, b),
        (Value::Duration(a), Value::Duration(b)) => order(op, a, b),
        (a, b) => order(op, &a.as_f64()?, &b.as_f64()?),
    }
}
