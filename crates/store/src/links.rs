//! Links between API persons and PNR travellers of the same flight, with their explanation,
//! and the narrow rows linking reads.

use serde::Serialize;
use sqlx::Row;

use crate::{Store, StoreError, Tx};

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

/// What linking needs of a manifest person with a booking locator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkPerson {
    pub manifest_id: i64,
    pub locator: String,
    pub surname: String,
    /// Given names as stored, space-separated.
    pub given_names: String,
    pub date_of_birth: Option<String>,
    pub document_number: Option<String>,
}

/// What linking needs of a PNR traveller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PnrTraveller {
    pub locator: String,
    pub reference: String,
    pub surname: String,
    /// Given names as sent, title left out.
    pub given_name: String,
    pub birth_dates: Vec<String>,
    pub documents: Vec<String>,
}

impl Tx {
    /// Replaces the travellers of the given bookings (their latest versions).
    pub(crate) async fn put_pnr_travellers(
        &mut self,
        flight: i64,
        bookings: &[&crate::NewBooking],
    ) -> Result<(), StoreError> {
        for chunk in bookings.chunks(300) {
            let mut q = sqlx::QueryBuilder::new("DELETE FROM pnr_travellers WHERE flight_id = ");
            q.push_bind(flight).push(" AND locator IN (");
            let mut list = q.separated(", ");
            for b in chunk {
                list.push_bind(&b.locator);
            }
            list.push_unseparated(")");
            q.build().execute(self.conn()?).await?;
        }
        let rows: Vec<&PnrTraveller> = bookings.iter().flat_map(|b| &b.travellers).collect();
        for chunk in rows.chunks(120) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT OR REPLACE INTO pnr_travellers (flight_id, locator, reference, surname, given_name, birth_dates, documents) ",
            );
            q.push_values(chunk, |mut b, t| {
                b.push_bind(flight)
                    .push_bind(&t.locator)
                    .push_bind(&t.reference)
                    .push_bind(&t.surname)
                    .push_bind(&t.given_name)
                    .push_bind(t.birth_dates.join(" "))
                    .push_bind(t.documents.join(" "));
            });
            q.build().execute(self.conn()?).await?;
        }
        Ok(())
    }

    /// The manifest persons of a flight with a booking locator (all of them, or those of the
    /// given locators).
    pub async fn link_persons(
        &mut self,
        flight: i64,
        locators: Option<&[String]>,
    ) -> Result<Vec<LinkPerson>, StoreError> {
        let mut q = sqlx::QueryBuilder::new(
            "SELECT id, booking, surname, given_names, date_of_birth, document_number FROM manifest
             WHERE booking IS NOT NULL AND flight_id = ",
        );
        q.push_bind(flight);
        if let Some(locators) = locators {
            if locators.is_empty() {
                return Ok(Vec::new());
            }
            q.push(" AND booking IN (");
            let mut list = q.separated(", ");
            for l in locators {
                list.push_bind(l);
            }
            list.push_unseparated(")");
        }
        let rows = q.build().fetch_all(self.conn()?).await?;
        rows.iter()
            .map(|r| {
                Ok(LinkPerson {
                    manifest_id: r.try_get(0)?,
                    locator: r.try_get(1)?,
                    surname: r.try_get(2)?,
                    given_names: r.try_get(3)?,
                    date_of_birth: r.try_get(4)?,
                    document_number: r.try_get(5)?,
                })
            })
            .collect()
    }

    /// The PNR travellers of a flight (latest versions of its bookings).
    pub async fn pnr_travellers(&mut self, flight: i64) -> Result<Vec<PnrTraveller>, StoreError> {
        let rows = sqlx::query(
            "SELECT locator, reference, surname, given_name, birth_dates, documents FROM pnr_travellers
             WHERE flight_id = ? ORDER BY locator, reference",
        )
        .bind(flight)
        .fetch_all(self.conn()?)
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(PnrTraveller {
                    locator: r.try_get(0)?,
                    reference: r.try_get(1)?,
                    surname: r.try_get(2)?,
                    given_name: r.try_get(3)?,
                    birth_dates: words(&r.try_get::<String, _>(4)?),
                    documents: words(&r.try_get::<String, _>(5)?),
                })
            })
            .collect()
    }

    /// Replaces the links of the given manifest rows: those in `considered` lose any link not in
    /// `links` (their booking or its travellers changed).
    pub async fn put_links(
        &mut self,
        considered: &[i64],
        links: &[Link],
    ) -> Result<(), StoreError> {
        for chunk in considered.chunks(500) {
            let mut q = sqlx::QueryBuilder::new("DELETE FROM links WHERE manifest_id IN (");
            let mut list = q.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            list.push_unseparated(")");
            q.build().execute(self.conn()?).await?;
        }
        let agreed: Vec<String> = links
            .iter()
            .map(|l| {
                serde_json::to_string(&l.agreed).map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .collect::<Result<_, _>>()?;
        let rows: Vec<(&Link, &String)> = links.iter().zip(&agreed).collect();
        for chunk in rows.chunks(200) {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT OR REPLACE INTO links (manifest_id, locator, traveller, agreed) ",
            );
            q.push_values(chunk, |mut b, (l, agreed)| {
                b.push_bind(l.manifest_id)
                    .push_bind(&l.locator)
                    .push_bind(&l.traveller)
                    .push_bind(*agreed);
            });
            q.build().execute(self.conn()?).await?;
        }
        Ok(())
    }
}

impl Store {
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

/// The space-separated words of a stored list column (birth dates, document numbers).
pub(crate) fn words(s: &str) -> Vec<String> {
    s.split(' ')
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}
