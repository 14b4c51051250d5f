//! The checker: resolves names against the catalogue, refuses protected attributes and their
//! proxies, checks types, enforces the restrictions of the catalogue, and turns the syntax tree
//! into the evaluable program. Every problem names its rule and points at the text.

use std::fmt;

use jiff::civil::DateTime;
use serde::Serialize;

use crate::catalogue::{self, Field, Restriction};
use crate::protected::{self, Category};
use crate::syntax::{self, CmpOp, Expr, ExprKind, Literal, Span};
use crate::value::Type;

/// The rule a problem breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Rule {
    /// The text is not a criterion.
    Syntax,
    /// The name is not in the field catalogue.
    UnknownField,
    /// The name asks for a special category of data or a proxy of one (`data/protected.csv`).
    ProtectedField,
    /// A string value is a code that reveals a special category (e.g. the meal code `MOML`).
    ProtectedCode,
    /// A string value contains a word that reveals a special category (e.g. `halal`).
    ProtectedWord,
    /// Operand types do not fit the operator.
    Type,
    /// A pattern (`contains`, `starts_with`, `ends_with`) over a name, a proxy for ethnic origin
    /// or religion.
    NamePattern,
    /// A restricted characteristic (nationality, sex, age, names, issuing State) could be the
    /// sole ground of a hit.
    NotSpecific,
    /// The criterion tests no field (it would hit everyone or no one).
    NoField,
    /// The weight is not a positive finite number of at most 1000.
    Weight,
}

impl Rule {
    pub fn code(self) -> &'static str {
        match self {
            Rule::Syntax => "syntax",
            Rule::UnknownField => "unknown-field",
            Rule::ProtectedField => "protected-field",
            Rule::ProtectedCode => "protected-code",
            Rule::ProtectedWord => "protected-word",
            Rule::Type => "type",
            Rule::NamePattern => "name-pattern",
            Rule::NotSpecific => "not-specific",
            Rule::NoField => "no-field",
            Rule::Weight => "weight",
        }
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// One reason a criterion is refused.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Problem {
    pub rule: Rule,
    pub message: String,
    /// Byte offsets into the criterion text.
    pub span: Span,
    /// 1-based.
    pub line: usize,
    /// 1-based, in characters.
    pub column: usize,
    /// The special category, for the protected-* rules.
    pub category: Option<Category>,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {} [{}]",
            self.line, self.column, self.message, self.rule
        )
    }
}

/// Why a criterion was refused: every problem found (a syntax error stops at the first).
#[derive(Debug, Clone, PartialEq, thiserror::Error, Serialize)]
pub struct CheckError {
    pub problems: Vec<Problem>,
}

impl CheckError {
    /// Whether some problem breaks `rule`.
    pub fn breaks(&self, rule: Rule) -> bool {
        self.problems.iter().any(|p| p.rule == rule)
    }
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, p) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{p}")?;
        }
        Ok(())
    }
}

/// The evaluable program.
#[derive(Debug, Clone)]
pub(crate) enum Node {
    And(Box<[Node]>),
    Or(Box<[Node]>),
    Not(Box<Node>),
    Const(bool),
    Test(Test),
}

/// One condition over one field: a leaf of the program and a line of the explanation.
#[derive(Debug, Clone)]
pub(crate) struct Test {
    pub field: usize,
    pub op: Op,
    /// Operator and operand as written canonically (`< 24`, `in ["IST", "SAW"]`).
    pub tail: Box<str>,
}

#[derive(Debug, Clone)]
pub(crate) enum Op {
    IsTrue,
    Present,
    Bool(bool, bool),
    Num(CmpOp, f64),
    NumIn(Box<[f64]>, bool),
    Str(CmpOp, Box<str>),
    StrIn(Box<[Box<str>]>, bool),
    ListContains(Box<str>),
    ListIntersects(Box<[Box<str>]>),
    Time(CmpOp, DateTime),
    Dur(CmpOp, i64),
    Fields(CmpOp, usize),
}

