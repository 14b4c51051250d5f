#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use targeting::{CriteriaSet, Criterion, Truth, catalogue};

#[test]
fn explanations_show_each_condition_with_its_value() {
    let rule = Criterion::compile(
        "booking.lead_time_hours < 24 and payment.cash and bags.count > 0",
        10.0,
    )
    .unwrap();
    let outcome = rule.evaluate(&common::subject());
    assert!(!outcome.matched);
    assert_eq!(outcome.score, 0.0);
    assert_eq!(
        outcome.explanation.to_string(),
        "booking.lead_time_hours = 5 < 24 ✓\npayment.cash = true ✓\nbags.count = 0 > 0 ✗"
    );
    assert_eq!(outcome.explanation.held().count(), 2);

    let rule = Criterion::compile("booking.lead_time < 1d and payment.third_party", 7.5).unwrap();
    let outcome = rule.evaluate(&common::subject());
    assert!(outcome.matched);
    assert_eq!(outcome.score, 7.5);
    assert_eq!(
        outcome.explanation.to_string(),
        "booking.lead_time = 5h < 1d ✓\npayment.third_party = true ✓"
    );
}

#[test]
fn absent_data_is_neither_true_nor_false() {
    let mut subject = common::subject();
    subject.payment.types.clear();
    let rule = Criterion::compile("payment.cash and itinerary.one_way", 1.0).unwrap();
    let outcome = rule.evaluate(&subject);
    assert_eq!(outcome.truth, Truth::Unknown);
    assert!(!outcome.matched);
    assert_eq!(
        outcome.explanation.to_string(),
        "payment.cash = absent ?\nitinerary.one_way = true ✓"
    );
    // `not` of the unknown stays unknown: absence is no evidence either way.
    let rule = Criterion::compile("not payment.cash and itinerary.one_way", 1.0).unwrap();
    assert_eq!(rule.evaluate(&subject).truth, Truth::Unknown);
    // A false side decides an `and`, a true side an `or`, whatever is unknown.
    let rule = Criterion::compile("payment.cash and bags.count > 5", 1.0).unwrap();
    assert_eq!(rule.evaluate(&subject).truth, Truth::False);
    let rule = Criterion::compile("payment.cash or bags.count == 0", 1.0).unwrap();
    assert_eq!(rule.evaluate(&subject).truth, Truth::True);
    let rule =
        Criterion::compile("not present(payment.card_country) and bags.count == 0", 1.0).unwrap();
    assert!(rule.evaluate(&subject).matched);
}

#[test]
fn derived_fields() {
    let s = common::subject();
    let value = |name: &str| {
        let (_, field) = catalogue::lookup(name).unwrap();
        field.value(&s).to_string()
    };
    assert_eq!(value("traveller.age"), "24");
    assert_eq!(value("traveller.age_band"), "\"18-24\"");
    assert_eq!(value("traveller.minor"), "false");
    assert_eq!(value("traveller.sex"), "\"X\"");
    assert_eq!(value("document.expires_in_days"), "45");
    assert_eq!(value("booking.lead_time_hours"), "5");
    assert_eq!(value("booking.change_lead_time_hours"), "3.5");
    assert_eq!(value("co_travellers.count"), "1");
    assert_eq!(value("itinerary.route"), "[\"XAA\", \"XBB\", \"XCC\"]");
    assert_eq!(value("itinerary.countries"), "[\"XA\", \"XB\", \"XC\"]");
    assert_eq!(value("itinerary.carriers"), "[\"XQ\", \"XR\"]");
    assert_eq!(value("itinerary.one_way"), "true");
    assert_eq!(value("itinerary.destination"), "\"XCC\"");
    assert_eq!(value("itinerary.connections"), "1");
    assert_eq!(value("itinerary.trip_days"), "absent");
    assert_eq!(value("flight.departure_hour"), "20");
    assert_eq!(value("flight.departure_weekday"), "\"TUE\"");
    assert_eq!(value("flight.codeshare"), "false");
    assert_eq!(value("ticket.lead_time_hours"), "4.5");
    assert_eq!(value("check_in.hours_before_departure"), "1.5");
    assert_eq!(value("frequent_flyer.present"), "false");
    assert_eq!(value("payment.types"), "[\"CA\"]");
}

