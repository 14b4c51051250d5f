//! The shipped legal table must read: one that does not is a build error, never an empty table
//! at run time (an empty table would let through what the law says to refuse). The table's own
//! reader is compiled here as it is in the crate.
#[path = "src/protected.rs"]
#[allow(dead_code)]
mod protected;

fn main() {
    println!("cargo:rerun-if-changed=data/protected.csv");
    println!("cargo:rerun-if-changed=src/protected.rs");
    if let Err(e) = protected::Table::parse(protected::BUILTIN) {
        eprintln!("data/protected.csv, line {}: {}", e.line, e.problem);
        std::process::exit(1);
    }
}
