//! The free text of SSR DOCS, DOCO, DOCA, INFT, FOID, CTCE and CTCM, as the IATA AIRIMP lays it
//! out, read into fields. Each reader takes what it can and leaves the rest empty.

use edifact::date::{Century, place_year};
use jiff::civil::Date;

use crate::model::{Contact, OtherDocument, Text, TravelDocument};

/// `20SEP12` → a date, the two-digit year placed by `century` around `reference`.
pub fn date_ddmmmyy(value: &str, century: Century, reference: Option<Date>) -> Option<Date> {
    let value = value.trim();
    let bytes = value.as_bytes();
    if bytes.len() != 7 {
        return None;
    }
    let day: i32 = value.get(0..2)?.parse().ok()?;
    let month = match value.get(2..5)?.to_ascii_uppercase().as_str() {
        "JAN" => 1,
        "FEB" => 2,
        "MAR" => 3,
        "APR" => 4,
        "MAY" => 5,
        "JUN" => 6,
        "JUL" => 7,
        "AUG" => 8,
        "SEP" => 9,
        "OCT" => 10,
        "NOV" => 11,
        "DEC" => 12,
        _ => return None,
    };
    let yy: i32 = value.get(5..7)?.parse().ok()?;
    let year = place_year(yy, month, day, century, reference);
    Date::new(
        i16::try_from(year).ok()?,
        i8::try_from(month).ok()?,
        i8::try_from(day).ok()?,
    )
    .ok()
}

/// The slash-separated fields of an AIRIMP text, without the leading slash and any `HK1`
/// status prefix some systems leave in.
fn fields(text: &str) -> Vec<&str> {
    let text = text.trim();
    let text = text.strip_prefix('/').unwrap_or(text);
    text.split('/').map(str::trim).collect()
}

fn opt(s: Option<&&str>) -> Option<Text> {
    s.map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .map(Text::from)
}

/// SSR DOCS: `/P/GBR/512731999/GBR/20SEP12/FI/25OCT17/BELT/SOPHY OLIVIA/`.
pub fn docs(text: &str, reference: Option<Date>) -> TravelDocument {
    let f = fields(text);
    let sex = opt(f.get(5));
    let infant = sex
        .as_deref()
        .is_some_and(|s| s.len() == 2 && s.ends_with('I'));
    let mut given_names: Vec<Text> = f
        .get(8)
        .map(|g| g.split_whitespace().map(Text::from).collect())
        .unwrap_or_default();
    if let Some(middle) = opt(f.get(9)) {
        given_names.push(middle);
    }
    TravelDocument {
        kind: opt(f.first()),
        issuing_state: opt(f.get(1)),
        number: opt(f.get(2)),
        nationality: opt(f.get(3)),
        date_of_birth: f
            .get(4)
            .and_then(|d| date_ddmmmyy(d, Century::Past, reference)),
        sex,
        expiry: f
            .get(6)
            .and_then(|d| date_ddmmmyy(d, Century::Around, reference)),
        surname: opt(f.get(7)),
        given_names,
        infant,
        segment: 0,
    }
}

/// SSR DOCO: `/place of birth/type/number/place of issue/issue date/valid for/I`.
pub fn doco(text: &str, reference: Option<Date>) -> OtherDocument {
    let f = fields(text);
    OtherDocument {
        place_of_birth: opt(f.first()),
        kind: opt(f.get(1)),
        number: opt(f.get(2)),
        place_of_issue: opt(f.get(3)),
        issued: f
            .get(4)
            .and_then(|d| date_ddmmmyy(d, Century::Past, reference)),
        valid_for: opt(f.get(5)),
        infant: f.get(6).is_some_and(|i| i.trim() == "I"),
        segment: 0,
    }
}

/// SSR DOCA: `/R|D/country/street/city/state/postal code/I`.
pub fn doca(text: &str) -> Contact {
    let f = fields(text);
    Contact {
        ssr: Some("DOCA".into()),
        purpose: opt(f.first()),
        country: opt(f.get(1)),
        street: opt(f.get(2)),
        city: opt(f.get(3)),
        region: opt(f.get(4)),
        postal_code: opt(f.get(5)),
        ..Contact::default()
    }
}

