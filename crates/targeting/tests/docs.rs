#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;

use targeting::{Restriction, catalogue};

/// Every catalogue field has its row in docs/criteria.md, with the same type, Annex I item and
/// use; and the document lists no field the catalogue does not have.
#[test]
fn every_catalogue_field_is_documented() {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/criteria.md");
    let doc = std::fs::read_to_string(&path).unwrap();
    for field in catalogue::fields() {
        let usage = match field.restriction {
            Restriction::None => "",
            Restriction::NotAlone => "never alone",
            Restriction::ExactNotAlone => "whole names only; never alone",
        };
        let row = format!(
            "| `{}` | {} | {} | {} |",
            field.name, field.ty, field.annex_item, usage
        );
        assert!(
            doc.contains(&row),
            "docs/criteria.md lacks the row starting {row}"
        );
        assert!(
            (1..=19).contains(&field.annex_item),
            "{} is not from an Annex I item",
            field.name
        );
        assert!(!field.description.is_empty());
    }
    let documented = doc
        .lines()
        .filter(|l| l.starts_with("| `") && l.matches('|').count() == 6)
        .count();
    assert_eq!(documented, catalogue::fields().len());
}

/// No catalogue field is itself protected.
#[test]
fn the_catalogue_offers_nothing_protected() {
    let table = targeting::protected::Table::builtin();
    for field in catalogue::fields() {
        assert!(table.field(field.name).is_none(), "{}", field.name);
    }
}
