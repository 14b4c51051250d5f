//! A retention policy: the periods the unit's law sets, read from a TOML file and checked
//! before anything runs. A file that does not read, a period that is not one, or periods that
//! contradict each other (masking after deletion, a period without a link longer than the
//! last one) stop the start with an error naming the key.

use jiff::{Span, Timestamp, tz::TimeZone};
use serde::Deserialize;
use sha2::{Digest, Sha256};

/// The policy shipped as the default: EU Directive 2016/681 as read in C-817/19.
pub const EU_2016_681: &str = include_str!("../policies/eu-2016-681.toml");

/// An example of another regime, documented and tested.
pub const EXAMPLE_THIRD_COUNTRY: &str = include_str!("../policies/example-third-country.toml");

/// Why a policy was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("the retention policy does not read: {0}")]
    Syntax(String),
    #[error("retention policy {key}: {reason}")]
    Value { key: &'static str, reason: String },
    #[error("retention policy: {0}")]
    Conflict(String),
}

/// A period of the law: calendar units as written ("6 months" is six calendar months).
#[derive(Debug, Clone, Copy)]
pub struct Period {
    span: Span,
}

impl PartialEq for Period {
    /// The same period as written ("6 months" is not "P180D").
    fn eq(&self, other: &Period) -> bool {
        self.span.fieldwise() == other.span.fieldwise()
    }
}

impl Eq for Period {}

impl Period {
    fn parse(key: &'static str, text: &str) -> Result<Period, PolicyError> {
        let span: Span = text.trim().parse().map_err(|_| PolicyError::Value {
            key,
            reason: format!(
                "'{}' is not a period (write e.g. \"6 months\", \"24 hours\", \"5 years\")",
                text.chars().take(40).collect::<String>()
            ),
        })?;
        if span.is_negative() {
            return Err(PolicyError::Value {
                key,
                reason: "a period cannot be negative".into(),
            });
        }
        Ok(Period { span })
    }

    /// The instant this period before `now` (in UTC, calendar units as written).
    pub fn before(&self, now: Timestamp) -> Timestamp {
        now.to_zoned_datetime(TimeZone::UTC)
            .checked_sub(self.span)
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::MIN)
    }

    /// The instant this period after `at`.
    pub fn after(&self, at: Timestamp) -> Timestamp {
        at.to_zoned_datetime(TimeZone::UTC)
            .checked_add(self.span)
            .map(|z| z.timestamp())
            .unwrap_or(Timestamp::MAX)
    }

    /// How long the period is from a fixed reference, to compare periods in calendar units.
    fn length(&self) -> Timestamp {
        self.after(Timestamp::UNIX_EPOCH)
    }

    pub fn is_zero(&self) -> bool {
        self.span.is_zero()
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use jiff::fmt::friendly::{Designator, Spacing, SpanPrinter};
        // "6 months", "24 hours", "5 years": as a policy is written.
        let printer = SpanPrinter::new()
            .designator(Designator::Verbose)
            .spacing(Spacing::BetweenUnitsAndDesignators);
        f.write_str(&printer.span_to_string(&self.span))
    }
}

/// Under which law API data were received.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ApiRegime {
    /// Directive 2004/82: deleted a short time after the flight's arrival.
    BorderControl,
    /// Received as part of PNR processing: the PNR periods apply.
    Pnr,
}

