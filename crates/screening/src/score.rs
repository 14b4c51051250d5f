//! The explainable scorer: a name score from aligned tokens, then date of birth, sex,
//! nationality and documents raising or lowering it, each comparison recorded with its reason.

use invariant::Surely;
use jiff::civil::Date;
use model::Sex;
use serde::Serialize;

use crate::entry::{BirthDate, NameQuality};
use crate::normalise::{KIN_PARTICLES, Name, NameGroups, NamePart, Token};
use crate::weights::{Birth, Documents, Names, Particulars, Parts, Spelling, Weights, YearGap};

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

fn sub_cost(a: u8, b: u8, w: &Spelling) -> f32 {
    if a == b {
        return 0.0;
    }
    let (x, y) = if a < b { (a, b) } else { (b, a) };
    match (x, y) {
        (b'0', b'o') | (b'1', b'i') | (b'1', b'l') | (b'5', b's') | (b'8', b'b') | (b'2', b'z') => {
            w.ocr_substitution
        }
        _ if vowel(x) && vowel(y) => w.vowel_substitution,
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
        | (b'k', b'x') => w.similar_substitution,
        _ if x.is_ascii_digit() || y.is_ascii_digit() => w.digit_substitution,
        _ => w.substitution,
    }
}

/// Cost of inserting or deleting `c` that stands after `prev`: a doubled letter or an h of a
/// digraph costs little, a vowel less than a consonant.
fn indel_cost(c: u8, prev: Option<u8>, w: &Spelling) -> f32 {
    if prev == Some(c) {
        w.doubled_letter
    } else if c == b'h' {
        w.h_indel
    } else if vowel(c) {
        w.vowel_indel
    } else if c.is_ascii_digit() {
        w.digit_indel
    } else {
        w.consonant_indel
    }
}

/// Cells of a row of the distance table held on the stack (name parts are short).
const STACK_ROW: usize = 48;

/// Weighted optimal-string-alignment distance with the default name-aware costs.
pub fn name_distance(a: &str, b: &str) -> f32 {
    name_distance_with(a, b, &Spelling::DEFAULT)
}

/// Weighted optimal-string-alignment distance with name-aware costs `w`.
pub fn name_distance_with(a: &str, b: &str, w: &Spelling) -> f32 {
    // no bound: the table is always completed
    name_distance_within(a.as_bytes(), b.as_bytes(), f32::INFINITY, w).unwrap_or(f32::INFINITY)
}

/// The distance, or `None` as soon as it is sure to exceed `bound`: once two consecutive rows of
/// the table lie wholly above it no later cell can come back under it (all costs are positive and
/// a cell reads at most two rows back). Three rows are kept, and the cost of inserting each
/// letter of `b`, on the stack for short names.
fn name_distance_within(a: &[u8], b: &[u8], bound: f32, costs: &Spelling) -> Option<f32> {
    let w = b.len() + 1;
    let mut rows = [0.0f32; 4 * STACK_ROW];
    match rows.get_mut(..4 * w) {
        Some(rows) => distance_in(a, b, bound, rows, costs),
        None => distance_in(a, b, bound, &mut vec![0.0f32; 4 * w], costs),
    }
}

