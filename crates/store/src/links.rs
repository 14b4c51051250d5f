//! Links between API persons and PNR travellers of the same flight, with their explanation,
//! and the narrow rows linking reads.

use serde::Serialize;

use crate::columns::Json;
use crate::{Store, StoreError, Tx};

/// A person of a manifest linked to a traveller of a booking.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct Link {
    pub manifest_id: i64,
    pub locator: String,
    /// The traveller's TIF reference in the booking.
    pub traveller: String,
    /// Which fields agreed: `locator`, `surname`, `given_name`, `date_of_birth`, `document`.
    #[sqlx(try_from = "Json<Vec<String>>")]
    pub agreed: Vec<String>,
}

impl From<Json<Vec<String>>> for Vec<String> {
    fn from(j: Json<Vec<String>>) -> Vec<String> {
        j.0
    }
}

/// What linking needs of a manifest person with a booking locator.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
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

/// A `pnr_travellers` row as stored: the lists as space-separated words.
#[derive(sqlx::FromRow)]
pub(crate) struct TravellerColumns {
    locator: String,
    reference: String,
    surname: String,
    given_name: String,
    birth_dates: String,
    documents: String,
}

impl From<TravellerColumns> for PnrTraveller {
    fn from(t: TravellerColumns) -> PnrTraveller {
        PnrTraveller {
            locator: t.locator,
            reference: t.reference,
            surname: t.surname,
            given_name: t.given_name,
            birth_dates: words(&t.birth_dates),
            documents: words(&t.documents),
        }
    }
}

