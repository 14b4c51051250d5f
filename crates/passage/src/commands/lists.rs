//! `passage lists`: import watchlist files as versions, show the versions in force, diff two
//! versions. Works on the store of a data directory (the server picks up a new version when it
//! starts; the HTTP API imports into a running server).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use intake::{Config, Intake};
use screening::{Format, ListVersion};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: ListsCommand,
    /// Data directory of the store.
    #[arg(
        long,
        env = "PASSAGE_DATA",
        default_value = "passage-data",
        global = true
    )]
    data: PathBuf,
    /// The unit's store: a `postgres://` URL, or the path of an SQLite file (default: the
    /// embedded database in the data directory).
    #[arg(long, env = "PASSAGE_STORE", value_name = "URL|FILE", global = true)]
    store: Option<String>,
}

#[derive(clap::Subcommand)]
enum ListsCommand {
    /// Import a list file as the next version of a list (re-screens stored travellers).
    Import {
        file: PathBuf,
        /// The list's name in this unit (un, ofac, eu, national, lost-stolen, …).
        #[arg(long)]
        list: String,
        /// un, ofac, eu, ftm or csv; detected from the content when left out.
        #[arg(long)]
        format: Option<Format>,
        /// Who imports (kept in the audit log).
        #[arg(long = "as", default_value = "cli")]
        who: String,
    },
    /// The versions of every list (or of one).
    Show { list: Option<String> },
    /// What changed between two versions of a list (default: the last two).
    Diff {
        list: String,
        #[arg(long)]
        from: Option<i64>,
        #[arg(long)]
        to: Option<i64>,
    },
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        std::fs::create_dir_all(&args.data)?;
        let store = super::open_store(&args.data, args.store.as_deref())
            .await
            .context("opening the store")?;
        match &args.command {
            ListsCommand::Import {
                file,
                list,
                format,
                who,
            } => {
                let bytes =
                    std::fs::read(file).with_context(|| format!("reading {}", file.display()))?;
                let Some(format) = format.or_else(|| Format::detect(&bytes)) else {
                    anyhow::bail!(
                        "{}: not a list format Passage knows (un, ofac, eu, ftm, csv); name it with --format",
                        file.display()
                    );
                };
                let intake = Intake::new(store, Config::default());
                let report = intake.watchlists().import(list, format, &bytes, who).await?;
                if report.new_version {
                    println!(
                        "{list} version {} ({format}): {} entries — {} added, {} changed, {} removed; {} travellers screened again, {} hits",
                        report.number,
                        report.entries,
                        report.added,
                        report.changed,
                        report.removed,
                        report.rescreened,
                        report.hits
                    );
                } else {
                    println!(
                        "{list}: the file is version {} already; nothing changed",
                        report.number
                    );
                }
                for f in &report.findings {
                    println!(
                        "  finding {}{}: {}",
                        f.code,
                        f.entry
                            .as_deref()
                            .map(|e| format!(" (entry {e})"))
                            .unwrap_or_default(),
                        f.text
                    );
                }
            }
            ListsCommand::Show { list } => {
                let versions = store.list_versions(list.as_deref()).await?;
                if versions.is_empty() {
                    println!("no lists imported");
                }
                for v in versions {
                    println!(
                        "{} v{} ({}) {} entries (+{} ~{} -{}) published {} imported {} by {} sha256 {}",
                        v.list,
                        v.number,
                        v.format,
                        v.entries,
                        v.added,
                        v.changed,
                        v.removed,
                        v.published.as_deref().unwrap_or("?"),
                        v.imported_at,
                        v.imported_by,
                        v.source_sha256.get(..12).unwrap_or_default()
                    );
                }
            }
            ListsCommand::Diff { list, from, to } => {
                let to_n = match to {
                    Some(n) => *n,
                    None => store
                        .list_versions(Some(list))
                        .await?
                        .first()
                        .map(|v| v.number)
                        .with_context(|| format!("no list named {list}"))?,
                };
                let from_n = from.unwrap_or(to_n - 1);
                let load = |n: i64| {
                    let store = store.clone();
                    let list = list.clone();
                    async move {
                        let json = store
                            .list_version_json(&list, Some(n))
                            .await?
                            .with_context(|| format!("{list} has no version {n}"))?;
                        serde_json::from_str::<ListVersion>(&json).context("reading the stored version")
                    }
                };
                let new = load(to_n).await?;
                let old = if from_n < 1 {
                    ListVersion {
                        list: list.clone(),
                        number: 0,
                        source_sha256: String::new(),
                        published: None,
                        entries: Vec::new(),
                    }
                } else {
                    load(from_n).await?
                };
                let diff = screening::diff(&old, &new);
                println!(
                    "{list} v{from_n} → v{to_n}: {} added, {} changed, {} removed",
                    diff.added.len(),
                    diff.changed.len(),
                    diff.removed.len()
                );
                for (what, ids) in [("+", &diff.added), ("~", &diff.changed), ("-", &diff.removed)] {
                    for id in ids {
                        println!("{what} {id}");
                    }
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
