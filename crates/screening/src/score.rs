//! The explainable scorer: a name score from aligned tokens, then date of birth, sex,
//! nationality and documents raising or lowering it, each comparison recorded with its reason.

use jiff::civil::Date;
use model::Sex;
use serde::Serialize;

use crate::entry::{BirthDate, NameQuality};
use crate::normalise::{KIN_PARTICLES, Name, NameGroups, Role, Token};

/// What was compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// One part of the name (a token of the query against a token of the entry's name).
    NamePart,
    /// The name as a whole.
    Name,
    /// How common the matched name is among people (its score is the name's frequency weight).
    NameFrequency,
    DateOfBirth,
    Sex,
    Nationality,
    Document,
    /// Nothing but the name was known (no date of birth, no document): what that costs.
    NameOnly,
}

impl std::fmt::Display for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Field::NamePart => "name part",
            Field::Name => "name",
            Field::NameFrequency => "name frequency",
            Field::DateOfBirth => "date of birth",
            Field::Sex => "sex",
            Field::Nationality => "nationality",
            Field::Document => "document",
            Field::NameOnly => "name only",
        })
    }
}

/// One comparison between the traveller and the entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub field: Field,
    pub query: String,
    pub entry: String,
    /// How alike the two values are, 0..=1.
    pub score: f64,
    /// How much the comparison counts: a name part's share of the name; for the other fields
    /// the change it made to the overall score.
    pub weight: f64,
    pub reason: &'static str,
}

