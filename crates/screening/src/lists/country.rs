//! Countries as lists write them — names ("Iran (Islamic Republic of)", "Korea, North"), ISO
//! alpha-2 or alpha-3 codes — brought to ISO 3166-1 alpha-3.
//!
//! The table is `data/countries.csv` (ISO short, official and common names from Debian's
//! iso-codes, plus the variants the UN, OFAC and EU lists use), embedded at build time.

use std::collections::HashMap;
use std::sync::LazyLock;

const TABLE_CSV: &str = include_str!("../../data/countries.csv");

struct Table {
    by_alpha2: HashMap<String, &'static str>,
    by_alpha3: HashMap<String, &'static str>,
    by_name: HashMap<String, &'static str>,
}

static TABLE: LazyLock<Table> = LazyLock::new(|| {
    let mut table = Table {
        by_alpha2: HashMap::new(),
        by_alpha3: HashMap::new(),
        by_name: HashMap::new(),
    };
    for line in TABLE_CSV.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let mut fields = line.splitn(3, ',');
        let (Some(alpha2), Some(alpha3), Some(names)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let alpha3: &'static str = alpha3.trim();
        if alpha3.len() != 3 {
            continue;
        }
        if alpha2.len() == 2 {
            table.by_alpha2.entry(alpha2.to_owned()).or_insert(alpha3);
        }
        table.by_alpha3.insert(alpha3.to_owned(), alpha3);
        for name in names.split(';') {
            let key = name_key(name);
            if !key.is_empty() {
                table.by_name.entry(key).or_insert(alpha3);
            }
        }
    }
    table
});

/// The alpha-3 code of an ISO alpha-2 code (any case), e.g. `ir` → `IRN`.
pub fn from_alpha2(code: &str) -> Option<&'static str> {
    let code = code.trim();
    if code.len() != 2 {
        return None;
    }
    TABLE.by_alpha2.get(&code.to_ascii_uppercase()).copied()
}

/// The code itself when it is a known alpha-3 code (any case).
pub fn from_alpha3(code: &str) -> Option<&'static str> {
    let code = code.trim();
    if code.len() != 3 {
        return None;
    }
    TABLE.by_alpha3.get(&code.to_ascii_uppercase()).copied()
}

/// The alpha-3 code of a country name as lists write it ("Russian Federation", "Korea, North",
/// "Türkiye", "Congo, Democratic Republic of the").
pub fn from_name(name: &str) -> Option<&'static str> {
    TABLE.by_name.get(&name_key(name)).copied()
}

/// Anything a national list may give: an alpha-3 code, an alpha-2 code, ICAO's `D` for Germany
/// and `RKS` for Kosovo, or an English name.
pub fn from_any(text: &str) -> Option<&'static str> {
    let text = text.trim();
    match text.to_ascii_uppercase().as_str() {
        "D" => return from_alpha3("DEU"),
        "RKS" => return from_alpha3("XKX"),
        _ => {}
    }
    from_alpha3(text)
        .or_else(|| from_alpha2(text))
        .or_else(|| from_name(text))
}

/// Texts that mean "no country" ("na", "unknown", EU's "00").
pub fn is_blank(text: &str) -> bool {
    matches!(
        name_key(text).as_str(),
        "" | "na" | "n a" | "none" | "unknown" | "00" | "xx" | "not applicable"
    )
}

/// Lower case, accents folded, punctuation as spaces, `&` as `and`, a leading or trailing
/// "the" dropped.
fn name_key(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    for c in name.chars() {
        let folded = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => {
                'a'
            }
            'ç' | 'Ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' | 'È' | 'É' | 'Ê' | 'Ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' | 'Ì' | 'Í' | 'Î' | 'Ï' => 'i',
            'ñ' | 'Ñ' => 'n',
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => {
                'o'
            }
            'ù' | 'ú' | 'û' | 'ü' | 'Ù' | 'Ú' | 'Û' | 'Ü' => 'u',
            'ý' | 'ÿ' | 'Ý' => 'y',
            '&' => {
                key.push_str(" and ");
                continue;
            }
            c if c.is_alphanumeric() => {
                key.extend(c.to_lowercase());
                continue;
            }
            _ => ' ',
        };
        key.push(folded);
    }
    let mut words: Vec<&str> = key.split_whitespace().collect();
    if words.first() == Some(&"the") {
        words.remove(0);
    }
    if words.len() > 1 && words.last() == Some(&"the") {
        words.pop();
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_the_lists_write_them() {
        assert_eq!(from_name("Afghanistan"), Some("AFG"));
        assert_eq!(from_name("Iran (Islamic Republic of)"), Some("IRN"));
        assert_eq!(from_name("Russian Federation"), Some("RUS"));
        assert_eq!(from_name("Syrian Arab Republic"), Some("SYR"));
        assert_eq!(from_name("Korea, North"), Some("PRK"));
        assert_eq!(
            from_name("Democratic People's Republic of Korea"),
            Some("PRK")
        );
        assert_eq!(from_name("Türkiye"), Some("TUR"));
        assert_eq!(from_name("Cote d Ivoire"), Some("CIV"));
        assert_eq!(from_name("Côte d'Ivoire"), Some("CIV"));
        assert_eq!(from_name("Bahamas, The"), Some("BHS"));
        assert_eq!(from_name("The Gambia"), Some("GMB"));
        assert_eq!(from_name("Congo, Democratic Republic of the"), Some("COD"));
        assert_eq!(from_name("Congo"), Some("COG"));
        assert_eq!(from_name("Burma"), Some("MMR"));
        assert_eq!(from_name("Kosovo"), Some("XKX"));
        assert_eq!(from_name("Atlantis"), None);
    }

    #[test]
    fn codes() {
        assert_eq!(from_alpha2("ru"), Some("RUS"));
        assert_eq!(from_alpha2("GB"), Some("GBR"));
        assert_eq!(from_alpha2("XK"), Some("XKX"));
        assert_eq!(from_alpha2("CS"), Some("SCG"));
        assert_eq!(from_alpha2("00"), None);
        assert_eq!(from_alpha3("deu"), Some("DEU"));
        assert_eq!(from_any("D"), Some("DEU"));
        assert_eq!(from_any("nl"), Some("NLD"));
        assert_eq!(from_any("Netherlands"), Some("NLD"));
        assert!(is_blank("na"));
        assert!(is_blank("00"));
        assert!(!is_blank("Iraq"));
    }
}
