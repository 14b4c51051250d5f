//! The shared corpus (`../shared/corpus` beside the repository: real public messages and
//! lists, never copied into it) as the tests of every crate find it.
//!
//! Where the corpus or one of its files is absent, a test skips with a printed reason — unless
//! `PASSAGE_REQUIRE_CORPUS` is set (CI sets it), and then the test fails: a missing corpus must
//! not leave a run green with the conformance tests unrun.
#![allow(clippy::panic)]

use std::path::{Path, PathBuf};

/// The corpus folder, whether or not it is there.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus")
}

/// Whether a missing corpus fails the test instead of skipping it.
pub fn required() -> bool {
    std::env::var_os("PASSAGE_REQUIRE_CORPUS").is_some_and(|v| !v.is_empty())
}

/// Says why a test cannot run: a skip, or a failure when the corpus is required.
pub fn missing(path: &Path, why: &str) {
    if required() {
        panic!(
            "{} {why}, and PASSAGE_REQUIRE_CORPUS is set (the shared corpus lives beside the \
             repository, not in it)",
            path.display()
        );
    }
    println!(
        "skipped: {} {why} (the shared corpus lives beside the repository, not in it)",
        path.display()
    );
}

/// A folder of the corpus, e.g. `messages` or `watchlists`.
pub fn dir(relative: &str) -> Option<PathBuf> {
    let dir = root().join(relative);
    if dir.is_dir() {
        Some(dir)
    } else {
        missing(&dir, "is absent");
        None
    }
}

/// The bytes of a file of the corpus, e.g. `messages/guide-examples/….edi`.
pub fn read(relative: &str) -> Option<Vec<u8>> {
    let path = root().join(relative);
    match std::fs::read(&path) {
        Ok(bytes) => Some(bytes),
        Err(e) => {
            missing(&path, &format!("is not readable ({e})"));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_file_is_a_skip_or_a_failure_as_required() {
        let absent = "no-such-folder/no-such-file.edi";
        if required() {
            assert!(std::panic::catch_unwind(|| read(absent)).is_err());
        } else {
            assert_eq!(read(absent), None);
        }
    }
}
