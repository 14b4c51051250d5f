pub mod criteria;
pub mod demo;
pub mod ingest;
pub mod lists;
pub mod parse;
pub mod screen;
pub mod serve;
pub mod simulate;
