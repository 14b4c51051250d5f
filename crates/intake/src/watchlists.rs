//! Watchlists in force: importing a new version (kept whole, with what changed, audited), the
//! screener rebuilt from the latest versions, and the travellers of flights not yet gone (and of
//! a configurable past window) screened again against the changed entries only.

use serde::Serialize;

use screening::{Format, ImportFinding, ListVersion, Query};
use store::{AuditEntry, HitSubject, NewListVersion};

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use store::Store;

use crate::screen::{Screener, Traveller};
use crate::{Clock, IntakeError};

/// What an import did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportReport {
    pub list: String,
    /// The version now in force.
    pub number: u32,
    /// False when the file was byte for byte the version in force (nothing changed).
    pub new_version: bool,
    pub entries: usize,
    pub added: usize,
    pub changed: usize,
    pub removed: usize,
    pub findings: Vec<ImportFinding>,
    /// Travellers screened again against the added and changed entries.
    pub rescreened: usize,
    /// Hits kept by that re-screening (new or updated).
    pub hits: usize,
}

/// Name frequencies are counted over the travellers of this many past days (and later ones).
const FREQUENCY_DAYS: i64 = 90;
/// Fewer travellers than this say little about how common a name is.
const MIN_PEOPLE_FOR_FREQUENCIES: u64 = 1_000;

/// The screening service: the watchlists in force as one screener (with the remembered false
/// alarms and the unit's name frequencies), list imports, and re-screening of recent travellers
/// against what an import changed. The pipeline asks it for the screener of each message.
pub struct Watchlists {
    store: Store,
    clock: Clock,
    /// Matcher settings (thresholds and modes per list).
    config: screening::Config,
    /// When a list changes, travellers of flights from this many days ago are screened again.
    rescreen_days: i64,
    /// The lists in force; `None` until loaded (nothing is screened then).
    screener: std::sync::RwLock<Option<Arc<Screener>>>,
    /// The traffic (manifest rows and PNR travellers taken in) when the screener was built.
    screened_people: AtomicU64,
    /// PNR travellers taken in since start (each push's, so a booking pushed three times counts
    /// three times): with the manifest count, the measure of traffic growth that rebuilds the
    /// screener — bookings arrive days before the lists, and a fresh unit must not screen them
    /// without knowing which names are common.
    pnr_travellers_seen: AtomicU64,
    /// The store's generation of lists the screener in force was built at (`-1`: none yet);
    /// another node's import or review moves it, and [`Watchlists::sync`] rebuilds.
    generation: AtomicI64,
}

impl std::fmt::Debug for Watchlists {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watchlists")
            .field("rescreen_days", &self.rescreen_days)
            .field("screener", &self.screener().map(|s| s.lists()))
            .finish_non_exhaustive()
    }
}

impl Watchlists {
    pub fn new(store: Store, config: screening::Config, rescreen_days: i64, clock: Clock) -> Self {
        Watchlists {
            store,
            clock,
            config,
            rescreen_days,
            screener: std::sync::RwLock::new(None),
            screened_people: AtomicU64::new(0),
            pnr_travellers_seen: AtomicU64::new(0),
            generation: AtomicI64::new(-1),
        }
    }

    fn store(&self) -> &Store {
        &self.store
    }

    fn today(&self) -> jiff::civil::Date {
        crate::utc_date((self.clock)())
    }

    /// The screener in force, if lists are loaded.
    pub fn screener(&self) -> Option<Arc<Screener>> {
        crate::sync::read(&self.screener).clone()
    }

    /// Puts a screener in force for the messages processed from now on.
    pub fn set_screener(&self, screener: Screener) {
        *crate::sync::write(&self.screener) = Some(Arc::new(screener));
    }

    /// Counts PNR travellers taken in: part of the traffic whose growth rebuilds the screener.
    pub(crate) fn saw_pnr_travellers(&self, n: u64) {
        self.pnr_travellers_seen.fetch_add(n, Ordering::Relaxed);
    }

