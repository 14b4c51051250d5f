//! `passage users`: the people who sign in to the console. The first administrator is made
//! here (there is no default password anywhere); passwords are read from standard input, never
//! from the command line (it would stay in shell history and process lists).

use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

use accounts::{Accounts, Policy, Role, UserSpec, parse_roles};
use anyhow::{Context, bail};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: UsersCommand,
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
    /// Who does this (kept in the audit log).
    #[arg(long = "as", default_value = "cli", global = true)]
    who: String,
}

#[derive(clap::Subcommand)]
enum UsersCommand {
    /// Add a user; the password is the first line of standard input.
    Add {
        username: String,
        /// Comma-separated: analyst, supervisor, carrier_liaison, dpo, administrator.
        #[arg(long)]
        roles: String,
        /// The agency's short code (e.g. PIU, CUSTOMS, POLICE).
        #[arg(long)]
        agency: String,
        /// The name shown in the console and the audit view.
        #[arg(long)]
        name: Option<String>,
    },
    /// Set a user's password (first line of standard input); their sessions end.
    Password { username: String },
    /// Replace a user's roles.
    Roles { username: String, roles: String },
    /// Disable a user: sessions end, tokens stop working.
    Disable { username: String },
    /// Enable a disabled user.
    Enable { username: String },
    /// Issue a bearer token for a machine client acting as this user (printed once, alone on
    /// standard output; its id and end on standard error).
    Token {
        username: String,
        #[arg(long, default_value = "api")]
        label: String,
        /// Days until it expires (1 to 366).
        #[arg(long, default_value_t = 90)]
        days: i64,
    },
    /// A user's tokens: id, label, made, expires, state (never the secret: it is not kept).
    Tokens { username: String },
    /// Revoke one token by its id (see `passage users tokens NAME`).
    RevokeToken { id: i64 },
    /// The users, their agency and roles.
    List,
}

fn roles(s: &str) -> anyhow::Result<Vec<Role>> {
    let roles = parse_roles(s);
    let asked = s.split(',').filter(|r| !r.trim().is_empty()).count();
    if roles.is_empty() || roles.len() < asked {
        let known: Vec<&str> = Role::ALL.iter().map(|r| r.as_str()).collect();
        bail!("roles are among: {}", known.join(", "));
    }
    Ok(roles)
}

fn password_from_stdin() -> anyhow::Result<String> {
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_string();
    if password.is_empty() {
        bail!("give the password on standard input (e.g. from a password manager)");
    }
    Ok(password)
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        std::fs::create_dir_all(&args.data)?;
        let store = super::open_store(&args.data, args.store.as_deref())
            .await
            .context("opening the store")?;
        let accounts = Accounts::new(store, Policy::default())?;
        let who = args.who.as_str();
        match &args.command {
            UsersCommand::Add {
                username,
                roles: r,
                agency,
                name,
            } => {
                let roles = roles(r)?;
                let password = password_from_stdin()?;
                accounts
                    .add_user(
                        who,
                        &UserSpec {
                            username,
                            display_name: name.as_deref().unwrap_or(username),
                            agency,
                            roles: &roles,
                            password: &password,
                        },
                    )
                    .await?;
                println!("added {username}");
            }
            UsersCommand::Password { username } => {
                let password = password_from_stdin()?;
                accounts.set_password(who, username, &password).await?;
                println!("password set for {username}");
            }
            UsersCommand::Roles { username, roles: r } => {
                accounts.set_roles(who, username, &roles(r)?).await?;
                println!("roles set for {username}");
            }
            UsersCommand::Disable { username } => {
                accounts.set_disabled(who, username, true).await?;
                println!("disabled {username}");
            }
            UsersCommand::Enable { username } => {
                accounts.set_disabled(who, username, false).await?;
                println!("enabled {username}");
            }
            UsersCommand::Token {
                username,
                label,
                days,
            } => {
                let issued = accounts
                    .issue_token(who, username, label, Some(*days))
                    .await?;
                println!("{}", issued.token);
                eprintln!(
                    "token {} for {username}, expires {}",
                    issued.id,
                    accounts::utc_seconds(issued.expires_at)
                );
            }
            UsersCommand::Tokens { username } => {
                let now = accounts::utc_seconds(jiff::Timestamp::now());
                for t in accounts.tokens(username).await? {
                    let state = match &t.revoked_at {
                        Some(_) => "revoked",
                        None if t.expires_at <= now => "expired",
                        None => "active",
                    };
                    println!(
                        "{}\t{}\t{}\t{}\t{state}",
                        t.id,
                        t.label,
                        t.created_at.chars().take(19).collect::<String>(),
                        t.expires_at
                    );
                }
            }
            UsersCommand::RevokeToken { id } => {
                let username = accounts.revoke_token(who, *id).await?;
                println!("revoked token {id} of {username}");
            }
            UsersCommand::List => {
                for u in accounts.store().users().await? {
                    println!(
                        "{}\t{}\t{}\t{}{}",
                        u.username,
                        u.agency,
                        u.roles,
                        u.display_name,
                        if u.disabled { "\t(disabled)" } else { "" }
                    );
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })
}
