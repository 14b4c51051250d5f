//! Candidate generation: which entries are worth scoring for a traveller. Every key of every
//! indexed name points to the entries holding it; a query adds, per query token, the inverse
//! document frequency of the best key it shares with an entry. Keys: the folded token, the token
//! without its particle, adjacent tokens joined, the consonant skeleton, name-group ids, and —
//! through a symmetric deletion neighbourhood — tokens one or two edits away. Document numbers
//! are keyed with OCR/keying confusions folded.

use std::cell::RefCell;

use rustc_hash::FxHashMap;

use crate::normalise::{Name, NameGroups, Token};

/// Kinds of key, kept apart in one map by a leading byte.
const EXACT: u8 = b't';
const SKELETON: u8 = b's';
const GROUP: u8 = b'g';

/// How much a key kind counts, relative to an exact token.
const W_EXACT: f32 = 1.0;
const W_CORE: f32 = 0.95;
const W_GROUP: f32 = 0.85;
const W_FUZZY: f32 = 0.8;
const W_SKELETON: f32 = 0.7;

/// Edits tolerated by the fuzzy lookup for a token of `len` letters.
pub fn max_edits(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    }
}

#[derive(Debug, Default)]
pub struct IndexBuilder {
    keys: FxHashMap<Box<[u8]>, u32>,
    postings: Vec<Vec<u32>>,
    /// For exact keys: the token text, to build the deletion neighbourhood.
    texts: Vec<Option<Box<str>>>,
    documents: FxHashMap<String, Vec<u32>>,
    entries: u32,
}

fn key(kind: u8, text: &str) -> Vec<u8> {
    let mut k = Vec::with_capacity(text.len() + 1);
    k.push(kind);
    k.extend_from_slice(text.as_bytes());
    k
}

impl IndexBuilder {
    fn post(&mut self, k: Vec<u8>, entry: u32, text: Option<&str>) {
        let id = match self.keys.get(k.as_slice()) {
            Some(&id) => id,
            None => {
                let id = self.postings.len() as u32;
                self.keys.insert(k.into_boxed_slice(), id);
                self.postings.push(Vec::new());
                self.texts.push(text.map(Box::from));
                id
            }
        };
        if let Some(list) = self.postings.get_mut(id as usize)
            && list.last() != Some(&entry)
        {
            list.push(entry);
        }
    }

    /// Indexes one name of entry number `entry` (entries are added in increasing order).
    pub fn add_name(&mut self, entry: u32, name: &Name, groups: &NameGroups) {
        self.entries = self.entries.max(entry + 1);
        for t in &name.tokens {
            if t.initial {
                continue;
            }
            self.post(key(EXACT, &t.text), entry, Some(&t.text));
            if let Some(core) = &t.core {
                self.post(key(EXACT, core), entry, Some(core));
            }
            if t.skeleton.len() >= 2 {
                self.post(key(SKELETON, &t.skeleton), entry, None);
            }
            for g in groups.of(t.bare()) {
                self.post(key(GROUP, &g.to_string()), entry, None);
            }
        }
        // adjacent parts joined: "abdul rahman" is found by "abdulrahman"
        for pair in name.tokens.windows(2) {
            if let [a, b] = pair
                && !a.initial
                && !b.initial
            {
                let joined = format!("{}{}", a.bare(), b.bare());
                self.post(key(EXACT, &joined), entry, Some(&joined));
            }
        }
    }

    pub fn add_document(&mut self, entry: u32, document_key: String) {
        self.entries = self.entries.max(entry + 1);
        if document_key.len() < 4 {
            return;
        }
        let list = self.documents.entry(document_key).or_default();
        if list.last() != Some(&entry) {
            list.push(entry);
        }
    }

