pub mod demo;
pub mod parse;
pub mod simulate;
