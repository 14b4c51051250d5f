//! Depersonalisation by masking (Directive (EU) 2016/681 Art. 12(2)) as the store does it: a
//! flight's rows past the period have their identifying values replaced, in place, and their
//! originals sealed — AES-256-GCM under the unit's `sealing.key`, kept beside the database and
//! never in it — so that they are read again only for a disclosure an independent authority
//! approved (Art. 12(3)). After masking, the identifying values are not in the database file
//! (SQLite overwrites what it frees: `secure_delete`), only their ciphertext.
//!
//! What a masked booking or hit explanation looks like is the caller's knowledge (the
//! retention crate, through pnrgov, screening and targeting): [`FlightMask`] carries them. The
//! columns of API persons and PNR travellers, and the message bytes, the store masks itself.

use std::path::Path;

use model::Identity;
use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};
use serde::{Deserialize, Serialize};

use crate::packing::{Packed, pack};
use crate::{Store, StoreError, Tx};

/// The sealing key's file, beside the database.
pub const KEY_FILE: &str = "sealing.key";

/// The format of the sealed payloads this version writes (JSON of the types below, or the
/// bytes of a message as kept).
const FORMAT: i64 = 1;

/// What a sealed original was.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SealedKind {
    /// An API person's columns (`manifest`).
    Person,
    /// A PNR traveller's columns (`pnr_travellers`).
    PnrTraveller,
    /// A booking version's JSON (`pnr_versions`).
    BookingVersion,
    /// A screening hit's explanation and note.
    Hit,
    /// A targeting hit's explanation and note.
    TargetingHit,
    /// A message's bytes as the vault kept them.
    Body,
}

impl SealedKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SealedKind::Person => "person",
            SealedKind::PnrTraveller => "pnr_traveller",
            SealedKind::BookingVersion => "booking_version",
            SealedKind::Hit => "hit",
            SealedKind::TargetingHit => "targeting_hit",
            SealedKind::Body => "body",
        }
    }
}

/// An API person as it was before masking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct SealedPerson {
    #[serde(skip)]
    pub id: i64,
    pub surname: String,
    pub given_names: String,
    pub sex: Option<String>,
    pub date_of_birth: Option<String>,
    pub nationality: Option<String>,
    pub document_number: Option<String>,
    pub document_state: Option<String>,
    #[sqlx(try_from = "crate::columns::Json<Identity>")]
    pub identity: Identity,
    pub person_key: Option<String>,
}

/// A PNR traveller as it was before masking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
#[serde(deny_unknown_fields)]
pub struct SealedPnrTraveller {
    pub locator: String,
    pub reference: String,
    pub surname: String,
    pub given_name: String,
    pub birth_dates: String,
    pub documents: String,
}

/// A booking version as it was before masking: the booking's stored JSON and its format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealedBookingVersion {
    pub format: i64,
    pub booking: String,
}

/// A hit's explanation and review note as they were before masking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SealedExplanation {
    pub explanation: serde_json::Value,
    pub note: Option<String>,
}

/// A flight's rows to mask, as read before masking: what the caller needs to make the masked
/// booking versions and explanations.
#[derive(Debug, Clone, Default)]
pub struct ToMask {
    /// The flight's `updated_at` when read: what a later change is told apart by.
    pub updated_at: String,
    /// Booking versions not masked: (id, format, JSON).
    pub versions: Vec<(i64, i64, String)>,
    /// Screening hits not masked: (id, explanation).
    pub hits: Vec<(i64, serde_json::Value)>,
    /// Targeting hits not masked: (id, explanation).
    pub targeting_hits: Vec<(i64, serde_json::Value)>,
}

/// A flight's masked replacements, made by the caller from [`ToMask`].
#[derive(Debug, Clone, Default)]
pub struct FlightMask {
    pub flight_id: i64,
    /// As read in [`ToMask`].
    pub updated_at: String,
    /// (id, format, masked JSON).
    pub versions: Vec<(i64, i64, String)>,
    /// (id, masked explanation).
    pub hits: Vec<(i64, serde_json::Value)>,
    pub targeting_hits: Vec<(i64, serde_json::Value)>,
}

