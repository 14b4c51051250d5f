#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! The importers over the lists as published, in `shared/corpus/watchlists` beside the
//! repository (never copied into it). Where the folder is absent, each test says so and passes.
//! The counts are those `SOURCES.md` states, checked independently of this code.

use jiff::civil::date;
use model::Sex;
use screening::lists::{self, Format, Imported};
use screening::{BirthDate, Entry, EntryKind, ListVersion, NameQuality, Script};

fn corpus(relative: &str) -> Option<Vec<u8>> {
    test_corpus::read(&format!("watchlists/{relative}"))
}

fn import(format: Format, relative: &str) -> Option<Imported> {
    let bytes = corpus(relative)?;
    assert_eq!(Format::detect(&bytes), Some(format), "{relative}");
    Some(lists::import(format, &bytes).unwrap())
}

fn entry<'a>(imported: &'a Imported, id: &str) -> &'a Entry {
    imported.entries.iter().find(|e| e.id == id).unwrap()
}

fn count(entries: &[&Entry], test: impl Fn(&Entry) -> bool) -> usize {
    entries.iter().filter(|e| test(e)).count()
}

fn names(entries: &[&Entry], quality: NameQuality) -> usize {
    entries
        .iter()
        .map(|e| e.names.iter().filter(|n| n.quality == quality).count())
        .sum()
}

fn has_passport(entry: &Entry) -> bool {
    entry.documents.iter().any(|d| {
        d.kind
            .as_deref()
            .is_some_and(|k| k.to_lowercase().contains("passport"))
    })
}

/// Nationalities and issuing States that did not become an alpha-3 code.
fn unrecognised_countries(imported: &Imported) -> Vec<String> {
    let mut odd: Vec<String> = imported
        .entries
        .iter()
        .flat_map(|e| {
            e.nationalities
                .iter()
                .chain(e.documents.iter().filter_map(|d| d.issuing_state.as_ref()))
        })
        .filter(|c| !(c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase())))
        .cloned()
        .collect();
    odd.sort();
    odd.dedup();
    odd
}

const UN: &str = "un/un_consolidated_20260227.xml";
const OFAC: &str = "ofac/sdn_20240507.xml";
const EU: &str = "eu/eu_fsf_full_20240513.xml";

#[test]
fn un_consolidated_list() {
    let Some(un) = import(Format::Un, UN) else {
        return;
    };
    assert_eq!(un.published, Some(date(2026, 2, 27)));
    let persons: Vec<&Entry> = un
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Person)
        .collect();
    assert_eq!(persons.len(), 730);
    assert_eq!(un.entries.len() - persons.len(), 273);

    // 1,524 "Good" aliases and 336 original-script names are strong names, less 15 Good aliases
    // that repeat a name the entry already has; 615 "Low" aliases are weak.
    assert_eq!(names(&persons, NameQuality::Weak), 615);
    assert_eq!(names(&persons, NameQuality::Strong), 1_524 + 336 - 15);
    // The original-script name comes right after the primary name; two persons without one
    // (KPi.035, LYi.004) have first a Good alias with a Chinese or Arabic rendering in brackets.
    let non_latin_second = count(&persons, |e| {
        e.names
            .get(1)
            .is_some_and(|n| n.script != Script::Latin && n.quality == NameQuality::Strong)
    });
    assert_eq!(non_latin_second, 336 + 2);

    assert_eq!(count(&persons, |e| !e.birth_dates.is_empty()), 677);
    assert_eq!(
        count(&persons, |e| e
            .birth_dates
            .iter()
            .any(|d| matches!(d, BirthDate::Exact(_)))),
        393
    );
    // 625 have a NATIONALITY; one of them reads "na" (no nationality).
    assert_eq!(count(&persons, |e| !e.nationalities.is_empty()), 624);
    assert_eq!(count(&persons, has_passport), 234);
    assert!(
        unrecognised_countries(&un).is_empty(),
        "{:?}",
        unrecognised_countries(&un)
    );

    let qdi = entry(&un, "QDi.001");
    assert_eq!(qdi.kind, EntryKind::Person);
    assert_eq!(qdi.names[0].full, "MOHAMMED SALAHALDIN ABD EL HALIM ZIDANE");
    assert_eq!(qdi.names[0].quality, NameQuality::Primary);
    assert_eq!(qdi.names[1].full, "محمد صلاح الدين عبدالحليم زيدان");
    assert_eq!(qdi.names[1].script, Script::Arabic);
    assert_eq!(
        qdi.birth_dates,
        vec![
            BirthDate::Exact(date(1963, 4, 11)),
            BirthDate::Exact(date(1960, 4, 11))
        ]
    );
    assert_eq!(qdi.nationalities, vec!["EGY".to_owned()]);
    assert_eq!(qdi.listed_on, Some(date(2001, 1, 25)));
    assert!(qdi.reason.as_deref().unwrap().starts_with("Al-Qaida: "));

    let kpi = entry(&un, "KPi.017");
    assert_eq!(kpi.names[0].full, "JANG YONG SON");
    assert_eq!(kpi.birth_dates, vec![BirthDate::Exact(date(1957, 2, 20))]);
    assert_eq!(kpi.nationalities, vec!["PRK".to_owned()]);
    assert_eq!(kpi.documents.len(), 1);
    assert_eq!(kpi.documents[0].kind.as_deref(), Some("Passport"));
    assert_eq!(kpi.documents[0].number, "563110024");
    assert_eq!(kpi.documents[0].issuing_state.as_deref(), Some("PRK"));

    // The same passport number given with French, Spanish and English labels is one document.
    assert_eq!(entry(&un, "KPi.006").documents.len(), 1);
    assert_eq!(
        entry(&un, "TAi.027").birth_dates,
        vec![BirthDate::Range {
            from: 1968 - lists::CIRCA_YEARS,
            to: 1968 + lists::CIRCA_YEARS
        }]
    );
}

