//! The public matcher: lists in, hits with explanations out.

use std::collections::BTreeMap;
use std::sync::Arc;

use jiff::civil::Date;
use model::Sex;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::entry::{BirthDate, EntryKind, ListVersion, NameQuality};
use crate::frequency::{self, NameFrequencies};
use crate::index::{Index, IndexBuilder};
use crate::normalise::{
    Name, NameGroups, NamePart, Token, document_key, document_plain, name_from_full,
    name_from_parts,
};
use crate::score::{
    self, AlignScratch, Comparison, Doc, Field, Listed, Part, QueryName, align, birth_comparison,
    date_weight_for, document_comparison, nationality_comparison, part_similarity, sex_comparison,
};
use crate::weights::Weights;

/// How a list is screened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ListMode {
    /// Names and particulars.
    #[default]
    Persons,
    /// Only document numbers (a lost and stolen documents list).
    DocumentsOnly,
    /// Not screened.
    Off,
}

#[derive(Debug, Clone, Default)]
pub struct ListConfig {
    pub threshold: Option<f64>,
    pub mode: ListMode,
}

/// How a traveller known by name alone is screened: no date of birth and no document number
/// (a PNR traveller without SSR DOCS). A name without particulars proves little — most such
/// hits are namesakes — so it must be stronger to count: its score is lowered by `margin` (a
/// perfect name scores `1 - margin`), and a common name loses up to `common_penalty` instead
/// of the usual [`crate::weights::Evidence::common_unconfirmed`]. Both show in the hit's
/// explanation.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NameOnly {
    pub margin: f64,
    pub common_penalty: f64,
}

impl NameOnly {
    /// What the intake uses: at the default threshold 0.80 a name-only traveller needs a name
    /// score of 0.90 on a rare name, and a common name cannot hit on its own.
    pub const STRICT: NameOnly = NameOnly {
        margin: 0.10,
        common_penalty: 0.30,
    };
}

/// Matcher settings.
#[derive(Debug, Clone)]
pub struct Config {
    /// Scores at or above this are hits, unless the list sets its own.
    pub threshold: f64,
    /// Per list name.
    pub lists: BTreeMap<String, ListConfig>,
    /// Entries scored per traveller at most (documents matches come on top).
    pub max_candidates: usize,
    /// A candidate needs this share of the evidence the traveller's name could give.
    pub min_candidate_share: f32,
    /// Name-equivalence groups; the built-in table when `None`.
    pub name_groups: Option<Arc<NameGroups>>,
    /// How common name parts are among the unit's travellers (counted over its traffic); merged
    /// with the built-in table of common names, the higher share counting. `None`: the built-in
    /// table and the lists only.
    pub name_frequencies: Option<Arc<NameFrequencies>>,
    /// How travellers known by name alone are screened; `None`: like everyone else (the
    /// library's default, which the corpus evaluation measures). The intake sets
    /// [`NameOnly::STRICT`].
    pub name_only: Option<NameOnly>,
    /// The scorer's weights ([`Weights::default`]: the scorer the evaluation measures).
    pub weights: Weights,
}

/// The default threshold, measured by `eval` (see its report).
pub const DEFAULT_THRESHOLD: f64 = 0.80;

impl Default for Config {
    fn default() -> Config {
        Config {
            threshold: DEFAULT_THRESHOLD,
            lists: BTreeMap::new(),
            max_candidates: 40,
            min_candidate_share: 0.3,
            name_groups: None,
            name_frequencies: None,
            name_only: None,
            weights: Weights::default(),
        }
    }
}

/// A traveller as the matcher sees them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Query {
    pub surname: String,
    /// Given names as sent, space-separated.
    pub given_names: String,
    pub date_of_birth: Option<Date>,
    pub sex: Option<Sex>,
    /// ISO 3166-1 alpha-3.
    pub nationality: Option<String>,
    /// (number, issuing State alpha-3).
    pub documents: Vec<(String, Option<String>)>,
}

