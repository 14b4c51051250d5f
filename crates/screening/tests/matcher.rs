#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]
//! The matcher end to end on lists made here (the simulator's synthetic watchlist, a few public
//! UN names) and, when the shared corpus is beside the repository, the screening-eval sets.

use std::path::PathBuf;

use jiff::civil::date;
use model::Sex;
use screening::eval;
use screening::matcher::changed_entries;
use screening::{
    BirthDate, Config, Entry, EntryDocument, EntryKind, EntryName, ListVersion, Matcher,
    NameQuality, Query, Script, Suppression, Suppressions,
};

fn name(full: &str, quality: NameQuality) -> EntryName {
    EntryName {
        full: full.into(),
        given: None,
        family: None,
        quality,
        script: Script::of(full),
    }
}

fn person(id: &str, names: &[&str], birth: Option<BirthDate>, nat: &str) -> Entry {
    Entry {
        id: id.into(),
        kind: EntryKind::Person,
        names: names
            .iter()
            .enumerate()
            .map(|(i, n)| {
                name(
                    n,
                    if i == 0 {
                        NameQuality::Primary
                    } else {
                        NameQuality::Strong
                    },
                )
            })
            .collect(),
        birth_dates: birth.into_iter().collect(),
        sex: Some(Sex::Male),
        nationalities: vec![nat.into()],
        documents: Vec::new(),
        reason: None,
        listed_on: None,
    }
}

fn small_list() -> ListVersion {
    let mut saddam = person(
        "IQi.001",
        &["SADDAM HUSSEIN AL-TIKRITI", "صدام حسين التكريتي", "ABU ALI"],
        Some(BirthDate::Exact(date(1937, 4, 28))),
        "IRQ",
    );
    saddam.documents.push(EntryDocument {
        kind: Some("passport".into()),
        number: "A0123456".into(),
        issuing_state: Some("IRQ".into()),
    });
    ListVersion {
        list: "un".into(),
        number: 3,
        source_sha256: String::new(),
        published: None,
        entries: vec![
            saddam,
            person(
                "QDi.002",
                &["JANAN MOHAMMAD AHMED AGHA"],
                Some(BirthDate::Year(1958)),
                "AFG",
            ),
            person(
                "QDi.003",
                &["ABDUL RAHMAN YASIN"],
                Some(BirthDate::Range {
                    from: 1959,
                    to: 1961,
                }),
                "USA",
            ),
        ],
    }
}

fn q(surname: &str, given: &str) -> Query {
    Query {
        surname: surname.into(),
        given_names: given.into(),
        ..Query::default()
    }
}

#[test]
fn finds_listed_people_and_explains() {
    let list = small_list();
    let m = Matcher::build(&[&list], &Config::default());
    let mut query = q("AL TIKRITI", "SADAM HUSSEIN MR");
    query.date_of_birth = Some(date(1937, 4, 28));
    let hits = m.screen(&query);
    assert_eq!(hits[0].entry_id, "IQi.001");
    assert_eq!(hits[0].list_version, 3);
    let text = hits[0].to_string();
    assert!(text.contains("date of birth equal"), "{text}");
    assert!(
        serde_json::to_string(&hits[0])
            .unwrap()
            .contains("name_part")
    );

    // dropped middle names, year-only listing
    let mut query = q("AGHA", "JANAN");
    query.date_of_birth = Some(date(1958, 6, 1));
    assert_eq!(m.screen(&query)[0].entry_id, "QDi.002");
    // joined parts
    assert_eq!(m.screen(&q("YASIN", "ABDULRAHMAN"))[0].entry_id, "QDi.003");
    // passport-style
    assert_eq!(
        m.screen(&q("AL<TIKRITI<<SADDAM<HUSSEIN", ""))[0].entry_id,
        "IQi.001"
    );
    // one shared common part is not a match
    assert!(m.screen(&q("ALI", "HASSAN")).is_empty());
    // unrelated people do not
    assert!(m.screen(&q("SMITH", "JOHN")).is_empty());
    // the document alone, read with OCR confusions
    let mut query = q("DOE", "JOHN");
    query.documents = vec![("AO123456".into(), Some("IRQ".into()))];
    let hits = m.screen(&query);
    assert_eq!(hits[0].entry_id, "IQi.001");
    assert!(hits[0].to_string().contains("OCR-equivalent"));
}

