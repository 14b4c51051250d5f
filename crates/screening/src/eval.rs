//! Accuracy evaluation: recall on generated variations of listed people, recall on people as
//! listed (a CSV of names and dates), and the false-alarm rate on people who are not listed.
//! The generator is our own, seeded, so the numbers are reproducible; it varies names the ways
//! travellers' data differs from lists (typos, order, dropped middle names, transliteration,
//! titles, passport-style names) and dates (year only, missing, day/month swapped).

use std::path::Path;

use jiff::civil::Date;
use model::Sex;
use serde::Serialize;

use crate::entry::{BirthDate, Entry, EntryKind, ListVersion};
use crate::matcher::{Matcher, Query};
use crate::normalise::fold;

/// Thresholds reported.
pub const THRESHOLDS: [f64; 5] = [0.70, 0.75, 0.80, 0.85, 0.90];

/// A small deterministic generator (SplitMix64).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next_u64() % n as u64) as usize
        }
    }

    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
}

/// How a generated traveller differs from the listed person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Variation {
    Exact,
    /// One substitution, deletion, insertion or transposition in one name part.
    Typo,
    /// Given names and surname swapped.
    Reordered,
    /// A middle name left out.
    DroppedMiddleName,
    /// Another conventional Latin spelling (ou/u, kh/h, y/i, doubled letters, …).
    Transliteration,
    /// The list gives a year only; the traveller a full date in it.
    YearOnlyBirth,
    /// No date of birth (a PNR without SSR DOCS).
    BirthMissing,
    /// Day and month swapped.
    DayMonthSwapped,
    /// A title glued to the given names ("ISABELLE MRS").
    TitleAppended,
    /// The name as written on a passport's machine-readable zone: `SURNAME<<GIVEN`.
    PassportStyle,
    /// A typo and no date of birth.
    TypoBirthMissing,
}

pub const VARIATIONS: [Variation; 11] = [
    Variation::Exact,
    Variation::Typo,
    Variation::Reordered,
    Variation::DroppedMiddleName,
    Variation::Transliteration,
    Variation::YearOnlyBirth,
    Variation::BirthMissing,
    Variation::DayMonthSwapped,
    Variation::TitleAppended,
    Variation::PassportStyle,
    Variation::TypoBirthMissing,
];

/// One letter changed as a person keying it might.
pub fn typo(word: &str, rng: &mut Rng) -> String {
    let mut c: Vec<char> = word.chars().collect();
    if c.len() < 3 {
        return word.to_string();
    }
    let at = 1 + rng.below(c.len() - 1);
    // one of the 26 letters
    let letter = char::from(b'A' + rng.below(26) as u8);
    match rng.below(4) {
        0 => {
            if let Some(x) = c.get_mut(at) {
                *x = letter;
            }
        }
        1 => {
            c.remove(at);
        }
        2 => c.insert(at, letter),
        _ => {
            if at + 1 < c.len() {
                c.swap(at, at + 1);
            } else {
                c.swap(at - 1, at);
            }
        }
    }
    c.into_iter().collect()
}

/// Another conventional Latin spelling of a word, when a rule applies.
pub fn transliterate(word: &str, rng: &mut Rng) -> Option<String> {
    const RULES: &[(&str, &str)] = &[
        ("OU", "U"),
        ("U", "OU"),
        ("KH", "H"),
        ("SH", "CH"),
        ("J", "DJ"),
        ("Q", "K"),
        ("EE", "I"),
        ("Y", "I"),
        ("I", "Y"),
        ("EI", "AY"),
        ("AI", "AY"),
        ("W", "V"),
        ("V", "W"),
        ("PH", "F"),
        ("KS", "X"),
        ("X", "KS"),
        ("SS", "S"),
        ("MM", "M"),
        ("DD", "D"),
        ("E", "A"),
        ("O", "U"),
        ("TS", "TZ"),
        ("IA", "IYA"),
        ("AA", "A"),
    ];
    let upper = word.to_uppercase();
    let start = rng.below(RULES.len());
    for k in 0..RULES.len() {
        let Some((from, to)) = RULES.get((start + k) % RULES.len()) else {
            continue;
        };
        // not the first letter: initials are kept in transliteration
        if let Some(pos) = upper.get(1..).and_then(|r| r.find(from)).map(|p| p + 1) {
            // `pos` starts a match of `from` within `upper`
            let (head, tail) = upper.split_at(pos);
            let rest = tail.strip_prefix(from)?;
            return Some(format!("{head}{to}{rest}"));
        }
    }
    None
}

