//! Dates as EDIFACT sends them: DTM format qualifiers (2379: 101, 102, 201, 203, 204), two-digit
//! years and the century they belong to. Message crates with their own layouts (PADIS DDMMYY)
//! use [`place_year`] for the century.

use jiff::civil::{Date, DateTime, Time};

/// How a two-digit year is placed in a century, relative to a reference date (the date the
/// message was prepared, or the flight date).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Century {
    /// Never after the reference date: dates of birth and of issue.
    Past,
    /// Within fifty years either side of the reference: expiry dates.
    Around,
    /// Nearest to the reference date: schedules.
    Nearest,
}

/// A date with an optional time of day, local to the place it concerns, as sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LocalDateTime {
    pub date: Date,
    pub time: Option<Time>,
}

impl LocalDateTime {
    pub fn datetime(&self) -> DateTime {
        self.date.to_datetime(self.time.unwrap_or(Time::midnight()))
    }
}

impl std::fmt::Display for LocalDateTime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.time {
            Some(t) => write!(f, "{}T{}", self.date, t.strftime("%H:%M")),
            None => write!(f, "{}", self.date),
        }
    }
}

impl serde::Serialize for LocalDateTime {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl std::str::FromStr for LocalDateTime {
    type Err = DateProblem;

    /// Reads what `Display` writes: `2026-12-01` or `2026-12-01T06:30` (seconds, when
    /// given, are kept).
    fn from_str(text: &str) -> Result<LocalDateTime, DateProblem> {
        let (date, time) = match text.split_once('T') {
            Some((d, t)) => (d, Some(t)),
            None => (text, None),
        };
        let date: Date = date.parse().map_err(|_| DateProblem::Unreadable)?;
        let time = match time {
            None => None,
            Some(t) => Some(t.parse::<Time>().map_err(|_| DateProblem::Unreadable)?),
        };
        Ok(LocalDateTime { date, time })
    }
}

impl<'de> serde::Deserialize<'de> for LocalDateTime {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        text.parse()
            .map_err(|_| serde::de::Error::custom("not a local date and time (YYYY-MM-DD[THH:MM])"))
    }
}

/// Why a DTM value could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DateProblem {
    /// The value has no digits in a known layout.
    Unreadable,
    /// The digits are in a known layout but name no calendar date or time.
    Invalid,
}

/// A read value and what was tolerated on the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateReading {
    pub value: LocalDateTime,
    /// The value carried blanks, which were removed.
    pub had_blanks: bool,
    /// The value's length did not fit the stated format; the layout was taken from the length.
    pub format_mismatch: bool,
}

/// Reads a DTM 2380 value under format qualifier 2379 (101, 102, 201, 203, 204; absent = by
/// length), placing two-digit years by `century` around `reference`.
pub fn read(
    value: &str,
    format: Option<&str>,
    century: Century,
    reference: Option<Date>,
) -> Result<DateReading, DateProblem> {
    let had_blanks = value.bytes().any(|b| b == b' ');
    let digits: std::borrow::Cow<'_, str> = if had_blanks {
        value
            .chars()
            .filter(|c| *c != ' ')
            .collect::<String>()
            .into()
    } else {
        value.into()
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DateProblem::Unreadable);
    }
    let by_length = layout_for_length(digits.len());
    let stated = format.and_then(layout_for_format);
    let (layout, format_mismatch) = match (stated, by_length) {
        (Some(s), _) if s.len() == digits.len() => (s, false),
        (Some(_), Some(l)) => (l, true),
        (None, Some(l)) => (l, format.is_some()),
        (_, None) => return Err(DateProblem::Unreadable),
    };
    let n = |from: usize, len: usize| -> i32 {
        digits
            .get(from..from + len)
            .and_then(|s| s.parse().ok())
            .unwrap_or(-1)
    };
    let (year, rest) = if layout.four_digit_year {
        (n(0, 4), 4)
    } else {
        (place_year(n(0, 2), n(2, 2), n(4, 2), century, reference), 2)
    };
    let month = n(rest, 2);
    let day = n(rest + 2, 2);
    let date = Date::new(
        i16::try_from(year).map_err(|_| DateProblem::Invalid)?,
        i8::try_from(month).map_err(|_| DateProblem::Invalid)?,
        i8::try_from(day).map_err(|_| DateProblem::Invalid)?,
    )
    .map_err(|_| DateProblem::Invalid)?;
    let time = if layout.time {
        let hour = n(rest + 4, 2);
        let minute = n(rest + 6, 2);
        let second = if layout.seconds { n(rest + 8, 2) } else { 0 };
        let t = Time::new(
            i8::try_from(hour).map_err(|_| DateProblem::Invalid)?,
            i8::try_from(minute).map_err(|_| DateProblem::Invalid)?,
            i8::try_from(second).map_err(|_| DateProblem::Invalid)?,
            0,
        )
        .map_err(|_| DateProblem::Invalid)?;
        Some(t)
    } else {
        None
    };
    Ok(DateReading {
        value: LocalDateTime { date, time },
        had_blanks,
        format_mismatch,
    })
}