pub(crate) struct Checked {
    pub expr: Expr,
    pub program: Node,
}

/// Checks a criterion text and compiles it.
pub(crate) fn check(text: &str) -> Result<Checked, CheckError> {
    let mut checker = Checker {
        text,
        problems: Vec::new(),
        table: protected::Table::builtin(),
    };
    let expr = match syntax::parse(text) {
        Ok(expr) => expr,
        Err(e) => {
            checker.problem(Rule::Syntax, e.span, e.message, None);
            return Err(checker.finish());
        }
    };
    checker.literals(&expr);
    let program = checker.condition(&expr);
    if checker.problems.is_empty() {
        checker.specific(&expr);
    }
    match program {
        Some(program) if checker.problems.is_empty() => Ok(Checked { expr, program }),
        _ => Err(checker.finish()),
    }
}

struct Checker<'t> {
    text: &'t str,
    problems: Vec<Problem>,
    table: &'static protected::Table,
}

impl Checker<'_> {
    fn problem(
        &mut self,
        rule: Rule,
        span: Span,
        message: impl Into<String>,
        category: Option<Category>,
    ) {
        let (line, column) = span.line_column(self.text);
        self.problems.push(Problem {
            rule,
            message: message.into(),
            span,
            line,
            column,
            category,
        });
    }

    fn finish(mut self) -> CheckError {
        self.problems
            .sort_by_key(|p| (p.span.start, p.span.end, p.rule.code()));
        self.problems
            .dedup_by(|a, b| a.span == b.span && a.rule == b.rule);
        CheckError {
            problems: self.problems,
        }
    }

    /// Every string value, wherever it stands, against the protected codes and words.
    fn literals(&mut self, expr: &Expr) {
        let mut found = Vec::new();
        expr.walk(&mut |e| match &e.kind {
            ExprKind::Literal(Literal::Str(s)) => found.push((s.clone(), e.span)),
            ExprKind::List(items) => {
                for (l, span) in items {
                    if let Literal::Str(s) = l {
                        found.push((s.clone(), *span));
                    }
                }
            }
            _ => {}
        });
        for (s, span) in found {
            if let Some(entry) = self.table.literal(&s) {
                let (rule, what) = if entry.kind == protected::Kind::Code {
                    (Rule::ProtectedCode, "code")
                } else {
                    (Rule::ProtectedWord, "word")
                };
                let message = format!(
                    "the {what} `{}` reveals {} ({}); criteria must never be based on it ({})",
                    entry.term,
                    describe(entry.category),
                    entry.why,
                    entry.category.basis()
                );
                self.problem(rule, span, message, Some(entry.category));
            }
        }
    }

    /// A field name: from the catalogue, or refused as protected, or unknown.
    fn field(&mut self, name: &str, span: Span) -> Option<(usize, &'static Field)> {
        if let Some(found) = catalogue::lookup(name) {
            return Some(found);
        }
        if let Some(entry) = self.table.field(name) {
            let message = format!(
                "`{name}` asks for {}: {}; criteria must never be based on it ({})",
                describe(entry.category),
                entry.why,
                entry.category.basis()
            );
            self.problem(Rule::ProtectedField, span, message, Some(entry.category));
            return None;
        }
        let message = match suggest(name) {
            Some(near) => format!("unknown field `{name}`; did you mean `{near}`?"),
            None => format!("unknown field `{name}` (see the field catalogue in docs/criteria.md)"),
        };
        self.problem(Rule::UnknownField, span, message, None);
        None
    }

    /// An expression in a place that needs a condition (true or false).
    fn condition(&mut self, expr: &Expr) -> Option<Node> {
        match &expr.kind {
            ExprKind::Or(a, b) => {
                let (a, b) = (self.condition(a), self.condition(b));
                let mut items = Vec::new();
                for n in [a?, b?] {
                    match n {
                        Node::Or(inner) => items.extend(inner.into_vec()),
                        other => items.push(other),
                    }
                }
                Some(Node::Or(items.into_boxed_slice()))
            }
            ExprKind::And(a, b) => {
                let (a, b) = (self.condition(a), self.condition(b));
                let mut items = Vec::new();
                for n in [a?, b?] {
                    match n {
                        Node::And(inner) => items.extend(inner.into_vec()),
                        other => items.push(other),
                    }
                }
                Some(Node::And(items.into_boxed_slice()))
            }
            ExprKind::Not(a) => Some(Node::Not(Box::new(self.condition(a)?))),
            ExprKind::Literal(Literal::Bool(b)) => Some(Node::Const(*b)),
            ExprKind::Field(name) => {
                let (index, field) = self.field(name, expr.span)?;
                if field.ty == Type::Bool {
                    Some(Node::Test(Test {
                        field: index,
                        op: Op::IsTrue,
                        tail: "".into(),
                    }))
                } else {
                    self.problem(
                        Rule::Type,
                        expr.span,
                        format!(
                            "`{name}` is {} {}, not a condition; compare it, e.g. {}",
                            article(field.ty),
                            field.ty,
                            example(name, field.ty)
                        ),
                        None,
                    );
                    None
                }
            }
            ExprKind::Present(name) => {
                let (index, _) = self.field(name, expr.span)?;
                Some(Node::Test(Test {
                    field: index,
                    op: Op::Present,
                    tail: "".into(),
                }))
            }
            ExprKind::Literal(_) | ExprKind::List(_) => {
                self.problem(
                    Rule::Type,
                    expr.span,
                    format!("`{expr}` is a value, not a condition"),
                    None,
                );
                None
            }
            ExprKind::Compare {
                left,
                op,
                op_span,
                right,
            } => self.compare(left, *op, *op_span, right),
        }
    }

    fn compare(&mut self, left: &Expr, op: CmpOp, op_span: Span, right: &Expr) -> Option<Node> {
        // The field goes on the left: `24 > x` is `x < 24`, `"IST" in itinerary.route` is
        // `itinerary.route contains "IST"`.
        let (field_expr, op, value) = match (&left.kind, &right.kind) {
            (ExprKind::Field(_), _) => (left, op, right),
            (_, ExprKind::Field(_)) => {
                let flipped = match op {
                    CmpOp::In => Some(CmpOp::Contains),
                    other => other.flipped(),
                };
                match flipped {
                    Some(f) => (right, f, left),
                    None => {
                        self.problem(
                            Rule::Type,
                            op_span,
                            format!("write the field first: `{right} {op} {left}`"),
                            None,
                        );
                        return None;
                    }
                }
            }
            _ => {
                self.problem(
                    Rule::Type,
                    left.span.to(right.span),
                    "a comparison needs a field on one side (e.g. `booking.lead_time_hours < 24`)",
                    None,
                );
                return None;
            }
        };
        let ExprKind::Field(name) = &field_expr.kind else {
            return None;
        };
        let resolved = self.field(name, field_expr.span);
        // Resolve the other side too, so that every unknown name is reported at once.
        let other = match &value.kind {
            ExprKind::Field(other) => Some(self.field(other, value.span)),
            _ => None,
        };
        let (index, field) = resolved?;
        let ty = field.ty;

        if matches!(op, CmpOp::Contains | CmpOp::StartsWith | CmpOp::EndsWith)
            && field.restriction == Restriction::ExactNotAlone
        {
            self.problem(
                Rule::NamePattern,
                op_span,
                format!(
                    "`{name} {op} …` matches a pattern in a name; name patterns stand for \
                     ethnic origin or religion and are refused (Directive 2016/681 Art. 6(4); \
                     C-817/19). Compare whole names with `==` or `in`, together with another condition"
                ),
                Some(Category::EthnicOrigin),
            );
            return None;
        }

        if let Some(other) = other {
            let (other_index, other_field) = other?;
            let same = ty == other_field.ty || (ty.is_number() && other_field.ty.is_number());
            let ordered = matches!(
                ty,
                Type::Int | Type::Float | Type::DateTime | Type::Duration
            );
            let fits = same
                && match op {
                    CmpOp::Eq | CmpOp::Ne => ty != Type::StringList,
                    CmpOp::Lt | CmpOp::Le | CmpOp::Gt | CmpOp::Ge => ordered,
                    _ => false,
                };
            if !fits {
                self.problem(
                    Rule::Type,
                    op_span,
                    format!(
                        "cannot compare `{name}` ({ty}) {op} `{}` ({})",
                        other_field.name, other_field.ty
                    ),
                    None,
                );
                return None;
            }
            return Some(Node::Test(Test {
                field: index,
                op: Op::Fields(op, other_index),
                tail: format!("{op} {}", other_field.name).into(),
            }));
        }

        let tail: Box<str> = format!("{op} {value}").into();
        let bad = |c: &mut Self, expected: &str| {
            let hint = hint(name, ty, op, value);
            c.problem(
                Rule::Type,
                value.span,
                format!(
                    "`{name}` is {} {ty}: `{op}` needs {expected}, found {}{hint}",
                    article(ty),
                    describe_value(value)
                ),
                None,
            );
            None
        };
        if !applies(ty, op) {
            self.problem(
                Rule::Type,
                op_span,
                format!(
                    "`{op}` does not apply to `{name}` ({ty}); {ty} takes {}",
                    operators(ty)
                ),
                None,
            );
            return None;
        }
        let op_node = match (ty, &value.kind) {
            (Type::Bool, ExprKind::Literal(Literal::Bool(b))) => Op::Bool(op == CmpOp::Ne, *b),
            (Type::Int | Type::Float, ExprKind::Literal(l)) if !is_list_op(op) => match number(l) {
                Some(x) => Op::Num(op, x),
                None => return bad(self, "a number"),
            },
            (Type::Int | Type::Float, ExprKind::List(items)) if is_list_op(op) => {
                let values: Option<Vec<f64>> = items.iter().map(|(l, _)| number(l)).collect();
                match values {
                    Some(v) => Op::NumIn(v.into_boxed_slice(), op == CmpOp::NotIn),
                    None => return bad(self, "a list of numbers"),
                }
            }
            (Type::String, ExprKind::Literal(Literal::Str(s))) if !is_list_op(op) => {
                Op::Str(op, s.as_str().into())
            }
            (Type::String, ExprKind::List(items)) if is_list_op(op) => match strings(items) {
                Some(v) => Op::StrIn(v, op == CmpOp::NotIn),
                None => return bad(self, "a list of strings"),
            },
            (Type::StringList, ExprKind::Literal(Literal::Str(s))) if op == CmpOp::Contains => {
                Op::ListContains(s.as_str().into())
            }
            (Type::StringList, ExprKind::List(items)) if op == CmpOp::Intersects => {
                match strings(items) {
                    Some(v) => Op::ListIntersects(v),
                    None => return bad(self, "a list of strings"),
                }
            }
            (Type::DateTime, ExprKind::Literal(Literal::DateTime(d))) => Op::Time(op, *d),
            (Type::Duration, ExprKind::Literal(Literal::Duration(d))) => Op::Dur(op, *d),
            _ => return bad(self, expected(ty, op)),
        };
        Some(Node::Test(Test {
            field: index,
            op: op_node,
            tail,
        }))
    }

    /// Refuses a criterion that a restricted characteristic alone could satisfy.
    fn specific(&mut self, expr: &Expr) {
        if grounded(expr, false) {
            return;
        }
        let mut restricted = None;
        let mut any_field = false;
        expr.walk(&mut |e| {
            if let ExprKind::Field(n) | ExprKind::Present(n) = &e.kind {
                any_field = true;
                if restricted.is_none() && is_restricted(n) {
                    restricted = Some((n.clone(), e.span));
                }
            }
        });
        match restricted {
            Some((name, span)) => self.problem(
                Rule::NotSpecific,
                span,
                format!(
                    "`{name}` could be the sole ground of a hit; nationality, sex, age, names and \
                     the issuing State may only be used together (`and`) with a condition on \
                     another field, on every path to a hit (C-817/19: criteria must be specific \
                     and non-discriminatory; Charter Art. 21)"
                ),
                None,
            ),
            None if !any_field => self.problem(
                Rule::NoField,
                expr.span,
                "the criterion tests no field: it would hit everyone or no one",
                None,
            ),
            None => self.problem(
                Rule::NoField,
                expr.span,
                "some way of satisfying this criterion tests no field (e.g. `true or …`)",
                None,
            ),
        }
    }
}

