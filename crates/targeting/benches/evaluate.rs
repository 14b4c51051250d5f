//! 1,000 active criteria evaluated for one traveller, compiled once. The criteria are generated
//! from the kinds of conditions analysts write (lead times, payment, routes, agencies, bags,
//! check-in, co-travellers), two to four conditions each, with varied constants; the travellers
//! are synthetic and varied so that some criteria hit. Everything is built outside the timed
//! loop.
//!
//! `CARGO_TARGET_DIR=/tmp/target-targeting cargo bench -p targeting --bench evaluate`
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion as Bench, Throughput, criterion_group, criterion_main};
use jiff::civil::{date, datetime};
use targeting::subject::*;
use targeting::{CriteriaSet, Criterion};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const AIRPORTS: [&str; 12] = [
    "XAA", "XAB", "XBB", "XBC", "XCC", "XCD", "XDD", "XDE", "XEE", "XEF", "XFF", "XFG",
];
const COUNTRIES: [&str; 6] = ["XA", "XB", "XC", "XD", "XE", "XF"];
const NATIONALITIES: [&str; 4] = ["XXA", "XXB", "XXC", "XXD"];

fn condition(rng: &mut Rng) -> String {
    match rng.below(18) {
        0 => format!("booking.lead_time_hours < {}", 2 + rng.below(46)),
        1 => format!("booking.lead_time < {}h", 2 + rng.below(46)),
        2 => "payment.cash".into(),
        3 => "payment.third_party".into(),
        4 => "itinerary.one_way".into(),
        5 => format!(
            "flight.origin in [\"{}\", \"{}\"]",
            rng.pick(&AIRPORTS),
            rng.pick(&AIRPORTS)
        ),
        6 => format!("itinerary.route contains \"{}\"", rng.pick(&AIRPORTS)),
        7 => format!(
            "itinerary.countries intersects [\"{}\", \"{}\"]",
            rng.pick(&COUNTRIES),
            rng.pick(&COUNTRIES)
        ),
        8 => format!("booking.agency_iata == \"9999{:04}\"", rng.below(40)),
        9 => format!("bags.count == {}", rng.below(3)),
        10 => format!("bags.weight_kg > {}.5", 10 + rng.below(30)),
        11 => format!("check_in.hours_before_departure < {}", 1 + rng.below(2)),
        12 => format!("co_travellers.count == {}", rng.below(3)),
        13 => format!("itinerary.connections >= {}", 1 + rng.below(2)),
        14 => format!(
            "flight.departure_weekday in [\"{}\", \"{}\"]",
            rng.pick(&["MON", "TUE", "WED", "THU"]),
            rng.pick(&["FRI", "SAT", "SUN"])
        ),
        15 => format!("document.expires_in_days < {}", 10 + rng.below(40)),
        16 => format!(
            "booking.channel == \"{}\"",
            rng.pick(&["agency", "online", "airline"])
        ),
        _ => format!(
            "not frequent_flyer.present and booking.changes > {}",
            rng.below(6)
        ),
    }
}

fn criteria(n: usize) -> CriteriaSet {
    let mut rng = Rng(0x5eed_cafe_f00d_d00d);
    let mut set = CriteriaSet::new();
    for i in 0..n {
        let k = 3 + rng.below(3);
        let mut parts: Vec<String> = (0..k).map(|_| condition(&mut rng)).collect();
        if rng.below(8) == 0 {
            parts.push(format!(
                "traveller.nationality == \"{}\"",
                rng.pick(&NATIONALITIES)
            ));
        }
        let text = if rng.below(6) == 0 && parts.len() >= 3 {
            let last = parts.pop().unwrap();
            let before = parts.pop().unwrap();
            format!("{} and ({before} or {last})", parts.join(" and "))
        } else {
            parts.join(" and ")
        };
        let compiled = Criterion::compile(&text, 1.0 + (i % 10) as f64)
            .unwrap_or_else(|e| panic!("{text}\n{e}"));
        set.insert(format!("c{i}@1"), compiled);
    }
    set
}

