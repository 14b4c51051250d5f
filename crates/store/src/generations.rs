//! What is in force on every node. A node builds its screener (lists and remembered false
//! alarms) and its targeter (active criteria) from the store; every change to them moves a
//! counter in the same transaction, so that another node sees it moved and rebuilds.

use crate::{Store, StoreError, Tx};

/// The counters of what is in force, as one read sees them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Generations {
    /// Moves with every list version and every remembered false alarm.
    pub lists: i64,
    /// Moves with every criterion version's move (activation and retirement among them).
    pub criteria: i64,
}

/// The kinds of change counted.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Kind {
    Lists,
    Criteria,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Lists => "lists",
            Kind::Criteria => "criteria",
        }
    }
}

impl Tx {
    /// Moves the counter of `kind`, in this transaction.
    pub(crate) async fn moved(&mut self, kind: Kind) -> Result<(), StoreError> {
        let done = on!(self.conn()?, |db| sqlx::query(
            "UPDATE generations SET n = n + 1 WHERE kind = $1"
        )
        .bind(kind.name())
        .execute(db)
        .await
        .map(|r| r.rows_affected()))?;
        if done == 1 {
            Ok(())
        } else {
            Err(StoreError::Corrupt(format!(
                "the generation of {} is missing",
                kind.name()
            )))
        }
    }
}

impl Store {
    /// The counters of what is in force (cheap: two rows).
    pub async fn generations(&self) -> Result<Generations, StoreError> {
        #[derive(sqlx::FromRow)]
        struct Row {
            kind: String,
            n: i64,
        }
        let rows = on!(self.reader(), |db| sqlx::query_as::<_, Row>(
            "SELECT kind, n FROM generations"
        )
        .fetch_all(db)
        .await)?;
        let mut g = Generations::default();
        for r in rows {
            match r.kind.as_str() {
                "lists" => g.lists = r.n,
                "criteria" => g.criteria = r.n,
                other => {
                    return Err(StoreError::Corrupt(format!("unknown generation '{other}'")));
                }
            }
        }
        Ok(g)
    }
}