impl From<&model::Identity> for Query {
    fn from(i: &model::Identity) -> Query {
        Query {
            surname: i.surname.clone(),
            given_names: i.given_names.join(" "),
            date_of_birth: i.date_of_birth,
            sex: i.sex,
            nationality: i.nationality.clone(),
            documents: i
                .documents
                .iter()
                .filter_map(|d| Some((d.number.clone()?, d.issuing_state.clone())))
                .collect(),
        }
    }
}

/// A stable, non-reversible identifier of a traveller's identity, to remember decisions about
/// them (a SHA-256 over the normalised name, date of birth, nationality and first document).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Fingerprint(pub String);

impl Query {
    pub fn name(&self) -> Name {
        name_from_parts(&self.surname, &self.given_names)
    }

    pub fn fingerprint(&self) -> Fingerprint {
        let name = self.name();
        // order-free, so a swapped name is the same person
        let mut parts: Vec<&str> = name.tokens.iter().map(|t| t.text.as_str()).collect();
        parts.sort_unstable();
        let mut h = Sha256::new();
        h.update(b"passage-identity-v1\0");
        h.update(parts.join(" ").as_bytes());
        h.update(b"\0");
        if let Some(d) = self.date_of_birth {
            h.update(d.to_string().as_bytes());
        }
        h.update(b"\0");
        if let Some(n) = &self.nationality {
            h.update(n.to_ascii_uppercase().as_bytes());
        }
        h.update(b"\0");
        if let Some((number, _)) = self.documents.first() {
            h.update(document_plain(number).as_bytes());
        }
        let digest = h.finalize();
        Fingerprint(digest.iter().take(16).map(|b| format!("{b:02x}")).collect())
    }
}

/// Why and by whom a hit was set aside before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SuppressionRef {
    pub reason: String,
    pub who: String,
    pub expires: Option<Date>,
}

/// One remembered false alarm: this identity is not this entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suppression {
    pub fingerprint: Fingerprint,
    pub list: String,
    pub entry_id: String,
    pub reason: String,
    pub who: String,
    pub expires: Option<Date>,
}

/// Remembered false alarms.
#[derive(Debug, Clone, Default)]
pub struct Suppressions {
    by_key: FxHashMap<(Fingerprint, String, String), SuppressionRef>,
}

impl Suppressions {
    pub fn add(&mut self, s: Suppression) {
        self.by_key.insert(
            (s.fingerprint, s.list, s.entry_id),
            SuppressionRef {
                reason: s.reason,
                who: s.who,
                expires: s.expires,
            },
        );
    }

    /// Marks the hits remembered for this identity (none are dropped).
    pub fn apply(&self, fingerprint: &Fingerprint, hits: &mut [Hit], today: Date) {
        if self.by_key.is_empty() {
            return;
        }
        for hit in hits {
            let k = (fingerprint.clone(), hit.list.clone(), hit.entry_id.clone());
            if let Some(r) = self.by_key.get(&k)
                && r.expires.is_none_or(|e| e >= today)
            {
                hit.suppressed = Some(r.clone());
            }
        }
    }

    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }
}

/// Why an entry was found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Explanation {
    /// The entry's name that matched best, as listed.
    pub entry_name: String,
    pub quality: NameQuality,
    pub name_score: f64,
    pub comparisons: Vec<Comparison>,
    pub threshold: f64,
}

/// One entry the traveller may be.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hit {
    pub list: String,
    pub list_version: u32,
    pub entry_id: String,
    pub score: f64,
    pub explanation: Explanation,
    pub suppressed: Option<SuppressionRef>,
}

impl std::fmt::Display for Hit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let quality = match self.explanation.quality {
            NameQuality::Primary => "primary name",
            NameQuality::Strong => "alias",
            NameQuality::Weak => "weak alias",
        };
        write!(
            f,
            "{} v{} entry {}: score {:.2} (threshold {:.2}) on {} '{}'",
            self.list,
            self.list_version,
            self.entry_id,
            self.score,
            self.explanation.threshold,
            quality,
            self.explanation.entry_name
        )?;
        if let Some(s) = &self.suppressed {
            write!(f, " — suppressed by {}: {}", s.who, s.reason)?;
        }
        for c in &self.explanation.comparisons {
            write!(f, "\n  {c}")?;
        }
        Ok(())
    }
}

