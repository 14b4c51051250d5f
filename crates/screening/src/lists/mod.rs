//! Watchlists in their published formats, imported as [`Entry`]s, and list versions.
//!
//! Formats: the UN Security Council consolidated list (XML), the US OFAC SDN list (XML), the EU
//! Financial Sanctions Files (XML 1.1), FollowTheMoney entities (JSON lines, the OpenSanctions
//! data model) and a CSV for national watchlists and lost or stolen documents
//! (`docs/watchlist-csv.md`).
//!
//! An importer never panics on bad input: what it cannot read or has to skip becomes an
//! [`ImportFinding`]; only a file that is not the format at all is an [`ImportError`].
//! Nationalities and issuing States become ISO 3166-1 alpha-3 codes where [`country`] recognises
//! them, else they stay as given.

pub mod country;
mod csv;
mod diff;
mod eu;
mod ftm;
mod ofac;
mod un;
mod xml;

use std::collections::{HashMap, HashSet};
use std::fmt;
use std::str::FromStr;

use jiff::civil::Date;
use model::Sex;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::entry::{
    BirthDate, Entry, EntryKind, EntryName, List, ListVersion, NameQuality, Script,
};

pub use diff::{Diff, diff};

/// A "circa" or "approximately" year becomes the range of this many years either side.
pub const CIRCA_YEARS: i16 = 1;

/// The list formats Passage reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// UN Security Council Consolidated List, XML (`CONSOLIDATED_LIST`).
    Un,
    /// US OFAC Specially Designated Nationals list, XML (`sdnList`).
    Ofac,
    /// EU Financial Sanctions Files, XML 1.1 (`export`).
    Eu,
    /// FollowTheMoney entities, one JSON object per line.
    FollowTheMoney,
    /// Passage's CSV for national watchlists and lost or stolen documents.
    Csv,
}

impl Format {
    pub const ALL: [Format; 5] = [
        Format::Un,
        Format::Ofac,
        Format::Eu,
        Format::FollowTheMoney,
        Format::Csv,
    ];

    /// The short name used on the command line and in [`FromStr`]: `un`, `ofac`, `eu`, `ftm`,
    /// `csv`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Un => "un",
            Format::Ofac => "ofac",
            Format::Eu => "eu",
            Format::FollowTheMoney => "ftm",
            Format::Csv => "csv",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Format::Un => "UN consolidated list",
            Format::Ofac => "OFAC SDN list",
            Format::Eu => "EU financial sanctions file",
            Format::FollowTheMoney => "FollowTheMoney JSON lines",
            Format::Csv => "watchlist CSV",
        }
    }

    /// The format of a file, told from its first bytes: the XML root element, the first JSON
    /// line, or a CSV header with `id` and `kind` columns.
    pub fn detect(bytes: &[u8]) -> Option<Format> {
        let head = bytes.get(..bytes.len().min(64 * 1024)).unwrap_or(bytes);
        let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
        let start = head.iter().position(|b| !b.is_ascii_whitespace())?;
        let head = head.get(start..)?;
        match head.first()? {
            b'<' => match xml_root_name(head)?.as_str() {
                "CONSOLIDATED_LIST" => Some(Format::Un),
                "sdnList" => Some(Format::Ofac),
                "export" => Some(Format::Eu),
                _ => None,
            },
            b'{' => {
                let line = head.split(|&b| b == b'\n').next()?;
                let value: serde_json::Value = serde_json::from_slice(line).ok()?;
                value
                    .get("schema")
                    .is_some_and(serde_json::Value::is_string)
                    .then_some(Format::FollowTheMoney)
            }
            _ => {
                let line = head
                    .split(|&b| b == b'\n')
                    .find(|line| !line.starts_with(b"#"))?;
                let line = String::from_utf8_lossy(line);
                let columns: Vec<String> = line
                    .split(',')
                    .map(|c| c.trim().trim_matches('"').to_ascii_lowercase())
                    .collect();
                (columns.iter().any(|c| c == "id") && columns.iter().any(|c| c == "kind"))
                    .then_some(Format::Csv)
            }
        }
    }
}