    /// Builds the screener from the latest version of every list and the remembered false
    /// alarms, and puts it in force. Returns how many lists are in force.
    pub async fn load(&self) -> Result<usize, IntakeError> {
        // Read before the lists: a change committed meanwhile moves it again, and the next
        // sync rebuilds.
        let generation = self.store().generations().await?.lists;
        let versions = self.latest_lists().await?;
        let suppressions = self.store().suppressions(&self.today().to_string()).await?;
        let mut config = self.config.clone();
        let traffic = self.traffic().await?;
        if let Some(f) = self.traffic_name_frequencies().await? {
            config.name_frequencies = Some(std::sync::Arc::new(f));
        }
        let screener = Screener::build(
            &versions,
            &suppressions,
            &config,
            self.store().identity_key().clone(),
        );
        let n = screener.lists();
        self.set_screener(screener);
        self.screened_people.store(traffic, Ordering::Relaxed);
        self.generation.store(generation, Ordering::Relaxed);
        Ok(n)
    }

    /// Rebuilds the screener when the lists or remembered false alarms in the store changed
    /// since it was built — by this node or another one sharing the store (cheap to ask
    /// often: two rows). Returns whether it rebuilt.
    pub async fn sync(&self) -> Result<bool, IntakeError> {
        let now = self.store().generations().await?.lists;
        if now == self.generation.load(Ordering::Relaxed) {
            return Ok(false);
        }
        self.load().await?;
        Ok(true)
    }

    /// The measure of traffic whose doubling rebuilds the screener: persons on manifests and
    /// PNR travellers taken in since start.
    async fn traffic(&self) -> Result<u64, IntakeError> {
        let manifest = self.store().manifest_count().await?.max(0) as u64;
        Ok(manifest.saturating_add(self.pnr_travellers_seen.load(Ordering::Relaxed)))
    }

    /// How common each name part is among the travellers of the last `FREQUENCY_DAYS` days,
    /// once there are enough of them to tell: a match on a name common in this unit's traffic
    /// means less than one on a rare name. Persons on manifests and PNR travellers are both
    /// counted (most people are both: their names count twice among twice the people), so the
    /// bookings that arrive days before the lists already tell which names are common.
    async fn traffic_name_frequencies(
        &self,
    ) -> Result<Option<screening::NameFrequencies>, IntakeError> {
        let today = self.today();
        let since = today
            .checked_sub(jiff::Span::new().days(FREQUENCY_DAYS))
            .unwrap_or(today)
            .to_string();
        let mut names = self.store().manifest_names_since(&since).await?;
        names.extend(
            self.store()
                .pnr_travellers_since(&since)
                .await?
                .into_iter()
                .map(|t| (t.traveller.surname, t.traveller.given_name)),
        );
        let people = names.len() as u64;
        if people < MIN_PEOPLE_FOR_FREQUENCIES {
            return Ok(None);
        }
        let mut counts: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
        for (surname, given) in &names {
            let mut parts: Vec<&str> = surname
                .split_whitespace()
                .chain(given.split_whitespace())
                .collect();
            parts.sort_unstable();
            parts.dedup();
            for p in parts {
                *counts.entry(p.to_string()).or_default() += 1;
            }
        }
        Ok(Some(screening::NameFrequencies::from_counts(
            counts, people,
        )))
    }

    /// Rebuilds the screener when the traffic it counted name frequencies over has doubled
    /// (cheap to ask often: one count).
    pub async fn refresh_if_grown(&self) -> Result<bool, IntakeError> {
        if self.screener().is_none_or(|s| s.lists() == 0) {
            return Ok(false);
        }
        let now = self.traffic().await?;
        let before = self.screened_people.load(Ordering::Relaxed);
        if now < MIN_PEOPLE_FOR_FREQUENCIES || now < before.saturating_mul(2).max(1) {
            return Ok(false);
        }
        self.load().await?;
        Ok(true)
    }

    async fn latest_lists(&self) -> Result<Vec<ListVersion>, IntakeError> {
        self.store()
            .latest_list_versions()
            .await?
            .iter()
            .map(|json| serde_json::from_str(json).map_err(|e| IntakeError::Corrupt(e.to_string())))
            .collect()
    }

