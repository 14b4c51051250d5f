#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use proptest::prelude::*;
use targeting::Criterion;
use targeting::syntax::{self, CmpOp, Expr, ExprKind, Literal, Span};

fn sp() -> Span {
    Span::default()
}

fn literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        any::<bool>().prop_map(Literal::Bool),
        any::<i64>().prop_map(Literal::Int),
        (-1e12f64..1e12).prop_map(Literal::Float),
        any::<f64>()
            .prop_filter("finite", |x| x.is_finite())
            .prop_map(Literal::Float),
        "[ -~]{0,12}".prop_map(Literal::Str),
        "\\PC{0,6}".prop_map(Literal::Str),
        (-1_000_000i64..1_000_000).prop_map(Literal::Duration),
        (2000i16..2100, 1i8..=12, 1i8..=28, 0i8..24, 0i8..60).prop_map(|(y, m, d, h, mi)| {
            Literal::DateTime(jiff::civil::datetime(y, m, d, h, mi, 0, 0))
        }),
    ]
}

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z_][a-z0-9_]{0,8}(\\.[a-z_][a-z0-9_]{0,8}){0,2}",
        Just("booking.lead_time_hours".to_string()),
        Just("payment.cash".to_string()),
    ]
    .prop_filter("not a keyword", |n| {
        !matches!(
            n.as_str(),
            "and"
                | "or"
                | "not"
                | "in"
                | "true"
                | "false"
                | "present"
                | "contains"
                | "starts_with"
                | "ends_with"
                | "intersects"
        )
    })
}

fn op() -> impl Strategy<Value = CmpOp> {
    prop_oneof![
        Just(CmpOp::Eq),
        Just(CmpOp::Ne),
        Just(CmpOp::Lt),
        Just(CmpOp::Le),
        Just(CmpOp::Gt),
        Just(CmpOp::Ge),
        Just(CmpOp::In),
        Just(CmpOp::NotIn),
        Just(CmpOp::Contains),
        Just(CmpOp::StartsWith),
        Just(CmpOp::EndsWith),
        Just(CmpOp::Intersects),
    ]
}

fn e(kind: ExprKind) -> Expr {
    Expr { kind, span: sp() }
}

fn operand() -> impl Strategy<Value = Expr> {
    prop_oneof![
        name().prop_map(|n| e(ExprKind::Field(n))),
        name().prop_map(|n| e(ExprKind::Present(n))),
        literal().prop_map(|l| e(ExprKind::Literal(l))),
        prop::collection::vec(literal(), 0..4)
            .prop_map(|v| e(ExprKind::List(v.into_iter().map(|l| (l, sp())).collect()))),
    ]
}

fn expr() -> impl Strategy<Value = Expr> {
    let leaf = prop_oneof![
        operand(),
        (operand(), op(), operand()).prop_map(|(l, op, r)| e(ExprKind::Compare {
            left: Box::new(l),
            op,
            op_span: sp(),
            right: Box::new(r),
        })),
    ];
    leaf.prop_recursive(5, 40, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| e(ExprKind::And(Box::new(a), Box::new(b)))),
            (inner.clone(), inner.clone())
                .prop_map(|(a, b)| e(ExprKind::Or(Box::new(a), Box::new(b)))),
            inner.prop_map(|a| e(ExprKind::Not(Box::new(a)))),
        ]
    })
}

/// The tree without positions, to compare what was parsed with what was generated.
fn strip(x: &Expr) -> Expr {
    let kind = match &x.kind {
        ExprKind::Or(a, b) => ExprKind::Or(Box::new(strip(a)), Box::new(strip(b))),
        ExprKind::And(a, b) => ExprKind::And(Box::new(strip(a)), Box::new(strip(b))),
        ExprKind::Not(a) => ExprKind::Not(Box::new(strip(a))),
        ExprKind::Compare {
            left, op, right, ..
        } => ExprKind::Compare {
            left: Box::new(strip(left)),
            op: *op,
            op_span: sp(),
            right: Box::new(strip(right)),
        },
        ExprKind::List(items) => {
            ExprKind::List(items.iter().map(|(l, _)| (l.clone(), sp())).collect())
        }
        other => other.clone(),
    };
    e(kind)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,80}") {
        let _ = syntax::parse(&text);
        if let Err(err) = Criterion::compile(&text, 1.0) {
            for p in &err.problems {
                prop_assert!(p.span.start <= text.len() && p.span.end <= text.len());
                prop_assert!(text.is_char_boundary(p.span.start));
            }
        }
    }

    #[test]
    fn language_like_text_never_panics(
        parts in prop::collection::vec(prop_oneof![
            Just("booking.lead_time_hours"), Just("payment.cash"), Just("ssr.code"),
            Just("itinerary.route"), Just("traveller.nationality"), Just("and"), Just("or"),
            Just("not"), Just("in"), Just("("), Just(")"), Just("["), Just("]"), Just(","),
            Just("<"), Just("=="), Just("!="), Just("contains"), Just("24h"), Just("-3"),
            Just("1.5e3"), Just("\"MOML\""), Just("\"X\""), Just("@2026-12-01"), Just("true"),
            Just("present("), Just("#"), Just("\n"), Just("\""), Just("@"), Just("9999999999999999999"),
        ], 0..16)
    ) {
        let text = parts.join(" ");
        let subject = common::subject();
        if let Ok(c) = Criterion::compile(&text, 1.0) {
            let _ = c.evaluate(&subject);
            // The canonical text compiles to the same canonical text.
            let again = Criterion::compile(c.text(), 1.0).unwrap();
            prop_assert_eq!(again.text(), c.text());
        }
    }

    #[test]
    fn formatting_and_parsing_round_trip(x in expr()) {
        let text = x.to_string();
        let parsed = syntax::parse(&text)
            .map_err(|e| TestCaseError::fail(format!("{text:?}: {}", e.message)))?;
        prop_assert_eq!(strip(&parsed), strip(&x), "{}", text);
        prop_assert_eq!(parsed.to_string(), text);
    }
}
