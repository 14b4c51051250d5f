//! The reference tables the simulator draws from, shipped in `data/` and documented in
//! `data/SOURCES.md`: airports, carriers, names by culture, country cultures and rates.

use std::collections::HashMap;

/// A table line that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file} line {line}: {problem}")]
pub struct DataError {
    pub file: &'static str,
    pub line: usize,
    pub problem: String,
}

#[derive(Debug, Clone)]
pub struct Airport {
    pub iata: String,
    pub country: String,
    pub city: String,
    pub utc_offset_minutes: i32,
    pub weight: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// EDIFACT over a modern channel: standard separators, whole lists.
    Edifact,
    /// Relayed over Type B: restricted separators, parts of a few dozen persons, framing.
    TypeB,
}

#[derive(Debug, Clone)]
pub struct Carrier {
    pub code: String,
    pub numeric: String,
    pub name: String,
    pub home: String,
    pub seats: Vec<u32>,
    pub delivery: Delivery,
}

/// One name form as carriers write it, with its native script and other Latin spellings.
#[derive(Debug, Clone)]
pub struct Name {
    pub latin: String,
    pub native: String,
    pub variants: Vec<String>,
    pub weight: u32,
}

#[derive(Debug, Clone, Default)]
pub struct NamePool {
    pub male: Vec<Name>,
    pub female: Vec<Name>,
    pub surnames: Vec<Name>,
}

#[derive(Debug, Clone)]
pub struct Data {
    pub airports: Vec<Airport>,
    pub carriers: Vec<Carrier>,
    pub cultures: HashMap<String, NamePool>,
    /// Country → (culture, weight).
    pub country_cultures: HashMap<String, Vec<(String, u32)>>,
    pub rates: HashMap<String, f64>,
}

const AIRPORTS: &str = include_str!("../data/airports.csv");
const CARRIERS: &str = include_str!("../data/carriers.csv");
const CULTURES: &str = include_str!("../data/cultures.csv");
const RATES: &str = include_str!("../data/rates.csv");
const NAMES: &[(&str, &str)] = &[
    ("arabic", include_str!("../data/names/arabic.csv")),
    ("persian", include_str!("../data/names/persian.csv")),
    ("chinese", include_str!("../data/names/chinese.csv")),
    ("russian", include_str!("../data/names/russian.csv")),
    ("spanish", include_str!("../data/names/spanish.csv")),
    (
        "west_african",
        include_str!("../data/names/west_african.csv"),
    ),
    ("south_asian", include_str!("../data/names/south_asian.csv")),
    ("european", include_str!("../data/names/european.csv")),
];

/// Lines of a CSV table without comments and header, split on commas, numbered from 1.
fn rows(text: &str) -> impl Iterator<Item = (usize, Vec<&str>)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty() && !l.starts_with('#'))
        .skip(1)
        .map(|(i, l)| (i + 1, l.split(',').map(str::trim).collect()))
}

fn field<'a>(
    row: &[&'a str],
    at: usize,
    file: &'static str,
    line: usize,
) -> Result<&'a str, DataError> {
    row.get(at).copied().ok_or_else(|| DataError {
        file,
        line,
        problem: format!("missing column {}", at + 1),
    })
}

fn number<T: std::str::FromStr>(
    value: &str,
    file: &'static str,
    line: usize,
) -> Result<T, DataError> {
    value.parse().map_err(|_| DataError {
        file,
        line,
        problem: format!("'{value}' is not a number"),
    })
}

