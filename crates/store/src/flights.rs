//! Flights and their manifests: one row per person per flight, moved along by lists, changes and
//! close-outs.

use model::{Capacity, FlightKey, Identity, Status};
use serde::Serialize;

use crate::columns::Json;
use crate::filter::Filtered;
use crate::{Store, StoreError, Tx, now};

/// A flight as stored.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
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
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ManifestRow {
    pub id: i64,
    pub reference: Option<String>,
    pub booking: Option<String>,
    pub role: String,
    pub status: String,
    /// JSON as stored; JSON that does not read fails the read.
    #[sqlx(try_from = "Json<Identity>")]
    pub identity: Identity,
    pub first_message: i64,
    pub last_message: i64,
    /// When the person's data were masked (Directive 2016/681 Art. 12(2)): `identity` is then
    /// empty, and the original sealed.
    pub masked_at: Option<String>,
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

impl From<Json<Identity>> for Identity {
    fn from(j: Json<Identity>) -> Identity {
        j.0
    }
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
        Ok(on!(self.conn()?, |db| {
            sqlx::query_scalar(
            "INSERT INTO flights (key, carrier, number, origin, destination, departure_date, departure_local, arrival_local, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
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
        .fetch_one(db)
.await
        })?)
    }

    /// The flight's status: scheduled, closed or cancelled.
    /// Records that `message` spoke of `flight`: the message's bytes are deleted when the
    /// flight's data are due (retention).
    pub async fn message_flight(&mut self, message: i64, flight: i64) -> Result<(), StoreError> {
        on!(self.conn()?, |db| sqlx::query(
            "INSERT INTO message_flights (message_id, flight_id) VALUES ($1, $2) \
             ON CONFLICT (message_id, flight_id) DO NOTHING"
        )
        .bind(message)
        .bind(flight)
        .execute(db)
        .await
        .map(|_| ()))?;
        Ok(())
    }

    pub async fn flight_status(&mut self, flight: i64) -> Result<String, StoreError> {
        Ok(on!(self.conn()?, |db| sqlx::query_scalar(
            "SELECT status FROM flights WHERE id = $1"
        )
        .bind(flight)
        .fetch_one(db)
        .await)?)
    }

    pub async fn set_flight_status(&mut self, flight: i64, status: &str) -> Result<(), StoreError> {
        on!(self.conn()?, |db| sqlx::query(
            "UPDATE flights SET status = $1, updated_at = $2 WHERE id = $3"
        )
        .bind(status)
        .bind(now())
        .bind(flight)
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
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
        let referenced: Vec<(&str, &PersonUpdate<'_>)> = persons
            .iter()
            .filter_map(|p| p.reference.map(|r| (r, p)))
            .collect();
        let unreferenced = persons.iter().filter(|p| p.reference.is_none());
        let mut written = 0;
        for p in unreferenced {
            let r = PersonRow::of(p, &self.identity)?;
            let known: Option<i64> = on!(self.conn()?, |db| {
                sqlx::query_scalar(
                "SELECT id FROM manifest WHERE flight_id = $1 AND COALESCE(booking, '') = COALESCE($2, '')
                 AND surname = $3 AND given_names = $4 AND COALESCE(date_of_birth, '') = COALESCE($5, '')
                 AND COALESCE(document_number, '') = COALESCE($6, '') ORDER BY id LIMIT 1",
            )
            .bind(flight)
            .bind(p.booking)
            .bind(&p.identity.surname)
            .bind(&r.given)
            .bind(&r.birth)
            .bind(r.document_number)
            .fetch_optional(db)
.await
            })?;
            written += match known {
                Some(id) => on!(self.conn()?, |db| {
                    sqlx::query(
                    "UPDATE manifest SET role = $1, sex = $2, nationality = $3, document_state = $4, identity = $5,
                     last_message = $6, person_key = $7, masked_at = NULL,
                     status = CASE WHEN status IN ('reported', 'removed') THEN $8 ELSE status END
                     WHERE id = $9",
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
                .execute(db)
.await.map(|r| r.rows_affected())
                })?,
                None => {
                    self.insert_persons(flight, std::slice::from_ref(&r))
                        .await?
                }
            };
        }
        // Up to 300 persons per statement, and a reference at most once in each: a list that
        // names a reference twice applies the second after the first, as one row each would
        // (PostgreSQL refuses a statement that upserts one key twice; SQLite would apply them
        // in order).
        let mut rows: Vec<PersonRow<'_>> = Vec::with_capacity(300);
        let mut in_statement: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for (reference, p) in referenced {
            if rows.len() == 300 || in_statement.contains(reference) {
                written += self.insert_persons(flight, &rows).await?;
                rows.clear();
                in_statement.clear();
            }
            in_statement.insert(reference);
            rows.push(PersonRow::of(p, &self.identity)?);
        }
        if !rows.is_empty() {
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
            written += on!(self.conn()?, |db| {
                let mut q = sqlx::QueryBuilder::<Db>::new(INSERT_PERSON);
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
                q.build().execute(db).await.map(|r| r.rows_affected())
            })?;
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
            matched += on!(self.conn()?, |db| {
                let mut q = sqlx::QueryBuilder::<Db>::new("UPDATE manifest SET status = ");
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
                q.build().execute(db).await.map(|r| r.rows_affected())
            })?;
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
        let mut update = Filtered::new("UPDATE manifest SET status = ");
        update
            .then_bind("", name(to))
            .then_bind(", last_message = ", message)
            .always_bind("flight_id = ", flight, "")
            .eq("status", from.map(name));
        let done = update.execute(self.conn()?).await?;
        Ok(done)
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
        let done = on!(self.conn()?, |db| {
            sqlx::query(
            "UPDATE manifest SET status = $1, last_message = $2 WHERE flight_id = $3 AND status = $4 AND role = 'passenger'",
        )
        .bind(name(to))
        .bind(message)
        .bind(flight)
        .bind(name(from))
        .execute(db)
.await.map(|r| r.rows_affected())
        })?;
        Ok(done)
    }
}

impl Store {
    pub async fn flights_on(&self, date: &str) -> Result<Vec<FlightRow>, StoreError> {
        Ok(on!(self.reader(), |db| {
            sqlx::query_as(
            "SELECT id, key, carrier, number, origin, destination, departure_date, departure_local, arrival_local, status
             FROM flights WHERE departure_date = $1 ORDER BY departure_local, key",
        )
        .bind(date)
        .fetch_all(db)
.await
        })?)
    }

    pub async fn flight_by_id(&self, id: i64) -> Result<Option<FlightRow>, StoreError> {
        Ok(on!(self.reader(), |db| {
            sqlx::query_as(
            "SELECT id, key, carrier, number, origin, destination, departure_date, departure_local, \
             arrival_local, status FROM flights WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(db)
        .await
        })?)
    }

    pub async fn flight(&self, key: &str) -> Result<Option<FlightRow>, StoreError> {
        Ok(on!(self.reader(), |db| {
            sqlx::query_as(
            "SELECT id, key, carrier, number, origin, destination, departure_date, departure_local, arrival_local, status
             FROM flights WHERE key = $1",
        )
        .bind(key)
        .fetch_optional(db)
.await
        })?)
    }

    pub async fn manifest(&self, flight: i64) -> Result<Vec<ManifestRow>, StoreError> {
        Ok(on!(self.reader(), |db| sqlx::query_as(
            "SELECT id, reference, booking, role, status, identity, first_message, last_message,
                    masked_at
             FROM manifest WHERE flight_id = $1 ORDER BY id",
        )
        .bind(flight)
        .fetch_all(db)
        .await)?)
    }
}

const INSERT_PERSON: &str = "INSERT INTO manifest (flight_id, reference, booking, role, status, surname, given_names, sex, \
     date_of_birth, nationality, document_number, document_state, identity, first_message, last_message, person_key) ";
const UPSERT_PERSON: &str = " ON CONFLICT(flight_id, reference) WHERE reference IS NOT NULL DO UPDATE SET \
     booking = COALESCE(excluded.booking, manifest.booking), role = excluded.role, \
     status = CASE WHEN manifest.status IN ('reported', 'removed') THEN excluded.status ELSE manifest.status END, \
     surname = excluded.surname, given_names = excluded.given_names, sex = excluded.sex, \
     date_of_birth = excluded.date_of_birth, nationality = excluded.nationality, \
     document_number = excluded.document_number, document_state = excluded.document_state, \
     identity = excluded.identity, last_message = excluded.last_message, person_key = excluded.person_key, \
     masked_at = NULL";

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
    fn of(p: &'a PersonUpdate<'a>, key: &crate::IdentityKey) -> Result<PersonRow<'a>, StoreError> {
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
            // Keyed: the plain key names the person (`identity.rs`).
            person_key: person_key(p.identity).map(|k| key.keyed(&k)),
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
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
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
        Ok(Filtered::new(
            "SELECT m.id AS manifest_id, f.key AS flight, f.departure_date, m.surname, m.given_names,
                    m.date_of_birth, m.nationality, m.document_number, m.role, m.status
             FROM manifest m JOIN flights f ON f.id = m.flight_id",
        )
        .eq("m.surname", surname)
        .eq("m.document_number", document)
        .like("m.given_names", given)
        .eq("m.date_of_birth", q.date_of_birth)
        // Newest reported first, in index order: a common surname has tens of thousands of
        // rows, and sorting them by flight date would read them all.
        .then_bind("ORDER BY m.id DESC LIMIT ", q.limit)
        .fetch_all::<FoundPerson, _, _>(self.reader())
        .await?)
    }
}

/// One trip of a person: a manifest row and its flight.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
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
        Ok(on!(self.reader(), |db| sqlx::query_as(
            "SELECT m.id AS manifest_id, f.key AS flight, f.departure_date, m.role, m.status
             FROM manifest m JOIN flights f ON f.id = m.flight_id
             WHERE m.person_key = (SELECT person_key FROM manifest WHERE id = $1)
                OR m.id = $1
             ORDER BY f.departure_date DESC, m.id DESC",
        )
        .bind(manifest_id)
        .fetch_all(db)
        .await)?)
    }
}

impl Store {
    /// Names of the persons on manifests of flights departing on or after `since` (ISO date):
    /// (surname, given names) per row, for counting how common name parts are in the traffic.
    pub async fn manifest_names_since(
        &self,
        since: &str,
    ) -> Result<Vec<(String, String)>, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Name {
            surname: String,
            given_names: String,
        }
        let rows = on!(self.reader(), |db| {
            sqlx::query_as::<_, Name>(
            "SELECT m.surname, m.given_names FROM manifest m JOIN flights f ON f.id = m.flight_id
             WHERE f.departure_date >= $1",
        )
        .bind(since)
        .fetch_all(db)
.await
        })?;
        Ok(rows
            .into_iter()
            .map(|n| (n.surname, n.given_names))
            .collect())
    }

    /// The (keyed) key that finds a manifest person on other flights.
    pub async fn person_key_of(&self, manifest_id: i64) -> Result<Option<String>, StoreError> {
        Ok(on!(self.reader(), |db| sqlx::query_scalar(
            "SELECT person_key FROM manifest WHERE id = $1"
        )
        .bind(manifest_id)
        .fetch_optional(db)
        .await)?
        .flatten())
    }

    /// One person of a manifest with their flight.
    pub async fn manifest_person(
        &self,
        id: i64,
    ) -> Result<Option<(FlightRow, ManifestRow)>, StoreError> {
        let flight_id: Option<i64> = on!(self.reader(), |db| sqlx::query_scalar(
            "SELECT flight_id FROM manifest WHERE id = $1"
        )
        .bind(id)
        .fetch_optional(db)
        .await)?;
        let Some(flight_id) = flight_id else {
            return Ok(None);
        };
        let flight: FlightRow = on!(self.reader(), |db| {
            sqlx::query_as(
            "SELECT id, key, carrier, number, origin, destination, departure_date, departure_local, arrival_local, status
             FROM flights WHERE id = $1",
        )
        .bind(flight_id)
        .fetch_one(db)
.await
        })?;
        let person = self
            .manifest(flight_id)
            .await?
            .into_iter()
            .find(|m| m.id == id);
        Ok(person.map(|p| (flight, p)))
    }

    /// Flights departing between two days (inclusive, YYYY-MM-DD), by departure.
    pub async fn flights_between(
        &self,
        from: &str,
        to: &str,
    ) -> Result<Vec<FlightRow>, StoreError> {
        Ok(on!(self.reader(), |db| {
            sqlx::query_as(
            "SELECT id, key, carrier, number, origin, destination, departure_date, departure_local, arrival_local, status
             FROM flights WHERE departure_date BETWEEN $1 AND $2 ORDER BY departure_local, key",
        )
        .bind(from)
        .bind(to)
        .fetch_all(db)
.await
        })?)
    }

    /// Persons per flight: (flight id, persons, passengers boarded or reported).
    pub async fn manifest_sizes(&self, flights: &[i64]) -> Result<Vec<(i64, i64)>, StoreError> {
        if flights.is_empty() {
            return Ok(Vec::new());
        }
        #[derive(sqlx::FromRow)]
        struct Size {
            flight_id: i64,
            persons: i64,
        }
        let rows = on!(self.reader(), |db| {
            let mut q = sqlx::QueryBuilder::<Db>::new(
                "SELECT flight_id, COUNT(*) AS persons FROM manifest WHERE flight_id IN (",
            );
            let mut ids = q.separated(", ");
            for f in flights {
                ids.push_bind(*f);
            }
            q.push(") GROUP BY flight_id");
            q.build_query_as::<Size>().fetch_all(db).await
        })?;
        Ok(rows.into_iter().map(|s| (s.flight_id, s.persons)).collect())
    }

    /// How many persons the manifests hold.
    pub async fn manifest_count(&self) -> Result<i64, StoreError> {
        Ok(on!(self.reader(), |db| sqlx::query_scalar(
            "SELECT COUNT(*) AS persons FROM manifest"
        )
        .fetch_one(db)
        .await)?)
    }
}
