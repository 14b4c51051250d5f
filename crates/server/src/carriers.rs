//! Carrier credentials: each carrier sends with its own bearer token.

use std::collections::HashMap;

/// Tokens and the carrier each one belongs to.
#[derive(Clone, Default)]
pub struct Credentials {
    tokens: HashMap<String, String>,
    /// For demonstrations and load tests only: trust the carrier the request names.
    open: bool,
}

impl std::fmt::Debug for Credentials {
    // Tokens are secrets: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("carriers", &self.tokens.len())
            .field("open", &self.open)
            .finish()
    }
}

impl Credentials {
    pub fn new(tokens: HashMap<String, String>) -> Credentials {
        Credentials {
            tokens,
            open: false,
        }
    }

    /// Accepts any sender and takes the carrier from the `X-Passage-Carrier` header. Only for
    /// `passage demo` and load tests on a machine of one's own.
    pub fn open() -> Credentials {
        Credentials {
            tokens: HashMap::new(),
            open: true,
        }
    }

    /// The carrier a request is from, if its credential is known.
    pub fn carrier(&self, bearer: Option<&str>, named: Option<&str>) -> Option<String> {
        if let Some(c) = bearer.and_then(|t| self.tokens.get(t)) {
            return Some(c.clone());
        }
        if self.open {
            return named
                .filter(|n| {
                    !n.is_empty() && n.len() <= 8 && n.bytes().all(|b| b.is_ascii_alphanumeric())
                })
                .map(str::to_ascii_uppercase);
        }
        None
    }
}
