//! FollowTheMoney entities, one JSON object per line (the OpenSanctions data model):
//! `{"id": …, "schema": "Person", "properties": {"name": [...], …}}`.
//!
//! `Person` becomes a person, `Organization`, `Company`, `LegalEntity` and `PublicBody` an
//! organisation, `Vessel` a vessel; other named things become `Other`. Links and records about
//! things (addresses, payments, sanctions, ownerships, …) are not listed subjects and are skipped
//! with one summary finding per schema. `Passport` and `Identification` entities are attached as
//! documents to their `holder`.

use std::collections::HashMap;

use serde_json::Value;

use crate::entry::{BirthDate, Entry, EntryDocument, EntryKind, NameQuality};

use super::{
    Collector, ImportError, Imported, Tally, birth_year, clean, country, iso_date, name, new_entry,
    sex,
};

/// Schemas that link or describe subjects rather than name one.
const NOT_SUBJECTS: [&str; 30] = [
    "Address",
    "Associate",
    "Article",
    "BankAccount",
    "Call",
    "Contract",
    "ContractAward",
    "CourtCase",
    "CourtCaseParty",
    "Debt",
    "Directorship",
    "Documentation",
    "Email",
    "Employment",
    "Event",
    "Family",
    "Identification",
    "Interval",
    "Membership",
    "Mention",
    "Note",
    "Occupancy",
    "Ownership",
    "Passport",
    "Payment",
    "Position",
    "Representation",
    "Sanction",
    "Succession",
    "UnknownLink",
];

pub(super) fn import(bytes: &[u8]) -> Result<Imported, ImportError> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = Collector::default();
    let mut entries: Vec<Entry> = Vec::new();
    let mut documents: Vec<(String, EntryDocument)> = Vec::new();
    let mut skipped = Tally::default();
    let mut objects = 0usize;
    let mut unreadable = 0usize;

    for (index, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let value: Value = match serde_json::from_str(line) {
            Ok(value @ Value::Object(_)) => value,
            Ok(_) | Err(_) => {
                unreadable += 1;
                out.finding(
                    "json_unreadable",
                    None,
                    format!("line {} is not a JSON object", index + 1),
                );
                continue;
            }
        };
        let Some(schema) = value.get("schema").and_then(Value::as_str) else {
            unreadable += 1;
            out.finding(
                "json_unreadable",
                None,
                format!("line {} has no schema", index + 1),
            );
            continue;
        };
        objects += 1;
        let id = value.get("id").and_then(Value::as_str).unwrap_or_default();
        let properties = value.get("properties");
        let values = |key: &str| -> Vec<String> {
            properties
                .and_then(|p| p.get(key))
                .and_then(Value::as_array)
                .map(|items| {
                    items
                        .iter()
                        .filter_map(Value::as_str)
                        .map(clean)
                        .filter(|s| !s.is_empty())
                        .collect()
                })
                .unwrap_or_default()
        };
        match schema {
            "Passport" | "Identification" => {
                let number = values("number")
                    .into_iter()
                    .chain(values("passportNumber"))
                    .next();
                let holder = values("holder").into_iter().next();
                if number.is_none() {
                    out.finding(
                        "document_without_number",
                        holder.as_deref(),
                        format!("a {schema} without a number was skipped"),
                    );
                }
                if let (Some(holder), Some(number)) = (holder, number) {
                    let kind = values("type")
                        .into_iter()
                        .next()
                        .unwrap_or_else(|| schema.to_ascii_lowercase());
                    documents.push((
                        holder,
                        EntryDocument {
                            kind: Some(kind),
                            number,
                            issuing_state: values("country")
                                .first()
                                .and_then(|c| country(c, super::country::from_alpha2)),
                        },
                    ));
                }
                continue;
            }
            schema if NOT_SUBJECTS.contains(&schema) => {
                skipped.add(schema);
                continue;
            }
            _ => {}
        }
        let kind = match schema {
            "Person" => EntryKind::Person,
            "Organization" | "Company" | "LegalEntity" | "PublicBody" => EntryKind::Organisation,
            "Vessel" => EntryKind::Vessel,
            _ => EntryKind::Other,
        };
        let mut entry = new_entry(id, kind);

        for (key, quality) in [
            ("name", NameQuality::Strong),
            ("alias", NameQuality::Strong),
            ("previousName", NameQuality::Strong),
            ("weakAlias", NameQuality::Weak),
        ] {
            for full in values(key) {
                let quality = if entry.names.is_empty() && key == "name" {
                    NameQuality::Primary
                } else {
                    quality
                };
                entry.names.extend(name(Some(&full), None, None, quality));
            }
        }
        let given = values("firstName").into_iter().next();
        let family = values("lastName").into_iter().next();
        if given.is_some() || family.is_some() {
            let parts = name(
                None,
                given.as_deref(),
                family.as_deref(),
                NameQuality::Strong,
            );
            if let Some(parts) = parts {
                let first = entry.names.is_empty();
                match entry
                    .names
                    .iter_mut()
                    .find(|n| n.full.eq_ignore_ascii_case(&parts.full))
                {
                    Some(listed) => {
                        listed.given = parts.given;
                        listed.family = parts.family;
                    }
                    None if first => entry.names.push(super::EntryName {
                        quality: NameQuality::Primary,
                        ..parts
                    }),
                    None => entry.names.push(parts),
                }
            }
        }

        for text in values("birthDate") {
            match birth_date(&text) {
                Some(date) => entry.birth_dates.push(date),
                None => out.finding(
                    "birth_date_unreadable",
                    Some(id),
                    format!("birthDate {text:?} is not a date of birth"),
                ),
            }
        }
        entry.sex = values("gender").first().and_then(|g| sex(g));
        for code in values("nationality")
            .into_iter()
            .chain(values("citizenship"))
        {
            entry
                .nationalities
                .extend(country(&code, super::country::from_alpha2));
        }
        for (key, kind) in [("passportNumber", "passport"), ("idNumber", "id")] {
            for number in values(key) {
                entry.documents.push(EntryDocument {
                    kind: Some(kind.to_owned()),
                    number,
                    issuing_state: None,
                });
            }
        }
        let topics = values("topics").join(", ");
        let notes = values("notes").join(" ");
        entry.reason = match (topics.is_empty(), notes.is_empty()) {
            (true, true) => None,
            (false, true) => Some(topics),
            (true, false) => Some(notes),
            (false, false) => Some(format!("{topics}: {notes}")),
        };
        entries.push(entry);
    }

    if objects == 0 && (unreadable > 0 || text.trim().is_empty()) {
        return Err(ImportError::NotFormat {
            format: super::Format::FollowTheMoney.title(),
            reason: "no line is a FollowTheMoney entity".to_owned(),
        });
    }

    let mut by_id: HashMap<String, usize> = HashMap::new();
    for (index, entry) in entries.iter().enumerate() {
        by_id.entry(entry.id.clone()).or_insert(index);
    }
    for (holder, document) in documents {
        match by_id.get(&holder).and_then(|&i| entries.get_mut(i)) {
            Some(entry) => entry.documents.push(document),
            None => out.finding(
                "document_without_holder",
                Some(&holder),
                "a passport or identification whose holder is not in the file was skipped",
            ),
        }
    }
    for entry in entries {
        out.push(entry);
    }
    for (schema, count) in skipped.sorted() {
        out.finding(
            "ftm_schema_skipped",
            None,
            format!("{count} {schema} entities skipped (not a listed subject)"),
        );
    }
    Ok(out.finish(None))
}