/// The local name of the first element (after the declaration, comments, a doctype).
fn xml_root_name(head: &[u8]) -> Option<String> {
    let mut rest = head;
    loop {
        let open = rest.iter().position(|&b| b == b'<')?;
        rest = rest.get(open + 1..)?;
        if rest.starts_with(b"!--") {
            let end = rest.windows(3).position(|w| w == b"-->")?;
            rest = rest.get(end + 3..)?;
        } else if rest.starts_with(b"?") || rest.starts_with(b"!") {
            let end = rest.iter().position(|&b| b == b'>')?;
            rest = rest.get(end + 1..)?;
        } else {
            let end = rest
                .iter()
                .position(|&b| b.is_ascii_whitespace() || b == b'>' || b == b'/')
                .unwrap_or(rest.len());
            let name = String::from_utf8_lossy(rest.get(..end)?).into_owned();
            return Some(match name.rsplit_once(':') {
                Some((_, local)) => local.to_owned(),
                None => name,
            });
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A format name that is none of `un`, `ofac`, `eu`, `ftm`, `csv`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown list format {0:?} (expected un, ofac, eu, ftm or csv)")]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "un" => Ok(Format::Un),
            "ofac" | "sdn" => Ok(Format::Ofac),
            "eu" => Ok(Format::Eu),
            "ftm" | "followthemoney" => Ok(Format::FollowTheMoney),
            "csv" => Ok(Format::Csv),
            _ => Err(UnknownFormat(s.to_owned())),
        }
    }
}

/// A file that is not the format at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("not a {format}: {reason}")]
    NotFormat {
        format: &'static str,
        reason: String,
    },
}

/// Something an importer skipped or could not read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportFinding {
    /// Stable, snake_case: `entry_without_name`, `birth_date_unreadable`, …
    pub code: &'static str,
    /// The publisher's id of the entry concerned, when there is one.
    pub entry: Option<String>,
    pub text: String,
}

/// What one file held.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Imported {
    pub entries: Vec<Entry>,
    /// The publication date the file states.
    pub published: Option<Date>,
    pub findings: Vec<ImportFinding>,
}

/// Reads a list file in the given format.
pub fn import(format: Format, bytes: &[u8]) -> Result<Imported, ImportError> {
    match format {
        Format::Un => un::import(bytes),
        Format::Ofac => ofac::import(bytes),
        Format::Eu => eu::import(bytes),
        Format::FollowTheMoney => ftm::import(bytes),
        Format::Csv => csv::import(bytes),
    }
}

impl ListVersion {
    /// The next version of a list: number one more than `previous` (1 without one), the SHA-256
    /// of the file, its entries and publication date. The import's findings are not kept here;
    /// take them from `imported` first if they are wanted.
    pub fn from_import(
        list: &str,
        previous: Option<&ListVersion>,
        bytes: &[u8],
        imported: Imported,
    ) -> ListVersion {
        ListVersion {
            list: list.to_owned(),
            number: previous.map_or(1, |p| p.number.saturating_add(1)),
            source_sha256: sha256_hex(bytes),
            published: imported.published,
            entries: imported.entries,
        }
    }
}

impl List {
    /// The newest version.
    pub fn latest(&self) -> Option<&ListVersion> {
        self.versions.last()
    }

    /// Adds an import as the next version, unless the file is byte for byte the latest one
    /// (then nothing changes). Returns whether a version was added.
    pub fn add_import(&mut self, list: &str, bytes: &[u8], imported: Imported) -> bool {
        let previous = self.latest();
        if previous.is_some_and(|p| p.source_sha256 == sha256_hex(bytes)) {
            return false;
        }
        let version = ListVersion::from_import(list, previous, bytes, imported);
        self.versions.push(version);
        true
    }
}

fn sha256_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let digest = Sha256::digest(bytes);
    let mut hex = String::with_capacity(64);
    for byte in digest {
        let _ = write!(hex, "{byte:02x}");
    }
    hex
}

// ---------------------------------------------------------------------------------------------
// Shared by the importers.

/// Collects entries and findings; checks ids and names and removes repeats within an entry.
#[derive(Debug, Default)]
struct Collector {
    entries: Vec<Entry>,
    findings: Vec<ImportFinding>,
    ids: HashSet<String>,
}

impl Collector {
    fn finding(&mut self, code: &'static str, entry: Option<&str>, text: impl Into<String>) {
        self.findings.push(ImportFinding {
            code,
            entry: entry.map(str::to_owned),
            text: text.into(),
        });
    }

