//! The UN Security Council Consolidated List, XML (`CONSOLIDATED_LIST` with `INDIVIDUALS` and
//! `ENTITIES`).
//!
//! The UN does not say which of `FIRST_NAME` … `FOURTH_NAME` is the family name (Korean entries
//! put it first, most others last), so names keep only their whole text. A date of birth is
//! `EXACT` (a `DATE` or a `YEAR`), `APPROXIMATELY` (a year, read as ± [`super::CIRCA_YEARS`]) or
//! `BETWEEN` (`FROM_YEAR`..`TO_YEAR`).

use crate::entry::{BirthDate, EntryDocument, EntryKind, NameQuality, Script};

use super::xml::{self, Node};
use super::{
    Collector, ImportError, Imported, birth_year, circa, clean, country, iso_date, name, new_entry,
    non_empty, sex, year_range,
};

pub(super) fn import(bytes: &[u8]) -> Result<Imported, ImportError> {
    let mut out = Collector::default();
    let mut published = None;
    let end = xml::read(
        super::Format::Un.title(),
        bytes,
        "CONSOLIDATED_LIST",
        &["INDIVIDUAL", "ENTITY"],
        &[
            "INDIVIDUAL_ADDRESS",
            "ENTITY_ADDRESS",
            "INDIVIDUAL_PLACE_OF_BIRTH",
            "LAST_DAY_UPDATED",
        ],
        |root| published = root.attr("dateGenerated").and_then(iso_date),
        |node| record(&mut out, &node),
    )?;
    out.ended(end);
    Ok(out.finish(published))
}

fn record(out: &mut Collector, node: &Node) {
    let person = node.name == "INDIVIDUAL";
    let kind = if person {
        EntryKind::Person
    } else {
        EntryKind::Organisation
    };
    let id = match (
        node.child_text("REFERENCE_NUMBER"),
        node.child_text("DATAID"),
    ) {
        (Some(reference), _) => reference.to_owned(),
        (None, Some(data_id)) => {
            out.finding(
                "entry_without_reference",
                Some(data_id),
                "no REFERENCE_NUMBER; the DATAID is used as the id",
            );
            data_id.to_owned()
        }
        (None, None) => String::new(),
    };
    let mut entry = new_entry(&id, kind);

    let parts: Vec<&str> = ["FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME"]
        .iter()
        .filter_map(|tag| node.child_text(tag))
        .collect();
    entry.names.extend(name(
        Some(&parts.join(" ")),
        None,
        None,
        NameQuality::Primary,
    ));
    for original in node.children("NAME_ORIGINAL_SCRIPT") {
        if let Some(mut original) = name(original.text(), None, None, NameQuality::Strong) {
            original.script = Script::of(&original.full);
            entry.names.push(original);
        }
    }
    let alias_tag = if person {
        "INDIVIDUAL_ALIAS"
    } else {
        "ENTITY_ALIAS"
    };
    for alias in node.children(alias_tag) {
        let quality = match alias.child_text("QUALITY") {
            Some(q) if q.eq_ignore_ascii_case("low") => NameQuality::Weak,
            _ => NameQuality::Strong,
        };
        entry
            .names
            .extend(name(alias.child_text("ALIAS_NAME"), None, None, quality));
    }

    for birth in node.children("INDIVIDUAL_DATE_OF_BIRTH") {
        birth_date(out, &id, birth, &mut entry.birth_dates);
    }
    entry.sex = node.child_text("GENDER").and_then(sex);
    for nationality in node.children("NATIONALITY") {
        for value in nationality.children("VALUE") {
            entry.nationalities.extend(
                value
                    .text()
                    .and_then(|t| country(t, super::country::from_name)),
            );
        }
    }
    for document in node.children("INDIVIDUAL_DOCUMENT") {
        let kind = non_empty(document.child_text("TYPE_OF_DOCUMENT"))
            .or_else(|| non_empty(document.child_text("TYPE_OF_DOCUMENT2")))
            .map(english_kind);
        let issuing_state = document
            .child_text("ISSUING_COUNTRY")
            .or_else(|| document.child_text("COUNTRY_OF_ISSUE"))
            .and_then(|t| country(t, super::country::from_name));
        match document.child_text("NUMBER") {
            Some(number) => entry.documents.push(EntryDocument {
                kind,
                number: clean(number),
                issuing_state,
            }),
            None if kind.is_some() => out.finding(
                "document_without_number",
                Some(&id),
                "a document without a number was skipped",
            ),
            None => {}
        }
    }
    if let Some(listed) = node.child_text("LISTED_ON") {
        entry.listed_on = iso_date(listed);
        if entry.listed_on.is_none() {
            out.finding(
                "listed_on_unreadable",
                Some(&id),
                format!("LISTED_ON {listed:?} is not a date"),
            );
        }
    }
    entry.reason = match (
        non_empty(node.child_text("UN_LIST_TYPE")),
        non_empty(node.child_text("COMMENTS1")),
    ) {
        (Some(list), Some(comments)) => Some(format!("{list}: {comments}")),
        (list, comments) => list.or(comments),
    };
    out.push(entry);
}

