pub mod demo;
pub mod parse;