impl std::fmt::Display for Comparison {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let q = if self.query.is_empty() {
            "—"
        } else {
            &self.query
        };
        let e = if self.entry.is_empty() {
            "—"
        } else {
            &self.entry
        };
        match self.field {
            Field::NamePart | Field::Name => write!(
                f,
                "{}: '{q}' ≈ '{e}' {} {:.2}, weight {:.2}",
                self.field, self.reason, self.score, self.weight
            ),
            Field::NameFrequency => write!(
                f,
                "{}: '{e}' {} (weight {:.2}), {q} ({:+.2})",
                self.field, self.reason, self.score, self.weight
            ),
            Field::NameOnly => write!(f, "{}: {} ({:+.2})", self.field, self.reason, self.weight),
            _ => write!(
                f,
                "{}: {q} vs {e}: {} ({:+.2})",
                self.field, self.reason, self.weight
            ),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// tokens

fn vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u' | b'y')
}

fn sub_cost(a: u8, b: u8) -> f32 {
    if a == b {
        return 0.0;
    }
    let (x, y) = if a < b { (a, b) } else { (b, a) };
    match (x, y) {
        (b'0', b'o') | (b'1', b'i') | (b'1', b'l') | (b'5', b's') | (b'8', b'b') | (b'2', b'z') => {
            0.3
        }
        _ if vowel(x) && vowel(y) => 0.6,
        (b'c', b'k')
        | (b'k', b'q')
        | (b'c', b's')
        | (b's', b'z')
        | (b'v', b'w')
        | (b'f', b'v')
        | (b'j', b'y')
        | (b'g', b'j')
        | (b'd', b't')
        | (b'b', b'p')
        | (b'i', b'j')
        | (b'w', b'u')
        | (b'k', b'x') => 0.7,
        _ if x.is_ascii_digit() || y.is_ascii_digit() => 1.5,
        _ => 1.0,
    }
}

/// Cost of inserting or deleting `c` that stands after `prev`: a doubled letter or an h of a
/// digraph costs little, a vowel less than a consonant.
fn indel_cost(c: u8, prev: Option<u8>) -> f32 {
    if prev == Some(c) {
        0.5
    } else if c == b'h' {
        0.6
    } else if vowel(c) {
        0.8
    } else if c.is_ascii_digit() {
        1.5
    } else {
        1.0
    }
}

/// Cells of a row of the distance table held on the stack (name parts are short).
const STACK_ROW: usize = 48;

/// Weighted optimal-string-alignment distance with name-aware costs.
pub fn name_distance(a: &str, b: &str) -> f32 {
    name_distance_within(a.as_bytes(), b.as_bytes(), f32::INFINITY).unwrap_or(f32::INFINITY)
}

/// The distance, or `None` as soon as it is sure to exceed `bound`: once two consecutive rows of
/// the table lie wholly above it no later cell can come back under it (all costs are positive and
/// a cell reads at most two rows back). Three rows are kept, on the stack for short names.
fn name_distance_within(a: &[u8], b: &[u8], bound: f32) -> Option<f32> {
    let w = b.len() + 1;
    if w <= STACK_ROW {
        let mut rows = [0.0f32; 3 * STACK_ROW];
        distance_in(a, b, bound, rows.get_mut(..3 * w)?)
    } else {
        let mut rows = vec![0.0f32; 3 * w];
        distance_in(a, b, bound, &mut rows)
    }
}

fn distance_in(a: &[u8], b: &[u8], bound: f32, buf: &mut [f32]) -> Option<f32> {
    let w = b.len() + 1;
    let (first, rest) = buf.split_at_mut(w);
    let (second, third) = rest.split_at_mut(w);
    // rows i-2, i-1 and i
    let (mut pp, mut p, mut c) = (first, second, third);
    if let Some(x) = p.first_mut() {
        *x = 0.0;
    }
    for j in 1..w {
        let prev = if j >= 2 { b.get(j - 2).copied() } else { None };
        let cb = b.get(j - 1).copied().unwrap_or(0);
        let v = p.get(j - 1).copied().unwrap_or(f32::MAX) + indel_cost(cb, prev);
        if let Some(x) = p.get_mut(j) {
            *x = v;
        }
    }
    let mut prev_min = 0.0f32;
    for i in 1..=a.len() {
        let ca = a.get(i - 1).copied().unwrap_or(0);
        let pa = if i >= 2 { a.get(i - 2).copied() } else { None };
        let del = indel_cost(ca, pa);
        let mut left = p.first().copied().unwrap_or(f32::MAX) + del;
        if let Some(x) = c.first_mut() {
            *x = left;
        }
        let mut row_min = left;
        for j in 1..w {
            let cb = b.get(j - 1).copied().unwrap_or(0);
            let pb = if j >= 2 { b.get(j - 2).copied() } else { None };
            let up = p.get(j).copied().unwrap_or(f32::MAX);
            let diag = p.get(j - 1).copied().unwrap_or(f32::MAX);
            let mut v = (up + del)
                .min(left + indel_cost(cb, pb))
                .min(diag + sub_cost(ca, cb));
            if i >= 2 && j >= 2 && pa == Some(cb) && pb == Some(ca) && ca != cb {
                v = v.min(pp.get(j - 2).copied().unwrap_or(f32::MAX) + 0.8);
            }
            if let Some(x) = c.get_mut(j) {
                *x = v;
            }
            left = v;
            row_min = row_min.min(v);
        }
        if row_min > bound && prev_min > bound {
            return None;
        }
        prev_min = row_min;
        std::mem::swap(&mut pp, &mut p);
        std::mem::swap(&mut p, &mut c);
    }
    p.get(b.len()).copied()
}

/// The letters and digits of a string as a set (bits 0–25 letters, 26–35 digits, 36 anything
/// else).
fn letter_set(s: &[u8]) -> u64 {
    s.iter().fold(0u64, |m, &c| {
        m | match c {
            b'a'..=b'z' => 1 << (c - b'a'),
            b'A'..=b'Z' => 1 << (c - b'A'),
            b'0'..=b'9' => 1 << (26 + c - b'0'),
            _ => 1 << 36,
        }
    })
}

/// A lower bound of [`name_distance`]: a letter one string has and the other lacks is touched by
/// at least one edit, an edit touches at most one such letter on each side, and such an edit
/// costs at least 0.6 (0.3 where digits may stand for letters; anything else, any cost).
fn letters_bound(a: &[u8], b: &[u8]) -> f32 {
    let (sa, sb) = (letter_set(a), letter_set(b));
    let other = 1u64 << 36;
    if (sa | sb) & other != 0 {
        return 0.0;
    }
    let digits = ((1u64 << 10) - 1) << 26;
    let cheapest = if (sa | sb) & digits != 0 { 0.3 } else { 0.6 };
    let missing = (sa & !sb).count_ones().max((sb & !sa).count_ones());
    // with repeats: every occurrence without a counterpart is touched by an edit costing at
    // least 0.5 (a doubled letter dropped)
    let mut counts = [0i16; 36];
    let slot = |c: u8| match c {
        b'a'..=b'z' => usize::from(c - b'a'),
        b'A'..=b'Z' => usize::from(c - b'A'),
        _ => 26 + usize::from(c.wrapping_sub(b'0')).min(9),
    };
    for &c in a {
        if let Some(n) = counts.get_mut(slot(c)) {
            *n += 1;
        }
    }
    for &c in b {
        if let Some(n) = counts.get_mut(slot(c)) {
            *n -= 1;
        }
    }
    let (more_a, more_b) = counts.iter().fold((0i32, 0i32), |(x, y), &n| {
        (x + i32::from(n.max(0)), y + i32::from((-n).max(0)))
    });
    let repeats = more_a.max(more_b) as f32 * if cheapest < 0.5 { cheapest } else { 0.5 };
    (missing as f32 * cheapest).max(repeats)
}

/// Similarity of two spellings from the name-aware distance, with a cliff for short tokens
/// where one letter changes the name.
pub fn spelling_similarity(a: &str, b: &str) -> f32 {
    spelling_at_least(a, b, 0.0)
}

/// [`spelling_similarity`] for a caller to whom every value under `min` is alike: the distance
/// is only computed as far as it can still give `min` or more, and 0 comes back when it cannot.
/// Values at or above `min` are exactly those of [`spelling_similarity`].
pub fn spelling_at_least(a: &str, b: &str, min: f32) -> f32 {
    if a == b {
        return 1.0;
    }
    let len = a.len().max(b.len()) as f32;
    if len == 0.0 {
        return 0.0;
    }
    let factor = if len <= 3.0 {
        0.75
    } else if len <= 4.0 {
        0.9
    } else {
        1.0
    };
    let bound = if min > 0.0 {
        // the largest (stretched) cost that still reaches min, with a margin for rounding
        let most = len * (1.0 - min / factor) + 1e-3;
        if most < 0.0 {
            return 0.0;
        }
        let bound = if most <= 1.0 {
            most
        } else {
            (most + 1.0) / 2.0
        };
        // every letter one name has more than the other costs at least 0.5
        if a.len().abs_diff(b.len()) as f32 * 0.5 > bound {
            return 0.0;
        }
        if letters_bound(a.as_bytes(), b.as_bytes()) > bound {
            return 0.0;
        }
        bound
    } else {
        f32::INFINITY
    };
    let Some(mut cost) = name_distance_within(a.as_bytes(), b.as_bytes(), bound) else {
        return 0.0;
    };
    // one slip is a typo; more make another name
    if cost > 1.0 {
        cost = 2.0 * cost - 1.0;
    }
    let mut sim = (1.0 - cost / len).max(0.0);
    if len <= 3.0 {
        sim *= 0.75;
    } else if len <= 4.0 {
        sim *= 0.9;
    }
    sim
}

/// A name part with everything comparing it needs, prepared once: listed names' parts when the
/// matcher is built (shared by every name holding them), the traveller's per query.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    pub text: Box<str>,
    pub core: Option<Box<str>>,
    pub particle: Option<&'static str>,
    pub skeleton: Box<str>,
    pub initial: bool,
    pub native: bool,
    /// A kinship particle (bin, abu, …) is glued on.
    pub kin: bool,
    /// A title also used as a name (see [`Token::title`]).
    pub title: bool,
    /// Name groups of the text without its particle, and of the text.
    pub groups_bare: Box<[u32]>,
    pub groups_text: Box<[u32]>,
    /// Rarity (inverse document frequency) of the text without its particle.
    pub idf: f32,
    /// Rarity among people in digits, `-log10(share)` (see [`crate::frequency`]); the matcher
    /// sets it from its frequency tables.
    pub rarity: f32,
    /// A name that the frequency tables (not the lists) know as common in its own right: one
    /// that differs from another such name in its first letter is another name, not a typo.
    pub known_common: bool,
}

