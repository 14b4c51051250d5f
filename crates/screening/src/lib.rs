//! Watchlist screening: lists in their published formats become versioned [`List`]s of
//! [`Entry`]s; travellers are compared with every entry through an in-memory candidate index and
//! an explainable scorer. Pure: data in, decisions out — no storage, no HTTP, no message formats.
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub mod entry;
pub mod eval;
pub mod frequency;
pub mod index;
pub mod lists;
pub mod matcher;
pub mod normalise;
pub mod score;
pub mod stored;
pub mod weights;

pub use entry::{
    BirthDate, Entry, EntryDocument, EntryKind, EntryName, List, ListVersion, NameQuality, Script,
};
pub use frequency::NameFrequencies;
pub use lists::{Diff, Format, ImportError, ImportFinding, Imported, diff, import};
pub use matcher::{
    Config, Explanation, Fingerprint, Hit, ListConfig, ListMode, Matcher, NameOnly, Query,
    Suppression, SuppressionRef, Suppressions,
};
pub use score::{Comparison, Field};
pub use stored::StoredExplanation;
pub use weights::Weights;
