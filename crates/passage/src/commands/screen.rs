//! `passage screen`: one traveller against the lists in force (JSON out), and `passage screen
//! eval`: the matcher's accuracy on the simulator's ground truth and on an evaluation corpus.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use screening::{Format, ListVersion, Matcher, Query};

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    command: Option<ScreenCommand>,
    #[command(flatten)]
    query: QueryArgs,
}

#[derive(clap::Args)]
struct QueryArgs {
    /// The whole name, family name last (or use --surname and --given).
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    surname: Option<String>,
    #[arg(long)]
    given: Option<String>,
    /// Date of birth, YYYY-MM-DD.
    #[arg(long)]
    dob: Option<jiff::civil::Date>,
    /// M or F.
    #[arg(long)]
    sex: Option<String>,
    /// ISO 3166-1 alpha-3.
    #[arg(long)]
    nationality: Option<String>,
    /// NUMBER or NUMBER:ISSUING_STATE; repeatable.
    #[arg(long)]
    document: Vec<String>,
    /// Screen against these files instead of the store's lists (FORMAT:FILE or FILE; repeatable).
    #[arg(long = "list")]
    lists: Vec<String>,
    /// Data directory whose lists in force are used.
    #[arg(long, env = "PASSAGE_DATA", default_value = "passage-data")]
    data: PathBuf,
    /// The unit's store: a `postgres://` URL, or the path of an SQLite file (default: the
    /// embedded database in the data directory).
    #[arg(long, env = "PASSAGE_STORE", value_name = "URL|FILE")]
    store: Option<String>,
    /// Show hits from this score on (default: each list's threshold).
    #[arg(long)]
    min_score: Option<f64>,
}

#[derive(clap::Subcommand)]
enum ScreenCommand {
    /// Precision, recall and false alarms at several thresholds.
    Eval(EvalArgs),
}

#[derive(clap::Args)]
struct EvalArgs {
    /// Folder with un/, ofac/, eu/ list files (the shared corpus layout).
    #[arg(long, default_value = "../shared/corpus/watchlists")]
    watchlists: PathBuf,
    /// Folder with un_positives_exact.csv and synthetic_negatives_global.csv.
    #[arg(long, default_value = "../shared/corpus/screening-eval")]
    eval: PathBuf,
    /// Use every n-th non-listed person (1: all 50,000).
    #[arg(long, default_value_t = 1)]
    negatives_step: usize,
    /// Seed of the simulated day whose planted travellers and look-alikes are screened.
    #[arg(long, default_value_t = 7)]
    seed: u64,
    /// Size of that day: small, medium or large.
    #[arg(long, default_value = "small")]
    size: simulator::Size,
    /// The scorer's weights as JSON (`screening::Weights`; fields left out keep their default,
    /// unknown fields are refused): evaluates other weights, e.g. for a sweep.
    #[arg(long)]
    weights: Option<PathBuf>,
}

impl EvalArgs {
    /// The matcher's configuration: the default, with `--weights` if given.
    fn config(&self) -> anyhow::Result<screening::Config> {
        let weights = match &self.weights {
            Some(path) => screening::Weights::from_json(&std::fs::read_to_string(path)?)
                .with_context(|| format!("weights in {}", path.display()))?,
            None => screening::Weights::default(),
        };
        Ok(screening::Config {
            weights,
            ..screening::Config::default()
        })
    }
}

const THRESHOLDS: [f64; 5] = [0.70, 0.75, 0.80, 0.85, 0.90];

pub fn run(args: &Args) -> anyhow::Result<ExitCode> {
    match &args.command {
        Some(ScreenCommand::Eval(e)) => eval(e),
        None => one(&args.query),
    }
}

fn load_file(spec: &str) -> anyhow::Result<ListVersion> {
    let (format, path) = match spec.split_once(':') {
        Some((f, p)) if f.parse::<Format>().is_ok() => (f.parse::<Format>().ok(), p),
        _ => (None, spec),
    };
    let bytes = std::fs::read(path).with_context(|| format!("reading {path}"))?;
    let format = format
        .or_else(|| Format::detect(&bytes))
        .with_context(|| format!("{path}: not a list format Passage knows; write FORMAT:FILE"))?;
    let imported = screening::import(format, &bytes)?;
    let name = std::path::Path::new(path)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| format.name().to_string());
    Ok(ListVersion::from_import(&name, None, &bytes, imported))
}