/// The primary Latin-script name of an entry as (surname, given names).
fn listed_name(e: &Entry) -> Option<(String, String)> {
    let n = e
        .names
        .iter()
        .find(|n| crate::entry::Script::of(&n.full) == crate::entry::Script::Latin)?;
    if let (Some(f), Some(g)) = (&n.family, &n.given)
        && !f.trim().is_empty()
    {
        return Some((f.clone(), g.clone()));
    }
    let words: Vec<&str> = n.full.split_whitespace().collect();
    let (last, rest) = words.split_last()?;
    Some((last.to_string(), rest.join(" ")))
}

fn date_in_year(y: i16, rng: &mut Rng) -> Option<Date> {
    Date::new(y, 1 + rng.below(12) as i8, 1 + rng.below(28) as i8).ok()
}

/// A traveller who is the listed person, varied as `v` says; `None` when the variation does not
/// apply to this entry (no middle name to drop, no date to swap, …).
pub fn vary(e: &Entry, v: Variation, rng: &mut Rng) -> Option<Query> {
    if e.kind != EntryKind::Person {
        return None;
    }
    let (mut surname, mut given) = listed_name(e)?;
    let mut dob = e.birth_dates.first().and_then(|b| match *b {
        BirthDate::Exact(d) => Some(d),
        BirthDate::Year(y) => date_in_year(y, rng),
        BirthDate::Range { from, to } => date_in_year(
            from + rng.below((to - from).max(0) as usize + 1) as i16,
            rng,
        ),
    });
    let nationality = e.nationalities.iter().find(|n| n.len() == 3).cloned();
    let documents = e
        .documents
        .first()
        .map(|d| vec![(d.number.clone(), d.issuing_state.clone())])
        .unwrap_or_default();
    match v {
        Variation::Exact => {}
        Variation::Typo | Variation::TypoBirthMissing => {
            let mut parts: Vec<String> = given.split_whitespace().map(String::from).collect();
            parts.push(surname.clone());
            let candidates: Vec<usize> = (0..parts.len())
                .filter(|&i| parts.get(i).is_some_and(|p| p.chars().count() >= 4))
                .collect();
            let at = *candidates.get(rng.below(candidates.len()))?;
            let t = typo(parts.get(at)?, rng);
            if at + 1 == parts.len() {
                surname = t;
            } else if let Some(p) = parts.get_mut(at) {
                *p = t;
                parts.pop();
                given = parts.join(" ");
            }
            if v == Variation::TypoBirthMissing {
                dob = None;
            }
        }
        Variation::Reordered => {
            if given.trim().is_empty() {
                return None;
            }
            std::mem::swap(&mut surname, &mut given);
        }
        Variation::DroppedMiddleName => {
            let parts: Vec<&str> = given.split_whitespace().collect();
            if parts.len() < 2 {
                return None;
            }
            let drop = 1 + rng.below(parts.len() - 1);
            given = parts
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != drop)
                .map(|(_, p)| *p)
                .collect::<Vec<_>>()
                .join(" ");
        }
        Variation::Transliteration => {
            let mut parts: Vec<String> = given.split_whitespace().map(String::from).collect();
            parts.push(surname.clone());
            let start = rng.below(parts.len());
            let mut done = false;
            for k in 0..parts.len() {
                let at = (start + k) % parts.len();
                if let Some(p) = parts.get_mut(at)
                    && p.chars().count() >= 4
                    && let Some(t) = transliterate(p, rng)
                {
                    *p = t;
                    done = true;
                    break;
                }
            }
            if !done {
                return None;
            }
            surname = parts.pop()?;
            given = parts.join(" ");
        }
        Variation::YearOnlyBirth => {
            let y = match e.birth_dates.first()? {
                BirthDate::Exact(d) => d.year(),
                BirthDate::Year(y) => *y,
                BirthDate::Range { from, .. } => *from,
            };
            dob = date_in_year(y, rng);
        }
        Variation::BirthMissing => dob = None,
        Variation::DayMonthSwapped => {
            let d = dob?;
            if d.day() > 12 || d.day() == d.month() {
                return None;
            }
            dob = Some(Date::new(d.year(), d.day(), d.month()).ok()?);
        }
        Variation::TitleAppended => {
            let title = match e.sex {
                Some(Sex::Female) => "MRS",
                _ => "MR",
            };
            given = format!("{given} {title}");
        }
        Variation::PassportStyle => {
            surname = format!(
                "{}<<{}",
                surname.to_uppercase().replace(' ', "<"),
                given.to_uppercase().replace(' ', "<")
            );
            given = String::new();
        }
    }
    Some(Query {
        surname,
        given_names: given,
        date_of_birth: dob,
        sex: e.sex,
        nationality,
        documents: if v == Variation::Exact {
            documents
        } else {
            Vec::new()
        },
    })
}