/// A listed name: its parts (numbers in the matcher's part table, with their role) and the
/// parts concatenated.
#[derive(Debug, Clone)]
struct PreparedName {
    parts: Box<[(u32, NamePart)]>,
    compact: Box<str>,
    display: String,
    quality: NameQuality,
}

#[derive(Debug, Clone)]
struct Prepared {
    list: u16,
    id: String,
    names: Vec<PreparedName>,
    births: Vec<BirthDate>,
    sex: Option<Sex>,
    nationalities: Vec<String>,
    documents: Vec<Doc>,
    documents_only: bool,
}

#[derive(Debug, Clone)]
struct ListInfo {
    name: String,
    number: u32,
    threshold: f64,
}

/// The query prepared once.
#[derive(Debug)]
struct PreparedQuery<'a> {
    query: &'a Query,
    name: Name,
    parts: QueryName,
    documents: Vec<Doc>,
    keys: Vec<String>,
    /// Neither a date of birth nor a document number: known by name alone.
    name_only: bool,
}

/// Per-query working memory: part similarities already computed (query part, table part) and
/// the aligner's buffers.
#[derive(Debug, Default)]
struct Work {
    sims: FxHashMap<u64, (f32, &'static str)>,
    align: AlignScratch,
}

/// Screens travellers against the lists it was built from.
#[derive(Debug)]
pub struct Matcher {
    lists: Vec<ListInfo>,
    entries: Vec<Prepared>,
    /// Every distinct part of every listed name, prepared once.
    parts: Vec<Part>,
    index: Index,
    groups: Arc<NameGroups>,
    by_id: FxHashMap<(String, String), u32>,
    config: Config,
    cap: f32,
    /// The built-in name frequencies merged with the configured ones.
    frequencies: NameFrequencies,
}

fn entry_docs(docs: &[crate::entry::EntryDocument]) -> Vec<Doc> {
    docs.iter()
        .map(|d| Doc {
            plain: document_plain(&d.number),
            key: document_key(&d.number),
            state: d.issuing_state.clone(),
        })
        .collect()
}

impl Matcher {
    pub fn build(lists: &[&ListVersion], config: &Config) -> Matcher {
        let groups = config
            .name_groups
            .clone()
            .unwrap_or_else(|| Arc::new(NameGroups::builtin()));
        let mut infos = Vec::new();
        let mut entries = Vec::new();
        let mut builder = IndexBuilder::default();
        let mut by_id = FxHashMap::default();
        let mut interner = Interner::default();
        for list in lists {
            let lc = config.lists.get(&list.list).cloned().unwrap_or_default();
            if lc.mode == ListMode::Off {
                continue;
            }
            let list_no = infos.len() as u16;
            infos.push(ListInfo {
                name: list.list.clone(),
                number: list.number,
                threshold: lc.threshold.unwrap_or(config.threshold),
            });
            for e in &list.entries {
                let documents_only =
                    lc.mode == ListMode::DocumentsOnly || e.kind == EntryKind::Document;
                if !documents_only && !matches!(e.kind, EntryKind::Person | EntryKind::Other) {
                    continue;
                }
                let names = if documents_only {
                    Vec::new()
                } else {
                    prepare_names(e)
                };
                let documents = entry_docs(&e.documents);
                if names.is_empty() && documents.is_empty() {
                    continue;
                }
                let no = entries.len() as u32;
                for (n, _, _) in &names {
                    builder.add_name(no, n, &groups);
                }
                let names = names
                    .into_iter()
                    .map(|(n, display, quality)| PreparedName {
                        parts: n
                            .tokens
                            .iter()
                            .map(|t| (interner.intern(t), t.role))
                            .collect(),
                        compact: n.compact.into(),
                        display,
                        quality,
                    })
                    .collect();
                for d in &documents {
                    builder.add_document(no, d.key.clone());
                }
                by_id.insert((list.list.clone(), e.id.clone()), no);
                entries.push(Prepared {
                    list: list_no,
                    id: e.id.clone(),
                    names,
                    births: e.birth_dates.clone(),
                    sex: e.sex,
                    nationalities: e.nationalities.clone(),
                    documents,
                    documents_only,
                });
            }
        }
        let index = builder.build();
        let w = &config.weights;
        let cap = score::idf_cap(index.max_idf(), &w.names);
        let mut frequencies = NameFrequencies::builtin();
        if let Some(f) = &config.name_frequencies {
            frequencies.merge(f);
        }
        let listed = f64::from(index.entries()) + w.evidence.list_share_prior;
        let parts = interner
            .tokens
            .iter()
            .map(|t| {
                let mut p = Part::new(t, &groups, index.idf(t.bare()));
                if !t.initial {
                    let share = [
                        frequencies.share(&t.text),
                        frequencies.share(t.bare()),
                        Some((f64::from(index.doc_freq(t.bare())) / listed) as f32),
                    ]
                    .into_iter()
                    .flatten()
                    .fold(0.0f32, f32::max);
                    p.rarity = frequency::rarity_of(share);
                    p.known_common = known_common(&frequencies, t);
                }
                p
            })
            .collect();
        Matcher {
            lists: infos,
            entries,
            parts,
            index,
            groups,
            by_id,
            config: config.clone(),
            cap,
            frequencies,
        }
    }

