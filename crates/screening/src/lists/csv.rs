//! Passage's CSV for national watchlists and lost or stolen documents; the format is described
//! in `docs/watchlist-csv.md`.
//!
//! A header row names the columns (any order, any case; `id` and `kind` are required). Several
//! values in one cell are separated by `;`. Lines starting with `#` are comments. Rows with the
//! same id add their names, dates, nationalities and document to the entry of the first.

use std::collections::HashMap;

use crate::entry::{BirthDate, Entry, EntryDocument, EntryKind, NameQuality};

use super::{
    Collector, ImportError, Imported, birth_year, clean, country, iso_date, name, new_entry,
    non_empty, sex, year_range,
};

/// The columns Passage reads.
pub const COLUMNS: [&str; 15] = [
    "id",
    "kind",
    "family_name",
    "given_names",
    "full_name",
    "aliases",
    "weak_aliases",
    "birth_date",
    "sex",
    "nationalities",
    "document_number",
    "document_issuing_state",
    "document_kind",
    "reason",
    "listed_on",
];

pub(super) fn import(bytes: &[u8]) -> Result<Imported, ImportError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(true)
        .trim(::csv::Trim::All)
        .comment(Some(b'#'))
        .from_reader(bytes);
    let not_format = |reason: String| ImportError::NotFormat {
        format: super::Format::Csv.title(),
        reason,
    };
    let headers = reader
        .byte_headers()
        .map_err(|e| not_format(format!("no header row: {e}")))?
        .clone();
    let columns: Vec<String> = headers
        .iter()
        .map(|h| String::from_utf8_lossy(h).trim().to_ascii_lowercase())
        .collect();
    let position = |name: &str| columns.iter().position(|c| c == name);
    if position("id").is_none() || position("kind").is_none() {
        return Err(not_format(
            "the header row has no id and kind columns".to_owned(),
        ));
    }

    let mut out = Collector::default();
    let unknown: Vec<&str> = columns
        .iter()
        .map(String::as_str)
        .filter(|c| !c.is_empty() && !COLUMNS.contains(c))
        .collect();
    if !unknown.is_empty() {
        out.finding(
            "csv_column_unknown",
            None,
            format!("columns not read: {}", unknown.join(", ")),
        );
    }

    let mut entries: Vec<Entry> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    let mut record = ::csv::StringRecord::new();
    loop {
        let line = reader.position().line();
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(error) => {
                out.finding(
                    "csv_row_unreadable",
                    None,
                    format!("row at line {line}: {error}"),
                );
                if error.is_io_error() {
                    break;
                }
                continue;
            }
        }
        let cell = |name: &str| -> Option<&str> {
            position(name)
                .and_then(|i| record.get(i))
                .map(str::trim)
                .filter(|s| !s.is_empty())
        };
        let many = |name: &str| -> Vec<String> {
            cell(name)
                .map(|c| c.split(';').map(clean).filter(|s| !s.is_empty()).collect())
                .unwrap_or_default()
        };

        let Some(id) = cell("id") else {
            out.finding(
                "entry_without_id",
                None,
                format!("row at line {line} has no id and was skipped"),
            );
            continue;
        };
        let kind = match cell("kind").map(str::to_ascii_lowercase).as_deref() {
            Some("person") => EntryKind::Person,
            Some("organisation" | "organization") => EntryKind::Organisation,
            Some("document") => EntryKind::Document,
            Some("vessel") => EntryKind::Vessel,
            Some("other") => EntryKind::Other,
            other => {
                out.finding(
                    "kind_unknown",
                    Some(id),
                    format!(
                        "kind {:?} is none of person, organisation, document, vessel, other; the row was skipped",
                        other.unwrap_or("")
                    ),
                );
                continue;
            }
        };
        let index = match by_id.get(id) {
            Some(&index) => index,
            None => {
                by_id.insert(id.to_owned(), entries.len());
                entries.push(new_entry(id, kind));
                entries.len() - 1
            }
        };
        let Some(entry) = entries.get_mut(index) else {
            continue;
        };
        if entry.kind != kind {
            out.finding(
                "kind_conflict",
                Some(id),
                "a later row of this id gives another kind; the first is kept",
            );
        }

        let quality = if entry.names.is_empty() {
            NameQuality::Primary
        } else {
            NameQuality::Strong
        };
        entry.names.extend(name(
            cell("full_name"),
            cell("given_names"),
            cell("family_name"),
            quality,
        ));
        for alias in many("aliases") {
            entry
                .names
                .extend(name(Some(&alias), None, None, NameQuality::Strong));
        }
        for alias in many("weak_aliases") {
            entry
                .names
                .extend(name(Some(&alias), None, None, NameQuality::Weak));
        }
        for text in many("birth_date") {
            match birth_date(&text) {
                Some(date) => entry.birth_dates.push(date),
                None => out.finding(
                    "birth_date_unreadable",
                    Some(id),
                    format!("birth_date {text:?} is none of YYYY-MM-DD, YYYY, YYYY..YYYY"),
                ),
            }
        }
        if let Some(text) = cell("sex") {
            match sex(text) {
                Some(sex) => entry.sex = Some(sex),
                None => out.finding(
                    "sex_unreadable",
                    Some(id),
                    format!("sex {text:?} is none of M, F, X, U"),
                ),
            }
        }
        for text in many("nationalities") {
            entry
                .nationalities
                .extend(country(&text, super::country::from_any));
        }
        let issuing_state =
            cell("document_issuing_state").and_then(|text| country(text, super::country::from_any));
        match cell("document_number") {
            Some(number) => {
                if kind == EntryKind::Document && issuing_state.is_none() {
                    out.finding(
                        "document_without_issuing_state",
                        Some(id),
                        "a document row without an issuing State",
                    );
                }
                entry.documents.push(EntryDocument {
                    kind: non_empty(cell("document_kind")),
                    number: clean(number),
                    issuing_state,
                });
            }
            None if issuing_state.is_some() => out.finding(
                "document_without_number",
                Some(id),
                "an issuing State without a document number",
            ),
            None => {}
        }
        if entry.reason.is_none() {
            entry.reason = non_empty(cell("reason"));
        }
        if let Some(text) = cell("listed_on") {
            match iso_date(text) {
                Some(date) => entry.listed_on = entry.listed_on.or(Some(date)),
                None => out.finding(
                    "listed_on_unreadable",
                    Some(id),
                    format!("listed_on {text:?} is not YYYY-MM-DD"),
                ),
            }
        }
    }
    for entry in entries {
        out.push(entry);
    }
    Ok(out.finish(None))
}

