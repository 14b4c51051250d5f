//! Service characters (ISO 9735 UNA) and the reading context of an interchange.

use crate::charset::Charset;

/// The six service characters an interchange is written with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Separators {
    pub component: u8,
    pub element: u8,
    pub decimal: u8,
    /// `None` when UNA declares a space: no release character in use.
    pub release: Option<u8>,
    /// Syntax version 4 repetition separator; `None` when UNA declares a space or is absent.
    pub repetition: Option<u8>,
    pub terminator: u8,
}

impl Default for Separators {
    /// The ISO 9735 defaults for levels A and B: `:+.? '`.
    ///
    /// The repetition separator stays off without a UNA that declares one: carriers write `*`
    /// as plain data in identifiers such as `APIS*ABE`, and guessing wrongly would split them.
    fn default() -> Self {
        Separators {
            component: b':',
            element: b'+',
            decimal: b'.',
            release: Some(b'?'),
            repetition: None,
            terminator: b'\'',
        }
    }
}

impl Separators {
    /// Reads the six characters that follow `UNA`.
    pub fn from_una(chars: [u8; 6]) -> Separators {
        let [component, element, decimal, release, repetition, terminator] = chars;
        Separators {
            component,
            element,
            decimal,
            release: (release != b' ').then_some(release),
            repetition: (repetition != b' ').then_some(repetition),
            terminator,
        }
    }

    /// The six characters as a UNA would declare them.
    pub fn una_chars(&self) -> [u8; 6] {
        [
            self.component,
            self.element,
            self.decimal,
            self.release.unwrap_or(b' '),
            self.repetition.unwrap_or(b' '),
            self.terminator,
        ]
    }

    /// True when two service characters share a byte (and so cannot be told apart).
    pub fn has_clash(&self) -> bool {
        let mut used = vec![self.component, self.element, self.terminator];
        used.extend(self.release);
        used.extend(self.repetition);
        let n = used.len();
        used.sort_unstable();
        used.dedup();
        used.len() != n
    }

    /// True when `b` must be preceded by the release character inside a value.
    pub fn is_special(&self, b: u8) -> bool {
        b == self.component
            || b == self.element
            || b == self.terminator
            || Some(b) == self.release
            || Some(b) == self.repetition
    }
}

/// How the segments of one interchange are to be read: separators and character set.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Syntax {
    pub separators: Separators,
    pub charset: Charset,
    /// Syntax version number from UNB S001/0002, when given.
    pub version: Option<u8>,
}

impl Default for Syntax {
    fn default() -> Self {
        Syntax {
            separators: Separators::default(),
            charset: Charset::Unknown,
            version: None,
        }
    }
}
