pub mod config;
pub mod criteria;
pub mod demo;
pub mod ingest;
pub mod lists;
pub mod migrate;
pub mod parse;
pub mod retention;
pub mod screen;
pub mod serve;
pub mod simulate;
pub mod users;

use std::path::Path;

use anyhow::Context;

/// Where the unit's store is: `store` (`--store` / `PASSAGE_STORE`: a PostgreSQL URL or an
/// SQLite file) or by default the embedded database in `data`, the node's directory, which also
/// holds the audit's key and checkpoints.
pub fn store_location(data: &Path, store: Option<&str>) -> anyhow::Result<store::Location> {
    store::Location::parse(store, data).map_err(anyhow::Error::msg)
}

/// Opens the unit's store (creating or upgrading its schema), creating the data directory.
pub async fn open_store(data: &Path, store: Option<&str>) -> anyhow::Result<store::Store> {
    let location = store_location(data, store)?;
    std::fs::create_dir_all(data).with_context(|| format!("creating {}", data.display()))?;
    store::Store::open_at(&location)
        .await
        .with_context(|| format!("opening the {} store", location.engine()))
}

/// Airport time zones from a file of `IATA,ZONE` lines; none when no file is given.
pub fn airports(path: Option<&Path>) -> anyhow::Result<model::airports::AirportZones> {
    match path {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading {}", path.display()))?;
            model::airports::AirportZones::parse(&text)
                .with_context(|| format!("reading airport zones from {}", path.display()))
        }
        None => Ok(model::airports::AirportZones::default()),
    }
}
