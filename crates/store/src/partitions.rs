//! On PostgreSQL the vault's bytes (`message_bodies`, the bulk of a unit's terabytes) are kept
//! in one partition per month of receipt (`message_bodies_2026_12` for receipts from
//! 2026-12-01 to the end of December, UTC), so that the bytes of a month leave with one
//! `DROP TABLE` once the law says they must, and every month's index stays its own size.
//! Partitions are made ahead: at every open and each hour of serving, for this month and the
//! next [`MONTHS_AHEAD`]; a copy from the embedded store makes those of the months it copies.
//! A receipt outside them (a clock gone wrong) lands in `message_bodies_default` and is kept;
//! a month whose rows already sit there is not made, and is reported so.
//!
//! The embedded store keeps one table: the same column `received_at`, the same statements.

use jiff::ToSpan;
use jiff::civil::Date;

use crate::engine::{Conn, On};
use crate::{Store, StoreError};

/// How many months after the current one have their partition ready.
pub const MONTHS_AHEAD: i8 = 3;

/// One partition of the vault's bytes.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Partition {
    /// The table's name, e.g. `message_bodies_2026_12`, or `message_bodies_default`.
    pub name: String,
    /// Messages whose bytes it holds.
    pub messages: i64,
}

/// What making partitions did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Made {
    /// Partitions made now.
    pub made: Vec<String>,
    /// Months not made: their receipts already sit in the default partition.
    pub blocked: Vec<String>,
}

fn month(d: Date) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

impl Store {
    /// Makes the vault's partitions for the month of `today` and the next [`MONTHS_AHEAD`];
    /// nothing on the embedded store.
    pub async fn ensure_partitions(&self, today: Date) -> Result<Made, StoreError> {
        if matches!(self.reader(), On::Sqlite(_)) {
            return Ok(Made::default());
        }
        let to = today
            .first_of_month()
            .checked_add(i32::from(MONTHS_AHEAD).months())
            .map_err(|e| StoreError::Setup(format!("a partition's month: {e}")))?;
        let mut tx = self.begin().await?;
        let made = ensure_between(tx.conn_mut()?, today, to).await?;
        tx.commit().await?;
        Ok(made)
    }

    /// The vault's partitions, oldest first, with the messages each holds (empty on the
    /// embedded store).
    pub async fn partitions(&self) -> Result<Vec<Partition>, StoreError> {
        let On::Postgres(db) = self.reader() else {
            return Ok(Vec::new());
        };
        let names: Vec<String> = sqlx::query_scalar(
            "SELECT c.relname::text FROM pg_inherits i \
             JOIN pg_class c ON c.oid = i.inhrelid \
             JOIN pg_class p ON p.oid = i.inhparent \
             WHERE p.relname = 'message_bodies' ORDER BY c.relname",
        )
        .fetch_all(db)
        .await?;
        let mut partitions = Vec::with_capacity(names.len());
        for name in names {
            // The name comes from the catalogue, as this module made it.
            let messages: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
                "SELECT COUNT(*) FROM \"{name}\""
            )))
            .fetch_one(db)
            .await?;
            partitions.push(Partition { name, messages });
        }
        Ok(partitions)
    }
}

/// Makes the partitions of every month from the one of `from` to the one of `to`, both
/// included, in the caller's write transaction (PostgreSQL only).
pub(crate) async fn ensure_between(
    conn: &mut Conn,
    from: Date,
    to: Date,
) -> Result<Made, StoreError> {
    let mut made = Made::default();
    let On::Postgres(db) = conn.on() else {
        return Ok(made);
    };
    let mut start = from.first_of_month();
    let last = to.first_of_month();
    while start <= last {
        let end = start
            .checked_add(1.month())
            .map_err(|e| StoreError::Setup(format!("a partition's month: {e}")))?;
        let name = format!("message_bodies_{:04}_{:02}", start.year(), start.month());
        let exists: bool = sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
            .bind(&name)
            .fetch_one(&mut *db)
            .await?;
        if !exists {
            let held: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM message_bodies_default \
                 WHERE received_at >= $1 AND received_at < $2)",
            )
            .bind(month(start))
            .bind(month(end))
            .fetch_one(&mut *db)
            .await?;
            if held {
                // Kept where they are; the caller reports it.
                made.blocked.push(name);
            } else {
                // Names and bounds are made here from dates, never from input.
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "CREATE TABLE {name} PARTITION OF message_bodies FOR VALUES FROM ('{}') TO ('{}')",
                    month(start),
                    month(end)
                )))
                .execute(&mut *db)
                .await?;
                made.made.push(name);
            }
        }
        start = end;
    }
    Ok(made)
}

