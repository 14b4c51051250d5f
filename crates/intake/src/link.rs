//! Linking the persons of a flight's API manifest to the travellers of its PNRs, explainably:
//! same booking locator, then surname, first given name, date of birth and document number
//! compared; the link names the fields that agreed.

use serde_json::Value;
use store::{BookingVersion, Link, ManifestRow};

/// A string field of a stored booking.
fn text<'a>(v: &'a Value, key: &str) -> Option<&'a str> {
    v.get(key)?.as_str()
}

fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

/// The first given name of a PNR given-name field, title left out.
fn first_given(given: &str, title: Option<&str>) -> String {
    given
        .split_whitespace()
        .find(|w| Some(*w) != title)
        .map(norm)
        .unwrap_or_default()
}

/// The fields a manifest person and a PNR traveller agree on, when they share a booking.
fn agreement(person: &ManifestRow, traveller: &Value) -> Vec<String> {
    let id = &person.identity;
    let mut agreed = vec!["locator".to_string()];
    let surname = text(traveller, "surname").unwrap_or_default();
    if !surname.is_empty() && norm(surname) == norm(&id.surname) {
        agreed.push("surname".into());
    }
    let given = first_given(
        text(traveller, "given_name").unwrap_or_default(),
        text(traveller, "title"),
    );
    if !given.is_empty() && id.given_names.first().map(|g| first_given(g, None)) == Some(given) {
        agreed.push("given_name".into());
    }
    let documents = traveller
        .get("documents")
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let birth = id.date_of_birth.map(|d| d.to_string());
    if birth.is_some()
        && documents
            .iter()
            .any(|d| text(d, "date_of_birth") == birth.as_deref())
    {
        agreed.push("date_of_birth".into());
    }
    let number = id
        .documents
        .first()
        .and_then(|d| d.number.as_deref())
        .map(norm);
    if number.is_some()
        && documents
            .iter()
            .any(|d| text(d, "number").map(norm) == number)
    {
        agreed.push("document".into());
    }
    agreed
}

/// Links each person with a booking locator to the traveller of that booking who agrees on the
/// surname and on at least one more field, the best agreeing one when several do.
pub fn link(manifest: &[ManifestRow], bookings: &[BookingVersion]) -> Vec<Link> {
    let mut links = Vec::new();
    for person in manifest {
        let Some(locator) = person.booking.as_deref() else {
            continue;
        };
        let Some(booking) = bookings.iter().find(|b| b.locator == locator) else {
            continue;
        };
        let travellers = booking
            .booking
            .get("travellers")
            .and_then(Value::as_array)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let best = travellers
            .iter()
            .map(|t| (t, agreement(person, t)))
            .filter(|(_, a)| a.iter().any(|f| f == "surname") && a.len() >= 3)
            .max_by_key(|(_, a)| a.len());
        if let Some((t, agreed)) = best {
            links.push(Link {
                manifest_id: person.id,
                locator: locator.to_string(),
                traveller: text(t, "reference").unwrap_or_default().to_string(),
                agreed,
            });
        }
    }
    links
}
