//! The scorer's weights: every number that decides how alike a traveller and a listed person
//! are, in one place, with what it means and why it has its value.
//!
//! [`Weights::default`] is the scorer as measured in `bench/RESULTS.md` (recall 0.9975 on UN
//! variations, 0.056 % false alarms on 50,000 non-listed people at 0.80; pinned by
//! `tests/accuracy.rs`). A unit or an evaluation can read other weights from a JSON file
//! ([`Weights::from_json`]; fields left out keep their default, unknown fields are refused) and
//! give them to the matcher through [`crate::Config::weights`], so a sweep is a file per point.
//!
//! Similarities shown in explanations (the `score` of a date or sex comparison) are
//! descriptions, not weights, and stay with the code that writes them; only what changes a
//! score is here. Where a weight also bounds a search (the edit costs bound the distance table's
//! early exit), the bound is derived from the weights, so any values keep results exact.

use serde::{Deserialize, Serialize};

/// Every weight of the scorer and matcher, grouped by what it weighs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Weights {
    /// Costs of editing one spelling into another, and how a cost becomes a similarity.
    pub spelling: Spelling,
    /// How alike two name parts are when they are not spelt alike.
    pub parts: Parts,
    /// How the parts of two names make a name score.
    pub names: Names,
    /// What dates of birth add or take.
    pub birth: Birth,
    /// What sex and nationality add or take.
    pub particulars: Particulars,
    /// What document numbers prove.
    pub documents: Documents,
    /// How the name score and the particulars make the entry's score.
    pub evidence: Evidence,
}

impl Weights {
    /// Today's scorer.
    pub const DEFAULT: Weights = Weights {
        spelling: Spelling::DEFAULT,
        parts: Parts::DEFAULT,
        names: Names::DEFAULT,
        birth: Birth::DEFAULT,
        particulars: Particulars::DEFAULT,
        documents: Documents::DEFAULT,
        evidence: Evidence::DEFAULT,
    };

    /// Weights from JSON: the default for every field left out, an error for an unknown field
    /// or a value of the wrong type.
    pub fn from_json(text: &str) -> Result<Weights, serde_json::Error> {
        serde_json::from_str(text)
    }
}

impl Default for Weights {
    fn default() -> Weights {
        Weights::DEFAULT
    }
}

/// Name-aware edit costs (a weighted optimal-string-alignment distance over folded Latin
/// letters) and the turn of a cost into a similarity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Spelling {
    /// A digit read for the letter it looks like (0/O, 1/I, 1/L, 5/S, 8/B, 2/Z): the machine
    /// reading of a passport's zone makes these, so they cost little.
    pub ocr_substitution: f32,
    /// One vowel for another: transliterations disagree most on vowels (MUHAMMAD / MOHAMMED).
    pub vowel_substitution: f32,
    /// Consonants that stand for the same sound in some transliteration (C/K, K/Q, C/S, S/Z,
    /// V/W, F/V, J/Y, G/J, D/T, B/P, I/J, W/U, K/X): cheaper than another letter, dearer than a
    /// vowel.
    pub similar_substitution: f32,
    /// A digit for a letter it does not look like, or for another digit: names have no digits,
    /// so this is rarely a slip of the same name.
    pub digit_substitution: f32,
    /// Any other letter for another.
    pub substitution: f32,
    /// A doubled letter written once or twice (HUSSEIN / HUSEIN): the cheapest edit.
    pub doubled_letter: f32,
    /// An H inserted or dropped: the H of a digraph (KH/K, SH/S, TH/T) comes and goes.
    pub h_indel: f32,
    /// A vowel inserted or dropped.
    pub vowel_indel: f32,
    /// A digit inserted or dropped.
    pub digit_indel: f32,
    /// A consonant inserted or dropped.
    pub consonant_indel: f32,
    /// Two adjacent letters swapped, a keying slip.
    pub transposition: f32,
    /// Names of at most three letters keep this share of their similarity: one letter changes
    /// a short name (ALI / ARI).
    pub three_letters: f32,
    /// Names of four letters keep this share.
    pub four_letters: f32,
    /// Edits costing up to this much in total are one slip, a typo...
    pub typo_cost: f32,
    /// ...beyond it every further unit of cost counts this many times: more slips make another
    /// name, not a worse spelling of the same one.
    pub beyond_typo: f32,
}

