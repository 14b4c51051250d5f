//! What a watchlist holds, whatever format it was published in.

use jiff::civil::Date;
use model::Sex;
use serde::{Deserialize, Serialize};

/// One entry of a list: a listed person (or, kept for completeness, an organisation, a vessel, a
/// lost or stolen document).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The publisher's own identifier (UN reference number, OFAC uid, EU logical id, FtM id,
    /// national CSV id). Stable across versions: diffs are keyed on it.
    pub id: String,
    pub kind: EntryKind,
    /// The primary name first, then aliases.
    pub names: Vec<EntryName>,
    pub birth_dates: Vec<BirthDate>,
    pub sex: Option<Sex>,
    /// ISO 3166-1 alpha-3 where the publisher's text could be recognised, else the text as given.
    pub nationalities: Vec<String>,
    pub documents: Vec<EntryDocument>,
    /// Why the entry is listed (programme, regime, free-text reason) as the publisher states it.
    pub reason: Option<String>,
    pub listed_on: Option<Date>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Person,
    Organisation,
    Vessel,
    /// A lost or stolen travel document: only its number and issuing State matter.
    Document,
    Other,
}

/// A name as listed, with what the publisher tells about it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryName {
    /// The whole name as published (parts joined in the publisher's order when only parts exist).
    pub full: String,
    /// Given names when the publisher separates them.
    pub given: Option<String>,
    /// Family name (surname) when the publisher separates it.
    pub family: Option<String>,
    pub quality: NameQuality,
    pub script: Script,
}

/// How much an alias can be trusted (UN "Good"/"Low", OFAC "strong"/"weak").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NameQuality {
    Primary,
    Strong,
    Weak,
}

/// The writing system of a name, detected from its letters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Script {
    Latin,
    Arabic,
    Cyrillic,
    Greek,
    Han,
    Hangul,
    Kana,
    Other,
}

impl Script {
    /// The script of the first letter that is not Latin, else Latin.
    pub fn of(text: &str) -> Script {
        for c in text.chars().filter(|c| c.is_alphabetic()) {
            let script = match c as u32 {
                0x0000..=0x024F | 0x1E00..=0x1EFF => continue,
                0x0370..=0x03FF | 0x1F00..=0x1FFF => Script::Greek,
                0x0400..=0x052F => Script::Cyrillic,
                0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFEFF => {
                    Script::Arabic
                }
                0x1100..=0x11FF | 0x3130..=0x318F | 0xAC00..=0xD7AF => Script::Hangul,
                0x3040..=0x30FF => Script::Kana,
                0x4E00..=0x9FFF | 0x3400..=0x4DBF => Script::Han,
                _ => Script::Other,
            };
            return script;
        }
        Script::Latin
    }
}

/// A date of birth as lists give it: exact, a year, or a range of years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BirthDate {
    Exact(Date),
    Year(i16),
    /// Years from..=to, inclusive ("circa", "between").
    Range {
        from: i16,
        to: i16,
    },
}

/// An identity document named by an entry (or the document itself, for a lost/stolen list).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryDocument {
    /// Passport, national identity card, … as the publisher names it.
    pub kind: Option<String>,
    pub number: String,
    /// ISO 3166-1 alpha-3 where recognised, else the text as given.
    pub issuing_state: Option<String>,
}

/// One import of a list: its entries as of that publication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListVersion {
    /// The list's name in this unit ("un", "ofac", "eu", "national-watchlist", …).
    pub list: String,
    /// 1 for the first import, then +1 per import.
    pub number: u32,
    /// SHA-256 of the imported file, hex.
    pub source_sha256: String,
    /// The publication date the file states, when it states one.
    pub published: Option<Date>,
    pub entries: Vec<Entry>,
}

/// A list and its versions, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct List {
    pub versions: Vec<ListVersion>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts_are_told_by_their_letters() {
        assert_eq!(Script::of("SADDAM HUSSEIN"), Script::Latin);
        assert_eq!(Script::of("صدام حسين التكريتي"), Script::Arabic);
        assert_eq!(Script::of("Владимир"), Script::Cyrillic);
        assert_eq!(Script::of("김정은"), Script::Hangul);
        assert_eq!(Script::of("金正恩"), Script::Han);
        assert_eq!(Script::of("José Pérez"), Script::Latin);
    }
}