    pub fn build(self) -> Index {
        let n = f64::from(self.entries.max(1));
        let idf: Vec<f32> = self
            .postings
            .iter()
            .map(|p| ((n + 1.0) / (p.len() as f64 + 0.5)).ln().max(0.1) as f32)
            .collect();
        let mut deletions: FxHashMap<Box<str>, Vec<u32>> = FxHashMap::default();
        let mut variants = Vec::new();
        for (id, text) in self.texts.iter().enumerate() {
            let Some(text) = text else { continue };
            let edits = max_edits(text.len());
            if edits == 0 {
                continue;
            }
            variants.clear();
            deletion_variants(text, edits, &mut variants);
            for v in &variants {
                let list = deletions.entry(Box::from(v.as_str())).or_default();
                if list.last() != Some(&(id as u32)) {
                    list.push(id as u32);
                }
            }
        }
        let max_idf = ((n + 1.0) / 0.5).ln() as f32;
        Index {
            keys: self.keys,
            postings: self.postings,
            texts: self.texts,
            idf,
            deletions,
            documents: self.documents,
            entries: self.entries,
            max_idf,
        }
    }
}

/// The string and every string obtained by deleting up to `edits` characters (ASCII tokens).
fn deletion_variants(text: &str, edits: usize, out: &mut Vec<String>) {
    out.push(text.to_string());
    let mut frontier = vec![text.to_string()];
    for _ in 0..edits {
        let mut next = Vec::new();
        for s in &frontier {
            if s.len() <= 2 {
                continue;
            }
            for i in 0..s.len() {
                if !s.is_char_boundary(i) || !s.is_char_boundary(i + 1) {
                    continue;
                }
                let mut v = String::with_capacity(s.len() - 1);
                v.push_str(s.get(..i).unwrap_or_default());
                v.push_str(s.get(i + 1..).unwrap_or_default());
                out.push(v.clone());
                next.push(v);
            }
        }
        frontier = next;
    }
    out.sort_unstable();
    out.dedup();
}

/// The in-memory candidate index.
#[derive(Debug)]
pub struct Index {
    keys: FxHashMap<Box<[u8]>, u32>,
    postings: Vec<Vec<u32>>,
    texts: Vec<Option<Box<str>>>,
    idf: Vec<f32>,
    deletions: FxHashMap<Box<str>, Vec<u32>>,
    documents: FxHashMap<String, Vec<u32>>,
    entries: u32,
    max_idf: f32,
}

#[derive(Debug, Default)]
struct Scratch {
    acc: Vec<f32>,
    best: Vec<f32>,
    touched: Vec<u32>,
    touched_token: Vec<u32>,
    variants: Vec<String>,
    seen_keys: Vec<u32>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

/// A candidate entry and the weight of evidence that made it one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Candidate {
    pub entry: u32,
    pub weight: f32,
    /// A document number of the query matched a document of the entry (OCR-folded).
    pub document: bool,
}

impl Index {
    /// The inverse document frequency of a folded token among the indexed entries; tokens never
    /// seen get the rare-token weight.
    pub fn idf(&self, token: &str) -> f32 {
        self.keys
            .get(key(EXACT, token).as_slice())
            .and_then(|&id| self.idf.get(id as usize).copied())
            .unwrap_or(self.max_idf)
    }

    pub fn max_idf(&self) -> f32 {
        self.max_idf
    }

    pub fn entries(&self) -> u32 {
        self.entries
    }

    fn lookup(&self, k: &[u8]) -> Option<u32> {
        self.keys.get(k).copied()
    }

    /// Rough bytes held by the index (keys, postings, deletion neighbourhood).
    pub fn memory_estimate(&self) -> usize {
        let map_overhead = 16 + 8;
        let keys: usize = self.keys.keys().map(|k| k.len() + map_overhead).sum();
        let postings: usize = self.postings.iter().map(|p| p.capacity() * 4 + 24).sum();
        let texts: usize = self
            .texts
            .iter()
            .map(|t| 16 + t.as_ref().map_or(0, |t| t.len()))
            .sum();
        let deletions: usize = self
            .deletions
            .iter()
            .map(|(k, v)| k.len() + map_overhead + 24 + v.capacity() * 4)
            .sum();
        let docs: usize = self
            .documents
            .iter()
            .map(|(k, v)| k.capacity() + 48 + v.capacity() * 4)
            .sum();
        keys + postings + texts + deletions + docs + self.idf.len() * 4
    }