impl Part {
    pub fn new(t: &Token, groups: &NameGroups, idf: f32) -> Part {
        Part {
            text: t.text.as_str().into(),
            core: t.core.as_deref().map(Box::from),
            particle: t.particle,
            skeleton: t.skeleton.as_str().into(),
            initial: t.initial,
            native: t.native,
            kin: t.particle.is_some_and(|p| KIN_PARTICLES.contains(&p)),
            title: t.title,
            groups_bare: groups.of(t.bare()).into(),
            groups_text: groups.of(&t.text).into(),
            idf,
            rarity: if t.initial {
                crate::frequency::INITIAL_RARITY
            } else {
                crate::frequency::UNKNOWN_RARITY
            },
            known_common: false,
        }
    }

    /// The text to compare when particles are ignored.
    pub fn bare(&self) -> &str {
        self.core.as_deref().unwrap_or(&self.text)
    }

    /// An initial, a particle standing alone or a title: says little when unmatched.
    fn slight(&self) -> bool {
        self.initial || self.title || (self.particle.is_some() && self.core.is_none())
    }
}

fn share_group(a: &[u32], b: &[u32]) -> bool {
    !b.is_empty() && a.iter().any(|g| b.contains(g))
}

/// How alike two name parts are, and why.
pub fn token_similarity(q: &Token, e: &Token, groups: &NameGroups) -> (f32, &'static str) {
    part_similarity(&Part::new(q, groups, 0.0), &Part::new(e, groups, 0.0), 0.0)
}

/// [`token_similarity`] on prepared parts; similarities under `min` (which must not exceed 0.66)
/// may come back lower than they are (see [`spelling_at_least`]).
pub fn part_similarity(q: &Part, e: &Part, min: f32) -> (f32, &'static str) {
    if q.text == e.text {
        return (1.0, "exact");
    }
    if q.initial || e.initial {
        let same = q.text.as_bytes().first() == e.text.as_bytes().first() && !q.text.is_empty();
        return if same {
            (0.8, "initial")
        } else {
            (0.0, "initial differs")
        };
    }
    let (qb, eb) = (q.bare(), e.bare());
    if qb == eb {
        return if q.kin || e.kin {
            (0.9, "kinship particle differs")
        } else {
            (0.97, "particle ignored")
        };
    }
    if share_group(&q.groups_bare, &e.groups_bare) || share_group(&q.groups_text, &e.groups_text) {
        return (0.92, "name-group match");
    }
    // two common names of their own that start differently (JEONG / SEONG, YEONG / BYEONG):
    // another person's name, however few letters differ
    if q.known_common && e.known_common {
        let (a, b) = (qb.as_bytes().first(), eb.as_bytes().first());
        if let (Some(&a), Some(&b)) = (a, b)
            && sub_cost(a, b) >= 1.0
        {
            return (0.0, "another common name");
        }
    }
    let mut sim = spelling_at_least(qb, eb, min);
    let mut reason = if sim >= 0.75 { "typo" } else { "differs" };
    // written without particle on one side, with it glued on the other
    if q.core.is_some() || e.core.is_some() {
        let full = spelling_at_least(&q.text, &e.text, min.max(sim));
        if full > sim {
            sim = full;
        }
    }
    // the skeleton bridges Latin and Arabic script; between two other scripts' transliterations
    // or on two consonants it is too ambiguous
    if q.skeleton == e.skeleton && q.skeleton.len() >= 3 && !(q.native && e.native) {
        let floor = if q.native || e.native { 0.85 } else { 0.8 };
        if sim < floor {
            sim = floor;
            reason = "consonant skeleton";
        }
    }
    if !q.native && e.native && sim < 0.88 && q.skeleton.len() >= 3 {
        // other script: the transliteration is only a hint
        let skel = spelling_at_least(&q.skeleton, &e.skeleton, 0.75);
        if skel >= 0.75 {
            sim = sim.max(0.75 * skel + 0.1);
            reason = "consonant skeleton, close";
        }
    }
    (sim, reason)
}