/// Recall at each of [`THRESHOLDS`].
#[derive(Debug, Clone, Default, Serialize)]
pub struct Recall {
    pub queries: usize,
    /// The true entry among the candidates (first stage).
    pub candidates_found: usize,
    /// (threshold, share of queries whose true entry scored at or above it).
    pub at: Vec<(f64, f64)>,
    #[serde(skip)]
    scores: Vec<f64>,
}

impl Recall {
    fn push(&mut self, candidate: bool, score: f64) {
        self.queries += 1;
        self.candidates_found += usize::from(candidate);
        self.scores.push(score);
    }

    fn finish(&mut self) {
        let n = self.scores.len().max(1) as f64;
        self.at = THRESHOLDS
            .iter()
            .map(|&t| {
                (
                    t,
                    self.scores.iter().filter(|&&s| s >= t).count() as f64 / n,
                )
            })
            .collect();
    }

    /// Recall at a threshold (computed on demand).
    pub fn recall(&self, threshold: f64) -> f64 {
        let n = self.scores.len().max(1) as f64;
        self.scores.iter().filter(|&&s| s >= threshold).count() as f64 / n
    }

    pub fn candidate_recall(&self) -> f64 {
        self.candidates_found as f64 / self.queries.max(1) as f64
    }

    /// Queries whose true entry scored at or above `threshold`.
    pub fn found(&self, threshold: f64) -> usize {
        self.scores.iter().filter(|&&s| s >= threshold).count()
    }

    /// The true entries' scores summed, in thousandths (scores are rounded to thousandths): with
    /// [`Recall::found`], a fingerprint of every score that pins a scorer change as neutral.
    pub fn score_thousandths(&self) -> u64 {
        self.scores
            .iter()
            .map(|s| (s * 1000.0).round() as u64)
            .sum()
    }
}

impl std::fmt::Display for Recall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} queries, candidates {:.4}",
            self.queries,
            self.candidate_recall()
        )?;
        for (t, r) in &self.at {
            write!(f, ", @{t:.2} {r:.4}")?;
        }
        Ok(())
    }
}

/// Recall on generated variations, overall and per variation.
#[derive(Debug, Clone, Default, Serialize)]
pub struct VariationReport {
    pub overall: Recall,
    pub by_variation: Vec<(Variation, Recall)>,
    /// Some misses at the default threshold, for inspection (public list data).
    pub examples: Vec<String>,
}

impl std::fmt::Display for VariationReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "all variations: {}", self.overall)?;
        for (v, r) in &self.by_variation {
            writeln!(f, "  {v:?}: {r}")?;
        }
        Ok(())
    }
}

/// The score the matcher gives the true entry for a query (0 when not found), and whether the
/// candidate stage found it.
pub fn true_score(m: &Matcher, q: &Query, list: &str, id: &str) -> (bool, f64) {
    let cand = m.candidate_ids(q).iter().any(|(l, i)| l == list && i == id);
    let score = m
        .screen_at(q, 0.3)
        .iter()
        .find(|h| h.list == list && h.entry_id == id)
        .map_or(0.0, |h| h.score);
    (cand, score)
}