    /// Entries held (persons and documents that can be screened).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Rough bytes held by the candidate index.
    pub fn index_memory_estimate(&self) -> usize {
        self.index.memory_estimate()
    }

    fn prepare<'a>(&self, query: &'a Query) -> PreparedQuery<'a> {
        let documents: Vec<Doc> = query
            .documents
            .iter()
            .map(|(n, s)| Doc {
                plain: document_plain(n),
                key: document_key(n),
                state: s.clone(),
            })
            .collect();
        let keys = documents.iter().map(|d| d.key.clone()).collect();
        let name = query.name();
        let idf = |t: &str| self.index.idf(t);
        let mut parts = QueryName::new(
            &name,
            &self.groups,
            &idf,
            self.cap,
            &self.config.weights.names,
        );
        for (p, t) in parts.parts.iter_mut().zip(&name.tokens) {
            if !t.initial {
                p.0.known_common = known_common(&self.frequencies, t);
            }
        }
        let name_only =
            query.date_of_birth.is_none() && documents.iter().all(|d| d.plain.is_empty());
        PreparedQuery {
            query,
            name,
            parts,
            documents,
            keys,
            name_only,
        }
    }

    /// Candidate entries (numbers) for a query, before scoring: exposed to measure recall.
    pub fn candidate_ids(&self, query: &Query) -> Vec<(String, String)> {
        let pq = self.prepare(query);
        self.index
            .candidates(
                &pq.name,
                &self.groups,
                &pq.keys,
                self.config.max_candidates,
                self.config.min_candidate_share,
            )
            .iter()
            .filter_map(|c| self.entries.get(c.entry as usize))
            .filter_map(|e| Some((self.lists.get(e.list as usize)?.name.clone(), e.id.clone())))
            .collect()
    }

    /// Hits for a traveller, best first.
    pub fn screen(&self, query: &Query) -> Vec<Hit> {
        self.screen_scored(query, None)
    }

    /// Hits scored without a threshold floor below `min`: for evaluation at several thresholds.
    pub fn screen_at(&self, query: &Query, min: f64) -> Vec<Hit> {
        self.screen_scored(query, Some(min))
    }

    fn screen_scored(&self, query: &Query, min: Option<f64>) -> Vec<Hit> {
        let pq = self.prepare(query);
        let candidates = self.index.candidates(
            &pq.name,
            &self.groups,
            &pq.keys,
            self.config.max_candidates,
            self.config.min_candidate_share,
        );
        let mut work = Work::default();
        let mut hits: Vec<Hit> = candidates
            .iter()
            .filter_map(|c| self.score_entry(&pq, c.entry, min, &mut work))
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score));
        hits
    }

    /// Hits, with remembered false alarms marked.
    pub fn screen_with(&self, query: &Query, suppressions: &Suppressions, today: Date) -> Vec<Hit> {
        let mut hits = self.screen(query);
        suppressions.apply(&query.fingerprint(), &mut hits, today);
        hits
    }

    /// Re-screens a traveller against only the entries that changed in a new list version
    /// (`(list, entry id)` pairs; ids absent from this matcher are ignored).
    pub fn screen_changed(&self, query: &Query, changed: &[(String, String)]) -> Vec<Hit> {
        let pq = self.prepare(query);
        let mut seen = FxHashSet::default();
        let mut work = Work::default();
        let mut hits: Vec<Hit> = changed
            .iter()
            .filter_map(|k| self.by_id.get(k).copied())
            .filter(|n| seen.insert(*n))
            .filter_map(|n| self.score_entry(&pq, n, None, &mut work))
            .collect();
        hits.sort_by(|a, b| b.score.total_cmp(&a.score));
        hits
    }

    /// Screens many travellers (a flight) on all cores.
    pub fn screen_many(&self, queries: &[Query]) -> Vec<Vec<Hit>> {
        let threads = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(queries.len().max(1));
        if threads <= 1 {
            return queries.iter().map(|q| self.screen(q)).collect();
        }
        let chunk = queries.len().div_ceil(threads);
        std::thread::scope(|s| {
            let handles: Vec<_> = queries
                .chunks(chunk)
                .map(|part| {
                    s.spawn(move || part.iter().map(|q| self.screen(q)).collect::<Vec<_>>())
                })
                .collect();
            // a worker that panicked (a bug) must not drop its travellers' hits: reported, and its
            // part screened again here, where a second panic reaches the caller
            handles
                .into_iter()
                .zip(queries.chunks(chunk))
                .flat_map(|(h, part)| {
                    h.join().unwrap_or_else(|_| {
                        invariant::never!("a screening worker panicked");
                        part.iter().map(|q| self.screen(q)).collect()
                    })
                })
                .collect()
        })
    }

    fn listed<'a>(&'a self, n: &'a PreparedName) -> Listed<'a> {
        Listed {
            parts: &n.parts,
            compact: &n.compact,
            table: &self.parts,
        }
    }

    /// The name score of one listed name (no explanation) and the rarity of its matched parts.
    fn name_score(&self, pq: &PreparedQuery<'_>, n: &PreparedName, work: &mut Work) -> (f32, f32) {
        let Work {
            sims,
            align: scratch,
        } = work;
        let w = &self.config.weights;
        let qparts = &pq.parts.parts;
        let table = &self.parts;
        let mut sim = |i: usize, id: u32| {
            let k = ((i as u64) << 32) | u64::from(id);
            *sims
                .entry(k)
                .or_insert_with(|| match (qparts.get(i), table.get(id as usize)) {
                    (Some(q), Some(e)) => part_similarity(&q.0, e, w.names.pair_min, w),
                    _ => (0.0, "differs"),
                })
        };
        let listed = self.listed(n);
        let score = align(&pq.parts, &listed, w, &mut sim, scratch).score;
        (score, scratch.matched_rarity(&listed))
    }

    /// The per-part comparisons of the listed name that made a hit.
    fn name_parts(
        &self,
        pq: &PreparedQuery<'_>,
        n: &PreparedName,
        work: &mut Work,
    ) -> Vec<Comparison> {
        let w = &self.config.weights;
        let table = &self.parts;
        let qparts = &pq.parts.parts;
        let mut sim = |i: usize, id: u32| match (qparts.get(i), table.get(id as usize)) {
            (Some(q), Some(e)) => part_similarity(&q.0, e, w.names.pair_min, w),
            _ => (0.0, "differs"),
        };
        let listed = self.listed(n);
        align(&pq.parts, &listed, w, &mut sim, &mut work.align);
        score::explain(&pq.parts, &listed, &work.align, &w.names)
    }

    fn score_entry(
        &self,
        pq: &PreparedQuery<'_>,
        no: u32,
        min: Option<f64>,
        work: &mut Work,
    ) -> Option<Hit> {
        let e = self.entries.get(no as usize)?;
        let list = self.lists.get(e.list as usize)?;
        let threshold = min.unwrap_or(list.threshold);
        let w = &self.config.weights;
        let doc = document_comparison(&pq.documents, &e.documents, &w.documents);
        if e.documents_only {
            let (floor, c) = doc?;
            return (floor >= threshold).then(|| Hit {
                list: list.name.clone(),
                list_version: list.number,
                entry_id: e.id.clone(),
                score: floor,
                explanation: Explanation {
                    entry_name: String::new(),
                    quality: NameQuality::Primary,
                    name_score: 0.0,
                    comparisons: vec![c],
                    threshold: list.threshold,
                },
                suppressed: None,
            });
        }
        let mut best: Option<(f32, f32, &PreparedName)> = None;
        for n in &e.names {
            let (score, rarity) = self.name_score(pq, n, work);
            let adjusted = score * score::quality_factor(n.quality, &w.names);
            if best.is_none_or(|b| adjusted > b.0) {
                best = Some((adjusted, rarity, n));
            }
        }
        let (name_score, rarity, name) = match best {
            Some((s, r, n)) => (s, r, Some(n)),
            None => (0.0, 0.0, None),
        };
        let name_score = f64::from(name_score);
        if name_score < w.evidence.name_min && doc.is_none() {
            return None;
        }
        let mut comparisons = Vec::new();
        let q = pq.query;
        // a common name proves less: without a date of birth confirming it, it loses some of its
        // score, and a contradicting date counts more
        let common = if name.is_some() {
            f64::from(frequency::commonness(rarity))
        } else {
            0.0
        };
        let mut total = name_score;
        let mut confirmed = 0.0;
        for mut c in [
            birth_comparison(q.date_of_birth, &e.births, &w.birth),
            sex_comparison(q.sex, e.sex, &w.particulars),
            nationality_comparison(q.nationality.as_deref(), &e.nationalities, &w.particulars),
        ]
        .into_iter()
        .flatten()
        {
            if c.field == Field::DateOfBirth {
                confirmed = if c.weight >= w.evidence.date_confirms {
                    1.0
                } else if c.weight >= w.evidence.date_half_confirms {
                    0.5
                } else {
                    0.0
                };
                c.weight = date_weight_for(c.weight, common, &w.birth);
            }
            total += c.weight;
            comparisons.push(c);
        }
        let name_only = self.config.name_only.filter(|_| pq.name_only);
        let unconfirmed = -name_only.map_or(w.evidence.common_unconfirmed, |n| n.common_penalty)
            * common
            * (1.0 - confirmed);
        total += unconfirmed;
        if let Some(n) = name_only {
            total -= n.margin;
            comparisons.push(Comparison {
                field: Field::NameOnly,
                query: String::new(),
                entry: String::new(),
                score: 0.0,
                weight: -n.margin,
                reason: "no date of birth and no document: the name alone must carry the hit",
            });
        }
        if let Some((floor, c)) = doc {
            if floor > 0.0 {
                // the same document: the name must not contradict it
                let floor = if name_score >= w.documents.name_contradicts_below {
                    floor
                } else {
                    floor * w.documents.name_contradicts
                };
                total = total.max(floor);
            } else {
                total += c.weight;
            }
            comparisons.push(c);
        }
        let total = total.clamp(0.0, 1.0);
        if total < threshold {
            return None;
        }
        if common > 0.0 {
            comparisons.push(Comparison {
                field: Field::NameFrequency,
                query: format!("about 1 in {} people", frequency::one_in(rarity)),
                entry: name.map(|n| n.display.clone()).unwrap_or_default(),
                score: 1.0 - 0.5 * common,
                weight: (unconfirmed * 1000.0).round() / 1000.0,
                reason: if common >= 0.5 {
                    "common name"
                } else {
                    "fairly common name"
                },
            });
        }
        // a hit: now explain the name
        if let Some(n) = name {
            let mut parts = self.name_parts(pq, n, work);
            parts.append(&mut comparisons);
            comparisons = parts;
        }
        let name_comparison = Comparison {
            field: Field::Name,
            query: format!("{} {}", q.given_names, q.surname)
                .trim()
                .to_string(),
            entry: name.map(|n| n.display.clone()).unwrap_or_default(),
            score: name_score,
            weight: 1.0,
            reason: "name score",
        };
        comparisons.insert(0, name_comparison);
        Some(Hit {
            list: list.name.clone(),
            list_version: list.number,
            entry_id: e.id.clone(),
            score: (total * 1000.0).round() / 1000.0,
            explanation: Explanation {
                entry_name: name.map(|n| n.display.clone()).unwrap_or_default(),
                quality: name.map_or(NameQuality::Primary, |n| n.quality),
                name_score: (name_score * 1000.0).round() / 1000.0,
                comparisons,
                threshold: list.threshold,
            },
            suppressed: None,
        })
    }
}

