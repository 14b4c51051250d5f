//! The EU Financial Sanctions Files, XML 1.1 (`export` of `sanctionEntity`).
//!
//! Every `nameAlias` is a name (the first one taken as primary; `strong="false"` as weak), with
//! `firstName` and `middleName` as given names and `lastName` as family name. Countries are
//! ISO alpha-2 codes (`00` for unknown). Of `identification`, passports and identity cards are
//! kept.

use jiff::civil::Date;

use crate::entry::{BirthDate, EntryDocument, EntryKind, NameQuality};

use super::xml::{self, Node};
use super::{
    Collector, ImportError, Imported, birth_year, circa, clean, country, iso_date, name, new_entry,
    non_empty, sex, year_range,
};

pub(super) fn import(bytes: &[u8]) -> Result<Imported, ImportError> {
    let mut out = Collector::default();
    let mut published = None;
    let end = xml::read(
        super::Format::Eu.title(),
        bytes,
        "export",
        &["sanctionEntity"],
        &["regulationSummary", "address", "publicationUrl"],
        |root| published = root.attr("generationDate").and_then(iso_date),
        |node| record(&mut out, &node),
    )?;
    out.ended(end);
    Ok(out.finish(published))
}

/// Identification types that name a person's identity or travel document.
const IDENTITY_DOCUMENTS: [&str; 4] = ["passport", "id", "travelcardid", "residentperm"];

fn record(out: &mut Collector, node: &Node) {
    let id = node.attr("logicalId").unwrap_or_default().to_owned();
    let kind = match node.child("subjectType").and_then(|s| s.attr("code")) {
        Some("person") => EntryKind::Person,
        Some("enterprise") => EntryKind::Organisation,
        _ => EntryKind::Other,
    };
    let mut entry = new_entry(&id, kind);

    for alias in node.children("nameAlias") {
        let quality = if entry.names.is_empty() {
            NameQuality::Primary
        } else if alias.attr("strong") == Some("false") {
            NameQuality::Weak
        } else {
            NameQuality::Strong
        };
        let given = match (alias.attr("firstName"), alias.attr("middleName")) {
            (Some(first), Some(middle)) => Some(format!("{first} {middle}")),
            (first, middle) => first.or(middle).map(str::to_owned),
        };
        entry.names.extend(name(
            alias.attr("wholeName"),
            given.as_deref(),
            alias.attr("lastName"),
            quality,
        ));
        if entry.sex.is_none() {
            entry.sex = alias.attr("gender").and_then(sex);
        }
    }

    for birth in node.children("birthdate") {
        birth_date(out, &id, birth, &mut entry.birth_dates);
    }
    for citizenship in node.children("citizenship") {
        let nationality = citizenship
            .attr("countryIso2Code")
            .and_then(|code| country(code, super::country::from_alpha2))
            .or_else(|| {
                citizenship
                    .attr("countryDescription")
                    .and_then(|text| country(text, super::country::from_name))
            });
        entry.nationalities.extend(nationality);
    }
    for identification in node.children("identification") {
        let code = identification.attr("identificationTypeCode").unwrap_or("");
        if !IDENTITY_DOCUMENTS.contains(&code) {
            continue;
        }
        let Some(number) = identification
            .attr("number")
            .or_else(|| identification.attr("latinNumber"))
        else {
            out.finding(
                "document_without_number",
                Some(&id),
                "an identification without a number was skipped",
            );
            continue;
        };
        entry.documents.push(EntryDocument {
            kind: non_empty(identification.attr("identificationTypeDescription"))
                .or_else(|| non_empty(Some(code))),
            number: clean(number),
            issuing_state: identification
                .attr("countryIso2Code")
                .and_then(|code| country(code, super::country::from_alpha2)),
        });
    }
    if let Some(regulation) = node.child("regulation") {
        let programme = non_empty(regulation.attr("programme"));
        let remark = non_empty(node.child_text("remark"));
        entry.reason = match (programme, remark) {
            (Some(programme), Some(remark)) => Some(format!("{programme}: {remark}")),
            (programme, remark) => programme.or(remark),
        };
        entry.listed_on = regulation.attr("publicationDate").and_then(iso_date);
    }
    out.push(entry);
}

fn birth_date(out: &mut Collector, id: &str, node: &Node, dates: &mut Vec<BirthDate>) {
    let circa_given = node.attr("circa") == Some("true");
    if let Some(text) = node.attr("birthdate") {
        match iso_date(text) {
            Some(date) => {
                dates.push(BirthDate::Exact(date));
                return;
            }
            None => out.finding(
                "birth_date_unreadable",
                Some(id),
                format!("birthdate {text:?} is not a date"),
            ),
        }
    }
    if let Some(text) = node.attr("year") {
        let islamic = node.attr("calendarType") == Some("ISLAMIC");
        if let (true, Some(date)) = (islamic, hijri_year(text, node.child_text("remark"))) {
            dates.push(date);
            return;
        }
        let Some(year) = birth_year(text) else {
            out.finding(
                "birth_date_unreadable",
                Some(id),
                format!("year {text:?} is not a year of birth"),
            );
            return;
        };
        // A full date also given as day and month (without `birthdate`).
        let day = node.attr("dayOfMonth").and_then(|d| d.parse().ok());
        let month = node.attr("monthOfYear").and_then(|m| m.parse().ok());
        if let (Some(day), Some(month), false) = (day, month, circa_given)
            && let Ok(date) = Date::new(year, month, day)
        {
            dates.push(BirthDate::Exact(date));
        } else if circa_given {
            dates.push(circa(year));
        } else {
            dates.push(BirthDate::Year(year));
        }
        return;
    }
    let from = node.attr("yearRangeFrom");
    let to = node.attr("yearRangeTo");
    if from.is_some() || to.is_some() {
        match (from.and_then(birth_year), to.and_then(birth_year)) {
            (Some(from), Some(to)) => dates.push(year_range(from, to)),
            (Some(year), None) | (None, Some(year)) => dates.push(BirthDate::Year(year)),
            (None, None) => out.finding(
                "birth_date_unreadable",
                Some(id),
                format!(
                    "year range {:?}..{:?} is not readable",
                    from.unwrap_or(""),
                    to.unwrap_or("")
                ),
            ),
        }
    }
}

