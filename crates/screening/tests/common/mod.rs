//! What the corpus tests and the sweep example share: the published lists, read by the
//! importers.
#![allow(dead_code)]

use screening::ListVersion;

/// UN, OFAC and EU from the shared corpus, in that order (the evaluation takes UN first); `None`
/// (a skip, or a failure when the corpus is required) when the corpus is absent.
pub fn corpus_lists() -> Option<Vec<ListVersion>> {
    let dir = test_corpus::dir("watchlists")?;
    let files = [
        ("un", "un/un_consolidated_20260227.xml"),
        ("ofac", "ofac/sdn_20240507.xml"),
        ("eu", "eu/eu_fsf_full_20240513.xml"),
    ];
    Some(
        files
            .iter()
            .map(|(name, file)| {
                let bytes = std::fs::read(dir.join(file)).unwrap();
                let format = screening::Format::detect(&bytes).unwrap();
                let imported = screening::import(format, &bytes).unwrap();
                ListVersion::from_import(name, None, &bytes, imported)
            })
            .collect(),
    )
}
