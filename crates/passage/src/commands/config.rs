//! `passage serve --config FILE`: the server's settings in a TOML file, one key per flag
//! (the flag's long name without the dashes in front):
//!
//! ```toml
//! data = "/var/lib/passage"
//! store = "postgres://passage@db1.unit.example/passage"
//! bind = "0.0.0.0"
//! port = 8080
//! carriers = "/etc/passage/carriers"
//! rate-per-carrier = 20.0
//! bus = "nats://nats1.unit.example:4222,nats://nats2.unit.example:4222"
//! bus-workers = 4
//! ```
//!
//! A flag on the command line wins over its environment variable, which wins over the file,
//! which wins over the default. A key the file does not know is refused (a misspelt
//! `rate-per-carier` must not drop a rate limit silently), and so is a file readable by others
//! that holds a password in a URL.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use clap::ArgMatches;
use clap::parser::ValueSource;
use serde::Deserialize;

use super::serve::Args;

/// What a configuration file may set: the flags of `passage serve`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ServeFile {
    data: Option<PathBuf>,
    store: Option<String>,
    bind: Option<String>,
    port: Option<u16>,
    carriers: Option<PathBuf>,
    open_intake: Option<bool>,
    max_message_mb: Option<usize>,
    rate_per_carrier: Option<f64>,
    series_timeout_minutes: Option<u64>,
    airports: Option<PathBuf>,
    retention_policy: Option<PathBuf>,
    retention_minutes: Option<u64>,
    bus: Option<String>,
    bus_prefix: Option<String>,
    bus_workers: Option<usize>,
    bus_ack_wait: Option<u64>,
    no_bus_carriers: Option<bool>,
    bus_credentials: Option<PathBuf>,
    bus_ca: Option<PathBuf>,
    bus_cert: Option<PathBuf>,
    bus_key: Option<PathBuf>,
}

/// Fills the settings `matches` did not get from the command line or the environment with
/// the file named by `--config`, when there is one.
pub fn apply(args: &mut Args, matches: &ArgMatches) -> anyhow::Result<()> {
    let Some(path) = args.config.clone() else {
        return Ok(());
    };
    let file = read(&path)?;
    // From the file unless given on the command line or in the environment.
    let open = |id: &str| {
        !matches!(
            matches.value_source(id),
            Some(ValueSource::CommandLine | ValueSource::EnvVariable)
        )
    };
    macro_rules! take {
        ($field:ident, $id:literal, $to:expr) => {
            if let Some(v) = file.$field
                && open($id)
            {
                $to = v;
            }
        };
    }
    take!(data, "data", args.data);
    take!(bind, "bind", args.bind);
    take!(port, "port", args.port);
    take!(open_intake, "open_intake", args.open_intake);
    take!(max_message_mb, "max_message_mb", args.max_message_mb);
    take!(
        series_timeout_minutes,
        "series_timeout_minutes",
        args.series_timeout_minutes
    );
    take!(
        retention_minutes,
        "retention_minutes",
        args.retention_minutes
    );
    take!(bus_prefix, "prefix", args.bus.prefix);
    take!(bus_ack_wait, "ack_wait_seconds", args.bus.ack_wait_seconds);
    take!(no_bus_carriers, "no_carriers", args.bus.no_carriers);
    // Settings that are absent by default.
    macro_rules! take_some {
        ($field:ident, $id:literal, $to:expr) => {
            if let Some(v) = file.$field
                && open($id)
            {
                $to = Some(v);
            }
        };
    }
    take_some!(store, "store", args.store);
    take_some!(carriers, "carriers", args.carriers);
    take_some!(rate_per_carrier, "rate_per_carrier", args.rate_per_carrier);
    take_some!(airports, "airports", args.airports);
    take_some!(retention_policy, "retention_policy", args.retention_policy);
    take_some!(bus, "url", args.bus.url);
    take_some!(bus_workers, "workers", args.bus.workers);
    take_some!(bus_credentials, "credentials", args.bus.credentials);
    take_some!(bus_ca, "ca", args.bus.ca);
    take_some!(bus_cert, "cert", args.bus.cert);
    take_some!(bus_key, "key", args.bus.key);
    if args.bus.cert.is_some() != args.bus.key.is_some() {
        bail!("bus-cert and bus-key go together: the node's certificate and its key");
    }
    Ok(())
}