/// What a run masked.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Masked {
    pub api_persons: u64,
    pub pnr_travellers: u64,
    pub pnr_versions: u64,
    pub hits: u64,
    pub targeting_hits: u64,
    pub bodies: u64,
    /// Flights whose every row is masked.
    pub flights: u64,
}

impl Masked {
    pub fn add(&mut self, o: &Masked) {
        self.api_persons += o.api_persons;
        self.pnr_travellers += o.pnr_travellers;
        self.pnr_versions += o.pnr_versions;
        self.hits += o.hits;
        self.targeting_hits += o.targeting_hits;
        self.bodies += o.bodies;
        self.flights += o.flights;
    }

    /// Each count with its name, for metrics and reports.
    pub fn named(&self) -> [(&'static str, u64); 7] {
        [
            ("api_persons", self.api_persons),
            ("pnr_travellers", self.pnr_travellers),
            ("pnr_versions", self.pnr_versions),
            ("hits", self.hits),
            ("targeting_hits", self.targeting_hits),
            ("bodies", self.bodies),
            ("flights", self.flights),
        ]
    }

    /// Rows masked (flights not counted).
    pub fn rows(&self) -> u64 {
        self.api_persons
            + self.pnr_travellers
            + self.pnr_versions
            + self.hits
            + self.targeting_hits
            + self.bodies
    }
}

/// The unit's sealing key.
pub(crate) struct Sealer {
    key: LessSafeKey,
}

impl std::fmt::Debug for Sealer {
    // The key is never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer")
    }
}

fn key_error(what: impl std::fmt::Display) -> StoreError {
    StoreError::SealingKey(what.to_string())
}

impl Sealer {
    fn from_bytes(bytes: &[u8; 32]) -> Result<Sealer, StoreError> {
        let key = UnboundKey::new(&AES_256_GCM, bytes)
            .map_err(|_| key_error("an AES-256-GCM key of 32 bytes was refused"))?;
        Ok(Sealer {
            key: LessSafeKey::new(key),
        })
    }

    /// The key from `sealing.key` in `dir`, made (mode 0600) when there is none and nothing
    /// was sealed yet; a missing key with sealed originals stored is refused (a new key would
    /// read none of them).
    pub(crate) async fn beside(
        dir: &Path,
        pool: crate::audit::Pool<'_>,
    ) -> Result<Sealer, StoreError> {
        let path = dir.join(KEY_FILE);
        if let Some(key) = crate::keys::read(&path, "sealing key").map_err(key_error)? {
            return Sealer::from_bytes(&key);
        }
        let sealed = on!(pool, |db| sqlx::query("SELECT 1 FROM sealed LIMIT 1")
            .fetch_optional(db)
            .await
            .map(|r| r.is_some()))?;
        if sealed {
            return Err(key_error(format!(
                "the sealing key {} is missing but masked data were sealed with one; restore \
                 it from the backup (without it no approved disclosure can read them)",
                path.display()
            )));
        }
        let key = match crate::keys::make(&path).map_err(key_error)? {
            Some(key) => key,
            // Another process made it first.
            None => crate::keys::read(&path, "sealing key")
                .map_err(key_error)?
                .ok_or_else(|| key_error("the sealing key vanished while read"))?,
        };
        Sealer::from_bytes(&key)
    }

    /// A key of its own for a database in memory.
    pub(crate) fn in_memory() -> Result<Sealer, StoreError> {
        Sealer::from_bytes(&crate::keys::random().map_err(key_error)?)
    }

    /// The associated data: a sealed value opens only as what and where it was sealed.
    fn aad(kind: SealedKind, flight: i64, row_key: &str) -> String {
        format!("{}:{flight}:{row_key}", kind.as_str())
    }

