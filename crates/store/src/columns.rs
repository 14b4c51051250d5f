//! Column types read by name in row structs (`#[derive(sqlx::FromRow)]`) beyond sqlx's own.

/// A JSON column (findings, explanations, identities) parsed as it is read, into `T`: JSON
/// that does not parse is an error of the read, never a null or a default. Explanations and
/// findings stay `serde_json::Value` here (the store does not know their types; their readers
/// read them through their own: `screening::StoredExplanation`, …).
#[derive(Debug, Clone)]
pub(crate) struct Json<T = serde_json::Value>(pub(crate) T);

impl<T> sqlx::Type<sqlx::Sqlite> for Json<T> {
    fn type_info() -> sqlx::sqlite::SqliteTypeInfo {
        <String as sqlx::Type<sqlx::Sqlite>>::type_info()
    }

    fn compatible(ty: &sqlx::sqlite::SqliteTypeInfo) -> bool {
        <String as sqlx::Type<sqlx::Sqlite>>::compatible(ty)
    }
}

impl<T> sqlx::Type<sqlx::Postgres> for Json<T> {
    fn type_info() -> sqlx::postgres::PgTypeInfo {
        <String as sqlx::Type<sqlx::Postgres>>::type_info()
    }

    fn compatible(ty: &sqlx::postgres::PgTypeInfo) -> bool {
        <String as sqlx::Type<sqlx::Postgres>>::compatible(ty)
    }
}

impl<'r, T: serde::de::DeserializeOwned> sqlx::Decode<'r, sqlx::Sqlite> for Json<T> {
    fn decode(value: sqlx::sqlite::SqliteValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        parse(<&str as sqlx::Decode<sqlx::Sqlite>>::decode(value)?)
    }
}

impl<'r, T: serde::de::DeserializeOwned> sqlx::Decode<'r, sqlx::Postgres> for Json<T> {
    fn decode(value: sqlx::postgres::PgValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        parse(<&str as sqlx::Decode<sqlx::Postgres>>::decode(value)?)
    }
}

fn parse<T: serde::de::DeserializeOwned>(text: &str) -> Result<Json<T>, sqlx::error::BoxDynError> {
    // The position only: the text may hold personal data.
    let json = serde_json::from_str(text).map_err(|e| {
        format!(
            "stored JSON does not parse ({:?} at line {} column {})",
            e.classify(),
            e.line(),
            e.column()
        )
    })?;
    Ok(Json(json))
}

impl From<Json> for serde_json::Value {
    fn from(j: Json) -> serde_json::Value {
        j.0
    }
}