impl Spelling {
    pub const DEFAULT: Spelling = Spelling {
        ocr_substitution: 0.3,
        vowel_substitution: 0.6,
        similar_substitution: 0.7,
        digit_substitution: 1.5,
        substitution: 1.0,
        doubled_letter: 0.5,
        h_indel: 0.6,
        vowel_indel: 0.8,
        digit_indel: 1.5,
        consonant_indel: 1.0,
        transposition: 0.8,
        three_letters: 0.75,
        four_letters: 0.9,
        typo_cost: 1.0,
        beyond_typo: 2.0,
    };

    /// The least an edit that removes or brings a letter (not a digit) costs, doubled letters
    /// aside: what a letter one spelling has and the other lacks costs at least.
    pub fn cheapest_letter_edit(&self) -> f32 {
        least(&[
            self.vowel_substitution,
            self.similar_substitution,
            self.substitution,
            self.h_indel,
            self.vowel_indel,
            self.consonant_indel,
            self.transposition,
        ])
    }

    /// The same where digits are about: a digit may stand for a letter.
    pub fn cheapest_digit_edit(&self) -> f32 {
        least(&[
            self.cheapest_letter_edit(),
            self.ocr_substitution,
            self.digit_substitution,
            self.digit_indel,
        ])
    }

    /// The least an insertion or a deletion costs.
    pub fn cheapest_indel(&self) -> f32 {
        least(&[
            self.doubled_letter,
            self.h_indel,
            self.vowel_indel,
            self.digit_indel,
            self.consonant_indel,
        ])
    }
}

/// The least of some costs, by plain comparison (no NaN handling: the bounds are computed on
/// every spelling comparison).
#[inline]
fn least(costs: &[f32]) -> f32 {
    costs
        .iter()
        .fold(f32::INFINITY, |m, &c| if c < m { c } else { m })
}

impl Default for Spelling {
    fn default() -> Spelling {
        Spelling::DEFAULT
    }
}

/// Similarities of two name parts that are not spelt alike (an equal spelling is 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Parts {
    /// An initial and a name with that first letter: the initial may stand for it.
    pub initial: f32,
    /// The same name with a kinship particle (BIN, ABU, …) on one side only: the particle
    /// names another person's relation, so less than an ignored particle.
    pub kinship_particle_differs: f32,
    /// The same name with another particle (AL-, EL-, DE, …) or none.
    pub particle_ignored: f32,
    /// Two names of one equivalence group (MOHAMMED / MUHAMMAD, KIM / GIM).
    pub name_group: f32,
    /// A spelling similarity from which the reason reads "typo" (a label only).
    pub typo_from: f32,
    /// The same consonant skeleton of two Latin spellings: the floor it sets.
    pub skeleton: f32,
    /// The same: when one side is a native-script (Arabic) name, whose skeleton is all the
    /// transliteration keeps.
    pub skeleton_native: f32,
    /// Skeletons shorter than this (two consonants) are too ambiguous to count.
    pub skeleton_min_len: usize,
    /// A Latin part against a native-script one under this similarity tries the skeletons'
    /// spelling similarity...
    pub other_script_below: f32,
    /// ...which counts from this similarity...
    pub close_skeleton_from: f32,
    /// ...as `close_skeleton_share × similarity + close_skeleton_lift`.
    pub close_skeleton_share: f32,
    pub close_skeleton_lift: f32,
}

impl Parts {
    pub const DEFAULT: Parts = Parts {
        initial: 0.8,
        kinship_particle_differs: 0.9,
        particle_ignored: 0.97,
        name_group: 0.92,
        typo_from: 0.75,
        skeleton: 0.8,
        skeleton_native: 0.85,
        skeleton_min_len: 3,
        other_script_below: 0.88,
        close_skeleton_from: 0.75,
        close_skeleton_share: 0.75,
        close_skeleton_lift: 0.1,
    };
}

impl Default for Parts {
    fn default() -> Parts {
        Parts::DEFAULT
    }
}