impl Data {
    /// The tables shipped with the simulator.
    pub fn builtin() -> Result<Data, DataError> {
        let mut airports = Vec::new();
        for (line, row) in rows(AIRPORTS) {
            let f = |i| field(&row, i, "airports.csv", line);
            airports.push(Airport {
                iata: f(0)?.to_string(),
                country: f(1)?.to_string(),
                city: f(2)?.to_string(),
                utc_offset_minutes: number(f(3)?, "airports.csv", line)?,
                weight: number(f(4)?, "airports.csv", line)?,
            });
        }
        let mut carriers = Vec::new();
        for (line, row) in rows(CARRIERS) {
            let f = |i| field(&row, i, "carriers.csv", line);
            let seats = f(4)?
                .split('|')
                .map(|s| number(s, "carriers.csv", line))
                .collect::<Result<Vec<u32>, _>>()?;
            carriers.push(Carrier {
                code: f(0)?.to_string(),
                numeric: f(1)?.to_string(),
                name: f(2)?.to_string(),
                home: f(3)?.to_string(),
                seats,
                delivery: match f(5)? {
                    "typeb" => Delivery::TypeB,
                    _ => Delivery::Edifact,
                },
            });
        }
        let mut cultures = HashMap::new();
        for (culture, text) in NAMES {
            let mut pool = NamePool::default();
            for (line, row) in rows(text) {
                let f = |i| field(&row, i, "names/*.csv", line);
                let name = Name {
                    latin: f(1)?.to_string(),
                    native: f(2)?.to_string(),
                    variants: f(3)?
                        .split('|')
                        .filter(|v| !v.is_empty())
                        .map(String::from)
                        .collect(),
                    weight: number(f(4)?, "names/*.csv", line)?,
                };
                match f(0)? {
                    "given_m" => pool.male.push(name),
                    "given_f" => pool.female.push(name),
                    "surname" => pool.surnames.push(name),
                    other => {
                        return Err(DataError {
                            file: "names/*.csv",
                            line,
                            problem: format!("unknown kind '{other}'"),
                        });
                    }
                }
            }
            cultures.insert(culture.to_string(), pool);
        }
        let mut country_cultures = HashMap::new();
        for (line, row) in rows(CULTURES) {
            let f = |i| field(&row, i, "cultures.csv", line);
            let mut mix = Vec::new();
            for part in f(1)?.split('|') {
                let (culture, weight) = part.split_once(':').ok_or_else(|| DataError {
                    file: "cultures.csv",
                    line,
                    problem: format!("'{part}' is not culture:weight"),
                })?;
                if !cultures.contains_key(culture) {
                    return Err(DataError {
                        file: "cultures.csv",
                        line,
                        problem: format!("unknown culture '{culture}'"),
                    });
                }
                mix.push((culture.to_string(), number(weight, "cultures.csv", line)?));
            }
            country_cultures.insert(f(0)?.to_string(), mix);
        }
        let mut rates = HashMap::new();
        for (line, row) in rows(RATES) {
            let f = |i| field(&row, i, "rates.csv", line);
            rates.insert(f(0)?.to_string(), number(f(1)?, "rates.csv", line)?);
        }
        Ok(Data {
            airports,
            carriers,
            cultures,
            country_cultures,
            rates,
        })
    }

    /// A rate from `rates.csv`, 0 when it is not listed.
    pub fn rate(&self, name: &str) -> f64 {
        self.rates.get(name).copied().unwrap_or_else(|| {
            invariant::never!("the simulator's rates.csv has no rate {name:?}");
            0.0
        })
    }

    pub fn airport(&self, iata: &str) -> Option<&Airport> {
        self.airports.iter().find(|a| a.iata == iata)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_tables_read_and_hold_together() {
        let d = Data::builtin().unwrap();
        assert!(d.airports.len() >= 70);
        assert_eq!(d.carriers.len(), 10);
        assert_eq!(d.cultures.len(), 8);
        for (name, pool) in &d.cultures {
            assert!(
                pool.male.len() >= 10 && pool.female.len() >= 10 && pool.surnames.len() >= 12,
                "{name}"
            );
        }
        for a in &d.airports {
            assert!(
                d.country_cultures.contains_key(&a.country),
                "no cultures for {}",
                a.country
            );
        }
        for c in &d.carriers {
            assert!(d.airport(&c.home).is_some(), "{} home {}", c.code, c.home);
        }
        assert!(d.rate("ssr_meal") > 0.0);
        let unknown = std::panic::catch_unwind(|| d.rate("not_a_rate"));
        assert!(unknown.is_err(), "an unknown rate is a reported bug, not 0");
    }

    /// Every rate the simulator's code asks for by name is in `rates.csv`: a renamed or removed
    /// row would otherwise make a quirk silently never happen.
    #[test]
    fn every_rate_the_code_asks_for_is_in_the_file() {
        let d = Data::builtin().unwrap();
        let sources = [
            include_str!("lib.rs"),
            include_str!("people.rs"),
            include_str!("schedule.rs"),
            include_str!("traffic.rs"),
            include_str!("truth.rs"),
        ];
        let mut asked = 0;
        for source in sources {
            for (at, _) in source.match_indices("rate(\"") {
                let rest = &source[at + 6..];
                let name = &rest[..rest.find('"').unwrap()];
                assert!(d.rates.contains_key(name), "rates.csv has no {name:?}");
                asked += 1;
            }
        }
        assert!(asked >= 20, "only {asked} rates found in the code");
    }
}