    fn seal(
        &self,
        kind: SealedKind,
        flight: i64,
        row_key: &str,
        plain: &[u8],
    ) -> Result<([u8; NONCE_LEN], Vec<u8>), StoreError> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(key_error)?;
        let mut sealed = plain.to_vec();
        self.key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(Sealer::aad(kind, flight, row_key).as_bytes()),
                &mut sealed,
            )
            .map_err(|_| key_error("sealing failed"))?;
        Ok((nonce, sealed))
    }

    fn open(
        &self,
        kind: SealedKind,
        flight: i64,
        row_key: &str,
        nonce: &[u8],
        mut sealed: Vec<u8>,
    ) -> Result<Vec<u8>, StoreError> {
        let nonce = Nonce::try_assume_unique_for_key(nonce)
            .map_err(|_| StoreError::Corrupt("a sealed value's nonce".into()))?;
        let plain = self
            .key
            .open_in_place(
                nonce,
                Aad::from(Sealer::aad(kind, flight, row_key).as_bytes()),
                &mut sealed,
            )
            .map_err(|_| {
                StoreError::Corrupt(format!(
                    "a sealed {} of flight {flight} does not open under this unit's sealing key",
                    kind.as_str()
                ))
            })?
            .len();
        sealed.truncate(plain);
        Ok(sealed)
    }
}

fn json<T: Serialize>(value: &T) -> Result<Vec<u8>, StoreError> {
    serde_json::to_vec(value).map_err(|e| StoreError::Corrupt(format!("sealing: {e}")))
}

impl Tx {
    /// Seals one original.
    async fn put_sealed(
        &mut self,
        sealer: &Sealer,
        kind: SealedKind,
        flight: i64,
        row_key: &str,
        plain: &[u8],
        at: &str,
    ) -> Result<(), StoreError> {
        let (nonce, payload) = sealer.seal(kind, flight, row_key, plain)?;
        on!(self.conn()?, |db| sqlx::query(
            "INSERT INTO sealed (flight_id, kind, row_key, format, nonce, payload, sealed_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (kind, row_key, flight_id) DO UPDATE SET format = excluded.format, \
             nonce = excluded.nonce, payload = excluded.payload, sealed_at = excluded.sealed_at"
        )
        .bind(flight)
        .bind(kind.as_str())
        .bind(row_key)
        .bind(FORMAT)
        .bind(&nonce[..])
        .bind(&payload)
        .bind(at)
        .execute(db)
        .await
        .map(|_| ()))?;
        Ok(())
    }
}

/// A sealed row as stored.
#[derive(sqlx::FromRow)]
struct SealedRow {
    format: i64,
    nonce: Vec<u8>,
    payload: Vec<u8>,
}

/// A flight `f` due for masking: not masked since its last change, and a message about it
/// received before `$1`.
const DUE: &str = "(f.masked_at IS NULL OR f.masked_at < f.updated_at) \
     AND EXISTS (SELECT 1 FROM message_flights mf JOIN messages ms ON ms.id = mf.message_id \
                 WHERE mf.flight_id = f.id AND ms.received_at < $1)";

impl Store {
    /// Flights with rows past the depersonalisation period not masked since their last change:
    /// a message about them received before `before`. After `after`, at most `limit`.
    pub async fn flights_to_mask(
        &self,
        before: &str,
        after: i64,
        limit: i64,
    ) -> Result<Vec<i64>, StoreError> {
        Ok(on!(self.reader(), |db| sqlx::query_scalar(
            sqlx::AssertSqlSafe(format!(
                "SELECT f.id FROM flights f WHERE f.id > $2 AND {DUE} ORDER BY f.id LIMIT $3"
            ))
        )
        .bind(before)
        .bind(after)
        .bind(limit)
        .fetch_all(db)
        .await)?)
    }