    /// Entries worth scoring for a query name and its OCR-folded document keys: at most `max`,
    /// those whose weight reaches `min_share` of what the query's tokens could give, and every
    /// entry sharing a document.
    pub fn candidates(
        &self,
        query: &Name,
        groups: &NameGroups,
        documents: &[String],
        max: usize,
        min_share: f32,
    ) -> Vec<Candidate> {
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            self.candidates_in(&mut s, query, groups, documents, max, min_share)
        })
    }

    fn candidates_in(
        &self,
        s: &mut Scratch,
        query: &Name,
        groups: &NameGroups,
        documents: &[String],
        max: usize,
        min_share: f32,
    ) -> Vec<Candidate> {
        let n = self.entries as usize;
        if s.acc.len() != n {
            s.acc = vec![0.0; n];
            s.best = vec![0.0; n];
        }
        s.touched.clear();
        let mut possible = 0.0f32;
        for t in &query.tokens {
            if t.initial {
                continue;
            }
            possible += self.token_keys(s, t, groups);
        }
        // adjacent query parts joined, for names the list writes as one word
        for pair in query.tokens.windows(2) {
            if let [a, b] = pair
                && !a.initial
                && !b.initial
            {
                let joined = format!("{}{}", a.bare(), b.bare());
                if let Some(id) = self.lookup(&key(EXACT, &joined)) {
                    s.seen_keys.clear();
                    self.spread(s, id, W_EXACT);
                    self.fold_token(s);
                }
            }
        }
        let threshold = possible * min_share;
        let mut out: Vec<Candidate> = s
            .touched
            .iter()
            .filter_map(|&e| {
                let w = s.acc.get(e as usize).copied().unwrap_or(0.0);
                (w >= threshold).then_some(Candidate {
                    entry: e,
                    weight: w,
                    document: false,
                })
            })
            .collect();
        for &e in &s.touched {
            if let Some(a) = s.acc.get_mut(e as usize) {
                *a = 0.0;
            }
        }
        s.touched.clear();
        if out.len() > max {
            out.select_nth_unstable_by(max, |a, b| b.weight.total_cmp(&a.weight));
            out.truncate(max);
        }
        for d in documents {
            for &e in self.documents.get(d).map_or(&[][..], Vec::as_slice) {
                match out.iter_mut().find(|c| c.entry == e) {
                    Some(c) => c.document = true,
                    None => out.push(Candidate {
                        entry: e,
                        weight: 0.0,
                        document: true,
                    }),
                }
            }
        }
        out.sort_by(|a, b| b.weight.total_cmp(&a.weight));
        out
    }

    /// Adds one query token's evidence; returns the most it could have given.
    fn token_keys(&self, s: &mut Scratch, t: &Token, groups: &NameGroups) -> f32 {
        s.touched_token.clear();
        s.seen_keys.clear();
        let own = self.idf(&t.text).min(self.idf(t.bare()));
        let mut any = false;
        if let Some(id) = self.lookup(&key(EXACT, &t.text)) {
            self.spread(s, id, W_EXACT);
            any = true;
        }
        if let Some(core) = &t.core
            && let Some(id) = self.lookup(&key(EXACT, core))
        {
            self.spread(s, id, W_CORE);
        }
        if t.skeleton.len() >= 2
            && let Some(id) = self.lookup(&key(SKELETON, &t.skeleton))
        {
            self.spread(s, id, W_SKELETON);
        }
        for g in groups.of(t.bare()) {
            if let Some(id) = self.lookup(&key(GROUP, &g.to_string())) {
                self.spread(s, id, W_GROUP);
            }
        }
        for word in [Some(t.text.as_str()), t.core.as_deref()]
            .into_iter()
            .flatten()
        {
            let edits = max_edits(word.len());
            if edits == 0 {
                continue;
            }
            let mut variants = std::mem::take(&mut s.variants);
            variants.clear();
            deletion_variants(word, edits, &mut variants);
            for v in &variants {
                let Some(ids) = self.deletions.get(v.as_str()) else {
                    continue;
                };
                for &id in ids {
                    if s.seen_keys.contains(&id) {
                        continue;
                    }
                    let Some(Some(text)) = self.texts.get(id as usize) else {
                        continue;
                    };
                    let allowed = max_edits(text.len().min(word.len()).max(4));
                    let d = strsim::osa_distance(word, text);
                    if d == 0 || d > allowed.max(1) {
                        continue;
                    }
                    self.spread(s, id, W_FUZZY);
                }
            }
            s.variants = variants;
        }
        self.fold_token(s);
        if any {
            own
        } else {
            own.min(self.max_idf * 0.6)
        }
    }

    /// Offers every entry of key `id` the key's weight for the current query token.
    fn spread(&self, s: &mut Scratch, id: u32, factor: f32) {
        if s.seen_keys.contains(&id) {
            return;
        }
        s.seen_keys.push(id);
        let w = self.idf.get(id as usize).copied().unwrap_or(0.0) * factor;
        let Some(list) = self.postings.get(id as usize) else {
            return;
        };
        for &e in list {
            if let Some(b) = s.best.get_mut(e as usize) {
                if *b == 0.0 {
                    s.touched_token.push(e);
                }
                if w > *b {
                    *b = w;
                }
            }
        }
    }

    /// Moves the current token's best weights into the entry totals.
    fn fold_token(&self, s: &mut Scratch) {
        let Scratch {
            acc,
            best,
            touched,
            touched_token,
            ..
        } = s;
        for &e in touched_token.iter() {
            let (Some(b), Some(a)) = (best.get_mut(e as usize), acc.get_mut(e as usize)) else {
                continue;
            };
            if *a == 0.0 {
                touched.push(e);
            }
            *a += *b;
            *b = 0.0;
        }
        touched_token.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalise::{name_from_full, name_from_parts};

    fn index(names: &[&str]) -> Index {
        let groups = NameGroups::builtin();
        let mut b = IndexBuilder::default();
        for (i, n) in names.iter().enumerate() {
            b.add_name(i as u32, &name_from_full(n), &groups);
        }
        b.add_document(1, crate::normalise::document_key("AB1234567"));
        b.build()
    }

    fn top(ix: &Index, surname: &str, given: &str) -> Option<u32> {
        let q = name_from_parts(surname, given);
        ix.candidates(&q, &NameGroups::builtin(), &[], 10, 0.3)
            .first()
            .map(|c| c.entry)
    }

    #[test]
    fn typos_skeletons_and_groups_find_candidates() {
        let ix = index(&[
            "SADDAM HUSSEIN AL-TIKRITI",
            "ABDUL RAHMAN YASIN",
            "JOHN SMITH",
            "صدام حسين",
            "MOHAMMED OMAR",
        ]);
        assert_eq!(top(&ix, "HUSSEIN", "SADAM"), Some(0));
        assert_eq!(top(&ix, "ALTIKRITI", "SADDAM"), Some(0));
        assert_eq!(top(&ix, "YASIN", "ABDULRAHMAN"), Some(1));
        assert_eq!(top(&ix, "OMAR", "MUHAMMAD"), Some(4));
        assert_eq!(top(&ix, "SMIHT", "JOHN"), Some(2));
        let q = name_from_parts("NOBODY", "KNOWN");
        let c = ix.candidates(
            &q,
            &NameGroups::builtin(),
            &[crate::normalise::document_key("A8I234567")],
            10,
            0.3,
        );
        assert_eq!(c.len(), 1);
        assert!(c[0].document);
    }
}