/// Generates `per_entry` travellers per variation for (up to `max_entries`) person entries of
/// `list` and measures recall.
pub fn variations(
    m: &Matcher,
    list: &ListVersion,
    max_entries: usize,
    seed: u64,
    default_threshold: f64,
) -> VariationReport {
    let mut rng = Rng::new(seed);
    let mut report = VariationReport::default();
    let mut per: Vec<(Variation, Recall)> =
        VARIATIONS.iter().map(|v| (*v, Recall::default())).collect();
    let persons: Vec<&Entry> = list
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Person)
        .collect();
    let step = (persons.len() / max_entries.max(1)).max(1);
    for e in persons.iter().step_by(step).take(max_entries) {
        for (v, r) in per.iter_mut() {
            let Some(q) = vary(e, *v, &mut rng) else {
                continue;
            };
            let (cand, score) = true_score(m, &q, &list.list, &e.id);
            r.push(cand, score);
            report.overall.push(cand, score);
            if score < default_threshold && report.examples.len() < 40 {
                report.examples.push(format!(
                    "{v:?}: '{} / {}' {:?} vs {} '{}' {:?} → {score:.2}{}",
                    q.surname,
                    q.given_names,
                    q.date_of_birth,
                    e.id,
                    e.names.first().map_or("", |n| n.full.as_str()),
                    e.birth_dates.first(),
                    if cand { "" } else { " (not a candidate)" }
                ));
            }
        }
    }
    for (_, r) in per.iter_mut() {
        r.finish();
    }
    report.overall.finish();
    report.by_variation = per;
    report
}

/// One row of the screening-eval CSV files.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Person {
    pub full_name: String,
    pub first_name: String,
    pub middle_name: String,
    pub last_name: String,
    pub sex: Option<Sex>,
    pub birth: Option<BirthDate>,
    pub nationality: String,
}

/// Splits CSV text into records (RFC 4180 quoting).
pub fn csv_records(text: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if quoted {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    quoted = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' => quoted = true,
            ',' => row.push(std::mem::take(&mut field)),
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                out.push(std::mem::take(&mut row));
            }
            c => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        out.push(row);
    }
    out
}

fn parse_birth(s: &str) -> Option<BirthDate> {
    let s = s.trim();
    if let Ok(d) = s.parse::<Date>() {
        return Some(BirthDate::Exact(d));
    }
    s.get(..4)
        .and_then(|y| y.parse::<i16>().ok())
        .map(BirthDate::Year)
}

/// Reads the people of a screening-eval CSV file.
pub fn read_people(path: &Path) -> std::io::Result<Vec<Person>> {
    let text = std::fs::read_to_string(path)?;
    let mut records = csv_records(&text).into_iter();
    let header = records.next().unwrap_or_default();
    let col = |name: &str| header.iter().position(|h| h == name);
    let (full, first, middle, last, gender, dob, nat) = (
        col("full_name"),
        col("first_name"),
        col("middle_name"),
        col("last_name"),
        col("gender"),
        col("date_of_birth"),
        col("nationality"),
    );
    let get =
        |r: &Vec<String>, c: Option<usize>| c.and_then(|c| r.get(c)).cloned().unwrap_or_default();
    Ok(records
        .filter(|r| r.len() > 1)
        .map(|r| Person {
            full_name: get(&r, full),
            first_name: get(&r, first),
            middle_name: get(&r, middle),
            last_name: get(&r, last),
            sex: match get(&r, gender).to_ascii_lowercase().as_str() {
                "male" | "m" => Some(Sex::Male),
                "female" | "f" => Some(Sex::Female),
                _ => None,
            },
            birth: parse_birth(&get(&r, dob)),
            nationality: get(&r, nat),
        })
        .collect())
}