    /// Imports a list file as the next version of `list`, puts it in force and screens the
    /// travellers of flights departing from `rescreen_days` ago onwards against what changed.
    pub async fn import(
        &self,
        list: &str,
        format: Format,
        bytes: &[u8],
        who: &str,
    ) -> Result<ImportReport, IntakeError> {
        let imported = screening::import(format, bytes)?;
        let findings = imported.findings.clone();
        let previous: Option<ListVersion> = match self.store().list_version_json(list, None).await?
        {
            Some(json) => {
                Some(serde_json::from_str(&json).map_err(|e| IntakeError::Corrupt(e.to_string()))?)
            }
            None => None,
        };
        let version = ListVersion::from_import(list, previous.as_ref(), bytes, imported);
        if let Some(p) = previous
            .as_ref()
            .filter(|p| p.source_sha256 == version.source_sha256)
        {
            return Ok(ImportReport {
                list: list.to_string(),
                number: p.number,
                new_version: false,
                entries: p.entries.len(),
                added: 0,
                changed: 0,
                removed: 0,
                findings,
                rescreened: 0,
                hits: 0,
            });
        }
        let empty = ListVersion {
            list: list.to_string(),
            number: 0,
            source_sha256: String::new(),
            published: None,
            entries: Vec::new(),
        };
        let diff = screening::diff(previous.as_ref().unwrap_or(&empty), &version);
        let json =
            serde_json::to_string(&version).map_err(|e| IntakeError::Corrupt(e.to_string()))?;
        let published = version.published.map(|d| d.to_string());
        let mut tx = self.store().begin().await?;
        tx.put_list_version(&NewListVersion {
            list,
            number: i64::from(version.number),
            format: format.name(),
            source_sha256: &version.source_sha256,
            published: published.as_deref(),
            imported_by: who,
            entries: version.entries.len() as i64,
            added: diff.added.len() as i64,
            changed: diff.changed.len() as i64,
            removed: diff.removed.len() as i64,
            version: &json,
        })
        .await?;
        tx.audit(&AuditEntry {
            actor: who,
            action: "watchlist.imported",
            subject: &format!("watchlist:{list}/{}", version.number),
            purpose: None,
            detail: &format!(
                "format={} entries={} added={} changed={} removed={}",
                format.name(),
                version.entries.len(),
                diff.added.len(),
                diff.changed.len(),
                diff.removed.len()
            ),
        })
        .await?;
        tx.commit().await?;
        self.load().await?;

        let changed: Vec<(String, String)> = diff
            .added
            .iter()
            .chain(&diff.changed)
            .map(|id| (list.to_string(), id.clone()))
            .collect();
        let (rescreened, hits) = self.rescreen(&changed).await?;
        Ok(ImportReport {
            list: list.to_string(),
            number: version.number,
            new_version: true,
            entries: version.entries.len(),
            added: diff.added.len(),
            changed: diff.changed.len(),
            removed: diff.removed.len(),
            findings,
            rescreened,
            hits,
        })
    }

    /// Screens the travellers of flights departing from `rescreen_days` ago onwards against
    /// the given (list, entry) pairs. Returns (travellers screened, hits kept).
    pub async fn rescreen(
        &self,
        changed: &[(String, String)],
    ) -> Result<(usize, usize), IntakeError> {
        let Some(screener) = self.screener().filter(|_| !changed.is_empty()) else {
            return Ok((0, 0));
        };
        let today = self.today();
        let since = today
            .checked_sub(jiff::Span::new().days(self.rescreen_days))
            .unwrap_or(today)
            .to_string();
        let api = self.store().api_persons_since(&since).await?;
        let pnr = self.store().pnr_travellers_since(&since).await?;
        let mut rows = Vec::new();
        for p in &api {
            let traveller = Traveller::Api {
                reference: None,
                surname: p.identity.surname.clone(),
                given_names: p.identity.given_names.join(" "),
            };
            if let Some(found) =
                screener.screen_changed(traveller, &Query::from(&p.identity), changed, today)
            {
                rows.extend(screener.rows(
                    &found,
                    p.flight_id,
                    HitSubject::Api {
                        manifest_id: p.manifest_id,
                    },
                    p.last_message,
                ));
            }
        }
        for p in &pnr {
            let t = &p.traveller;
            let query = Query {
                surname: t.surname.clone(),
                given_names: t.given_name.clone(),
                date_of_birth: t.birth_dates.first().and_then(|d| d.parse().ok()),
                documents: t.documents.iter().map(|d| (d.clone(), None)).collect(),
                ..Query::default()
            };
            let traveller = Traveller::Pnr {
                locator: t.locator.clone(),
                reference: t.reference.clone(),
            };
            if let Some(found) = screener.screen_changed(traveller, &query, changed, today) {
                rows.extend(screener.rows(
                    &found,
                    p.flight_id,
                    HitSubject::Pnr {
                        locator: t.locator.clone(),
                        traveller: t.reference.clone(),
                    },
                    p.message_id,
                ));
            }
        }
        let mut tx = self.store().begin().await?;
        tx.put_hits(&rows).await?;
        tx.commit().await?;
        Ok((api.len() + pnr.len(), rows.len()))
    }
}
