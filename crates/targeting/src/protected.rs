//! What no criterion may refer to: the special categories of personal data and their proxies in
//! passenger data, read from the reviewable table `data/protected.csv` (field names, codes and
//! words; each with a category and the reason), in the style of pnrgov's sensitive-data table.

use std::collections::HashMap;
use std::sync::OnceLock;

use invariant::Surely;

use serde::Serialize;

/// Why something is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Religion,
    Health,
    EthnicOrigin,
    SexLife,
    PoliticalOpinion,
    TradeUnion,
    /// Data the law does not let the unit keep or offer to criteria.
    NotAnnexI,
}

impl Category {
    pub fn from_name(name: &str) -> Option<Category> {
        Some(match name {
            "religion" => Category::Religion,
            "health" => Category::Health,
            "ethnic_origin" => Category::EthnicOrigin,
            "sex_life" => Category::SexLife,
            "political_opinion" => Category::PoliticalOpinion,
            "trade_union" => Category::TradeUnion,
            "not_annex_i" => Category::NotAnnexI,
            _ => return None,
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Category::Religion => "religion",
            Category::Health => "health",
            Category::EthnicOrigin => "ethnic_origin",
            Category::SexLife => "sex_life",
            Category::PoliticalOpinion => "political_opinion",
            Category::TradeUnion => "trade_union",
            Category::NotAnnexI => "not_annex_i",
        }
    }

    /// The legal ground of the refusal.
    pub fn basis(self) -> &'static str {
        match self {
            Category::NotAnnexI => {
                "Directive 2016/681 Art. 6(1) and Annex I as narrowed by C-817/19"
            }
            _ => "Directive 2016/681 Art. 6(4) and 13(4); C-817/19",
        }
    }
}

/// What a row lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A field name or a part of one.
    Field,
    /// A code, as a whole string value.
    Code,
    /// A word standing alone in a string value.
    Word,
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub kind: Kind,
    pub term: String,
    pub category: Category,
    pub why: String,
}

/// A line of the table that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct TableError {
    pub line: usize,
    pub problem: String,
}

/// The table of protected fields, codes and words.
#[derive(Debug, Clone, Default)]
pub struct Table {
    fields: HashMap<String, Entry>,
    codes: HashMap<String, Entry>,
    words: HashMap<String, Entry>,
}

/// The table shipped with Passage.
pub const BUILTIN: &str = include_str!("../data/protected.csv");

impl Table {
    /// The table shipped with Passage (`data/protected.csv`).
    pub fn builtin() -> &'static Table {
        static TABLE: OnceLock<Table> = OnceLock::new();
        // `build.rs` reads the shipped table with this same reader and fails the build when it
        // does not read: the empty table here cannot be reached, and would be reported.
        TABLE.get_or_init(|| {
            Table::parse(BUILTIN).surely_or(Table::default(), "the shipped protected table")
        })
    }

    /// Reads a table: `kind,term,category,why` lines, `#` comments, one header line.
    pub fn parse(csv: &str) -> Result<Table, TableError> {
        let mut table = Table::default();
        let mut header_seen = false;
        for (i, line) in csv.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if !header_seen {
                header_seen = true;
                continue;
            }
            let mut parts = line.splitn(4, ',');
            let (Some(kind), Some(term), Some(category), Some(why)) =
                (parts.next(), parts.next(), parts.next(), parts.next())
            else {
                return Err(TableError {
                    line: i + 1,
                    problem: "expected kind,term,category,why".into(),
                });
            };
            let category = Category::from_name(category.trim()).ok_or_else(|| TableError {
                line: i + 1,
                problem: format!("unknown category '{}'", category.trim()),
            })?;
            let kind = match kind.trim() {
                "field" => Kind::Field,
                "code" => Kind::Code,
                "word" => Kind::Word,
                other => {
                    return Err(TableError {
                        line: i + 1,
                        problem: format!("unknown kind '{other}'"),
                    });
                }
            };
            let entry = Entry {
                kind,
                term: term.trim().to_string(),
                category,
                why: why.trim().to_string(),
            };
            match kind {
                Kind::Field => table.fields.insert(entry.term.to_ascii_lowercase(), entry),
                Kind::Code => table.codes.insert(entry.term.to_ascii_uppercase(), entry),
                Kind::Word => table.words.insert(entry.term.to_uppercase(), entry),
            };
        }
        Ok(table)
    }

    /// The entry a field name hits: any dotted part of the name equal to a listed field term
    /// (`ssr`, `ssr.code`, `traveller.religion`, `pnr.remarks`).
    pub fn field(&self, name: &str) -> Option<&Entry> {
        let lower = name.to_ascii_lowercase();
        lower
            .split('.')
            .find_map(|part| self.fields.get(part))
            .or_else(|| self.fields.get(&lower))
    }

    /// The entry a string literal hits: the whole literal as a listed code (`"MOML"`), or a
    /// listed word standing alone in it (`"halal tours"`).
    pub fn literal(&self, text: &str) -> Option<&Entry> {
        let trimmed = text.trim();
        if let Some(e) = self.codes.get(&trimmed.to_ascii_uppercase()) {
            return Some(e);
        }
        trimmed
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .find_map(|w| {
                let upper = w.to_uppercase();
                self.words.get(&upper).or_else(|| self.codes.get(&upper))
            })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.fields.len() + self.codes.len() + self.words.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_table_reads() {
        let table = Table::parse(BUILTIN).unwrap();
        assert!(table.len() > 100, "{}", table.len());
        assert_eq!(
            table.field("ssr.code").unwrap().category,
            Category::Religion
        );
        assert_eq!(table.field("pnr.REMARKS").unwrap().term, "remarks");
        assert!(table.field("booking.party_size").is_none());
        assert_eq!(table.literal("moml").unwrap().category, Category::Religion);
        assert_eq!(table.literal("WCHR").unwrap().category, Category::Health);
        assert_eq!(table.literal("Halal Tours").unwrap().term, "HALAL");
        assert!(table.literal("IST").is_none());
        assert!(table.literal("BLINDSIDE TRAVEL").is_none());
    }

    #[test]
    fn bad_tables_say_where() {
        let err = Table::parse("kind,term,category,why\nword,X,religon,typo\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.problem.contains("religon"));
    }
}
