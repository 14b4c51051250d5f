//! Character repertoires named by UNB S001/0001 and decoding them into UTF-8 text.

use std::borrow::Cow;

/// The character set an interchange declares in its syntax identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Charset {
    /// UNOA: upper-case ISO 646 subset.
    Unoa,
    /// UNOB: ISO 646 with lower case.
    Unob,
    /// UNOC: ISO 8859-1.
    Unoc,
    /// UNOD: ISO 8859-2.
    Unod,
    /// UNOE: ISO 8859-5.
    Unoe,
    /// UNOF: ISO 8859-7.
    Unof,
    /// UNOW: UTF-8.
    Unow,
    /// UNOX: ISO 2022 code extension; read as UTF-8 when valid, else ISO 8859-1.
    Unox,
    /// UNOY: ISO 10646; read as UTF-8.
    Unoy,
    /// IATA / IATB: the PADIS repertoires (ASCII in practice).
    Iata,
    /// Anything else, or no UNB: UTF-8 when valid, else ISO 8859-1.
    Unknown,
}

impl Charset {
    /// Maps a syntax identifier (`UNOA`, `IATB`, …). `None` when the identifier is not one
    /// of ISO 9735 or PADIS.
    pub fn from_identifier(id: &str) -> Option<Charset> {
        Some(match id {
            "UNOA" => Charset::Unoa,
            "UNOB" => Charset::Unob,
            "UNOC" => Charset::Unoc,
            "UNOD" => Charset::Unod,
            "UNOE" => Charset::Unoe,
            "UNOF" => Charset::Unof,
            "UNOG" | "UNOH" | "UNOI" | "UNOJ" | "UNOK" => Charset::Unknown,
            "UNOW" => Charset::Unow,
            "UNOX" => Charset::Unox,
            "UNOY" => Charset::Unoy,
            "IATA" | "IATB" => Charset::Iata,
            _ => return None,
        })
    }

    /// Decodes bytes of this character set into text. ASCII is borrowed whatever the set.
    #[inline]
    pub fn decode<'a>(&self, bytes: &'a [u8]) -> Cow<'a, str> {
        // ASCII is valid UTF-8 and identical in every set named here; the UTF-8 check is the
        // ASCII check for the sets that may carry UTF-8.
        if let Ok(text) = std::str::from_utf8(bytes)
            && (text.is_ascii() || !self.is_single_byte())
        {
            return Cow::Borrowed(text);
        }
        match self {
            Charset::Unoc => Cow::Owned(latin1(bytes)),
            Charset::Unod => decode_with(encoding_rs::ISO_8859_2, bytes),
            Charset::Unoe => decode_with(encoding_rs::ISO_8859_5, bytes),
            Charset::Unof => decode_with(encoding_rs::ISO_8859_7, bytes),
            Charset::Unow | Charset::Unoy => String::from_utf8_lossy(bytes),
            Charset::Unoa | Charset::Unob | Charset::Iata | Charset::Unox | Charset::Unknown => {
                match std::str::from_utf8(bytes) {
                    Ok(s) => Cow::Borrowed(s),
                    Err(_) => Cow::Owned(latin1(bytes)),
                }
            }
        }
    }

    /// ISO 8859 sets: every byte is one character, so valid UTF-8 may still mean otherwise.
    fn is_single_byte(&self) -> bool {
        matches!(
            self,
            Charset::Unoc | Charset::Unod | Charset::Unoe | Charset::Unof
        )
    }

    /// True when `bytes` hold characters outside this repertoire (tolerated, reported).
    pub fn rejects(&self, bytes: &[u8]) -> bool {
        match self {
            Charset::Unoa => has_lower_case_or_non_ascii(bytes),
            Charset::Unob | Charset::Iata => !bytes.is_ascii(),
            Charset::Unow | Charset::Unoy => std::str::from_utf8(bytes).is_err(),
            _ => false,
        }
    }
}

/// Branch-free inside each 64-byte block so that it vectorizes: this runs over whole
/// interchanges.
fn has_lower_case_or_non_ascii(bytes: &[u8]) -> bool {
    let bad = |b: &u8| u8::from(*b >= 0x80) | u8::from(b.wrapping_sub(b'a') < 26);
    let blocks = bytes.chunks_exact(64);
    let tail = blocks.remainder();
    for block in blocks {
        if block.iter().fold(0u8, |acc, b| acc | bad(b)) != 0 {
            return true;
        }
    }
    tail.iter().any(|b| bad(b) != 0)
}

fn latin1(bytes: &[u8]) -> String {
    bytes.iter().map(|&b| char::from(b)).collect()
}

fn decode_with<'a>(encoding: &'static encoding_rs::Encoding, bytes: &'a [u8]) -> Cow<'a, str> {
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_becomes_utf8() {
        assert_eq!(Charset::Unoc.decode(b"M\xdcLLER"), "MÜLLER");
    }

    #[test]
    fn utf8_is_borrowed() {
        let text = Charset::Unow.decode("ŁUKASZ".as_bytes());
        assert!(matches!(text, Cow::Borrowed("ŁUKASZ")));
    }

    #[test]
    fn iso_8859_5_cyrillic() {
        // "ИВАН" in ISO 8859-5.
        assert_eq!(Charset::Unoe.decode(&[0xb8, 0xb2, 0xb0, 0xbd]), "ИВАН");
    }

    #[test]
    fn unoa_rejects_lower_case() {
        assert!(Charset::Unoa.rejects(b"Smith"));
        assert!(!Charset::Unoa.rejects(b"SMITH"));
        assert!(!Charset::Unob.rejects(b"Smith"));
    }
}