/// `YYYY-MM-DD`, or `YYYY-MM` / `YYYY` (the year).
fn birth_date(text: &str) -> Option<BirthDate> {
    if let Some(date) = iso_date(text) {
        return Some(BirthDate::Exact(date));
    }
    let year = text.get(..4).and_then(birth_year)?;
    match text.get(4..) {
        Some("") => Some(BirthDate::Year(year)),
        Some(rest) => {
            let month: i8 = rest.strip_prefix('-')?.parse().ok()?;
            (1..=12).contains(&month).then_some(BirthDate::Year(year))
        }
        None => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use model::Sex;

    const SAMPLE: &str = r#"{"id": "p1", "schema": "Person", "properties": {"name": ["John Example", "Джон Экзампл"], "alias": ["Johnny"], "weakAlias": ["JE"], "firstName": ["John"], "lastName": ["Example"], "birthDate": ["1971-01-22", "1970", "1969-05", "soon"], "nationality": ["ru"], "citizenship": ["by", "ru"], "gender": ["male"], "passportNumber": ["AB123"], "topics": ["sanction"], "notes": ["Test."]}}
{"id": "o1", "schema": "Company", "properties": {"name": ["Example LLC"]}}
{"id": "a1", "schema": "Address", "properties": {"full": ["Somewhere 1"]}}
{"id": "x1", "schema": "Passport", "properties": {"holder": ["p1"], "number": ["P999"], "country": ["ru"], "type": ["passport"]}}
not json
{"id": "n1", "schema": "Person", "properties": {}}
{"id": "q1", "schema": "Person", "properties": {"firstName": ["Ann"], "lastName": ["Sample"]}}
"#;

    #[test]
    fn entities_of_a_json_lines_file() {
        let imported = import(SAMPLE.as_bytes()).unwrap();
        assert_eq!(imported.entries.len(), 3);
        let person = &imported.entries[0];
        assert_eq!(person.id, "p1");
        assert_eq!(person.kind, EntryKind::Person);
        assert_eq!(person.names[0].full, "John Example");
        assert_eq!(person.names[0].quality, NameQuality::Primary);
        assert_eq!(person.names[0].given.as_deref(), Some("John"));
        assert_eq!(person.names[1].script, crate::Script::Cyrillic);
        assert_eq!(person.names[3].quality, NameQuality::Weak);
        assert_eq!(
            person.birth_dates,
            vec![
                BirthDate::Exact(date(1971, 1, 22)),
                BirthDate::Year(1970),
                BirthDate::Year(1969)
            ]
        );
        assert_eq!(
            person.nationalities,
            vec!["RUS".to_owned(), "BLR".to_owned()]
        );
        assert_eq!(person.sex, Some(Sex::Male));
        assert_eq!(person.documents.len(), 2);
        assert_eq!(person.documents[1].number, "P999");
        assert_eq!(person.documents[1].issuing_state.as_deref(), Some("RUS"));
        assert_eq!(person.reason.as_deref(), Some("sanction: Test."));
        assert_eq!(imported.entries[1].kind, EntryKind::Organisation);
        let built = &imported.entries[2];
        assert_eq!(built.names[0].full, "Ann Sample");
        assert_eq!(built.names[0].quality, NameQuality::Primary);
        let mut codes: Vec<_> = imported.findings.iter().map(|f| f.code).collect();
        codes.sort_unstable();
        assert_eq!(
            codes,
            vec![
                "birth_date_unreadable",
                "entry_without_name",
                "ftm_schema_skipped",
                "json_unreadable"
            ]
        );
    }

    #[test]
    fn a_file_of_no_entities_is_refused() {
        assert!(import(b"hello\nworld\n").is_err());
        assert!(import(b"").is_err());
        assert!(import(b"[1, 2]\n").is_err());
    }
}
