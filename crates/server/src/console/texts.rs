//! The console's message catalogues: every text a page shows comes from `i18n/<lang>.txt`,
//! so that a translation (French, Spanish, Arabic written right to left) is a file, not a
//! change of templates. English is built in and fills keys a translation lacks.

use std::collections::HashMap;
use std::sync::LazyLock;

/// One language's texts.
#[derive(Debug)]
pub struct Texts {
    pub lang: String,
    /// `ltr` or `rtl`, for the page's `dir` attribute.
    pub dir: String,
    texts: HashMap<String, String>,
}

impl Texts {
    /// Reads a catalogue: `key = text` lines, `@lang`/`@dir` headers, `#` comments.
    pub fn parse(source: &str) -> Texts {
        let mut t = Texts {
            lang: "en".into(),
            dir: "ltr".into(),
            texts: HashMap::new(),
        };
        for line in source.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((k, v)) = line.split_once('=') else {
                continue;
            };
            let (k, v) = (k.trim(), v.trim().to_string());
            match k {
                "@lang" => t.lang = v,
                "@dir" => t.dir = v,
                _ => {
                    t.texts.insert(k.to_string(), v);
                }
            }
        }
        t
    }

    /// The text of a key; the key itself when the catalogue lacks it (visible, not blank).
    pub fn get<'a>(&'a self, key: &'a str) -> &'a str {
        self.texts
            .get(key)
            .map(String::as_str)
            .or_else(|| {
                (!std::ptr::eq(self, &*ENGLISH))
                    .then(|| ENGLISH.texts.get(key).map(String::as_str))
                    .flatten()
            })
            .unwrap_or(key)
    }

    #[cfg(test)]
    pub fn has(&self, key: &str) -> bool {
        self.texts.contains_key(key)
    }
}

/// The built-in English catalogue.
pub static ENGLISH: LazyLock<Texts> =
    LazyLock::new(|| Texts::parse(include_str!("../../i18n/en.txt")));

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_a_template_uses_is_in_the_english_catalogue() {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/templates");
        let mut used = 0;
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let source = std::fs::read_to_string(&path).unwrap();
            for part in source.split("t.get(\"").skip(1) {
                let key = part.split('"').next().unwrap();
                assert!(
                    ENGLISH.has(key),
                    "{}: {key} is not in en.txt",
                    path.display()
                );
                used += 1;
            }
        }
        assert!(used > 50, "templates use the catalogue ({used} uses)");
    }

    #[test]
    fn a_translation_falls_back_to_english_and_keeps_its_direction() {
        let ar = Texts::parse("@lang = ar\n@dir = rtl\nnav.today = اليوم\n");
        assert_eq!(ar.dir, "rtl");
        assert_eq!(ar.get("nav.today"), "اليوم");
        assert_eq!(ar.get("nav.flights"), "Flights");
        assert_eq!(ar.get("no.such.key"), "no.such.key");
    }
}
