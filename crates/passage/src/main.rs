//! `passage`: the command line of the passenger data single window.

mod commands;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

// Reading allocates many small values per traveller; mimalloc reuses them faster than the
// system allocator (about 30% on typed PAXLST, see bench/RESULTS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "passage",
    version,
    about = "Passenger data single window: API and PNR intake, screening and review"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Read PAXLST, CUSRES and PNRGOV files and print what they say (and every finding).
    Parse(commands::parse::Args),
    /// Start the single window on a fresh data directory and feed it a simulated day.
    Demo(commands::demo::Args),
    /// Run the single window: HTTP intake and API, drop folder.
    Serve(commands::serve::Args),
    /// Take message files into the store directly.
    Ingest(commands::ingest::Args),
    /// Watchlists: import a file as a new version, show versions, diff them.
    Lists(commands::lists::Args),
    /// Screen one traveller against the lists (JSON out), or `screen eval` for accuracy.
    Screen(commands::screen::Args),
    /// Targeting criteria: check, back-test, and their life (add, submit, approve, activate, retire).
    Criteria(commands::criteria::Args),
    /// The people who sign in: add (the first administrator too), roles, password, tokens.
    Users(commands::users::Args),
    /// Retention under the law: what is due, a run that erases it, legal holds.
    Retention(commands::retention::Args),
    /// Create or upgrade the schema of the unit's store (SQLite or PostgreSQL) and report it.
    Migrate(commands::migrate::Args),
    /// Generate a synthetic country's traffic (PAXLST, PNRGOV) with quirks and ground truth.
    Simulate(commands::simulate::Args),
}

fn main() -> ExitCode {
    let parsed = Cli::command()
        .try_get_matches()
        .and_then(|matches| Ok((Cli::from_arg_matches(&matches)?, matches)));
    let (mut cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(e) => {
            let _ = e.print();
            // clap exits 2 for usage errors, 0 for --help and --version.
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    // `serve --config FILE`: the file fills what the command line and environment leave.
    if let (Command::Serve(args), Some(serve)) =
        (&mut cli.command, matches.subcommand_matches("serve"))
        && let Err(e) = commands::config::apply(args, serve)
    {
        eprintln!("passage: {e:#}");
        return ExitCode::from(2);
    }
    let outcome = match cli.command {
        Command::Parse(args) => commands::parse::run(&args),
        Command::Demo(args) => commands::demo::run(&args),
        Command::Serve(args) => commands::serve::run(&args),
        Command::Ingest(args) => commands::ingest::run(&args),
        Command::Simulate(args) => commands::simulate::run(&args),
        Command::Lists(args) => commands::lists::run(&args),
        Command::Screen(args) => commands::screen::run(&args),
        Command::Criteria(args) => commands::criteria::run(&args),
        Command::Users(args) => commands::users::run(&args),
        Command::Migrate(args) => commands::migrate::run(&args),
        Command::Retention(args) => commands::retention::run(&args),
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("passage: {e:#}");
            ExitCode::from(1)
        }
    }
}
