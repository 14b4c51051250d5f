//! Carrier compliance counters per day, for the scorecard over time.

use crate::filter::Filtered;
use crate::{Store, StoreError, Tx};
use serde::Serialize;

/// One counter of one carrier on one day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct CountRow {
    pub carrier: String,
    /// UTC date of receipt, YYYY-MM-DD.
    pub day: String,
    pub name: String,
    pub n: i64,
}

impl Tx {
    /// Adds to a carrier's counters of a day.
    pub async fn add_counts(
        &mut self,
        carrier: &str,
        day: &str,
        counts: &[(&str, i64)],
    ) -> Result<(), StoreError> {
        let counts: Vec<&(&str, i64)> = counts.iter().filter(|(_, n)| *n != 0).collect();
        if counts.is_empty() {
            return Ok(());
        }
        on!(self.conn()?, |db| {
            let mut q = sqlx::QueryBuilder::<Db>::new(
                "INSERT INTO carrier_counts (carrier, day, name, n) ",
            );
            q.push_values(counts, |mut b, (name, n)| {
                b.push_bind(carrier)
                    .push_bind(day)
                    .push_bind(*name)
                    .push_bind(*n);
            });
            q.push(
                " ON CONFLICT (carrier, day, name) DO UPDATE SET n = carrier_counts.n + excluded.n",
            );
            q.build().execute(db).await.map(|r| r.rows_affected())
        })?;
        Ok(())
    }

    /// Whether any PNR version of a flight is kept (the next push is not its first).
    pub async fn has_bookings(&mut self, flight: i64) -> Result<bool, StoreError> {
        Ok(on!(self.conn()?, |db| sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM pnr_versions WHERE flight_id = $1) AS kept",
        )
        .bind(flight)
        .fetch_one(db)
        .await)?)
    }
}

impl Store {
    /// Counters per carrier and day between two days (inclusive, YYYY-MM-DD).
    pub async fn carrier_counts(
        &self,
        carrier: Option<&str>,
        from: &str,
        to: &str,
    ) -> Result<Vec<CountRow>, StoreError> {
        Ok(
            Filtered::new("SELECT carrier, day, name, n FROM carrier_counts")
                .eq("carrier", carrier)
                .cmp("day", ">=", Some(from))
                .cmp("day", "<=", Some(to))
                .then("ORDER BY carrier, day, name")
                .fetch_all::<CountRow, _, _>(self.reader())
                .await?,
        )
    }
}

/// What a carrier delivered for its flights of one departure day: every flight is expected to
/// have a PNR push, an API passenger list and a close-out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, sqlx::FromRow)]
pub struct FlightDelivery {
    /// YYYY-MM-DD, the day of departure.
    pub day: String,
    pub flights: i64,
    pub with_pnr: i64,
    pub with_api: i64,
    pub closed: i64,
}

impl Store {
    /// Per departure day between two days (inclusive): the carrier's flights known to the
    /// unit and how many of them have a PNR push, an API passenger list, a close-out.
    pub async fn flight_deliveries(
        &self,
        carrier: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<FlightDelivery>, StoreError> {
        Ok(on!(self.reader(), |db| {
            sqlx::query_as::<_, FlightDelivery>(
            "SELECT f.departure_date AS day, COUNT(*) AS flights,
                    SUM(CASE WHEN EXISTS (SELECT 1 FROM pnr_versions v WHERE v.flight_id = f.id) THEN 1 ELSE 0 END) AS with_pnr,
                    SUM(CASE WHEN EXISTS (SELECT 1 FROM manifest m WHERE m.flight_id = f.id AND m.role = 'passenger') THEN 1 ELSE 0 END) AS with_api,
                    SUM(CASE WHEN f.status = 'closed' THEN 1 ELSE 0 END) AS closed
             FROM flights f WHERE f.carrier = $1 AND f.departure_date BETWEEN $2 AND $3
             GROUP BY f.departure_date ORDER BY f.departure_date",
        )
        .bind(carrier)
        .bind(from)
        .bind(to)
        .fetch_all(db)
.await
        })?)
    }
}
