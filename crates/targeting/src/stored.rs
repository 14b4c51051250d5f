//! The explanation of a targeting hit as kept with the hit: written and read through
//! [`StoredExplanation`], so that the console shows what the intake wrote and a renamed field
//! is an error rather than an empty cell.
//!
//! Format 1 is the JSON `{"steps":[{field, value, test, truth}]}` written since targeting hits
//! were first kept; from this type on it also carries `"version": 1`. A change to what the JSON
//! means adds a version, and [`StoredExplanation::read`] keeps reading the older ones.

use serde::{Deserialize, Serialize};

use crate::eval::{Explanation, Step, Truth};

/// The version [`StoredExplanation::write`] produces.
pub const VERSION: u32 = 1;

pub use stored_json::StoredError;

/// What the errors call it.
const WHAT: &str = "targeting explanation";

/// Every condition of a criterion with the traveller's value and its truth, as kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredExplanation {
    /// Absent from what was written before the version was: that is version 1.
    #[serde(default = "version_1")]
    pub version: u32,
    pub steps: Vec<StoredStep>,
    /// When the traveller's values were masked (Directive 2016/681 Art. 12(2)): readers show
    /// them as masked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub masked: Option<String>,
}

/// One condition as kept: `booking.lead_time_hours = 5 < 24 ✓`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredStep {
    pub field: String,
    pub value: String,
    pub test: String,
    pub truth: Truth,
}

fn version_1() -> u32 {
    1
}

impl From<&Step> for StoredStep {
    fn from(s: &Step) -> StoredStep {
        StoredStep {
            field: s.field.to_string(),
            value: s.value.clone(),
            test: s.test.clone(),
            truth: s.truth,
        }
    }
}

impl From<&Explanation> for StoredExplanation {
    fn from(e: &Explanation) -> StoredExplanation {
        StoredExplanation {
            version: VERSION,
            steps: e.steps.iter().map(StoredStep::from).collect(),
            masked: None,
        }
    }
}

impl StoredExplanation {
    /// The explanation with the traveller's values taken out, masked at `at`; the conditions
    /// and their truth stay.
    pub fn mask(mut self, at: &str) -> StoredExplanation {
        for step in &mut self.steps {
            step.value = String::new();
        }
        self.masked = Some(at.to_string());
        self
    }
}

impl std::fmt::Display for StoredStep {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} = {}", self.field, self.value)?;
        if !self.test.is_empty() {
            write!(f, " {}", self.test)?;
        }
        write!(f, " {}", self.truth.mark())
    }
}

impl stored_json::Versioned for StoredExplanation {
    const WHAT: &'static str = WHAT;
    const VERSION: u32 = VERSION;

    fn version(&self) -> u32 {
        self.version
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stored_json::Versioned;

    /// As the intake wrote it before this type existed (a synthetic criterion's explanation).
    const VERSION_1: &str = r#"{"steps":[{"field":"booking.lead_time_hours","test":"< 168","truth":"unknown","value":"absent"},{"field":"payment.cash","test":"","truth":"true","value":"true"}]}"#;

    #[test]
    fn an_explanation_of_version_1_reads_back() {
        let e = StoredExplanation::read(VERSION_1).unwrap();
        assert_eq!(e.version, 1);
        assert_eq!(
            e.steps,
            [
                StoredStep {
                    field: "booking.lead_time_hours".into(),
                    value: "absent".into(),
                    test: "< 168".into(),
                    truth: Truth::Unknown,
                },
                StoredStep {
                    field: "payment.cash".into(),
                    value: "true".into(),
                    test: String::new(),
                    truth: Truth::True,
                },
            ]
        );
        assert_eq!(
            e.steps[0].to_string(),
            "booking.lead_time_hours = absent < 168 ?"
        );
        let value: serde_json::Value = serde_json::from_str(VERSION_1).unwrap();
        assert_eq!(StoredExplanation::read_value(&value).unwrap(), e);
    }

    #[test]
    fn what_is_written_reads_back_as_evaluated() {
        let c = crate::Criterion::compile("booking.lead_time_hours < 168 and payment.cash", 10.0)
            .unwrap();
        let mut s = crate::Subject::default();
        s.payment.types = vec!["CA".into()];
        let outcome = c.evaluate(&s);
        let written = StoredExplanation::from(&outcome.explanation)
            .write()
            .unwrap();
        assert!(written.starts_with(r#"{"version":1,"steps":"#), "{written}");
        let back = StoredExplanation::read(&written).unwrap();
        let shown: Vec<String> = back.steps.iter().map(ToString::to_string).collect();
        let evaluated: Vec<String> = outcome
            .explanation
            .steps
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(shown, evaluated);
    }

    #[test]
    fn a_renamed_field_or_an_unknown_version_is_an_error() {
        stored_json::check_version_rule(WHAT, StoredExplanation::read, VERSION_1, "truth", "holds")
            .unwrap();
        let wrong = VERSION_1.replace(r#""truth":"true""#, r#""truth":"maybe""#);
        let e = StoredExplanation::read(&wrong).unwrap_err().to_string();
        assert!(!e.contains("maybe"), "{e}");
    }
}
