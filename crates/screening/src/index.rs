//! Candidate generation: which entries are worth scoring for a traveller. Every key of every
//! indexed name points to the entries holding it; a query adds, per query token, the inverse
//! document frequency of the best key it shares with an entry. Keys: the folded token, the token
//! without its particle, adjacent tokens joined, the consonant skeleton, name-group ids, and —
//! through a symmetric deletion neighbourhood — tokens one or two edits away. Document numbers
//! are keyed with OCR/keying confusions folded.
//!
//! Layout: postings and the deletion neighbourhood are flat arrays with offsets; the deletion
//! neighbourhood is keyed by a 64-bit hash of each deletion variant (no string per variant), and
//! every token it proposes is verified by its edit distance, so a hash collision can only cost a
//! check.

use std::cell::RefCell;
use std::hash::Hasher;

use invariant::Surely;
use rustc_hash::{FxHashMap, FxHasher};

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

/// Postings longer than this (entries) are walked only when they could make a candidate on
/// their own (see `Index::gather`).
const LONG: usize = 2048;

/// `items[from..to]` of a range the index computed over its own tables: a range past the end is
/// a bug — reported (a failing test in debug builds), and nothing rather than a wrong slice.
fn span<'a, T>(items: &'a [T], from: usize, to: usize, what: &str) -> &'a [T] {
    match items.get(from..to) {
        Some(s) => s,
        None => {
            invariant::never!("{what}: range {from}..{to} of {}", items.len());
            &[]
        }
    }
}

/// Entries `starts[i]..starts[i + 1]` of a table indexed by token start (the planned keys,
/// the saved weights): a token past the starts is a bug, reported, and an empty range.
fn token_range(starts: &[usize], i: usize) -> (usize, usize) {
    match (starts.get(i), starts.get(i + 1)) {
        (Some(&from), Some(&to)) => (from, to),
        _ => {
            invariant::never!("token {i} of {} starts", starts.len().saturating_sub(1));
            (0, 0)
        }
    }
}

/// Calls `f` with every entry in both sorted lists, walking the shorter and galloping through
/// the longer.
fn intersect(a: &[u32], b: &[u32], mut f: impl FnMut(u32)) {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let mut rest = long;
    for &e in short {
        // gallop: find a step past `e`, then search within it
        let mut step = 1;
        while rest.get(step - 1).is_some_and(|&x| x < e) {
            step *= 2;
        }
        let (window, _) = rest.split_at(step.min(rest.len()));
        // `j` lies within the window, itself within `rest`
        rest = match window.binary_search(&e) {
            Ok(j) => {
                f(e);
                span(rest, j + 1, rest.len(), "galloped past a match")
            }
            Err(j) => span(rest, j, rest.len(), "galloped past an insertion point"),
        };
        if rest.is_empty() {
            break;
        }
    }
}

/// Longest token the fuzzy lookup expands: its deletion neighbourhood costs the cube of the
/// length (a 16,384-letter surname once took minutes); longer tokens are looked up exactly.
pub const MAX_FUZZY_BYTES: usize = 32;

/// Edits tolerated by the fuzzy lookup for a token of `len` letters.
pub fn max_edits(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=7 => 1,
        8..=MAX_FUZZY_BYTES => 2,
        _ => 0,
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
    buf: Vec<u8>,
}

/// Writes the key of `kind` for `text` into `buf`.
fn key_into(buf: &mut Vec<u8>, kind: u8, text: &str) {
    buf.clear();
    buf.push(kind);
    buf.extend_from_slice(text.as_bytes());
}

fn group_key(buf: &mut Vec<u8>, group: u32) {
    buf.clear();
    buf.push(GROUP);
    buf.extend_from_slice(&group.to_le_bytes());
}

