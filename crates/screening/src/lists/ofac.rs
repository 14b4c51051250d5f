//! The US OFAC Specially Designated Nationals list, XML (`sdnList` of `sdnEntry`).
//!
//! Individuals have `firstName` (given names) and `lastName` (family name); entities and vessels
//! only `lastName`, their whole name. Dates of birth are free text: `01 Jan 1955`, `Jan 1955`,
//! `1955`, `circa 1955`, `1955 to 1957`, `01 Jan 1973 to 31 Dec 1973`. Sex comes as an `id` of
//! type `Gender`; only identity documents (passports, identity cards and numbers) are kept of the
//! `idList`.

use jiff::civil::Date;

use crate::entry::{BirthDate, EntryDocument, EntryKind, NameQuality};

use super::xml::{self, Node};
use super::{
    Collector, ImportError, Imported, birth_year, circa, clean, country, name, new_entry, sex,
    year_range,
};

pub(super) fn import(bytes: &[u8]) -> Result<Imported, ImportError> {
    let mut out = Collector::default();
    let mut published = None;
    let end = xml::read(
        super::Format::Ofac.title(),
        bytes,
        "sdnList",
        &["sdnEntry", "publshInformation"],
        &["addressList", "placeOfBirthList", "vesselInfo"],
        |_| {},
        |node| {
            if node.name == "publshInformation" {
                if let Some(text) = node.child_text("Publish_Date") {
                    published = us_date(text);
                    if published.is_none() {
                        out.finding(
                            "published_unreadable",
                            None,
                            format!("Publish_Date {text:?} is not a date"),
                        );
                    }
                }
            } else {
                record(&mut out, &node);
            }
        },
    )?;
    out.ended(end);
    Ok(out.finish(published))
}

/// `MM/DD/YYYY`.
fn us_date(text: &str) -> Option<Date> {
    let mut parts = text.trim().split('/');
    let month = parts.next()?.parse().ok()?;
    let day = parts.next()?.parse().ok()?;
    let year = parts.next()?.parse().ok()?;
    if parts.next().is_some() {
        return None;
    }
    Date::new(year, month, day).ok()
}

fn record(out: &mut Collector, node: &Node) {
    let id = node.child_text("uid").unwrap_or_default().to_owned();
    let kind = match node.child_text("sdnType") {
        Some(t) if t.eq_ignore_ascii_case("individual") => EntryKind::Person,
        Some(t) if t.eq_ignore_ascii_case("entity") => EntryKind::Organisation,
        Some(t) if t.eq_ignore_ascii_case("vessel") => EntryKind::Vessel,
        _ => EntryKind::Other,
    };
    let person = kind == EntryKind::Person;
    let mut entry = new_entry(&id, kind);

    entry
        .names
        .extend(full_name(node, person, NameQuality::Primary));
    for aka in node.children("akaList").flat_map(|l| l.children("aka")) {
        let quality = match aka.child_text("category") {
            Some(c) if c.eq_ignore_ascii_case("weak") => NameQuality::Weak,
            _ => NameQuality::Strong,
        };
        entry.names.extend(full_name(aka, person, quality));
    }

    for item in node
        .children("dateOfBirthList")
        .flat_map(|l| l.children("dateOfBirthItem"))
    {
        if let Some(text) = item.child_text("dateOfBirth") {
            match birth_date(text) {
                Some(date) => entry.birth_dates.push(date),
                None => out.finding(
                    "birth_date_unreadable",
                    Some(&id),
                    format!("dateOfBirth {text:?} is not a date of birth"),
                ),
            }
        }
    }
    for (list, item) in [
        ("nationalityList", "nationality"),
        ("citizenshipList", "citizenship"),
    ] {
        for place in node.children(list).flat_map(|l| l.children(item)) {
            entry.nationalities.extend(
                place
                    .child_text("country")
                    .and_then(|t| country(t, super::country::from_name)),
            );
        }
    }
    for identity in node.children("idList").flat_map(|l| l.children("id")) {
        let (Some(kind), Some(number)) = (
            identity.child_text("idType"),
            identity.child_text("idNumber"),
        ) else {
            continue;
        };
        if kind.eq_ignore_ascii_case("gender") {
            entry.sex = sex(number);
        } else if is_identity_document(kind) {
            entry.documents.push(EntryDocument {
                kind: Some(clean(kind)),
                number: clean(number),
                issuing_state: identity
                    .child_text("idCountry")
                    .and_then(|t| country(t, super::country::from_name)),
            });
        }
    }
    let programs: Vec<&str> = node
        .children("programList")
        .flat_map(|l| l.children("program"))
        .filter_map(Node::text)
        .collect();
    if !programs.is_empty() {
        entry.reason = Some(programs.join("; "));
    }
    out.push(entry);
}

