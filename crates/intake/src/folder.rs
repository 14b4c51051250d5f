//! The drop-folder channel, as carriers and service providers deliver by SFTP: files appear in
//! `inbox/<CARRIER>/`, are kept in the vault, then moved to `archive/<CARRIER>/` (read) or
//! `failed/<CARRIER>/` (not readable; the vault keeps them too).

use std::path::{Path, PathBuf};

use crate::{Intake, IntakeError, Outcome};

/// What one sweep of the inbox did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Sweep {
    pub taken: usize,
    pub failed: usize,
}

/// The folders of a drop-folder channel under one root.
#[derive(Debug, Clone)]
pub struct DropFolder {
    pub root: PathBuf,
}

impl DropFolder {
    pub fn new(root: impl Into<PathBuf>) -> DropFolder {
        DropFolder { root: root.into() }
    }

    pub fn inbox(&self) -> PathBuf {
        self.root.join("inbox")
    }

    /// Creates the folders.
    pub fn prepare(&self) -> std::io::Result<()> {
        for d in ["inbox", "archive", "failed"] {
            std::fs::create_dir_all(self.root.join(d))?;
        }
        Ok(())
    }

    /// Takes in every file waiting in the inbox, oldest name first.
    pub async fn sweep(&self, intake: &Intake) -> Result<Sweep, IntakeError> {
        let mut sweep = Sweep::default();
        let Ok(carriers) = std::fs::read_dir(self.inbox()) else {
            return Ok(sweep);
        };
        let mut files: Vec<(String, PathBuf)> = Vec::new();
        for carrier in carriers.flatten() {
            let path = carrier.path();
            if !path.is_dir() {
                continue;
            }
            let name = carrier.file_name().to_string_lossy().to_ascii_uppercase();
            if let Ok(entries) = std::fs::read_dir(&path) {
                files.extend(
                    entries
                        .flatten()
                        .map(|e| e.path())
                        .filter(|p| p.is_file() && !is_partial(p))
                        .map(|p| (name.clone(), p)),
                );
            }
        }
        files.sort_by(|a, b| a.1.cmp(&b.1));
        for (carrier, path) in files {
            let Ok(bytes) = std::fs::read(&path) else {
                continue;
            };
            let receipt = intake.receive("folder", &carrier, &bytes).await?;
            let to = if receipt.outcome == Outcome::Failed {
                sweep.failed += 1;
                "failed"
            } else {
                "archive"
            };
            sweep.taken += 1;
            let dir = self.root.join(to).join(&carrier);
            // The vault holds the bytes already: a file that cannot be moved is taken again
            // next sweep and recognised as a duplicate.
            if std::fs::create_dir_all(&dir).is_ok()
                && let Some(name) = path.file_name()
            {
                let _ = std::fs::rename(&path, dir.join(name));
            }
        }
        Ok(sweep)
    }
}

/// Files still being written by an SFTP client carry a temporary suffix.
fn is_partial(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e == "part" || e == "tmp" || e == "filepart")
        || path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
}
