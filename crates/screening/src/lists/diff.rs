//! What changed between two versions of a list, keyed on the publisher's entry id.

use std::collections::HashMap;

use serde::Serialize;

use crate::entry::{Entry, ListVersion};

/// Entry ids added, changed (same id, different content) and removed; `added` and `changed` in
/// the new version's order, `removed` in the old one's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Diff {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
}

impl Diff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
}

pub fn diff(old: &ListVersion, new: &ListVersion) -> Diff {
    let old_by_id: HashMap<&str, &Entry> = old.entries.iter().map(|e| (e.id.as_str(), e)).collect();
    let new_by_id: HashMap<&str, &Entry> = new.entries.iter().map(|e| (e.id.as_str(), e)).collect();
    let mut result = Diff::default();
    let mut seen = std::collections::HashSet::new();
    for entry in &new.entries {
        if !seen.insert(entry.id.as_str()) {
            continue;
        }
        match old_by_id.get(entry.id.as_str()) {
            None => result.added.push(entry.id.clone()),
            Some(&before) if before != entry => result.changed.push(entry.id.clone()),
            Some(_) => {}
        }
    }
    let mut seen = std::collections::HashSet::new();
    for entry in &old.entries {
        if seen.insert(entry.id.as_str()) && !new_by_id.contains_key(entry.id.as_str()) {
            result.removed.push(entry.id.clone());
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lists::{Format, ListVersion, import};

    fn version(csv: &str, previous: Option<&ListVersion>) -> ListVersion {
        let imported = import(Format::Csv, csv.as_bytes()).unwrap();
        ListVersion::from_import("national", previous, csv.as_bytes(), imported)
    }

    #[test]
    fn added_changed_removed() {
        let old = version(
            "id,kind,family_name,given_names,birth_date\n\
             a,person,ONE,Ann,1970\n\
             b,person,TWO,Bob,1971\n\
             c,person,THREE,Cy,1972\n",
            None,
        );
        let new = version(
            "id,kind,family_name,given_names,birth_date\n\
             a,person,ONE,Ann,1970\n\
             b,person,TWO,Bob,1971-03-04\n\
             d,person,FOUR,Di,1973\n",
            Some(&old),
        );
        assert_eq!(new.number, 2);
        assert_ne!(old.source_sha256, new.source_sha256);
        let d = diff(&old, &new);
        assert_eq!(d.added, vec!["d".to_owned()]);
        assert_eq!(d.changed, vec!["b".to_owned()]);
        assert_eq!(d.removed, vec!["c".to_owned()]);
        assert!(diff(&new, &new).is_empty());
        let back = diff(&new, &old);
        assert_eq!(back.added, vec!["c".to_owned()]);
        assert_eq!(back.removed, vec!["d".to_owned()]);
    }
}