/// The UN gives some document types in French or Spanish beside the English one.
fn english_kind(kind: String) -> String {
    match kind.to_lowercase().as_str() {
        "numéro de passeport" | "número de pasaporte" | "passeport" | "pasaporte" => {
            "Passport".to_owned()
        }
        _ => kind,
    }
}

fn birth_date(out: &mut Collector, id: &str, node: &Node, dates: &mut Vec<BirthDate>) {
    let approximate = node
        .child_text("TYPE_OF_DATE")
        .is_some_and(|t| t.eq_ignore_ascii_case("APPROXIMATELY"));
    let unreadable = |out: &mut Collector, what: &str, text: &str| {
        out.finding(
            "birth_date_unreadable",
            Some(id),
            format!("{what} {text:?} is not a date of birth"),
        );
    };
    if let Some(text) = node.child_text("DATE") {
        match iso_date(text) {
            Some(date) => dates.push(BirthDate::Exact(date)),
            None => unreadable(out, "DATE", text),
        }
    }
    if let Some(text) = node.child_text("YEAR") {
        match birth_year(text) {
            Some(year) if approximate => dates.push(circa(year)),
            Some(year) => dates.push(BirthDate::Year(year)),
            None => unreadable(out, "YEAR", text),
        }
    }
    match (node.child_text("FROM_YEAR"), node.child_text("TO_YEAR")) {
        (None, None) => {}
        (from, to) => match (from.and_then(birth_year), to.and_then(birth_year)) {
            (Some(from), Some(to)) => dates.push(year_range(from, to)),
            (Some(year), None) | (None, Some(year)) => dates.push(BirthDate::Year(year)),
            (None, None) => unreadable(
                out,
                "FROM_YEAR..TO_YEAR",
                &format!("{}..{}", from.unwrap_or(""), to.unwrap_or("")),
            ),
        },
    }
}

