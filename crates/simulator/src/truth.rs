//! Ground truth for screening: a synthetic watchlist, travellers planted on it under controlled
//! variations, and look-alikes who are not on it.

use jiff::civil::Date;
use serde::Serialize;

use crate::data::{Data, Name};
use crate::people::{self, Age, Person};
use crate::rng::Rng;

/// A birth date as a list gives it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ListedBirth {
    Exact(Date),
    Year(i16),
}

impl std::fmt::Display for ListedBirth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ListedBirth::Exact(d) => write!(f, "{d}"),
            ListedBirth::Year(y) => write!(f, "{y}"),
        }
    }
}

/// One person on the synthetic watchlist.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    pub id: String,
    pub surname: String,
    pub given_names: Vec<String>,
    #[serde(skip)]
    pub surname_name: Option<Name>,
    #[serde(skip)]
    pub given_name: Option<Name>,
    pub birth: ListedBirth,
    pub sex: &'static str,
    pub nationality: String,
    pub document: Option<String>,
    pub reason: &'static str,
    #[serde(skip)]
    pub culture: String,
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The watchlist as a national-watchlist CSV (the format of `docs/watchlist-csv.md`), so that
/// Passage can import it like a unit's own list.
pub fn watchlist_csv(entries: &[Entry]) -> String {
    let mut out = String::from(
        "id,kind,family_name,given_names,birth_date,sex,nationalities,document_number,document_issuing_state,reason\n",
    );
    for e in entries {
        out.push_str(&format!(
            "{},person,{},{},{},{},{},{},{},{}\n",
            e.id,
            csv_field(&e.surname),
            csv_field(&e.given_names.join(" ")),
            e.birth,
            e.sex,
            e.nationality,
            e.document.as_deref().unwrap_or(""),
            if e.document.is_some() {
                e.nationality.as_str()
            } else {
                ""
            },
            e.reason
        ));
    }
    out
}

/// How a planted traveller's data differs from the entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Variation {
    Exact,
    Typo,
    Transliteration,
    SwappedOrder,
    DroppedMiddleName,
    YearOnlyBirth,
    DocumentKeyingError,
}

const VARIATIONS: [Variation; 7] = [
    Variation::Exact,
    Variation::Typo,
    Variation::Transliteration,
    Variation::SwappedOrder,
    Variation::DroppedMiddleName,
    Variation::YearOnlyBirth,
    Variation::DocumentKeyingError,
];

/// What a traveller is to the watchlist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Relation {
    /// The traveller is the listed person: screening should find them.
    Listed(Variation),
    /// Same name as the entry but another person: screening should not confirm them.
    LookAlike,
}

/// One line of the truth file.
#[derive(Debug, Clone, Serialize)]
pub struct Truth {
    pub flight: String,
    pub passenger_reference: String,
    pub booking: String,
    pub entry: String,
    pub relation: Relation,
}

const REASONS: [&str; 4] = ["TERRORISM", "SANCTIONS", "WANTED PERSON", "SERIOUS CRIME"];

/// A watchlist of `n` synthetic people.
pub fn watchlist(data: &Data, n: usize, today: Date, rng: &mut Rng) -> Vec<Entry> {
    let countries: Vec<&String> = data.country_cultures.keys().collect();
    let mut countries: Vec<String> = countries.into_iter().cloned().collect();
    countries.sort();
    (0..n)
        .map(|i| {
            let nationality = rng
                .pick(&countries)
                .cloned()
                .unwrap_or_else(|| "XXA".into());
            let culture = people::culture_of(data, &nationality, rng);
            let pool = data.cultures.get(&culture);
            let surname_name = pool
                .and_then(|p| people::weighted_name(&p.surnames, rng))
                .cloned();
            let p = people::person(
                data,
                &nationality,
                surname_name.as_ref(),
                Some(&culture),
                Age::Adult,
                today,
                rng,
            );
            let given_pool = pool.map_or(&[][..], |pool| match p.sex {
                people::Sex::Male => &pool.male[..],
                people::Sex::Female => &pool.female[..],
            });
            let given_name = given_pool
                .iter()
                .find(|n| Some(&n.latin) == p.given_names.first())
                .cloned();
            Entry {
                id: format!("SYN-{:05}", i + 1),
                surname: p.surname.clone(),
                given_names: p.given_names.clone(),
                surname_name,
                given_name,
                birth: if rng.chance(0.3) {
                    ListedBirth::Year(p.birth.year())
                } else {
                    ListedBirth::Exact(p.birth)
                },
                sex: p.sex.code(),
                nationality,
                document: rng.chance(0.5).then(|| p.passport.number.clone()),
                reason: REASONS
                    .get(rng.index(REASONS.len()))
                    .copied()
                    .unwrap_or("SANCTIONS"),
                culture,
            }
        })
        .collect()
}

/// One keying error: a swap of neighbours, a doubled or dropped letter, or a neighbour key.
pub fn typo(s: &str, rng: &mut Rng) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    let letters: Vec<usize> = (0..chars.len())
        .filter(|&i| chars.get(i).is_some_and(|c| c.is_ascii_alphabetic()))
        .collect();
    let Some(&at) = rng.pick(&letters) else {
        return s.to_string();
    };
    match rng.below(3) {
        0 if at + 1 < chars.len()
            && chars.get(at + 1).is_some_and(|c| c.is_ascii_alphabetic())
            && chars.get(at) != chars.get(at + 1) =>
        {
            chars.swap(at, at + 1)
        }
        1 if chars.len() > 3 => {
            chars.remove(at);
        }
        _ => {
            if let Some(c) = chars.get(at).copied() {
                chars.insert(at, c);
            }
        }
    }
    chars.into_iter().collect()
}

