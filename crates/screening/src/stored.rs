//! The explanation of a screening hit as kept with the hit: written and read through
//! [`StoredExplanation`], so that the console shows what the intake wrote and a renamed field
//! is an error rather than an empty cell.
//!
//! Format 1 is the JSON of [`Explanation`] written since hits were first kept (`entry_name`,
//! `quality`, `name_score`, `comparisons`, `threshold`); from this type on it also carries
//! `"version": 1`. A change to what the JSON means adds a version, and
//! [`StoredExplanation::read`] keeps reading the older ones.

use serde::{Deserialize, Serialize};

use crate::entry::NameQuality;
use crate::matcher::Explanation;
use crate::score::{Comparison, Field};

/// The version [`StoredExplanation::write`] produces.
pub const VERSION: u32 = 1;

pub use stored_json::StoredError;

/// What the errors call it.
const WHAT: &str = "screening explanation";

/// Why an entry was found, as kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredExplanation {
    /// Absent from what was written before the version was: that is version 1.
    #[serde(default = "version_1")]
    pub version: u32,
    /// The entry's name that matched best, as listed.
    pub entry_name: String,
    pub quality: NameQuality,
    pub name_score: f64,
    pub comparisons: Vec<StoredComparison>,
    pub threshold: f64,
    /// When the traveller's side was masked (Directive 2016/681 Art. 12(2)): the values
    /// compared are gone, and readers show them as masked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub masked: Option<String>,
}

/// One comparison between the traveller and the entry, as kept.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StoredComparison {
    pub field: Field,
    pub query: String,
    pub entry: String,
    pub score: f64,
    pub weight: f64,
    pub reason: String,
}

fn version_1() -> u32 {
    1
}

impl StoredComparison {
    /// The field's name as stored (`name_part`, `date_of_birth`, …).
    pub fn field_code(&self) -> &'static str {
        match self.field {
            Field::NamePart => "name_part",
            Field::Name => "name",
            Field::NameFrequency => "name_frequency",
            Field::DateOfBirth => "date_of_birth",
            Field::Sex => "sex",
            Field::Nationality => "nationality",
            Field::Document => "document",
            Field::NameOnly => "name_only",
        }
    }
}

impl From<&Comparison> for StoredComparison {
    fn from(c: &Comparison) -> StoredComparison {
        StoredComparison {
            field: c.field,
            query: c.query.clone(),
            entry: c.entry.clone(),
            score: c.score,
            weight: c.weight,
            reason: c.reason.to_string(),
        }
    }
}

impl From<&Explanation> for StoredExplanation {
    fn from(e: &Explanation) -> StoredExplanation {
        StoredExplanation {
            version: VERSION,
            entry_name: e.entry_name.clone(),
            quality: e.quality,
            name_score: e.name_score,
            comparisons: e.comparisons.iter().map(StoredComparison::from).collect(),
            threshold: e.threshold,
            masked: None,
        }
    }
}

impl stored_json::Versioned for StoredExplanation {
    const WHAT: &'static str = WHAT;
    const VERSION: u32 = VERSION;

    fn version(&self) -> u32 {
        self.version
    }
}

impl StoredExplanation {
    /// The explanation with the traveller's values taken out, masked at `at`; the entry's side
    /// (what the list says) and the scores stay.
    pub fn mask(mut self, at: &str) -> StoredExplanation {
        for c in &mut self.comparisons {
            c.query = String::new();
        }
        self.masked = Some(at.to_string());
        self
    }

    /// The traveller's name as screened: the query side of the whole-name comparison.
    pub fn traveller_name(&self) -> Option<&str> {
        self.comparisons
            .iter()
            .find(|c| c.field == Field::Name)
            .map(|c| c.query.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use stored_json::Versioned;

    /// As the intake wrote it before this type existed (a hit of a simulated traveller on the
    /// simulator's synthetic watchlist).
    const VERSION_1: &str = r#"{"comparisons":[{"entry":"SOPHIE SMITH","field":"name","query":"SOPHIE SMITH","reason":"name score","score":1.0,"weight":1.0},{"entry":"sophie","field":"name_part","query":"sophie","reason":"exact","score":1.0,"weight":0.4488069713115692},{"entry":"smith","field":"name_part","query":"smith","reason":"exact","score":1.0,"weight":0.5511930584907532},{"entry":"","field":"name_only","query":"","reason":"no date of birth and no document: the name alone must carry the hit","score":0.0,"weight":-0.1},{"entry":"SOPHIE SMITH","field":"name_frequency","query":"about 1 in 59000 people","reason":"fairly common name","score":0.942508339881897,"weight":-0.034}],"entry_name":"SOPHIE SMITH","name_score":1.0,"quality":"primary","threshold":0.8}"#;

    #[test]
    fn an_explanation_of_version_1_reads_back() {
        let e = StoredExplanation::read(VERSION_1).unwrap();
        assert_eq!(e.version, 1);
        assert_eq!(e.entry_name, "SOPHIE SMITH");
        assert_eq!(e.quality, NameQuality::Primary);
        assert_eq!((e.name_score, e.threshold), (1.0, 0.8));
        assert_eq!(e.traveller_name(), Some("SOPHIE SMITH"));
        let fields: Vec<Field> = e.comparisons.iter().map(|c| c.field).collect();
        assert_eq!(
            fields,
            [
                Field::Name,
                Field::NamePart,
                Field::NamePart,
                Field::NameOnly,
                Field::NameFrequency
            ]
        );
        assert_eq!(
            e.comparisons[3],
            StoredComparison {
                field: Field::NameOnly,
                query: String::new(),
                entry: String::new(),
                score: 0.0,
                weight: -0.1,
                reason: "no date of birth and no document: the name alone must carry the hit"
                    .into(),
            }
        );
        for c in &e.comparisons {
            assert_eq!(serde_json::to_value(c.field).unwrap(), c.field_code());
        }
        let value: serde_json::Value = serde_json::from_str(VERSION_1).unwrap();
        assert_eq!(StoredExplanation::read_value(&value).unwrap(), e);
        // Written again, it says the same, with its version.
        let again: serde_json::Value = serde_json::from_str(&e.write().unwrap()).unwrap();
        let mut before = value;
        before["version"] = 1.into();
        assert_eq!(again, before);
    }

    #[test]
    fn a_renamed_field_or_an_unknown_version_is_an_error() {
        stored_json::check_version_rule(
            WHAT,
            StoredExplanation::read,
            VERSION_1,
            "entry_name",
            "listed_name",
        )
        .unwrap();
        let gone = VERSION_1.replace(r#","threshold":0.8"#, "");
        assert_eq!(
            StoredExplanation::read(&gone).unwrap_err(),
            StoredError::Unreadable {
                what: WHAT,
                reason: "missing field `threshold`".into()
            }
        );
    }
}