impl Person {
    /// The person as a traveller: a year-only date is not a travel-document date, so it is left
    /// out.
    pub fn query(&self) -> Query {
        let (surname, given) = if self.last_name.trim().is_empty() {
            let words: Vec<&str> = self.full_name.split_whitespace().collect();
            match words.split_last() {
                Some((last, rest)) => (last.to_string(), rest.join(" ")),
                None => (String::new(), String::new()),
            }
        } else {
            (
                self.last_name.clone(),
                format!("{} {}", self.first_name, self.middle_name)
                    .trim()
                    .to_string(),
            )
        };
        Query {
            surname,
            given_names: given,
            date_of_birth: match self.birth {
                Some(BirthDate::Exact(d)) => Some(d),
                _ => None,
            },
            sex: self.sex,
            nationality: None,
            documents: Vec::new(),
        }
    }
}

fn folded_tokens(s: &str) -> Vec<String> {
    let mut t: Vec<String> = fold(s).split_whitespace().map(String::from).collect();
    t.sort();
    t
}

/// Entries of `list` a listed person stands for: a name with the same folded words and a
/// compatible date of birth.
pub fn entries_for<'a>(list: &'a ListVersion, p: &Person) -> Vec<&'a Entry> {
    let want = folded_tokens(&p.full_name);
    list.entries
        .iter()
        .filter(|e| e.names.iter().any(|n| folded_tokens(&n.full) == want))
        .filter(|e| match p.birth {
            None => true,
            Some(b) => {
                let year = |b: &BirthDate| match *b {
                    BirthDate::Exact(d) => (d.year(), d.year()),
                    BirthDate::Year(y) => (y, y),
                    BirthDate::Range { from, to } => (from, to),
                };
                let (lo, hi) = year(&b);
                e.birth_dates.is_empty()
                    || e.birth_dates.iter().any(|x| {
                        let (a, z) = year(x);
                        a <= hi && lo <= z
                    })
            }
        })
        .collect()
}

/// Recall on listed people as listed: each row must find (one of) its entries.
pub fn positives(m: &Matcher, list: &ListVersion, people: &[Person]) -> (Recall, usize) {
    let mut r = Recall::default();
    let mut unresolved = 0;
    for p in people {
        let targets = entries_for(list, p);
        if targets.is_empty() {
            unresolved += 1;
            continue;
        }
        let q = p.query();
        let cands = m.candidate_ids(&q);
        let cand = targets
            .iter()
            .any(|e| cands.iter().any(|(l, i)| *l == list.list && *i == e.id));
        let hits = m.screen_at(&q, 0.3);
        let score = hits
            .iter()
            .filter(|h| h.list == list.list && targets.iter().any(|e| e.id == h.entry_id))
            .map(|h| h.score)
            .fold(0.0, f64::max);
        r.push(cand, score);
    }
    r.finish();
    (r, unresolved)
}

/// False alarms among people who are not listed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct FalseAlarms {
    pub people: usize,
    /// (threshold, hits at or above it per person, share of people with at least one).
    pub at: Vec<(f64, f64, f64)>,
    /// (threshold, hits at or above it, people with at least one): the counts behind `at`.
    pub counts: Vec<(f64, usize, usize)>,
    /// Every hit scored (at 0.5 or above) and their scores summed in thousandths: a fingerprint
    /// of the candidates and their scores.
    pub scored: usize,
    pub score_thousandths: u64,
    /// The highest-scoring alarms at the default threshold, for inspection.
    pub examples: Vec<String>,
}

impl std::fmt::Display for FalseAlarms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} people", self.people)?;
        for (t, hits, people) in &self.at {
            write!(
                f,
                ", @{t:.2} {:.3}% hits ({:.3}% people)",
                hits * 100.0,
                people * 100.0
            )?;
        }
        Ok(())
    }
}