impl Tx {
    /// Replaces the travellers of the given bookings (their latest versions).
    pub(crate) async fn put_pnr_travellers(
        &mut self,
        flight: i64,
        bookings: &[&crate::NewBooking],
    ) -> Result<(), StoreError> {
        for chunk in bookings.chunks(300) {
            on!(self.conn()?, |db| {
                let mut q =
                    sqlx::QueryBuilder::<Db>::new("DELETE FROM pnr_travellers WHERE flight_id = ");
                q.push_bind(flight).push(" AND locator IN (");
                let mut list = q.separated(", ");
                for b in chunk {
                    list.push_bind(&b.locator);
                }
                list.push_unseparated(")");
                q.build().execute(db).await.map(|r| r.rows_affected())
            })?;
        }
        // One row per traveller (a booking naming a reference twice keeps the last), as one
        // statement may not write a key twice on PostgreSQL.
        let mut rows: Vec<&PnrTraveller> = Vec::new();
        let mut at: std::collections::HashMap<(&str, &str), usize> =
            std::collections::HashMap::new();
        for t in bookings.iter().flat_map(|b| &b.travellers) {
            match at.get(&(t.locator.as_str(), t.reference.as_str())) {
                Some(&i) => {
                    if let Some(slot) = rows.get_mut(i) {
                        *slot = t;
                    }
                }
                None => {
                    at.insert((&t.locator, &t.reference), rows.len());
                    rows.push(t);
                }
            }
        }
        for chunk in rows.chunks(120) {
            on!(self.conn()?, |db| {
                let mut q = sqlx::QueryBuilder::<Db>::new(
                    "INSERT INTO pnr_travellers (flight_id, locator, reference, surname, given_name, birth_dates, documents) ",
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
                q.push(
                " ON CONFLICT (flight_id, locator, reference) DO UPDATE SET surname = excluded.surname, \
                 given_name = excluded.given_name, birth_dates = excluded.birth_dates, documents = excluded.documents, \
                 masked_at = NULL",
            );
                q.build().execute(db).await.map(|r| r.rows_affected())
            })?;
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
        if locators.is_some_and(|l| l.is_empty()) {
            return Ok(Vec::new());
        }
        Ok(on!(self.conn()?, |db| {
            let mut q = sqlx::QueryBuilder::<Db>::new(
            "SELECT id AS manifest_id, booking AS locator, surname, given_names, date_of_birth, document_number FROM manifest
             WHERE booking IS NOT NULL AND flight_id = ",
        );
            q.push_bind(flight);
            if let Some(locators) = locators {
                q.push(" AND booking IN (");
                let mut list = q.separated(", ");
                for l in locators {
                    list.push_bind(l);
                }
                list.push_unseparated(")");
            }
            q.build_query_as().fetch_all(db).await
        })?)
    }

    /// The PNR travellers of a flight (latest versions of its bookings).
    pub async fn pnr_travellers(&mut self, flight: i64) -> Result<Vec<PnrTraveller>, StoreError> {
        let rows = on!(self.conn()?, |db| {
            sqlx::query_as::<_, TravellerColumns>(
            "SELECT locator, reference, surname, given_name, birth_dates, documents FROM pnr_travellers
             WHERE flight_id = $1 ORDER BY locator, reference",
        )
        .bind(flight)
        .fetch_all(db)
.await
        })?;
        Ok(rows.into_iter().map(PnrTraveller::from).collect())
    }

    /// Replaces the links of the given manifest rows: those in `considered` lose any link not in
    /// `links` (their booking or its travellers changed).
    pub async fn put_links(
        &mut self,
        considered: &[i64],
        links: &[Link],
    ) -> Result<(), StoreError> {
        for chunk in considered.chunks(500) {
            on!(self.conn()?, |db| {
                let mut q =
                    sqlx::QueryBuilder::<Db>::new("DELETE FROM links WHERE manifest_id IN (");
                let mut list = q.separated(", ");
                for id in chunk {
                    list.push_bind(*id);
                }
                list.push_unseparated(")");
                q.build().execute(db).await.map(|r| r.rows_affected())
            })?;
        }
        let agreed: Vec<String> = links
            .iter()
            .map(|l| {
                serde_json::to_string(&l.agreed).map_err(|e| StoreError::Corrupt(e.to_string()))
            })
            .collect::<Result<_, _>>()?;
        // One row per manifest person (the last link given wins), as one statement may not
        // write a key twice on PostgreSQL.
        let mut rows: Vec<(&Link, &String)> = Vec::new();
        let mut at: std::collections::HashMap<i64, usize> = std::collections::HashMap::new();
        for pair in links.iter().zip(&agreed) {
            match at.get(&pair.0.manifest_id) {
                Some(&i) => {
                    if let Some(slot) = rows.get_mut(i) {
                        *slot = pair;
                    }
                }
                None => {
                    at.insert(pair.0.manifest_id, rows.len());
                    rows.push(pair);
                }
            }
        }
        for chunk in rows.chunks(200) {
            on!(self.conn()?, |db| {
                let mut q = sqlx::QueryBuilder::<Db>::new(
                    "INSERT INTO links (manifest_id, locator, traveller, agreed) ",
                );
                q.push_values(chunk, |mut b, (l, agreed)| {
                    b.push_bind(l.manifest_id)
                        .push_bind(&l.locator)
                        .push_bind(&l.traveller)
                        .push_bind(*agreed);
                });
                q.push(
                    " ON CONFLICT (manifest_id) DO UPDATE SET locator = excluded.locator, \
                 traveller = excluded.traveller, agreed = excluded.agreed",
                );
                q.build().execute(db).await.map(|r| r.rows_affected())
            })?;
        }
        Ok(())
    }
}

impl Store {
    /// The links of a flight's manifest.
    pub async fn links(&self, flight: i64) -> Result<Vec<Link>, StoreError> {
        Ok(on!(self.reader(), |db| sqlx::query_as(
            "SELECT l.manifest_id, l.locator, l.traveller, l.agreed FROM links l
             JOIN manifest m ON m.id = l.manifest_id WHERE m.flight_id = $1 ORDER BY l.manifest_id",
        )
        .bind(flight)
        .fetch_all(db)
        .await)?)
    }
}

/// The space-separated words of a stored list column (birth dates, document numbers).
pub(crate) fn words(s: &str) -> Vec<String> {
    s.split(' ')
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}
