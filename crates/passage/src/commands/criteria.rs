//! `passage criteria`: check a criterion file, back-test it over the stored history of a period,
//! and script its life (add, submit, approve, activate, retire) on the store of a data
//! directory. A running server picks up activations made here when it starts; the HTTP API acts
//! on a running server. Whoever drafts, back-tests or moves a criterion here is a real, enabled
//! user of the store who proves it — a bearer token read from a file (`--token-file`, `-` for
//! standard input) or their password on standard input (`--as NAME`) — and acts with the
//! roles the store gives them, never with roles named on the command line.

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use accounts::{Accounts, Policy, Refusal, Source};
use anyhow::Context;
use intake::criteria::{CriteriaError, Draft};
use intake::{Config, Intake};
use jiff::civil::Date;
use targeting::{Action, Actor, Criterion, Role};

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: CriteriaCommand,
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

#[derive(clap::Args)]
struct Who {
    /// The user who acts; their password is the first line of standard input (unless
    /// `--token-file` is given). Kept with the version's events and in the audit log.
    #[arg(long = "as")]
    who: Option<String>,
    /// A file holding a bearer token of the user who acts (`-`: standard input).
    #[arg(long)]
    token_file: Option<PathBuf>,
}

impl Who {
    /// The user behind the credential given, with the roles the store gives them; refused
    /// unless they may write criteria (analyst or supervisor).
    async fn actor(&self, accounts: &Accounts) -> anyhow::Result<Actor> {
        let principal = match (&self.token_file, &self.who) {
            (Some(file), named) => {
                let token = first_line(file)?;
                let p = accounts.bearer(&token).await?.ok_or_else(|| {
                    anyhow::anyhow!(
                        "the token is unknown, expired or revoked, or its user disabled"
                    )
                })?;
                if named.as_deref().is_some_and(|n| n != p.username) {
                    anyhow::bail!(
                        "the token is not {}'s",
                        named.as_deref().unwrap_or_default()
                    );
                }
                p
            }
            (None, Some(name)) => {
                let password = first_line(Path::new("-"))?;
                match accounts
                    .authenticate(name, &password, Source::Unknown, jiff::Timestamp::now())
                    .await?
                {
                    Ok(p) => p,
                    Err(Refusal::WrongCredentials) => anyhow::bail!(
                        "sign-in refused: the user name or the password is wrong, or the account is locked or disabled"
                    ),
                    Err(Refusal::RateLimited { retry_after }) => {
                        anyhow::bail!("too many attempts: try again in {retry_after} s")
                    }
                }
            }
            (None, None) => anyhow::bail!(
                "say who acts: --as NAME with the password on standard input, or --token-file FILE"
            ),
        };
        let roles = principal.roles.clone();
        if !principal.has(Role::Analyst) && !principal.has(Role::Supervisor) {
            anyhow::bail!(
                "{} has neither the analyst nor the supervisor role",
                principal.username
            );
        }
        Ok(Actor::new(principal.username.clone(), &roles))
    }
}

/// The first line of a file, or of standard input for `-`, without its line break.
fn first_line(file: &Path) -> anyhow::Result<String> {
    let mut line = String::new();
    if file == Path::new("-") {
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading standard input")?;
    } else {
        line =
            std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
    }
    let line = line.lines().next().unwrap_or_default().trim().to_string();
    if line.is_empty() {
        anyhow::bail!("no credential given (password or token on the first line)");
    }
    Ok(line)
}

#[derive(clap::Subcommand)]
enum CriteriaCommand {
    /// Check a criterion file: OK, or every problem with line, column and rule (exit 1).
    Check {
        file: PathBuf,
        /// Check this weight too.
        #[arg(long, default_value_t = 1.0)]
        weight: f64,
    },
    /// Evaluate a criterion file over the stored bookings of flights departing from FROM to TO:
    /// how many travellers and flights it would have hit, with a sample.
    Backtest {
        file: PathBuf,
        #[arg(long)]
        from: Date,
        #[arg(long)]
        to: Date,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        who: Who,
    },
    /// Keep a criterion file as a new draft version of the criterion NAME.
    Add {
        file: PathBuf,
        #[arg(long)]
        name: String,
        #[arg(long)]
        weight: f64,
        /// The cases the criterion rests on.
        #[arg(long)]
        justification: String,
        /// When the criterion must be reviewed (default: a year from today).
        #[arg(long)]
        review_by: Option<Date>,
        #[command(flatten)]
        who: Who,
    },
    /// Submit a draft version for approval (its author).
    Submit(Move),
    /// Withdraw a submitted version back to draft (its author).
    Withdraw(Move),
    /// Approve a submitted version (a supervisor other than the author).
    Approve(Move),
    /// Reject a submitted version (a supervisor other than the author).
    Reject(Move),
    /// Put an approved version in force (a supervisor); the criterion's previous active version
    /// is retired.
    Activate(Move),
    /// Take a version out of force (a supervisor).
    Retire(Move),
    /// Every version of every criterion (or of one).
    List { name: Option<String> },
    /// Hits, reviews, confirmations and false alarms per version (or of one).
    Stats { id: Option<i64> },
}

#[derive(clap::Args)]
struct Move {
    /// The version's id (see `passage criteria list`).
    id: i64,
    #[arg(long, default_value = "")]
    note: String,
    #[command(flatten)]
    who: Who,
}

