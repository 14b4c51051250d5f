//! Flights and their manifests: one row per person per flight, moved along by lists, changes and
//! close-outs.

use model::{Capacity, FlightKey, Identity, Status};
use serde::Serialize;
use sqlx::Row;

use crate::{Store, StoreError, Tx, now};

/// A flight as stored.
#[derive(Debug, Clone, Serialize)]
pub struct FlightRow {
    pub id: i64,
    pub key: String,
    pub carrier: String,
    pub number: String,
    pub origin: String,
    pub destination: String,
    pub departure_date: String,
    pub departure_local: Option<String>,
    pub arrival_local: Option<String>,
    pub status: String,
}

/// A person on a manifest as stored.
#[derive(Debug, Clone, Serialize)]
pub struct ManifestRow {
    pub id: i64,
    pub reference: Option<String>,
    pub booking: Option<String>,
    pub role: String,
    pub status: String,
    pub identity: Identity,
    pub first_message: i64,
    pub last_message: i64,
}

/// What a list says about one person.
#[derive(Debug, Clone)]
pub struct PersonUpdate<'a> {
    pub reference: Option<&'a str>,
    pub booking: Option<&'a str>,
    pub role: Capacity,
    pub status: Status,
    pub identity: &'a Identity,
    pub message: i64,
}

fn name(s: Status) -> &'static str {
    match s {
        Status::Reported => "reported",
        Status::Boarded => "boarded",
        Status::NotBoarded => "not_boarded",
        Status::Removed => "removed",
        Status::Cancelled => "cancelled",
    }
}

impl Tx {
    /// The flight of `key`, created when first seen; schedule times filled when given.
    pub async fn flight_id(
        &mut self,
        key: &FlightKey,
        departure_local: Option<&str>,
        arrival_local: Option<&str>,
    ) -> Result<i64, StoreError> {
        let row = sqlx::query(
            "INSERT INTO flights (key, carrier, number, origin, destination, departure_date, departure_local, arrival_local, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
             ON CONFLICT(key) DO UPDATE SET
                 departure_local = COALESCE(excluded.departure_local, flights.departure_local),
                 arrival_local = COALESCE(excluded.arrival_local, flights.arrival_local),
                 updated_at = excluded.updated_at
             RETURNING id",
        )
        .bind(key.to_string())
        .bind(&key.carrier)
        .bind(&key.number)
        .bind(&key.origin)
        .bind(&key.destination)
        .bind(key.date.to_string())
        .bind(departure_local)
        .bind(arrival_local)
        .bind(now())
        .fetch_one(self.conn()?)
        .await?;
        Ok(row.try_get::<i64, _>(0)?)
    }

    /// The flight's status: scheduled, closed or cancelled.
    pub async fn flight_status(&mut self, flight: i64) -> Result<String, StoreError> {
        let row = sqlx::query("SELECT status FROM flights WHERE id = ?")
            .bind(flight)
            .fetch_one(self.conn()?)
            .await?;
        Ok(row.try_get(0)?)
    }

    pub async fn set_flight_status(&mut self, flight: i64, status: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE flights SET status = ?, updated_at = ? WHERE id = ?")
            .bind(status)
            .bind(now())
            .bind(flight)
            .execute(self.conn()?)
            .await?;
        Ok(())
    }

