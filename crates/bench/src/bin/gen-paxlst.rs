//! Writes synthetic PAXLST traffic to a file: `gen-paxlst --bytes N --seed S --out FILE`.

use std::process::ExitCode;

const USAGE: &str = "usage: gen-paxlst --bytes N [--seed S] --out FILE";

struct Args {
    bytes: usize,
    seed: u64,
    out: String,
}

fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut bytes = None;
    let mut seed = 1;
    let mut out = None;
    while let Some(flag) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{flag} needs a value"));
        match flag.as_str() {
            "--bytes" => {
                let v = value()?;
                bytes = Some(parse_size(&v).ok_or_else(|| format!("bad --bytes value '{v}'"))?);
            }
            "--seed" => {
                let v = value()?;
                seed = v.parse().map_err(|_| format!("bad --seed value '{v}'"))?;
            }
            "--out" => out = Some(value()?),
            "-h" | "--help" => return Err(USAGE.to_string()),
            other => return Err(format!("unknown argument '{other}'\n{USAGE}")),
        }
    }
    Ok(Args {
        bytes: bytes.ok_or_else(|| format!("--bytes is required\n{USAGE}"))?,
        seed,
        out: out.ok_or_else(|| format!("--out is required\n{USAGE}"))?,
    })
}

/// A byte count, optionally with a K, M or G suffix (powers of 1000 — `10M` is 10,000,000).
fn parse_size(s: &str) -> Option<usize> {
    let (digits, factor) = match s.char_indices().last()? {
        (i, 'k' | 'K') => (s.get(..i)?, 1_000),
        (i, 'm' | 'M') => (s.get(..i)?, 1_000_000),
        (i, 'g' | 'G') => (s.get(..i)?, 1_000_000_000),
        _ => (s, 1),
    };
    digits.parse::<usize>().ok()?.checked_mul(factor)
}

fn main() -> ExitCode {
    let args = match parse_args(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let data = passage_bench::generate_paxlst(args.bytes, args.seed);
    if let Err(e) = std::fs::write(&args.out, &data) {
        eprintln!("cannot write {}: {e}", args.out);
        return ExitCode::FAILURE;
    }
    println!(
        "wrote {} bytes of synthetic PAXLST (seed {}) to {}",
        data.len(),
        args.seed,
        args.out
    );
    ExitCode::SUCCESS
}
