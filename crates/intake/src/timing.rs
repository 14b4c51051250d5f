//! When messages arrive against the push windows the law sets: PNR not earlier than 48 hours
//! before departure, a first push by 24 hours before, API lists by departure, the close-out
//! soon after it (EU 2016/681 Art. 8(3); API Directive 2004/82 and national rules). Schedules
//! come in local time; the airport's zone turns them into instants. An airport without a known
//! zone leaves the timing unknown, and that is counted too.

use jiff::{SignedDuration, Timestamp};

pub use model::airports::{AirportZones, BadZoneLine};

/// The windows a regime sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PushWindows {
    /// No PNR push earlier than this before departure.
    pub pnr_earliest: SignedDuration,
    /// A flight's first PNR push by this long before departure.
    pub pnr_first_by: SignedDuration,
    /// The close-out within this long after departure.
    pub closeout_within: SignedDuration,
}

impl Default for PushWindows {
    /// The EU's: 48 to 24 hours before departure, and the close-out right after (30 minutes).
    fn default() -> PushWindows {
        PushWindows {
            pnr_earliest: SignedDuration::from_hours(48),
            pnr_first_by: SignedDuration::from_hours(24),
            closeout_within: SignedDuration::from_mins(30),
        }
    }
}

/// How a message's arrival stands against its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timing {
    OnTime,
    Early,
    Late,
    /// The departure airport's zone is not known.
    Unknown,
}

/// A PNR push received at `now` for a departure at `departure`.
pub fn pnr_push(
    windows: &PushWindows,
    departure: Option<Timestamp>,
    now: Timestamp,
    first: bool,
) -> Timing {
    let Some(departure) = departure else {
        return Timing::Unknown;
    };
    let before = departure.duration_since(now);
    if before > windows.pnr_earliest {
        Timing::Early
    } else if first && before < windows.pnr_first_by {
        Timing::Late
    } else {
        Timing::OnTime
    }
}

/// A passenger or crew list (`closeout` false) or a close-out received at `now`.
pub fn api_list(
    windows: &PushWindows,
    departure: Option<Timestamp>,
    now: Timestamp,
    closeout: bool,
) -> Timing {
    let Some(departure) = departure else {
        return Timing::Unknown;
    };
    let after = now.duration_since(departure);
    let allowed = if closeout {
        windows.closeout_within
    } else {
        SignedDuration::ZERO
    };
    if after > allowed {
        Timing::Late
    } else {
        Timing::OnTime
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn zones_read_names_and_offsets_and_refuse_nonsense() {
        let zones = AirportZones::parse("iata,zone\nAMS,+01:00\n# comment\nJFK,-0500\n").unwrap();
        assert_eq!(zones.len(), 2);
        let local: jiff::civil::DateTime = "2026-12-01T10:00".parse().unwrap();
        assert_eq!(zones.instant("ams", local), Some(at("2026-12-01T09:00Z")));
        assert_eq!(zones.instant("JFK", local), Some(at("2026-12-01T15:00Z")));
        assert_eq!(zones.instant("LHR", local), None);
        assert_eq!(AirportZones::parse("AMS").unwrap_err().line, 1);
        assert!(AirportZones::parse("AMSX,+01:00").is_err());
        assert!(AirportZones::parse("AMS,+25:00").is_err());
    }

    #[test]
    fn pushes_are_judged_against_their_windows() {
        let w = PushWindows::default();
        let dep = Some(at("2026-12-03T10:00Z"));
        assert_eq!(
            pnr_push(&w, dep, at("2026-11-30T10:00Z"), true),
            Timing::Early
        );
        assert_eq!(
            pnr_push(&w, dep, at("2026-12-01T12:00Z"), true),
            Timing::OnTime
        );
        assert_eq!(
            pnr_push(&w, dep, at("2026-12-02T12:00Z"), true),
            Timing::Late
        );
        assert_eq!(
            pnr_push(&w, dep, at("2026-12-03T10:05Z"), false),
            Timing::OnTime,
            "the closure push"
        );
        assert_eq!(
            pnr_push(&w, None, at("2026-12-03T10:05Z"), false),
            Timing::Unknown
        );
        assert_eq!(
            api_list(&w, dep, at("2026-12-03T09:40Z"), false),
            Timing::OnTime
        );
        assert_eq!(
            api_list(&w, dep, at("2026-12-03T10:10Z"), false),
            Timing::Late
        );
        assert_eq!(
            api_list(&w, dep, at("2026-12-03T10:25Z"), true),
            Timing::OnTime
        );
        assert_eq!(
            api_list(&w, dep, at("2026-12-03T11:00Z"), true),
            Timing::Late
        );
    }
}