    /// Applies a whole list, many persons per statement: new references are added, known ones
    /// updated (their first message kept). A person without a passenger reference (RFF+ABO) is
    /// matched to the row of the same booking, surname, given names, date of birth and document
    /// number on the flight, so that a change or a re-sent list does not add them twice.
    /// Returns how many were written.
    pub async fn put_persons(
        &mut self,
        flight: i64,
        persons: &[PersonUpdate<'_>],
    ) -> Result<u64, StoreError> {
        let (referenced, unreferenced): (Vec<&PersonUpdate<'_>>, Vec<&PersonUpdate<'_>>) =
            persons.iter().partition(|p| p.reference.is_some());
        let mut written = 0;
        for p in unreferenced {
            let r = PersonRow::of(p)?;
            let known: Option<i64> = sqlx::query(
                "SELECT id FROM manifest WHERE flight_id = ? AND COALESCE(booking, '') = COALESCE(?, '')
                 AND surname = ? AND given_names = ? AND COALESCE(date_of_birth, '') = COALESCE(?, '')
                 AND COALESCE(document_number, '') = COALESCE(?, '') ORDER BY id LIMIT 1",
            )
            .bind(flight)
            .bind(p.booking)
            .bind(&p.identity.surname)
            .bind(&r.given)
            .bind(&r.birth)
            .bind(r.document_number)
            .fetch_optional(self.conn()?)
            .await?
            .map(|row| row.try_get(0))
            .transpose()?;
            written += match known {
                Some(id) => sqlx::query(
                    "UPDATE manifest SET role = ?, sex = ?, nationality = ?, document_state = ?, identity = ?,
                     last_message = ?, person_key = ?,
                     status = CASE WHEN status IN ('reported', 'removed') THEN ? ELSE status END
                     WHERE id = ?",
                )
                .bind(r.role)
                .bind(r.sex)
                .bind(&p.identity.nationality)
                .bind(r.document_state)
                .bind(&r.identity)
                .bind(p.message)
                .bind(&r.person_key)
                .bind(name(p.status))
                .bind(id)
                .execute(self.conn()?)
                .await?
                .rows_affected(),
                None => self.insert_persons(flight, std::slice::from_ref(&r)).await?,
            };
        }
        for chunk in referenced.chunks(300) {
            let rows: Vec<PersonRow<'_>> = chunk
                .iter()
                .map(|p| PersonRow::of(p))
                .collect::<Result<_, _>>()?;
            written += self.insert_persons(flight, &rows).await?;
        }
        Ok(written)
    }

    /// Inserts (or, for a known reference, updates) rows in one statement.
    async fn insert_persons(
        &mut self,
        flight: i64,
        rows: &[PersonRow<'_>],
    ) -> Result<u64, StoreError> {
        let mut written = 0;
        {
            let mut q = sqlx::QueryBuilder::new(INSERT_PERSON);
            q.push_values(rows, |mut b, r| {
                b.push_bind(flight)
                    .push_bind(r.p.reference)
                    .push_bind(r.p.booking)
                    .push_bind(r.role)
                    .push_bind(name(r.p.status))
                    .push_bind(&r.p.identity.surname)
                    .push_bind(r.given.clone())
                    .push_bind(r.sex)
                    .push_bind(r.birth.clone())
                    .push_bind(&r.p.identity.nationality)
                    .push_bind(r.document_number)
                    .push_bind(r.document_state)
                    .push_bind(r.identity.clone())
                    .push_bind(r.p.message)
                    .push_bind(r.p.message)
                    .push_bind(r.person_key.clone());
            });
            q.push(UPSERT_PERSON);
            written += q.build().execute(self.conn()?).await?.rows_affected();
        }
        Ok(written)
    }

    /// Sets the status of every listed reference in one transaction; returns how many matched.
    pub async fn set_persons_status(
        &mut self,
        flight: i64,
        references: &[&str],
        status: Status,
        message: i64,
    ) -> Result<u64, StoreError> {
        let mut matched = 0;
        for chunk in references.chunks(500) {
            let mut q = sqlx::QueryBuilder::new("UPDATE manifest SET status = ");
            q.push_bind(name(status))
                .push(", last_message = ")
                .push_bind(message)
                .push(" WHERE flight_id = ")
                .push_bind(flight)
                .push(" AND reference IN (");
            let mut list = q.separated(", ");
            for r in chunk {
                list.push_bind(*r);
            }
            list.push_unseparated(")");
            matched += q.build().execute(self.conn()?).await?.rows_affected();
        }
        Ok(matched)
    }

    /// Moves every person of a flight in status `from` (any status when `None`) to `to`.
    pub async fn set_statuses(
        &mut self,
        flight: i64,
        from: Option<Status>,
        to: Status,
        message: i64,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE manifest SET status = ?, last_message = ? WHERE flight_id = ? AND (? IS NULL OR status = ?)",
        )
        .bind(name(to))
        .bind(message)
        .bind(flight)
        .bind(from.map(name))
        .bind(from.map(name))
        .execute(self.conn()?)
        .await?;
        Ok(done.rows_affected())
    }
}

impl Tx {
    /// Like [`Tx::set_statuses`], for the passengers only: close-outs speak of passengers,
    /// and the crew list stands for the crew.
    pub async fn set_passenger_statuses(
        &mut self,
        flight: i64,
        from: Status,
        to: Status,
        message: i64,
    ) -> Result<u64, StoreError> {
        let done = sqlx::query(
            "UPDATE manifest SET status = ?, last_message = ? WHERE flight_id = ? AND status = ? AND role = 'passenger'",
        )
        .bind(name(to))
        .bind(message)
        .bind(flight)
        .bind(name(from))
        .execute(self.conn()?)
        .await?;
        Ok(done.rows_affected())
    }
}

impl Store {
    pub async fn flights_on(&self, date: &str) -> Result<Vec<FlightRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, key, carrier, number, origin, destination, departure_date, departure_local, arrival_local, status
             FROM flights WHERE departure_date = ? ORDER BY departure_local, key",
        )
        .bind(date)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(flight_row).collect()
    }

    pub async fn flight(&self, key: &str) -> Result<Option<FlightRow>, StoreError> {
        let row = sqlx::query(
            "SELECT id, key, carrier, number, origin, destination, departure_date, departure_local, arrival_local, status
             FROM flights WHERE key = ?",
        )
        .bind(key)
        .fetch_optional(self.pool())
        .await?;
        row.as_ref().map(flight_row).transpose()
    }

    pub async fn manifest(&self, flight: i64) -> Result<Vec<ManifestRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, reference, booking, role, status, identity, first_message, last_message
             FROM manifest WHERE flight_id = ? ORDER BY id",
        )
        .bind(flight)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                let identity: String = r.try_get(5)?;
                Ok(ManifestRow {
                    id: r.try_get(0)?,
                    reference: r.try_get(1)?,
                    booking: r.try_get(2)?,
                    role: r.try_get(3)?,
                    status: r.try_get(4)?,
                    identity: serde_json::from_str(&identity)
                        .map_err(|e| StoreError::Corrupt(e.to_string()))?,
                    first_message: r.try_get(6)?,
                    last_message: r.try_get(7)?,
                })
            })
            .collect()
    }
}