/// Screens every person and counts hits (no one is listed).
pub fn negatives(
    m: &Matcher,
    people: &[Person],
    step: usize,
    default_threshold: f64,
) -> FalseAlarms {
    let mut scores: Vec<Vec<f64>> = Vec::new();
    let mut examples: Vec<(f64, String)> = Vec::new();
    for p in people.iter().step_by(step.max(1)) {
        let q = p.query();
        let hits = m.screen_at(&q, 0.5);
        for h in &hits {
            if h.score >= default_threshold {
                examples.push((
                    h.score,
                    format!("'{}' vs {} {}: {}", p.full_name, h.list, h.entry_id, h),
                ));
            }
        }
        scores.push(hits.iter().map(|h| h.score).collect());
    }
    let n = scores.len().max(1) as f64;
    let counts: Vec<(f64, usize, usize)> = THRESHOLDS
        .iter()
        .map(|&t| {
            let hits: usize = scores
                .iter()
                .map(|s| s.iter().filter(|&&x| x >= t).count())
                .sum();
            let people = scores.iter().filter(|s| s.iter().any(|&x| x >= t)).count();
            (t, hits, people)
        })
        .collect();
    let at = counts
        .iter()
        .map(|&(t, hits, people)| (t, hits as f64 / n, people as f64 / n))
        .collect();
    examples.sort_by(|a, b| b.0.total_cmp(&a.0));
    FalseAlarms {
        people: scores.len(),
        at,
        counts,
        scored: scores.iter().map(Vec::len).sum(),
        score_thousandths: scores
            .iter()
            .flatten()
            .map(|s| (s * 1000.0).round() as u64)
            .sum(),
        examples: examples.into_iter().take(20).map(|(_, s)| s).collect(),
    }
}

/// A listed person from an eval CSV row as a list entry (a stand-in list when the real one is
/// not at hand).
pub fn entry_from_person(id: String, p: &Person) -> Entry {
    Entry {
        id,
        kind: EntryKind::Person,
        names: vec![crate::entry::EntryName {
            full: p.full_name.clone(),
            given: None,
            family: None,
            quality: crate::entry::NameQuality::Primary,
            script: crate::entry::Script::of(&p.full_name),
        }],
        birth_dates: p.birth.into_iter().collect(),
        sex: p.sex,
        nationalities: Vec::new(),
        documents: Vec::new(),
        reason: None,
        listed_on: None,
    }
}

/// The whole evaluation, for `passage screen eval`: variations of the entries of `un` (the UN
/// list), the listed people of `corpus/screening-eval/un_positives_exact.csv` against it, and
/// the non-listed people of `synthetic_negatives_global.csv` against all `lists`.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub threshold: f64,
    pub variations: VariationReport,
    pub positives: Option<Recall>,
    pub positives_unresolved: usize,
    pub negatives: Option<FalseAlarms>,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "default threshold {:.2}", self.threshold)?;
        writeln!(f, "variations of listed people — {}", self.variations)?;
        if let Some(p) = &self.positives {
            writeln!(
                f,
                "listed people as listed — {p} ({} rows without a list entry)",
                self.positives_unresolved
            )?;
        }
        if let Some(n) = &self.negatives {
            writeln!(f, "non-listed people — {n}")?;
        }
        Ok(())
    }
}

/// Runs the evaluation. `eval_dir` is `corpus/screening-eval`; `negatives_step` samples every
/// n-th non-listed person (1 = all 50,000).
pub fn run(
    m: &Matcher,
    un: &ListVersion,
    eval_dir: &Path,
    negatives_step: usize,
    threshold: f64,
) -> std::io::Result<Report> {
    let variations = variations(m, un, usize::MAX, 7, threshold);
    let pos_path = eval_dir.join("un_positives_exact.csv");
    let (positives, unresolved) = if pos_path.exists() {
        let people = read_people(&pos_path)?;
        let (r, u) = positives(m, un, &people);
        (Some(r), u)
    } else {
        (None, 0)
    };
    let neg_path = eval_dir.join("synthetic_negatives_global.csv");
    let negatives = if neg_path.exists() {
        let people = read_people(&neg_path)?;
        Some(negatives(m, &people, negatives_step, threshold))
    } else {
        None
    };
    Ok(Report {
        threshold,
        variations,
        positives,
        positives_unresolved: unresolved,
        negatives,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_typos() {
        let r = csv_records("a,b\n\"x, y\",\"say \"\"hi\"\"\"\n");
        assert_eq!(r[1], vec!["x, y".to_string(), "say \"hi\"".to_string()]);
        let mut rng = Rng::new(1);
        for _ in 0..100 {
            let t = typo("KUZNETSOV", &mut rng);
            assert!((t.len() as i32 - 9).abs() <= 1);
        }
        assert!(transliterate("HUSSEIN", &mut rng).is_some());
    }
}
