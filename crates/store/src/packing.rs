//! Large documents — message bodies and booking versions — are kept compressed (LZ4): a medium
//! day's booking JSON shrinks several times, so the store writes, checkpoints and keeps far
//! fewer pages. Compression is lossless: bodies come back byte for byte (their SHA-256 and size
//! are of the bytes as received). Rows written before compression read as they are.

use std::borrow::Cow;

use crate::StoreError;

/// Marks a packed value; EDIFACT and JSON never start with these bytes.
const MAGIC: &[u8; 4] = b"\0LZ4";

pub(crate) fn pack(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() / 3 + 16);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&lz4_flex::compress_prepend_size(bytes));
    out
}

pub(crate) fn unpack(stored: &[u8]) -> Result<Cow<'_, [u8]>, StoreError> {
    match stored.strip_prefix(MAGIC) {
        Some(packed) => lz4_flex::decompress_size_prepended(packed)
            .map(Cow::Owned)
            .map_err(|e| StoreError::Corrupt(format!("a packed value does not unpack: {e}"))),
        None => Ok(Cow::Borrowed(stored)),
    }
}

/// A packed column (or a plain one written before packing), read by name in a row struct.
/// Old rows hold TEXT, packed ones a BLOB: both decode.
#[derive(Debug, Clone, Default)]
pub(crate) struct Packed(Vec<u8>);

impl Packed {
    /// The unpacked bytes.
    pub(crate) fn bytes(&self) -> Result<Cow<'_, [u8]>, StoreError> {
        unpack(&self.0)
    }

    /// The unpacked value as text.
    pub(crate) fn text(&self) -> Result<String, StoreError> {
        String::from_utf8(self.bytes()?.into_owned())
            .map_err(|e| StoreError::Corrupt(e.to_string()))
    }
}

impl sqlx::Type<sqlx::Sqlite> for Packed {
    fn type_info() -> sqlx::sqlite::SqliteTypeInfo {
        <Vec<u8> as sqlx::Type<sqlx::Sqlite>>::type_info()
    }

    fn compatible(ty: &sqlx::sqlite::SqliteTypeInfo) -> bool {
        <Vec<u8> as sqlx::Type<sqlx::Sqlite>>::compatible(ty)
            || <String as sqlx::Type<sqlx::Sqlite>>::compatible(ty)
    }
}

impl<'r> sqlx::Decode<'r, sqlx::Sqlite> for Packed {
    fn decode(value: sqlx::sqlite::SqliteValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        Ok(Packed(<Vec<u8> as sqlx::Decode<sqlx::Sqlite>>::decode(
            value,
        )?))
    }
}

impl sqlx::Type<sqlx::Postgres> for Packed {
    fn type_info() -> sqlx::postgres::PgTypeInfo {
        <Vec<u8> as sqlx::Type<sqlx::Postgres>>::type_info()
    }
}

impl<'r> sqlx::Decode<'r, sqlx::Postgres> for Packed {
    fn decode(value: sqlx::postgres::PgValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        Ok(Packed(<Vec<u8> as sqlx::Decode<sqlx::Postgres>>::decode(
            value,
        )?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing_round_trips_and_plain_values_pass_through() {
        let json =
            br#"{"locator":"QZX123","travellers":[{"surname":"SYNTH"},{"surname":"SYNTH"}]}"#;
        let packed = pack(json);
        assert!(packed.starts_with(MAGIC));
        assert_eq!(unpack(&packed).unwrap().as_ref(), json);
        assert_eq!(unpack(json).unwrap().as_ref(), json);
        assert!(unpack(b"\0LZ4garbage").is_err());
        let edifact = "UNA:+.? 'UNB+UNOA:4+XQ+PIU'".repeat(100);
        assert!(pack(edifact.as_bytes()).len() < edifact.len() / 5);
    }
}