fn flight_row(r: &sqlx::sqlite::SqliteRow) -> Result<FlightRow, StoreError> {
    Ok(FlightRow {
        id: r.try_get(0)?,
        key: r.try_get(1)?,
        carrier: r.try_get(2)?,
        number: r.try_get(3)?,
        origin: r.try_get(4)?,
        destination: r.try_get(5)?,
        departure_date: r.try_get(6)?,
        departure_local: r.try_get(7)?,
        arrival_local: r.try_get(8)?,
        status: r.try_get(9)?,
    })
}

const INSERT_PERSON: &str = "INSERT INTO manifest (flight_id, reference, booking, role, status, surname, given_names, sex, \
     date_of_birth, nationality, document_number, document_state, identity, first_message, last_message, person_key) ";
const UPSERT_PERSON: &str = " ON CONFLICT(flight_id, reference) WHERE reference IS NOT NULL DO UPDATE SET \
     booking = COALESCE(excluded.booking, manifest.booking), role = excluded.role, \
     status = CASE WHEN manifest.status IN ('reported', 'removed') THEN excluded.status ELSE manifest.status END, \
     surname = excluded.surname, given_names = excluded.given_names, sex = excluded.sex, \
     date_of_birth = excluded.date_of_birth, nationality = excluded.nationality, \
     document_number = excluded.document_number, document_state = excluded.document_state, \
     identity = excluded.identity, last_message = excluded.last_message, person_key = excluded.person_key";

/// A person's columns, prepared for a multi-row statement.
struct PersonRow<'a> {
    p: &'a PersonUpdate<'a>,
    role: &'static str,
    given: String,
    sex: Option<&'static str>,
    birth: Option<String>,
    document_number: Option<&'a str>,
    document_state: Option<&'a str>,
    identity: String,
    person_key: Option<String>,
}

