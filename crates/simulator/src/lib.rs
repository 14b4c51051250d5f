//! Synthetic carriers: a country's air traffic as the real bytes carriers send — PAXLST and
//! PNRGOV written by Passage's own writers — with the real world's quirks at set rates, and the
//! ground truth behind it (a synthetic watchlist, the travellers planted on it, look-alikes).
//!
//! Deterministic: the same [`Config`] gives the same bytes. Names, rates and airports are data
//! files (`data/`, sources in `data/SOURCES.md`); a rate the code asks for and the file lacks
//! is a reported bug. The SSR codes drawn (meals, medical aids: `traffic.rs`) are AIRIMP code
//! lists, kept in code beside the writer that uses them.
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::indexing_slicing,
        clippy::panic
    )
)]

pub mod data;
pub mod mrz;
pub mod people;
pub mod rng;
pub mod schedule;
pub mod traffic;
pub mod truth;

use jiff::civil::Date;

pub use data::{Data, DataError};
pub use schedule::Size;
pub use traffic::{FlightSummary, Kind, Quirk, Sent};
pub use truth::{Entry, Relation, Truth, Variation};

/// What to simulate.
#[derive(Debug, Clone)]
pub struct Config {
    pub seed: u64,
    pub size: Size,
    pub days: u32,
    /// The first day (local dates of departure).
    pub start: Date,
    /// The country whose Passenger Information Unit receives the traffic (ISO 3166-1 alpha-3).
    pub home_country: String,
    /// Share of flights carrying a listed traveller, and one carrying a look-alike.
    pub planted_share: f64,
}

impl Config {
    pub fn new(seed: u64, size: Size, days: u32) -> Config {
        Config {
            seed,
            size,
            days,
            start: jiff::civil::date(2026, 12, 1),
            home_country: "NLD".into(),
            planted_share: 0.03,
        }
    }
}

/// A run of the simulator.
#[derive(Debug)]
pub struct Simulator {
    config: Config,
    data: Data,
    watchlist: Vec<Entry>,
}

/// What a run produced besides the messages.
#[derive(Debug, Default)]
pub struct Outcome {
    pub flights: Vec<FlightSummary>,
    pub truth: Vec<Truth>,
    pub messages: usize,
    pub bytes: usize,
}

impl Simulator {
    pub fn new(config: Config) -> Result<Simulator, DataError> {
        let data = Data::builtin()?;
        let mut rng = rng::Rng::new(config.seed).fork(u64::MAX);
        let watchlist = truth::watchlist(
            &data,
            config.size.watchlist_entries(),
            config.start,
            &mut rng,
        );
        Ok(Simulator {
            config,
            data,
            watchlist,
        })
    }

    pub fn data(&self) -> &Data {
        &self.data
    }

    pub fn watchlist(&self) -> &[Entry] {
        &self.watchlist
    }

    /// Generates every day, flight by flight, handing each message to `sink` as it is made
    /// (in flight order; the send times say when it would arrive).
    pub fn run(&self, mut sink: impl FnMut(Sent)) -> Outcome {
        let root = rng::Rng::new(self.config.seed);
        let mut refs = traffic::References::default();
        let mut outcome = Outcome::default();
        for day in 0..self.config.days {
            let Some(date) = self
                .config
                .start
                .checked_add(jiff::Span::new().days(i64::from(day)))
                .ok()
            else {
                break;
            };
            let mut day_rng = root.fork(u64::from(day));
            let flights = schedule::day(
                &self.data,
                &self.config.home_country,
                self.config.size,
                date,
                &mut day_rng,
            );
            for (n, f) in flights.iter().enumerate() {
                let mut rng = day_rng.fork(n as u64 + 1);
                let listed = rng.chance(self.config.planted_share).then(|| {
                    let entry = rng.pick(&self.watchlist);
                    entry.map(|e| (e, truth::any_variation(&mut rng)))
                });
                let look_alike = rng
                    .chance(self.config.planted_share)
                    .then(|| rng.pick(&self.watchlist))
                    .flatten();
                let t = traffic::flight(
                    &self.data,
                    &self.config.home_country,
                    f,
                    traffic::Planting {
                        listed: listed.flatten(),
                        look_alike,
                    },
                    &mut refs,
                    &mut rng,
                );
                outcome.flights.push(t.summary);
                outcome.truth.extend(t.truth);
                for m in t.messages {
                    outcome.messages += 1;
                    outcome.bytes += m.bytes.len();
                    sink(m);
                }
            }
        }
        outcome
    }
}
