pub mod demo;
pub mod ingest;
pub mod parse;
pub mod serve;
pub mod simulate;