impl<'a> PersonRow<'a> {
    fn of(p: &'a PersonUpdate<'a>) -> Result<PersonRow<'a>, StoreError> {
        let document = p.identity.documents.first();
        Ok(PersonRow {
            p,
            role: match p.role {
                Capacity::Passenger => "passenger",
                Capacity::Crew => "crew",
            },
            given: p.identity.given_names.join(" "),
            sex: p.identity.sex.map(|s| match s {
                model::Sex::Male => "M",
                model::Sex::Female => "F",
                model::Sex::Unspecified => "U",
                model::Sex::Other => "X",
            }),
            birth: p.identity.date_of_birth.map(|d| d.to_string()),
            document_number: document.and_then(|d| d.number.as_deref()),
            document_state: document.and_then(|d| d.issuing_state.as_deref()),
            identity: serde_json::to_string(p.identity)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            person_key: person_key(p.identity),
        })
    }
}

/// Letters and digits, upper case.
fn plain(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

/// The key that finds the same person on other flights: document State and number when known,
/// else surname, given names and date of birth; none when neither is enough to tell.
pub fn person_key(identity: &Identity) -> Option<String> {
    let document = identity.documents.iter().find_map(|d| {
        let number = plain(d.number.as_deref()?);
        (number.len() >= 5).then(|| {
            format!(
                "D:{}:{number}",
                d.issuing_state.as_deref().map(plain).unwrap_or_default()
            )
        })
    });
    document.or_else(|| {
        let birth = identity.date_of_birth?;
        let surname = plain(&identity.surname);
        (!surname.is_empty()).then(|| {
            let given: Vec<String> = identity.given_names.iter().map(|g| plain(g)).collect();
            format!("N:{surname}:{}:{birth}", given.join(" "))
        })
    })
}

/// What an analyst searches persons by; empty fields match anything, but a search needs a
/// surname or a document number (the indexed columns).
#[derive(Debug, Clone, Default)]
pub struct PersonSearch<'a> {
    pub surname: Option<&'a str>,
    /// The start of the given names.
    pub given: Option<&'a str>,
    /// YYYY-MM-DD.
    pub date_of_birth: Option<&'a str>,
    pub document: Option<&'a str>,
    pub limit: i64,
}

/// A person found by a search, with their flight.
#[derive(Debug, Clone, Serialize)]
pub struct FoundPerson {
    pub manifest_id: i64,
    pub flight: String,
    pub departure_date: String,
    pub surname: String,
    pub given_names: String,
    pub date_of_birth: Option<String>,
    pub nationality: Option<String>,
    pub document_number: Option<String>,
    pub role: String,
    pub status: String,
}

impl Store {
    /// Persons on any manifest by surname (exact, as upper case) or document number, narrowed
    /// by given names and date of birth; the most recently reported first.
    pub async fn search_persons(
        &self,
        q: &PersonSearch<'_>,
    ) -> Result<Vec<FoundPerson>, StoreError> {
        if q.surname.is_none() && q.document.is_none() {
            return Ok(Vec::new());
        }
        let surname = q.surname.map(|s| s.trim().to_uppercase());
        let document = q.document.map(|d| d.trim().to_uppercase());
        let given = q.given.map(|g| format!("{}%", g.trim().to_uppercase()));
        // Only the conditions given, so that SQLite can use the surname or document index
        // (`? IS NULL OR …` would make it scan the manifest).
        let mut sql = sqlx::QueryBuilder::new(
            "SELECT m.id, f.key, f.departure_date, m.surname, m.given_names, m.date_of_birth,
                    m.nationality, m.document_number, m.role, m.status
             FROM manifest m JOIN flights f ON f.id = m.flight_id WHERE 1 = 1",
        );
        if let Some(surname) = surname {
            sql.push(" AND m.surname = ").push_bind(surname);
        }
        if let Some(document) = document {
            sql.push(" AND m.document_number = ").push_bind(document);
        }
        if let Some(given) = given {
            sql.push(" AND m.given_names LIKE ").push_bind(given);
        }
        if let Some(birth) = q.date_of_birth {
            sql.push(" AND m.date_of_birth = ")
                .push_bind(birth.to_string());
        }
        // Newest reported first, in index order: a common surname has tens of thousands of
        // rows, and sorting them by flight date would read them all.
        sql.push(" ORDER BY m.id DESC LIMIT ").push_bind(q.limit);
        let rows = sql.build().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(FoundPerson {
                    manifest_id: r.try_get(0)?,
                    flight: r.try_get(1)?,
                    departure_date: r.try_get(2)?,
                    surname: r.try_get(3)?,
                    given_names: r.try_get(4)?,
                    date_of_birth: r.try_get(5)?,
                    nationality: r.try_get(6)?,
                    document_number: r.try_get(7)?,
                    role: r.try_get(8)?,
                    status: r.try_get(9)?,
                })
            })
            .collect()
    }
}

