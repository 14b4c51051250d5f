//! Finding the shared corpus beside the repository; tests skip with a reason when it is absent.

use std::path::PathBuf;

pub fn corpus_dir() -> Option<PathBuf> {
    test_corpus::dir("messages")
}

pub fn load(relative: &str) -> Option<Vec<u8>> {
    test_corpus::read(&format!("messages/{relative}"))
}

/// Every `.edi` file below the corpus, sorted.
pub fn all_messages() -> Vec<(String, Vec<u8>)> {
    let Some(dir) = corpus_dir() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut stack = vec![dir.clone()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "edi")
                && let Ok(bytes) = std::fs::read(&p)
            {
                let name = p.strip_prefix(&dir).unwrap_or(&p).display().to_string();
                out.push((name, bytes));
            }
        }
    }
    out.sort();
    out
}
