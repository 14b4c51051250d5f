//! The law over time, through the real binary on the embedded store, with its whole clock
//! moved (libfaketime): two simulated months taken in day by day with a retention run each
//! week, then jumps of 7 months and of 5 years.
//!
//! - From receipt on, no stored byte (every file, every value unpacked) holds the SSR codes
//!   for meals and medical needs the messages carried.
//! - Each week, API data of travellers without an objective link are gone for flights that
//!   arrived more than 24 hours before, and still there for flights that just left.
//! - At +7 months no name of a traveller is anywhere in the data directory: names of
//!   travellers without a link are erased, the confirmed hit's traveller is kept masked, still
//!   there to read on the console and sealed under the unit's key.
//! - At +5 years nothing is left of the traffic but statistics and the records of the runs
//!   that erased it; the audit chain, cut, still verifies.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::session::Session;
use common::{PASSWORD, data_dir, passage, set_clock};
use jiff::{Timestamp, ToSpan, tz::TimeZone};

/// The codes of special-category SSRs the simulator writes (meals, wheelchair, medical):
/// deleted on receipt (Directive 2016/681 Art. 13(4)).
const SENSITIVE: [&[u8]; 4] = [b"SSR+VJML", b"SSR+MOML", b"SSR+MEDA", b"SSR+WCHR"];

/// Every byte of every file under `dir`, and every value of its database unpacked.
async fn stored(dir: &std::path::Path) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = common::files_under(dir)
        .into_iter()
        .map(|(_, b)| b)
        .collect();
    let location = store::Location::Embedded(dir.join("passage.db"));
    out.extend(store::testing::every_value(&location).await.unwrap());
    out
}

fn holds(haystack: &[Vec<u8>], needle: &[u8]) -> bool {
    haystack
        .iter()
        .any(|h| memchr::memmem::find(h, needle).is_some())
}

fn utc(at: Timestamp) -> jiff::ZonedDateTime {
    at.to_zoned_datetime(TimeZone::UTC)
}

/// The names of every traveller the store holds on `flights`, API and PNR.
async fn names(store: &store::Store, flights: &[i64]) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for &f in flights {
        names.extend(common::traveller_names(store, f).await);
    }
    names
}

