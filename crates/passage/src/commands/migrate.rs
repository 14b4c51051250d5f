//! `passage migrate`: creates or upgrades the schema of a unit's store and says where it
//! stands — what an operator runs (as the database's owner) before starting nodes of a new
//! version. Nodes migrate at start too; running this first keeps the upgrade one step, taken
//! by one process, with its outcome visible.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;

#[derive(clap::Args)]
pub struct Args {
    /// Data directory of this node: the audit's key and checkpoints live here (and the
    /// embedded database, when no `--store` is given).
    #[arg(long, env = "PASSAGE_DATA", default_value = "passage-data")]
    data: PathBuf,
    /// The unit's store: a `postgres://` URL, or the path of an SQLite file.
    #[arg(long, env = "PASSAGE_STORE", value_name = "URL|FILE")]
    store: Option<String>,
    /// Copy a unit from this embedded database (its `audit.key`, `audit.checkpoints` and
    /// `sealing.key` beside it come along) into the store, which must be PostgreSQL and hold no data yet.
    #[arg(long, value_name = "FILE")]
    from: Option<PathBuf>,
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new().context("starting the runtime")?;
    runtime.block_on(async {
        // The source first: opening it upgrades it and makes any key it lacks (keying its
        // person keys), so that the keys copied next are the ones its rows were written under.
        let source = match &args.from {
            Some(from) => {
                let source = store::Store::open(from)
                    .await
                    .with_context(|| format!("opening {}", from.display()))?;
                bring_the_seal(from, &args.data)?;
                Some(source)
            }
            None => None,
        };
        let store = super::open_store(&args.data, args.store.as_deref()).await?;
        if let Some(source) = source {
            let report = store.copy_from(&source).await.context("copying the unit")?;
            for (table, rows) in &report.tables {
                println!("{table:>20} {rows:>10} rows");
            }
            let verdict = store.verify_audit().await.context("verifying the audit")?;
            println!(
                "copied {} rows; audit on the copy: {verdict:?}",
                report.rows()
            );
            source.close().await;
            if !matches!(verdict, store::Verdict::Intact { .. }) {
                anyhow::bail!("the copied audit does not verify");
            }
        }
        let schema = store.schema_version().await.context("reading the schema")?;
        println!(
            "{} store at schema version {} ({} migrations applied)",
            store.engine(),
            schema.version,
            schema.applied
        );
        store.close().await;
        Ok(ExitCode::SUCCESS)
    })
}

/// Copies the audit's key and checkpoints, the sealing key and the identity key from beside
/// `from` into `data` (mode 0600), so that the copied log verifies under its own key, the sealed
/// originals open and person keys and fingerprints keep matching; a different key already in
/// `data` stops the copy.
fn bring_the_seal(from: &std::path::Path, data: &std::path::Path) -> anyhow::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let source = from.parent().unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(data).with_context(|| format!("creating {}", data.display()))?;
    for name in [
        store::KEY_FILE,
        store::CHECKPOINT_FILE,
        store::SEALING_KEY_FILE,
        store::IDENTITY_KEY_FILE,
    ] {
        let (src, dst) = (source.join(name), data.join(name));
        let bytes = std::fs::read(&src).with_context(|| format!("reading {}", src.display()))?;
        match std::fs::read(&dst) {
            Ok(existing) if existing == bytes => continue,
            Ok(_) => anyhow::bail!(
                "{} differs from {}: the copy would not verify under either key",
                dst.display(),
                src.display()
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("reading {}", dst.display())),
        }
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&dst)
            .with_context(|| format!("writing {}", dst.display()))?;
        std::io::Write::write_all(&mut f, &bytes)
            .with_context(|| format!("writing {}", dst.display()))?;
    }
    Ok(())
}