#[test]
fn ofac_sdn_list() {
    let Some(ofac) = import(Format::Ofac, OFAC) else {
        return;
    };
    assert_eq!(ofac.published, Some(date(2024, 5, 7)));
    assert_eq!(ofac.entries.len(), 14_966);
    let persons: Vec<&Entry> = ofac
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Person)
        .collect();
    assert_eq!(persons.len(), 6_855);
    assert_eq!(
        ofac.entries
            .iter()
            .filter(|e| e.kind == EntryKind::Vessel)
            .count(),
        851
    );
    assert!(ofac.findings.is_empty(), "{:?}", ofac.findings);
    assert!(
        unrecognised_countries(&ofac).is_empty(),
        "{:?}",
        unrecognised_countries(&ofac)
    );

    let person = entry(&ofac, "6905");
    assert_eq!(
        person.names[0].given.as_deref(),
        Some("Zayn al-Abidin Muhammad")
    );
    assert_eq!(person.names[0].family.as_deref(), Some("HUSAYN"));
    assert_eq!(person.names[0].full, "Zayn al-Abidin Muhammad HUSAYN");
    assert!(
        person
            .names
            .iter()
            .any(|n| n.full == "ABU ZUBAIDA" && n.quality == NameQuality::Weak)
    );
    assert_eq!(person.sex, Some(Sex::Male));
    assert_eq!(person.nationalities, vec!["PSE".to_owned()]);
    assert_eq!(person.birth_dates[0], BirthDate::Exact(date(1971, 3, 12)));
    assert_eq!(person.documents[0].number, "484824");
    assert_eq!(person.documents[0].issuing_state.as_deref(), Some("EGY"));
    assert_eq!(person.reason.as_deref(), Some("SDGT"));
}

#[test]
fn eu_financial_sanctions_file() {
    let Some(eu) = import(Format::Eu, EU) else {
        return;
    };
    assert_eq!(eu.published, Some(date(2024, 5, 13)));
    // 4,811 records, 3,755 of persons; three logical ids are published twice (two persons, one
    // enterprise) and merged.
    let merged: Vec<_> = eu
        .findings
        .iter()
        .filter(|f| f.code == "duplicate_id_merged")
        .collect();
    assert_eq!(merged.len(), 3);
    assert_eq!(eu.entries.len() + merged.len(), 4_811);
    let persons: Vec<&Entry> = eu
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Person)
        .collect();
    assert_eq!(persons.len() + 2, 3_755);
    assert_eq!(eu.findings.len(), merged.len(), "{:?}", eu.findings);
    assert!(
        unrecognised_countries(&eu).is_empty(),
        "{:?}",
        unrecognised_countries(&eu)
    );

    let person = entry(&eu, "13");
    assert_eq!(person.names[0].full, "Saddam Hussein Al-Tikriti");
    assert_eq!(person.names[0].given.as_deref(), Some("Saddam"));
    assert_eq!(
        person.names[0].family.as_deref(),
        Some("Hussein Al-Tikriti")
    );
    assert!(person.names.iter().any(|n| n.full == "Abu Ali"));
    assert_eq!(
        person.birth_dates,
        vec![BirthDate::Exact(date(1937, 4, 28))]
    );
    assert_eq!(person.nationalities, vec!["IRQ".to_owned()]);
    assert_eq!(person.sex, Some(Sex::Male));
    assert!(person.reason.as_deref().unwrap().starts_with("IRQ"));
}