fn is_restricted(name: &str) -> bool {
    catalogue::lookup(name).is_some_and(|(_, f)| f.restriction != Restriction::None)
}

/// Whether every way `expr` (negated or not) can be true rests on at least one condition over
/// an unrestricted field.
fn grounded(expr: &Expr, negated: bool) -> bool {
    match &expr.kind {
        ExprKind::And(a, b) if !negated => grounded(a, false) || grounded(b, false),
        ExprKind::And(a, b) => grounded(a, true) && grounded(b, true),
        ExprKind::Or(a, b) if !negated => grounded(a, false) && grounded(b, false),
        ExprKind::Or(a, b) => grounded(a, true) || grounded(b, true),
        ExprKind::Not(a) => grounded(a, !negated),
        _ => {
            let mut free = false;
            expr.walk(&mut |e| {
                if let ExprKind::Field(n) | ExprKind::Present(n) = &e.kind {
                    free |= !is_restricted(n);
                }
            });
            free
        }
    }
}

fn number(l: &Literal) -> Option<f64> {
    match l {
        Literal::Int(i) => Some(*i as f64),
        Literal::Float(x) => Some(*x),
        _ => None,
    }
}

fn strings(items: &[(Literal, Span)]) -> Option<Box<[Box<str>]>> {
    items
        .iter()
        .map(|(l, _)| match l {
            Literal::Str(s) => Some(s.as_str().into()),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()
        .map(Vec::into_boxed_slice)
}

fn describe(category: Category) -> &'static str {
    match category {
        Category::Religion => "religion or belief (or a proxy of it)",
        Category::Health => "health (or a proxy of it)",
        Category::EthnicOrigin => "racial or ethnic origin (or a proxy of it)",
        Category::SexLife => "sex life or sexual orientation",
        Category::PoliticalOpinion => "political opinions",
        Category::TradeUnion => "trade-union membership",
        Category::NotAnnexI => "data that criteria may not use",
    }
}

fn article(ty: Type) -> &'static str {
    match ty {
        Type::Int => "an",
        _ => "a",
    }
}