/// Whether the frequency tables know a part as a common name of its own (one person in 1,000
/// or more where it is commonest).
fn known_common(f: &NameFrequencies, t: &Token) -> bool {
    f.share(&t.text)
        .or_else(|| f.share(t.bare()))
        .is_some_and(|s| s >= 0.001)
}

/// An entry's names, prepared; aliases wholly contained in another of its names dropped, so a
/// short alias cannot rescue a mismatch.
fn prepare_names(e: &crate::entry::Entry) -> Vec<(Name, String, NameQuality)> {
    let mut out: Vec<(Name, String, NameQuality)> = Vec::new();
    for n in &e.names {
        let name = match (&n.family, &n.given) {
            (Some(f), Some(g)) if !f.trim().is_empty() => name_from_parts(f, g),
            (Some(f), None) if !f.trim().is_empty() => name_from_parts(f, ""),
            _ => name_from_full(&n.full),
        };
        if name.is_empty() || name.compact.len() < 3 {
            continue;
        }
        if out.iter().any(|o| o.0.tokens == name.tokens) {
            continue;
        }
        out.push((name, n.full.clone(), n.quality));
    }
    let texts = |n: &Name| -> Vec<String> { n.tokens.iter().map(|t| t.text.clone()).collect() };
    let all: Vec<Vec<String>> = out.iter().map(|p| texts(&p.0)).collect();
    let mut keep = Vec::new();
    for (i, (p, mine)) in out.into_iter().zip(&all).enumerate() {
        let contained = p.2 != NameQuality::Primary
            && all.iter().enumerate().any(|(j, other)| {
                j != i && other.len() > mine.len() && mine.iter().all(|t| other.contains(t))
            });
        if !contained {
            keep.push(p);
        }
    }
    keep
}