fn one(q: &QueryArgs) -> anyhow::Result<ExitCode> {
    let versions: Vec<ListVersion> = if q.lists.is_empty() {
        let runtime = tokio::runtime::Runtime::new()?;
        runtime.block_on(async {
            let store = super::open_store(&q.data, q.store.as_deref())
                .await
                .context("opening the store")?;
            store
                .latest_list_versions()
                .await?
                .iter()
                .map(|j| serde_json::from_str(j).context("reading a stored list"))
                .collect::<anyhow::Result<Vec<_>>>()
        })?
    } else {
        q.lists
            .iter()
            .map(|s| load_file(s))
            .collect::<anyhow::Result<_>>()?
    };
    if versions.is_empty() {
        anyhow::bail!("no lists: import one with `passage lists import` or name files with --list");
    }
    let (surname, given) = match (&q.surname, &q.given, &q.name) {
        (Some(s), g, _) => (s.clone(), g.clone().unwrap_or_default()),
        (None, g, Some(name)) => {
            let mut words: Vec<&str> = name.split_whitespace().collect();
            let surname = words.pop().unwrap_or_default().to_string();
            let given = g.clone().unwrap_or_else(|| words.join(" "));
            (surname, given)
        }
        (None, _, None) if !q.document.is_empty() => (String::new(), String::new()),
        _ => anyhow::bail!("give --name, --surname or --document"),
    };
    let query = Query {
        surname,
        given_names: given,
        date_of_birth: q.dob,
        sex: match q.sex.as_deref().map(str::to_ascii_uppercase).as_deref() {
            Some("M") => Some(model::Sex::Male),
            Some("F") => Some(model::Sex::Female),
            _ => None,
        },
        nationality: q.nationality.as_ref().map(|n| n.to_ascii_uppercase()),
        documents: q
            .document
            .iter()
            .map(|d| match d.split_once(':') {
                Some((n, s)) => (n.to_string(), Some(s.to_ascii_uppercase())),
                None => (d.clone(), None),
            })
            .collect(),
    };
    let refs: Vec<&ListVersion> = versions.iter().collect();
    let matcher = Matcher::build(&refs, &screening::Config::default());
    let started = std::time::Instant::now();
    let hits = match q.min_score {
        Some(min) => matcher.screen_at(&query, min),
        None => matcher.screen(&query),
    };
    let out = serde_json::json!({
        "lists": versions.iter().map(|v| serde_json::json!({"list": v.list, "version": v.number, "entries": v.entries.len()})).collect::<Vec<_>>(),
        "hits": hits,
        "micros": started.elapsed().as_micros() as u64,
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(ExitCode::SUCCESS)
}

fn eval(e: &EvalArgs) -> anyhow::Result<ExitCode> {
    simulated(e)?;
    let un_file = e.watchlists.join("un");
    let first = |dir: PathBuf| -> Option<PathBuf> {
        std::fs::read_dir(dir)
            .ok()?
            .flatten()
            .map(|f| f.path())
            .find(|p| p.is_file())
    };
    let Some(un_path) = first(un_file) else {
        println!(
            "\ncorpus: no UN list under {}; pass --watchlists to evaluate on the published lists",
            e.watchlists.display()
        );
        return Ok(ExitCode::SUCCESS);
    };
    let un = load_file(&format!("un:{}", un_path.display()))?;
    let mut versions = vec![un.clone()];
    for (format, dir) in [("ofac", "ofac"), ("eu", "eu")] {
        if let Some(p) = first(e.watchlists.join(dir)) {
            versions.push(load_file(&format!("{format}:{}", p.display()))?);
        }
    }
    let refs: Vec<&ListVersion> = versions.iter().collect();
    let matcher = Matcher::build(&refs, &e.config()?);
    let started = std::time::Instant::now();
    let report = screening::eval::run(
        &matcher,
        &un,
        &e.eval,
        e.negatives_step.max(1),
        screening::matcher::DEFAULT_THRESHOLD,
    )?;
    println!(
        "\ncorpus: {} lists ({} entries) — {:.1} s",
        versions.len(),
        versions.iter().map(|v| v.entries.len()).sum::<usize>(),
        started.elapsed().as_secs_f64()
    );
    print!("{report}");
    Ok(ExitCode::SUCCESS)
}

/// The simulator's ground truth: its watchlist, the travellers planted on it under variations
/// (must be found), the look-alikes (same name, another person) and everyone else (must not).
fn simulated(e: &EvalArgs) -> anyhow::Result<()> {
    let mut config = simulator::Config::new(e.seed, e.size, 1);
    config.planted_share = 0.5;
    let sim = simulator::Simulator::new(config).context("simulator data")?;
    let csv = simulator::truth::watchlist_csv(sim.watchlist());
    let imported = screening::import(Format::Csv, csv.as_bytes())?;
    let list = ListVersion::from_import("national", None, csv.as_bytes(), imported);
    let config = e.config()?;
    let matcher = Matcher::build(&[&list], &config);
    let mut sent = Vec::new();
    let outcome = sim.run(|m| sent.push(m));
    // Passenger and crew lists carry the particulars (close-outs only references).
    let mut people: HashMap<(String, String), Query> = HashMap::new();
    for m in &sent {
        for message in paxlst::read(&m.bytes).messages {
            if let Some(list) = message.passenger_list().filter(|l| l.change.is_none()) {
                for p in &list.persons {
                    if let Some(reference) = p.passenger_reference() {
                        people.insert(
                            (m.flight.clone(), reference.to_string()),
                            Query::from(&intake::identity(p)),
                        );
                    }
                }
            }
        }
    }
    let mut truth: HashMap<(String, String), (String, bool)> = HashMap::new();
    for t in &outcome.truth {
        let listed = matches!(t.relation, simulator::Relation::Listed(_));
        truth.insert(
            (t.flight.clone(), t.passenger_reference.clone()),
            (t.entry.clone(), listed),
        );
    }
    // Best score per traveller for the entry they are planted on (or any entry).
    let mut planted = Vec::new();
    let mut look_alikes = Vec::new();
    let mut others = Vec::new();
    // Synthetic people: their false alarms and missed plantings can be shown.
    let mut examples = Vec::new();
    let mut missed = Vec::new();
    for (key, query) in &people {
        let hits = matcher.screen_at(query, 0.5);
        match truth.get(key) {
            Some((entry, true)) => {
                let best = hits
                    .iter()
                    .filter(|h| &h.entry_id == entry)
                    .map(|h| h.score)
                    .fold(0.0, f64::max);
                if best < screening::matcher::DEFAULT_THRESHOLD && missed.len() < 8 {
                    missed.push(format!(
                        "{} {} {:?} {:?} → entry {entry} scored {best:.2}",
                        query.given_names, query.surname, query.date_of_birth, query.nationality
                    ));
                }
                planted.push(best);
            }
            Some((_, false)) => look_alikes.push(hits.iter().map(|h| h.score).fold(0.0, f64::max)),
            None => {
                let best = hits.iter().map(|h| h.score).fold(0.0, f64::max);
                if best >= screening::matcher::DEFAULT_THRESHOLD
                    && examples.len() < 8
                    && let Some(h) = hits.iter().find(|h| h.score >= best)
                {
                    examples.push(format!(
                        "{} {} {:?} {:?} → {h}",
                        query.given_names, query.surname, query.date_of_birth, query.nationality
                    ));
                }
                others.push(best);
            }
        }
    }
    println!(
        "simulated day (seed {}, {:?}): {} travellers on API lists, {} planted on the list, {} look-alikes, watchlist {} entries",
        e.seed,
        e.size,
        people.len(),
        planted.len(),
        look_alikes.len(),
        list.entries.len()
    );
    println!("threshold  recall   precision  F1      look-alikes hit  others hit");
    for t in THRESHOLDS {
        let tp = planted.iter().filter(|s| **s >= t).count();
        let fp_look = look_alikes.iter().filter(|s| **s >= t).count();
        let fp_other = others.iter().filter(|s| **s >= t).count();
        let recall = tp as f64 / planted.len().max(1) as f64;
        let precision = tp as f64 / (tp + fp_look + fp_other).max(1) as f64;
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        println!(
            "{t:.2}       {recall:.4}   {precision:.4}     {f1:.4}  {fp_look:>6} of {:<6}  {fp_other} of {}",
            look_alikes.len(),
            others.len()
        );
    }
    // The same day with name frequencies counted over its own travellers, as a unit would count
    // them over its traffic: a name common among travellers proves less.
    let mut counts: HashMap<String, u64> = HashMap::new();
    for q in people.values() {
        let mut seen: Vec<String> = q.name().tokens.into_iter().map(|t| t.text).collect();
        seen.sort();
        seen.dedup();
        for t in seen {
            *counts.entry(t).or_default() += 1;
        }
    }
    let traffic = std::sync::Arc::new(screening::NameFrequencies::from_counts(
        counts,
        people.len() as u64,
    ));
    let traffic_config = screening::Config {
        name_frequencies: Some(traffic),
        ..config
    };
    let with_traffic = Matcher::build(&[&list], &traffic_config);
    let (mut planted_t, mut look_t, mut others_t) = (Vec::new(), Vec::new(), Vec::new());
    for (key, query) in &people {
        let hits = with_traffic.screen_at(query, 0.5);
        match truth.get(key) {
            Some((entry, true)) => planted_t.push(
                hits.iter()
                    .filter(|h| &h.entry_id == entry)
                    .map(|h| h.score)
                    .fold(0.0, f64::max),
            ),
            Some((_, false)) => look_t.push(hits.iter().map(|h| h.score).fold(0.0, f64::max)),
            None => others_t.push(hits.iter().map(|h| h.score).fold(0.0, f64::max)),
        }
    }
    println!("with name frequencies counted over the day's travellers:");
    for t in THRESHOLDS {
        let tp = planted_t.iter().filter(|s| **s >= t).count();
        println!(
            "{t:.2}       recall {:.4}  look-alikes hit {:>4} of {:<5}  others hit {} of {}",
            tp as f64 / planted_t.len().max(1) as f64,
            look_t.iter().filter(|s| **s >= t).count(),
            look_t.len(),
            others_t.iter().filter(|s| **s >= t).count(),
            others_t.len()
        );
    }
    pnr_side(&sent, &list, &outcome.truth, &people, traffic_config)?;
    if !missed.is_empty() {
        println!("planted travellers missed at the default threshold (synthetic people):");
        for m in &missed {
            println!("  {m}");
        }
    }
    if !examples.is_empty() {
        println!("some of the others hit at the default threshold (synthetic people):");
        for e in &examples {
            println!("  {e}");
        }
    }
    Ok(())
}

/// The PNR travellers of the simulated day, screened as the intake screens them (a traveller
/// without SSR DOCS by name alone), with and without the intake's name-only rule: how many of
/// them are hit, and whether the planted travellers' bookings still find them.
fn pnr_side(
    sent: &[simulator::traffic::Sent],
    list: &ListVersion,
    truth: &[simulator::truth::Truth],
    people: &HashMap<(String, String), Query>,
    config: screening::Config,
) -> anyhow::Result<()> {
    // The latest version of every booking's travellers: (flight, locator, reference) → query.
    let mut travellers: HashMap<(String, String, String), Query> = HashMap::new();
    for m in sent {
        for message in pnrgov::read(&m.bytes).messages {
            let Some(push) = message.push() else {
                continue;
            };
            for b in &push.bookings {
                let locator = b.locator().unwrap_or_default().to_string();
                for t in &b.travellers {
                    travellers.insert(
                        (
                            m.flight.clone(),
                            locator.clone(),
                            t.reference.as_deref().unwrap_or_default().to_string(),
                        ),
                        intake::screen::pnr_query(t),
                    );
                }
            }
        }
    }
    // The planted travellers' and look-alikes' records: same booking, same surname and first
    // given name as on the API list.
    let mut planted: HashMap<(String, String, String), (String, bool)> = HashMap::new();
    for t in truth {
        let Some(api) = people.get(&(t.flight.clone(), t.passenger_reference.clone())) else {
            continue;
        };
        let first = |q: &Query| {
            q.given_names
                .split_whitespace()
                .next()
                .unwrap_or_default()
                .to_ascii_uppercase()
        };
        let found = travellers.iter().find(|((f, l, _), q)| {
            *f == t.flight
                && *l == t.booking
                && q.surname.eq_ignore_ascii_case(&api.surname)
                && first(q) == first(api)
        });
        if let Some((key, _)) = found {
            let listed = matches!(t.relation, simulator::Relation::Listed(_));
            planted.insert(key.clone(), (t.entry.clone(), listed));
        }
    }
    let name_only = |q: &Query| q.date_of_birth.is_none() && q.documents.is_empty();
    let without = travellers.values().filter(|q| name_only(q)).count();
    println!(
        "PNR travellers of the day (traffic-counted name frequencies): {} ({} without date of birth or document), {} of them planted, {} look-alikes",
        travellers.len(),
        without,
        planted.values().filter(|p| p.1).count(),
        planted.values().filter(|p| !p.1).count(),
    );
    println!(
        "rule                     planted found (name only)  look-alikes hit  others hit: with DOCS / name only (hits)"
    );
    for (label, rule) in [
        ("as API travellers", None),
        (
            "name only strict (intake)",
            Some(screening::NameOnly::STRICT),
        ),
    ] {
        let matcher = Matcher::build(
            &[list],
            &screening::Config {
                name_only: rule,
                ..config.clone()
            },
        );
        let (mut found, mut found_name_only, mut listed_name_only, mut look_hit) = (0, 0, 0, 0);
        let (mut others_docs, mut others_name_only, mut hits_name_only) = (0, 0, 0);
        for (key, q) in &travellers {
            let hits = matcher.screen(q);
            match planted.get(key) {
                Some((entry, true)) => {
                    let hit = hits.iter().any(|h| &h.entry_id == entry);
                    found += usize::from(hit);
                    if name_only(q) {
                        listed_name_only += 1;
                        found_name_only += usize::from(hit);
                    }
                }
                Some((_, false)) => look_hit += usize::from(!hits.is_empty()),
                None if hits.is_empty() => {}
                None if name_only(q) => {
                    others_name_only += 1;
                    hits_name_only += hits.len();
                }
                None => others_docs += 1,
            }
        }
        println!(
            "{label:<25}{found:>4} of {:<4} ({found_name_only} of {listed_name_only})  {look_hit:>7}          {others_docs} / {others_name_only} ({hits_name_only} hits)",
            planted.values().filter(|p| p.1).count()
        );
    }
    Ok(())
}
