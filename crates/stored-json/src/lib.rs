//! JSON kept on disk, read back through the type that wrote it.
//!
//! Passage keeps bookings, hit explanations and findings as JSON. Each is written and read
//! through one Rust type, never through string keys or a `#[serde(default)]` mirror, so that a
//! renamed field fails a test instead of silently reading as empty. The types refuse unknown
//! fields; this crate gives them one reader and writer, the version check, and error texts that
//! name fields and positions only: serde_json quotes the value of a wrong type, and stored
//! values are personal data.
//!
//! The version rule: a change that alters what stored JSON means, or how old JSON reads, adds a
//! version; the reader keeps reading every older one, and an unknown version is an error.

use std::ops::RangeInclusive;

/// Stored JSON that does not read (or a value that does not write). Never carries values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoredError {
    #[error("stored {what} version {version} is not one this build reads ({reads:?})")]
    UnknownVersion {
        what: &'static str,
        version: i64,
        reads: RangeInclusive<i64>,
    },
    #[error("stored {what} does not read: {reason}")]
    Unreadable { what: &'static str, reason: String },
    #[error("{what} does not serialise: {reason}")]
    Unwritable { what: &'static str, reason: String },
}

/// `value` as JSON to keep.
pub fn write<T: serde::Serialize>(what: &'static str, value: &T) -> Result<String, StoredError> {
    serde_json::to_string(value).map_err(|e| StoredError::Unwritable {
        what,
        reason: reason(&e),
    })
}

/// Reads kept JSON into `T`.
pub fn read<T: serde::de::DeserializeOwned>(
    what: &'static str,
    json: &str,
) -> Result<T, StoredError> {
    serde_json::from_str(json).map_err(|e| StoredError::Unreadable {
        what,
        reason: reason(&e),
    })
}

/// Reads kept JSON that is already parsed (the store parses JSON columns as it reads them).
pub fn read_value<T: serde::de::DeserializeOwned>(
    what: &'static str,
    value: &serde_json::Value,
) -> Result<T, StoredError> {
    T::deserialize(value).map_err(|e| StoredError::Unreadable {
        what,
        reason: reason(&e),
    })
}

/// Whether `version` is one this build reads.
pub fn known(
    what: &'static str,
    version: i64,
    reads: RangeInclusive<i64>,
) -> Result<(), StoredError> {
    if reads.contains(&version) {
        Ok(())
    } else {
        Err(StoredError::UnknownVersion {
            what,
            version,
            reads,
        })
    }
}

/// A type kept on disk as JSON with a `version` field, under the version rule: written with
/// [`Versioned::VERSION`], read back whatever version from 1 to it, and an error for any other.
pub trait Versioned: serde::Serialize + serde::de::DeserializeOwned {
    /// What it is, for error texts ("screening explanation").
    const WHAT: &'static str;
    /// The version this build writes, and the newest it reads.
    const VERSION: u32;

    /// The version this value says it is.
    fn version(&self) -> u32;

    /// The JSON to keep.
    fn write(&self) -> Result<String, StoredError> {
        write(Self::WHAT, self)
    }

    /// Reads kept JSON.
    fn read(json: &str) -> Result<Self, StoredError> {
        known_version(read(Self::WHAT, json)?)
    }

    /// Reads kept JSON the store has already parsed.
    fn read_value(value: &serde_json::Value) -> Result<Self, StoredError> {
        known_version(read_value(Self::WHAT, value)?)
    }
}

fn known_version<T: Versioned>(value: T) -> Result<T, StoredError> {
    known(
        T::WHAT,
        i64::from(value.version()),
        1..=i64::from(T::VERSION),
    )?;
    Ok(value)
}

/// The version rule, checked for a stored type's tests: `sample` (as this build writes it,
/// without a `version` field) with the field `field` renamed to `renamed` fails naming the
/// unknown field, and the sample marked as version 2 is an unknown version. The first broken
/// expectation is the error.
pub fn check_version_rule<T: std::fmt::Debug>(
    what: &'static str,
    read: impl Fn(&str) -> Result<T, StoredError>,
    sample: &str,
    field: &str,
    renamed: &str,
) -> Result<(), String> {
    let renamed_json = sample.replace(&format!("\"{field}\":"), &format!("\"{renamed}\":"));
    if renamed_json == sample {
        return Err(format!("the sample has no field `{field}`"));
    }
    let expected = StoredError::Unreadable {
        what,
        reason: format!("unknown field `{renamed}`"),
    };
    match read(&renamed_json) {
        Err(e) if e == expected => {}
        other => return Err(format!("renamed `{field}`: {other:?}, not {expected:?}")),
    }
    let later = sample.replacen('{', r#"{"version":2,"#, 1);
    let expected = StoredError::UnknownVersion {
        what,
        version: 2,
        reads: 1..=1,
    };
    match read(&later) {
        Err(e) if e == expected => Ok(()),
        other => Err(format!("version 2: {other:?}, not {expected:?}")),
    }
}

/// What went wrong, without the values: serde_json names the field (ours) for an unknown or a
/// missing field, but quotes the value for a wrong type or an unknown variant.
pub fn reason(e: &serde_json::Error) -> String {
    let text = e.to_string();
    if text.starts_with("unknown field") || text.starts_with("missing field") {
        let end = [text.find(", expected"), text.find(" at line")]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(text.len());
        text.get(..end).unwrap_or(&text).to_string()
    } else {
        format!(
            "{:?} error at line {} column {}",
            e.classify(),
            e.line(),
            e.column()
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Kept {
        name: String,
        count: u32,
    }

    #[test]
    fn errors_name_fields_and_positions_never_values() {
        let ok: Kept = read("thing", r#"{"name":"SYNTH","count":2}"#).unwrap();
        assert_eq!(
            ok,
            Kept {
                name: "SYNTH".into(),
                count: 2
            }
        );
        let unknown = read::<Kept>("thing", r#"{"name":"SYNTH","count":2,"extra":1}"#);
        assert_eq!(
            unknown.unwrap_err().to_string(),
            "stored thing does not read: unknown field `extra`"
        );
        let missing = read::<Kept>("thing", r#"{"name":"SYNTH"}"#);
        assert_eq!(
            missing.unwrap_err().to_string(),
            "stored thing does not read: missing field `count`"
        );
        let wrong = read::<Kept>("thing", r#"{"name":"SYNTH","count":"SYNTH"}"#)
            .unwrap_err()
            .to_string();
        assert!(
            !wrong.contains("SYNTH") && wrong.contains("column 31"),
            "{wrong}"
        );
        assert!(known("thing", 1, 1..=1).is_ok());
        assert_eq!(
            known("thing", 2, 1..=1).unwrap_err().to_string(),
            "stored thing version 2 is not one this build reads (1..=1)"
        );
    }
}
