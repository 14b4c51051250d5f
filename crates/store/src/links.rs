//! Links between API persons and PNR travellers of the same flight, with their explanation.

use serde::Serialize;
use sqlx::Row;

use crate::{Store, StoreError};

/// A person of a manifest linked to a traveller of a booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Link {
    pub manifest_id: i64,
    pub locator: String,
    /// The traveller's TIF reference in the booking.
    pub traveller: String,
    /// Which fields agreed: `locator`, `surname`, `given_name`, `date_of_birth`, `document`.
    pub agreed: Vec<String>,
}

impl Store {
    /// Replaces the links of the given manifest rows.
    pub async fn put_links(&self, links: &[Link]) -> Result<(), StoreError> {
        let mut tx = self.write().await?;
        for l in links {
            sqlx::query(
                "INSERT INTO links (manifest_id, locator, traveller, agreed) VALUES (?, ?, ?, ?)
                 ON CONFLICT(manifest_id) DO UPDATE SET locator = excluded.locator,
                 traveller = excluded.traveller, agreed = excluded.agreed",
            )
            .bind(l.manifest_id)
            .bind(&l.locator)
            .bind(&l.traveller)
            .bind(serde_json::to_string(&l.agreed).map_err(|e| StoreError::Corrupt(e.to_string()))?)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The links of a flight's manifest.
    pub async fn links(&self, flight: i64) -> Result<Vec<Link>, StoreError> {
        let rows = sqlx::query(
            "SELECT l.manifest_id, l.locator, l.traveller, l.agreed FROM links l
             JOIN manifest m ON m.id = l.manifest_id WHERE m.flight_id = ? ORDER BY l.manifest_id",
        )
        .bind(flight)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let agreed: String = r.try_get(3)?;
                Ok(Link {
                    manifest_id: r.try_get(0)?,
                    locator: r.try_get(1)?,
                    traveller: r.try_get(2)?,
                    agreed: serde_json::from_str(&agreed)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                })
            })
            .collect()
    }
}
