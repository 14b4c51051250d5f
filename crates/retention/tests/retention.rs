//! A simulated day kept as long as the law allows, on both engines: nothing of the API data goes
//! before their period, everything without an objective link goes after it, what a confirmed
//! hit or a legal hold protects stays until the last period, and then nothing is left but the
//! statistics and the audit. The oracle is what the store held before each run, read through
//! other queries than the ones retention runs.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::collections::BTreeSet;

use jiff::{Timestamp, ToSpan, tz::TimeZone};
use model::airports::AirportZones;
use retention::{Policy, Retention, RetentionError, Step};
use store::{BodyKept, Disposition, Erased, HitSubject, Mode, NewHit, NewHold, Store, Verdict};

async fn ingest(store: &Store) {
    let sim =
        simulator::Simulator::new(simulator::Config::new(3, simulator::Size::Small, 1)).unwrap();
    let mut sent = Vec::new();
    sim.run(|m| sent.push(m));
    sent.sort_by(|a, b| a.at.cmp(&b.at).then_with(|| a.file.cmp(&b.file)));
    let intake = intake::Intake::new(store.clone(), intake::Config::default());
    for m in &sent {
        intake.receive("http", &m.carrier, &m.bytes).await.unwrap();
    }
}

/// A confirmed (or other) hit on a subject, as an analyst's review leaves it; its explanation
/// carries the traveller's `name`, as the intake's do.
async fn hit(
    store: &Store,
    flight: i64,
    subject: HitSubject,
    name: &str,
    disposition: Disposition,
) {
    let message = store.messages(None, None, None, 1, 0).await.unwrap()[0].id;
    let mut tx = store.begin().await.unwrap();
    tx.put_hits(&[NewHit {
        flight_id: flight,
        subject,
        message_id: message,
        list: "test".into(),
        list_version: 1,
        entry_id: format!("e{flight}"),
        score: 0.95,
        explanation: format!(
            r#"{{"version":1,"comparisons":[{{"entry":"LISTED","field":"name","query":"{name}","reason":"name score","score":1.0,"weight":1.0}}],"entry_name":"LISTED","name_score":1.0,"quality":"primary","threshold":0.8}}"#
        ),
        fingerprint: "f".into(),
        suppression: None,
    }])
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let id = store.hits(Some("open"), Some(flight), 10).await.unwrap()[0].id;
    let mut tx = store.begin().await.unwrap();
    assert!(
        tx.review_hit(id, disposition, "analyst", &format!("reviewed: {name}"))
            .await
            .unwrap()
    );
    tx.commit().await.unwrap();
}

async fn persons(store: &Store, flight: i64) -> BTreeSet<i64> {
    store
        .manifest(flight)
        .await
        .unwrap()
        .iter()
        .map(|m| m.id)
        .collect()
}

async fn locators(store: &Store, flight: i64) -> BTreeSet<String> {
    store
        .bookings(flight)
        .await
        .unwrap()
        .into_iter()
        .map(|b| b.locator)
        .collect()
}

fn at(s: &str) -> Timestamp {
    s.parse().unwrap()
}