fn full_name(node: &Node, person: bool, quality: NameQuality) -> Option<crate::EntryName> {
    let first = node.child_text("firstName");
    let last = node.child_text("lastName");
    if person {
        name(None, first, last, quality)
    } else {
        let whole = match (first, last) {
            (Some(first), Some(last)) => Some(format!("{first} {last}")),
            (first, last) => last.or(first).map(str::to_owned),
        };
        name(whole.as_deref(), None, None, quality)
    }
}

/// Passports and identity cards or numbers; not tax, company or vessel numbers.
fn is_identity_document(kind: &str) -> bool {
    let kind = kind.to_ascii_lowercase();
    const MARKS: [&str; 13] = [
        "passport",
        "national id",
        "personal id",
        "id card",
        "identification number",
        "identity",
        "cedula",
        "d.n.i",
        "travel document",
        "kenyan id",
        "citizen's card",
        "foreign id",
        "numero de identidad",
    ];
    MARKS.iter().any(|mark| kind.contains(mark)) && !kind.contains("tax")
}

fn birth_date(text: &str) -> Option<BirthDate> {
    let text = clean(text);
    if let Some(rest) = strip_prefix_ignore_case(&text, "circa ") {
        return when(rest).map(|(_, year)| circa(year));
    }
    if let Some((from, to)) = text.split_once(" to ") {
        let (from_date, from_year) = when(from)?;
        let (to_date, to_year) = when(to)?;
        if let (Some(a), Some(b)) = (from_date, to_date)
            && a == b
        {
            return Some(BirthDate::Exact(a));
        }
        return Some(year_range(from_year, to_year));
    }
    let (date, year) = when(&text)?;
    Some(date.map_or(BirthDate::Year(year), BirthDate::Exact))
}

fn strip_prefix_ignore_case<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    let head = text.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| text.get(prefix.len()..))
        .flatten()
}

/// `DD Mon YYYY` (a date and its year), `Mon YYYY` or `YYYY` (a year).
fn when(text: &str) -> Option<(Option<Date>, i16)> {
    let words: Vec<&str> = text.split_whitespace().collect();
    match words.as_slice() {
        [year] => Some((None, birth_year(year)?)),
        [month, year] => {
            month_number(month)?;
            Some((None, birth_year(year)?))
        }
        [day, month, year] => {
            let year = birth_year(year)?;
            let date = Date::new(year, month_number(month)?, day.parse().ok()?).ok()?;
            Some((Some(date), year))
        }
        _ => None,
    }
}