#[test]
fn followthemoney_samples() {
    // Counts by hand with jq: `jq -r .schema FILE | sort | uniq -c`.
    let Some(t1) = import(
        Format::FollowTheMoney,
        "opensanctions/yente_t1_entities.ftm.json",
    ) else {
        return;
    };
    let persons: Vec<&Entry> = t1
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Person)
        .collect();
    assert_eq!(persons.len(), 4);
    assert_eq!(t1.entries.len(), 6);
    assert_eq!(count(&persons, |e| !e.birth_dates.is_empty()), 3);
    let person = entry(&t1, "NK-2Ka3UvopqbpZmVDFjWd4LA");
    assert_eq!(
        person.birth_dates,
        vec![BirthDate::Exact(date(1971, 1, 22))]
    );
    assert_eq!(person.nationalities, vec!["RUS".to_owned()]);
    assert!(person.names.iter().any(|n| n.script == Script::Cyrillic));

    let zala = import(
        Format::FollowTheMoney,
        "opensanctions/yente_zala_entities.ftm.json",
    )
    .unwrap();
    let persons: Vec<&Entry> = zala
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Person)
        .collect();
    assert_eq!(persons.len(), 6);
    assert_eq!(zala.entries.len(), 6 + 11);
    assert_eq!(count(&persons, |e| !e.birth_dates.is_empty()), 6);
    // nationality or citizenship
    assert_eq!(count(&persons, |e| !e.nationalities.is_empty()), 6);
    assert_eq!(count(&persons, |e| !e.documents.is_empty()), 4);
    assert_eq!(count(&persons, has_passport), 1);
    // The one Passport entity has no number.
    assert!(
        zala.findings
            .iter()
            .any(|f| f.code == "document_without_number")
    );

    let donations = import(
        Format::FollowTheMoney,
        "opensanctions/yente_parteispenden_entities.ftm.json",
    )
    .unwrap();
    assert_eq!(donations.entries.len(), 22 + 56 + 18);
    assert!(
        donations
            .findings
            .iter()
            .any(|f| f.code == "ftm_schema_skipped" && f.text.starts_with("290 Payment"))
    );
}

#[test]
fn versions_of_the_un_list() {
    let Some(bytes) = corpus(UN) else {
        return;
    };
    let text = String::from_utf8(bytes.clone()).unwrap();
    let first = ListVersion::from_import(
        "un",
        None,
        &bytes,
        lists::import(Format::Un, &bytes).unwrap(),
    );
    assert_eq!(first.number, 1);

    // One entry renumbered (removed and added), one date of birth corrected (changed).
    let renumbered = "<REFERENCE_NUMBER>QDi.001</REFERENCE_NUMBER>";
    let corrected = "<DATE>1957-02-20</DATE>";
    assert_eq!(text.matches(renumbered).count(), 1);
    assert_eq!(text.matches(corrected).count(), 1);
    let next = text
        .replace(renumbered, "<REFERENCE_NUMBER>QDi.999</REFERENCE_NUMBER>")
        .replace(corrected, "<DATE>1957-02-21</DATE>");
    let second = ListVersion::from_import(
        "un",
        Some(&first),
        next.as_bytes(),
        lists::import(Format::Un, next.as_bytes()).unwrap(),
    );
    assert_eq!(second.number, 2);
    assert_ne!(first.source_sha256, second.source_sha256);
    let diff = lists::diff(&first, &second);
    assert_eq!(diff.added, vec!["QDi.999".to_owned()]);
    assert_eq!(diff.removed, vec!["QDi.001".to_owned()]);
    assert_eq!(diff.changed, vec!["KPi.017".to_owned()]);
    assert!(lists::diff(&second, &second).is_empty());
}