/// A year of the Islamic calendar as the Gregorian years it overlaps: solar (Iranian) Hijri years
/// start in March 621 years later; 33 lunar Hijri years make about 32 Gregorian ones.
fn hijri_year(text: &str, remark: Option<&str>) -> Option<BirthDate> {
    let text = text.trim();
    if text.len() != 4 || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i16 = text.parse().ok()?;
    if !(1200..=1500).contains(&year) {
        return None;
    }
    let remark = remark.unwrap_or("").to_lowercase();
    let solar = ["iranian", "solar", "persian", "shamsi"]
        .iter()
        .any(|mark| remark.contains(mark));
    let year = i32::from(year);
    let from = if solar {
        year + 621
    } else {
        622 + year * 32 / 33
    };
    let from = i16::try_from(from).ok()?;
    Some(year_range(from, from.saturating_add(1)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use model::Sex;

    const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<export xmlns="http://eu.europa.ec/fpi/fsd/export" generationDate="2024-05-13T17:44:28.283+02:00" globalFileId="1">
    <sanctionEntity designationDetails="" unitedNationId="" euReferenceNumber="EU.1.1" logicalId="13">
        <remark>Test remark</remark>
        <regulation regulationType="regulation" publicationDate="2003-07-08" programme="IRQ" logicalId="348"/>
        <subjectType code="person" classificationCode="P"/>
        <nameAlias firstName="John" middleName="Q" lastName="Example" wholeName="John Q Example" gender="M" strong="true" logicalId="17"/>
        <nameAlias firstName="" middleName="" lastName="" wholeName="Abu Example" strong="false" logicalId="19"/>
        <nameAlias firstName="" middleName="" lastName="" wholeName="Джон Экзампл" strong="true" logicalId="20"/>
        <citizenship countryIso2Code="IQ" countryDescription="IRAQ"/>
        <citizenship countryIso2Code="00" countryDescription="UNKNOWN"/>
        <birthdate circa="false" birthdate="1937-04-28" year="1937"/>
        <birthdate circa="true" year="1940"/>
        <birthdate circa="false" yearRangeFrom="1953" yearRangeTo="1958"/>
        <birthdate circa="false" city="Somewhere"/>
        <birthdate circa="false" calendarType="ISLAMIC" year="1343"><remark>Iranian Hijri calendar</remark></birthdate>
        <identification number="A123" identificationTypeCode="passport" identificationTypeDescription="National passport" countryIso2Code="IQ"/>
        <identification number="555" identificationTypeCode="fiscalcode" countryIso2Code="IQ"/>
    </sanctionEntity>
    <sanctionEntity logicalId="20">
        <regulation programme="IRQ"/>
        <subjectType code="enterprise" classificationCode="E"/>
        <nameAlias wholeName="Example Trading" strong="true"/>
    </sanctionEntity>
</export>"#;

    #[test]
    fn islamic_years() {
        assert_eq!(
            hijri_year("1402", Some("hijri calendar")),
            Some(BirthDate::Range {
                from: 1981,
                to: 1982
            })
        );
        assert_eq!(hijri_year("1982", None), None);
    }

    #[test]
    fn persons_and_enterprises() {
        let imported = import(SAMPLE.as_bytes()).unwrap();
        assert_eq!(imported.published, Some(date(2024, 5, 13)));
        assert_eq!(imported.entries.len(), 2);
        let person = &imported.entries[0];
        assert_eq!(person.id, "13");
        assert_eq!(person.kind, EntryKind::Person);
        assert_eq!(person.names[0].full, "John Q Example");
        assert_eq!(person.names[0].given.as_deref(), Some("John Q"));
        assert_eq!(person.names[0].family.as_deref(), Some("Example"));
        assert_eq!(person.names[0].quality, NameQuality::Primary);
        assert_eq!(person.names[1].quality, NameQuality::Weak);
        assert_eq!(person.names[2].script, crate::Script::Cyrillic);
        assert_eq!(person.sex, Some(Sex::Male));
        assert_eq!(person.nationalities, vec!["IRQ".to_owned()]);
        assert_eq!(
            person.birth_dates,
            vec![
                BirthDate::Exact(date(1937, 4, 28)),
                BirthDate::Range {
                    from: 1939,
                    to: 1941
                },
                BirthDate::Range {
                    from: 1953,
                    to: 1958
                },
                BirthDate::Range {
                    from: 1964,
                    to: 1965
                },
            ]
        );
        assert_eq!(person.documents.len(), 1);
        assert_eq!(
            person.documents[0].kind.as_deref(),
            Some("National passport")
        );
        assert_eq!(person.documents[0].issuing_state.as_deref(), Some("IRQ"));
        assert_eq!(person.reason.as_deref(), Some("IRQ: Test remark"));
        assert_eq!(person.listed_on, Some(date(2003, 7, 8)));
        assert_eq!(imported.entries[1].kind, EntryKind::Organisation);
        assert!(imported.findings.is_empty());
    }
}
