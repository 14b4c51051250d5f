//! The criteria language: tokens, syntax tree, parser and the canonical formatting.
//!
//! ```text
//! criterion  = or
//! or         = and { "or" and }
//! and        = unary { "and" unary }
//! unary      = "not" unary | comparison
//! comparison = operand [ op operand ]
//! op         = "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not" "in"
//!            | "contains" | "starts_with" | "ends_with" | "intersects"
//! operand    = field | literal | list | "present" "(" field ")" | "(" or ")"
//! list       = "[" [ literal { "," literal } [","] ] "]"
//! literal    = "true" | "false" | integer | float | string | duration | date-time
//! field      = name { "." name }           e.g. booking.lead_time_hours
//! duration   = integer unit { integer unit }   unit: s m h d w   e.g. 24h, 1d12h
//! date-time  = "@" YYYY-MM-DD [ "T" hh:mm[:ss] ]
//! string     = '"' … '"'   with \" \\ \n \t
//! ```
//! Comments run from `#` to the end of the line.

use std::fmt;

use jiff::civil::{Date, DateTime, Time};

use crate::value::{write_duration, write_float, write_string};

/// Byte offsets into the criterion text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }

    /// 1-based line and column (in characters) of the start in `text`.
    pub fn line_column(&self, text: &str) -> (usize, usize) {
        let before = text.get(..self.start).unwrap_or(text);
        let line = before.matches('\n').count() + 1;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
        (line, column)
    }
}

/// A literal value in a criterion.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    /// Seconds.
    Duration(i64),
    DateTime(DateTime),
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::Int(i) => write!(f, "{i}"),
            Literal::Float(x) => write_float(f, *x),
            Literal::Str(s) => write_string(f, s),
            Literal::Duration(secs) => write_duration(f, *secs),
            Literal::DateTime(dt) => {
                if dt.time() == Time::midnight() {
                    write!(f, "@{}", dt.date())
                } else {
                    write!(f, "@{dt}")
                }
            }
        }
    }
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CmpOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    In,
    NotIn,
    Contains,
    StartsWith,
    EndsWith,
    Intersects,
}

impl CmpOp {
    pub fn symbol(self) -> &'static str {
        match self {
            CmpOp::Eq => "==",
            CmpOp::Ne => "!=",
            CmpOp::Lt => "<",
            CmpOp::Le => "<=",
            CmpOp::Gt => ">",
            CmpOp::Ge => ">=",
            CmpOp::In => "in",
            CmpOp::NotIn => "not in",
            CmpOp::Contains => "contains",
            CmpOp::StartsWith => "starts_with",
            CmpOp::EndsWith => "ends_with",
            CmpOp::Intersects => "intersects",
        }
    }

    /// The same comparison with its operands swapped (`24 > x` is `x < 24`), for the operators
    /// that have one.
    pub fn flipped(self) -> Option<CmpOp> {
        Some(match self {
            CmpOp::Eq => CmpOp::Eq,
            CmpOp::Ne => CmpOp::Ne,
            CmpOp::Lt => CmpOp::Gt,
            CmpOp::Le => CmpOp::Ge,
            CmpOp::Gt => CmpOp::Lt,
            CmpOp::Ge => CmpOp::Le,
            CmpOp::Intersects => CmpOp::Intersects,
            _ => return None,
        })
    }
}

impl fmt::Display for CmpOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

/// A node of the syntax tree with where it stands in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    Or(Box<Expr>, Box<Expr>),
    And(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Compare {
        left: Box<Expr>,
        op: CmpOp,
        op_span: Span,
        right: Box<Expr>,
    },
    Field(String),
    Present(String),
    Literal(Literal),
    List(Vec<(Literal, Span)>),
}

impl Expr {
    fn precedence(&self) -> u8 {
        match self.kind {
            ExprKind::Or(..) => 1,
            ExprKind::And(..) => 2,
            ExprKind::Not(..) => 3,
            ExprKind::Compare { .. } => 4,
            _ => 5,
        }
    }