fn subject(rng: &mut Rng) -> Subject {
    let dep = datetime(
        2026,
        12,
        1 + rng.below(7) as i8,
        rng.below(24) as i8,
        0,
        0,
        0,
    );
    let legs = 1 + rng.below(3);
    let mut itinerary = Vec::new();
    let mut at = dep;
    let mut from = rng.pick(&AIRPORTS);
    for _ in 0..legs {
        let to = rng.pick(&AIRPORTS);
        itinerary.push(Leg {
            origin: from.into(),
            destination: to.into(),
            origin_country: Some(COUNTRIES[rng.below(6)].into()),
            destination_country: Some(COUNTRIES[rng.below(6)].into()),
            departure: Some(at),
            operating_carrier: Some("XQ".into()),
            marketing_carrier: Some(rng.pick(&["XQ", "XR"]).into()),
            flight_number: Some(format!("{}", 100 + rng.below(900))),
        });
        at = at
            .checked_add(jiff::Span::new().hours(3 + rng.below(40) as i64))
            .unwrap();
        from = to;
    }
    Subject {
        traveller: Traveller {
            surname: Some("TESTPERSON".into()),
            given_names: Some("SAM".into()),
            date_of_birth: Some(date(1950 + rng.below(60) as i16, 6, 15)),
            sex: None,
            nationality: Some(rng.pick(&NATIONALITIES).into()),
            unaccompanied_minor: Some(false),
        },
        document: Some(TravelDocument {
            kind: Some("P".into()),
            issuing_state: Some(rng.pick(&NATIONALITIES).into()),
            expiry: Some(date(2027, 1 + rng.below(12) as i8, 1)),
        }),
        booking: Booking {
            locator: Some("ZZ0000".into()),
            created: dep
                .checked_sub(jiff::Span::new().hours(1 + rng.below(500) as i64))
                .ok(),
            last_changed: dep.checked_sub(jiff::Span::new().hours(1)).ok(),
            party_size: Some(1 + rng.below(4) as u32),
            agency_iata: Some(format!("9999{:04}", rng.below(40))),
            agency_city: Some(rng.pick(&AIRPORTS).into()),
            agency_country: Some(rng.pick(&COUNTRIES).into()),
            channel: Some(rng.pick(&["agency", "online", "airline"]).into()),
            split: Some(false),
            changes: Some(rng.below(8) as u32),
        },
        flight: itinerary.first().cloned(),
        itinerary,
        payment: Payment {
            types: vec![rng.pick(&["CA", "CC", "MS"]).into()],
            payer_in_party: Some(rng.below(4) != 0),
            card_country: None,
        },
        ticket: Ticket {
            number_present: Some(true),
            ticketed: Some(true),
            issued: dep.checked_sub(jiff::Span::new().hours(1)).ok(),
        },
        bags: Bags {
            count: Some(rng.below(3) as u32),
            weight_kg: Some(rng.below(46) as f64),
        },
        seat: Seat {
            number: Some("12C".into()),
            assigned_at_check_in: Some(rng.below(2) == 0),
        },
        check_in: CheckIn {
            checked_in: Some(true),
            at: dep
                .checked_sub(jiff::Span::new().minutes(30 + rng.below(300) as i64))
                .ok(),
            go_show: Some(false),
        },
        frequent_flyer: None,
        contacts: Contacts {
            has_email: Some(true),
            has_phone: Some(true),
        },
    }
}

fn subjects(n: usize) -> Vec<Subject> {
    let mut rng = Rng(0x0dd_ba11_5eed_0001);
    (0..n).map(|_| subject(&mut rng)).collect()
}

fn evaluate(c: &mut Bench) {
    let set = criteria(1000);
    let travellers = subjects(256);
    let hits: usize = travellers.iter().map(|s| set.evaluate(s).hits.len()).sum();
    println!(
        "1,000 criteria ({} distinct conditions); {} travellers; {:.2} hits per traveller on average",
        set.distinct_tests(),
        travellers.len(),
        hits as f64 / travellers.len() as f64
    );

    // A plain timing loop too: per-traveller p50/p99 over many rounds.
    let mut times = Vec::new();
    for _ in 0..20 {
        for s in &travellers {
            let start = Instant::now();
            black_box(set.evaluate(black_box(s)));
            times.push(start.elapsed());
        }
    }
    times.sort();
    let p = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    println!(
        "per traveller, with explanations: p50 {:?}, p99 {:?}",
        p(0.5),
        p(0.99)
    );
    times.clear();
    for _ in 0..20 {
        for s in &travellers {
            let start = Instant::now();
            black_box(set.count_matches(black_box(s)));
            times.push(start.elapsed());
        }
    }
    times.sort();
    let p = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    println!(
        "per traveller, count only: p50 {:?}, p99 {:?}",
        p(0.5),
        p(0.99)
    );

    let mut group = c.benchmark_group("targeting");
    group
        .throughput(Throughput::Elements(1))
        .measurement_time(Duration::from_secs(5));
    let mut i = 0;
    group.bench_function(
        "1000 criteria, one traveller (with explanations of hits)",
        |b| {
            b.iter(|| {
                i = (i + 1) % travellers.len();
                black_box(set.evaluate(black_box(&travellers[i])))
            })
        },
    );
    group.bench_function("1000 criteria, one traveller (count only)", |b| {
        b.iter(|| {
            i = (i + 1) % travellers.len();
            black_box(set.count_matches(black_box(&travellers[i])))
        })
    });
    group.bench_function("compile 1000 criteria", |b| {
        b.iter(|| black_box(criteria(1000)))
    });
    group.finish();
}

criterion_group!(benches, evaluate);
criterion_main!(benches);