/// One trip of a person: a manifest row and its flight.
#[derive(Debug, Clone, Serialize)]
pub struct Trip {
    pub manifest_id: i64,
    pub flight: String,
    pub departure_date: String,
    pub role: String,
    pub status: String,
}

impl Store {
    /// The trips of the person of a manifest row (that row included), newest first: rows with
    /// the same person key.
    pub async fn trips(&self, manifest_id: i64) -> Result<Vec<Trip>, StoreError> {
        let rows = sqlx::query(
            "SELECT m.id, f.key, f.departure_date, m.role, m.status FROM manifest m JOIN flights f ON f.id = m.flight_id
             WHERE m.person_key = (SELECT person_key FROM manifest WHERE id = ?1)
                OR m.id = ?1
             ORDER BY f.departure_date DESC, m.id DESC",
        )
        .bind(manifest_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(Trip {
                    manifest_id: r.try_get(0)?,
                    flight: r.try_get(1)?,
                    departure_date: r.try_get(2)?,
                    role: r.try_get(3)?,
                    status: r.try_get(4)?,
                })
            })
            .collect()
    }
}

impl Store {
    /// Names of the persons on manifests of flights departing on or after `since` (ISO date):
    /// (surname, given names) per row, for counting how common name parts are in the traffic.
    pub async fn manifest_names_since(
        &self,
        since: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        let rows = sqlx::query(
            "SELECT m.surname, m.given_names FROM manifest m JOIN flights f ON f.id = m.flight_id
             WHERE f.departure_date >= ?",
        )
        .bind(since)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// One person of a manifest with their flight.
    pub async fn manifest_person(
        &self,
        id: i64,
    ) -> Result<Option<(FlightRow, ManifestRow)>, StoreError> {
        let row = sqlx::query("SELECT flight_id FROM manifest WHERE id = ?")
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        let Some(flight_id) = row.map(|r| r.try_get::<i64, _>(0)).transpose()? else {
            return Ok(None);
        };
        let flight = sqlx::query(
            "SELECT id, key, carrier, number, origin, destination, departure_date, departure_local, arrival_local, status
             FROM flights WHERE id = ?",
        )
        .bind(flight_id)
        .fetch_one(self.pool())
        .await?;
        let person = self
            .manifest(flight_id)
            .await?
            .into_iter()
            .find(|m| m.id == id);
        person
            .map(|p| flight_row(&flight).map(|f| (f, p)))
            .transpose()
    }

    /// Flights departing between two days (inclusive, YYYY-MM-DD), by departure.
    pub async fn flights_between(
        &self,
        from: &str,
        to: &str,
    ) -> Result<Vec<FlightRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, key, carrier, number, origin, destination, departure_date, departure_local, arrival_local, status
             FROM flights WHERE departure_date BETWEEN ? AND ? ORDER BY departure_local, key",
        )
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(flight_row).collect()
    }

    /// Persons per flight: (flight id, persons, passengers boarded or reported).
    pub async fn manifest_sizes(&self, flights: &[i64]) -> Result<Vec<(i64, i64)>, StoreError> {
        if flights.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = sqlx::QueryBuilder::new(
            "SELECT flight_id, COUNT(*) FROM manifest WHERE flight_id IN (",
        );
        let mut ids = q.separated(", ");
        for f in flights {
            ids.push_bind(*f);
        }
        q.push(") GROUP BY flight_id");
        let rows = q.build().fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| Ok((r.try_get(0)?, r.try_get(1)?)))
            .collect()
    }

    /// How many persons the manifests hold.
    pub async fn manifest_count(&self) -> Result<i64, StoreError> {
        let row = sqlx::query("SELECT COUNT(*) FROM manifest")
            .fetch_one(self.pool())
            .await?;
        Ok(row.try_get(0)?)
    }
}