impl IndexBuilder {
    fn post_buf(&mut self, entry: u32, text: Option<&str>) {
        let id = match self.keys.get(self.buf.as_slice()) {
            Some(&id) => id,
            None => {
                let id = self.postings.len() as u32;
                self.keys.insert(self.buf.as_slice().into(), id);
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

    fn post(&mut self, kind: u8, text: &str, entry: u32, exact: bool) {
        key_into(&mut self.buf, kind, text);
        self.post_buf(entry, exact.then_some(text));
    }

    /// Indexes one name of entry number `entry` (entries are added in increasing order).
    pub fn add_name(&mut self, entry: u32, name: &Name, groups: &NameGroups) {
        self.entries = self.entries.max(entry + 1);
        for t in &name.tokens {
            if t.initial {
                continue;
            }
            self.post(EXACT, &t.text, entry, true);
            if let Some(core) = &t.core {
                self.post(EXACT, core, entry, true);
            }
            if t.skeleton.len() >= 2 {
                self.post(SKELETON, &t.skeleton, entry, false);
            }
            for &g in groups.of(t.bare()) {
                group_key(&mut self.buf, g);
                self.post_buf(entry, None);
            }
        }
        // adjacent parts joined: "abdul rahman" is found by "abdulrahman"
        let mut joined = String::new();
        for pair in name.tokens.windows(2) {
            if let [a, b] = pair
                && !a.initial
                && !b.initial
            {
                joined.clear();
                joined.push_str(a.bare());
                joined.push_str(b.bare());
                self.post(EXACT, &joined, entry, true);
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
        // (variant hash, key) pairs, sorted: each hash's keys are a run
        let mut pairs: Vec<(u64, u32)> = Vec::new();
        let mut hashes = Vec::new();
        let mut buf = Vec::new();
        for (id, text) in self.texts.iter().enumerate() {
            let Some(text) = text else { continue };
            let edits = max_edits(text.len());
            if edits == 0 {
                continue;
            }
            hashes.clear();
            deletion_hashes(text.as_bytes(), edits, &mut hashes, &mut buf);
            pairs.extend(hashes.iter().map(|&h| (h, id as u32)));
        }
        pairs.sort_unstable();
        pairs.dedup();
        let mut deletions: FxHashMap<u64, (u32, u32)> = FxHashMap::default();
        deletions.reserve(pairs.len() / 2);
        let mut deletion_keys = Vec::with_capacity(pairs.len());
        for (i, &(h, id)) in pairs.iter().enumerate() {
            let run = deletions.entry(h).or_insert((i as u32, i as u32));
            run.1 = i as u32 + 1;
            deletion_keys.push(id);
        }
        drop(pairs);
        let mut offsets = Vec::with_capacity(self.postings.len() + 1);
        let mut entries_of = Vec::with_capacity(self.postings.iter().map(Vec::len).sum());
        offsets.push(0u32);
        for p in &self.postings {
            entries_of.extend_from_slice(p);
            offsets.push(entries_of.len() as u32);
        }
        let max_idf = ((n + 1.0) / 0.5).ln() as f32;
        Index {
            keys: self.keys,
            offsets,
            entries_of,
            texts: self.texts,
            idf,
            deletions,
            deletion_keys,
            documents: self.documents,
            entries: self.entries,
            max_idf,
        }
    }
}

fn hash_bytes(b: &[u8]) -> u64 {
    let mut h = FxHasher::default();
    h.write(b);
    h.write_u8(0xff);
    h.finish()
}

/// Hashes of the string and of every string obtained by deleting up to `edits` (1 or 2)
/// characters, deduplicated. `buf` is working memory.
fn deletion_hashes(text: &[u8], edits: usize, out: &mut Vec<u64>, buf: &mut Vec<u8>) {
    out.push(hash_bytes(text));
    let n = text.len();
    if edits == 0 || n <= 2 {
        return;
    }
    let part = |from: usize, to: usize| span(text, from, to, "a deletion variant");
    for i in 0..n {
        buf.clear();
        buf.extend_from_slice(part(0, i));
        buf.extend_from_slice(part(i + 1, n));
        out.push(hash_bytes(buf));
        if edits >= 2 && n - 1 > 2 {
            for j in i + 1..n {
                buf.clear();
                buf.extend_from_slice(part(0, i));
                buf.extend_from_slice(part(i + 1, j));
                buf.extend_from_slice(part(j + 1, n));
                out.push(hash_bytes(buf));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
}

/// Optimal-string-alignment distance (unit costs) of two byte strings.
fn osa(a: &[u8], b: &[u8]) -> usize {
    let w = b.len() + 1;
    let mut rows = [0usize; 3 * 48];
    let mut heap;
    let buf: &mut [usize] = match rows.get_mut(..3 * w) {
        // short strings: on the stack
        Some(buf) => buf,
        None => {
            heap = vec![0usize; 3 * w];
            &mut heap
        }
    };
    let (first, rest) = buf.split_at_mut(w);
    let (second, third) = rest.split_at_mut(w);
    let (mut pp, mut p, mut c) = (first, second, third);
    for (j, x) in p.iter_mut().enumerate() {
        *x = j;
    }
    for i in 1..=a.len() {
        let ca = a.get(i - 1).copied();
        let pa = if i >= 2 { a.get(i - 2).copied() } else { None };
        if let Some(x) = c.first_mut() {
            *x = i;
        }
        let mut left = i;
        for j in 1..w {
            let cb = b.get(j - 1).copied();
            let up = p.get(j).copied().unwrap_or(usize::MAX / 2);
            let diag = p.get(j - 1).copied().unwrap_or(usize::MAX / 2);
            let mut v = (up + 1).min(left + 1).min(diag + usize::from(ca != cb));
            if i >= 2 && j >= 2 && ca != cb && pa == cb && b.get(j - 2).copied() == ca {
                v = v.min(pp.get(j - 2).copied().unwrap_or(usize::MAX / 2) + 1);
            }
            if let Some(x) = c.get_mut(j) {
                *x = v;
            }
            left = v;
        }
        std::mem::swap(&mut pp, &mut p);
        std::mem::swap(&mut p, &mut c);
    }
    p.get(b.len()).copied().unwrap_or(usize::MAX)
}

/// The in-memory candidate index.
#[derive(Debug)]
pub struct Index {
    keys: FxHashMap<Box<[u8]>, u32>,
    /// Entries of key `k`: `entries_of[offsets[k]..offsets[k + 1]]`.
    offsets: Vec<u32>,
    entries_of: Vec<u32>,
    texts: Vec<Option<Box<str>>>,
    idf: Vec<f32>,
    /// Deletion-variant hash → run of `deletion_keys`.
    deletions: FxHashMap<u64, (u32, u32)>,
    deletion_keys: Vec<u32>,
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
    hashes: Vec<u64>,
    buf: Vec<u8>,
    /// Keys already spread for the current query token: `key_mark[k] == stamp`.
    key_mark: Vec<u32>,
    stamp: u32,
    /// The keys of each query token (and of each pair of adjacent tokens joined), with their
    /// factors, in the order they are offered: `plan[token_start[i]..token_start[i + 1]]`.
    plan: Vec<(u32, f32)>,
    token_start: Vec<usize>,
    /// Entries touched by the short keys, sorted (the pool the long keys are checked against).
    pool: Vec<u32>,
    /// Per token with long keys: (entry, best weight from its short keys), sorted by entry.
    saved: Vec<(u32, f32)>,
    saved_start: Vec<usize>,
    weights: Vec<f32>,
    /// Per planned key: left for last (see `Index::gather`).
    skip: Vec<bool>,
}

impl Scratch {
    /// Forgets which keys were spread (for the next query token).
    fn next_token(&mut self) {
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            self.key_mark.iter_mut().for_each(|m| *m = 0);
            self.stamp = 1;
        }
    }
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
        let mut buf = Vec::with_capacity(token.len() + 1);
        key_into(&mut buf, EXACT, token);
        self.idf_of(&buf)
    }

    fn idf_of(&self, key: &[u8]) -> f32 {
        self.keys
            .get(key)
            .and_then(|&id| self.idf.get(id as usize).copied())
            .unwrap_or(self.max_idf)
    }

    pub fn max_idf(&self) -> f32 {
        self.max_idf
    }

    /// Entries holding a folded token (0 when none).
    pub fn doc_freq(&self, token: &str) -> u32 {
        let mut buf = Vec::with_capacity(token.len() + 1);
        key_into(&mut buf, EXACT, token);
        self.lookup(&buf)
            .map_or(0, |id| self.postings(id).len() as u32)
    }

    pub fn entries(&self) -> u32 {
        self.entries
    }

    fn lookup(&self, k: &[u8]) -> Option<u32> {
        self.keys.get(k).copied()
    }

    /// The entries holding key `id` (a key the index numbered itself: a missing one is a bug,
    /// reported, and no entries rather than others' entries).
    fn postings(&self, id: u32) -> &[u32] {
        let id = id as usize;
        match (self.offsets.get(id), self.offsets.get(id + 1)) {
            (Some(&from), Some(&to)) => {
                span(&self.entries_of, from as usize, to as usize, "postings")
            }
            _ => {
                invariant::never!("postings of key {id} past {} offsets", self.offsets.len());
                &[]
            }
        }
    }

    /// Rough bytes held by the index (keys, postings, deletion neighbourhood, documents).
    pub fn memory_estimate(&self) -> usize {
        // a hash map slot: the key, the value, a control byte, at the map's load factor (7/8)
        let slot = |k: usize, v: usize| (k + v + 1) * 8 / 7;
        let keys: usize =
            self.keys.keys().map(|k| k.len()).sum::<usize>() + self.keys.capacity() * slot(16, 4);
        let postings = (self.offsets.capacity() + self.entries_of.capacity()) * 4;
        let texts: usize = self
            .texts
            .iter()
            .map(|t| 16 + t.as_ref().map_or(0, |t| t.len()))
            .sum();
        let deletions = self.deletions.capacity() * slot(8, 8) + self.deletion_keys.capacity() * 4;
        let docs: usize = self
            .documents
            .iter()
            .map(|(k, v)| k.capacity() + 48 + v.capacity() * 4)
            .sum();
        keys + postings + texts + deletions + docs + self.idf.capacity() * 4
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
        if s.key_mark.len() != self.idf.len() {
            s.key_mark = vec![0; self.idf.len()];
            s.stamp = 0;
        }
        s.touched.clear();
        s.plan.clear();
        s.token_start.clear();
        let mut possible = 0.0f32;
        for t in &query.tokens {
            if t.initial {
                continue;
            }
            s.token_start.push(s.plan.len());
            possible += self.token_keys(s, t, groups);
        }
        // adjacent query parts joined, for names the list writes as one word
        for pair in query.tokens.windows(2) {
            if let [a, b] = pair
                && !a.initial
                && !b.initial
            {
                s.buf.clear();
                s.buf.push(EXACT);
                s.buf.extend_from_slice(a.bare().as_bytes());
                s.buf.extend_from_slice(b.bare().as_bytes());
                if let Some(id) = self.lookup(&s.buf) {
                    s.token_start.push(s.plan.len());
                    s.plan.push((id, W_EXACT));
                }
            }
        }
        s.token_start.push(s.plan.len());
        let threshold = possible * min_share;
        self.gather(s, threshold, max);
        let mut out: Vec<Candidate> = s
            .touched
            .iter()
            .filter_map(|&e| {
                let w = s
                    .acc
                    .get(e as usize)
                    .copied()
                    .surely_or(0.0, "a touched entry's weight");
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
        // heaviest first; equal weights in entry order
        let order = |a: &Candidate, b: &Candidate| {
            b.weight.total_cmp(&a.weight).then(a.entry.cmp(&b.entry))
        };
        if max == 0 {
            out.clear();
        } else if out.len() > max {
            // entries as heavy as the last one within the cap are kept with it (up to twice the
            // cap): which of equally supported entries get scored must not be left to chance
            out.select_nth_unstable_by(max - 1, order);
            let cut = out.get(max - 1).map_or(0.0, |c| c.weight);
            out.retain(|c| c.weight >= cut);
            let limit = max * 2;
            if out.len() > limit {
                out.select_nth_unstable_by(limit, order);
                out.truncate(limit);
            }
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
        out.sort_by(order);
        out
    }

    /// Plans the keys of one query token (each key once, with the factor it is first offered
    /// with); returns the most the token could give.
    fn token_keys(&self, s: &mut Scratch, t: &Token, groups: &NameGroups) -> f32 {
        s.next_token();
        key_into(&mut s.buf, EXACT, &t.text);
        let exact = self.lookup(&s.buf);
        let own_text = self.idf_of(&s.buf);
        let own = if let Some(core) = &t.core {
            key_into(&mut s.buf, EXACT, core);
            let core_id = self.lookup(&s.buf);
            let own = own_text.min(self.idf_of(&s.buf));
            if let Some(id) = exact {
                self.plan_key(s, id, W_EXACT);
            }
            if let Some(id) = core_id {
                self.plan_key(s, id, W_CORE);
            }
            own
        } else {
            if let Some(id) = exact {
                self.plan_key(s, id, W_EXACT);
            }
            own_text
        };
        let any = exact.is_some();
        if t.skeleton.len() >= 2 {
            key_into(&mut s.buf, SKELETON, &t.skeleton);
            if let Some(id) = self.lookup(&s.buf) {
                self.plan_key(s, id, W_SKELETON);
            }
        }
        for &g in groups.of(t.bare()) {
            group_key(&mut s.buf, g);
            if let Some(id) = self.lookup(&s.buf) {
                self.plan_key(s, id, W_GROUP);
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
            let mut hashes = std::mem::take(&mut s.hashes);
            hashes.clear();
            deletion_hashes(word.as_bytes(), edits, &mut hashes, &mut s.buf);
            for h in &hashes {
                let Some(&(from, to)) = self.deletions.get(h) else {
                    continue;
                };
                let ids = span(
                    &self.deletion_keys,
                    from as usize,
                    to as usize,
                    "deletion keys",
                );
                for &id in ids {
                    if s.key_mark.get(id as usize) == Some(&s.stamp) {
                        continue;
                    }
                    let Some(Some(text)) = self.texts.get(id as usize) else {
                        continue;
                    };
                    let allowed = max_edits(text.len().min(word.len()).max(4)).max(1);
                    if text.len().abs_diff(word.len()) > allowed {
                        continue;
                    }
                    let d = osa(word.as_bytes(), text.as_bytes());
                    if d == 0 || d > allowed {
                        continue;
                    }
                    self.plan_key(s, id, W_FUZZY);
                }
            }
            s.hashes = hashes;
        }
        if any {
            own
        } else {
            own.min(self.max_idf * 0.6)
        }
    }

    /// Adds key `id` to the current token's plan, unless the token has it already.
    fn plan_key(&self, s: &mut Scratch, id: u32, factor: f32) {
        match s.key_mark.get_mut(id as usize) {
            Some(m) if *m == s.stamp => return,
            Some(m) => *m = s.stamp,
            None => return,
        }
        s.plan.push((id, factor));
    }

    fn weight(&self, id: u32, factor: f32) -> f32 {
        self.idf
            .get(id as usize)
            .copied()
            .surely_or(0.0, "a key's IDF")
            * factor
    }

    /// Adds up the planned keys' evidence per entry: each token gives an entry the weight of its
    /// best key holding it. Long postings (common given names: tens of thousands of entries on
    /// a national list) are walked last, and only when an entry they alone found could still
    /// be a candidate — reach `threshold` and be among the `max` heaviest; else they are only
    /// checked against the entries the other keys found. Every entry that can be a candidate
    /// gets the same weight either way.
    fn gather(&self, s: &mut Scratch, threshold: f32, max: usize) {
        let plan = std::mem::take(&mut s.plan);
        let starts = std::mem::take(&mut s.token_start);
        let keys_of = |i: usize| -> &[(u32, f32)] {
            let (from, to) = token_range(&starts, i);
            span(&plan, from, to, "a token's planned keys")
        };
        // whether key `k` of token `i` is left for last
        let skipped = |skip: &[bool], i: usize, k: usize| -> bool {
            let (from, _) = token_range(&starts, i);
            skip.get(from + k)
                .copied()
                .surely_or(false, "a planned key's skip mark")
        };
        let tokens = starts.len().saturating_sub(1);
        // Which keys to leave for last: the long ones, but the shortest of them are walked while
        // what the others could give an entry they alone found is not below a cut already
        // certain (the threshold, or the weight of a walked key holding `max` entries or more).
        s.skip.clear();
        s.skip
            .extend(plan.iter().map(|&(id, _)| self.postings(id).len() > LONG));
        let mut sure = threshold;
        for (k, &(id, f)) in plan.iter().enumerate() {
            if !s.skip.get(k).copied().unwrap_or(false) && self.postings(id).len() >= max.max(1) {
                sure = sure.max(self.weight(id, f));
            }
        }
        let bound_of = |skip: &[bool]| -> f32 {
            (0..tokens)
                .map(|i| {
                    let (from, to) = token_range(&starts, i);
                    (from..to)
                        .filter(|&k| skip.get(k).copied().unwrap_or(false))
                        .filter_map(|k| plan.get(k))
                        .map(|&(id, f)| self.weight(id, f))
                        .fold(0.0f32, f32::max)
                })
                .sum()
        };
        let mut bound = bound_of(&s.skip);
        while bound >= sure {
            // walk the shortest skipped key instead
            let shortest = (0..plan.len())
                .filter(|&k| s.skip.get(k).copied().unwrap_or(false))
                .filter_map(|k| Some((k, plan.get(k)?)))
                .min_by_key(|(_, (id, _))| self.postings(*id).len());
            let Some((k, &(id, f))) = shortest else {
                break;
            };
            if let Some(x) = s.skip.get_mut(k) {
                *x = false;
            }
            if self.postings(id).len() >= max.max(1) {
                sure = sure.max(self.weight(id, f));
            }
            bound = bound_of(&s.skip);
        }
        let any_long = s.skip.iter().any(|&x| x);
        s.saved.clear();
        s.saved_start.clear();
        for i in 0..tokens {
            let mut has_long = false;
            for (k, &(id, f)) in keys_of(i).iter().enumerate() {
                if skipped(&s.skip, i, k) {
                    has_long = true;
                } else {
                    self.spread(s, id, f);
                }
            }
            s.saved_start.push(s.saved.len());
            if has_long {
                let from = s.saved.len();
                for &e in &s.touched_token {
                    let b = s
                        .best
                        .get(e as usize)
                        .copied()
                        .surely_or(0.0, "an entry's best");
                    s.saved.push((e, b));
                }
                if let Some(part) = s.saved.get_mut(from..) {
                    part.sort_unstable_by_key(|x| x.0);
                }
            }
            self.fold_token(s);
        }
        s.saved_start.push(s.saved.len());
        if !any_long {
            s.plan = plan;
            s.token_start = starts;
            return;
        }
        // the lightest of the `max` heaviest so far: the cut can only rise from it
        let heavy = if max > 0 && s.touched.len() >= max {
            s.weights.clear();
            s.weights
                .extend(s.touched.iter().filter_map(|&e| s.acc.get(e as usize)));
            s.weights
                .select_nth_unstable_by(max - 1, |a, b| b.total_cmp(a))
                .1
                .to_owned()
        } else {
            0.0
        };
        let prune = bound < threshold.max(heavy);
        if prune {
            s.pool.clear();
            s.pool.extend_from_slice(&s.touched);
            s.pool.sort_unstable();
        }
        for i in 0..tokens {
            s.touched_token.clear();
            for (k, &(id, f)) in keys_of(i).iter().enumerate() {
                if !skipped(&s.skip, i, k) {
                    continue;
                }
                if !prune {
                    self.spread(s, id, f);
                    continue;
                }
                let w = self.weight(id, f);
                let Scratch {
                    best,
                    touched_token,
                    pool,
                    ..
                } = &mut *s;
                intersect(self.postings(id), pool, |e| {
                    if let Some(b) = best.get_mut(e as usize) {
                        if *b == 0.0 {
                            touched_token.push(e);
                        }
                        if w > *b {
                            *b = w;
                        }
                    }
                });
            }
            let (from, to) = token_range(&s.saved_start, i);
            let Scratch {
                best,
                acc,
                touched,
                touched_token,
                saved,
                ..
            } = &mut *s;
            let saved = span(saved, from, to, "a token's saved weights");
            for &e in touched_token.iter() {
                let Some(b) = best.get_mut(e as usize) else {
                    continue;
                };
                let long = std::mem::take(b);
                let short = saved
                    .binary_search_by_key(&e, |x| x.0)
                    .ok()
                    .and_then(|j| saved.get(j))
                    .map_or(0.0, |x| x.1);
                if long > short
                    && let Some(a) = acc.get_mut(e as usize)
                {
                    if *a == 0.0 {
                        touched.push(e);
                    }
                    *a += long - short;
                }
            }
            touched_token.clear();
        }
        s.plan = plan;
        s.token_start = starts;
    }

    /// Offers every entry of key `id` the key's weight for the current query token.
    fn spread(&self, s: &mut Scratch, id: u32, factor: f32) {
        let w = self.weight(id, factor);
        for &e in self.postings(id) {
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
    fn galloping_intersection_is_the_intersection() {
        let a: Vec<u32> = (0..5000).filter(|x| x % 3 == 0).collect();
        for b in [
            vec![],
            vec![0, 1, 2, 3],
            vec![4998, 4999, 6000],
            (0..200).map(|x| x * 37).collect::<Vec<u32>>(),
        ] {
            let mut got = Vec::new();
            intersect(&a, &b, |e| got.push(e));
            let want: Vec<u32> = b.iter().copied().filter(|e| a.contains(e)).collect();
            assert_eq!(got, want);
            got.clear();
            intersect(&b, &a, |e| got.push(e));
            assert_eq!(got, want);
        }
    }

    #[test]
    fn long_postings_checked_not_walked_give_the_same_candidates() {
        // 6,000 entries sharing two common given names (postings longer than LONG), each with
        // its own surname
        const SYL: [&str; 12] = [
            "ka", "ro", "mi", "ta", "ne", "lo", "sa", "vi", "du", "ber", "gan", "tor",
        ];
        let names: Vec<String> = (0..6000usize)
            .map(|i| {
                let given = if i % 2 == 0 { "JOHN" } else { "MARIA" };
                let a = SYL[i % 12];
                let b = SYL[(i / 12) % 12];
                let c = SYL[(i / 144) % 12];
                format!("{given} {a}{b}{c}")
            })
            .collect();
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let ix = index(&refs);
        let groups = NameGroups::builtin();
        for (surname, given) in [
            ("KAROMI", "JOHN"),
            ("KAROMO", "JOHN"),
            ("KAROMI", "JOHM"),
            ("JOHNSON", "MARIA"),
            ("VIDUTOR", "MARIA"),
        ] {
            let q = name_from_parts(surname, given);
            let pruned = ix.candidates(&q, &groups, &[], 100_000, 0.3);
            // a share of 0 walks every posting
            let all = ix.candidates(&q, &groups, &[], 100_000, 0.0);
            let floor = pruned.iter().map(|c| c.weight).fold(f32::MAX, f32::min);
            for c in &all {
                match pruned.iter().find(|p| p.entry == c.entry) {
                    Some(p) => assert!((p.weight - c.weight).abs() < 1e-4, "{surname} {given}"),
                    None => assert!(c.weight < floor, "{surname} {given}: {c:?} {floor}"),
                }
            }
            assert!(pruned.len() < all.len(), "{surname} {given}");
            // capped at 10 (long postings skipped once ten entries outweigh them): the same
            // entries as capping the whole list
            let capped = ix.candidates(&q, &groups, &[], 10, 0.3);
            let mut want = pruned.clone();
            if let Some(cut) = want.get(9).map(|c| c.weight) {
                want.retain(|c| c.weight >= cut);
                want.truncate(20);
            }
            let entries = |v: &[Candidate]| v.iter().map(|c| c.entry).collect::<Vec<_>>();
            assert_eq!(entries(&capped), entries(&want), "{surname} {given}");
        }
        let top = ix.candidates(&name_from_parts("KAROMI", "JOHN"), &groups, &[], 10, 0.3);
        let want = names
            .iter()
            .position(|n| n == "JOHN karomi")
            .map(|i| i as u32);
        assert_eq!(top.first().map(|c| c.entry), want);
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