fn describe_value(value: &Expr) -> String {
    match &value.kind {
        ExprKind::Literal(l) => format!(
            "{} `{l}`",
            match l {
                Literal::Bool(_) => "the bool",
                Literal::Int(_) => "the int",
                Literal::Float(_) => "the float",
                Literal::Str(_) => "the string",
                Literal::Duration(_) => "the duration",
                Literal::DateTime(_) => "the date-time",
            }
        ),
        ExprKind::List(_) => format!("the list `{value}`"),
        _ => format!("`{value}`"),
    }
}

fn hint(name: &str, ty: Type, op: CmpOp, value: &Expr) -> String {
    match (ty, &value.kind) {
        (Type::Int | Type::Float, ExprKind::Literal(Literal::Duration(d))) => {
            let hours = *d as f64 / 3600.0;
            let alt = name
                .strip_suffix("_hours")
                .filter(|base| catalogue::lookup(base).is_some());
            match alt {
                Some(base) => format!(
                    " (write `{name} {op} {hours}` in hours, or use `{base}` with a duration)"
                ),
                None => format!(" (write the number: `{name} {op} {hours}`)"),
            }
        }
        (Type::Duration, ExprKind::Literal(Literal::Int(n))) => {
            format!(" (write a duration with its unit, e.g. `{name} {op} {n}h`)")
        }
        (Type::DateTime, ExprKind::Literal(Literal::Str(_))) => {
            " (write date-times as @2026-12-01 or @2026-12-01T06:30)".to_string()
        }
        (Type::Int | Type::Float | Type::Bool | Type::String, ExprKind::List(_)) => {
            " (use `in` with a list)".to_string()
        }
        _ => String::new(),
    }
}