    fn fmt_at(&self, f: &mut fmt::Formatter<'_>, min: u8) -> fmt::Result {
        if self.precedence() < min {
            f.write_str("(")?;
            self.fmt_at(f, 0)?;
            return f.write_str(")");
        }
        match &self.kind {
            ExprKind::Or(a, b) => {
                a.fmt_at(f, 1)?;
                f.write_str(" or ")?;
                b.fmt_at(f, 2)
            }
            ExprKind::And(a, b) => {
                a.fmt_at(f, 2)?;
                f.write_str(" and ")?;
                b.fmt_at(f, 3)
            }
            ExprKind::Not(a) => {
                f.write_str("not ")?;
                a.fmt_at(f, 3)
            }
            ExprKind::Compare {
                left, op, right, ..
            } => {
                left.fmt_at(f, 5)?;
                write!(f, " {op} ")?;
                right.fmt_at(f, 5)
            }
            ExprKind::Field(name) => f.write_str(name),
            ExprKind::Present(name) => write!(f, "present({name})"),
            ExprKind::Literal(l) => write!(f, "{l}"),
            ExprKind::List(items) => {
                f.write_str("[")?;
                for (i, (l, _)) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{l}")?;
                }
                f.write_str("]")
            }
        }
    }

    /// Visits this node and all below it, parents first.
    pub fn walk<'e>(&'e self, visit: &mut impl FnMut(&'e Expr)) {
        visit(self);
        match &self.kind {
            ExprKind::Or(a, b) | ExprKind::And(a, b) => {
                a.walk(visit);
                b.walk(visit);
            }
            ExprKind::Not(a) => a.walk(visit),
            ExprKind::Compare { left, right, .. } => {
                left.walk(visit);
                right.walk(visit);
            }
            _ => {}
        }
    }
}

/// The canonical text: single spaces, `and`/`or`/`not` in words, parentheses only where the
/// structure needs them. Parsing it gives back the same tree (spans aside).
impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.fmt_at(f, 0)
    }
}

/// Why a text is not a criterion, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyntaxError {
    pub message: String,
    pub span: Span,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Name(String),
    Lit(Literal),
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Op(CmpOp),
    End,
}

/// Deeper nesting than this is refused (no criterion needs it, and it bounds recursion).
const MAX_DEPTH: usize = 64;
/// Longer texts are refused.
pub const MAX_LEN: usize = 16 * 1024;

struct Lexer<'s> {
    src: &'s str,
    pos: usize,
}

impl<'s> Lexer<'s> {
    fn peek(&self) -> Option<char> {
        self.src.get(self.pos..).and_then(|s| s.chars().next())
    }

