//! The drop-folder channel, as carriers and service providers deliver by SFTP: files appear in
//! `inbox/<CARRIER>/`, are kept in the vault, then moved to `archive/<CARRIER>/` (read) or
//! `failed/<CARRIER>/` (not readable; the vault keeps them too).
//!
//! Whoever can write the inbox is not trusted: only regular files are taken, opened without
//! following a symbolic link (a link to `/proc/self/cmdline` or to the database must not reach
//! the vault), on the inbox's own file system, with no other name (a hard link), and no larger
//! than the HTTP intake's limit. Anything else is moved to `failed/` with a `.refused` note
//! saying why, and never read. Folders whose name is not a carrier code are ignored.

use std::collections::HashSet;
use std::ffi::OsString;
use std::fs::{File, Metadata, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{MetadataExt, OpenOptionsExt};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use store::AuditEntry;

use crate::{Intake, IntakeError, Outcome};

/// What one sweep of the inbox did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Sweep {
    /// Files kept in the vault.
    pub taken: usize,
    /// Of those, the ones that could not be read.
    pub failed: usize,
    /// Files moved to `failed/` without being read: too large, not a regular file, a link.
    pub refused: usize,
    /// Entries left where they are: folders that are not carrier codes, folders in a
    /// carrier's folder.
    pub ignored: usize,
}

/// The folders of a drop-folder channel under one root.
#[derive(Debug, Clone)]
pub struct DropFolder {
    pub root: PathBuf,
    /// Largest file taken, in bytes: the same limit as the HTTP intake's.
    pub max_bytes: usize,
    /// Entries already reported as ignored, so that the log says it once, not every sweep.
    reported: Arc<Mutex<HashSet<OsString>>>,
}

/// Why a file was not read.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Refusal {
    TooLarge { bytes: u64, limit: usize },
    NotRegular(&'static str),
    OtherNames(u64),
    ElsewhereMounted,
}

impl Refusal {
    fn code(&self) -> &'static str {
        match self {
            Refusal::TooLarge { .. } => "too_large",
            Refusal::NotRegular(_) => "not_a_regular_file",
            Refusal::OtherNames(_) => "hard_link",
            Refusal::ElsewhereMounted => "other_file_system",
        }
    }

    fn text(&self) -> String {
        match self {
            Refusal::TooLarge { bytes, limit } => format!(
                "{bytes} bytes, larger than the limit of {limit} bytes; not read (send it in smaller messages)"
            ),
            Refusal::NotRegular(kind) => {
                format!("a {kind}, not a regular file; not read (send the file itself)")
            }
            Refusal::OtherNames(n) => {
                format!("the file has {n} names (a hard link); not read (send the file itself)")
            }
            Refusal::ElsewhereMounted => {
                "the file lies on another file system than its folder; not read".to_string()
            }
        }
    }
}