fn is_list_op(op: CmpOp) -> bool {
    matches!(op, CmpOp::In | CmpOp::NotIn | CmpOp::Intersects)
}

/// Whether an operator applies to a field type at all.
fn applies(ty: Type, op: CmpOp) -> bool {
    use CmpOp::*;
    match ty {
        Type::Bool => matches!(op, Eq | Ne),
        Type::Int | Type::Float => matches!(op, Eq | Ne | Lt | Le | Gt | Ge | In | NotIn),
        Type::String => matches!(op, Eq | Ne | In | NotIn | Contains | StartsWith | EndsWith),
        Type::StringList => matches!(op, Contains | Intersects),
        Type::DateTime | Type::Duration => matches!(op, Eq | Ne | Lt | Le | Gt | Ge),
    }
}

/// What the right-hand side of `op` must be for a field of type `ty`.
fn expected(ty: Type, op: CmpOp) -> &'static str {
    match (ty, is_list_op(op)) {
        (Type::Bool, _) => "true or false",
        (Type::Int | Type::Float, false) => "a number",
        (Type::Int | Type::Float, true) => "a list of numbers",
        (Type::String, false) => "a string",
        (Type::String | Type::StringList, true) => "a list of strings",
        (Type::StringList, false) => "a string",
        (Type::DateTime, _) => "a date-time like @2026-12-01T06:30",
        (Type::Duration, _) => "a duration like 24h",
    }
}

