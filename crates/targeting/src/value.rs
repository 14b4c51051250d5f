//! Types of the catalogue and the values a field takes for one subject.

use std::borrow::Cow;
use std::fmt;

use jiff::civil::DateTime;
use serde::Serialize;

/// The type of a catalogue field or of an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Type {
    Bool,
    Int,
    Float,
    String,
    StringList,
    DateTime,
    Duration,
}

impl Type {
    pub fn name(self) -> &'static str {
        match self {
            Type::Bool => "bool",
            Type::Int => "int",
            Type::Float => "float",
            Type::String => "string",
            Type::StringList => "string list",
            Type::DateTime => "date-time",
            Type::Duration => "duration",
        }
    }

    pub fn is_number(self) -> bool {
        matches!(self, Type::Int | Type::Float)
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a field is for one subject. Strings are borrowed from the subject where they can be.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum Value<'a> {
    /// Not known for this subject (the message did not say).
    #[default]
    Absent,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(Cow<'a, str>),
    List(Vec<Cow<'a, str>>),
    DateTime(DateTime),
    /// Seconds.
    Duration(i64),
}

impl Value<'_> {
    pub fn is_absent(&self) -> bool {
        matches!(self, Value::Absent)
    }

    pub(crate) fn as_f64(&self) -> Option<f64> {
        match self {
            Value::Int(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        }
    }
}

impl fmt::Display for Value<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Value::Absent => f.write_str("absent"),
            Value::Bool(b) => write!(f, "{b}"),
            Value::Int(i) => write!(f, "{i}"),
            Value::Float(x) => {
                // For people: two decimals at most, no trailing zeros (5, 4.5, 3.33).
                let text = format!("{x:.2}");
                let text = if text.contains('.') {
                    text.trim_end_matches('0').trim_end_matches('.')
                } else {
                    &text
                };
                f.write_str(if text == "-0" { "0" } else { text })
            }
            Value::Str(s) => write_string(f, s),
            Value::List(items) => {
                f.write_str("[")?;
                for (i, s) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write_string(f, s)?;
                }
                f.write_str("]")
            }
            Value::DateTime(dt) => write!(f, "@{dt}"),
            Value::Duration(secs) => write_duration(f, *secs),
        }
    }
}

/// A float as the language writes it: always with a point or an exponent, shortest round trip,
/// with one decimal for round numbers. Not-a-number and infinities never come out of the parser.
pub(crate) fn write_float(f: &mut fmt::Formatter<'_>, x: f64) -> fmt::Result {
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
        write!(f, "{x:.1}")
    } else {
        write!(f, "{x:?}")
    }
}

/// A string literal with `"` and `\` escaped.
pub(crate) fn write_string(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str("\"")?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            c => write!(f, "{c}")?,
        }
    }
    f.write_str("\"")
}

/// A duration in the largest unit that divides it: `3d`, `36h`, `90m`, `45s`; negative with `-`.
pub(crate) fn write_duration(f: &mut fmt::Formatter<'_>, secs: i64) -> fmt::Result {
    let (n, unit) = if secs != 0 && secs % 86_400 == 0 {
        (secs / 86_400, "d")
    } else if secs != 0 && secs % 3_600 == 0 {
        (secs / 3_600, "h")
    } else if secs != 0 && secs % 60 == 0 {
        (secs / 60, "m")
    } else {
        (secs, "s")
    };
    write!(f, "{n}{unit}")
}