    fn peek2(&self) -> Option<char> {
        self.src.get(self.pos..).and_then(|s| s.chars().nth(1))
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn err<T>(&self, start: usize, message: impl Into<String>) -> Result<T, SyntaxError> {
        Err(SyntaxError {
            message: message.into(),
            span: Span::new(
                start,
                self.pos.max(start + 1).min(self.src.len().max(start)),
            ),
        })
    }

    fn skip_space(&mut self) {
        while let Some(c) = self.peek() {
            if c.is_whitespace() {
                self.bump();
            } else if c == '#' {
                while self.peek().is_some_and(|c| c != '\n') {
                    self.bump();
                }
            } else {
                break;
            }
        }
    }

    fn next(&mut self) -> Result<(Tok, Span), SyntaxError> {
        self.skip_space();
        let start = self.pos;
        let Some(c) = self.bump() else {
            return Ok((Tok::End, Span::new(start, start)));
        };
        let tok = match c {
            '(' => Tok::LParen,
            ')' => Tok::RParen,
            '[' => Tok::LBracket,
            ']' => Tok::RBracket,
            ',' => Tok::Comma,
            '=' if self.peek() == Some('=') => {
                self.bump();
                Tok::Op(CmpOp::Eq)
            }
            '=' => return self.err(start, "write `==` to compare"),
            '!' if self.peek() == Some('=') => {
                self.bump();
                Tok::Op(CmpOp::Ne)
            }
            '!' => return self.err(start, "write `not` for negation"),
            '&' | '|' => {
                return self.err(start, "write `and` / `or` for combining conditions");
            }
            '<' | '>' => {
                let eq = self.peek() == Some('=');
                if eq {
                    self.bump();
                }
                Tok::Op(match (c, eq) {
                    ('<', false) => CmpOp::Lt,
                    ('<', true) => CmpOp::Le,
                    ('>', false) => CmpOp::Gt,
                    _ => CmpOp::Ge,
                })
            }
            '"' => Tok::Lit(Literal::Str(self.string(start)?)),
            '@' => Tok::Lit(Literal::DateTime(self.datetime(start)?)),
            '-' if self.peek().is_some_and(|c| c.is_ascii_digit()) => self.number(start)?,
            c if c.is_ascii_digit() => self.number(start)?,
            c if c.is_ascii_alphabetic() || c == '_' => self.name(start)?,
            _ => return self.err(start, format!("unexpected character `{c}`")),
        };
        Ok((tok, Span::new(start, self.pos)))
    }

    fn string(&mut self, start: usize) -> Result<String, SyntaxError> {
        let mut out = String::new();
        loop {
            match self.bump() {
                None => return self.err(start, "unterminated string: a `\"` is missing"),
                Some('"') => return Ok(out),
                Some('\\') => match self.bump() {
                    Some('"') => out.push('"'),
                    Some('\\') => out.push('\\'),
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    _ => {
                        return self.err(start, "unknown escape in string (use \\\" \\\\ \\n \\t)");
                    }
                },
                Some(c) => out.push(c),
            }
        }
    }

    fn datetime(&mut self, start: usize) -> Result<DateTime, SyntaxError> {
        let from = self.pos;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_digit() || matches!(c, '-' | ':' | 'T' | '.'))
        {
            self.bump();
        }
        let text = self.src.get(from..self.pos).unwrap_or("");
        if let Ok(dt) = text.parse::<DateTime>()
            && text.contains('T')
        {
            return Ok(dt);
        }
        if let Ok(d) = text.parse::<Date>() {
            return Ok(d.to_datetime(Time::midnight()));
        }
        self.err(
            start,
            "expected a date or date-time after `@`, e.g. @2026-12-01 or @2026-12-01T06:30",
        )
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.bump();
        }
    }

    fn number(&mut self, start: usize) -> Result<Tok, SyntaxError> {
        self.digits();
        let mut float = false;
        if self.peek() == Some('.') && self.peek2().is_some_and(|c| c.is_ascii_digit()) {
            float = true;
            self.bump();
            self.digits();
        }
        if matches!(self.peek(), Some('e' | 'E'))
            && (self
                .peek2()
                .is_some_and(|c| c.is_ascii_digit() || c == '-' || c == '+'))
        {
            float = true;
            self.bump();
            if matches!(self.peek(), Some('-' | '+')) {
                self.bump();
            }
            if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                return self.err(start, "malformed number");
            }
            self.digits();
        }
        let text = self.src.get(start..self.pos).unwrap_or("");
        if float {
            return match text.parse::<f64>() {
                Ok(x) if x.is_finite() => Ok(Tok::Lit(Literal::Float(x))),
                _ => self.err(start, "number out of range"),
            };
        }
        let Ok(n) = text.parse::<i64>() else {
            return self.err(start, "number out of range");
        };
        if !self.peek().is_some_and(|c| c.is_ascii_alphabetic()) {
            return Ok(Tok::Lit(Literal::Int(n)));
        }
        // A duration: number-unit pairs, e.g. 24h or 1d12h.
        let negative = n < 0;
        let mut total: i64 = 0;
        let Some(mut n) = n.checked_abs() else {
            return self.err(start, "duration out of range");
        };
        loop {
            let unit = match self.bump() {
                Some('s') => 1,
                Some('m') => 60,
                Some('h') => 3_600,
                Some('d') => 86_400,
                Some('w') => 604_800,
                _ => return self.err(start, "unknown duration unit (use s, m, h, d or w)"),
            };
            total = match n.checked_mul(unit).and_then(|x| total.checked_add(x)) {
                Some(t) => t,
                None => return self.err(start, "duration out of range"),
            };
            if !self.peek().is_some_and(|c| c.is_ascii_digit()) {
                break;
            }
            let from = self.pos;
            self.digits();
            n = match self.src.get(from..self.pos).and_then(|t| t.parse().ok()) {
                Some(n) => n,
                None => return self.err(start, "duration out of range"),
            };
        }
        if self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            return self.err(start, "malformed duration (e.g. 24h, 90m, 1d12h)");
        }
        Ok(Tok::Lit(Literal::Duration(if negative {
            -total
        } else {
            total
        })))
    }

    fn name(&mut self, start: usize) -> Result<Tok, SyntaxError> {
        loop {
            while self
                .peek()
                .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            {
                self.bump();
            }
            if self.peek() == Some('.')
                && self
                    .peek2()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            {
                self.bump();
                continue;
            }
            break;
        }
        let text = self.src.get(start..self.pos).unwrap_or("");
        Ok(match text {
            "true" => Tok::Lit(Literal::Bool(true)),
            "false" => Tok::Lit(Literal::Bool(false)),
            "in" => Tok::Op(CmpOp::In),
            "contains" => Tok::Op(CmpOp::Contains),
            "starts_with" => Tok::Op(CmpOp::StartsWith),
            "ends_with" => Tok::Op(CmpOp::EndsWith),
            "intersects" => Tok::Op(CmpOp::Intersects),
            _ => Tok::Name(text.to_string()),
        })
    }
}

