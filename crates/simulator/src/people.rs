//! Travellers: names from many cultures as carriers write them, sex, birth, nationality,
//! residence, and a passport with a valid machine-readable zone.

use jiff::civil::Date;
use serde::Serialize;

use crate::data::{Data, Name};
use crate::mrz;
use crate::rng::Rng;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Sex {
    #[serde(rename = "M")]
    Male,
    #[serde(rename = "F")]
    Female,
}

impl Sex {
    pub fn code(self) -> &'static str {
        match self {
            Sex::Male => "M",
            Sex::Female => "F",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Age {
    Adult,
    Child,
    Infant,
}

/// A passport as issued.
#[derive(Debug, Clone, Serialize)]
pub struct Passport {
    pub number: String,
    pub issuing_state: String,
    pub expiry: Date,
    /// The two lines of the machine-readable zone, check digits valid.
    pub mrz: [String; 2],
}

/// A person who travels.
#[derive(Debug, Clone, Serialize)]
pub struct Person {
    pub surname: String,
    /// Given names in order.
    pub given_names: Vec<String>,
    /// The name in its native script, where it differs.
    pub native: Option<String>,
    pub culture: String,
    pub sex: Sex,
    pub age: Age,
    pub birth: Date,
    pub nationality: String,
    pub residence: String,
    pub passport: Passport,
}

impl Person {
    pub fn given(&self) -> String {
        self.given_names.join(" ")
    }
}

/// Letters and digits of passport numbers (no I or O: issuers avoid them).
const DOC: &[u8] = b"ABCDEFGHJKLMNPRSTUVWXYZ0123456789";

fn yymmdd(d: Date) -> String {
    format!(
        "{:02}{:02}{:02}",
        d.year().rem_euclid(100),
        d.month(),
        d.day()
    )
}

pub fn weighted_name<'a>(names: &'a [Name], rng: &mut Rng) -> Option<&'a Name> {
    rng.weighted(names, |n| n.weight)
}

/// A culture for a national of `country`.
pub fn culture_of(data: &Data, country: &str, rng: &mut Rng) -> String {
    data.country_cultures
        .get(country)
        .and_then(|mix| rng.weighted(mix, |(_, w)| *w))
        .map(|(c, _)| c.clone())
        .unwrap_or_else(|| "european".to_string())
}

/// A person of `nationality`, of the given age band, relative to `today`.
pub fn person(
    data: &Data,
    nationality: &str,
    surname: Option<&Name>,
    culture: Option<&str>,
    age: Age,
    today: Date,
    rng: &mut Rng,
) -> Person {
    let culture = culture
        .map(String::from)
        .unwrap_or_else(|| culture_of(data, nationality, rng));
    let pool = data.cultures.get(&culture);
    let sex = if rng.chance(0.5) {
        Sex::Male
    } else {
        Sex::Female
    };
    let given_pool = pool.map_or(&[][..], |p| match sex {
        Sex::Male => &p.male[..],
        Sex::Female => &p.female[..],
    });
    let first = weighted_name(given_pool, rng);
    let mut given_names = vec![first.map_or("ALEX".into(), |n| n.latin.clone())];
    if rng.chance(0.3)
        && let Some(second) = weighted_name(given_pool, rng)
        && Some(second.latin.as_str()) != given_names.first().map(String::as_str)
    {
        given_names.push(second.latin.clone());
    }
    let surname_name = surname
        .cloned()
        .or_else(|| pool.and_then(|p| weighted_name(&p.surnames, rng)).cloned());
    let mut surname = surname_name
        .as_ref()
        .map_or("SYNTH".into(), |n| n.latin.clone());
    if culture == "spanish"
        && surname.split(' ').count() == 1
        && rng.chance(0.5)
        && let Some(second) = pool.and_then(|p| weighted_name(&p.surnames, rng))
    {
        surname = format!("{surname} {}", second.latin);
    }
    let native = match (first, &surname_name) {
        (Some(f), Some(s)) if f.native != f.latin || s.native != s.latin => {
            Some(format!("{} {}", f.native, s.native))
        }
        _ => None,
    };
    let years = match age {
        Age::Adult => rng.between(18, 82),
        Age::Child => rng.between(2, 11),
        Age::Infant => 0,
    };
    let days = rng.between(0, 364) as i64 + 1;
    let birth = today
        .checked_sub(jiff::Span::new().years(years as i64).days(days))
        .unwrap_or(today);
    let expiry = today
        .checked_add(jiff::Span::new().days(rng.between(30, 3650) as i64))
        .unwrap_or(today);
    let number = format!(
        "{}{}",
        rng.code(b"ABCDEFGHJKLMNPRSTUVWXYZ", 2),
        rng.code(DOC, 7)
    );
    let mrz = mrz::td3(&mrz::Passport {
        issuing_state: nationality,
        surname: &surname,
        given_names: &given_names.join(" "),
        number: &number,
        nationality,
        birth: &yymmdd(birth),
        sex: if sex == Sex::Male { 'M' } else { 'F' },
        expiry: &yymmdd(expiry),
    });
    let residence = if rng.chance(0.9) {
        nationality.to_string()
    } else {
        data.airports
            .get(rng.index(data.airports.len()))
            .map_or(nationality.to_string(), |a| a.country.clone())
    };
    Person {
        surname,
        given_names,
        native,
        culture,
        sex,
        age,
        birth,
        nationality: nationality.to_string(),
        residence,
        passport: Passport {
            number,
            issuing_state: nationality.to_string(),
            expiry,
            mrz,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_have_valid_passports_and_plausible_ages() {
        let data = Data::builtin().unwrap();
        let mut rng = Rng::new(3);
        let today = jiff::civil::date(2026, 12, 1);
        for i in 0..500 {
            let age = [Age::Adult, Age::Child, Age::Infant][i % 3];
            let p = person(&data, "EGY", None, None, age, today, &mut rng);
            assert!(
                mrz::td3_line2_is_valid(&p.passport.mrz[1]),
                "{:?}",
                p.passport.mrz
            );
            assert!(p.birth <= today);
            assert!(p.passport.expiry > today);
            let years = (today.year() - p.birth.year()) as u64;
            match age {
                Age::Adult => assert!((18..=84).contains(&years)),
                Age::Child => assert!((2..=13).contains(&years)),
                Age::Infant => assert!(years <= 1),
            }
            assert_eq!(p.culture, "arabic");
            assert!(p.native.is_some());
        }
    }
}