/// `YYYY-MM-DD`, `YYYY`, or `YYYY..YYYY`.
fn birth_date(text: &str) -> Option<BirthDate> {
    if let Some((from, to)) = text.split_once("..") {
        return Some(year_range(birth_year(from)?, birth_year(to)?));
    }
    if text.len() == 10 {
        return iso_date(text).map(BirthDate::Exact);
    }
    birth_year(text).map(BirthDate::Year)
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use model::Sex;

    const SAMPLE: &str = "\
# National watchlist, test rows
id,kind,family_name,given_names,aliases,birth_date,sex,nationalities,document_number,document_issuing_state,document_kind,reason,listed_on
nw-1,person,EXAMPLE,John Q,Johnny Example;J. Example,1970-05-01;1971..1973,M,NLD;de,X1234567,NLD,passport,Test reason,2025-01-02
nw-1,person,,,,,,,Y7654321,DEU,identity card,,
ls-1,document,,,,,,,AB0123456,NL,passport,lost,
ls-2,document,,,,,,,,,,stolen,
nw-2,person,,,,\"nineteen\",Q,,,,,,
nw-3,alien,X,,,,,,,,,,
,person,Y,,,,,,,,,,
";

    #[test]
    fn persons_and_documents() {
        let imported = import(SAMPLE.as_bytes()).unwrap();
        let ids: Vec<_> = imported.entries.iter().map(|e| e.id.as_str()).collect();
        assert_eq!(ids, vec!["nw-1", "ls-1"]);
        let person = &imported.entries[0];
        assert_eq!(person.kind, EntryKind::Person);
        assert_eq!(person.names[0].full, "John Q EXAMPLE");
        assert_eq!(person.names[0].family.as_deref(), Some("EXAMPLE"));
        assert_eq!(person.names[0].given.as_deref(), Some("John Q"));
        assert_eq!(person.names.len(), 3);
        assert_eq!(
            person.birth_dates,
            vec![
                BirthDate::Exact(date(1970, 5, 1)),
                BirthDate::Range {
                    from: 1971,
                    to: 1973
                }
            ]
        );
        assert_eq!(person.sex, Some(Sex::Male));
        assert_eq!(
            person.nationalities,
            vec!["NLD".to_owned(), "DEU".to_owned()]
        );
        assert_eq!(person.documents.len(), 2);
        assert_eq!(person.documents[1].issuing_state.as_deref(), Some("DEU"));
        assert_eq!(person.listed_on, Some(date(2025, 1, 2)));
        let document = &imported.entries[1];
        assert_eq!(document.kind, EntryKind::Document);
        assert!(document.names.is_empty());
        assert_eq!(document.documents[0].number, "AB0123456");
        assert_eq!(document.documents[0].issuing_state.as_deref(), Some("NLD"));
        let mut codes: Vec<_> = imported.findings.iter().map(|f| f.code).collect();
        codes.sort_unstable();
        assert_eq!(
            codes,
            vec![
                "birth_date_unreadable",
                "document_without_number",
                "entry_without_id",
                "entry_without_name",
                "kind_unknown",
                "sex_unreadable",
            ]
        );
    }

    #[test]
    fn the_documented_example_reads_as_documented() {
        let doc = include_str!("../../../../docs/watchlist-csv.md");
        let start = doc.find("```csv\n").unwrap() + "```csv\n".len();
        let example = &doc[start..start + doc[start..].find("```").unwrap()];
        let imported = import(example.as_bytes()).unwrap();
        assert!(imported.findings.is_empty(), "{:?}", imported.findings);
        let kinds: Vec<_> = imported.entries.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            vec![
                EntryKind::Person,
                EntryKind::Person,
                EntryKind::Document,
                EntryKind::Document
            ]
        );
        assert_eq!(imported.entries[0].documents.len(), 2);
        assert_eq!(imported.entries[0].names[0].full, "Anna Maria VAN DER BERG");
        assert_eq!(
            imported.entries[1].birth_dates,
            vec![BirthDate::Range {
                from: 1965,
                to: 1967
            }]
        );
        assert_eq!(imported.entries[3].documents[0].number, "X 998877");
    }

    #[test]
    fn a_file_without_the_header_is_refused() {
        assert!(import(b"name,surname\nA,B\n").is_err());
        assert!(import(b"").is_err());
    }
}
