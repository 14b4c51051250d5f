//! Keyed identity values: the person keys that find a traveller on other flights and the
//! fingerprints that remember a reviewed false alarm are HMAC-SHA256 under the unit's
//! `identity.key` (beside the database, never in it), so that a stolen database file cannot be
//! searched by hashing a dictionary of names, birth dates and document numbers.
//!
//! A keyed value reads `k:` and 32 hexadecimal digits. Values written before keys existed
//! (plain person keys, bare SHA-256 fingerprints) are keyed in place the first time a store
//! opens with the key: the keyed form of a value is the HMAC of its old form, so what the
//! intake computes now (the HMAC of the same old form) matches what was kept.
//!
//! Rotation: a new key needs every stored value keyed again from its unkeyed form, which
//! the store does not keep; until a rotation command exists, the key is kept for the unit's
//! life and backed up with `audit.key` and `sealing.key` (see the README).

use std::path::Path;

use ring::hmac;

use crate::StoreError;

/// The identity key's file, beside the database.
pub const KEY_FILE: &str = "identity.key";

/// The prefix of a keyed value.
const KEYED: &str = "k:";

/// The unit's identity key.
#[derive(Clone)]
pub struct IdentityKey {
    key: hmac::Key,
}

impl std::fmt::Debug for IdentityKey {
    // The key is never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("IdentityKey")
    }
}

fn key_error(what: impl std::fmt::Display) -> StoreError {
    StoreError::IdentityKey(what.to_string())
}

impl IdentityKey {
    fn from_bytes(bytes: &[u8; 32]) -> IdentityKey {
        IdentityKey {
            key: hmac::Key::new(hmac::HMAC_SHA256, bytes),
        }
    }

    /// The key from `identity.key` in `dir`, made (mode 0600) when there is none and no keyed
    /// value is stored; a missing key with keyed values stored is refused (a new key would
    /// match none of them).
    pub(crate) async fn beside(
        dir: &Path,
        pool: crate::audit::Pool<'_>,
    ) -> Result<IdentityKey, StoreError> {
        let path = dir.join(KEY_FILE);
        if let Some(key) = crate::keys::read(&path, "identity key").map_err(key_error)? {
            return Ok(IdentityKey::from_bytes(&key));
        }
        let keyed = on!(pool, |db| sqlx::query(
            "SELECT 1 FROM manifest WHERE person_key LIKE 'k:%' \
             UNION ALL SELECT 1 FROM suppressions WHERE fingerprint LIKE 'k:%' LIMIT 1"
        )
        .fetch_optional(db)
        .await
        .map(|r| r.is_some()))?;
        if keyed {
            return Err(key_error(format!(
                "the identity key {} is missing but person keys and remembered false alarms \
                 were keyed with one; restore it from the backup (a new key would match none)",
                path.display()
            )));
        }
        let key = match crate::keys::make(&path).map_err(key_error)? {
            Some(key) => key,
            None => crate::keys::read(&path, "identity key")
                .map_err(key_error)?
                .ok_or_else(|| key_error("the identity key vanished while read"))?,
        };
        Ok(IdentityKey::from_bytes(&key))
    }

    /// A key of its own for a database in memory.
    pub(crate) fn in_memory() -> Result<IdentityKey, StoreError> {
        Ok(IdentityKey::from_bytes(
            &crate::keys::random().map_err(key_error)?,
        ))
    }

    /// The keyed form of `value` (an unkeyed person key or fingerprint); a value keyed
    /// already is returned as it is.
    pub fn keyed(&self, value: &str) -> String {
        if value.starts_with(KEYED) {
            return value.to_string();
        }
        let tag = hmac::sign(&self.key, value.as_bytes());
        let mut out = String::with_capacity(KEYED.len() + 32);
        out.push_str(KEYED);
        for b in tag.as_ref().iter().take(16) {
            out.push_str(&format!("{b:02x}"));
        }
        out
    }
}

/// Rows keyed per statement while upgrading.
const UPGRADE_BATCH: i64 = 2000;

impl crate::Store {
    /// Keys the values stored before keys existed (once; a store keyed throughout finds none).
    pub(crate) async fn key_unkeyed_values(&self) -> Result<u64, StoreError> {
        let mut keyed = 0;
        for (select, update) in [
            (
                "SELECT id, person_key FROM manifest \
                 WHERE person_key IS NOT NULL AND person_key NOT LIKE 'k:%' LIMIT $1",
                "UPDATE manifest SET person_key = $1 WHERE id = $2",
            ),
            (
                "SELECT id, fingerprint FROM hits WHERE fingerprint NOT LIKE 'k:%' LIMIT $1",
                "UPDATE hits SET fingerprint = $1 WHERE id = $2",
            ),
            (
                "SELECT id, fingerprint FROM suppressions WHERE fingerprint NOT LIKE 'k:%' \
                 LIMIT $1",
                "UPDATE suppressions SET fingerprint = $1 WHERE id = $2",
            ),
        ] {
            loop {
                let mut tx = self.begin().await?;
                let rows = on!(tx.conn()?, |db| sqlx::query_as::<_, (i64, String)>(select)
                    .bind(UPGRADE_BATCH)
                    .fetch_all(db)
                    .await)?;
                if rows.is_empty() {
                    tx.rollback().await?;
                    break;
                }
                for (id, value) in &rows {
                    let value = self.identity_key().keyed(value);
                    on!(tx.conn()?, |db| sqlx::query(update)
                        .bind(&value)
                        .bind(id)
                        .execute(db)
                        .await
                        .map(|_| ()))?;
                }
                tx.commit().await?;
                keyed += rows.len() as u64;
            }
        }
        if keyed > 0 {
            tracing::info!(
                keyed,
                "person keys and fingerprints keyed under identity.key"
            );
        }
        Ok(keyed)
    }
}