fn operators(ty: Type) -> &'static str {
    match ty {
        Type::Bool => "`== true`, `!= false` or stands alone",
        Type::Int | Type::Float => "== != < <= > >= with a number, `in [..]` with numbers",
        Type::String => {
            "== != contains starts_with ends_with with a string, `in [..]` with strings"
        }
        Type::StringList => "`contains \"X\"` or `intersects [\"X\", \"Y\"]`",
        Type::DateTime => "== != < <= > >= with a date-time like @2026-12-01T06:30",
        Type::Duration => "== != < <= > >= with a duration like 24h",
    }
}

fn example(name: &str, ty: Type) -> String {
    match ty {
        Type::Int | Type::Float => format!("`{name} > 2`"),
        Type::String => format!("`{name} == \"XYZ\"`"),
        Type::StringList => format!("`{name} contains \"XYZ\"`"),
        Type::DateTime => format!("`{name} > @2026-12-01`"),
        Type::Duration => format!("`{name} < 24h`"),
        Type::Bool => format!("`{name}`"),
    }
}

/// The nearest catalogue name, for "did you mean".
fn suggest(name: &str) -> Option<&'static str> {
    let last = name.rsplit('.').next().unwrap_or(name);
    catalogue::fields()
        .iter()
        .map(|f| {
            let whole = distance(name, f.name);
            let tail = f
                .name
                .rsplit('.')
                .next()
                .map_or(usize::MAX, |t| distance(last, t));
            (whole.min(tail.saturating_add(1)), f.name)
        })
        .filter(|(d, _)| *d <= 3)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i + 1;
        }
        for (j, cb) in b.iter().enumerate() {
            let up = row.get(j + 1).copied().unwrap_or(usize::MAX);
            let left = row.get(j).copied().unwrap_or(usize::MAX);
            let diag = prev + usize::from(ca != *cb);
            prev = up;
            if let Some(cell) = row.get_mut(j + 1) {
                *cell = diag.min(up.saturating_add(1)).min(left.saturating_add(1));
            }
        }
    }
    row.last().copied().unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(
            suggest("booking.lead_time_hour"),
            Some("booking.lead_time_hours")
        );
        assert_eq!(suggest("bags.cnt"), Some("bags.count"));
        assert_eq!(suggest("zzz.qqqqqqq"), None);
    }
}