fn month_number(text: &str) -> Option<i8> {
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let lower = text.trim_end_matches('.').to_ascii_lowercase();
    let index = MONTHS
        .iter()
        .position(|m| lower.len() >= 3 && lower.starts_with(m))?;
    i8::try_from(index + 1).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use model::Sex;

    const SAMPLE: &str = r#"<?xml version="1.0" standalone="yes"?>
<sdnList xmlns="https://sanctionslistservice.ofac.treas.gov/api/PublicationPreview/exports/XML">
  <publshInformation><Publish_Date>05/07/2024</Publish_Date><Record_Count>3</Record_Count></publshInformation>
  <sdnEntry>
    <uid>1</uid><firstName>John</firstName><lastName>EXAMPLE</lastName><sdnType>Individual</sdnType>
    <programList><program>SDGT</program><program>IRGC</program></programList>
    <idList>
      <id><uid>9</uid><idType>Passport</idType><idNumber>A1234567</idNumber><idCountry>Iran</idCountry></id>
      <id><uid>10</uid><idType>Tax ID No.</idType><idNumber>999</idNumber></id>
      <id><uid>11</uid><idType>Gender</idType><idNumber>Male</idNumber></id>
    </idList>
    <akaList>
      <aka><uid>2</uid><type>a.k.a.</type><category>strong</category><firstName>Johnny</firstName><lastName>EXAMPLE</lastName></aka>
      <aka><uid>3</uid><type>a.k.a.</type><category>weak</category><lastName>ABU EXAMPLE</lastName></aka>
    </akaList>
    <nationalityList><nationality><uid>4</uid><country>Korea, North</country><mainEntry>true</mainEntry></nationality></nationalityList>
    <citizenshipList><citizenship><uid>5</uid><country>Russia</country><mainEntry>true</mainEntry></citizenship></citizenshipList>
    <dateOfBirthList>
      <dateOfBirthItem><uid>6</uid><dateOfBirth>01 Jan 1955</dateOfBirth></dateOfBirthItem>
      <dateOfBirthItem><uid>7</uid><dateOfBirth>circa 1960</dateOfBirth></dateOfBirthItem>
      <dateOfBirthItem><uid>8</uid><dateOfBirth>01 Jan 1973 to 31 Dec 1975</dateOfBirth></dateOfBirthItem>
      <dateOfBirthItem><uid>12</uid><dateOfBirth>sometime</dateOfBirth></dateOfBirthItem>
    </dateOfBirthList>
  </sdnEntry>
  <sdnEntry><uid>36</uid><lastName>EXAMPLE AIRLINES</lastName><sdnType>Entity</sdnType></sdnEntry>
  <sdnEntry><uid>37</uid><lastName>EXAMPLE SHIP</lastName><sdnType>Vessel</sdnType></sdnEntry>
</sdnList>"#;

    #[test]
    fn entries_names_dates_documents() {
        let imported = import(SAMPLE.as_bytes()).unwrap();
        assert_eq!(imported.published, Some(date(2024, 5, 7)));
        assert_eq!(imported.entries.len(), 3);
        let person = &imported.entries[0];
        assert_eq!(person.id, "1");
        assert_eq!(person.kind, EntryKind::Person);
        assert_eq!(person.names[0].full, "John EXAMPLE");
        assert_eq!(person.names[0].given.as_deref(), Some("John"));
        assert_eq!(person.names[0].family.as_deref(), Some("EXAMPLE"));
        assert_eq!(person.names[2].quality, NameQuality::Weak);
        assert_eq!(
            person.birth_dates,
            vec![
                BirthDate::Exact(date(1955, 1, 1)),
                BirthDate::Range {
                    from: 1959,
                    to: 1961
                },
                BirthDate::Range {
                    from: 1973,
                    to: 1975
                },
            ]
        );
        assert_eq!(
            person.nationalities,
            vec!["PRK".to_owned(), "RUS".to_owned()]
        );
        assert_eq!(person.sex, Some(Sex::Male));
        assert_eq!(person.documents.len(), 1);
        assert_eq!(person.documents[0].issuing_state.as_deref(), Some("IRN"));
        assert_eq!(person.reason.as_deref(), Some("SDGT; IRGC"));
        assert_eq!(imported.entries[1].kind, EntryKind::Organisation);
        assert_eq!(imported.entries[1].names[0].family, None);
        assert_eq!(imported.entries[2].kind, EntryKind::Vessel);
        assert_eq!(imported.findings.len(), 1);
        assert_eq!(imported.findings[0].code, "birth_date_unreadable");
    }

    #[test]
    fn dates_of_birth_as_written() {
        assert_eq!(birth_date("1955"), Some(BirthDate::Year(1955)));
        assert_eq!(birth_date("Dec 1955"), Some(BirthDate::Year(1955)));
        assert_eq!(
            birth_date("1955 to 1957"),
            Some(BirthDate::Range {
                from: 1955,
                to: 1957
            })
        );
        assert_eq!(
            birth_date("01 Jan 1973 to 31 Dec 1973"),
            Some(BirthDate::Year(1973))
        );
        assert_eq!(
            birth_date("05 Mar 1970 to 05 Mar 1970"),
            Some(BirthDate::Exact(date(1970, 3, 5)))
        );
        assert_eq!(birth_date("31 Feb 1970"), None);
        assert_eq!(birth_date(""), None);
        assert_eq!(us_date("13/01/2024"), None);
    }
}