store::engines! {
async fn a_day_is_kept_as_long_as_the_law_allows_and_no_longer(store: Store) {
    ingest(&store).await;
    let received = Timestamp::now();
    let flights = store.flights_on("2026-12-01").await.unwrap();
    let mut linked = Vec::new();
    for f in &flights {
        let links = store.links(f.id).await.unwrap();
        let locators: BTreeSet<_> = links.iter().map(|l| l.locator.clone()).collect();
        if locators.len() >= 3 {
            linked.push((f.clone(), links));
        }
    }
    assert!(linked.len() >= 2, "flights with linked bookings");
    // On flight one: a confirmed hit on an API person (their booking is kept with them), a
    // confirmed hit on another booking's PNR traveller (their API record is kept with them), a
    // false alarm on a third person (nothing kept for it). On flight two: a legal hold on the
    // whole flight.
    let (one, links) = &linked[0];
    let mut by_booking = links.iter().fold(Vec::<&store::Link>::new(), |mut v, l| {
        if v.iter().all(|k| k.locator != l.locator) {
            v.push(l);
        }
        v
    });
    let (a, b, c) = (by_booking.remove(0), by_booking.remove(0), by_booking.remove(0));
    let surname = |id: i64| {
        let store = store.clone();
        async move {
            store.manifest_person(id).await.unwrap().unwrap().1.identity.surname
        }
    };
    let (surname_a, surname_b) = (surname(a.manifest_id).await, surname(b.manifest_id).await);
    let identity_a = store.manifest_person(a.manifest_id).await.unwrap().unwrap().1.identity;
    hit(&store, one.id, HitSubject::Api { manifest_id: a.manifest_id }, &surname_a, Disposition::Confirmed).await;
    hit(
        &store,
        one.id,
        HitSubject::Pnr { locator: b.locator.clone(), traveller: b.traveller.clone() },
        &surname_b,
        Disposition::Confirmed,
    )
    .await;
    let surname_c = surname(c.manifest_id).await;
    hit(&store, one.id, HitSubject::Api { manifest_id: c.manifest_id }, &surname_c, Disposition::FalseAlarm).await;
    let two = &linked[1].0;
    store
        .place_hold(&NewHold {
            flight_id: two.id,
            locator: None,
            manifest_id: None,
            reason: "an open case",
            case_reference: "CASE-1",
            placed_by: "supervisor",
        })
        .await
        .unwrap();

    let mut held_persons = BTreeSet::new();
    let mut held_bookings = BTreeSet::new();
    let mut api_total = 0;
    for f in &flights {
        let p = persons(&store, f.id).await;
        api_total += p.len();
        if f.id == two.id {
            held_persons.extend(p);
            held_bookings.extend(locators(&store, f.id).await.into_iter().map(|l| (f.id, l)));
        }
    }
    held_persons.extend([a.manifest_id, b.manifest_id]);
    held_bookings.extend([(one.id, a.locator.clone()), (one.id, b.locator.clone())]);
    // A hold on one more person of flight one, released after the API run: the person is
    // erased at the next run.
    let d = store
        .manifest(one.id)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.id)
        .find(|m| ![a.manifest_id, b.manifest_id, c.manifest_id].contains(m))
        .unwrap();
    let released = store
        .place_hold(&NewHold {
            flight_id: one.id,
            locator: None,
            manifest_id: Some(d),
            reason: "a question to the border post",
            case_reference: "CASE-2",
            placed_by: "supervisor",
        })
        .await
        .unwrap();
    held_persons.insert(d);
    let bodies_before = store.messages(None, None, None, 100_000, 0).await.unwrap();
    let kinds = |kind: &str| {
        bodies_before
            .iter()
            .filter(|m| m.message_type.as_deref() == Some(kind))
            .map(|m| m.id)
            .collect::<Vec<_>>()
    };
    let (lists, pushes) = (kinds("PAXLST"), kinds("PNRGOV"));
    assert!(!lists.is_empty() && !pushes.is_empty());

    let retention = Retention::new(store.clone(), Policy::eu_2016_681().unwrap(), AirportZones::default());
    let mut steps = Vec::new();
    // Before any flight has arrived: nothing goes (statistics are taken two days after).
    let early = retention
        .run(at("2026-12-01T00:00:00Z"), Mode::Erase, &mut |s, _| steps.push(s))
        .await
        .unwrap();
    assert_eq!(early.erased, Erased::default(), "{early:?}");
    assert!(steps.contains(&Step::Api));
    let mut still = 0;
    for f in &flights {
        still += persons(&store, f.id).await.len();
    }
    assert_eq!(still, api_total, "every API person is still there");

    // Three days later every flight has arrived more than 24 hours ago: the API data without an
    // objective link go, with their lists' bytes; the PNR stay (six months).
    let api = retention
        .run(at("2026-12-04T00:00:00Z"), Mode::Erase, &mut |_, _| {})
        .await
        .unwrap();
    let mut left = BTreeSet::new();
    for f in &flights {
        left.extend(persons(&store, f.id).await);
    }
    assert_eq!(left, held_persons);
    assert_eq!(api.erased.api_persons as usize, api_total - held_persons.len());
    assert!(left.contains(&d), "held");
    assert_eq!(api.counted as usize, flights.len(), "every flight counted first");
    assert_eq!(api.erased.hits, 1, "the false alarm went with its person");
    for id in &lists {
        assert_eq!(store.message(*id).await.unwrap().unwrap().body, BodyKept::Erased);
    }
    for id in &pushes {
        assert_ne!(store.message(*id).await.unwrap().unwrap().body, BodyKept::Erased);
    }
    let statistics = store.statistics("2026-12-01", "2026-12-01").await.unwrap();
    let counted = |source: &str| {
        statistics.iter().filter(|r| r.source == source).map(|r| r.n).sum::<i64>()
    };
    assert_eq!(counted("api") as usize, api_total);
    assert!(counted("pnr") > 0);

    // The person's hold is released: the next run erases them, and nothing else.
    assert!(store.release_hold(released, "supervisor").await.unwrap());
    let next = retention
        .run(at("2026-12-05T00:00:00Z"), Mode::Erase, &mut |_, _| {})
        .await
        .unwrap();
    assert_eq!(next.erased.api_persons, 1, "{next:?}");
    held_persons.remove(&d);
    let mut left = BTreeSet::new();
    for f in &flights {
        left.extend(persons(&store, f.id).await);
    }
    assert_eq!(left, held_persons);

    // A clock behind the last run's is refused.
    let e = retention
        .run(at("2026-12-03T00:00:00Z"), Mode::Erase, &mut |_, _| {})
        .await
        .unwrap_err();
    assert!(matches!(e, RetentionError::ClockBehind { .. }), "{e}");

    // Seven months after receipt: the PNR data without an objective link go. A dry run says
    // first exactly what the run then erases.
    let seven_months = received
        .to_zoned_datetime(TimeZone::UTC)
        .checked_add(7.months())
        .unwrap()
        .timestamp();
    let dry = retention.run(seven_months, Mode::DryRun, &mut |_, _| {}).await.unwrap();
    let pnr = retention.run(seven_months, Mode::Erase, &mut |_, _| {}).await.unwrap();
    assert_eq!(dry.steps, pnr.steps);
    assert!(pnr.erased.pnr_versions > 0 && pnr.erased.pnr_travellers > 0);
    let mut kept = BTreeSet::new();
    for f in &flights {
        kept.extend(locators(&store, f.id).await.into_iter().map(|l| (f.id, l)));
    }
    assert_eq!(kept, held_bookings);
    for link in store.links(one.id).await.unwrap() {
        assert!(held_bookings.contains(&(one.id, link.locator.clone())), "a link to an erased booking");
    }
    for id in &pushes {
        assert_eq!(store.message(*id).await.unwrap().unwrap().body, BodyKept::Erased);
    }
    assert_eq!(store.hits(None, None, 100).await.unwrap().len(), 2, "the confirmed hits stay");

    // What the objective links kept is depersonalised (Art. 12(2)) in the same run: no name,
    // document or birth date left in the rows, the bookings or the explanations; the originals
    // sealed, and they open to the values they replaced.
    assert_eq!(pnr.masked.api_persons as usize, held_persons.len(), "{:?}", pnr.masked);
    assert!(pnr.masked.pnr_versions as usize >= held_bookings.len(), "{:?}", pnr.masked);
    assert_eq!(pnr.masked.hits, 2);
    for f in &flights {
        for m in store.manifest(f.id).await.unwrap() {
            assert!(m.masked_at.is_some());
            assert_eq!(m.identity, model::Identity::default());
        }
        for b in store.bookings(f.id).await.unwrap() {
            let booking = pnrgov::stored::read(b.format, &b.booking).unwrap();
            assert!(booking.masked.is_some());
            assert!(booking.travellers.iter().all(|t| t.surname.is_empty() && t.documents.is_empty()));
            for name in [&surname_a, &surname_b] {
                assert!(!b.booking.contains(name.as_str()), "a kept booking still names its traveller");
            }
        }
    }
    for h in store.hits(None, None, 100).await.unwrap() {
        assert!(h.masked_at.is_some() && h.note.is_none());
        use stored_json::Versioned;
        let e = screening::StoredExplanation::read_value(&h.explanation).unwrap();
        assert_eq!(e.traveller_name(), Some(""));
        assert!(e.masked.is_some());
        let sealed = store
            .unseal_explanation(store::SealedKind::Hit, h.flight_id, h.id)
            .await
            .unwrap()
            .unwrap();
        let original = screening::StoredExplanation::read_value(&sealed.explanation).unwrap();
        assert!([&surname_a, &surname_b].contains(&&original.traveller_name().unwrap().to_string()));
        assert!(sealed.note.unwrap().starts_with("reviewed: "));
    }
    let original = store.unseal_person(one.id, a.manifest_id).await.unwrap().unwrap();
    assert_eq!(original.identity, identity_a);
    assert_eq!(original.surname, surname_a);
    let kinds: Vec<String> = store.sealed_counts().await.unwrap().into_iter().map(|(k, _)| k).collect();
    for kind in ["booking_version", "hit", "person", "pnr_traveller"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} sealed: {kinds:?}");
    }
    // Nothing left to mask: a run at the same clock masks nothing.
    let again = retention.run(seven_months, Mode::Erase, &mut |_, _| {}).await.unwrap();
    assert_eq!(again.masked.rows(), 0, "{:?}", again.masked);

    // Five years and a month after receipt: nothing but the statistics and the audit.
    let five_years = received
        .to_zoned_datetime(TimeZone::UTC)
        .checked_add(5.years().months(1))
        .unwrap()
        .timestamp();
    let erasures = store.audit_records(None, 100_000).await.unwrap();
    assert_eq!(
        erasures.iter().filter(|r| r.action == "retention.erased").count(),
        5,
        "one erasure record per run (the dry run and the refused run wrote none)"
    );
    assert!(erasures.iter().all(|r| r.category == store::AuditCategory::of(&r.action)));
    assert!(erasures.iter().any(|r| r.category == store::AuditCategory::Erasure));
    assert_eq!(erasures.iter().filter(|r| r.action == "retention.masked").count(), 1);
    let last = retention.run(five_years, Mode::Erase, &mut |_, _| {}).await.unwrap();
    assert_eq!(last.erased.flights as usize, flights.len());
    assert_eq!(last.erased.holds, 2, "the hold in force and the released one");
    assert!(store.flights_on("2026-12-01").await.unwrap().is_empty());
    assert!(store.messages(None, None, None, 10, 0).await.unwrap().is_empty());
    assert!(store.hits(None, None, 10).await.unwrap().is_empty());
    assert!(store.holds(false).await.unwrap().is_empty());
    assert!(store.sealed_counts().await.unwrap().is_empty(), "the sealed originals went too");
    assert_eq!(store.statistics("2026-12-01", "2026-12-01").await.unwrap(), statistics);
    // The audit's period has ended for every record written before: what is left is the cut
    // and this run's erasure record, and the chain verifies from the cut.
    assert!(last.erased.audit_records as usize >= erasures.len());
    let left: Vec<String> = store
        .audit_records(None, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|r| r.action)
        .collect();
    assert_eq!(left, ["retention.erased", "audit.cut"]);
    assert!(
        matches!(store.verify_audit().await.unwrap(), Verdict::Intact { records: 2, .. }),
        "{:?}",
        store.verify_audit().await
    );
}
}

