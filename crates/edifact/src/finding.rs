//! Findings: what a reader tolerated, repaired or could not read, with where it was.
//!
//! A finding never carries the content of a message (names, numbers, dates): its text names
//! tags, qualifiers and positions only, so findings can be logged and shown to carriers.

use std::borrow::Cow;

/// How much a finding matters to whoever relies on the data.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Noted; the data is as the sender meant it.
    Info,
    /// A deviation from the standard was tolerated; the data was read.
    Warning,
    /// Some data is missing, wrong or could not be read as the sender meant it.
    Error,
}

/// One deviation found while reading, placed as precisely as the reader could. Kept with each
/// message as JSON and read back through this type (unknown fields refused).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Finding {
    /// Stable snake_case code; see `docs/findings.md`.
    pub code: Cow<'static, str>,
    pub severity: Severity,
    /// Index of the segment in the file, counting from 0 (UNA included).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub segment: Option<usize>,
    /// Element position in the segment: 1 is the first element after the tag.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub element: Option<usize>,
    /// Component position in the element, counting from 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component: Option<usize>,
    /// A readable sentence, free of personal data.
    pub text: String,
    /// On the `findings_omitted` finding only: how many findings past the cap were counted
    /// but not kept.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub omitted: Option<usize>,
}

/// Findings one reader keeps for one input; past it they are only counted (in one
/// `findings_omitted` finding, as severe as the worst omitted), so that a message of a million
/// empty segments costs what a thousand would.
pub const MAX_FINDINGS: usize = 1_000;

/// Recording findings under the cap.
pub trait Record {
    /// Keeps `finding`, or counts it once `MAX_FINDINGS` are kept.
    fn record(&mut self, finding: Finding);

    /// Records each of `findings` (a summary of omitted ones carries its count over).
    fn record_all<I: IntoIterator<Item = Finding>>(&mut self, findings: I) {
        for f in findings {
            self.record(f);
        }
    }
}

impl Record for Vec<Finding> {
    fn record(&mut self, finding: Finding) {
        let weight = finding.omitted.unwrap_or(1);
        if self.len() < MAX_FINDINGS && finding.omitted.is_none() {
            self.push(finding);
            return;
        }
        if let Some(summary) = self
            .iter_mut()
            .rev()
            .find(|f| f.code == code::FINDINGS_OMITTED)
        {
            summary.omitted = Some(summary.omitted.unwrap_or(0).saturating_add(weight));
            summary.severity = summary.severity.max(finding.severity);
            return;
        }
        let mut summary = Finding::new(
            code::FINDINGS_OMITTED,
            finding.severity,
            format!("more than {MAX_FINDINGS} findings: the rest were counted, not kept"),
        );
        summary.omitted = Some(weight);
        self.push(summary);
    }
}

impl Finding {
    pub fn new(code: &'static str, severity: Severity, text: impl Into<String>) -> Finding {
        Finding {
            code: Cow::Borrowed(code),
            severity,
            segment: None,
            element: None,
            component: None,
            text: text.into(),
            omitted: None,
        }
    }

    pub fn error(code: &'static str, text: impl Into<String>) -> Finding {
        Finding::new(code, Severity::Error, text)
    }

    pub fn warning(code: &'static str, text: impl Into<String>) -> Finding {
        Finding::new(code, Severity::Warning, text)
    }

    pub fn info(code: &'static str, text: impl Into<String>) -> Finding {
        Finding::new(code, Severity::Info, text)
    }

    pub fn at(mut self, segment: usize) -> Finding {
        self.segment = Some(segment);
        self
    }

    pub fn element(mut self, element: usize) -> Finding {
        self.element = Some(element);
        self
    }

    pub fn component(mut self, component: usize) -> Finding {
        self.component = Some(component);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// The stable codes of syntax-level findings.
pub mod code {
    pub const UNA_TRUNCATED: &str = "una_truncated";
    pub const UNA_SEPARATOR_CLASH: &str = "una_separator_clash";
    pub const PREAMBLE_SKIPPED: &str = "preamble_skipped";
    pub const TEXT_AFTER_INTERCHANGE: &str = "text_after_interchange";
    pub const MISSING_SEGMENT_TERMINATOR: &str = "missing_segment_terminator";
    pub const MISSING_FINAL_TERMINATOR: &str = "missing_final_terminator";
    pub const SEGMENT_WRAPPED: &str = "segment_wrapped";
    pub const DANGLING_RELEASE: &str = "dangling_release_character";
    pub const INVALID_SEGMENT_TAG: &str = "invalid_segment_tag";
    pub const EMPTY_SEGMENT: &str = "empty_segment";
    pub const INPUT_TOO_LARGE: &str = "input_too_large";
    pub const UNKNOWN_SYNTAX_IDENTIFIER: &str = "unknown_syntax_identifier";
    pub const CHARACTER_OUTSIDE_REPERTOIRE: &str = "character_outside_repertoire";
    pub const MISSING_INTERCHANGE_HEADER: &str = "missing_interchange_header";
    pub const MISSING_INTERCHANGE_TRAILER: &str = "missing_interchange_trailer";
    pub const MISSING_GROUP_TRAILER: &str = "missing_group_trailer";
    pub const MISSING_MESSAGE_TRAILER: &str = "missing_message_trailer";
    pub const MISSING_MESSAGE_HEADER: &str = "missing_message_header";
    pub const MISSING_ENVELOPE_ELEMENT: &str = "missing_envelope_element";
    pub const SEGMENT_OUTSIDE_MESSAGE: &str = "segment_outside_message";
    pub const SEGMENT_COUNT_MISMATCH: &str = "segment_count_mismatch";
    pub const MESSAGE_COUNT_MISMATCH: &str = "message_count_mismatch";
    pub const REFERENCE_MISMATCH: &str = "reference_mismatch";
    pub const BAD_COUNT_VALUE: &str = "bad_count_value";
    pub const NO_MESSAGE: &str = "no_message";
    pub const TEST_INDICATOR: &str = "test_indicator";
    pub const FINDINGS_OMITTED: &str = "findings_omitted";
    pub const MESSAGE_TOO_LONG: &str = "message_too_long";
}

#[cfg(test)]
mod stored {
    use super::*;

    /// Findings are kept with each message as JSON and read back through this type.
    #[test]
    fn findings_read_back_from_their_json() {
        let kept = vec![
            Finding::error("count_mismatch", "UNT counts 12 segments; 11 were sent")
                .at(14)
                .element(1),
            Finding::warning("released_character", "a released character")
                .at(3)
                .element(2)
                .component(1),
            Finding::info("una_missing", "no UNA: the default separators"),
        ];
        let json = serde_json::to_string(&kept).unwrap();
        let back: Vec<Finding> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, kept);
        // What the intake writes when findings do not serialise reads too.
        let fallback = r#"[{"code":"findings_unwritable","severity":"error","text":"the findings could not be written"}]"#;
        let f: Vec<Finding> = serde_json::from_str(fallback).unwrap();
        assert_eq!(
            (f[0].code.as_ref(), f[0].severity),
            ("findings_unwritable", Severity::Error)
        );
        // A renamed field is an error, not a finding without a position.
        let renamed = json.replace("\"segment\":", "\"segment_index\":");
        assert!(serde_json::from_str::<Vec<Finding>>(&renamed).is_err());
    }
}