    /// Keeps an entry that has an id not seen before and a name (or, for a document, a number).
    fn push(&mut self, mut entry: Entry) {
        if entry.id.trim().is_empty() {
            self.finding(
                "entry_without_id",
                None,
                "an entry without an id was skipped",
            );
            return;
        }
        tidy(&mut entry);
        if entry.kind == EntryKind::Document {
            if entry.documents.is_empty() {
                self.finding(
                    "document_without_number",
                    Some(&entry.id),
                    "a document entry without a number was skipped",
                );
                return;
            }
        } else if entry.names.is_empty() {
            self.finding(
                "entry_without_name",
                Some(&entry.id),
                "an entry without a name was skipped",
            );
            return;
        }
        if !self.ids.insert(entry.id.clone()) {
            self.finding(
                "duplicate_id_merged",
                Some(&entry.id),
                "a second entry with the same id was merged into the first",
            );
            if let Some(first) = self.entries.iter_mut().rev().find(|e| e.id == entry.id) {
                merge(first, entry);
            }
            return;
        }
        self.entries.push(entry);
    }

    fn ended(&mut self, end: xml::End) {
        if let xml::End::Broken(reason) = end {
            self.finding("file_broken", None, reason);
        }
    }

    fn finish(self, published: Option<Date>) -> Imported {
        Imported {
            entries: self.entries,
            published,
            findings: self.findings,
        }
    }
}

/// Adds what `later` says of the same subject to `first` (its names as aliases).
fn merge(first: &mut Entry, later: Entry) {
    first
        .names
        .extend(later.names.into_iter().map(|name| EntryName {
            quality: match name.quality {
                NameQuality::Primary => NameQuality::Strong,
                quality => quality,
            },
            ..name
        }));
    first.birth_dates.extend(later.birth_dates);
    first.nationalities.extend(later.nationalities);
    first.documents.extend(later.documents);
    first.sex = first.sex.or(later.sex);
    first.reason = first.reason.take().or(later.reason);
    first.listed_on = first.listed_on.or(later.listed_on);
    tidy(first);
}

/// Drops repeated names (same text, the better quality kept), dates, nationalities, documents.
fn tidy(entry: &mut Entry) {
    let mut seen = HashSet::new();
    entry
        .names
        .retain(|name| seen.insert(name.full.to_lowercase()));
    let mut seen = HashSet::new();
    entry.birth_dates.retain(|date| seen.insert(*date));
    let mut seen = HashSet::new();
    entry
        .nationalities
        .retain(|nationality| seen.insert(nationality.clone()));
    let mut seen = HashSet::new();
    entry.documents.retain(|document| {
        seen.insert((
            document.number.to_uppercase(),
            document.issuing_state.clone(),
        ))
    });
}

fn new_entry(id: &str, kind: EntryKind) -> Entry {
    Entry {
        id: id.trim().to_owned(),
        kind,
        names: Vec::new(),
        birth_dates: Vec::new(),
        sex: None,
        nationalities: Vec::new(),
        documents: Vec::new(),
        reason: None,
        listed_on: None,
    }
}

