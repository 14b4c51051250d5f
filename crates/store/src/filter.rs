//! Queries with optional filters, built from the filters given.
//!
//! `WHERE (? IS NULL OR col = ?)` reads well but makes SQLite (and PostgreSQL's generic plans)
//! scan: the planner cannot use `col`'s index for a condition that may be true for every row.
//! [`Filtered`] writes only the conditions that were given, each as a plain comparison its
//! index serves; a prefix becomes a range (`col >= 'p' AND col < 'p\u{10FFFF}'`), which SQLite
//! answers from a B-tree (binary collation: code point order). PostgreSQL will need the same
//! order for these columns (`COLLATE "C"` or a `text_pattern_ops` index). The SQL stays static
//! text plus `?` placeholders; values are always bound.

use crate::engine::On;

/// Above every character a text can continue with: `p` followed by anything sorts below
/// `p` + this (UTF-8 orders as code points; U+10FFFF is the largest).
const TOP: char = '\u{10FFFF}';

/// A value bound to a built statement.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    Text(String),
    Int(i64),
    Real(f64),
}

impl From<&str> for Arg {
    fn from(s: &str) -> Arg {
        Arg::Text(s.to_string())
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Arg {
        Arg::Text(s)
    }
}

impl From<&String> for Arg {
    fn from(s: &String) -> Arg {
        Arg::Text(s.clone())
    }
}

impl From<i64> for Arg {
    fn from(i: i64) -> Arg {
        Arg::Int(i)
    }
}

impl From<f64> for Arg {
    fn from(x: f64) -> Arg {
        Arg::Real(x)
    }
}

/// A SELECT (or UPDATE) whose WHERE clause holds only the filters given. The SQL is built
/// with `$N` placeholders, which both engines read.
pub(crate) struct Filtered {
    sql: String,
    args: Vec<Arg>,
    any: bool,
}

impl Filtered {
    /// `head`: the statement up to where its WHERE clause would start.
    pub(crate) fn new(head: &'static str) -> Filtered {
        Filtered {
            sql: head.to_string(),
            args: Vec::new(),
            any: false,
        }
    }

    /// The same, for a head assembled from constant parts (column lists).
    pub(crate) fn from_parts(parts: &[&'static str]) -> Filtered {
        Filtered {
            sql: parts.concat(),
            args: Vec::new(),
            any: false,
        }
    }

    fn and(&mut self) -> &mut Filtered {
        self.sql
            .push_str(if self.any { " AND " } else { " WHERE " });
        self.any = true;
        self
    }

    /// Constant SQL.
    pub(crate) fn push(&mut self, sql: &str) -> &mut Filtered {
        self.sql.push_str(sql);
        self
    }

    /// A bound value, as its placeholder.
    pub(crate) fn push_bind(&mut self, value: impl Into<Arg>) -> &mut Filtered {
        self.args.push(value.into());
        let n = self.args.len();
        self.sql.push_str(&format!("${n}"));
        self
    }

    /// `column LIKE pattern`, ASCII letters in either case (SQLite's LIKE; `lower` on both
    /// sides makes PostgreSQL's agree), when a pattern is given. For narrowing filters beside
    /// an indexed one; a LIKE alone does not use an index.
    pub(crate) fn like(&mut self, column: &'static str, pattern: Option<String>) -> &mut Filtered {
        if let Some(p) = pattern {
            self.and()
                .push("lower(")
                .push(column)
                .push(") LIKE lower(")
                .push_bind(p)
                .push(")");
        }
        self
    }

    /// A condition with one value that always applies: the value goes between `before` and
    /// `after` (`"h.agency = "`, `""`).
    pub(crate) fn always_bind(
        &mut self,
        before: &'static str,
        value: impl Into<Arg>,
        after: &'static str,
    ) -> &mut Filtered {
        self.and().push(before).push_bind(value).push(after);
        self
    }

    /// `column = value` when a value is given.
    pub(crate) fn eq<T: Into<Arg>>(
        &mut self,
        column: &'static str,
        value: Option<T>,
    ) -> &mut Filtered {
        self.cmp(column, "=", value)
    }

    /// `column op value` (`>=`, `<`, …) when a value is given.
    pub(crate) fn cmp<T: Into<Arg>>(
        &mut self,
        column: &'static str,
        op: &'static str,
        value: Option<T>,
    ) -> &mut Filtered {
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
                .push_bind(p)
                .push(" AND ")
                .push(column)
                .push(" < ")
                .push_bind(upper);
        }
        self
    }

