//! PNR versions: each push of a booking kept as its own version, never edited in place.

use serde::Serialize;
use sqlx::Row;

use crate::{Store, StoreError, now};

/// A stored version of a booking.
#[derive(Debug, Clone, Serialize)]
pub struct BookingVersion {
    pub id: i64,
    pub locator: String,
    pub version: i64,
    pub message_id: i64,
    pub received_at: String,
    pub travellers: i64,
    pub booking: serde_json::Value,
}

impl Store {
    /// Keeps a new version of the booking `locator` on `flight`; returns its version number.
    pub async fn put_booking_version(
        &self,
        flight: i64,
        locator: &str,
        message: i64,
        travellers: i64,
        booking: &serde_json::Value,
    ) -> Result<i64, StoreError> {
        let versions = self
            .put_booking_versions(flight, message, &[(locator, travellers, booking)])
            .await?;
        Ok(versions.first().copied().unwrap_or(0))
    }

    /// Keeps a new version of each `(locator, travellers, booking)` of one push, in one
    /// transaction; returns the version numbers.
    pub async fn put_booking_versions(
        &self,
        flight: i64,
        message: i64,
        bookings: &[(&str, i64, &serde_json::Value)],
    ) -> Result<Vec<i64>, StoreError> {
        let mut tx = self.pool().begin().await?;
        let at = now();
        let mut versions = Vec::with_capacity(bookings.len());
        for (locator, travellers, booking) in bookings {
            let version: i64 = sqlx::query(
                "SELECT COALESCE(MAX(version), 0) + 1 FROM pnr_versions WHERE flight_id = ? AND locator = ?",
            )
            .bind(flight)
            .bind(locator)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
            sqlx::query(
                "INSERT INTO pnr_versions (flight_id, locator, version, message_id, received_at, travellers, booking)
                 VALUES (?, ?, ?, ?, ?, ?, ?)",
            )
            .bind(flight)
            .bind(locator)
            .bind(version)
            .bind(message)
            .bind(&at)
            .bind(travellers)
            .bind(booking.to_string())
            .execute(&mut *tx)
            .await?;
            versions.push(version);
        }
        tx.commit().await?;
        Ok(versions)
    }

    /// The latest version of every booking on a flight.
    pub async fn bookings(&self, flight: i64) -> Result<Vec<BookingVersion>, StoreError> {
        let rows = sqlx::query(
            "SELECT v.id, v.locator, v.version, v.message_id, v.received_at, v.travellers, v.booking FROM pnr_versions v
             WHERE v.flight_id = ?1 AND v.version = (SELECT MAX(version) FROM pnr_versions w WHERE w.flight_id = ?1 AND w.locator = v.locator)
             ORDER BY v.locator",
        )
        .bind(flight)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let booking: String = r.try_get(6)?;
                Ok(BookingVersion {
                    id: r.try_get(0)?,
                    locator: r.try_get(1)?,
                    version: r.try_get(2)?,
                    message_id: r.try_get(3)?,
                    received_at: r.try_get(4)?,
                    travellers: r.try_get(5)?,
                    booking: serde_json::from_str(&booking)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                })
            })
            .collect()
    }
}