fn distance_in(a: &[u8], b: &[u8], bound: f32, buf: &mut [f32], costs: &Spelling) -> Option<f32> {
    let w = b.len() + 1;
    let (first, rest) = buf.split_at_mut(w);
    let (second, rest) = rest.split_at_mut(w);
    let (third, ins) = rest.split_at_mut(w);
    // the cost of inserting b's letter j (after its letter j-1), once rather than per row
    for (j, x) in ins.iter_mut().enumerate().skip(1) {
        let prev = if j >= 2 { b.get(j - 2).copied() } else { None };
        *x = indel_cost(b.get(j - 1).copied().unwrap_or(0), prev, costs);
    }
    let ins = &*ins;
    // rows i-2, i-1 and i
    let (mut pp, mut p, mut c) = (first, second, third);
    if let Some(x) = p.first_mut() {
        *x = 0.0;
    }
    for j in 1..w {
        let v = p.get(j - 1).copied().unwrap_or(f32::MAX) + ins.get(j).copied().unwrap_or(0.0);
        if let Some(x) = p.get_mut(j) {
            *x = v;
        }
    }
    let mut prev_min = 0.0f32;
    for i in 1..=a.len() {
        let ca = a.get(i - 1).copied().unwrap_or(0);
        let pa = if i >= 2 { a.get(i - 2).copied() } else { None };
        let del = indel_cost(ca, pa, costs);
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
                .min(left + ins.get(j).copied().unwrap_or(0.0))
                .min(diag + sub_cost(ca, cb, costs));
            if i >= 2 && j >= 2 && pa == Some(cb) && pb == Some(ca) && ca != cb {
                v = v.min(pp.get(j - 2).copied().unwrap_or(f32::MAX) + costs.transposition);
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
/// costs at least [`Spelling::cheapest_letter_edit`] ([`Spelling::cheapest_digit_edit`] where
/// digits may stand for letters; anything else, any cost).
fn letters_bound(a: &[u8], b: &[u8], w: &Spelling) -> f32 {
    let (sa, sb) = (letter_set(a), letter_set(b));
    let other = 1u64 << 36;
    if (sa | sb) & other != 0 {
        return 0.0;
    }
    let digits = ((1u64 << 10) - 1) << 26;
    let cheapest = if (sa | sb) & digits != 0 {
        w.cheapest_digit_edit()
    } else {
        w.cheapest_letter_edit()
    };
    let missing = (sa & !sb).count_ones().max((sb & !sa).count_ones());
    // with repeats: every occurrence without a counterpart is touched by an edit costing at
    // least as much as a doubled letter dropped
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
    let repeats = more_a.max(more_b) as f32 * cheapest.min(w.doubled_letter);
    (missing as f32 * cheapest).max(repeats)
}

/// Similarity of two spellings from the name-aware distance, with a cliff for short tokens
/// where one letter changes the name.
pub fn spelling_similarity(a: &str, b: &str) -> f32 {
    spelling_at_least(a, b, 0.0, &Spelling::DEFAULT)
}

/// [`spelling_similarity`] for a caller to whom every value under `min` is alike: the distance
/// is only computed as far as it can still give `min` or more, and 0 comes back when it cannot.
/// Values at or above `min` are exactly those of [`spelling_similarity`] (under the same costs
/// `w`).
pub fn spelling_at_least(a: &str, b: &str, min: f32, w: &Spelling) -> f32 {
    if a == b {
        return 1.0;
    }
    let len = a.len().max(b.len()) as f32;
    if len == 0.0 {
        return 0.0;
    }
    let short = if len <= 3.0 {
        Some(w.three_letters)
    } else if len <= 4.0 {
        Some(w.four_letters)
    } else {
        None
    };
    let bound = if min > 0.0 {
        match cost_bound(
            a.as_bytes(),
            b.as_bytes(),
            len,
            short.unwrap_or(1.0),
            min,
            w,
        ) {
            Some(bound) => bound,
            None => return 0.0,
        }
    } else {
        f32::INFINITY
    };
    let Some(mut cost) = name_distance_within(a.as_bytes(), b.as_bytes(), bound, w) else {
        return 0.0;
    };
    // one slip is a typo; more make another name
    if cost > w.typo_cost {
        cost = w.beyond_typo * cost - (w.beyond_typo - 1.0) * w.typo_cost;
    }
    let mut sim = (1.0 - cost / len).max(0.0);
    if let Some(factor) = short {
        sim *= factor;
    }
    sim
}

/// The largest distance between `a` and `b` (of length `len`, similarity scaled by `factor`)
/// that can still give a similarity of `min`, with a margin for rounding; `None` when the
/// letters alone show they cannot.
fn cost_bound(a: &[u8], b: &[u8], len: f32, factor: f32, min: f32, w: &Spelling) -> Option<f32> {
    // the largest stretched cost that still reaches min...
    let most = len * (1.0 - min / factor) + 1e-3;
    if most < 0.0 {
        return None;
    }
    // ...and the distance it stretches from
    let bound = if most <= w.typo_cost {
        most
    } else {
        (most + (w.beyond_typo - 1.0) * w.typo_cost) / w.beyond_typo
    };
    // every letter one name has more than the other is an insertion or a deletion
    if a.len().abs_diff(b.len()) as f32 * w.cheapest_indel() > bound {
        return None;
    }
    if letters_bound(a, b, w) > bound {
        return None;
    }
    Some(bound)
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
    part_similarity(
        &Part::new(q, groups, 0.0),
        &Part::new(e, groups, 0.0),
        0.0,
        &Weights::DEFAULT,
    )
}

/// [`token_similarity`] on prepared parts under weights `w`; similarities under `min` (which
/// must not exceed 0.66) may come back lower than they are (see [`spelling_at_least`]).
pub fn part_similarity(q: &Part, e: &Part, min: f32, w: &Weights) -> (f32, &'static str) {
    let p = &w.parts;
    if q.text == e.text {
        return (1.0, "exact");
    }
    if q.initial || e.initial {
        let same = q.text.as_bytes().first() == e.text.as_bytes().first() && !q.text.is_empty();
        return if same {
            (p.initial, "initial")
        } else {
            (0.0, "initial differs")
        };
    }
    let (qb, eb) = (q.bare(), e.bare());
    if qb == eb {
        return if q.kin || e.kin {
            (p.kinship_particle_differs, "kinship particle differs")
        } else {
            (p.particle_ignored, "particle ignored")
        };
    }
    if share_group(&q.groups_bare, &e.groups_bare) || share_group(&q.groups_text, &e.groups_text) {
        return (p.name_group, "name-group match");
    }
    // two common names of their own that start differently (JEONG / SEONG, YEONG / BYEONG):
    // another person's name, however few letters differ
    if q.known_common && e.known_common {
        let (a, b) = (qb.as_bytes().first(), eb.as_bytes().first());
        if let (Some(&a), Some(&b)) = (a, b)
            && sub_cost(a, b, &w.spelling) >= w.spelling.substitution
        {
            return (0.0, "another common name");
        }
    }
    let mut sim = spelling_at_least(qb, eb, min, &w.spelling);
    let reason = if sim >= p.typo_from {
        "typo"
    } else {
        "differs"
    };
    // written without particle on one side, with it glued on the other
    if q.core.is_some() || e.core.is_some() {
        let full = spelling_at_least(&q.text, &e.text, min.max(sim), &w.spelling);
        if full > sim {
            sim = full;
        }
    }
    skeleton_similarity(q, e, p, &w.spelling, sim, reason)
}

/// The consonant skeletons' say on a similarity `sim` found from the spellings: the skeleton
/// bridges Latin and Arabic script; between two other scripts' transliterations or on two
/// consonants it is too ambiguous.
fn skeleton_similarity(
    q: &Part,
    e: &Part,
    p: &Parts,
    costs: &Spelling,
    mut sim: f32,
    mut reason: &'static str,
) -> (f32, &'static str) {
    let long = q.skeleton.len() >= p.skeleton_min_len;
    if q.skeleton == e.skeleton && long && !(q.native && e.native) {
        let floor = if q.native || e.native {
            p.skeleton_native
        } else {
            p.skeleton
        };
        if sim < floor {
            sim = floor;
            reason = "consonant skeleton";
        }
    }
    if !q.native && e.native && sim < p.other_script_below && long {
        // other script: the transliteration is only a hint
        let skel = spelling_at_least(&q.skeleton, &e.skeleton, p.close_skeleton_from, costs);
        if skel >= p.close_skeleton_from {
            sim = sim.max(p.close_skeleton_share * skel + p.close_skeleton_lift);
            reason = "consonant skeleton, close";
        }
    }
    (sim, reason)
}

// ---------------------------------------------------------------------------------------------
// names

/// Weight of a name part: its rarity, within `idf_floor..=cap`, more for family names.
pub fn part_weight(idf: f32, role: NamePart, cap: f32, w: &Names) -> f32 {
    let weight = idf.clamp(w.idf_floor, cap);
    if role == NamePart::Family {
        weight * w.family
    } else {
        weight
    }
}

/// The most a part weighs (before the family factor) when the rarest listed part has IDF
/// `max_idf`: see [`Names::idf_cap_share`].
pub fn idf_cap(max_idf: f32, w: &Names) -> f32 {
    (max_idf * w.idf_cap_share).max(1.0)
}

/// The result of comparing two names.
#[derive(Debug, Clone, PartialEq)]
pub struct NameScore {
    pub score: f32,
    /// Per-part comparisons, when an explanation was asked for.
    pub parts: Vec<Comparison>,
    pub matched: usize,
}

/// A traveller's name prepared once for comparison with many listed names.
#[derive(Debug, Clone)]
pub struct QueryName {
    /// Parts with their role and weight.
    pub parts: Vec<(Part, NamePart, f32)>,
    pub compact: String,
    /// The parts concatenated family name first (for names written in the other order).
    pub reversed: String,
    /// The most a part weighs (see [`idf_cap`]).
    pub cap: f32,
}

impl QueryName {
    pub fn new(
        name: &Name,
        groups: &NameGroups,
        idf: &dyn Fn(&str) -> f32,
        cap: f32,
        w: &Names,
    ) -> QueryName {
        let parts = name
            .tokens
            .iter()
            .map(|t| {
                let idf = idf(t.bare());
                (
                    Part::new(t, groups, idf),
                    t.role,
                    part_weight(idf, t.role, cap, w),
                )
            })
            .collect();
        let mut order: Vec<&Token> = name.tokens.iter().collect();
        order.sort_by_key(|t| t.role != NamePart::Family);
        QueryName {
            parts,
            compact: name.compact.clone(),
            reversed: order.iter().map(|t| t.text.as_str()).collect(),
            cap,
        }
    }

    fn text(&self, i: usize) -> Option<&str> {
        self.parts.get(i).map(|p| &*p.0.text)
    }
}

/// A listed name as the aligner sees it: its parts as numbers in `table` (the matcher's table
/// of every distinct listed part, prepared once) with their role, and its compact form.
#[derive(Debug, Clone, Copy)]
pub struct Listed<'a> {
    pub parts: &'a [(u32, NamePart)],
    pub compact: &'a str,
    pub table: &'a [Part],
}

impl Listed<'_> {
    fn part(&self, j: usize) -> Option<&Part> {
        self.parts
            .get(j)
            .and_then(|&(id, _)| self.table.get(id as usize))
    }

    fn text(&self, j: usize) -> Option<&str> {
        self.part(j).map(|p| &*p.text)
    }

    /// The weight of part `j` (1 for a part that is not there, which cannot happen: the matcher
    /// numbers parts from its own table).
    fn weight(&self, j: usize, cap: f32, w: &Names) -> f32 {
        match self.parts.get(j) {
            Some(&(id, role)) => self
                .table
                .get(id as usize)
                .map_or(1.0, |p| part_weight(p.idf, role, cap, w)),
            None => 1.0,
        }
    }
}

/// A pair of parts: (query part, listed part, similarity, reason).
type Pair = (u16, u16, f32, &'static str);

/// Buffers reused from one comparison to the next, and what the last [`align`] found (read by
/// [`explain`] and [`AlignScratch::matched_rarity`]).
#[derive(Debug, Default)]
pub struct AlignScratch {
    pairs: Vec<Pair>,
    chosen: Vec<Pair>,
    q_used: Vec<bool>,
    e_used: Vec<bool>,
    /// The traveller's parts' total weight (paired and unpaired) and the listed parts'.
    q_total: f32,
    e_total: f32,
    /// The last score came from the names' letters joined, not from paired parts, with this
    /// similarity.
    joined: Option<f32>,
}

impl AlignScratch {
    /// Rarity (digits, see [`crate::frequency`]) of the listed parts the last [`align`] matched:
    /// the paired parts, or all of them when the letters joined made the score.
    pub fn matched_rarity(&self, listed: &Listed<'_>) -> f32 {
        let rarity = |j: usize| listed.part(j).map_or(0.0, |p| p.rarity);
        if self.joined.is_some() {
            (0..listed.parts.len()).map(rarity).sum()
        } else {
            self.chosen
                .iter()
                .map(|&(_, j, _, _)| rarity(usize::from(j)))
                .sum()
        }
    }

    /// Whether query part `i` is paired (the marks are sized to the names: a part past them is
    /// a bug, reported, and taken as paired so that nothing pairs with it).
    fn q_taken(&self, i: usize) -> bool {
        self.q_used
            .get(i)
            .copied()
            .surely_or(true, "a query part's mark")
    }

    /// The same for listed part `j`.
    fn e_taken(&self, j: usize) -> bool {
        self.e_used
            .get(j)
            .copied()
            .surely_or(true, "a listed part's mark")
    }

    fn q_free(&self, i: usize) -> bool {
        !self.q_taken(i)
    }

    fn e_free(&self, j: usize) -> bool {
        !self.e_taken(j)
    }

    fn take(&mut self, i: usize, j: usize, x: f32, why: &'static str) {
        if let Some(u) = self.q_used.get_mut(i) {
            *u = true;
        }
        if let Some(u) = self.e_used.get_mut(j) {
            *u = true;
        }
        self.chosen.push((i as u16, j as u16, x, why));
    }
}

/// Whether `whole` may spell `a` and `b` joined: the same first letter and at most `slack`
/// letters more or fewer (checked before any string is built).
fn joinable(whole: &str, a: &str, b: &str, slack: usize) -> bool {
    whole.as_bytes().first() == a.as_bytes().first()
        && whole.len().abs_diff(a.len() + b.len()) <= slack
}

/// Pairs each unmatched part of one name with two adjacent unmatched parts of the other whose
/// letters joined spell it (within [`Names::joined_parts_min`]).
fn join_leftovers(query: &QueryName, listed: &Listed<'_>, s: &mut AlignScratch, w: &Weights) {
    let (qn, en) = (query.parts.len(), listed.parts.len());
    let (min, slack) = (w.names.joined_parts_min, w.names.joined_parts_slack);
    let mut joined = String::new();
    // one query part, two listed parts
    for i in 0..qn {
        let Some(qt) = query.text(i).filter(|_| s.q_free(i)) else {
            continue;
        };
        for j in 0..en.saturating_sub(1) {
            if !s.e_free(j) || !s.e_free(j + 1) {
                continue;
            }
            let (Some(a), Some(b)) = (listed.text(j), listed.text(j + 1)) else {
                continue;
            };
            if !joinable(qt, a, b, slack) {
                continue;
            }
            joined.clear();
            joined.push_str(a);
            joined.push_str(b);
            let x = spelling_at_least(qt, &joined, min, &w.spelling);
            if x >= min {
                s.take(i, j, x, "parts joined");
                s.take(i, j + 1, x, "parts joined");
                break;
            }
        }
    }
    // two query parts, one listed part
    for j in 0..en {
        let Some(et) = listed.text(j).filter(|_| s.e_free(j)) else {
            continue;
        };
        for i in 0..qn.saturating_sub(1) {
            if !s.q_free(i) || !s.q_free(i + 1) {
                continue;
            }
            let (Some(a), Some(b)) = (query.text(i), query.text(i + 1)) else {
                continue;
            };
            if !joinable(et, a, b, slack) {
                continue;
            }
            joined.clear();
            joined.push_str(a);
            joined.push_str(b);
            let x = spelling_at_least(&joined, et, min, &w.spelling);
            if x >= min {
                if let Some(u) = s.q_used.get_mut(i + 1) {
                    *u = true;
                }
                s.take(i, j, x, "parts joined");
                break;
            }
        }
    }
}

/// Pairs parts best first: every pair of at least [`Names::pair_min`], most alike first (ties
/// in order), each part used once.
fn pair_best_first(
    query: &QueryName,
    listed: &Listed<'_>,
    sim: &mut dyn FnMut(usize, u32) -> (f32, &'static str),
    s: &mut AlignScratch,
    w: &Names,
) {
    let (qn, en) = (query.parts.len(), listed.parts.len());
    s.pairs.clear();
    for i in 0..qn {
        for (j, &(id, _)) in listed.parts.iter().enumerate() {
            let (x, why) = sim(i, id);
            if x >= w.pair_min {
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
    let pairs = std::mem::take(&mut s.pairs);
    for &(i, j, x, why) in &pairs {
        let (i, j) = (usize::from(i), usize::from(j));
        if s.q_free(i) && s.e_free(j) {
            s.take(i, j, x, why);
        }
    }
    s.pairs = pairs;
}

/// The quality of the paired parts (their similarity weighted by the listed parts' weight),
/// lowered by coverage: unpaired parts of the traveller's name count heavily, listed parts the
/// traveller lacks (dropped middle names) mildly. Records the two names' total weights.
fn coverage_score(query: &QueryName, listed: &Listed<'_>, s: &mut AlignScratch, w: &Names) -> f32 {
    let cap = query.cap;
    let mut pair_total = 0.0f32;
    let mut pair_got = 0.0f32;
    for &(_, j, x, _) in &s.chosen {
        let weight = listed.weight(usize::from(j), cap, w);
        pair_total += weight;
        pair_got += weight * x;
    }
    let quality = if pair_total > 0.0 {
        pair_got / pair_total
    } else {
        0.0
    };
    let mut q_missing = 0.0f32;
    for (i, (p, _, weight)) in query.parts.iter().enumerate() {
        if !s.q_taken(i) {
            // an initial or a particle standing alone ("BILAL BIN" / "MARWAN") says little
            let slight = if p.slight() { w.slight_missing } else { 1.0 };
            q_missing += weight.min(cap * w.missing_cap_share) * slight;
        }
    }
    let mut e_total = 0.0f32;
    let mut e_missing = 0.0f32;
    for j in 0..listed.parts.len() {
        let init = listed.part(j).is_some_and(|p| p.initial || p.title);
        let weight = listed.weight(j, cap, w) * if init { w.listed_initial } else { 1.0 };
        e_total += weight;
        if !s.e_taken(j) {
            e_missing += weight;
        }
    }
    let q_total = pair_total + q_missing;
    s.q_total = q_total;
    s.e_total = e_total;
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
    quality * (1.0 - w.traveller_missing * q_share) * (1.0 - w.listed_missing * e_share)
}

/// What the pairs say beyond their similarity: a single shared part is not a name match
/// (unless a name has only one part), kinship particles on other names and a swapped order
/// lower the score.
fn pairing_penalties(
    query: &QueryName,
    listed: &Listed<'_>,
    s: &AlignScratch,
    w: &Names,
    mut score: f32,
) -> f32 {
    if s.chosen.len() < 2 && query.parts.len().min(listed.parts.len()) >= 2 {
        score = score.min(w.single_part_max);
    }
    // swapped nasab: kinship particles attached to other names
    let kin_moved = s.chosen.iter().any(|&(i, j, _, _)| {
        match (query.parts.get(usize::from(i)), listed.part(usize::from(j))) {
            (Some(q), Some(e)) => q.0.kin != e.kin,
            _ => false,
        }
    });
    if kin_moved {
        score *= w.kinship_moved;
    }
    // family name of the query matched as a given name of the entry: order swapped
    let swapped = s.chosen.iter().any(|&(i, j, _, _)| {
        matches!(
            (
                query.parts.get(usize::from(i)).map(|p| p.1),
                listed.parts.get(usize::from(j)).map(|p| p.1)
            ),
            (Some(NamePart::Family), Some(NamePart::Given))
                | (Some(NamePart::Given), Some(NamePart::Family))
        )
    });
    if swapped {
        score *= w.order_swapped;
    }
    score
}

/// The same letters split or joined otherwise ("abdul rahman" / "abdulrahman"): the names'
/// letters compared whole, in either order of the traveller's parts. Only a similarity of at
/// least [`Names::whole_min`] that beats `score` counts, so the comparison stops as soon as it
/// cannot reach that. Returns the similarity when it made the score.
fn whole_letters(query: &QueryName, listed: &Listed<'_>, score: f32, w: &Weights) -> Option<f32> {
    let n = &w.names;
    if score >= n.whole_below || query.compact.len() < n.whole_min_len {
        return None;
    }
    let need = n.whole_min.max(score / n.whole_share) - 1e-4;
    let mut joined = spelling_at_least(&query.compact, listed.compact, need, &w.spelling);
    if query.reversed != query.compact {
        joined = joined.max(spelling_at_least(
            &query.reversed,
            listed.compact,
            need.max(joined),
            &w.spelling,
        ));
    }
    (joined >= n.whole_min && joined * n.whole_share > score).then_some(joined)
}

/// Compares a prepared query name with a listed name. `sim(i, id)` gives the similarity of
/// query part `i` and table part `id` (the matcher caches it per query). The per-part
/// explanation of the result is [`explain`], from the same scratch.
pub fn align(
    query: &QueryName,
    listed: &Listed<'_>,
    w: &Weights,
    sim: &mut dyn FnMut(usize, u32) -> (f32, &'static str),
    s: &mut AlignScratch,
) -> NameScore {
    let (qn, en) = (query.parts.len(), listed.parts.len());
    s.chosen.clear();
    s.joined = None;
    if qn == 0 || en == 0 {
        return NameScore {
            score: 0.0,
            parts: Vec::new(),
            matched: 0,
        };
    }
    pair_best_first(query, listed, sim, s, &w.names);
    // a part left over on one side written as two on the other ("YUSRO" / "YU-RO",
    // "JONGUN" / "JONG UN"): paired with the two joined
    let (q_free, e_free) = (qn - s.chosen.len(), en - s.chosen.len());
    if (q_free >= 1 && e_free >= 2) || (q_free >= 2 && e_free >= 1) {
        join_leftovers(query, listed, s, w);
    }
    let mut score = coverage_score(query, listed, s, &w.names);
    score = pairing_penalties(query, listed, s, &w.names, score);
    if let Some(joined) = whole_letters(query, listed, score, w) {
        score = joined * w.names.whole_share;
        s.joined = Some(joined);
    }
    NameScore {
        score,
        parts: Vec::new(),
        matched: s.chosen.len(),
    }
}

/// The per-part comparisons of the last [`align`] of these names: each pair with its listed
/// part's share of the name, the parts left unpaired on either side, and the whole letters when
/// they made the score.
pub fn explain(
    query: &QueryName,
    listed: &Listed<'_>,
    s: &AlignScratch,
    w: &Names,
) -> Vec<Comparison> {
    let (qn, en) = (query.parts.len(), listed.parts.len());
    if qn == 0 || en == 0 {
        // align scored nothing
        return Vec::new();
    }
    let cap = query.cap;
    let q_text = |i: usize| query.text(i).map(str::to_string).unwrap_or_default();
    let e_text = |j: usize| listed.text(j).map(str::to_string).unwrap_or_default();
    let q_weight = |i: usize| query.parts.get(i).map_or(1.0, |p| p.2);
    let (q_total, e_total) = (s.q_total.max(0.01), s.e_total.max(0.01));
    let mut parts = Vec::new();
    for &(i, j, x, why) in &s.chosen {
        let (i, j) = (usize::from(i), usize::from(j));
        parts.push(Comparison {
            field: Field::NamePart,
            query: q_text(i),
            entry: e_text(j),
            score: f64::from(x),
            weight: f64::from(listed.weight(j, cap, w) / e_total),
            reason: why,
        });
    }
    for i in (0..qn).filter(|&i| !s.q_taken(i)) {
        parts.push(Comparison {
            field: Field::NamePart,
            query: q_text(i),
            entry: String::new(),
            score: 0.0,
            weight: f64::from(q_weight(i).min(cap * w.missing_cap_share) / q_total),
            reason: "not in the listed name",
        });
    }
    for j in (0..en).filter(|&j| !s.e_taken(j)) {
        parts.push(Comparison {
            field: Field::NamePart,
            query: String::new(),
            entry: e_text(j),
            score: 0.0,
            weight: f64::from(listed.weight(j, cap, w) / e_total),
            reason: "listed part missing from the traveller's name",
        });
    }
    if let Some(joined) = s.joined {
        parts.push(Comparison {
            field: Field::Name,
            query: query.compact.clone(),
            entry: listed.compact.to_string(),
            score: f64::from(joined),
            weight: 1.0,
            reason: "same letters, split differently",
        });
    }
    parts
}

/// Compares a query name with one name of an entry under the default weights, with its
/// explanation. `idf` gives a folded token's rarity, `cap` the most a part weighs. (The matcher
/// prepares both sides once and calls [`align`].)
pub fn compare_names(
    query: &Name,
    entry: &Name,
    groups: &NameGroups,
    idf: &dyn Fn(&str) -> f32,
    cap: f32,
) -> NameScore {
    let w = &Weights::DEFAULT;
    let q = QueryName::new(query, groups, idf, cap, &w.names);
    let table: Vec<Part> = entry
        .tokens
        .iter()
        .map(|t| Part::new(t, groups, idf(t.bare())))
        .collect();
    let parts: Vec<(u32, NamePart)> = entry
        .tokens
        .iter()
        .enumerate()
        .map(|(j, t)| (j as u32, t.role))
        .collect();
    let listed = Listed {
        parts: &parts,
        compact: &entry.compact,
        table: &table,
    };
    let mut sim = |i: usize, id: u32| match (q.parts.get(i), table.get(id as usize)) {
        (Some(a), Some(b)) => part_similarity(&a.0, b, w.names.pair_min, w),
        _ => (0.0, "differs"),
    };
    let mut scratch = AlignScratch::default();
    let mut score = align(&q, &listed, w, &mut sim, &mut scratch);
    score.parts = explain(&q, &listed, &scratch, &w.names);
    score
}

/// Weight of an alias of this quality.
pub fn quality_factor(q: NameQuality, w: &Names) -> f32 {
    match q {
        NameQuality::Primary | NameQuality::Strong => 1.0,
        NameQuality::Weak => w.weak_alias,
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
fn year_gap_effect(gap: i16, precision: Precision, w: &Birth) -> (f64, f64, &'static str) {
    let g = f64::from(gap);
    let (YearGap { one, few, many }, reason) = match precision {
        Precision::Exact => (
            w.gap_exact,
            "birth year differs by 4 or more, both dates exact",
        ),
        Precision::Year => (w.gap_year, "birth year differs by 4 or more"),
        Precision::Range => (
            w.gap_range,
            "birth year 4 or more years outside the listed range",
        ),
    };
    match gap {
        0 => (0.0, 0.6, "birth year equal"),
        1 => (one, 0.4, "birth year differs by one"),
        2 | 3 => (few, 0.25, "birth year differs by two or three"),
        // each further year a little more, up to ten years apart
        _ => (many - (g - 4.0).min(6.0) * w.per_further_year, 0.0, reason),
    }
}

/// How much a date-of-birth comparison weighs for a name of this commonness (0 rare .. 1 very
/// common): a contradicting date counts up to twice as much on a common name, whose namesakes
/// are many, as on a rare one.
pub fn date_weight_for(effect: f64, commonness: f64, w: &Birth) -> f64 {
    if effect < 0.0 {
        effect * (1.0 + commonness * w.common_contradiction)
    } else {
        effect
    }
}

/// Date of birth: (change to the score, similarity, reason) against one listed date.
fn compare_birth(q: Date, e: &BirthDate, w: &Birth) -> (f64, f64, &'static str) {
    match *e {
        BirthDate::Exact(d) => {
            if d == q {
                if d.month() == 1 && d.day() == 1 {
                    (
                        w.equal_first_january,
                        0.9,
                        "date of birth equal (1 January, maybe a placeholder)",
                    )
                } else {
                    (w.equal, 1.0, "date of birth equal")
                }
            } else if d.year() == q.year() {
                if d.month() == 1 && d.day() == 1 {
                    (
                        w.year_equal_first_january,
                        0.8,
                        "birth year equal (1 January placeholder)",
                    )
                } else if q.month() == d.day() && q.day() == d.month() {
                    (w.day_month_swapped, 0.9, "day/month swapped")
                } else if q.month() == d.month() || q.day() == d.day() {
                    (
                        w.one_of_day_month_differs,
                        0.7,
                        "birth year equal, one of day and month differs",
                    )
                } else {
                    (
                        w.day_and_month_differ,
                        0.6,
                        "birth year equal, day and month differ",
                    )
                }
            } else {
                let gap = (d.year() - q.year()).abs();
                if gap == 1 && d.month() == q.month() && d.day() == q.day() {
                    (
                        w.year_slip,
                        0.7,
                        "birth year differs by one, day and month equal",
                    )
                } else if d.month() == 1 && d.day() == 1 {
                    // 1 January: perhaps only the year was known
                    year_gap_effect(gap, Precision::Year, w)
                } else {
                    year_gap_effect(gap, Precision::Exact, w)
                }
            }
        }
        BirthDate::Year(y) => {
            if y == q.year() {
                (w.listed_year_equal, 0.8, "birth year equal")
            } else {
                year_gap_effect((y - q.year()).abs(), Precision::Year, w)
            }
        }
        BirthDate::Range { from, to } => {
            let y = q.year();
            if (from..=to).contains(&y) {
                (w.within_range, 0.7, "birth year within the listed range")
            } else {
                let gap = if y < from { from - y } else { y - to };
                year_gap_effect(gap, Precision::Range, w)
            }
        }
    }
}

/// Compares the traveller's date of birth with every listed one; the best counts.
pub fn birth_comparison(query: Option<Date>, entry: &[BirthDate], w: &Birth) -> Option<Comparison> {
    let q = query?;
    let best = entry
        .iter()
        .map(|e| (compare_birth(q, e, w), e))
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

pub fn sex_comparison(
    query: Option<Sex>,
    entry: Option<Sex>,
    w: &Particulars,
) -> Option<Comparison> {
    let (q, e) = (query?, entry?);
    let known = |s: Sex| matches!(s, Sex::Male | Sex::Female);
    if !known(q) || !known(e) {
        return None;
    }
    let (weight, score, reason) = if q == e {
        (w.sex_equal, 1.0, "sex equal")
    } else {
        (w.sex_differs, 0.0, "sex differs")
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

pub fn nationality_comparison(
    query: Option<&str>,
    entry: &[String],
    w: &Particulars,
) -> Option<Comparison> {
    let q = query.filter(|q| !q.is_empty())?;
    if entry.is_empty() {
        return None;
    }
    let same = entry.iter().any(|e| e.eq_ignore_ascii_case(q));
    let (weight, score, reason) = if same {
        (w.nationality_equal, 1.0, "nationality equal")
    } else {
        (w.nationality_differs, 0.0, "nationality differs")
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
pub fn document_comparison(
    query: &[Doc],
    entry: &[Doc],
    w: &Documents,
) -> Option<(f64, Comparison)> {
    let mut best: Option<(f64, Comparison)> = None;
    for q in query {
        for e in entry {
            if q.key.len() < w.min_len || e.key.len() < w.min_len {
                continue;
            }
            let state_ok = match (&q.state, &e.state) {
                (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
                _ => true,
            };
            let (floor, score, reason) = if q.plain == e.plain {
                (w.equal, 1.0, "document number equal")
            } else if q.key == e.key {
                (w.ocr_equal, 0.95, "document OCR-equivalent")
            } else if q.key.len() >= w.near_min_len && strsim::osa_distance(&q.key, &e.key) == 1 {
                (0.0, 0.7, "document differs by one character")
            } else {
                continue;
            };
            let (floor, reason) = if state_ok {
                (floor, reason)
            } else {
                (
                    floor * w.state_differs,
                    "document number equal, issuing State differs",
                )
            };
            let c = Comparison {
                field: Field::Document,
                query: format!("{} {}", q.plain, q.state.as_deref().unwrap_or("")),
                entry: format!("{} {}", e.plain, e.state.as_deref().unwrap_or("")),
                score,
                weight: if floor > 0.0 { floor } else { w.near },
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
        let w = &Birth::DEFAULT;
        let swapped = [BirthDate::Exact(d(1970, 4, 3))];
        let c = birth_comparison(Some(d(1970, 3, 4)), &swapped, w).unwrap();
        assert_eq!(c.reason, "day/month swapped");
        let c = birth_comparison(Some(d(1970, 3, 4)), &[BirthDate::Year(1990)], w).unwrap();
        assert!(c.weight < 0.0 && c.weight > -0.3);
    }

    #[test]
    fn distances_know_names() {
        assert!(name_distance("hussein", "husein") <= 0.5);
        assert!(name_distance("j0hn", "john") < 0.5);
        assert!(spelling_similarity("ali", "ari") < 0.6);
    }
}