/// A document number as a person may key it: a letter read as a digit or neighbours swapped.
fn keying_error(number: &str, rng: &mut Rng) -> String {
    let confusable = [
        ('O', '0'),
        ('0', 'O'),
        ('I', '1'),
        ('1', 'I'),
        ('S', '5'),
        ('5', 'S'),
        ('B', '8'),
        ('8', 'B'),
    ];
    if let Some(&(from, to)) = confusable.iter().find(|(from, _)| number.contains(*from))
        && rng.chance(0.6)
    {
        return number.replacen(from, &to.to_string(), 1);
    }
    let mut chars: Vec<char> = number.chars().collect();
    let at = 2 + rng.index(chars.len().saturating_sub(3).max(1));
    if at + 1 < chars.len() && chars.get(at) != chars.get(at + 1) {
        chars.swap(at, at + 1);
    } else if let Some(c) = chars.get_mut(at) {
        *c = if *c == '7' { '1' } else { '7' };
    }
    chars.into_iter().collect()
}

/// Makes `p` the listed person of `entry`, varied as `variation` says.
pub fn plant(p: &mut Person, entry: &Entry, variation: Variation, rng: &mut Rng) {
    p.surname = entry.surname.clone();
    p.given_names = entry.given_names.clone();
    p.nationality = entry.nationality.clone();
    p.passport.issuing_state = entry.nationality.clone();
    p.sex = if entry.sex == "M" {
        people::Sex::Male
    } else {
        people::Sex::Female
    };
    p.age = Age::Adult;
    p.birth = match entry.birth {
        ListedBirth::Exact(d) => d,
        ListedBirth::Year(y) => {
            jiff::civil::Date::new(y, rng.between(1, 12) as i8, rng.between(1, 28) as i8)
                .unwrap_or(p.birth)
        }
    };
    if let Some(doc) = &entry.document {
        p.passport.number = doc.clone();
    }
    match variation {
        Variation::Exact | Variation::YearOnlyBirth => {}
        Variation::Typo => {
            if rng.chance(0.5) {
                p.surname = typo(&p.surname, rng);
            } else if let Some(g) = p.given_names.first_mut() {
                *g = typo(g, rng);
            }
        }
        Variation::Transliteration => {
            let surname_variant = entry
                .surname_name
                .as_ref()
                .and_then(|n| rng.pick(&n.variants).cloned());
            let given_variant = entry
                .given_name
                .as_ref()
                .and_then(|n| rng.pick(&n.variants).cloned());
            match (surname_variant, given_variant) {
                (Some(s), Some(g)) if rng.chance(0.5) => {
                    p.surname = s;
                    if let Some(first) = p.given_names.first_mut() {
                        *first = g;
                    }
                }
                (Some(s), _) => p.surname = s,
                (None, Some(g)) => {
                    if let Some(first) = p.given_names.first_mut() {
                        *first = g;
                    }
                }
                (None, None) => p.surname = typo(&p.surname, rng),
            }
        }
        Variation::SwappedOrder => {
            let given = p.given_names.join(" ");
            p.given_names = vec![p.surname.clone()];
            p.surname = given;
        }
        Variation::DroppedMiddleName => p.given_names.truncate(1),
        Variation::DocumentKeyingError => {
            p.passport.number = keying_error(&p.passport.number, rng);
        }
    }
}

/// Makes `p` share the entry's name while being someone else: other birth, other nationality.
pub fn look_alike(p: &mut Person, entry: &Entry, rng: &mut Rng) {
    p.surname = entry.surname.clone();
    p.given_names = entry.given_names.clone();
    let listed_year = match entry.birth {
        ListedBirth::Exact(d) => d.year(),
        ListedBirth::Year(y) => y,
    };
    let shift = rng.between(4, 30) as i16;
    let year = if listed_year - shift > 1930 {
        listed_year - shift
    } else {
        listed_year + shift
    };
    p.birth = jiff::civil::Date::new(year.min(2006), p.birth.month(), p.birth.day().min(28))
        .unwrap_or(p.birth);
    if p.nationality == entry.nationality {
        p.nationality = if entry.nationality == "GBR" {
            "IRL".into()
        } else {
            "GBR".into()
        };
        p.passport.issuing_state = p.nationality.clone();
    }
}

/// A variation drawn evenly.
pub fn any_variation(rng: &mut Rng) -> Variation {
    VARIATIONS
        .get(rng.index(VARIATIONS.len()))
        .copied()
        .unwrap_or(Variation::Exact)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typos_change_one_thing() {
        let mut rng = Rng::new(5);
        for _ in 0..200 {
            let t = typo("KUZNETSOV", &mut rng);
            assert_ne!(t, "KUZNETSOV");
            assert!((t.len() as i32 - 9).abs() <= 1, "{t}");
        }
        for _ in 0..200 {
            let k = keying_error("AB1234567", &mut rng);
            assert_ne!(k, "AB1234567");
            assert_eq!(k.len(), 9);
        }
    }
}
