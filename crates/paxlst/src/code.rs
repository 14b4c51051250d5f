//! Stable codes of the findings this crate adds to those of the `edifact` crate.
//!
//! The generic ones (`missing_mandatory`, `bad_code_value`, `bad_date`, `count_mismatch`,
//! `unknown_segment`, `too_long`) map to ISO 9735 syntax error codes in CONTRL reports.

pub const MISSING_MANDATORY: &str = "missing_mandatory";
pub const BAD_CODE_VALUE: &str = "bad_code_value";
pub const BAD_DATE: &str = "bad_date";
pub const BAD_NUMBER: &str = "bad_number";
pub const DATE_FORMAT_MISMATCH: &str = "date_format_mismatch";
pub const BLANKS_IN_VALUE: &str = "blanks_in_value";
pub const COUNT_MISMATCH: &str = "count_mismatch";
pub const UNKNOWN_SEGMENT: &str = "unknown_segment";
pub const UNEXPECTED_SEGMENT: &str = "unexpected_segment";
pub const TOO_LONG: &str = "too_long";
pub const UNSUPPORTED_MESSAGE: &str = "unsupported_message";
pub const SERIES_INCOMPLETE: &str = "series_incomplete";
pub const SERIES_DUPLICATE_PART: &str = "series_duplicate_part";
pub const SERIES_MISMATCH: &str = "series_mismatch";