// ---------------------------------------------------------------------------------------------
// names

/// Weight of a name part: its rarity, more for family names.
pub fn part_weight(idf: f32, role: Role, cap: f32) -> f32 {
    let w = idf.clamp(0.5, cap);
    if role == Role::Family { w * 1.3 } else { w }
}

/// The result of comparing two names.
#[derive(Debug, Clone, PartialEq)]
pub struct NameScore {
    pub score: f32,
    /// Per-part comparisons, when an explanation was asked for.
    pub parts: Vec<Comparison>,
    pub matched: usize,
}

/// Similarity under which two parts are not paired.
pub const PAIR_MIN: f32 = 0.6;

/// A traveller's name prepared once for comparison with many listed names.
#[derive(Debug, Clone)]
pub struct QueryName {
    /// Parts with their role and weight.
    pub parts: Vec<(Part, Role, f32)>,
    pub compact: String,
    /// The parts concatenated family name first (for names written in the other order).
    pub reversed: String,
}

impl QueryName {
    pub fn new(name: &Name, groups: &NameGroups, idf: &dyn Fn(&str) -> f32, cap: f32) -> QueryName {
        let parts = name
            .tokens
            .iter()
            .map(|t| {
                let idf = idf(t.bare());
                (
                    Part::new(t, groups, idf),
                    t.role,
                    part_weight(idf, t.role, cap),
                )
            })
            .collect();
        let mut order: Vec<&Token> = name.tokens.iter().collect();
        order.sort_by_key(|t| t.role != Role::Family);
        QueryName {
            parts,
            compact: name.compact.clone(),
            reversed: order.iter().map(|t| t.text.as_str()).collect(),
        }
    }
}

