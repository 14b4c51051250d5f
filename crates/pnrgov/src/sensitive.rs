//! Which SSR codes and free-text words can reveal a special category of personal data, read from
//! the documented table `data/sensitive-codes.csv` so that the list can be reviewed and amended
//! without touching code.

use std::collections::HashMap;
use std::sync::OnceLock;

use invariant::Surely;

use serde::Serialize;

/// A special category of personal data (GDPR Art. 9, Directive 2016/681 Art. 13(4)).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    Religion,
    Health,
    EthnicOrigin,
    SexLife,
    PoliticalOpinion,
    TradeUnion,
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
        }
    }
}

/// A line of the table that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct TableError {
    pub line: usize,
    pub problem: String,
}

/// The classification table.
#[derive(Debug, Clone, Default)]
pub struct Table {
    ssr: HashMap<String, Category>,
    words: HashMap<String, Category>,
}

/// The table shipped with Passage.
pub const BUILTIN: &str = include_str!("../data/sensitive-codes.csv");

impl Table {
    /// The table shipped with Passage (`data/sensitive-codes.csv`).
    pub fn builtin() -> &'static Table {
        static TABLE: OnceLock<Table> = OnceLock::new();
        // `build.rs` reads the shipped table with this same reader and fails the build when it
        // does not read: the empty table here cannot be reached, and would be reported.
        TABLE.get_or_init(|| {
            Table::parse(BUILTIN).surely_or(Table::default(), "the shipped sensitive table")
        })
    }

    /// Reads a table: `kind,code,category,meaning` lines, `#` comments, one header line.
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
            let mut fields = line.splitn(4, ',');
            let (Some(kind), Some(code), Some(category)) =
                (fields.next(), fields.next(), fields.next())
            else {
                return Err(TableError {
                    line: i + 1,
                    problem: "expected kind,code,category,meaning".into(),
                });
            };
            let category = Category::from_name(category.trim()).ok_or_else(|| TableError {
                line: i + 1,
                problem: format!("unknown category '{}'", category.trim()),
            })?;
            let code = code.trim().to_ascii_uppercase();
            match kind.trim() {
                "ssr" => table.ssr.insert(code, category),
                "word" => table.words.insert(code, category),
                other => {
                    return Err(TableError {
                        line: i + 1,
                        problem: format!("unknown kind '{other}'"),
                    });
                }
            };
        }
        Ok(table)
    }

    /// The category an SSR code reveals, if any.
    pub fn ssr(&self, code: &str) -> Option<Category> {
        self.ssr.get(code.trim()).copied()
    }

    /// The category a free text reveals: the first listed word standing alone in it.
    pub fn text(&self, text: &str) -> Option<Category> {
        text.split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .find_map(|w| {
                // Carriers write upper case: look up as written, upper-case only when needed.
                if w.chars().any(char::is_lowercase) {
                    self.words.get(&w.to_uppercase()).copied()
                } else {
                    self.words.get(w).copied()
                }
            })
    }

    /// Number of SSR codes and words listed.
    pub fn len(&self) -> usize {
        self.ssr.len() + self.words.len()
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
        assert!(table.len() > 50, "{}", table.len());
        assert_eq!(table.ssr("MOML"), Some(Category::Religion));
        assert_eq!(table.ssr("KSML"), Some(Category::Religion));
        assert_eq!(table.ssr("HNML"), Some(Category::Religion));
        assert_eq!(table.ssr("MEDA"), Some(Category::Health));
        assert_eq!(table.ssr("WCHR"), Some(Category::Health));
        assert_eq!(table.ssr("DEAF"), Some(Category::Health));
        assert_eq!(table.ssr("BLND"), Some(Category::Health));
        assert_eq!(table.ssr("DOCS"), None);
        assert_eq!(table.ssr("CHML"), None);
    }

    #[test]
    fn words_standing_alone_in_free_text() {
        let table = Table::builtin();
        assert_eq!(table.text("PAX REQ HALAL FOOD"), Some(Category::Religion));
        assert_eq!(
            table.text("needs wheelchair/assist"),
            Some(Category::Health)
        );
        // Part of another word does not count.
        assert_eq!(table.text("BLINDSIDE TRAVEL LTD"), None);
        assert_eq!(table.text("VIP CONTACT OFFICE"), None);
    }

    #[test]
    fn bad_tables_say_where() {
        let err = Table::parse("kind,code,category,meaning\nssr,MOML,religon,typo\n").unwrap_err();
        assert_eq!(err.line, 2);
        assert!(err.problem.contains("religon"));
    }
}
