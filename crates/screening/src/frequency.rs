//! How common a name part is among travellers, so that a full-name match on common names
//! (KIM SEONG SU, MEI CHEN, HUSSEIN ABDULLAH) counts for less than one on rare names.
//!
//! Shares (the fraction of people bearing a name part) come from three sources, the highest
//! counting: a built-in table of the commonest given names and surnames across cultures
//! (`data/name_frequencies.csv`, with its sources; a prior only), an optional table counted over
//! a unit's own traffic ([`NameFrequencies::from_counts`], given in
//! [`crate::Config::name_frequencies`]), and the lists themselves (a part many entries share is
//! common where those entries come from). A name's *rarity* is the sum over its matched parts of
//! `-log10(share)`: how many digits long "one in N people" is for someone named so by chance.

use rustc_hash::FxHashMap;

use crate::normalise::name_from_full;

/// Rarity (digits) of a part found in no table: rarer than everything the table lists, but a
/// part is not assumed rarer than one in ~3,000 people.
pub const UNKNOWN_RARITY: f32 = 3.5;
/// An initial stands for one of ~20 letters.
pub const INITIAL_RARITY: f32 = 1.3;

/// A name whose rarity reaches this many digits (one in 100,000 people) is rare: its match is
/// worth all of its name score.
pub const RARE_DIGITS: f32 = 5.0;
/// Digits over which commonness goes from none to full (at 3 digits, one in 1,000).
pub const COMMON_SPAN: f32 = 2.0;

const BUILTIN: &str = include_str!("../data/name_frequencies.csv");

/// Shares of name parts (folded as the matcher folds names).
#[derive(Debug, Clone, Default)]
pub struct NameFrequencies {
    shares: FxHashMap<String, f32>,
}

impl NameFrequencies {
    /// The built-in table (`data/name_frequencies.csv`).
    pub fn builtin() -> NameFrequencies {
        let mut f = NameFrequencies::default();
        for line in BUILTIN.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let mut cols = line.split(',');
            let (Some(name), Some(per_1000)) = (cols.next(), cols.next()) else {
                continue;
            };
            let Ok(per_1000) = per_1000.trim().parse::<f32>() else {
                continue;
            };
            f.add(name, per_1000 / 1000.0);
        }
        f
    }

    /// A table counted over travellers: `(name part as written, people bearing it)` among
    /// `people` screened travellers.
    pub fn from_counts<S: AsRef<str>>(
        counts: impl IntoIterator<Item = (S, u64)>,
        people: u64,
    ) -> NameFrequencies {
        let mut f = NameFrequencies::default();
        let people = people.max(1) as f32;
        for (name, n) in counts {
            f.add(name.as_ref(), n as f32 / people);
        }
        f
    }

    /// Adds a name part's share (folded; the higher share of two spellings folding alike counts).
    pub fn add(&mut self, name: &str, share: f32) {
        if share.is_nan() || share <= 0.0 {
            return;
        }
        let n = name_from_full(name);
        // a part written in one word ("DE JONG" → "dejong"); names of several parts are skipped
        let [t] = n.tokens.as_slice() else {
            return;
        };
        let e = self.shares.entry(t.text.clone()).or_insert(0.0);
        *e = e.max(share.min(1.0));
    }

    /// Keeps the higher share of each part.
    pub fn merge(&mut self, other: &NameFrequencies) {
        for (k, &v) in &other.shares {
            let e = self.shares.entry(k.clone()).or_insert(0.0);
            *e = e.max(v);
        }
    }

    /// The share of a folded part, when known.
    pub fn share(&self, folded: &str) -> Option<f32> {
        self.shares.get(folded).copied()
    }

    pub fn len(&self) -> usize {
        self.shares.len()
    }

    pub fn is_empty(&self) -> bool {
        self.shares.is_empty()
    }
}

/// Digits of rarity of a share.
pub fn rarity_of(share: f32) -> f32 {
    if share > 0.0 {
        (-share.log10()).clamp(0.0, UNKNOWN_RARITY)
    } else {
        UNKNOWN_RARITY
    }
}

/// How common a matched name is, 0 (rare) to 1 (very common), from its rarity in digits.
pub fn commonness(digits: f32) -> f32 {
    ((RARE_DIGITS - digits) / COMMON_SPAN).clamp(0.0, 1.0)
}

/// "One in N people" for a rarity, rounded to two significant digits.
pub fn one_in(digits: f32) -> u64 {
    let n = 10f64.powf(f64::from(digits.min(12.0)));
    let mag = 10f64.powf((n.log10().floor() - 1.0).max(0.0));
    ((n / mag).round() * mag) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_knows_common_names_in_their_scripts() {
        let f = NameFrequencies::builtin();
        assert!(f.share("kim").unwrap() > 0.1);
        assert_eq!(f.share("gim"), f.share("kim"));
        assert!(f.share("muhammad").unwrap() > 0.1);
        assert!(f.share("dejong").is_some());
        assert!(f.share("fazlullah").is_none());
        assert!(commonness(rarity_of(0.2) + rarity_of(0.05) + rarity_of(0.05)) > 0.8);
        assert_eq!(commonness(2.0 * UNKNOWN_RARITY), 0.0);
        assert_eq!(one_in(3.0), 1000);
        let t = NameFrequencies::from_counts([("Smith", 50u64)], 1000);
        assert!((t.share("smith").unwrap() - 0.05).abs() < 1e-6);
    }
}