/// SSR CTCE: an e-mail written for AIRIMP (`//` for `@`, `..` for `_`, `./` for `-`), with an
/// optional `/language` after it.
pub fn ctce(text: &str) -> Contact {
    let text = text.trim().trim_start_matches('/');
    let address = text
        .replace("//", "\u{0}")
        .replace("./", "-")
        .replace("..", "_");
    let address = address
        .split('/')
        .next()
        .unwrap_or_default()
        .replace('\u{0}', "@");
    Contact {
        ssr: Some("CTCE".into()),
        email: (!address.is_empty()).then(|| Text::from(address)),
        ..Contact::default()
    }
}

/// SSR CTCM: a mobile number with an optional `/language`.
pub fn ctcm(text: &str) -> Contact {
    let number = text.trim().trim_start_matches('/');
    let number = number.split('/').next().unwrap_or_default().trim();
    Contact {
        ssr: Some("CTCM".into()),
        phone: (!number.is_empty()).then(|| Text::from(number)),
        ..Contact::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn docs_of_an_infant() {
        let d = docs(
            "/P/GBR/512731999/GBR/20SEP12/FI/25OCT17/BELT/SOPHY OLIVIA/",
            Some(date(2013, 5, 27)),
        );
        assert_eq!(d.kind.as_deref(), Some("P"));
        assert_eq!(d.issuing_state.as_deref(), Some("GBR"));
        assert_eq!(d.number.as_deref(), Some("512731999"));
        assert_eq!(d.nationality.as_deref(), Some("GBR"));
        assert_eq!(d.date_of_birth, Some(date(2012, 9, 20)));
        assert_eq!(d.sex.as_deref(), Some("FI"));
        assert!(d.infant);
        assert_eq!(d.expiry, Some(date(2017, 10, 25)));
        assert_eq!(d.surname.as_deref(), Some("BELT"));
        assert_eq!(d.given_names, ["SOPHY", "OLIVIA"]);
    }

    #[test]
    fn docs_missing_fields_and_no_leading_slash() {
        let d = docs("P/XXA/X123///M", None);
        assert_eq!(d.number.as_deref(), Some("X123"));
        assert_eq!(d.date_of_birth, None);
        assert_eq!(d.sex.as_deref(), Some("M"));
        assert!(!d.infant);
        assert_eq!(d.surname, None);
    }

    #[test]
    fn doco_visa_and_doca_address() {
        let v = doco(
            "/LONDON GBR/V/A1234567/WASHINGTON/01JAN13/USA/",
            Some(date(2013, 5, 27)),
        );
        assert_eq!(v.kind.as_deref(), Some("V"));
        assert_eq!(v.number.as_deref(), Some("A1234567"));
        assert_eq!(v.issued, Some(date(2013, 1, 1)));
        assert_eq!(v.valid_for.as_deref(), Some("USA"));
        let a = doca("/D/USA/1 MAIN STREET/ANYTOWN/NY/10001");
        assert_eq!(a.purpose.as_deref(), Some("D"));
        assert_eq!(a.city.as_deref(), Some("ANYTOWN"));
        assert_eq!(a.postal_code.as_deref(), Some("10001"));
    }

    #[test]
    fn airimp_contacts() {
        let e = ctce("JOHN..DOE//MAIL./SERVICE.EXAMPLE/EN");
        assert_eq!(e.email.as_deref(), Some("JOHN_DOE@MAIL-SERVICE.EXAMPLE"));
        let m = ctcm("/447700900123/EN");
        assert_eq!(m.phone.as_deref(), Some("447700900123"));
    }

    #[test]
    fn airimp_dates() {
        assert_eq!(
            date_ddmmmyy("29FEB24", Century::Past, None),
            Some(date(2024, 2, 29))
        );
        assert_eq!(date_ddmmmyy("30FEB24", Century::Past, None), None);
        assert_eq!(date_ddmmmyy("01XYZ24", Century::Past, None), None);
        assert_eq!(date_ddmmmyy("1JAN24", Century::Past, None), None);
    }
}