/// Buffers reused from one comparison to the next.
#[derive(Debug, Default)]
pub struct AlignScratch {
    pairs: Vec<(u16, u16, f32, &'static str)>,
    chosen: Vec<(u16, u16, f32, &'static str)>,
    q_used: Vec<bool>,
    e_used: Vec<bool>,
    /// The last score came from the names' letters joined, not from paired parts.
    joined: bool,
}

impl AlignScratch {
    /// Rarity (digits, see [`crate::frequency`]) of the listed parts the last [`align`] matched:
    /// the paired parts, or all of them when the letters joined made the score.
    pub fn matched_rarity(&self, entry: &[(u32, Role)], table: &[Part]) -> f32 {
        let rarity = |j: usize| {
            entry
                .get(j)
                .and_then(|&(id, _)| table.get(id as usize))
                .map_or(0.0, |p| p.rarity)
        };
        if self.joined {
            (0..entry.len()).map(rarity).sum()
        } else {
            self.chosen
                .iter()
                .map(|&(_, j, _, _)| rarity(usize::from(j)))
                .sum()
        }
    }
}

/// Similarity from which a part pairs with two adjacent parts of the other name joined.
const JOINED_MIN: f32 = 0.75;

/// Whether `whole` may spell `a` and `b` joined: the same first letter and at most two letters
/// more or fewer (checked before any string is built).
fn joinable(whole: &str, a: &str, b: &str) -> bool {
    whole.as_bytes().first() == a.as_bytes().first() && whole.len().abs_diff(a.len() + b.len()) <= 2
}

/// Pairs each unmatched part of one name with two adjacent unmatched parts of the other whose
/// letters joined spell it (within [`JOINED_MIN`]).
fn join_leftovers(query: &QueryName, entry: &[(u32, Role)], table: &[Part], s: &mut AlignScratch) {
    let qn = query.parts.len();
    let en = entry.len();
    let q_text = |i: usize| query.parts.get(i).map(|p| &*p.0.text);
    let e_text = |j: usize| {
        entry
            .get(j)
            .and_then(|&(id, _)| table.get(id as usize))
            .map(|p| &*p.text)
    };
    let free = |used: &[bool], k: usize| !used.get(k).copied().unwrap_or(true);
    let mut joined = String::new();
    // one query part, two listed parts
    for i in 0..qn {
        if !free(&s.q_used, i) {
            continue;
        }
        let Some(qt) = q_text(i) else { continue };
        for j in 0..en.saturating_sub(1) {
            if !free(&s.e_used, j) || !free(&s.e_used, j + 1) {
                continue;
            }
            let (Some(a), Some(b)) = (e_text(j), e_text(j + 1)) else {
                continue;
            };
            if !joinable(qt, a, b) {
                continue;
            }
            joined.clear();
            joined.push_str(a);
            joined.push_str(b);
            let x = spelling_at_least(qt, &joined, JOINED_MIN);
            if x >= JOINED_MIN {
                for k in [j, j + 1] {
                    if let Some(u) = s.e_used.get_mut(k) {
                        *u = true;
                    }
                    s.chosen.push((i as u16, k as u16, x, "parts joined"));
                }
                if let Some(u) = s.q_used.get_mut(i) {
                    *u = true;
                }
                break;
            }
        }
    }
    // two query parts, one listed part
    for j in 0..en {
        if !free(&s.e_used, j) {
            continue;
        }
        let Some(et) = e_text(j) else { continue };
        for i in 0..qn.saturating_sub(1) {
            if !free(&s.q_used, i) || !free(&s.q_used, i + 1) {
                continue;
            }
            let (Some(a), Some(b)) = (q_text(i), q_text(i + 1)) else {
                continue;
            };
            if !joinable(et, a, b) {
                continue;
            }
            joined.clear();
            joined.push_str(a);
            joined.push_str(b);
            let x = spelling_at_least(&joined, et, JOINED_MIN);
            if x >= JOINED_MIN {
                for k in [i, i + 1] {
                    if let Some(u) = s.q_used.get_mut(k) {
                        *u = true;
                    }
                }
                if let Some(u) = s.e_used.get_mut(j) {
                    *u = true;
                }
                s.chosen.push((i as u16, j as u16, x, "parts joined"));
                break;
            }
        }
    }
}

/// Compares a prepared query name with a listed name given as parts of `table` (`(part, role)`)
/// and its compact form. `sim(i, id)` gives the similarity of query part `i` and table part `id`
/// (the matcher caches it per query). The explanation (per-part comparisons) is built only when
/// `explain` is set.
#[allow(clippy::too_many_arguments)]
pub fn align(
    query: &QueryName,
    entry: &[(u32, Role)],
    entry_compact: &str,
    table: &[Part],
    cap: f32,
    sim: &mut dyn FnMut(usize, u32) -> (f32, &'static str),
    s: &mut AlignScratch,
    explain: bool,
) -> NameScore {
    let qn = query.parts.len();
    let en = entry.len();
    s.chosen.clear();
    s.joined = false;
    if qn == 0 || en == 0 {
        return NameScore {
            score: 0.0,
            parts: Vec::new(),
            matched: 0,
        };
    }
    let e_part = |j: usize| entry.get(j).and_then(|&(id, _)| table.get(id as usize));
    let e_weight = |j: usize| match entry.get(j) {
        Some(&(id, role)) => table
            .get(id as usize)
            .map_or(1.0, |p| part_weight(p.idf, role, cap)),
        None => 1.0,
    };
    let q_weight = |i: usize| query.parts.get(i).map_or(1.0, |p| p.2);
    s.pairs.clear();
    for i in 0..qn {
        for (j, &(id, _)) in entry.iter().enumerate() {
            let (x, why) = sim(i, id);
            if x >= PAIR_MIN {
                s.pairs.push((i as u16, j as u16, x, why));
            }
        }
    }
    s.pairs
        .sort_by(|a, b| b.2.total_cmp(&a.2).then(a.0.cmp(&b.0)).then(a.1.cmp(&b.1)));
    s.q_used.clear();
    s.q_used.resize(qn, false);
    s.e_used.clear();
    s.e_used.resize(en, false);
    s.chosen.clear();
    for &(i, j, x, why) in &s.pairs {
        let (i, j) = (usize::from(i), usize::from(j));
        if s.q_used.get(i).copied().unwrap_or(true) || s.e_used.get(j).copied().unwrap_or(true) {
            continue;
        }
        if let Some(u) = s.q_used.get_mut(i) {
            *u = true;
        }
        if let Some(u) = s.e_used.get_mut(j) {
            *u = true;
        }
        s.chosen.push((i as u16, j as u16, x, why));
    }
    // a part left over on one side written as two on the other ("YUSRO" / "YU-RO",
    // "JONGUN" / "JONG UN"): paired with the two joined
    let (q_free, e_free) = (qn - s.chosen.len(), en - s.chosen.len());
    if (q_free >= 1 && e_free >= 2) || (q_free >= 2 && e_free >= 1) {
        join_leftovers(query, entry, table, s);
    }
    // quality of the matched parts, then coverage: unmatched parts of the traveller's name
    // count heavily, listed parts the traveller lacks (dropped middle names) mildly
    let mut pair_total = 0.0f32;
    let mut pair_got = 0.0f32;
    for &(_, j, x, _) in &s.chosen {
        let w = e_weight(usize::from(j));
        pair_total += w;
        pair_got += w * x;
    }
    let quality = if pair_total > 0.0 {
        pair_got / pair_total
    } else {
        0.0
    };
    let mut q_missing = 0.0f32;
    for (i, (p, _, w)) in query.parts.iter().enumerate() {
        if !s.q_used.get(i).copied().unwrap_or(false) {
            // an initial or a particle standing alone ("BILAL BIN" / "MARWAN") says little
            q_missing += w.min(cap * 0.7) * if p.slight() { 0.2 } else { 1.0 };
        }
    }
    let mut e_total = 0.0f32;
    let mut e_missing = 0.0f32;
    for j in 0..en {
        let init = e_part(j).is_some_and(|p| p.initial || p.title);
        let w = e_weight(j) * if init { 0.3 } else { 1.0 };
        e_total += w;
        if !s.e_used.get(j).copied().unwrap_or(false) {
            e_missing += w;
        }
    }
    let q_total = pair_total + q_missing;
    let q_share = if q_total > 0.0 {
        q_missing / q_total
    } else {
        1.0
    };
    let e_share = if e_total > 0.0 {
        e_missing / e_total
    } else {
        1.0
    };
    let mut score = quality * (1.0 - 0.65 * q_share) * (1.0 - 0.3 * e_share);
    let matched = s.chosen.len();
    // a single shared part is not a name match, unless a name has only one part
    if matched < 2 && qn.min(en) >= 2 {
        score = score.min(0.6);
    }
    // swapped nasab: kinship particles attached to other names
    let kin_moved = s.chosen.iter().any(|&(i, j, _, _)| {
        match (query.parts.get(usize::from(i)), e_part(usize::from(j))) {
            (Some(q), Some(e)) => q.0.kin != e.kin,
            _ => false,
        }
    });
    if kin_moved {
        score *= 0.88;
    }
    // family name of the query matched as a given name of the entry: order swapped
    let swapped = s.chosen.iter().any(|&(i, j, _, _)| {
        matches!(
            (
                query.parts.get(usize::from(i)).map(|p| p.1),
                entry.get(usize::from(j)).map(|p| p.1)
            ),
            (Some(Role::Family), Some(Role::Given)) | (Some(Role::Given), Some(Role::Family))
        )
    });
    if swapped {
        score *= 0.98;
    }
    let mut parts: Vec<Comparison> = Vec::new();
    if explain {
        let q_text = |i: usize| {
            query
                .parts
                .get(i)
                .map(|p| p.0.text.to_string())
                .unwrap_or_default()
        };
        let e_text = |j: usize| e_part(j).map(|p| p.text.to_string()).unwrap_or_default();
        for &(i, j, x, why) in &s.chosen {
            let (i, j) = (usize::from(i), usize::from(j));
            parts.push(Comparison {
                field: Field::NamePart,
                query: q_text(i),
                entry: e_text(j),
                score: f64::from(x),
                weight: f64::from(e_weight(j) / e_total.max(0.01)),
                reason: why,
            });
        }
        for i in 0..qn {
            if !s.q_used.get(i).copied().unwrap_or(false) {
                parts.push(Comparison {
                    field: Field::NamePart,
                    query: q_text(i),
                    entry: String::new(),
                    score: 0.0,
                    weight: f64::from(q_weight(i).min(cap * 0.7) / q_total.max(0.01)),
                    reason: "not in the listed name",
                });
            }
        }
        for j in 0..en {
            if !s.e_used.get(j).copied().unwrap_or(false) {
                parts.push(Comparison {
                    field: Field::NamePart,
                    query: String::new(),
                    entry: e_text(j),
                    score: 0.0,
                    weight: f64::from(e_weight(j) / e_total.max(0.01)),
                    reason: "listed part missing from the traveller's name",
                });
            }
        }
    }
    // the same letters split or joined otherwise ("abdul rahman" / "abdulrahman"): only a
    // similarity of at least 0.9 that beats the score counts, so the comparison stops as soon
    // as it cannot reach that
    if score < 0.95 && query.compact.len() >= 6 {
        let need = 0.9f32.max(score / 0.97) - 1e-4;
        let mut joined = spelling_at_least(&query.compact, entry_compact, need);
        if query.reversed != query.compact {
            joined = joined.max(spelling_at_least(
                &query.reversed,
                entry_compact,
                need.max(joined),
            ));
        }
        if joined >= 0.9 && joined * 0.97 > score {
            score = joined * 0.97;
            s.joined = true;
            if explain {
                parts.push(Comparison {
                    field: Field::Name,
                    query: query.compact.clone(),
                    entry: entry_compact.to_string(),
                    score: f64::from(joined),
                    weight: 1.0,
                    reason: "same letters, split differently",
                });
            }
        }
    }
    NameScore {
        score,
        parts,
        matched,
    }
}

/// Compares a query name with one name of an entry, with its explanation. `idf` gives a folded
/// token's rarity. (The matcher prepares both sides once and calls [`align`].)
pub fn compare_names(
    query: &Name,
    entry: &Name,
    groups: &NameGroups,
    idf: &dyn Fn(&str) -> f32,
    cap: f32,
) -> NameScore {
    let q = QueryName::new(query, groups, idf, cap);
    let table: Vec<Part> = entry
        .tokens
        .iter()
        .map(|t| Part::new(t, groups, idf(t.bare())))
        .collect();
    let parts: Vec<(u32, Role)> = entry
        .tokens
        .iter()
        .enumerate()
        .map(|(j, t)| (j as u32, t.role))
        .collect();
    let mut sim = |i: usize, id: u32| match (q.parts.get(i), table.get(id as usize)) {
        (Some(a), Some(b)) => part_similarity(&a.0, b, PAIR_MIN),
        _ => (0.0, "differs"),
    };
    align(
        &q,
        &parts,
        &entry.compact,
        &table,
        cap,
        &mut sim,
        &mut AlignScratch::default(),
        true,
    )
}

/// Weight of an alias of this quality.
pub fn quality_factor(q: NameQuality) -> f32 {
    match q {
        NameQuality::Primary | NameQuality::Strong => 1.0,
        NameQuality::Weak => 0.92,
    }
}

// ---------------------------------------------------------------------------------------------
// other fields

fn birth_text(b: &BirthDate) -> String {
    match b {
        BirthDate::Exact(d) => d.to_string(),
        BirthDate::Year(y) => y.to_string(),
        BirthDate::Range { from, to } => format!("{from}–{to}"),
    }
}

/// How precise a listed date of birth is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Precision {
    Exact,
    Year,
    Range,
}

/// The change a difference of `gap` years makes, graduated by how precise the listed date is:
/// two exact dates years apart are strong evidence of two people, a listed year (often an
/// estimate) or a range less so. A lowering, never a veto: a name and a document can outweigh
/// it. The matcher makes it heavier for common names (see [`date_weight_for`]).
fn year_gap_effect(gap: i16, precision: Precision) -> (f64, f64, &'static str) {
    let g = f64::from(gap);
    let (one, few, many, reason) = match precision {
        Precision::Exact => (
            -0.08,
            -0.14,
            -0.20,
            "birth year differs by 4 or more, both dates exact",
        ),
        Precision::Year => (-0.06, -0.11, -0.16, "birth year differs by 4 or more"),
        Precision::Range => (
            -0.05,
            -0.09,
            -0.13,
            "birth year 4 or more years outside the listed range",
        ),
    };
    match gap {
        0 => (0.0, 0.6, "birth year equal"),
        1 => (one, 0.4, "birth year differs by one"),
        2 | 3 => (few, 0.25, "birth year differs by two or three"),
        // each further year a little more, up to ten years apart
        _ => (many - (g - 4.0).min(6.0) * 0.015, 0.0, reason),
    }
}

/// How much a date-of-birth comparison weighs for a name of this commonness (0 rare .. 1 very
/// common): a contradicting date counts up to twice as much on a common name, whose namesakes
/// are many, as on a rare one.
pub fn date_weight_for(effect: f64, commonness: f64) -> f64 {
    if effect < 0.0 {
        effect * (1.0 + commonness)
    } else {
        effect
    }
}

/// Date of birth: (change to the score, similarity, reason) against one listed date.
fn compare_birth(q: Date, e: &BirthDate) -> (f64, f64, &'static str) {
    match *e {
        BirthDate::Exact(d) => {
            if d == q {
                if d.month() == 1 && d.day() == 1 {
                    (
                        0.06,
                        0.9,
                        "date of birth equal (1 January, maybe a placeholder)",
                    )
                } else {
                    (0.10, 1.0, "date of birth equal")
                }
            } else if d.year() == q.year() {
                if d.month() == 1 && d.day() == 1 {
                    (0.05, 0.8, "birth year equal (1 January placeholder)")
                } else if q.month() == d.day() && q.day() == d.month() {
                    (0.07, 0.9, "day/month swapped")
                } else if q.month() == d.month() || q.day() == d.day() {
                    (0.0, 0.7, "birth year equal, one of day and month differs")
                } else {
                    (-0.03, 0.6, "birth year equal, day and month differ")
                }
            } else {
                let gap = (d.year() - q.year()).abs();
                if gap == 1 && d.month() == q.month() && d.day() == q.day() {
                    (0.0, 0.7, "birth year differs by one, day and month equal")
                } else if d.month() == 1 && d.day() == 1 {
                    // 1 January: perhaps only the year was known
                    year_gap_effect(gap, Precision::Year)
                } else {
                    year_gap_effect(gap, Precision::Exact)
                }
            }
        }
        BirthDate::Year(y) => {
            if y == q.year() {
                (0.05, 0.8, "birth year equal")
            } else {
                year_gap_effect((y - q.year()).abs(), Precision::Year)
            }
        }
        BirthDate::Range { from, to } => {
            let y = q.year();
            if (from..=to).contains(&y) {
                (0.03, 0.7, "birth year within the listed range")
            } else {
                let gap = if y < from { from - y } else { y - to };
                year_gap_effect(gap, Precision::Range)
            }
        }
    }
}

/// Compares the traveller's date of birth with every listed one; the best counts.
pub fn birth_comparison(query: Option<Date>, entry: &[BirthDate]) -> Option<Comparison> {
    let q = query?;
    let best = entry
        .iter()
        .map(|e| (compare_birth(q, e), e))
        .max_by(|a, b| a.0.0.total_cmp(&b.0.0))?;
    let ((effect, score, reason), e) = best;
    Some(Comparison {
        field: Field::DateOfBirth,
        query: q.to_string(),
        entry: birth_text(e),
        score,
        weight: effect,
        reason,
    })
}

fn sex_text(s: Sex) -> &'static str {
    match s {
        Sex::Male => "M",
        Sex::Female => "F",
        Sex::Unspecified => "U",
        Sex::Other => "X",
    }
}

pub fn sex_comparison(query: Option<Sex>, entry: Option<Sex>) -> Option<Comparison> {
    let (q, e) = (query?, entry?);
    let known = |s: Sex| matches!(s, Sex::Male | Sex::Female);
    if !known(q) || !known(e) {
        return None;
    }
    let (weight, score, reason) = if q == e {
        (0.0, 1.0, "sex equal")
    } else {
        (-0.08, 0.0, "sex differs")
    };
    Some(Comparison {
        field: Field::Sex,
        query: sex_text(q).into(),
        entry: sex_text(e).into(),
        score,
        weight,
        reason,
    })
}

pub fn nationality_comparison(query: Option<&str>, entry: &[String]) -> Option<Comparison> {
    let q = query.filter(|q| !q.is_empty())?;
    if entry.is_empty() {
        return None;
    }
    let same = entry.iter().any(|e| e.eq_ignore_ascii_case(q));
    let (weight, score, reason) = if same {
        (0.02, 1.0, "nationality equal")
    } else {
        (-0.04, 0.0, "nationality differs")
    };
    Some(Comparison {
        field: Field::Nationality,
        query: q.to_string(),
        entry: entry.join(", "),
        score,
        weight,
        reason,
    })
}

/// A document as compared: number as written (separators removed), OCR-folded key, State.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Doc {
    pub plain: String,
    pub key: String,
    pub state: Option<String>,
}