/// How the parts of a traveller's name and a listed name make a name score: parts are paired
/// best first, the pairs' similarity weighted by the listed parts' rarity, then lowered for the
/// parts left unpaired on either side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Names {
    /// Two parts pair from this similarity (at most 0.66: the part comparison may stop early
    /// under it).
    pub pair_min: f32,
    /// A part weighs its rarity (IDF over the lists), at least this...
    pub idf_floor: f32,
    /// ...and at most this share of the rarest part's IDF (at least 1): one very rare part must
    /// not outweigh the rest of the name.
    pub idf_cap_share: f32,
    /// A family name weighs this many times its rarity: it identifies more than a given name.
    pub family: f32,
    /// An unpaired part of the traveller's name weighs at most this share of the cap...
    pub missing_cap_share: f32,
    /// ...and this share of it when it is an initial, a particle standing alone or a title,
    /// which say little ("BILAL BIN" / "MARWAN").
    pub slight_missing: f32,
    /// A listed initial or title weighs this share of its weight in the listed name's total.
    pub listed_initial: f32,
    /// The share of the score the traveller's unpaired parts can take: a name with parts the
    /// listed person lacks is likely another person's.
    pub traveller_missing: f32,
    /// The share the listed name's unpaired parts can take: travellers drop middle names, so
    /// mildly.
    pub listed_missing: f32,
    /// The most a single paired part scores when both names have two parts or more: one shared
    /// name is not a name match.
    pub single_part_max: f32,
    /// Kinship particles attached to other names on the two sides (a swapped nasab): factor.
    pub kinship_moved: f32,
    /// A family name paired with a given name (order swapped): factor.
    pub order_swapped: f32,
    /// A part left over on one side pairs with two adjacent leftovers of the other joined from
    /// this similarity (YUSRO / YU-RO)...
    pub joined_parts_min: f32,
    /// ...when the joined letters are at most this many more or fewer.
    pub joined_parts_slack: usize,
    /// The names' letters compared whole (ABDUL RAHMAN / ABDULRAHMAN) when the score is under
    /// this...
    pub whole_below: f32,
    /// ...and the traveller's name has at least this many letters...
    pub whole_min_len: usize,
    /// ...count from this similarity...
    pub whole_min: f32,
    /// ...at this share of it (a little under a part-by-part match).
    pub whole_share: f32,
    /// An alias the list calls weak (a nickname, a partial name) scores this share.
    pub weak_alias: f32,
}

impl Names {
    pub const DEFAULT: Names = Names {
        pair_min: 0.6,
        idf_floor: 0.5,
        idf_cap_share: 0.8,
        family: 1.3,
        missing_cap_share: 0.7,
        slight_missing: 0.2,
        listed_initial: 0.3,
        traveller_missing: 0.65,
        listed_missing: 0.3,
        single_part_max: 0.6,
        kinship_moved: 0.88,
        order_swapped: 0.98,
        joined_parts_min: 0.75,
        joined_parts_slack: 2,
        whole_below: 0.95,
        whole_min_len: 6,
        whole_min: 0.9,
        whole_share: 0.97,
        weak_alias: 0.92,
    };
}

impl Default for Names {
    fn default() -> Names {
        Names::DEFAULT
    }
}

/// A year gap's effect for one precision of the listed date: a difference of one year, of two
/// or three, and of four (each further year up to ten taking [`Birth::per_further_year`] more).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YearGap {
    pub one: f64,
    pub few: f64,
    pub many: f64,
}

/// What a date of birth adds to the score or takes from it. A lowering, never a veto: a name
/// and a document can outweigh it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Birth {
    /// The same exact date.
    pub equal: f64,
    /// The same date, 1 January: often a placeholder for an unknown day.
    pub equal_first_january: f64,
    /// The same year against a listed 1 January.
    pub year_equal_first_january: f64,
    /// Day and month swapped (a US-style date read the other way).
    pub day_month_swapped: f64,
    /// The same year, one of day and month differs.
    pub one_of_day_month_differs: f64,
    /// The same year, day and month differ.
    pub day_and_month_differ: f64,
    /// The year one off, day and month equal (a slip of the year).
    pub year_slip: f64,
    /// The same year as a listed year.
    pub listed_year_equal: f64,
    /// A year within a listed range.
    pub within_range: f64,
    /// Year gaps when both dates are exact: strong evidence of two people.
    pub gap_exact: YearGap,
    /// Year gaps against a listed year (or a listed 1 January): often an estimate.
    pub gap_year: YearGap,
    /// Year gaps outside a listed range.
    pub gap_range: YearGap,
    /// Each year beyond four, up to ten, takes this much more.
    pub per_further_year: f64,
    /// A contradicting date counts `1 + commonness × this` times on a name of that commonness
    /// (0 rare .. 1 very common): a common name's namesakes are many.
    pub common_contradiction: f64,
}