#[test]
fn suppressions_mark_and_changes_rescreen() {
    let list = small_list();
    let m = Matcher::build(&[&list], &Config::default());
    let query = q("AL-TIKRITI", "SADDAM HUSSEIN");
    let mut s = Suppressions::default();
    s.add(Suppression {
        fingerprint: query.fingerprint(),
        list: "un".into(),
        entry_id: "IQi.001".into(),
        reason: "different person, checked".into(),
        who: "officer-7".into(),
        expires: Some(date(2027, 1, 1)),
    });
    let hits = m.screen_with(&query, &s, date(2026, 12, 1));
    assert!(hits[0].suppressed.is_some());
    assert!(hits[0].to_string().contains("suppressed"));
    let hits = m.screen_with(&query, &s, date(2027, 6, 1));
    assert!(hits[0].suppressed.is_none(), "expired");
    // the fingerprint holds no name in clear and ignores order
    let fp = query.fingerprint();
    assert!(!fp.0.contains("saddam"));
    assert_eq!(fp, q("SADDAM HUSSEIN", "AL-TIKRITI").fingerprint());

    let mut next = list.clone();
    next.number = 4;
    next.entries.push(person(
        "QDi.004",
        &["JOHN QUINCY SMITH"],
        Some(BirthDate::Year(1970)),
        "GBR",
    ));
    let changed = changed_entries(&list, &next);
    assert_eq!(changed, vec![("un".to_string(), "QDi.004".to_string())]);
    let m = Matcher::build(&[&next], &Config::default());
    let hits = m.screen_changed(&q("SMITH", "JOHN QUINCY"), &changed);
    assert_eq!(hits.len(), 1);
    assert_eq!(hits[0].entry_id, "QDi.004");
    assert!(m.screen_changed(&query, &changed).is_empty());
}

/// The simulator's synthetic watchlist as a list.
fn simulated_list() -> ListVersion {
    let sim = simulator::Simulator::new(simulator::Config::new(
        11,
        simulator::schedule::Size::Medium,
        1,
    ))
    .unwrap();
    let entries = sim
        .watchlist()
        .iter()
        .map(|w| Entry {
            id: w.id.clone(),
            kind: EntryKind::Person,
            names: vec![EntryName {
                full: format!("{} {}", w.given_names.join(" "), w.surname),
                given: Some(w.given_names.join(" ")),
                family: Some(w.surname.clone()),
                quality: NameQuality::Primary,
                script: Script::Latin,
            }],
            birth_dates: vec![match w.birth {
                simulator::truth::ListedBirth::Exact(d) => BirthDate::Exact(d),
                simulator::truth::ListedBirth::Year(y) => BirthDate::Year(y),
            }],
            sex: Some(if w.sex == "M" { Sex::Male } else { Sex::Female }),
            nationalities: vec![w.nationality.clone()],
            documents: w
                .document
                .iter()
                .map(|d| EntryDocument {
                    kind: Some("passport".into()),
                    number: d.clone(),
                    issuing_state: Some(w.nationality.clone()),
                })
                .collect(),
            reason: None,
            listed_on: None,
        })
        .collect();
    ListVersion {
        list: "national".into(),
        number: 1,
        source_sha256: String::new(),
        published: None,
        entries,
    }
}

#[test]
fn simulated_watchlist_variations() {
    let list = simulated_list();
    let config = Config::default();
    let m = Matcher::build(&[&list], &config);
    let report = eval::variations(&m, &list, 300, 1, config.threshold);
    println!(
        "simulated watchlist ({} entries): {report}",
        list.entries.len()
    );
    for e in report.examples.iter().take(10) {
        println!("  miss {e}");
    }
    assert!(report.overall.candidate_recall() >= 0.97, "{report}");
    assert!(report.overall.recall(config.threshold) >= 0.95, "{report}");
}

fn eval_dir() -> Option<PathBuf> {
    test_corpus::dir("screening-eval")
}

/// The UN people of the eval set as a stand-in list (the real lists are read in `eval_lists`).
fn stand_in_un(dir: &std::path::Path) -> ListVersion {
    let people = eval::read_people(&dir.join("un_positives_exact.csv")).unwrap();
    ListVersion {
        list: "un-standin".into(),
        number: 1,
        source_sha256: String::new(),
        published: None,
        entries: people
            .iter()
            .enumerate()
            .map(|(i, p)| eval::entry_from_person(format!("P{i}"), p))
            .collect(),
    }
}

#[test]
fn eval_set_sampled() {
    let Some(dir) = eval_dir() else { return };
    let list = stand_in_un(&dir);
    let config = Config::default();
    let m = Matcher::build(&[&list], &config);
    let report = eval::run(&m, &list, &dir, 50, config.threshold).unwrap();
    println!("{report}");
    for e in report.variations.examples.iter().take(15) {
        println!("  miss {e}");
    }
    if let Some(n) = &report.negatives {
        for e in n.examples.iter().take(5) {
            println!("  alarm {e}");
        }
    }
    assert!(report.positives.unwrap().recall(config.threshold) >= 0.99);
}