store::engines! {
async fn a_data_subject_erasure_takes_one_record_and_keeps_a_linked_one(store: Store) {
    ingest(&store).await;
    let flights = store.flights_on("2026-12-01").await.unwrap();
    let mut manifests = Vec::new();
    for f in &flights {
        let m = store.manifest(f.id).await.unwrap();
        if m.len() >= 3 {
            manifests.push((f.id, m));
        }
        if manifests.len() == 2 {
            break;
        }
    }
    let (flight, manifest) = manifests[0].clone();
    let (subject, other) = (&manifest[0], &manifest[1]);
    assert_ne!(store.message(subject.first_message).await.unwrap().unwrap().body, BodyKept::Erased);

    let done = store
        .erase_api_subject(subject.id, "dpo", "DSR-1", "received in error")
        .await
        .unwrap();
    let store::SubjectErasure::Erased(erased) = done else {
        panic!("{done:?}");
    };
    assert_eq!(erased.api_persons, 1);
    assert!(erased.bodies >= 1, "{erased:?}");
    let left = persons(&store, flight).await;
    assert!(!left.contains(&subject.id) && left.contains(&other.id));
    assert_eq!(left.len(), manifest.len() - 1);
    assert_eq!(store.message(subject.first_message).await.unwrap().unwrap().body, BodyKept::Erased);
    let records = store.audit_records(Some(&format!("traveller:{}", subject.id)), 10).await.unwrap();
    assert_eq!(records[0].action, "subject.erased");
    assert_eq!(records[0].category, store::AuditCategory::Erasure);
    assert_eq!(records[0].purpose.as_deref(), Some("DSR-1"));
    assert!(records[0].detail.contains("api_persons 1"), "{}", records[0].detail);
    assert_eq!(
        store.erase_api_subject(subject.id, "dpo", "DSR-1", "again").await.unwrap(),
        store::SubjectErasure::NotFound
    );

    // A confirmed hit keeps its traveller; so does a legal hold on a person.
    let surname = other.identity.surname.clone();
    hit(&store, flight, HitSubject::Api { manifest_id: other.id }, &surname, Disposition::Confirmed).await;
    assert_eq!(
        store.erase_api_subject(other.id, "dpo", "DSR-2", "asked").await.unwrap(),
        store::SubjectErasure::Linked
    );
    let (second, held) = (&manifests[1].0, &manifests[1].1[0]);
    store
        .place_hold(&NewHold {
            flight_id: *second,
            locator: None,
            manifest_id: Some(held.id),
            reason: "an open case",
            case_reference: "CASE-3",
            placed_by: "supervisor",
        })
        .await
        .unwrap();
    assert_eq!(
        store.erase_api_subject(held.id, "dpo", "DSR-3", "asked").await.unwrap(),
        store::SubjectErasure::Linked
    );
    assert!(persons(&store, flight).await.contains(&other.id));
    assert!(persons(&store, *second).await.contains(&held.id));
    assert!(matches!(store.verify_audit().await.unwrap(), Verdict::Intact { .. }));
}
}
