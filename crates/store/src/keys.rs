//! The unit's secret keys, kept in files beside the database and never in it: `audit.key`
//! (seals the audit log) and `sealing.key` (seals the originals of masked data). A stolen
//! database file without them can neither forge the audit nor read what was masked.
//!
//! A key file holds 64 hexadecimal digits (32 bytes) and must be readable by its owner only
//! (mode 0600): a key others may read is refused, not used.

use std::io::{Read, Write};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::Path;

/// Reads the key file named `what` in errors. `None` when there is none.
pub(crate) fn read(path: &Path, what: &str) -> Result<Option<[u8; 32]>, String> {
    let shown = |e: std::io::Error| format!("reading {}: {e}", path.display());
    let mut file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(shown(e)),
    };
    let mode = file.metadata().map_err(shown)?.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(format!(
            "the {what} {} may be read or written by group or others (mode {mode:03o}); \
             chmod 600 it",
            path.display()
        ));
    }
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(shown)?;
    let text = text.trim();
    let mut key = [0u8; 32];
    let ok = text.len() == 64
        && key.iter_mut().enumerate().all(|(i, b)| {
            text.get(2 * i..2 * i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .map(|v| *b = v)
                .is_some()
        });
    if !ok {
        return Err(format!(
            "{} is not an {what} (64 hexadecimal digits)",
            path.display()
        ));
    }
    Ok(Some(key))
}

/// Makes a key file (mode 0600) where there is none: written whole under another name, then
/// linked into place, so that no process reads half a key. `None` when another made it first.
pub(crate) fn make(path: &Path) -> Result<Option<[u8; 32]>, String> {
    let key = random()?;
    // Unique per call: two stores of one process may make the key at once.
    let mut nonce = [0u8; 8];
    getrandom::fill(&mut nonce).map_err(|e| e.to_string())?;
    let tmp = path.with_extension(format!("key.{}.{}.tmp", std::process::id(), hex(&nonce)));
    let shown = |e: std::io::Error| format!("making {}: {e}", path.display());
    {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&tmp)
            .map_err(shown)?;
        f.write_all(format!("{}\n", hex(&key)).as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(shown)?;
    }
    let linked = std::fs::hard_link(&tmp, path);
    let _ = std::fs::remove_file(&tmp);
    match linked {
        Ok(()) => Ok(Some(key)),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(None),
        Err(e) => Err(shown(e)),
    }
}

/// 32 random bytes from the operating system.
pub(crate) fn random() -> Result<[u8; 32], String> {
    let mut key = [0u8; 32];
    getrandom::fill(&mut key).map_err(|e| e.to_string())?;
    Ok(key)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