#[test]
fn return_trips_have_a_turnaround_and_a_length() {
    let mut s = common::subject();
    let mut back = s.itinerary[0].clone();
    back.origin = "XCC".into();
    back.destination = "XAA".into();
    back.departure = Some(jiff::civil::datetime(2026, 12, 6, 9, 0, 0, 0));
    s.itinerary.push(back);
    let rule = Criterion::compile(
        r#"not itinerary.one_way and itinerary.trip_days == 5 and itinerary.destination == "XCC""#,
        1.0,
    )
    .unwrap();
    let outcome = rule.evaluate(&s);
    assert!(outcome.matched, "{}", outcome.explanation);
}

#[test]
fn strings_compare_without_ascii_case_and_fields_compare_with_fields() {
    let s = common::subject();
    for text in [
        r#"booking.channel == "AGENCY" and payment.cash"#,
        r#"booking.agency_iata starts_with "9999" and payment.cash"#,
        r#"seat.number ends_with "a" and payment.cash"#,
        r#"booking.channel contains "gen" and payment.cash"#,
        r#"itinerary.route contains "xbb" and payment.cash"#,
        r#"flight.origin not in ["XZZ"] and payment.cash"#,
        "flight.origin == booking.agency_city and payment.cash",
        "bags.count in [0, 1] and payment.cash",
        "ticket.issued > booking.created and payment.cash",
    ] {
        let outcome = Criterion::compile(text, 1.0).unwrap().evaluate(&s);
        assert!(outcome.matched, "{text}\n{}", outcome.explanation);
    }
    let outcome = Criterion::compile("flight.origin == booking.agency_city and payment.cash", 1.0)
        .unwrap()
        .evaluate(&s);
    assert_eq!(
        outcome.explanation.steps[0].to_string(),
        "flight.origin = \"XAA\" == booking.agency_city (= \"XAA\") ✓"
    );
}

#[test]
fn a_set_adds_the_weights_of_what_matched_and_explains_only_that() {
    let mut set = CriteriaSet::new();
    let rules = [
        (
            "late-cash@1",
            "booking.lead_time_hours < 24 and payment.cash",
            10.0,
        ),
        (
            "one-way-third-party@2",
            "itinerary.one_way and payment.third_party",
            5.0,
        ),
        (
            "heavy-bags@1",
            "bags.weight_kg > 40 and itinerary.one_way",
            3.0,
        ),
    ];
    for (id, text, weight) in rules {
        set.insert(id, Criterion::compile(text, weight).unwrap());
    }
    assert_eq!(set.len(), 3);
    let assessment = set.evaluate(&common::subject());
    assert_eq!(assessment.score, 15.0);
    let ids: Vec<&str> = assessment.hits.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["late-cash@1", "one-way-third-party@2"]);
    assert_eq!(
        assessment.hits[1].explanation.to_string(),
        "itinerary.one_way = true ✓\npayment.third_party = true ✓"
    );
    assert_eq!(set.count_matches(&common::subject()), 2);
    // Serialisable for the store and the review screen.
    let json = serde_json::to_string(&assessment).unwrap();
    assert!(json.contains("\"truth\":\"true\""), "{json}");
}

#[test]
fn compiled_criteria_keep_the_canonical_text_and_their_fields() {
    let rule = Criterion::compile("  payment.cash   AND_not_a_keyword", 1.0);
    assert!(rule.is_err());
    let rule = Criterion::compile("(payment.cash)and(bags.count>=1)", 2.0).unwrap();
    assert_eq!(rule.text(), "payment.cash and bags.count >= 1");
    let names: Vec<&str> = rule.fields().map(|f| f.name).collect();
    assert_eq!(names, ["payment.cash", "bags.count"]);
    assert_eq!(rule.weight(), 2.0);
}