fn read(path: &Path) -> anyhow::Result<ServeFile> {
    let shown = path.display();
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("reading the configuration {shown}"))?;
    // The parser's message may quote a value, which may hold a password: the position and
    // what was expected only.
    let file: ServeFile = toml::from_str(&text).map_err(|e| {
        let at = e
            .span()
            .map(|s| {
                let line = text
                    .get(..s.start)
                    .map_or(0, |t| t.matches('\n').count() + 1);
                format!(" at line {line}")
            })
            .unwrap_or_default();
        let message = e.message();
        // Serde quotes a value of the wrong kind; keep what was expected only.
        let what = if message.starts_with("unknown field") {
            message.to_string()
        } else if let Some((_, expected)) = message.rsplit_once("expected ") {
            format!("a value of the wrong kind, expected {expected}")
        } else {
            "not TOML".to_string()
        };
        anyhow::anyhow!("the configuration {shown} is not valid{at}: {what}")
    })?;
    let secret = [&file.store, &file.bus]
        .into_iter()
        .flatten()
        .any(|u| u.split(',').any(has_password));
    if secret {
        refuse_shared(path)?;
    }
    Ok(file)
}

/// Whether a URL carries a password (`scheme://user:password@host…`).
fn has_password(url: &str) -> bool {
    url.split_once("://")
        .and_then(|(_, rest)| rest.split('/').next())
        .and_then(|authority| authority.rsplit_once('@'))
        .is_some_and(|(userinfo, _)| userinfo.contains(':'))
}

#[cfg(unix)]
fn refuse_shared(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)?.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        bail!(
            "the configuration {} holds a password and others may read it (mode {mode:03o}); \
             make it readable by this user only: chmod 600 {}",
            path.display(),
            path.display()
        );
    }
    Ok(())
}

#[cfg(not(unix))]
fn refuse_shared(_: &Path) -> anyhow::Result<()> {
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;
    use clap::{CommandFactory, FromArgMatches, Parser};

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        serve: Args,
    }

    fn parse(argv: &[&str], file: &str) -> anyhow::Result<Args> {
        let dir = std::env::temp_dir().join(format!(
            "passage-config-{}-{}",
            std::process::id(),
            argv.len() * 1000 + file.len()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("passage.toml");
        std::fs::write(&path, file).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        let mut full = vec!["passage", "--config", path.to_str().unwrap()];
        full.extend_from_slice(argv);
        let matches = Cli::command().try_get_matches_from(full).unwrap();
        let mut args = Cli::from_arg_matches(&matches).unwrap().serve;
        let applied = apply(&mut args, &matches);
        let _ = std::fs::remove_dir_all(&dir);
        applied.map(|()| args)
    }

    #[test]
    fn the_file_sets_what_the_command_line_does_not() {
        let args = parse(
            &["--port", "9000"],
            "data = \"/srv/unit\"\nstore = \"postgres://passage@db1/passage\"\nport = 8443\n\
             rate-per-carrier = 20.0\nbus = \"nats://n1:4222,nats://n2:4222\"\nbus-workers = 3\n\
             bus-ack-wait = 45\nseries-timeout-minutes = 5\n",
        )
        .unwrap();
        assert_eq!(args.port, 9000, "the command line wins");
        assert_eq!(args.data, PathBuf::from("/srv/unit"));
        assert_eq!(
            args.store.as_deref(),
            Some("postgres://passage@db1/passage")
        );
        assert_eq!(args.rate_per_carrier, Some(20.0));
        assert_eq!(
            args.bus.url.as_deref(),
            Some("nats://n1:4222,nats://n2:4222")
        );
        assert_eq!(args.bus.workers, Some(3));
        assert_eq!(args.bus.ack_wait_seconds, 45);
        assert_eq!(args.series_timeout_minutes, 5);
        assert_eq!(args.bind, "127.0.0.1", "the default where neither sets it");
        assert!(!args.open_intake);
    }

    #[test]
    fn an_unknown_key_is_refused_with_its_line() {
        let e = parse(&[], "port = 8080\nrate-per-carier = 20.0\n")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("rate-per-carier") && e.contains("line 2"), "{e}");
    }

    #[test]
    fn a_password_in_a_file_others_may_read_is_refused() {
        let e = parse(&[], "store = \"postgres://passage:secret@db1/passage\"\n")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("mode 644") && e.contains("chmod 600"), "{e}");
        assert!(!e.contains("secret"), "{e}");
        assert!(has_password("nats://node:pw@n1:4222"));
        assert!(!has_password("postgres://passage@db1/passage"));
        assert!(!has_password("nats://n1:4222"));
    }

    #[test]
    fn a_value_of_the_wrong_kind_names_the_line_not_the_value() {
        let e = parse(&[], "bind = \"0.0.0.0\"\nport = \"eighty\"\n")
            .err()
            .unwrap()
            .to_string();
        assert!(e.contains("line 2"), "{e}");
        assert!(!e.contains("eighty"), "{e}");
    }
}