fn read(file: &Path) -> anyhow::Result<String> {
    std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))
}

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    if let CriteriaCommand::Check { file, weight } = &args.command {
        let text = read(file)?;
        return Ok(match Criterion::compile(&text, *weight) {
            Ok(c) => {
                println!("OK  {}", c.text());
                ExitCode::SUCCESS
            }
            Err(e) => {
                for p in &e.problems {
                    println!(
                        "{}:{}:{}: {} [{}]",
                        file.display(),
                        p.line,
                        p.column,
                        p.message,
                        p.rule
                    );
                }
                ExitCode::from(1)
            }
        });
    }
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        std::fs::create_dir_all(&args.data)?;
        let store = super::open_store(&args.data, args.store.as_deref())
            .await
            .context("opening the store")?;
        let accounts = Accounts::new(store.clone(), Policy::default())?;
        let intake = Intake::new(store, Config::default());
        let refused = |e: CriteriaError| -> anyhow::Result<ExitCode> {
            eprintln!("passage: refused: {e}");
            Ok(ExitCode::from(1))
        };
        fn action(m: &Move, a: Action) -> (i64, Action, &Who, String) {
            (m.id, a, &m.who, m.note.clone())
        }
        let mv = match &args.command {
            CriteriaCommand::Check { .. } => return Ok(ExitCode::SUCCESS),
            CriteriaCommand::Backtest {
                file,
                from,
                to,
                json,
                who,
            } => {
                let text = read(file)?;
                let actor = who.actor(&accounts).await?;
                let report = match intake.criteria().backtest(&text, *from, *to, &actor.id).await {
                    Ok(r) => r,
                    Err(e) => return refused(e),
                };
                if *json {
                    println!("{}", serde_json::to_string_pretty(&report)?);
                } else {
                    println!("criterion  {}", report.text);
                    println!(
                        "period     {} to {} (flights departing, local dates)",
                        report.from, report.to
                    );
                    println!(
                        "evaluated  {} flights, {} booking versions, {} travellers",
                        report.flights, report.booking_versions, report.travellers
                    );
                    println!(
                        "would hit  {} travellers in {} bookings on {} flights",
                        report.travellers_hit, report.bookings_hit, report.flights_hit
                    );
                    for s in &report.sample {
                        let held: Vec<String> =
                            s.explanation.steps.iter().map(|st| st.to_string()).collect();
                        println!(
                            "  {} {}/{}  {}",
                            s.flight,
                            s.locator,
                            s.traveller,
                            held.join("; ")
                        );
                    }
                    println!("took       {} ms", report.elapsed_ms);
                }
                return Ok(ExitCode::SUCCESS);
            }
            CriteriaCommand::Add {
                file,
                name,
                weight,
                justification,
                review_by,
                who,
            } => {
                let text = read(file)?;
                let actor = who.actor(&accounts).await?;
                let review_by = review_by.unwrap_or_else(|| {
                    jiff::tz::TimeZone::UTC
                        .to_datetime(jiff::Timestamp::now())
                        .date()
                        .checked_add(jiff::Span::new().years(1))
                        .unwrap_or(Date::MAX)
                });
                let draft = Draft {
                    criterion: name,
                    text: &text,
                    weight: *weight,
                    justification,
                    review_by,
                };
                return match intake.criteria().draft(&draft, &actor).await {
                    Ok(v) => {
                        println!(
                            "version id {}: {} version {} ({}): {}",
                            v.id, v.criterion, v.number, v.state, v.text
                        );
                        Ok(ExitCode::SUCCESS)
                    }
                    Err(CriteriaError::Check(e)) => {
                        for p in &e.problems {
                            println!(
                                "{}:{}:{}: {} [{}]",
                                file.display(),
                                p.line,
                                p.column,
                                p.message,
                                p.rule
                            );
                        }
                        Ok(ExitCode::from(1))
                    }
                    Err(e) => refused(e),
                };
            }
            CriteriaCommand::List { name } => {
                for v in intake.store().criterion_versions(name.as_deref()).await? {
                    println!(
                        "{:>5}  {} v{}  {:<9}  weight {}  by {}{}  review by {}\n       {}",
                        v.id,
                        v.criterion,
                        v.number,
                        v.state,
                        v.weight,
                        v.author,
                        v.approved_by
                            .as_deref()
                            .map(|a| format!(", approved by {a}"))
                            .unwrap_or_default(),
                        v.review_by,
                        v.text
                    );
                }
                return Ok(ExitCode::SUCCESS);
            }
            CriteriaCommand::Stats { id } => {
                let versions = intake.store().criterion_versions(None).await?;
                println!("   id  criterion            hits  open  reviewed  confirmed  false_alarm  needs_info");
                for s in intake.store().criterion_stats(*id).await? {
                    let name = versions
                        .iter()
                        .find(|v| v.id == s.version_id)
                        .map(|v| format!("{} v{}", v.criterion, v.number))
                        .unwrap_or_default();
                    println!(
                        "{:>5}  {:<19} {:>5} {:>5} {:>9} {:>10} {:>12} {:>11}",
                        s.version_id,
                        name,
                        s.hits,
                        s.open,
                        s.reviewed,
                        s.confirmed,
                        s.false_alarm,
                        s.needs_information
                    );
                }
                return Ok(ExitCode::SUCCESS);
            }
            CriteriaCommand::Submit(m) => action(m, Action::Submit),
            CriteriaCommand::Withdraw(m) => action(m, Action::Withdraw),
            CriteriaCommand::Approve(m) => action(m, Action::Approve),
            CriteriaCommand::Reject(m) => action(m, Action::Reject),
            CriteriaCommand::Activate(m) => action(m, Action::Activate),
            CriteriaCommand::Retire(m) => action(m, Action::Retire),
        };
        let (id, action, who, note) = mv;
        let actor = who.actor(&accounts).await?;
        match intake.criteria().act(id, action, &actor, &note).await {
            Ok(v) => {
                println!(
                    "version id {}: {} version {} is {}",
                    v.id, v.criterion, v.number, v.state
                );
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => refused(e),
        }
    })
}
