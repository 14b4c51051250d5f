//! Linking the persons of a flight's API manifest to the travellers of its PNRs, explainably:
//! same booking locator, then surname, first given name, date of birth and document number
//! compared; the link names the fields that agreed.

use store::{Link, LinkPerson, PnrTraveller};

/// Letters and digits only, upper case: what two spellings of a name or number share.
pub fn norm(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

/// The first given name of a PNR or API given-name field, title left out.
pub fn first_given(given: &str, title: Option<&str>) -> String {
    given
        .split_whitespace()
        .find(|w| Some(*w) != title)
        .map(norm)
        .unwrap_or_default()
}

/// A PNR traveller's identifying fields, as linking compares them.
pub fn pnr_traveller(locator: &str, t: &pnrgov::Traveller) -> PnrTraveller {
    PnrTraveller {
        locator: locator.to_string(),
        reference: t.reference.as_deref().unwrap_or_default().to_string(),
        surname: t.surname.trim().to_string(),
        given_name: t
            .given_name
            .as_deref()
            .unwrap_or_default()
            .split_whitespace()
            .filter(|w| Some(*w) != t.title.as_deref())
            .collect::<Vec<_>>()
            .join(" "),
        birth_dates: t
            .documents
            .iter()
            .filter_map(|d| d.date_of_birth.map(|b| b.to_string()))
            .collect(),
        documents: t
            .documents
            .iter()
            .filter_map(|d| d.number.as_deref().map(norm))
            .filter(|n| !n.is_empty())
            .collect(),
    }
}

/// The fields a manifest person and a PNR traveller agree on, when they share a booking.
fn agreement(person: &LinkPerson, traveller: &PnrTraveller) -> Vec<String> {
    let mut agreed = vec!["locator".to_string()];
    let surname = norm(&traveller.surname);
    if !surname.is_empty() && surname == norm(&person.surname) {
        agreed.push("surname".into());
    }
    let given = first_given(&traveller.given_name, None);
    if !given.is_empty() && first_given(&person.given_names, None) == given {
        agreed.push("given_name".into());
    }
    if let Some(birth) = &person.date_of_birth
        && traveller.birth_dates.iter().any(|b| b == birth)
    {
        agreed.push("date_of_birth".into());
    }
    if let Some(number) = person.document_number.as_deref().map(norm)
        && !number.is_empty()
        && traveller.documents.contains(&number)
    {
        agreed.push("document".into());
    }
    agreed
}

/// Links each person to the traveller of the same booking who agrees on the surname and on at
/// least one more field, the best agreeing one when several do.
pub fn link(persons: &[LinkPerson], travellers: &[PnrTraveller]) -> Vec<Link> {
    let mut links = Vec::new();
    for person in persons {
        let best = travellers
            .iter()
            .filter(|t| t.locator == person.locator)
            .map(|t| (t, agreement(person, t)))
            .filter(|(_, a)| a.iter().any(|f| f == "surname") && a.len() >= 3)
            .max_by_key(|(_, a)| a.len());
        if let Some((t, agreed)) = best {
            links.push(Link {
                manifest_id: person.manifest_id,
                locator: person.locator.clone(),
                traveller: t.reference.clone(),
                agreed,
            });
        }
    }
    links
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(given: &str, birth: Option<&str>, document: Option<&str>) -> LinkPerson {
        LinkPerson {
            manifest_id: 7,
            locator: "QZX123".into(),
            surname: "Synth-Example".into(),
            given_names: given.into(),
            date_of_birth: birth.map(String::from),
            document_number: document.map(String::from),
        }
    }

    fn traveller(reference: &str, given: &str, birth: &str, document: &str) -> PnrTraveller {
        PnrTraveller {
            locator: "QZX123".into(),
            reference: reference.into(),
            surname: "SYNTHEXAMPLE".into(),
            given_name: given.into(),
            birth_dates: vec![birth.into()],
            documents: vec![document.into()],
        }
    }

    #[test]
    fn the_best_agreeing_traveller_of_the_booking_is_linked_with_its_reasons() {
        let travellers = [
            traveller("1", "ANNA", "1990-01-02", "X1"),
            traveller("2", "ANNA", "1990-01-02", "X1234567"),
            traveller("3", "BORIS", "1985-05-05", "X7"),
        ];
        let links = link(
            &[person("ANNA MARIA", Some("1990-01-02"), Some("x-1234567"))],
            &travellers,
        );
        assert_eq!(links.len(), 1);
        assert_eq!(links[0].traveller, "2");
        assert_eq!(
            links[0].agreed,
            [
                "locator",
                "surname",
                "given_name",
                "date_of_birth",
                "document"
            ]
        );
    }

    #[test]
    fn a_surname_alone_or_another_booking_does_not_link() {
        let only_surname = [traveller("1", "BORIS", "1985-05-05", "X7")];
        assert!(link(&[person("ANNA", None, None)], &only_surname).is_empty());
        let mut elsewhere = traveller("1", "ANNA", "1990-01-02", "X1");
        elsewhere.locator = "OTHER1".into();
        assert!(link(&[person("ANNA", Some("1990-01-02"), None)], &[elsewhere]).is_empty());
    }

    #[test]
    fn titles_glued_to_pnr_given_names_are_left_out() {
        assert_eq!(first_given("ISABELLE MRS", Some("MRS")), "ISABELLE");
        assert_eq!(first_given("MRS ISABELLE", Some("MRS")), "ISABELLE");
        assert_eq!(first_given("", None), "");
    }
}