#[derive(Debug, Clone, Copy)]
struct Layout {
    four_digit_year: bool,
    time: bool,
    seconds: bool,
}

impl Layout {
    fn len(&self) -> usize {
        (if self.four_digit_year { 8 } else { 6 })
            + if self.time { 4 } else { 0 }
            + if self.seconds { 2 } else { 0 }
    }
}

const YYMMDD: Layout = Layout {
    four_digit_year: false,
    time: false,
    seconds: false,
};
const CCYYMMDD: Layout = Layout {
    four_digit_year: true,
    time: false,
    seconds: false,
};
const YYMMDDHHMM: Layout = Layout {
    four_digit_year: false,
    time: true,
    seconds: false,
};
const CCYYMMDDHHMM: Layout = Layout {
    four_digit_year: true,
    time: true,
    seconds: false,
};
const CCYYMMDDHHMMSS: Layout = Layout {
    four_digit_year: true,
    time: true,
    seconds: true,
};

fn layout_for_format(format: &str) -> Option<Layout> {
    Some(match format.trim() {
        "101" => YYMMDD,
        "102" => CCYYMMDD,
        "201" => YYMMDDHHMM,
        "203" => CCYYMMDDHHMM,
        "204" => CCYYMMDDHHMMSS,
        _ => return None,
    })
}

fn layout_for_length(len: usize) -> Option<Layout> {
    Some(match len {
        6 => YYMMDD,
        8 => CCYYMMDD,
        10 => YYMMDDHHMM,
        12 => CCYYMMDDHHMM,
        14 => CCYYMMDDHHMMSS,
        _ => return None,
    })
}