struct Parser<'s> {
    lexer: Lexer<'s>,
    tok: Tok,
    span: Span,
    depth: usize,
}

/// Parses a criterion. Never panics, whatever the text.
pub fn parse(text: &str) -> Result<Expr, SyntaxError> {
    if text.len() > MAX_LEN {
        return Err(SyntaxError {
            message: format!("a criterion is at most {MAX_LEN} bytes long"),
            span: Span::new(0, 0),
        });
    }
    let mut lexer = Lexer { src: text, pos: 0 };
    let (tok, span) = lexer.next()?;
    let mut parser = Parser {
        lexer,
        tok,
        span,
        depth: 0,
    };
    if parser.tok == Tok::End {
        return Err(SyntaxError {
            message: "empty criterion".into(),
            span,
        });
    }
    let expr = parser.or()?;
    if parser.tok != Tok::End {
        return parser.unexpected("`and`, `or` or the end of the criterion");
    }
    Ok(expr)
}

impl Parser<'_> {
    fn advance(&mut self) -> Result<(), SyntaxError> {
        let (tok, span) = self.lexer.next()?;
        self.tok = tok;
        self.span = span;
        Ok(())
    }

    fn is_name(&self, word: &str) -> bool {
        matches!(&self.tok, Tok::Name(n) if n == word)
    }

    fn unexpected<T>(&self, wanted: &str) -> Result<T, SyntaxError> {
        let found = match &self.tok {
            Tok::End => "the end".to_string(),
            Tok::Name(n) => format!("`{n}`"),
            Tok::Lit(l) => format!("`{l}`"),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::LBracket => "`[`".into(),
            Tok::RBracket => "`]`".into(),
            Tok::Comma => "`,`".into(),
            Tok::Op(op) => format!("`{op}`"),
        };
        Err(SyntaxError {
            message: format!("expected {wanted}, found {found}"),
            span: self.span,
        })
    }

    fn enter(&mut self) -> Result<(), SyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(SyntaxError {
                message: format!("nested more than {MAX_DEPTH} deep"),
                span: self.span,
            });
        }
        Ok(())
    }

    fn or(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.and()?;
        while self.is_name("or") {
            self.advance()?;
            let right = self.and()?;
            let span = left.span.to(right.span);
            left = Expr {
                kind: ExprKind::Or(Box::new(left), Box::new(right)),
                span,
            };
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Expr, SyntaxError> {
        let mut left = self.unary()?;
        while self.is_name("and") {
            self.advance()?;
            let right = self.unary()?;
            let span = left.span.to(right.span);
            left = Expr {
                kind: ExprKind::And(Box::new(left), Box::new(right)),
                span,
            };
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Expr, SyntaxError> {
        if self.is_name("not") {
            let start = self.span;
            self.enter()?;
            self.advance()?;
            let inner = self.unary()?;
            self.depth -= 1;
            let span = start.to(inner.span);
            return Ok(Expr {
                kind: ExprKind::Not(Box::new(inner)),
                span,
            });
        }
        self.comparison()
    }

    fn comparison(&mut self) -> Result<Expr, SyntaxError> {
        let left = self.operand()?;
        let (op, op_span) = match &self.tok {
            Tok::Op(op) => (*op, self.span),
            Tok::Name(n) if n == "not" => {
                let start = self.span;
                self.advance()?;
                if self.tok != Tok::Op(CmpOp::In) {
                    return self.unexpected("`in` after `not` (as in `x not in [...]`)");
                }
                (CmpOp::NotIn, start.to(self.span))
            }
            _ => return Ok(left),
        };
        self.advance()?;
        let right = self.operand()?;
        if let Tok::Op(_) = self.tok {
            return Err(SyntaxError {
                message: "comparisons do not chain; join them with `and`".into(),
                span: self.span,
            });
        }
        let span = left.span.to(right.span);
        Ok(Expr {
            kind: ExprKind::Compare {
                left: Box::new(left),
                op,
                op_span,
                right: Box::new(right),
            },
            span,
        })
    }

    fn operand(&mut self) -> Result<Expr, SyntaxError> {
        let start = self.span;
        match std::mem::replace(&mut self.tok, Tok::End) {
            Tok::LParen => {
                self.enter()?;
                self.advance()?;
                let inner = self.or()?;
                if self.tok != Tok::RParen {
                    return self.unexpected("`)`");
                }
                self.depth -= 1;
                self.advance()?;
                Ok(inner)
            }
            Tok::LBracket => {
                self.advance()?;
                let mut items = Vec::new();
                loop {
                    if self.tok == Tok::RBracket {
                        break;
                    }
                    match std::mem::replace(&mut self.tok, Tok::End) {
                        Tok::Lit(l) => items.push((l, self.span)),
                        other => {
                            self.tok = other;
                            return self.unexpected("a value in the list");
                        }
                    }
                    self.advance()?;
                    match self.tok {
                        Tok::Comma => self.advance()?,
                        Tok::RBracket => break,
                        _ => return self.unexpected("`,` or `]`"),
                    }
                }
                let span = start.to(self.span);
                self.advance()?;
                Ok(Expr {
                    kind: ExprKind::List(items),
                    span,
                })
            }
            Tok::Lit(l) => {
                self.advance()?;
                Ok(Expr {
                    kind: ExprKind::Literal(l),
                    span: start,
                })
            }
            Tok::Name(name) if name == "present" => {
                self.advance()?;
                if self.tok != Tok::LParen {
                    return self.unexpected("`(` after `present`");
                }
                self.advance()?;
                let field = match std::mem::replace(&mut self.tok, Tok::End) {
                    Tok::Name(n) if !is_keyword(&n) => n,
                    other => {
                        self.tok = other;
                        return self.unexpected("a field name");
                    }
                };
                self.advance()?;
                if self.tok != Tok::RParen {
                    return self.unexpected("`)`");
                }
                let span = start.to(self.span);
                self.advance()?;
                Ok(Expr {
                    kind: ExprKind::Present(field),
                    span,
                })
            }
            Tok::Name(name) if !is_keyword(&name) => {
                self.advance()?;
                Ok(Expr {
                    kind: ExprKind::Field(name),
                    span: start,
                })
            }
            other => {
                self.tok = other;
                self.unexpected("a field, a value or `(`")
            }
        }
    }
}

fn is_keyword(name: &str) -> bool {
    matches!(name, "and" | "or" | "not" | "present")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round(text: &str) -> String {
        parse(text).unwrap().to_string()
    }

    #[test]
    fn precedence_and_canonical_text() {
        assert_eq!(
            round("a.b   and  c.d<24 or not(e.f)"),
            "a.b and c.d < 24 or not e.f"
        );
        assert_eq!(round("a.b and (c.d or e.f)"), "a.b and (c.d or e.f)");
        assert_eq!(round("(a.b and c.d) and e.f"), "a.b and c.d and e.f");
        assert_eq!(round("a.b and (c.d and e.f)"), "a.b and (c.d and e.f)");
        assert_eq!(round("x not in [\"A\",\"B\",]"), "x not in [\"A\", \"B\"]");
        assert_eq!(round("x < 1d12h"), "x < 36h");
        assert_eq!(round("x < 90m # comment"), "x < 90m");
        assert_eq!(round("x > @2026-12-01"), "x > @2026-12-01");
        assert_eq!(round("x > @2026-12-01T06:30"), "x > @2026-12-01T06:30:00");
        assert_eq!(round("x == 5.0 or x == -2.5"), "x == 5.0 or x == -2.5");
        assert_eq!(round("present(a.b)"), "present(a.b)");
    }

    #[test]
    fn errors_point_at_the_text() {
        let e = parse("a.b == 1 &&  c.d").unwrap_err();
        assert_eq!(e.span.start, 9);
        assert!(e.message.contains("and"), "{}", e.message);
        let e = parse("a.b == \"x").unwrap_err();
        assert_eq!(e.span.start, 7);
        let e = parse("a < b < c").unwrap_err();
        assert!(e.message.contains("chain"));
        let e = parse("(a").unwrap_err();
        assert!(e.message.contains("`)`"), "{}", e.message);
        let e = parse("a == 3q").unwrap_err();
        assert!(e.message.contains("unit"), "{}", e.message);
        assert!(parse("").is_err());
        assert!(parse(&"(".repeat(200)).is_err());
        assert!(parse(&"not ".repeat(200)).is_err());
    }

    #[test]
    fn line_and_column() {
        let text = "a.b == 1\n  and ssr.code == \"x\"";
        let at = text.find("ssr").unwrap();
        assert_eq!(Span::new(at, at + 8).line_column(text), (2, 7));
    }
}
