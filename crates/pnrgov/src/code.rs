//! Stable codes of the findings this crate adds to those of the `edifact` crate. The generic ones
//! are shared with `paxlst` and map to ISO 9735 syntax error codes in CONTRL reports.

pub const MISSING_MANDATORY: &str = "missing_mandatory";
pub const BAD_DATE: &str = "bad_date";
pub const BAD_NUMBER: &str = "bad_number";
pub const COUNT_MISMATCH: &str = "count_mismatch";
pub const UNKNOWN_SEGMENT: &str = "unknown_segment";
pub const UNEXPECTED_SEGMENT: &str = "unexpected_segment";
pub const EMPTY_DATE: &str = "empty_date";
pub const UNSUPPORTED_MESSAGE: &str = "unsupported_message";
pub const SENSITIVE_DATA: &str = "sensitive_data";
