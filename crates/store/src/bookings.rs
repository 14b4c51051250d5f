//! PNR versions: each push of a booking kept as its own version, never edited in place.

use std::collections::HashMap;

use serde::Serialize;

use crate::packing::Packed;

use crate::{PnrTraveller, Store, StoreError, Tx, now};

/// A stored version of a booking.
#[derive(Debug, Clone, Serialize)]
pub struct BookingVersion {
    pub id: i64,
    pub locator: String,
    pub version: i64,
    pub message_id: i64,
    pub received_at: String,
    pub travellers: i64,
    /// The format of `booking` (`pnrgov::stored` reads it).
    pub format: i64,
    /// The booking's JSON as stored; read it with `pnrgov::stored::read(format, …)`.
    #[serde(skip)]
    pub booking: String,
}

/// A booking of a push, ready to keep: its JSON (after the legal filters) and its travellers'
/// identifying fields for linking.
#[derive(Debug, Clone)]
pub struct NewBooking {
    pub locator: String,
    pub json: String,
    /// The format of `json` (`pnrgov::stored::FORMAT`).
    pub format: i64,
    /// What decides whether the booking changed since its last version (the caller's hash of
    /// its content; the JSON may differ in what does not count, such as segment positions).
    pub content_hash: String,
    pub travellers: Vec<PnrTraveller>,
}

impl Tx {
    /// Keeps a new version of each booking of one push whose content changed since the
    /// booking's last version; returns the version numbers (the unchanged ones keep theirs) and
    /// the locators that changed.
    pub async fn put_booking_versions(
        &mut self,
        flight: i64,
        message: i64,
        bookings: &[NewBooking],
    ) -> Result<(Vec<i64>, Vec<String>), StoreError> {
        #[derive(sqlx::FromRow)]
        struct Latest {
            locator: String,
            version: i64,
            hash: String,
        }
        let latest: HashMap<String, (i64, String)> = on!(self.conn()?, |db| sqlx::query_as::<_, Latest>(
            "SELECT v.locator, v.version, v.hash FROM pnr_versions v WHERE v.flight_id = $1
             AND v.version = (SELECT MAX(version) FROM pnr_versions w WHERE w.flight_id = $1 AND w.locator = v.locator)",
        )
        .bind(flight)
        .fetch_all(db)
.await)?
        .into_iter()
        .map(|l| (l.locator, (l.version, l.hash)))
        .collect();
        let at = now();
        let mut versions = Vec::with_capacity(bookings.len());
        let mut rows: Vec<(&NewBooking, i64, String)> = Vec::new();
        for b in bookings {
            let hash = b.content_hash.clone();
            match latest.get(&b.locator) {
                Some((version, h)) if *h == hash => versions.push(*version),
                Some((version, _)) => {
                    versions.push(version + 1);
                    rows.push((b, version + 1, hash));
                }
                None => {
                    versions.push(1);
                    rows.push((b, 1, hash));
                }
            }
        }
        // Several rows per statement: a round trip to SQLite's thread per booking would cost
        // more than the insert.
        for chunk in rows.chunks(200) {
            on!(self.conn()?, |db| {
                let mut q = sqlx::QueryBuilder::<Db>::new(
                    "INSERT INTO pnr_versions (flight_id, locator, version, message_id, received_at, travellers, booking, hash, format) ",
                );
                q.push_values(chunk, |mut b, (booking, version, hash)| {
                    b.push_bind(flight)
                        .push_bind(&booking.locator)
                        .push_bind(*version)
                        .push_bind(message)
                        .push_bind(&at)
                        .push_bind(booking.travellers.len() as i64)
                        .push_bind(crate::packing::pack(booking.json.as_bytes()))
                        .push_bind(hash)
                        .push_bind(booking.format);
                });
                q.build().execute(db).await.map(|r| r.rows_affected())
            })?;
        }
        let changed: Vec<&NewBooking> = rows.iter().map(|(b, _, _)| *b).collect();
        self.put_pnr_travellers(flight, &changed).await?;
        Ok((
            versions,
            changed.iter().map(|b| b.locator.clone()).collect(),
        ))
    }
}

/// A `pnr_versions` row as selected by [`VERSION_COLUMNS`].
#[derive(sqlx::FromRow)]
struct VersionRow {
    id: i64,
    locator: String,
    version: i64,
    message_id: i64,
    received_at: String,
    travellers: i64,
    format: i64,
    booking: Packed,
}

const VERSION_COLUMNS: &str =
    "v.id, v.locator, v.version, v.message_id, v.received_at, v.travellers, v.format, v.booking";

impl VersionRow {
    fn into_version(self) -> Result<BookingVersion, StoreError> {
        Ok(BookingVersion {
            id: self.id,
            locator: self.locator,
            version: self.version,
            message_id: self.message_id,
            received_at: self.received_at,
            travellers: self.travellers,
            format: self.format,
            booking: self.booking.text()?,
        })
    }
}

impl Store {
    /// The latest version of every booking on a flight.
    pub async fn bookings(&self, flight: i64) -> Result<Vec<BookingVersion>, StoreError> {
        on!(self.reader(), |db| sqlx::query_as::<_, VersionRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {VERSION_COLUMNS} FROM pnr_versions v
             WHERE v.flight_id = $1 AND v.version = (SELECT MAX(version) FROM pnr_versions w WHERE w.flight_id = $1 AND w.locator = v.locator)
             ORDER BY v.locator"
        )))
        .bind(flight)
        .fetch_all(db)
.await)?
        .into_iter()
        .map(VersionRow::into_version)
        .collect()
    }

    /// How many bookings a flight has (any version).
    pub async fn booking_count(&self, flight: i64) -> Result<i64, StoreError> {
        Ok(on!(self.reader(), |db| sqlx::query_scalar(
            "SELECT COUNT(DISTINCT locator) AS bookings FROM pnr_versions WHERE flight_id = $1",
        )
        .bind(flight)
        .fetch_one(db)
        .await)?)
    }

    /// The latest version of one booking on a flight.
    pub async fn booking(
        &self,
        flight: i64,
        locator: &str,
    ) -> Result<Option<BookingVersion>, StoreError> {
        on!(self.reader(), |db| sqlx::query_as::<_, VersionRow>(
            sqlx::AssertSqlSafe(format!(
                "SELECT {VERSION_COLUMNS} FROM pnr_versions v
             WHERE v.flight_id = $1 AND v.locator = $2 ORDER BY v.version DESC LIMIT 1"
            ))
        )
        .bind(flight)
        .bind(locator)
        .fetch_optional(db)
        .await)?
        .map(VersionRow::into_version)
        .transpose()
    }
}