impl Birth {
    pub const DEFAULT: Birth = Birth {
        equal: 0.10,
        equal_first_january: 0.06,
        year_equal_first_january: 0.05,
        day_month_swapped: 0.07,
        one_of_day_month_differs: 0.0,
        day_and_month_differ: -0.03,
        year_slip: 0.0,
        listed_year_equal: 0.05,
        within_range: 0.03,
        gap_exact: YearGap {
            one: -0.08,
            few: -0.14,
            many: -0.20,
        },
        gap_year: YearGap {
            one: -0.06,
            few: -0.11,
            many: -0.16,
        },
        gap_range: YearGap {
            one: -0.05,
            few: -0.09,
            many: -0.13,
        },
        per_further_year: 0.015,
        common_contradiction: 1.0,
    };
}

impl Default for Birth {
    fn default() -> Birth {
        Birth::DEFAULT
    }
}

/// Sex and nationality: weak evidence either way (lists and travel documents disagree on both
/// more often than on names).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Particulars {
    /// Both known (M or F) and equal.
    pub sex_equal: f64,
    /// Both known and different.
    pub sex_differs: f64,
    /// The traveller's nationality among the listed ones.
    pub nationality_equal: f64,
    /// Not among them.
    pub nationality_differs: f64,
}

impl Particulars {
    pub const DEFAULT: Particulars = Particulars {
        sex_equal: 0.0,
        sex_differs: -0.08,
        nationality_equal: 0.02,
        nationality_differs: -0.04,
    };
}

impl Default for Particulars {
    fn default() -> Particulars {
        Particulars::DEFAULT
    }
}

/// Document numbers: the same document sets a floor under the score; a near one adds a little.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Documents {
    /// Numbers shorter than this (OCR-folded) prove nothing.
    pub min_len: usize,
    /// The same number as written: the floor.
    pub equal: f64,
    /// The same number once OCR look-alikes are folded (0/O, 1/I, …).
    pub ocr_equal: f64,
    /// Numbers of at least `near_min_len` that differ by one character...
    pub near_min_len: usize,
    /// ...add this.
    pub near: f64,
    /// The floor's share when the issuing States differ.
    pub state_differs: f64,
    /// The floor's share when the name scores under `name_contradicts_below`: the name must not
    /// contradict the document.
    pub name_contradicts: f64,
    pub name_contradicts_below: f64,
}

impl Documents {
    pub const DEFAULT: Documents = Documents {
        min_len: 4,
        equal: 0.97,
        ocr_equal: 0.95,
        near_min_len: 7,
        near: 0.08,
        state_differs: 0.85,
        name_contradicts: 0.85,
        name_contradicts_below: 0.5,
    };
}

impl Default for Documents {
    fn default() -> Documents {
        Documents::DEFAULT
    }
}

/// How the name score and the particulars become the entry's score.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Evidence {
    /// Entries whose name scores under this and that share no document are not scored further.
    pub name_min: f64,
    /// What a fully common name loses when no date of birth confirms it (scaled by its
    /// commonness).
    pub common_unconfirmed: f64,
    /// A date effect from this much confirms the name fully...
    pub date_confirms: f64,
    /// ...from this much, half.
    pub date_half_confirms: f64,
    /// Lists stand in for traffic only shrunk: a part held by `n` entries counts as a share of
    /// `n / (entries + list_share_prior)`, so a small list cannot make a name common.
    pub list_share_prior: f64,
}

impl Evidence {
    pub const DEFAULT: Evidence = Evidence {
        name_min: 0.5,
        common_unconfirmed: 0.12,
        date_confirms: 0.06,
        date_half_confirms: 0.03,
        list_share_prior: 5000.0,
    };
}

impl Default for Evidence {
    fn default() -> Evidence {
        Evidence::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keeps_defaults_and_refuses_unknown_fields() {
        let w = Weights::from_json(r#"{"names": {"listed_missing": 0.25}}"#).unwrap();
        assert_eq!(w.names.listed_missing, 0.25);
        assert_eq!(w.names.traveller_missing, 0.65);
        assert_eq!(w.birth, Birth::DEFAULT);
        assert!(Weights::from_json(r#"{"names": {"listed_mising": 0.25}}"#).is_err());
        assert!(Weights::from_json(r#"{"nmes": {}}"#).is_err());
        let all = serde_json::to_string(&Weights::default()).unwrap();
        assert_eq!(Weights::from_json(&all).unwrap(), Weights::default());
    }

    #[test]
    fn bounds_follow_the_costs() {
        let s = Spelling::DEFAULT;
        assert_eq!(s.cheapest_letter_edit(), 0.6);
        assert_eq!(s.cheapest_digit_edit(), 0.3);
        assert_eq!(s.cheapest_indel(), 0.5);
    }
}
