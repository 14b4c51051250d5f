//! Queries with optional filters, built from the filters given.
//!
//! `WHERE (? IS NULL OR col = ?)` reads well but makes SQLite (and PostgreSQL's generic plans)
//! scan: the planner cannot use `col`'s index for a condition that may be true for every row.
//! [`Filtered`] writes only the conditions that were given, each as a plain comparison its
//! index serves; a prefix becomes a range (`col >= 'p' AND col < 'p\u{10FFFF}'`), which SQLite
//! answers from a B-tree (binary collation: code point order). PostgreSQL will need the same
//! order for these columns (`COLLATE "C"` or a `text_pattern_ops` index). The SQL stays static
//! text plus `?` placeholders; values are always bound.

use sqlx::sqlite::SqliteArguments;
use sqlx::{Encode, QueryBuilder, Sqlite, Type};

/// Above every character a text can continue with: `p` followed by anything sorts below
/// `p` + this (UTF-8 orders as code points; U+10FFFF is the largest).
const TOP: char = '\u{10FFFF}';

/// A SELECT (or UPDATE) whose WHERE clause holds only the filters given.
pub(crate) struct Filtered {
    q: QueryBuilder<Sqlite>,
    any: bool,
}

impl Filtered {
    /// `head`: the statement up to where its WHERE clause would start.
    pub(crate) fn new(head: &'static str) -> Filtered {
        Filtered {
            q: QueryBuilder::new(head),
            any: false,
        }
    }

    /// The same, for a head assembled from constant parts (column lists).
    pub(crate) fn from_parts(parts: &[&'static str]) -> Filtered {
        Filtered {
            q: QueryBuilder::new(parts.concat()),
            any: false,
        }
    }

    fn and(&mut self) -> &mut QueryBuilder<Sqlite> {
        self.q.push(if self.any { " AND " } else { " WHERE " });
        self.any = true;
        &mut self.q
    }

    /// `column LIKE pattern` when a pattern is given (SQLite: ASCII case-insensitive). For
    /// narrowing filters beside an indexed one; a LIKE alone does not use an index.
    pub(crate) fn like(&mut self, column: &'static str, pattern: Option<String>) -> &mut Filtered {
        if let Some(p) = pattern {
            self.and().push(column).push(" LIKE ").push_bind(p);
        }
        self
    }

    /// A condition with one value that always applies: the value goes between `before` and
    /// `after` (`"h.agency = "`, `""`).
    pub(crate) fn always_bind<'t, T>(
        &mut self,
        before: &'static str,
        value: T,
        after: &'static str,
    ) -> &mut Filtered
    where
        T: Encode<'t, Sqlite> + Type<Sqlite> + 't,
    {
        self.and().push(before).push_bind(value).push(after);
        self
    }

    /// `column = value` when a value is given.
    pub(crate) fn eq<'t, T>(&mut self, column: &'static str, value: Option<T>) -> &mut Filtered
    where
        T: Encode<'t, Sqlite> + Type<Sqlite> + 't,
    {
        self.cmp(column, "=", value)
    }

    /// `column op value` (`>=`, `<`, …) when a value is given.
    pub(crate) fn cmp<'t, T>(
        &mut self,
        column: &'static str,
        op: &'static str,
        value: Option<T>,
    ) -> &mut Filtered
    where
        T: Encode<'t, Sqlite> + Type<Sqlite> + 't,
    {
        if let Some(v) = value {
            self.and()
                .push(column)
                .push(" ")
                .push(op)
                .push(" ")
                .push_bind(v);
        }
        self
    }

    /// `column` starts with `prefix`, as a range its index serves.
    pub(crate) fn prefix(&mut self, column: &'static str, prefix: Option<&str>) -> &mut Filtered {
        if let Some(p) = prefix {
            let upper = format!("{p}{TOP}");
            self.and()
                .push(column)
                .push(" >= ")
                .push_bind(p.to_string())
                .push(" AND ")
                .push(column)
                .push(" < ")
                .push_bind(upper);
        }
        self
    }

    /// Constant SQL after the WHERE clause (`ORDER BY …`).
    pub(crate) fn then(&mut self, sql: &'static str) -> &mut Filtered {
        self.q.push(" ").push(sql);
        self
    }

    /// A bound value after the WHERE clause (`LIMIT ?`).
    pub(crate) fn then_bind<'t, T>(&mut self, sql: &'static str, value: T) -> &mut Filtered
    where
        T: Encode<'t, Sqlite> + Type<Sqlite> + 't,
    {
        self.q.push(" ").push(sql).push_bind(value);
        self
    }

    /// The statement to run.
    pub(crate) fn query(&mut self) -> sqlx::query::Query<'_, Sqlite, SqliteArguments> {
        self.q.build()
    }

    /// The statement to run, each row read by column name into `T`.
    pub(crate) fn query_as<'q, T>(
        &'q mut self,
    ) -> sqlx::query::QueryAs<'q, Sqlite, T, SqliteArguments>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>,
    {
        self.q.build_query_as()
    }

    /// The SQL as built, for `EXPLAIN QUERY PLAN` in tests.
    #[cfg(test)]
    pub(crate) fn sql(&self) -> String {
        self.q.sql().as_str().to_string()
    }
}

/// The plan SQLite chooses for a built statement, one line per step (`SEARCH audit USING
/// INDEX …`, `SCAN audit`), for tests that hold searches to their indexes.
#[cfg(test)]
pub(crate) async fn plan(pool: &sqlx::SqlitePool, f: &mut Filtered) -> Vec<String> {
    use sqlx::{Execute, Row};
    let sql = format!("EXPLAIN QUERY PLAN {}", f.sql());
    // The same values bound: the plan of the statement that runs.
    let args = f.q.build().take_arguments().unwrap();
    let rows = match args {
        Some(a) => sqlx::query_with(sqlx::AssertSqlSafe(sql), a)
            .fetch_all(pool)
            .await
            .unwrap(),
        None => sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(pool)
            .await
            .unwrap(),
    };
    rows.iter()
        .map(|r| r.try_get::<String, _>("detail").unwrap())
        .collect()
}