/// The month of an RFC 3339 receipt time, as a date (its first day).
pub(crate) fn month_of(received_at: &str) -> Result<Date, StoreError> {
    let t: jiff::Timestamp = received_at
        .parse()
        .map_err(|e| StoreError::Corrupt(format!("a receipt time: {e}")))?;
    Ok(t.to_zoned_datetime(jiff::tz::TimeZone::UTC)
        .date()
        .first_of_month())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Engine, Received};

    fn date(s: &str) -> Date {
        s.parse().unwrap()
    }

    crate::engines! {
    /// A message's bytes are kept in its month's partition (PostgreSQL) and read back as
    /// received on both engines; the months ahead are ready.
    async fn a_months_bytes_are_kept_in_its_partition(at: TestLocation) {
        let store = Store::open_at(&at.location).await.unwrap();
        let id = store
            .receive(&Received {
                channel: "http",
                carrier: "XQ",
                body: b"UNB+UNOA:4+XQ+PIU+261201:1000+1'UNZ+0+1'",
            })
            .await
            .unwrap();
        assert_eq!(
            store.message_body(id).await.unwrap().unwrap(),
            b"UNB+UNOA:4+XQ+PIU+261201:1000+1'UNZ+0+1'"
        );
        let received_at = store.message(id).await.unwrap().unwrap().received_at;
        let this_month = month_of(&received_at).unwrap();
        let partitions = store.partitions().await.unwrap();
        match at.engine() {
            Engine::Sqlite => {
                assert!(partitions.is_empty());
                assert_eq!(
                    store.ensure_partitions(this_month).await.unwrap(),
                    Made::default()
                );
            }
            Engine::Postgres => {
                let name = |d: Date| format!("message_bodies_{:04}_{:02}", d.year(), d.month());
                let mut expected: Vec<Partition> = (0..=MONTHS_AHEAD)
                    .map(|k| Partition {
                        name: name(this_month.checked_add(i32::from(k).months()).unwrap()),
                        messages: i64::from(k == 0),
                    })
                    .collect();
                expected.push(Partition {
                    name: "message_bodies_default".into(),
                    messages: 0,
                });
                expected.sort_by(|a, b| a.name.cmp(&b.name));
                assert_eq!(partitions, expected);
                // Made once: a second time makes nothing.
                assert_eq!(
                    store.ensure_partitions(this_month).await.unwrap(),
                    Made::default()
                );
            }
        }
        store.close().await;
        // The bytes are kept as received, in their partition too.
        let e = at.raw("UPDATE message_bodies SET body = body").await.unwrap_err();
        assert!(e.to_string().contains("the vault keeps messages as received"), "{e}");
    }
    }

    crate::engines! {
    /// A receipt outside the partitions made (a clock gone wrong) is kept in the default
    /// partition and read back; its month is then reported, not made, and the next months are.
    async fn a_receipt_outside_the_partitions_is_kept_and_its_month_reported(at: TestLocation) {
        let store = Store::open_at(&at.location).await.unwrap();
        if at.engine() == Engine::Sqlite {
            return;
        }
        store.close().await;
        at.raw(
            "INSERT INTO messages (id, received_at, channel, carrier, sha256, size) \
             VALUES (900001, '2019-03-05T10:00:00Z', 'http', 'XQ', 'x', 1)",
        )
        .await
        .unwrap();
        at.raw(
            "INSERT INTO message_bodies (message_id, received_at, body) \
             VALUES (900001, '2019-03-05T10:00:00Z', '\\x00')",
        )
        .await
        .unwrap();
        let store = Store::open_at(&at.location).await.unwrap();
        assert_eq!(store.message_body(900001).await.unwrap().unwrap(), vec![0u8]);
        assert!(
            store
                .partitions()
                .await
                .unwrap()
                .contains(&Partition { name: "message_bodies_default".into(), messages: 1 })
        );
        let made = store.ensure_partitions(date("2019-03-20")).await.unwrap();
        assert_eq!(made.blocked, vec!["message_bodies_2019_03".to_string()]);
        assert_eq!(
            made.made,
            ["2019_04", "2019_05", "2019_06"]
                .map(|m| format!("message_bodies_{m}"))
                .to_vec()
        );
        store.close().await;
    }
    }
}