fn un(entries: Vec<Entry>) -> ListVersion {
    ListVersion {
        list: "un".into(),
        number: 1,
        source_sha256: String::new(),
        published: None,
        entries,
    }
}

fn one(entries: Vec<Entry>) -> Matcher {
    Matcher::build(&[&un(entries)], &Config::default())
}

fn score(m: &Matcher, query: &Query, id: &str) -> f64 {
    m.screen_at(query, 0.0)
        .iter()
        .find(|h| h.entry_id == id)
        .map_or(0.0, |h| h.score)
}

#[test]
fn dates_years_apart_weigh_by_precision_and_commonness() {
    let m = one(vec![
        person(
            "A",
            &["MEI CHEN"],
            Some(BirthDate::Exact(date(1983, 10, 1))),
            "CHN",
        ),
        person(
            "B",
            &["ZORAVAR KHAZRAJIAN"],
            Some(BirthDate::Exact(date(1983, 10, 1))),
            "CHN",
        ),
        person(
            "C",
            &["ZORAVAR KHAZRAJIAN"],
            Some(BirthDate::Year(1983)),
            "CHN",
        ),
    ]);
    let mut query = q("CHEN", "MEI");
    query.date_of_birth = Some(date(1989, 11, 4));
    // a common name, both dates exact, six years apart: far below the threshold
    assert!(score(&m, &query, "A") < 0.7, "{}", score(&m, &query, "A"));
    let hit = m.screen_at(&query, 0.0);
    let text = hit.iter().find(|h| h.entry_id == "A").unwrap().to_string();
    assert!(text.contains("common name (weight"), "{text}");
    // the same date: found
    query.date_of_birth = Some(date(1983, 10, 1));
    assert!(score(&m, &query, "A") >= 0.8);
    // a rare name: the date lowers without vetoing, and more for exact dates than a listed year
    let mut rare = q("KHAZRAJIAN", "ZORAVAR");
    rare.date_of_birth = Some(date(1988, 5, 5));
    let (exact, year) = (score(&m, &rare, "B"), score(&m, &rare, "C"));
    assert!(exact > 0.7 && exact < 0.8, "{exact}");
    assert!(year > exact, "{year} {exact}");
    // a perfect name and the same document still hit whatever the dates
    let mut entry = person(
        "D",
        &["MEI CHEN"],
        Some(BirthDate::Exact(date(1983, 10, 1))),
        "CHN",
    );
    entry.documents.push(EntryDocument {
        kind: None,
        number: "E12345678".into(),
        issuing_state: Some("CHN".into()),
    });
    let m = one(vec![entry]);
    let mut query = q("CHEN", "MEI");
    query.date_of_birth = Some(date(1995, 1, 2));
    query.documents = vec![("E12345678".into(), Some("CHN".into()))];
    assert!(score(&m, &query, "D") >= 0.9);
}

#[test]
fn traffic_frequencies_make_a_name_common() {
    let list = ListVersion {
        list: "national".into(),
        number: 1,
        source_sha256: String::new(),
        published: None,
        entries: vec![person("A", &["ZORAVAR KHAZRAJIAN"], None, "ARM")],
    };
    let query = q("KHAZRAJIAN", "ZORAVAR");
    let plain = Matcher::build(&[&list], &Config::default());
    let traffic =
        screening::NameFrequencies::from_counts([("ZORAVAR", 300u64), ("KHAZRAJIAN", 200)], 10_000);
    let counted = Matcher::build(
        &[&list],
        &Config {
            name_frequencies: Some(std::sync::Arc::new(traffic)),
            ..Config::default()
        },
    );
    let (rare, common) = (score(&plain, &query, "A"), score(&counted, &query, "A"));
    assert!(rare > common + 0.05, "{rare} {common}");
    assert!(
        common >= 0.8,
        "an exact name is still a hit to review: {common}"
    );
}

#[test]
fn titles_used_as_names_compare_with_and_without() {
    // UN: FIRST_NAME MAULANA, SECOND_NAME FAZLULLAH; OFAC: FAZLULLAH, Maulana
    let mut ofac = person("O", &["FAZLULLAH"], Some(BirthDate::Year(1974)), "PAK");
    ofac.names[0].family = Some("FAZLULLAH".into());
    ofac.names[0].given = Some("Maulana".into());
    let m = one(vec![
        person(
            "U",
            &["MAULANA FAZLULLAH"],
            Some(BirthDate::Year(1974)),
            "PAK",
        ),
        ofac,
        person(
            "H",
            &["HAJI MUHAMMAD ASHRAF", "Haji M. Ashraf"],
            Some(BirthDate::Exact(date(1965, 3, 1))),
            "PAK",
        ),
    ]);
    for query in [
        q("FAZLULLAH", "MAULANA"),
        q("FAZLULLAH<<MAULANA", ""),
        q("FAZLULLAH", ""),
    ] {
        assert!(
            score(&m, &query, "U") >= 0.8,
            "{query:?} {}",
            score(&m, &query, "U")
        );
        assert!(score(&m, &query, "O") >= 0.8, "{query:?}");
    }
    let mut query = q("ASHRAF", "HAJI");
    query.date_of_birth = Some(date(1965, 3, 1));
    assert!(score(&m, &query, "H") >= 0.8, "{}", score(&m, &query, "H"));
    // a plain title still goes
    assert!(score(&m, &q("FAZLULLAH", "MAULANA MR"), "U") >= 0.8);
}