/// Distinct name parts (all but the role), numbered.
#[derive(Debug, Default)]
struct Interner {
    ids: FxHashMap<PartKey, u32>,
    tokens: Vec<Token>,
}

type PartKey = (
    String,
    Option<String>,
    Option<&'static str>,
    String,
    bool,
    bool,
);

impl Interner {
    fn intern(&mut self, t: &Token) -> u32 {
        let key: PartKey = (
            t.text.clone(),
            t.core.clone(),
            t.particle,
            t.skeleton.clone(),
            t.initial,
            t.native,
        );
        if let Some(&id) = self.ids.get(&key) {
            return id;
        }
        let id = self.tokens.len() as u32;
        self.ids.insert(key, id);
        self.tokens.push(t.clone());
        id
    }
}

/// Ids of entries that are new or differ between two versions of a list (for
/// [`Matcher::screen_changed`]).
pub fn changed_entries(old: &ListVersion, new: &ListVersion) -> Vec<(String, String)> {
    let before: FxHashMap<&str, &crate::entry::Entry> =
        old.entries.iter().map(|e| (e.id.as_str(), e)).collect();
    new.entries
        .iter()
        .filter(|e| before.get(e.id.as_str()).is_none_or(|b| *b != *e))
        .map(|e| (new.list.clone(), e.id.clone()))
        .collect()
}