/// The best agreement between the traveller's documents and the entry's: the floor it sets
/// under the score.
pub fn document_comparison(query: &[Doc], entry: &[Doc]) -> Option<(f64, Comparison)> {
    let mut best: Option<(f64, Comparison)> = None;
    for q in query {
        for e in entry {
            if q.key.len() < 4 || e.key.len() < 4 {
                continue;
            }
            let state_ok = match (&q.state, &e.state) {
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                _ => true,
            };
            let (floor, score, reason) = if q.plain == e.plain {
                (0.97, 1.0, "document number equal")
            } else if q.key == e.key {
                (0.95, 0.95, "document OCR-equivalent")
            } else if q.key.len() >= 7 && strsim::osa_distance(&q.key, &e.key) == 1 {
                (0.0, 0.7, "document differs by one character")
            } else {
                continue;
            };
            let (floor, reason) = if state_ok {
                (floor, reason)
            } else {
                (floor * 0.85, "document number equal, issuing State differs")
            };
            let c = Comparison {
                field: Field::Document,
                query: format!("{} {}", q.plain, q.state.as_deref().unwrap_or("")),
                entry: format!("{} {}", e.plain, e.state.as_deref().unwrap_or("")),
                score,
                weight: if floor > 0.0 { floor } else { 0.08 },
                reason,
            };
            if best.as_ref().is_none_or(|b| c.score > b.1.score) {
                best = Some((floor, c));
            }
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::{name_from_full, name_from_parts};

    fn score(q: &Name, e: &Name) -> f32 {
        compare_names(q, e, &NameGroups::builtin(), &|_| 5.0, 8.0).score
    }

    #[test]
    fn names_align_across_order_typos_and_groups() {
        let e = name_from_full("SADDAM HUSSEIN AL-TIKRITI");
        assert!(score(&name_from_parts("AL-TIKRITI", "SADDAM HUSSEIN"), &e) > 0.97);
        assert!(score(&name_from_parts("ALTIKRITI", "SADAM HUSSEIN"), &e) > 0.9);
        assert!(score(&name_from_parts("AL-MOSULI", "SADDAM HUSSEIN"), &e) < 0.8);
        let e = name_from_full("MOHAMMED OMAR");
        assert!(score(&name_from_parts("OMAR", "MUHAMMAD"), &e) > 0.9);
        let e = name_from_full("MUHAMMAD BIN SALMAN");
        assert!(score(&name_from_parts("BIN MUHAMMAD", "SALMAN"), &e) < 0.8);
        let e = name_from_full("JANAN MOHAMMAD AHMED AGHA");
        assert!(score(&name_from_parts("AGHA", "JANAN"), &e) > 0.75);
        let e = name_from_full("GEORGE HABBASH");
        assert!(score(&name_from_parts("BUSH", "GEORGE"), &e) < 0.7);
    }

    #[test]
    fn dates_lower_without_veto() {
        let d = |y, m, dd| jiff::civil::date(y, m, dd);
        let c = birth_comparison(Some(d(1970, 3, 4)), &[BirthDate::Exact(d(1970, 4, 3))]).unwrap();
        assert_eq!(c.reason, "day/month swapped");
        let c = birth_comparison(Some(d(1970, 3, 4)), &[BirthDate::Year(1990)]).unwrap();
        assert!(c.weight < 0.0 && c.weight > -0.3);
    }

    #[test]
    fn distances_know_names() {
        assert!(name_distance("hussein", "husein") <= 0.5);
        assert!(name_distance("j0hn", "john") < 0.5);
        assert!(spelling_similarity("ali", "ari") < 0.6);
    }
}