/// Chooses the century for a two-digit year. Without a reference, years fall in 2000–2099
/// for schedules and expiries, and in the last hundred years before 2070 for births.
pub fn place_year(yy: i32, month: i32, day: i32, century: Century, reference: Option<Date>) -> i32 {
    if yy < 0 {
        return -1;
    }
    let Some(reference) = reference else {
        return match century {
            Century::Past if yy >= 70 => 1900 + yy,
            _ => 2000 + yy,
        };
    };
    let ref_year = i32::from(reference.year());
    let base = ref_year - ref_year.rem_euclid(100);
    let candidates = [base - 100 + yy, base + yy, base + 100 + yy];
    let key = |y: i32| (y, month, day);
    let ref_key = (
        ref_year,
        i32::from(reference.month()),
        i32::from(reference.day()),
    );
    match century {
        Century::Past => candidates
            .into_iter()
            .filter(|&y| key(y) <= ref_key)
            .max()
            .unwrap_or(base - 100 + yy),
        Century::Around => candidates
            .into_iter()
            .find(|&y| y > ref_year - 50 && y <= ref_year + 50)
            .unwrap_or(base + yy),
        Century::Nearest => candidates
            .into_iter()
            .min_by_key(|&y| (y - ref_year).abs())
            .unwrap_or(base + yy),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    fn r(value: &str, format: Option<&str>, c: Century, reference: Option<Date>) -> String {
        read(value, format, c, reference).unwrap().value.to_string()
    }

    #[test]
    fn formats() {
        let reference = Some(date(2013, 6, 20));
        assert_eq!(
            r("1306210900", Some("201"), Century::Nearest, reference),
            "2013-06-21T09:00"
        );
        assert_eq!(
            r("19720907", Some("102"), Century::Past, reference),
            "1972-09-07"
        );
        assert_eq!(
            r("201306210900", Some("203"), Century::Nearest, reference),
            "2013-06-21T09:00"
        );
        assert_eq!(r("720907", None, Century::Past, reference), "1972-09-07");
    }

    #[test]
    fn birth_is_never_in_the_future() {
        let reference = Some(date(2026, 11, 27));
        assert_eq!(r("250412", None, Century::Past, reference), "2025-04-12");
        assert_eq!(r("261127", None, Century::Past, reference), "2026-11-27");
        assert_eq!(r("261128", None, Century::Past, reference), "1926-11-28");
        assert_eq!(r("560620", None, Century::Past, reference), "1956-06-20");
    }

    #[test]
    fn expiry_may_be_in_the_future() {
        let reference = Some(date(2026, 11, 27));
        assert_eq!(r("281115", None, Century::Around, reference), "2028-11-15");
        assert_eq!(r("080911", None, Century::Around, reference), "2008-09-11");
        let reference = Some(date(1999, 1, 1));
        assert_eq!(r("030101", None, Century::Around, reference), "2003-01-01");
    }

    #[test]
    fn schedules_are_nearest() {
        let reference = Some(date(2099, 12, 31));
        assert_eq!(
            r("0001010030", Some("201"), Century::Nearest, reference),
            "2100-01-01T00:30"
        );
    }

    #[test]
    fn blanks_and_format_mismatch_are_tolerated() {
        let d = read(" 1306212200", Some("201"), Century::Nearest, None).unwrap();
        assert!(d.had_blanks && !d.format_mismatch);
        let d = read("19720907", Some("101"), Century::Past, None).unwrap();
        assert!(d.format_mismatch);
        assert_eq!(d.value.to_string(), "1972-09-07");
    }

    #[test]
    fn bad_values() {
        assert_eq!(
            read("", None, Century::Past, None),
            Err(DateProblem::Unreadable)
        );
        assert_eq!(
            read("72O907", None, Century::Past, None),
            Err(DateProblem::Unreadable)
        );
        assert_eq!(
            read("1234567", None, Century::Past, None),
            Err(DateProblem::Unreadable)
        );
        assert_eq!(
            read("720230", None, Century::Past, None),
            Err(DateProblem::Invalid)
        );
        assert_eq!(
            read("1306212460", Some("201"), Century::Past, None),
            Err(DateProblem::Invalid)
        );
    }
}

#[cfg(test)]
mod text_form {
    use super::*;

    #[test]
    fn a_local_date_time_reads_back_what_it_writes() {
        for text in ["2026-12-01", "2026-12-01T06:30"] {
            let t: LocalDateTime = text.parse().unwrap();
            assert_eq!(t.to_string(), text);
        }
        let t: LocalDateTime = "2026-12-01T06:30".parse().unwrap();
        assert_eq!(t.time, Some(Time::constant(6, 30, 0, 0)));
        let s: LocalDateTime = serde_json::from_str("\"2026-12-01T06:30:15\"").unwrap();
        assert_eq!(s.time, Some(Time::constant(6, 30, 15, 0)));
        assert!("2026-13-01".parse::<LocalDateTime>().is_err());
        assert!("2026-12-01T25:00".parse::<LocalDateTime>().is_err());
        assert!(serde_json::from_str::<LocalDateTime>("12").is_err());
    }
}