#[tokio::test]
async fn two_months_of_traffic_then_seven_months_then_five_years() {
    let data = data_dir("retention-over-time");
    let files = data_dir("retention-over-time-files");
    // Two months that ended a while ago, so that every receipt is in the past of the real
    // clock (whatever day the test runs on).
    let start = utc(Timestamp::now())
        .date()
        .checked_sub(150.days())
        .unwrap();
    let config = simulator::Config {
        start,
        planted_share: 0.5,
        ..simulator::Config::new(15, simulator::Size::Small, 60)
    };
    let sim = simulator::Simulator::new(config).unwrap();
    let mut sent = Vec::new();
    let outcome = sim.run(|m| sent.push(m));
    let listed: BTreeSet<&str> = outcome
        .truth
        .iter()
        .filter(|t| matches!(t.relation, simulator::truth::Relation::Listed(_)))
        .map(|t| t.flight.as_str())
        .collect();
    let planted: BTreeSet<&str> = outcome.truth.iter().map(|t| t.flight.as_str()).collect();
    // Three flights a day: one carrying a listed traveller, one carrying nobody planted, and
    // the day's last departure.
    let mut chosen: BTreeMap<String, Timestamp> = BTreeMap::new();
    let mut days: BTreeMap<String, Vec<&simulator::FlightSummary>> = BTreeMap::new();
    for f in &outcome.flights {
        if !matches!(f.status, simulator::schedule::FlightStatus::Cancelled) {
            days.entry(f.key.rsplit('/').next().unwrap().to_string())
                .or_default()
                .push(f);
        }
    }
    assert_eq!(days.len(), 60);
    for (day, flights) in &days {
        // The last to leave before the day's receipts are taken in (10 minutes before
        // midnight UTC): the flight a run that night must not touch.
        let night = format!("{day}T23:50:00Z").parse::<Timestamp>().unwrap();
        if let Some(f) = flights
            .iter()
            .filter(|f| f.departure_utc < night)
            .max_by_key(|f| f.departure_utc)
        {
            chosen.insert(f.key.clone(), f.departure_utc);
        }
        if let Some(f) = flights.iter().find(|f| listed.contains(f.key.as_str())) {
            chosen.insert(f.key.clone(), f.departure_utc);
        }
        let f = flights
            .iter()
            .find(|f| !planted.contains(f.key.as_str()))
            .unwrap();
        chosen.insert(f.key.clone(), f.departure_utc);
    }
    assert!(chosen.len() >= 150, "{}", chosen.len());
    sent.retain(|m| {
        chosen.contains_key(&m.flight) && !m.quirks.contains(&simulator::Quirk::Duplicate)
    });
    sent.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.file.cmp(&b.file)));
    assert!(
        SENSITIVE.iter().all(|code| sent
            .iter()
            .any(|m| memchr::memmem::find(&m.bytes, code).is_some())),
        "the traffic carries every sensitive code"
    );

    // The unit's national list, in force before the traffic.
    let first = sent[0].at;
    set_clock(&data, first.checked_sub(1.hour()).unwrap());
    std::fs::create_dir_all(&data).unwrap();
    let list = files.with_extension("csv");
    std::fs::write(&list, simulator::truth::watchlist_csv(sim.watchlist())).unwrap();
    passage(
        &data,
        &[
            "lists",
            "import",
            "--list",
            "national",
            list.to_str().unwrap(),
        ],
        "",
    );
    let listed_text = std::fs::read(&list).unwrap();

    // Day by day: what was sent that day, taken in at its end; a retention run each week.
    let mut by_day: BTreeMap<jiff::civil::Date, Vec<&simulator::Sent>> = BTreeMap::new();
    for m in &sent {
        by_day.entry(utc(m.at).date()).or_default().push(m);
    }
    let mut confirmed: Option<(i64, i64, String)> = None;
    let mut runs = 0;
    let mut last = first;
    for (n, (day, messages)) in by_day.iter().enumerate() {
        let _ = std::fs::remove_dir_all(&files);
        std::fs::create_dir_all(&files).unwrap();
        for (i, m) in messages.iter().enumerate() {
            std::fs::write(files.join(format!("{i:05}.edi")), &m.bytes).unwrap();
        }
        let end = day
            .to_datetime(jiff::civil::Time::midnight())
            .to_zoned_datetime(TimeZone::UTC)
            .unwrap()
            .checked_add(1.day())
            .unwrap()
            .timestamp()
            .checked_sub(10.minutes())
            .unwrap();
        last = end;
        set_clock(&data, end);
        passage(&data, &["ingest", files.to_str().unwrap()], "");

        // Three days in, an analyst confirms a hit on a listed traveller's API record.
        if n == 3 {
            let server = common::serve(&data, &[]);
            let (_, open) =
                common::get(&format!("{}/api/v1/hits?state=open&limit=5000", server.url));
            let hit = open["hits"]
                .as_array()
                .unwrap()
                .iter()
                .find(|h| {
                    h["subject"].as_str().unwrap().starts_with("api:") && h["list"] == "national"
                })
                .expect("a listed traveller on an API manifest hit the national list")
                .clone();
            let id = hit["id"].as_i64().unwrap();
            let (status, reviewed) = common::post(
                &format!("{}/api/v1/hits/{id}/review", server.url),
                &[("Content-Type", "application/json")],
                br#"{"disposition": "confirmed", "note": "the listed person, passport checked"}"#,
            );
            assert_eq!(status, 200, "{reviewed}");
            let store = store::Store::open(&data.join("passage.db")).await.unwrap();
            let row = store.hit(id).await.unwrap().unwrap();
            let person = row.manifest_id.unwrap();
            let surname = store
                .manifest(row.flight_id)
                .await
                .unwrap()
                .into_iter()
                .find(|m| m.id == person)
                .unwrap()
                .identity
                .surname;
            store.close().await;
            confirmed = Some((row.flight_id, person, surname));
            drop(server);
        }

        if n % 7 != 6 && n + 1 != by_day.len() {
            continue;
        }
        passage(&data, &["retention", "run"], "");
        runs += 1;
        let bytes = stored(&data).await;
        for code in SENSITIVE {
            assert!(
                !holds(&bytes, code),
                "{} is stored",
                String::from_utf8_lossy(code)
            );
        }
        let (flight, person, _) = confirmed.clone().unwrap();
        let store = store::Store::open(&data.join("passage.db")).await.unwrap();
        let (mut gone, mut kept) = (0, 0);
        for (key, departs) in &chosen {
            let Some(f) = store.flight(key).await.unwrap() else {
                continue;
            };
            let manifest: Vec<i64> = store
                .manifest(f.id)
                .await
                .unwrap()
                .iter()
                .map(|m| m.id)
                .collect();
            // Arrived more than 24 hours before the run (whatever the flight's length and
            // the zones): only the confirmed hit's traveller is left.
            if departs.checked_add(72.hours()).unwrap() <= end {
                let expected = if f.id == flight { vec![person] } else { vec![] };
                assert_eq!(manifest, expected, "{key} at {end}");
                gone += 1;
            }
            // Left less than 8 hours before: not arrived 24 hours ago in any zone.
            if *departs <= end && departs.checked_add(8.hours()).unwrap() > end {
                assert!(!manifest.is_empty(), "{key} at {end}");
                kept += 1;
            }
        }
        store.close().await;
        assert!(gone > 0 || n < 7, "week {n}: {gone} flights judged");
        assert!(kept > 0, "week {n}: no flight had just left");
    }
    assert_eq!(runs, 9);
    let (hit_flight, hit_person, hit_surname) = confirmed.unwrap();

    // The names held before the PNR period ends, to look for afterwards; the search is
    // first shown to find them. Names of the list (a look-alike's, the listed person's own)
    // stand in the list's versions, which are not traffic.
    let store = store::Store::open(&data.join("passage.db")).await.unwrap();
    let mut flights = Vec::new();
    for key in chosen.keys() {
        if let Some(f) = store.flight(key).await.unwrap() {
            flights.push(f.id);
        }
    }
    let all = names(&store, &flights).await;
    let held: BTreeSet<String> = all
        .into_iter()
        .filter(|n| n.len() >= 7 && n.bytes().all(|b| b.is_ascii_uppercase()))
        .filter(|n| memchr::memmem::find(&listed_text, n.as_bytes()).is_none())
        .collect();
    store.close().await;
    // The simulator draws names from a few hundred; most stand in its list too.
    assert!(held.len() >= 30, "{}", held.len());
    let bytes = stored(&data).await;
    let before = held.iter().filter(|n| holds(&bytes, n.as_bytes())).count();
    assert_eq!(before, held.len(), "the search finds every name while held");
    assert!(holds(&bytes, hit_surname.as_bytes()));

    // Seven months after the last receipt: PNR data of the two months are past 6 months.
    let seven_months = utc(last).checked_add(7.months()).unwrap().timestamp();
    set_clock(&data, seven_months);
    let out = passage(&data, &["retention", "run"], "");
    assert!(out.contains("pnr_versions"), "{out}");
    let bytes = stored(&data).await;
    let left: Vec<&String> = held
        .iter()
        .filter(|n| holds(&bytes, n.as_bytes()))
        .collect();
    assert!(left.is_empty(), "still stored: {left:?}");
    assert!(
        !holds(&bytes, hit_surname.as_bytes()),
        "the confirmed traveller's name is masked"
    );
    {
        let store = store::Store::open(&data.join("passage.db")).await.unwrap();
        let totals = store.totals().await.unwrap();
        assert_eq!(
            totals.api_persons, 1,
            "only the confirmed traveller's API data"
        );
        let hit = store
            .hits(Some("confirmed"), Some(hit_flight), 10)
            .await
            .unwrap();
        // The API hit and its PNR twin: one decision.
        let subjects: Vec<&str> = hit.iter().map(|h| h.subject.as_str()).collect();
        assert_eq!(hit.len(), 2, "{subjects:?}");
        assert!(subjects.contains(&format!("api:{hit_person}").as_str()));
        assert!(subjects.iter().any(|s| s.starts_with("pnr:")));
        let original = store
            .unseal_person(hit_flight, hit_person)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(original.surname, hit_surname);
        store.close().await;
    }
    {
        let server = common::serve(&data, &[]);
        let mut analyst = Session::new(&server.url);
        assert_eq!(analyst.sign_in("analyst-1", PASSWORD).status, 303);
        analyst.state_purpose("CASE-12");
        let page = analyst.get(&format!("/travellers/{hit_person}"));
        assert_eq!(page.status, 200);
        assert!(page.body.contains("id=\"masked\""), "{}", page.body);
        assert!(page.body.contains("confirmed"), "{}", page.body);
        assert!(!page.body.contains(&hit_surname));
    }

    // Five years after the last consultation (the audit keeps each record 5 years), past
    // every period of the traffic: nothing of it is left; the statistics are, and the
    // records of this run.
    let five_years = utc(seven_months)
        .checked_add(5.years())
        .unwrap()
        .checked_add(1.day())
        .unwrap()
        .timestamp();
    set_clock(&data, five_years);
    passage(&data, &["retention", "run"], "");
    let store = store::Store::open(&data.join("passage.db")).await.unwrap();
    let totals = store.totals().await.unwrap();
    assert_eq!(
        (
            totals.messages,
            totals.flights,
            totals.api_persons,
            totals.pnr_travellers
        ),
        (0, 0, 0, 0)
    );
    assert!(
        store
            .sealed_counts()
            .await
            .unwrap()
            .iter()
            .all(|(_, n)| *n == 0)
    );
    let statistics = store
        .statistics(&start.to_string(), &utc(last).date().to_string())
        .await
        .unwrap();
    let counted = |source: &str| -> i64 {
        statistics
            .iter()
            .filter(|r| r.source == source)
            .map(|r| r.n)
            .sum()
    };
    let travellers: usize = outcome
        .flights
        .iter()
        .filter(|f| chosen.contains_key(&f.key))
        .map(|f| f.travellers)
        .sum();
    // Every PNR traveller the simulator booked was counted before being erased; API counts
    // passengers as checked in and crew.
    assert_eq!(counted("pnr"), travellers as i64);
    assert!(
        counted("api") > travellers as i64 * 9 / 10 && counted("api") < travellers as i64 * 6 / 5,
        "{} API of {travellers}",
        counted("api")
    );
    let records = store.audit_records(None, 10_000).await.unwrap();
    assert!(
        records
            .iter()
            .all(|r| r.action.starts_with("retention.") || r.action == "audit.cut"),
        "{:?}",
        records.iter().map(|r| &r.action).collect::<Vec<_>>()
    );
    assert!(
        matches!(
            store.verify_audit().await.unwrap(),
            store::Verdict::Intact { .. }
        ),
        "the audit's chain verifies after its cut"
    );
    store.close().await;
    let bytes = stored(&data).await;
    assert!(!holds(&bytes, hit_surname.as_bytes()));
    let _ = std::fs::remove_dir_all(&data);
    let _ = std::fs::remove_dir_all(&files);
    let _ = std::fs::remove_file(&list);
}
