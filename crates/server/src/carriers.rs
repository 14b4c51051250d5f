//! Carrier credentials: each carrier sends with its own bearer token. Tokens come from a file
//! readable by the service's user only (never the command line, which every local user can
//! read); only their SHA-256 is kept, and a presented token is compared with every one in time
//! that does not depend on where they differ.

use std::io::Read;
use std::path::Path;

/// Tokens (as SHA-256, hex) and the carrier each one belongs to.
#[derive(Clone, Default)]
pub struct Credentials {
    tokens: Vec<(String, String)>,
    /// For demonstrations and load tests only: trust the carrier the request names.
    open: bool,
}

impl std::fmt::Debug for Credentials {
    // Even hashed, tokens are not printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("tokens", &self.tokens.len())
            .field("open", &self.open)
            .finish()
    }
}

/// Shortest token accepted: 16 characters (a token is a secret, not a password to remember).
pub const MIN_TOKEN_LEN: usize = 16;

/// A carrier code: two or three of `A-Z`, `0-9`.
fn is_carrier_code(c: &str) -> bool {
    (2..=3).contains(&c.len())
        && c.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

impl Credentials {
    /// Credentials from `(token, carrier)` pairs; only the tokens' hashes are kept.
    pub fn new(pairs: impl IntoIterator<Item = (String, String)>) -> Credentials {
        Credentials {
            tokens: pairs
                .into_iter()
                .map(|(token, carrier)| (accounts::token_hash(&token), carrier))
                .collect(),
            open: false,
        }
    }

    /// Reads a credentials file: one `CARRIER TOKEN` or `TOKEN=CARRIER` per line, `#` starts a
    /// comment line. Errors name the line, never the token.
    pub fn parse(text: &str) -> Result<Credentials, String> {
        let mut pairs: Vec<(String, String)> = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let n = n + 1;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.split_whitespace().collect();
            let (carrier, token) = match fields.as_slice() {
                [carrier, token] => (*carrier, *token),
                [one] => match one.rsplit_once('=') {
                    Some((token, carrier)) => (carrier, token),
                    None => {
                        return Err(format!(
                            "line {n}: a credential reads CARRIER TOKEN or TOKEN=CARRIER"
                        ));
                    }
                },
                _ => {
                    return Err(format!(
                        "line {n}: a credential reads CARRIER TOKEN or TOKEN=CARRIER"
                    ));
                }
            };
            let carrier = carrier.to_ascii_uppercase();
            if !is_carrier_code(&carrier) {
                return Err(format!(
                    "line {n}: the carrier is two or three letters or digits"
                ));
            }
            if token.len() < MIN_TOKEN_LEN || !token.bytes().all(|b| b.is_ascii_graphic()) {
                return Err(format!(
                    "line {n}: a token is at least {MIN_TOKEN_LEN} visible ASCII characters"
                ));
            }
            if pairs.iter().any(|(t, _)| t == token) {
                return Err(format!("line {n}: the same token is given twice"));
            }
            pairs.push((token.to_string(), carrier));
        }
        Ok(Credentials::new(pairs))
    }

    /// Reads the credentials file at `path`, refusing one that group or others may read or
    /// write: the tokens in it would be theirs.
    pub fn load(path: &Path) -> Result<Credentials, String> {
        use std::os::unix::fs::PermissionsExt;
        let shown = path.display();
        let mut file = std::fs::File::open(path).map_err(|e| format!("reading {shown}: {e}"))?;
        // The mode of what was opened.
        let meta = file
            .metadata()
            .map_err(|e| format!("reading {shown}: {e}"))?;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(format!(
                "{shown} holds carrier tokens but group or others may read or write it \
                 (mode {mode:03o}); make it readable by this user only: chmod 600 {shown}"
            ));
        }
        let mut text = String::new();
        file.read_to_string(&mut text)
            .map_err(|e| format!("reading {shown}: {e}"))?;
        Credentials::parse(&text).map_err(|e| format!("{shown}: {e}"))
    }

    /// Accepts any sender and takes the carrier from the `X-Passage-Carrier` header. Only for
    /// `passage demo` and load tests on a machine of one's own.
    pub fn open() -> Credentials {
        Credentials {
            tokens: Vec::new(),
            open: true,
        }
    }

    /// How many tokens are known.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Whether no token is known.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The carrier a request is from, if its credential is known.
    pub fn carrier(&self, bearer: Option<&str>, named: Option<&str>) -> Option<String> {
        if let Some(token) = bearer {
            let presented = accounts::token_hash(token);
            // Every stored hash is compared, whichever matches.
            let mut found: Option<&String> = None;
            for (hash, carrier) in &self.tokens {
                if accounts::same(hash, &presented) {
                    found = Some(carrier);
                }
            }
            if let Some(c) = found {
                return Some(c.clone());
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    const A: &str = "0123456789abcdef-xq";
    const B: &str = "fedcba9876543210-zq=";

    #[test]
    fn a_file_of_both_forms_with_comments_is_read() {
        let c = Credentials::parse(&format!(
            "# carriers of the unit\n\nxq {A}\n  {B}=ZQ  \n# rotated: two tokens for one carrier\n7X2 another-token-of-7x2\n"
        ))
        .unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!(c.carrier(Some(A), None).as_deref(), Some("XQ"));
        assert_eq!(c.carrier(Some(B), None).as_deref(), Some("ZQ"));
        assert_eq!(
            c.carrier(Some("another-token-of-7x2"), None).as_deref(),
            Some("7X2")
        );
        assert_eq!(c.carrier(Some("0123456789abcdef-xQ"), None), None);
        assert_eq!(
            c.carrier(None, Some("XQ")),
            None,
            "a named carrier is not trusted"
        );
        // Only hashes are kept: the token is nowhere in memory's debug form or the list.
        assert!(c.tokens.iter().all(|(h, _)| h.len() == 64 && h != A));
        assert!(!format!("{c:?}").contains(A));
    }

    #[test]
    fn bad_lines_are_refused_by_line_without_the_token() {
        for (text, expected) in [
            ("XQ", "line 1: a credential reads"),
            ("XQ a b c", "line 1: a credential reads"),
            (
                "# c\nXQXQ 0123456789abcdef",
                "line 2: the carrier is two or three",
            ),
            ("X-Q 0123456789abcdef", "line 1: the carrier"),
            ("XQ short-token", "line 1: a token is at least 16"),
            (
                "XQ 0123456789abcdef\nZQ 0123456789abcdef",
                "line 2: the same token is given twice",
            ),
        ] {
            let e = Credentials::parse(text).unwrap_err();
            assert!(e.starts_with(expected), "{text:?}: {e}");
            assert!(!e.contains("0123456789abcdef") && !e.contains("short-token"));
        }
    }

    #[test]
    fn a_file_others_may_read_is_refused() {
        let dir = std::env::temp_dir().join(format!("passage-carriers-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("carriers");
        std::fs::write(&path, format!("XQ {A}\n")).unwrap();
        for mode in [0o644, 0o640, 0o604, 0o620] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let e = Credentials::load(&path).unwrap_err();
            assert!(
                e.contains(&format!("mode {mode:03o}")) && e.contains("chmod 600"),
                "{e}"
            );
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let c = Credentials::load(&path).unwrap();
        assert_eq!(c.carrier(Some(A), None).as_deref(), Some("XQ"));
        let _ = std::fs::remove_dir_all(&dir);
    }
}