#[test]
fn parts_written_joined_or_split() {
    let m = one(vec![person("K", &["HAN YU-RO"], None, "PRK")]);
    let s = score(&m, &q("HAN", "YUSRO"), "K");
    assert!(s >= 0.8, "{s}");
    assert!(score(&m, &q("HAN", "YURO"), "K") >= 0.9);
}

#[test]
fn another_common_name_is_not_a_typo() {
    let m = one(vec![person("K", &["김성수"], None, "PRK")]);
    // JEONG SU for SEONG SU: two common names of their own, not one misspelt
    assert!(score(&m, &q("김", "정수"), "K") < 0.8);
    assert!(score(&m, &q("KIM", "SEONG SU"), "K") >= 0.8);
}

#[test]
fn a_name_alone_must_be_strong_under_the_name_only_rule() {
    let list = ListVersion {
        list: "national".into(),
        number: 1,
        source_sha256: String::new(),
        published: None,
        entries: vec![
            person("A", &["MEI CHEN"], Some(BirthDate::Year(1983)), "CHN"),
            person(
                "B",
                &["ZORAVAR KHAZRAJIAN"],
                Some(BirthDate::Year(1983)),
                "ARM",
            ),
        ],
    };
    let plain = Matcher::build(&[&list], &Config::default());
    let strict = Matcher::build(
        &[&list],
        &Config {
            name_only: Some(screening::NameOnly::STRICT),
            ..Config::default()
        },
    );
    // a common name and nothing else: a hit by default, none under the rule
    let common = q("CHEN", "MEI");
    assert!(score(&plain, &common, "A") >= 0.8);
    assert!(strict.screen(&common).is_empty());
    // a rare name as listed still hits, 0.10 lower, and the explanation says why
    let rare = q("KHAZRAJIAN", "ZORAVAR");
    let (before, after) = (score(&plain, &rare, "B"), score(&strict, &rare, "B"));
    assert!((before - after - 0.10).abs() < 1e-9, "{before} {after}");
    let hits = strict.screen(&rare);
    assert_eq!(hits.len(), 1);
    let text = hits[0].to_string();
    assert!(
        text.contains("name only: no date of birth and no document"),
        "{text}"
    );
    // one typo in a rare name: a hit by default, 0.10 lower under the rule
    let typo = q("KHAZRAJAN", "ZORAVAR");
    let (loose, tight) = (score(&plain, &typo, "B"), score(&strict, &typo, "B"));
    assert!(loose >= 0.8, "{loose}");
    assert!((loose - tight - 0.10).abs() < 1e-9, "{loose} {tight}");
    // with a date of birth or a document the rule does not apply
    let mut dated = q("CHEN", "MEI");
    dated.date_of_birth = Some(date(1983, 10, 1));
    assert_eq!(score(&plain, &dated, "A"), score(&strict, &dated, "A"));
    let mut with_doc = q("CHEN", "MEI");
    with_doc.documents = vec![("E1234567".into(), Some("CHN".into()))];
    assert_eq!(
        score(&plain, &with_doc, "A"),
        score(&strict, &with_doc, "A")
    );
}

#[test]
fn weights_given_in_the_config_decide_the_score() {
    let list = un(vec![person("B", &["ZORAVAR KHAZRAJIAN"], None, "CHN")]);
    let mut query = q("KHAZRAJIAN", "ZORAVAR");
    query.sex = Some(Sex::Female);
    // a perfect rare name (no date to confirm, none needed) and the listed sex differing: the
    // name's 1.0 plus the sex's effect, whatever it is set to
    let default = Matcher::build(&[&list], &Config::default());
    assert_eq!(score(&default, &query, "B"), 0.92);
    let weights =
        screening::Weights::from_json(r#"{"particulars": {"sex_differs": -0.3}}"#).unwrap();
    let config = Config {
        weights,
        ..Config::default()
    };
    let heavier = Matcher::build(&[&list], &config);
    assert_eq!(score(&heavier, &query, "B"), 0.7);
    assert!(heavier.screen(&query).is_empty());
    assert_eq!(default.screen(&query).len(), 1);
}