    /// Marks masked, at once, the flights due whose rows are all masked or gone (most of
    /// them, once the unlinked data went at the same age); how many.
    pub async fn mark_nothing_to_mask(
        &self,
        before: &str,
        mode: crate::Mode,
    ) -> Result<u64, StoreError> {
        let mut tx = self.begin().await?;
        let n = on!(tx.conn()?, |db| sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE flights SET masked_at = updated_at WHERE id IN (SELECT f.id FROM flights f \
             WHERE {DUE} \
             AND NOT EXISTS (SELECT 1 FROM manifest m \
                             WHERE m.flight_id = f.id AND m.masked_at IS NULL) \
             AND NOT EXISTS (SELECT 1 FROM pnr_versions v \
                             WHERE v.flight_id = f.id AND v.masked_at IS NULL) \
             AND NOT EXISTS (SELECT 1 FROM pnr_travellers t \
                             WHERE t.flight_id = f.id AND t.masked_at IS NULL) \
             AND NOT EXISTS (SELECT 1 FROM hits h \
                             WHERE h.flight_id = f.id AND h.masked_at IS NULL) \
             AND NOT EXISTS (SELECT 1 FROM targeting_hits h \
                             WHERE h.flight_id = f.id AND h.masked_at IS NULL) \
             AND NOT EXISTS (SELECT 1 FROM message_flights mb JOIN message_bodies b \
                             ON b.message_id = mb.message_id WHERE mb.flight_id = f.id))"
        )))
        .bind(before)
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
        tx.end(mode).await?;
        Ok(n)
    }

    /// What a masking run now would mask (a dry run counts rather than seal): the rows not
    /// masked of the flights due.
    pub async fn count_to_mask(&self, before: &str) -> Result<Masked, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Counts {
            api_persons: i64,
            pnr_travellers: i64,
            pnr_versions: i64,
            hits: i64,
            targeting_hits: i64,
            bodies: i64,
            flights: i64,
        }
        let c = on!(self.reader(), |db| sqlx::query_as::<_, Counts>(
            sqlx::AssertSqlSafe(format!(
                "WITH due AS (SELECT f.id FROM flights f WHERE {DUE}) \
             SELECT \
             (SELECT COUNT(*) FROM manifest WHERE masked_at IS NULL \
                 AND flight_id IN (SELECT id FROM due)) AS api_persons, \
             (SELECT COUNT(*) FROM pnr_travellers WHERE masked_at IS NULL \
                 AND flight_id IN (SELECT id FROM due)) AS pnr_travellers, \
             (SELECT COUNT(*) FROM pnr_versions WHERE masked_at IS NULL \
                 AND flight_id IN (SELECT id FROM due)) AS pnr_versions, \
             (SELECT COUNT(*) FROM hits WHERE masked_at IS NULL \
                 AND flight_id IN (SELECT id FROM due)) AS hits, \
             (SELECT COUNT(*) FROM targeting_hits WHERE masked_at IS NULL \
                 AND flight_id IN (SELECT id FROM due)) AS targeting_hits, \
             (SELECT COUNT(DISTINCT b.message_id) FROM message_bodies b JOIN message_flights mf \
                 ON mf.message_id = b.message_id WHERE mf.flight_id IN (SELECT id FROM due)) \
                 AS bodies, \
             (SELECT COUNT(*) FROM due) AS flights"
            ))
        )
        .bind(before)
        .fetch_one(db)
        .await)?;
        // Counts are never negative.
        let n = i64::unsigned_abs;
        Ok(Masked {
            api_persons: n(c.api_persons),
            pnr_travellers: n(c.pnr_travellers),
            pnr_versions: n(c.pnr_versions),
            hits: n(c.hits),
            targeting_hits: n(c.targeting_hits),
            bodies: n(c.bodies),
            flights: n(c.flights),
        })
    }

    /// What of a flight is not masked yet, for the caller to mask.
    pub async fn to_mask(&self, flight: i64) -> Result<ToMask, StoreError> {
        let db = self.reader();
        let updated_at: Option<String> = on!(db, |db| sqlx::query_scalar(
            "SELECT updated_at FROM flights WHERE id = $1"
        )
        .bind(flight)
        .fetch_optional(db)
        .await)?;
        let Some(updated_at) = updated_at else {
            return Ok(ToMask::default());
        };
        #[derive(sqlx::FromRow)]
        struct Version {
            id: i64,
            format: i64,
            booking: Packed,
        }
        let versions = on!(db, |db| sqlx::query_as::<_, Version>(
            "SELECT id, format, booking FROM pnr_versions \
             WHERE flight_id = $1 AND masked_at IS NULL ORDER BY id"
        )
        .bind(flight)
        .fetch_all(db)
        .await)?
        .into_iter()
        .map(|v| Ok((v.id, v.format, v.booking.text()?)))
        .collect::<Result<Vec<_>, StoreError>>()?;
        #[derive(sqlx::FromRow)]
        struct Explained {
            id: i64,
            #[sqlx(try_from = "crate::columns::Json")]
            explanation: serde_json::Value,
        }
        let hits = on!(db, |db| sqlx::query_as::<_, Explained>(
            "SELECT id, explanation FROM hits WHERE flight_id = $1 AND masked_at IS NULL \
             ORDER BY id"
        )
        .bind(flight)
        .fetch_all(db)
        .await)?;
        let targeting_hits = on!(db, |db| sqlx::query_as::<_, Explained>(
            "SELECT id, explanation FROM targeting_hits WHERE flight_id = $1 \
             AND masked_at IS NULL ORDER BY id"
        )
        .bind(flight)
        .fetch_all(db)
        .await)?;
        Ok(ToMask {
            updated_at,
            versions,
            hits: hits.into_iter().map(|h| (h.id, h.explanation)).collect(),
            targeting_hits: targeting_hits
                .into_iter()
                .map(|h| (h.id, h.explanation))
                .collect(),
        })
    }

    /// Masks a flight in one transaction: its API persons and PNR traveller rows (the store's
    /// own columns), the booking versions and hit explanations as `mask` gives them, and the
    /// bytes of its messages; every original sealed first. Rows already masked, and rows that
    /// arrived after [`Store::to_mask`] read the flight, are left (the flight stays due).
    pub async fn mask_flight(
        &self,
        mask: &FlightMask,
        at: jiff::Timestamp,
        mode: crate::Mode,
    ) -> Result<Masked, StoreError> {
        let at = at.to_string();
        let flight = mask.flight_id;
        let sealer = self.sealer();
        let mut tx = self.begin().await?;
        let mut masked = Masked::default();

        let persons = on!(tx.conn()?, |db| {
            sqlx::query_as::<_, SealedPerson>(
            "SELECT id, surname, given_names, sex, date_of_birth, nationality, document_number, \
             document_state, identity, person_key FROM manifest \
             WHERE flight_id = $1 AND masked_at IS NULL ORDER BY id"
        )
        .bind(flight)
        .fetch_all(db)
        .await
        })?;
        let nobody = serde_json::to_string(&Identity::default())
            .map_err(|e| StoreError::Corrupt(format!("masking: {e}")))?;
        for p in &persons {
            let key = p.id.to_string();
            tx.put_sealed(sealer, SealedKind::Person, flight, &key, &json(p)?, &at)
                .await?;
            masked.api_persons += on!(tx.conn()?, |db| sqlx::query(
                "UPDATE manifest SET surname = '', given_names = '', sex = NULL, \
                 date_of_birth = NULL, nationality = NULL, document_number = NULL, \
                 document_state = NULL, identity = $1, person_key = NULL, masked_at = $2 \
                 WHERE id = $3 AND masked_at IS NULL"
            )
            .bind(&nobody)
            .bind(&at)
            .bind(p.id)
            .execute(db)
            .await
            .map(|r| r.rows_affected()))?;
        }

        let travellers = on!(tx.conn()?, |db| sqlx::query_as::<_, SealedPnrTraveller>(
            "SELECT locator, reference, surname, given_name, birth_dates, documents \
             FROM pnr_travellers WHERE flight_id = $1 AND masked_at IS NULL \
             ORDER BY locator, reference"
        )
        .bind(flight)
        .fetch_all(db)
        .await)?;
        for t in &travellers {
            let key = format!("{}/{}", t.locator, t.reference);
            tx.put_sealed(
                sealer,
                SealedKind::PnrTraveller,
                flight,
                &key,
                &json(t)?,
                &at,
            )
            .await?;
            masked.pnr_travellers += on!(tx.conn()?, |db| sqlx::query(
                "UPDATE pnr_travellers SET surname = '', given_name = '', birth_dates = '', \
                 documents = '', masked_at = $1 \
                 WHERE flight_id = $2 AND locator = $3 AND reference = $4 AND masked_at IS NULL"
            )
            .bind(&at)
            .bind(flight)
            .bind(&t.locator)
            .bind(&t.reference)
            .execute(db)
            .await
            .map(|r| r.rows_affected()))?;
        }

        for (id, format, booking) in &mask.versions {
            #[derive(sqlx::FromRow)]
            struct Original {
                format: i64,
                booking: Packed,
            }
            let original = on!(tx.conn()?, |db| sqlx::query_as::<_, Original>(
                "SELECT format, booking FROM pnr_versions \
                 WHERE id = $1 AND flight_id = $2 AND masked_at IS NULL"
            )
            .bind(id)
            .bind(flight)
            .fetch_optional(db)
            .await)?;
            let Some(original) = original else { continue };
            let sealed = SealedBookingVersion {
                format: original.format,
                booking: original.booking.text()?,
            };
            tx.put_sealed(
                sealer,
                SealedKind::BookingVersion,
                flight,
                &id.to_string(),
                &json(&sealed)?,
                &at,
            )
            .await?;
            masked.pnr_versions += on!(tx.conn()?, |db| {
                sqlx::query(
                "UPDATE pnr_versions SET booking = $1, format = $2, masked_at = $3 WHERE id = $4"
            )
            .bind(pack(booking.as_bytes()))
            .bind(format)
            .bind(&at)
            .bind(id)
            .execute(db)
            .await
            .map(|r| r.rows_affected())
            })?;
        }

        for (kind, rows) in [
            (SealedKind::Hit, &mask.hits),
            (SealedKind::TargetingHit, &mask.targeting_hits),
        ] {
            let (select, update): (&'static str, &'static str) = match kind {
                SealedKind::Hit => (
                    "SELECT explanation, note FROM hits \
                     WHERE id = $1 AND flight_id = $2 AND masked_at IS NULL",
                    "UPDATE hits SET explanation = $1, note = NULL, masked_at = $2 WHERE id = $3",
                ),
                _ => (
                    "SELECT explanation, note FROM targeting_hits \
                     WHERE id = $1 AND flight_id = $2 AND masked_at IS NULL",
                    "UPDATE targeting_hits SET explanation = $1, note = NULL, masked_at = $2 \
                     WHERE id = $3",
                ),
            };
            #[derive(sqlx::FromRow)]
            struct Original {
                #[sqlx(try_from = "crate::columns::Json")]
                explanation: serde_json::Value,
                note: Option<String>,
            }
            for (id, explanation) in rows {
                let original = on!(tx.conn()?, |db| sqlx::query_as::<_, Original>(select)
                    .bind(id)
                    .bind(flight)
                    .fetch_optional(db)
                    .await)?;
                let Some(original) = original else { continue };
                let sealed = SealedExplanation {
                    explanation: original.explanation,
                    note: original.note,
                };
                tx.put_sealed(sealer, kind, flight, &id.to_string(), &json(&sealed)?, &at)
                    .await?;
                let text = serde_json::to_string(explanation)
                    .map_err(|e| StoreError::Corrupt(format!("masking: {e}")))?;
                let n = on!(tx.conn()?, |db| sqlx::query(update)
                    .bind(&text)
                    .bind(&at)
                    .bind(id)
                    .execute(db)
                    .await
                    .map(|r| r.rows_affected()))?;
                match kind {
                    SealedKind::Hit => masked.hits += n,
                    _ => masked.targeting_hits += n,
                }
            }
        }

        #[derive(sqlx::FromRow)]
        struct Body {
            message_id: i64,
            body: Packed,
        }
        let bodies = on!(tx.conn()?, |db| sqlx::query_as::<_, Body>(
            "SELECT b.message_id, b.body FROM message_bodies b \
             JOIN message_flights mf ON mf.message_id = b.message_id \
             WHERE mf.flight_id = $1 ORDER BY b.message_id"
        )
        .bind(flight)
        .fetch_all(db)
        .await)?;
        for b in &bodies {
            tx.put_sealed(
                sealer,
                SealedKind::Body,
                flight,
                &b.message_id.to_string(),
                &b.body.bytes()?,
                &at,
            )
            .await?;
            masked.bodies += tx
                .execute_for(
                    "DELETE FROM message_bodies WHERE message_id = $1",
                    b.message_id,
                )
                .await?;
        }

        // Masked up to the change read; a change since leaves it due.
        let unmasked_left: bool = on!(tx.conn()?, |db| {
            sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM pnr_versions WHERE flight_id = $1 AND masked_at IS NULL) \
             OR EXISTS (SELECT 1 FROM hits WHERE flight_id = $1 AND masked_at IS NULL) \
             OR EXISTS (SELECT 1 FROM targeting_hits WHERE flight_id = $1 AND masked_at IS NULL)"
        )
        .bind(flight)
        .fetch_one(db)
        .await
        })?;
        if !unmasked_left {
            masked.flights += on!(tx.conn()?, |db| sqlx::query(
                "UPDATE flights SET masked_at = $1 WHERE id = $2"
            )
            .bind(&mask.updated_at)
            .bind(flight)
            .execute(db)
            .await
            .map(|r| r.rows_affected()))?;
        }
        tx.end(mode).await?;
        Ok(masked)
    }

    /// The original of a masked row, opened: for a disclosure approved under Art. 12(3) only
    /// (the caller checks the approval and records it). `None` when nothing is sealed there.
    pub async fn unseal(
        &self,
        kind: SealedKind,
        flight: i64,
        row_key: &str,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let row = on!(self.reader(), |db| sqlx::query_as::<_, SealedRow>(
            "SELECT format, nonce, payload FROM sealed \
             WHERE kind = $1 AND row_key = $2 AND flight_id = $3"
        )
        .bind(kind.as_str())
        .bind(row_key)
        .bind(flight)
        .fetch_optional(db)
        .await)?;
        let Some(row) = row else { return Ok(None) };
        if row.format != FORMAT {
            return Err(StoreError::Corrupt(format!(
                "a sealed {} in format {} (this version reads {FORMAT})",
                kind.as_str(),
                row.format
            )));
        }
        self.sealer()
            .open(kind, flight, row_key, &row.nonce, row.payload)
            .map(Some)
    }

    /// The ids of a booking's versions on a flight, oldest first.
    pub async fn booking_version_ids(
        &self,
        flight: i64,
        locator: &str,
    ) -> Result<Vec<i64>, StoreError> {
        Ok(on!(self.reader(), |db| sqlx::query_scalar(
            "SELECT id FROM pnr_versions WHERE flight_id = $1 AND locator = $2 ORDER BY version"
        )
        .bind(flight)
        .bind(locator)
        .fetch_all(db)
        .await)?)
    }

    /// An API person's sealed original.
    pub async fn unseal_person(
        &self,
        flight: i64,
        manifest_id: i64,
    ) -> Result<Option<SealedPerson>, StoreError> {
        self.unseal(SealedKind::Person, flight, &manifest_id.to_string())
            .await?
            .map(|bytes| {
                let mut p: SealedPerson = serde_json::from_slice(&bytes)
                    .map_err(|e| StoreError::Corrupt(format!("a sealed person: {e}")))?;
                p.id = manifest_id;
                Ok(p)
            })
            .transpose()
    }

    /// A booking version's sealed original.
    pub async fn unseal_booking_version(
        &self,
        flight: i64,
        version_id: i64,
    ) -> Result<Option<SealedBookingVersion>, StoreError> {
        self.unseal(SealedKind::BookingVersion, flight, &version_id.to_string())
            .await?
            .map(|bytes| {
                serde_json::from_slice(&bytes)
                    .map_err(|e| StoreError::Corrupt(format!("a sealed booking version: {e}")))
            })
            .transpose()
    }

    /// A screening or targeting hit's sealed original explanation and note.
    pub async fn unseal_explanation(
        &self,
        kind: SealedKind,
        flight: i64,
        hit: i64,
    ) -> Result<Option<SealedExplanation>, StoreError> {
        self.unseal(kind, flight, &hit.to_string())
            .await?
            .map(|bytes| {
                serde_json::from_slice(&bytes)
                    .map_err(|e| StoreError::Corrupt(format!("a sealed explanation: {e}")))
            })
            .transpose()
    }

    /// How many originals are sealed, by kind (for the DPO's page).
    pub async fn sealed_counts(&self) -> Result<Vec<(String, i64)>, StoreError> {
        Ok(on!(self.reader(), |db| {
            sqlx::query_as::<_, (String, i64)>(
                "SELECT kind, COUNT(*) FROM sealed GROUP BY kind ORDER BY kind",
            )
            .fetch_all(db)
            .await
        })?)
    }
}