/// A carrier folder: two or three of `A-Z`, `0-9` (IATA and ICAO designators).
pub fn is_carrier_code(name: &str) -> bool {
    (2..=3).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

impl DropFolder {
    /// A drop folder under `root` taking files of at most `max_bytes`.
    pub fn new(root: impl Into<PathBuf>, max_bytes: usize) -> DropFolder {
        DropFolder {
            root: root.into(),
            max_bytes,
            reported: Arc::default(),
        }
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

    /// Logs once that an entry of the inbox is ignored. Names are not logged: whoever writes
    /// the inbox chooses them, and they may carry personal data.
    fn ignore(&self, path: &Path, why: &'static str) {
        let first = crate::sync::lock(&self.reported).insert(path.as_os_str().to_os_string());
        if first {
            tracing::warn!(why, "drop folder: an entry of the inbox is ignored");
        }
    }

    /// Takes in every file waiting in the inbox, oldest name first.
    pub async fn sweep(&self, intake: &Intake) -> Result<Sweep, IntakeError> {
        let mut sweep = Sweep::default();
        let Ok(carriers) = std::fs::read_dir(self.inbox()) else {
            return Ok(sweep);
        };
        // (carrier, the carrier folder's identity, file)
        let mut files: Vec<(String, (u64, u64), PathBuf)> = Vec::new();
        for carrier in carriers.flatten() {
            let path = carrier.path();
            // The entry's own type: a symbolic link is not followed.
            let Ok(kind) = carrier.file_type() else {
                continue;
            };
            if !kind.is_dir() {
                self.ignore(&path, "not a folder");
                sweep.ignored += 1;
                continue;
            }
            let Some(name) = carrier.file_name().to_str().map(str::to_string) else {
                self.ignore(&path, "folder name is not a carrier code");
                sweep.ignored += 1;
                continue;
            };
            if !is_carrier_code(&name) {
                self.ignore(&path, "folder name is not a carrier code");
                sweep.ignored += 1;
                continue;
            }
            let Ok(dir) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            let Ok(entries) = std::fs::read_dir(&path) else {
                continue;
            };
            for e in entries.flatten() {
                let p = e.path();
                if is_partial(&p) {
                    continue;
                }
                if e.file_type().is_ok_and(|t| t.is_dir()) {
                    self.ignore(&p, "a folder in a carrier's folder");
                    sweep.ignored += 1;
                    continue;
                }
                files.push((name.clone(), (dir.dev(), dir.ino()), p));
            }
        }
        files.sort_by(|a, b| a.2.cmp(&b.2));
        for (carrier, dir, path) in files {
            let bytes = match self.read(&path, dir) {
                Ok(Ok(bytes)) => bytes,
                Ok(Err(refusal)) => {
                    self.refuse(intake, &carrier, &path, &refusal).await?;
                    sweep.refused += 1;
                    continue;
                }
                // Gone, or not readable yet: looked at again next sweep.
                Err(_) => continue,
            };
            let receipt = intake.receive("folder", &carrier, &bytes).await?;
            let to = if receipt.outcome == Outcome::Failed {
                sweep.failed += 1;
                "failed"
            } else {
                "archive"
            };
            sweep.taken += 1;
            // The vault holds the bytes already: a file that cannot be moved is taken again
            // next sweep and recognised as a duplicate.
            let _ = self.move_to(to, &carrier, &path);
        }
        Ok(sweep)
    }

    /// Reads a file of a carrier folder whose identity (device, inode) was `dir` when listed:
    /// the file's bytes, or why it was not read (an I/O error leaves it for the next sweep).
    fn read(&self, path: &Path, dir: (u64, u64)) -> std::io::Result<Result<Vec<u8>, Refusal>> {
        let file = match open_no_follow(path) {
            Ok(f) => f,
            // ELOOP: the last component is a symbolic link.
            Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
                return Ok(Err(Refusal::NotRegular("symbolic link")));
            }
            Err(e) => return Err(e),
        };
        // What was opened, not what the name points at now.
        let meta = file.metadata()?;
        if let Some(refusal) = self.check(&meta, dir) {
            return Ok(Err(refusal));
        }
        // The folder must still be the one listed (not swapped for a link while we opened).
        let now = std::fs::symlink_metadata(path.parent().unwrap_or(path))?;
        if !now.file_type().is_dir() || (now.dev(), now.ino()) != dir {
            return Err(std::io::Error::other("the carrier folder changed"));
        }
        let limit = self.max_bytes as u64;
        let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
        // A file still growing past the limit is refused too, and not read further.
        (&file).take(limit + 1).read_to_end(&mut bytes)?;
        if bytes.len() as u64 > limit {
            return Ok(Err(Refusal::TooLarge {
                bytes: meta.len().max(bytes.len() as u64),
                limit: self.max_bytes,
            }));
        }
        Ok(Ok(bytes))
    }

    fn check(&self, meta: &Metadata, dir: (u64, u64)) -> Option<Refusal> {
        let t = meta.file_type();
        if !t.is_file() {
            return Some(Refusal::NotRegular(if t.is_dir() {
                "folder"
            } else {
                "special file"
            }));
        }
        if meta.dev() != dir.0 {
            return Some(Refusal::ElsewhereMounted);
        }
        if meta.nlink() > 1 {
            return Some(Refusal::OtherNames(meta.nlink()));
        }
        if meta.len() > self.max_bytes as u64 {
            return Some(Refusal::TooLarge {
                bytes: meta.len(),
                limit: self.max_bytes,
            });
        }
        None
    }

    /// Moves a file not read to `failed/<CARRIER>/`, with a note saying why, and audits it.
    async fn refuse(
        &self,
        intake: &Intake,
        carrier: &str,
        path: &Path,
        refusal: &Refusal,
    ) -> Result<(), IntakeError> {
        tracing::warn!(
            carrier,
            reason = refusal.code(),
            "drop folder: a file was refused without being read"
        );
        intake
            .store()
            .audit(&AuditEntry {
                actor: "system",
                action: "drop.refused",
                subject: &format!("carrier:{carrier}"),
                purpose: None,
                detail: &format!("channel=folder reason={}", refusal.code()),
            })
            .await?;
        match self.move_to("failed", carrier, path) {
            Ok(moved) => {
                let mut note = moved.into_os_string();
                note.push(".refused");
                if let Err(e) = std::fs::write(&note, refusal.text() + "\n") {
                    tracing::warn!(error = %e, "drop folder: the note of a refused file");
                }
            }
            Err(e) => tracing::warn!(error = %e, "drop folder: a refused file was not moved"),
        }
        Ok(())
    }

    /// Moves a file (or the link itself, never its target) to `<to>/<CARRIER>/`.
    fn move_to(&self, to: &str, carrier: &str, path: &Path) -> std::io::Result<PathBuf> {
        let dir = self.root.join(to).join(carrier);
        std::fs::create_dir_all(&dir)?;
        let name = path
            .file_name()
            .ok_or_else(|| std::io::Error::other("no file name"))?;
        let target = dir.join(name);
        std::fs::rename(path, &target)?;
        Ok(target)
    }
}

/// Opens for reading without following a symbolic link in the last component, and without
/// blocking on a FIFO put in place of the file.
fn open_no_follow(path: &Path) -> std::io::Result<File> {
    OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
        .open(path)
}

/// Files still being written by an SFTP client carry a temporary suffix.
fn is_partial(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e == "part" || e == "tmp" || e == "filepart")
        || path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
}