/// The policy in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub name: String,
    /// PNR data are masked this long after their transfer (the data with an objective link
    /// that are kept past it).
    pub depersonalise_after: Period,
    /// PNR data without an objective link are deleted this long after their transfer.
    pub unlinked_kept: Period,
    /// Everything is deleted this long after its transfer.
    pub deleted_after: Period,
    pub api_regime: ApiRegime,
    /// Under the border-control regime, API data are deleted this long after arrival.
    pub api_deleted_after_arrival: Period,
    /// The bytes of messages applied to no flight are kept this long.
    pub unapplied_kept: Period,
    /// Audit records and the records of each message's collection are kept this long.
    pub audit_kept: Period,
    /// The SHA-256 of the policy's text, recorded with each run.
    pub sha256: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    name: String,
    pnr: PnrFile,
    api: ApiFile,
    messages: MessagesFile,
    audit: AuditFile,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PnrFile {
    depersonalise_after: String,
    unlinked_kept: String,
    deleted_after: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApiFile {
    regime: String,
    deleted_after_arrival: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MessagesFile {
    unapplied_kept: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AuditFile {
    kept: String,
}

impl Policy {
    /// The default policy (EU Directive 2016/681, C-817/19).
    pub fn eu_2016_681() -> Result<Policy, PolicyError> {
        Policy::parse(EU_2016_681)
    }

    /// Reads and checks a policy file's text.
    pub fn parse(text: &str) -> Result<Policy, PolicyError> {
        let file: File = toml::from_str(text).map_err(|e| PolicyError::Syntax(e.to_string()))?;
        let name = file.name.trim().to_string();
        if name.is_empty() || name.len() > 64 {
            return Err(PolicyError::Value {
                key: "name",
                reason: "a policy has a name of 1 to 64 characters".into(),
            });
        }
        let api_regime = match file.api.regime.as_str() {
            "border-control" => ApiRegime::BorderControl,
            "pnr" => ApiRegime::Pnr,
            _ => {
                return Err(PolicyError::Value {
                    key: "api.regime",
                    reason: "is \"border-control\" or \"pnr\"".into(),
                });
            }
        };
        let policy = Policy {
            name,
            depersonalise_after: Period::parse(
                "pnr.depersonalise_after",
                &file.pnr.depersonalise_after,
            )?,
            unlinked_kept: Period::parse("pnr.unlinked_kept", &file.pnr.unlinked_kept)?,
            deleted_after: Period::parse("pnr.deleted_after", &file.pnr.deleted_after)?,
            api_regime,
            api_deleted_after_arrival: Period::parse(
                "api.deleted_after_arrival",
                &file.api.deleted_after_arrival,
            )?,
            unapplied_kept: Period::parse(
                "messages.unapplied_kept",
                &file.messages.unapplied_kept,
            )?,
            audit_kept: Period::parse("audit.kept", &file.audit.kept)?,
            sha256: Sha256::digest(text.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        };
        policy.check()?;
        Ok(policy)
    }

    fn check(&self) -> Result<(), PolicyError> {
        let longer = |a: &Period, b: &Period| a.length() > b.length();
        if self.deleted_after.is_zero() {
            return Err(PolicyError::Value {
                key: "pnr.deleted_after",
                reason: "the last period cannot be zero".into(),
            });
        }
        if self.audit_kept.is_zero() {
            return Err(PolicyError::Value {
                key: "audit.kept",
                reason: "the records of processing are kept for some time".into(),
            });
        }
        if longer(&self.depersonalise_after, &self.deleted_after) {
            return Err(PolicyError::Conflict(format!(
                "pnr.depersonalise_after ({}) is longer than pnr.deleted_after ({}): data \
                 would be deleted before they are masked",
                self.depersonalise_after, self.deleted_after
            )));
        }
        if longer(&self.unlinked_kept, &self.deleted_after) {
            return Err(PolicyError::Conflict(format!(
                "pnr.unlinked_kept ({}) is longer than pnr.deleted_after ({})",
                self.unlinked_kept, self.deleted_after
            )));
        }
        if longer(&self.api_deleted_after_arrival, &self.deleted_after) {
            return Err(PolicyError::Conflict(format!(
                "api.deleted_after_arrival ({}) is longer than pnr.deleted_after ({})",
                self.api_deleted_after_arrival, self.deleted_after
            )));
        }
        if longer(&self.unapplied_kept, &self.deleted_after) {
            return Err(PolicyError::Conflict(format!(
                "messages.unapplied_kept ({}) is longer than pnr.deleted_after ({})",
                self.unapplied_kept, self.deleted_after
            )));
        }
        // A span that adds to nothing useful (e.g. "1000000 years") is refused too.
        if self.deleted_after.after(Timestamp::UNIX_EPOCH) == Timestamp::MAX
            || self.audit_kept.after(Timestamp::UNIX_EPOCH) == Timestamp::MAX
        {
            return Err(PolicyError::Conflict("a period is out of range".into()));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_policies_read_with_their_figures() {
        let eu = Policy::eu_2016_681().unwrap();
        assert_eq!(eu.name, "eu-2016-681");
        let now: Timestamp = "2027-08-31T12:00:00Z".parse().unwrap();
        assert_eq!(
            eu.depersonalise_after.before(now).to_string(),
            "2027-02-28T12:00:00Z",
            "six calendar months"
        );
        assert_eq!(eu.unlinked_kept, eu.depersonalise_after);
        assert_eq!(
            eu.deleted_after.before(now).to_string(),
            "2022-08-31T12:00:00Z"
        );
        assert_eq!(eu.api_regime, ApiRegime::BorderControl);
        assert_eq!(
            eu.api_deleted_after_arrival.before(now).to_string(),
            "2027-08-30T12:00:00Z"
        );
        assert_eq!(eu.audit_kept, eu.deleted_after);
        assert_eq!(eu.depersonalise_after.to_string(), "6 months");
        assert_eq!(eu.api_deleted_after_arrival.to_string(), "24 hours");
        assert_eq!(eu.deleted_after.to_string(), "5 years");
        let other = Policy::parse(EXAMPLE_THIRD_COUNTRY).unwrap();
        assert_eq!(other.api_regime, ApiRegime::Pnr);
        assert_ne!(other.sha256, eu.sha256);
    }

    #[test]
    fn a_bad_policy_is_refused_with_the_key_that_is_wrong() {
        let with = |from: &str, to: &str| {
            assert!(EU_2016_681.contains(from), "{from}");
            Policy::parse(&EU_2016_681.replace(from, to))
                .unwrap_err()
                .to_string()
        };
        let e = with("\"6 months\"\n# C-817", "\"six months\"\n# C-817");
        assert!(
            e.contains("pnr.depersonalise_after") && e.contains("not a period"),
            "{e}"
        );
        let e = with(
            "deleted_after = \"5 years\"",
            "deleted_after = \"3 months\"",
        );
        assert!(e.contains("longer than pnr.deleted_after"), "{e}");
        let e = with("\"24 hours\"", "\"-24 hours\"");
        assert!(
            e.contains("api.deleted_after_arrival") && e.contains("negative"),
            "{e}"
        );
        let e = with("regime = \"border-control\"", "regime = \"border\"");
        assert!(e.contains("api.regime"), "{e}");
        let e = with("[audit]", "[audit]\nforever = true");
        assert!(e.contains("unknown field"), "{e}");
        let e = with("kept = \"5 years\"", "kept = \"0 days\"");
        assert!(e.contains("audit.kept"), "{e}");
        let e = with(
            "deleted_after = \"5 years\"",
            "deleted_after = \"1000000 years\"",
        );
        assert!(e.contains("not a period") || e.contains("range"), "{e}");
        assert!(
            Policy::parse("name = ")
                .unwrap_err()
                .to_string()
                .contains("does not read")
        );
    }
}