/// Whitespace (line breaks included) collapsed to single spaces, trimmed.
fn clean(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn non_empty(text: Option<&str>) -> Option<String> {
    text.map(clean).filter(|t| !t.is_empty())
}

/// A name from its whole text, or from its parts when the whole is not given.
fn name(
    full: Option<&str>,
    given: Option<&str>,
    family: Option<&str>,
    quality: NameQuality,
) -> Option<EntryName> {
    let given = non_empty(given);
    let family = non_empty(family);
    let full = non_empty(full).or_else(|| {
        let joined = clean(&format!(
            "{} {}",
            given.as_deref().unwrap_or(""),
            family.as_deref().unwrap_or("")
        ));
        (!joined.is_empty()).then_some(joined)
    })?;
    Some(EntryName {
        script: Script::of(&full),
        full,
        given,
        family,
        quality,
    })
}

/// `YYYY-MM-DD` at the start of the text (a timestamp's date part included).
fn iso_date(text: &str) -> Option<Date> {
    let text = text.trim();
    let bytes = text.as_bytes();
    if bytes.len() < 10 || bytes.get(4) != Some(&b'-') || bytes.get(7) != Some(&b'-') {
        return None;
    }
    let year = text.get(0..4)?.parse().ok()?;
    let month = text.get(5..7)?.parse().ok()?;
    let day = text.get(8..10)?.parse().ok()?;
    if bytes.get(10).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    Date::new(year, month, day).ok()
}

/// A plausible year of birth, four digits.
fn birth_year(text: &str) -> Option<i16> {
    let text = text.trim();
    if text.len() != 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i16 = text.parse().ok()?;
    (1800..=2100).contains(&year).then_some(year)
}

fn circa(year: i16) -> BirthDate {
    BirthDate::Range {
        from: year.saturating_sub(CIRCA_YEARS),
        to: year.saturating_add(CIRCA_YEARS),
    }
}

/// From..=to years, in whichever order given; one year when both are the same.
fn year_range(from: i16, to: i16) -> BirthDate {
    let (from, to) = if from <= to { (from, to) } else { (to, from) };
    if from == to {
        BirthDate::Year(from)
    } else {
        BirthDate::Range { from, to }
    }
}

fn sex(text: &str) -> Option<Sex> {
    match text.trim().to_ascii_lowercase().as_str() {
        "m" | "male" => Some(Sex::Male),
        "f" | "female" => Some(Sex::Female),
        "x" | "other" => Some(Sex::Other),
        "u" | "unknown" | "unspecified" => Some(Sex::Unspecified),
        _ => None,
    }
}

/// A country as alpha-3 where `recognise` knows it, else as given; `None` for "no country".
fn country(text: &str, recognise: fn(&str) -> Option<&'static str>) -> Option<String> {
    let text = clean(text);
    if country::is_blank(&text) {
        return None;
    }
    Some(
        recognise(&text)
            .or_else(|| country::from_any(&text))
            .map_or(text, str::to_owned),
    )
}

/// Counts per key, for findings that summarise ("1,204 Payment entities skipped").
#[derive(Debug, Default)]
struct Tally(HashMap<String, usize>);

impl Tally {
    fn add(&mut self, key: &str) {
        *self.0.entry(key.to_owned()).or_default() += 1;
    }

    fn sorted(self) -> Vec<(String, usize)> {
        let mut all: Vec<_> = self.0.into_iter().collect();
        all.sort();
        all
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Small files of every format, to be cut and damaged.
    const SAMPLES: [(Format, &str); 5] = [
        (
            Format::Un,
            "<CONSOLIDATED_LIST dateGenerated=\"2026-02-27\"><INDIVIDUALS><INDIVIDUAL><FIRST_NAME>A</FIRST_NAME>\
             <REFERENCE_NUMBER>QDi.1</REFERENCE_NUMBER><INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE>\
             <FROM_YEAR>1950</FROM_YEAR><TO_YEAR>1952</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH><NATIONALITY><VALUE>Iraq</VALUE>\
             </NATIONALITY></INDIVIDUAL></INDIVIDUALS></CONSOLIDATED_LIST>",
        ),
        (
            Format::Ofac,
            "<sdnList><publshInformation><Publish_Date>05/07/2024</Publish_Date></publshInformation><sdnEntry>\
             <uid>1</uid><firstName>A</firstName><lastName>B</lastName><sdnType>Individual</sdnType><dateOfBirthList>\
             <dateOfBirthItem><dateOfBirth>circa 1960</dateOfBirth></dateOfBirthItem></dateOfBirthList></sdnEntry></sdnList>",
        ),
        (
            Format::Eu,
            "<export generationDate=\"2024-05-13\"><sanctionEntity logicalId=\"1\"><subjectType code=\"person\"/>\
             <nameAlias wholeName=\"A B\" strong=\"true\"/><birthdate calendarType=\"ISLAMIC\" year=\"1343\"/>\
             <citizenship countryIso2Code=\"IQ\"/></sanctionEntity></export>",
        ),
        (
            Format::FollowTheMoney,
            "{\"id\": \"a\", \"schema\": \"Person\", \"properties\": {\"name\": [\"A B\"], \"birthDate\": [\"1970-01\"]}}\n\
             {\"id\": \"p\", \"schema\": \"Passport\", \"properties\": {\"holder\": [\"a\"], \"number\": [\"1\"]}}\n",
        ),
        (
            Format::Csv,
            "id,kind,family_name,birth_date,nationalities,document_number\n1,person,B,1950..1952,IRQ;de,X1\n",
        ),
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = Format::detect(&bytes);
            for format in Format::ALL {
                let _ = import(format, &bytes);
            }
        }

        #[test]
        fn damaged_files_never_panic(
            sample in 0..SAMPLES.len(),
            cut in 0usize..1000,
            at in 0usize..1000,
            byte in any::<u8>(),
        ) {
            let (format, text) = SAMPLES[sample];
            let mut bytes = text.as_bytes().to_vec();
            bytes.truncate(cut.max(1) * bytes.len() / 1000 + 1);
            if !bytes.is_empty() {
                let at = at % bytes.len();
                bytes[at] = byte;
            }
            let _ = Format::detect(&bytes);
            for other in Format::ALL {
                let _ = import(other, &bytes);
            }
            let _ = import(format, text.as_bytes()).unwrap();
        }
    }

    #[test]
    fn the_samples_import() {
        for (format, text) in SAMPLES {
            assert_eq!(Format::detect(text.as_bytes()), Some(format));
            let imported = import(format, text.as_bytes()).unwrap();
            assert_eq!(imported.entries.len(), 1, "{format}");
            assert_eq!(imported.entries[0].birth_dates.len(), 1, "{format}");
            assert!(
                imported.findings.is_empty(),
                "{format}: {:?}",
                imported.findings
            );
        }
    }

    #[test]
    fn formats_by_name_and_by_content() {
        for format in Format::ALL {
            assert_eq!(format.name().parse::<Format>(), Ok(format));
        }
        assert!("xml".parse::<Format>().is_err());
        assert_eq!(
            Format::detect(b"<?xml version=\"1.0\"?>\n<!-- c --><CONSOLIDATED_LIST a=\"b\">"),
            Some(Format::Un)
        );
        assert_eq!(
            Format::detect(
                b"\xEF\xBB\xBF<?xml version=\"1.0\" standalone=\"yes\"?><sdnList xmlns=\"x\">"
            ),
            Some(Format::Ofac)
        );
        assert_eq!(
            Format::detect(b"<export xmlns=\"http://eu.europa.ec/fpi/fsd/export\">"),
            Some(Format::Eu)
        );
        assert_eq!(
            Format::detect(b"{\"id\": \"a\", \"schema\": \"Person\", \"properties\": {}}\n{"),
            Some(Format::FollowTheMoney)
        );
        assert_eq!(
            Format::detect(b"# national list\nid,kind,family_name\n1,person,X\n"),
            Some(Format::Csv)
        );
        assert_eq!(Format::detect(b"<html>"), None);
        assert_eq!(Format::detect(b"{\"a\": 1}"), None);
        assert_eq!(Format::detect(b""), None);
        assert_eq!(Format::detect(b"name,surname\n"), None);
    }

    #[test]
    fn versions_count_up_and_hash_the_file() {
        let first = ListVersion::from_import("un", None, b"abc", Imported::default());
        assert_eq!(first.number, 1);
        assert_eq!(
            first.source_sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let second = ListVersion::from_import("un", Some(&first), b"abcd", Imported::default());
        assert_eq!(second.number, 2);
        assert_eq!(second.list, "un");

        let mut list = List::default();
        assert!(list.add_import("un", b"abc", Imported::default()));
        assert!(!list.add_import("un", b"abc", Imported::default()));
        assert!(list.add_import("un", b"abcd", Imported::default()));
        assert_eq!(list.latest().map(|v| v.number), Some(2));
    }

    #[test]
    fn small_readers() {
        assert_eq!(
            iso_date("2026-02-27T00:00:09.554Z"),
            Date::new(2026, 2, 27).ok()
        );
        assert_eq!(iso_date("2026-02-30"), None);
        assert_eq!(iso_date("20260227"), None);
        assert_eq!(birth_year("1963"), Some(1963));
        assert_eq!(birth_year("0063"), None);
        assert_eq!(
            year_range(1960, 1958),
            BirthDate::Range {
                from: 1958,
                to: 1960
            }
        );
        assert_eq!(year_range(1960, 1960), BirthDate::Year(1960));
        assert_eq!(clean("  A \n  B "), "A B");
        assert_eq!(
            country("Korea, North", country::from_name),
            Some("PRK".into())
        );
        assert_eq!(
            country("Atlantis", country::from_name),
            Some("Atlantis".into())
        );
        assert_eq!(country("na", country::from_name), None);
    }
}