    /// `column IN (values…)` when values are given (at least one).
    pub(crate) fn any_of(
        &mut self,
        column: &'static str,
        values: Option<&[String]>,
    ) -> &mut Filtered {
        if let Some(values) = values.filter(|v| !v.is_empty()) {
            self.and().push(column).push(" IN (");
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    self.push(", ");
                }
                self.push_bind(v.clone());
            }
            self.push(")");
        }
        self
    }

    /// Constant SQL after the WHERE clause (`ORDER BY …`).
    pub(crate) fn then(&mut self, sql: &'static str) -> &mut Filtered {
        self.sql.push(' ');
        self.sql.push_str(sql);
        self
    }

    /// A bound value after the WHERE clause (`LIMIT $n`).
    pub(crate) fn then_bind(&mut self, sql: &'static str, value: impl Into<Arg>) -> &mut Filtered {
        self.then(sql).push_bind(value)
    }

    /// The SQL as built.
    #[cfg(test)]
    pub(crate) fn sql(&self) -> &str {
        &self.sql
    }

    /// Runs the statement on `on`, each row read by column name into `T`.
    pub(crate) async fn fetch_all<'e, T, S, P>(&self, on: On<S, P>) -> Result<Vec<T>, sqlx::Error>
    where
        T: for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
            + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>
            + Send
            + Unpin,
        S: sqlx::Executor<'e, Database = sqlx::Sqlite>,
        P: sqlx::Executor<'e, Database = sqlx::Postgres>,
    {
        on!(on, |db| sqlx::query_as_with::<Db, T, _>(
            sqlx::AssertSqlSafe(self.sql.clone()),
            arguments::<Db>(&self.args)?
        )
        .fetch_all(db)
        .await)
    }

    /// Runs the statement on `on`; the rows it changed.
    pub(crate) async fn execute<'e, S, P>(&self, on: On<S, P>) -> Result<u64, sqlx::Error>
    where
        S: sqlx::Executor<'e, Database = sqlx::Sqlite>,
        P: sqlx::Executor<'e, Database = sqlx::Postgres>,
    {
        on!(on, |db| sqlx::query_with::<Db, _>(
            sqlx::AssertSqlSafe(self.sql.clone()),
            arguments::<Db>(&self.args)?
        )
        .execute(db)
        .await
        .map(|r| r.rows_affected()))
    }
}

/// The bound values as the engine's arguments, in placeholder order.
fn arguments<DB>(args: &[Arg]) -> Result<<DB as sqlx::Database>::Arguments, sqlx::Error>
where
    DB: sqlx::Database,
    String: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    i64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    f64: for<'q> sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    use sqlx::Arguments;
    let mut out = <DB as sqlx::Database>::Arguments::default();
    for a in args {
        match a {
            Arg::Text(s) => out.add(s.clone()),
            Arg::Int(i) => out.add(*i),
            Arg::Real(x) => out.add(*x),
        }
        .map_err(sqlx::Error::Encode)?;
    }
    Ok(out)
}

/// The plan SQLite chooses for a built statement, one line per step (`SEARCH audit USING
/// INDEX …`, `SCAN audit`), for tests that hold searches to their indexes.
#[cfg(test)]
pub(crate) async fn plan(pool: &sqlx::SqlitePool, f: &mut Filtered) -> Vec<String> {
    // The same values bound: the plan of the statement that runs.
    let explain = Filtered {
        sql: format!("EXPLAIN QUERY PLAN {}", f.sql()),
        args: f.args.clone(),
        any: f.any,
    };
    #[derive(sqlx::FromRow)]
    struct Step {
        detail: String,
    }
    explain
        .fetch_all::<Step, _, &sqlx::PgPool>(On::Sqlite(pool))
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.detail)
        .collect()
}
