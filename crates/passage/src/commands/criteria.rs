//! `passage criteria`: check a criterion file, back-test it over the stored history of a period,
//! and script its life (add, submit, approve, activate, retire) on the store of a data
//! directory. A running server picks up activations made here when it starts; the HTTP API acts
//! on a running server. `--as` and `--role` name who acts until sign-in exists.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use intake::criteria::{CriteriaError, Draft};
use intake::{Config, Intake};
use jiff::civil::Date;
use store::Store;
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
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum RoleArg {
    Analyst,
    Supervisor,
}

#[derive(clap::Args)]
struct Who {
    /// Who acts (kept with the version's events and in the audit log).
    #[arg(long = "as", default_value = "cli")]
    who: String,
    #[arg(long, value_enum, default_value = "analyst")]
    role: RoleArg,
}

impl Who {
    fn actor(&self) -> Actor {
        let role = match self.role {
            RoleArg::Analyst => Role::Analyst,
            RoleArg::Supervisor => Role::Supervisor,
        };
        Actor::new(self.who.clone(), &[role])
    }
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
        let store = Store::open(&super::serve::db_path(&args.data))
            .await
            .context("opening the store")?;
        let intake = Intake::new(store, Config::default());
        let refused = |e: CriteriaError| -> anyhow::Result<ExitCode> {
            eprintln!("passage: refused: {e}");
            Ok(ExitCode::from(1))
        };
        let action = |m: &Move, a: Action| (m.id, a, m.who.actor(), m.note.clone());
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
                let report = match intake.backtest(&text, *from, *to, &who.who).await {
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
                return match intake.draft_criterion(&draft, &who.actor()).await {
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
        let (id, action, actor, note) = mv;
        match intake.criterion_action(id, action, &actor, &note).await {
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