/// The list's fields read into entries; counts over whole files are in `tests/lists_corpus.rs`.
#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use model::Sex;

    const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<CONSOLIDATED_LIST dateGenerated="2026-02-27T00:00:09.554Z">
  <INDIVIDUALS>
    <INDIVIDUAL>
      <DATAID>1</DATAID>
      <FIRST_NAME>JOHN</FIRST_NAME>
      <SECOND_NAME>EXAMPLE</SECOND_NAME>
      <THIRD_NAME>SAMPLE </THIRD_NAME>
      <UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE>
      <REFERENCE_NUMBER>QDi.900</REFERENCE_NUMBER>
      <LISTED_ON>2001-01-25</LISTED_ON>
      <NAME_ORIGINAL_SCRIPT>جون</NAME_ORIGINAL_SCRIPT>
      <GENDER>Male</GENDER>
      <COMMENTS1>Test entry.</COMMENTS1>
      <NATIONALITY><VALUE>Iran (Islamic Republic of)</VALUE><VALUE>na</VALUE></NATIONALITY>
      <INDIVIDUAL_ALIAS><QUALITY>Good</QUALITY><ALIAS_NAME>Johnny Example</ALIAS_NAME></INDIVIDUAL_ALIAS>
      <INDIVIDUAL_ALIAS><QUALITY>Low</QUALITY><ALIAS_NAME>Abu Test</ALIAS_NAME></INDIVIDUAL_ALIAS>
      <INDIVIDUAL_ALIAS><QUALITY/><ALIAS_NAME/></INDIVIDUAL_ALIAS>
      <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>1963-04-11</DATE></INDIVIDUAL_DATE_OF_BIRTH>
      <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>APPROXIMATELY</TYPE_OF_DATE><YEAR>1960</YEAR></INDIVIDUAL_DATE_OF_BIRTH>
      <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>BETWEEN</TYPE_OF_DATE><FROM_YEAR>1955</FROM_YEAR><TO_YEAR>1958</TO_YEAR></INDIVIDUAL_DATE_OF_BIRTH>
      <INDIVIDUAL_DATE_OF_BIRTH><TYPE_OF_DATE>EXACT</TYPE_OF_DATE><DATE>11 April</DATE></INDIVIDUAL_DATE_OF_BIRTH>
      <INDIVIDUAL_DOCUMENT><TYPE_OF_DOCUMENT>Passport</TYPE_OF_DOCUMENT><NUMBER>X123</NUMBER><ISSUING_COUNTRY>Syrian Arab Republic</ISSUING_COUNTRY></INDIVIDUAL_DOCUMENT>
      <INDIVIDUAL_DOCUMENT/>
    </INDIVIDUAL>
    <INDIVIDUAL>
      <DATAID>2</DATAID>
      <REFERENCE_NUMBER>QDi.901</REFERENCE_NUMBER>
    </INDIVIDUAL>
  </INDIVIDUALS>
  <ENTITIES>
    <ENTITY>
      <FIRST_NAME>EXAMPLE FRONT</FIRST_NAME>
      <UN_LIST_TYPE>Al-Qaida</UN_LIST_TYPE>
      <REFERENCE_NUMBER>QDe.900</REFERENCE_NUMBER>
      <ENTITY_ALIAS><QUALITY>a.k.a.</QUALITY><ALIAS_NAME>Front Example</ALIAS_NAME></ENTITY_ALIAS>
    </ENTITY>
  </ENTITIES>
</CONSOLIDATED_LIST>"#;

    #[test]
    fn individuals_and_entities() {
        let imported = import(SAMPLE.as_bytes()).unwrap();
        assert_eq!(imported.published, Some(date(2026, 2, 27)));
        assert_eq!(imported.entries.len(), 2);
        let person = &imported.entries[0];
        assert_eq!(person.id, "QDi.900");
        assert_eq!(person.kind, EntryKind::Person);
        assert_eq!(person.names[0].full, "JOHN EXAMPLE SAMPLE");
        assert_eq!(person.names[0].quality, NameQuality::Primary);
        assert_eq!(person.names[1].script, Script::Arabic);
        assert_eq!(person.names[2].quality, NameQuality::Strong);
        assert_eq!(person.names[3].full, "Abu Test");
        assert_eq!(person.names[3].quality, NameQuality::Weak);
        assert_eq!(person.names.len(), 4);
        assert_eq!(
            person.birth_dates,
            vec![
                BirthDate::Exact(date(1963, 4, 11)),
                BirthDate::Range {
                    from: 1959,
                    to: 1961
                },
                BirthDate::Range {
                    from: 1955,
                    to: 1958
                },
            ]
        );
        assert_eq!(person.sex, Some(Sex::Male));
        assert_eq!(person.nationalities, vec!["IRN".to_owned()]);
        assert_eq!(person.documents.len(), 1);
        assert_eq!(person.documents[0].number, "X123");
        assert_eq!(person.documents[0].kind.as_deref(), Some("Passport"));
        assert_eq!(person.documents[0].issuing_state.as_deref(), Some("SYR"));
        assert_eq!(person.listed_on, Some(date(2001, 1, 25)));
        assert_eq!(person.reason.as_deref(), Some("Al-Qaida: Test entry."));

        let entity = &imported.entries[1];
        assert_eq!(entity.kind, EntryKind::Organisation);
        assert_eq!(entity.names.len(), 2);

        let codes: Vec<_> = imported.findings.iter().map(|f| f.code).collect();
        assert_eq!(codes, vec!["birth_date_unreadable", "entry_without_name"]);
        assert_eq!(imported.findings[1].entry.as_deref(), Some("QDi.901"));
    }

    #[test]
    fn other_xml_is_refused() {
        assert!(import(b"<sdnList></sdnList>").is_err());
        assert!(import(b"").is_err());
    }
}
