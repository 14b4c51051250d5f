#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use targeting::protected::Category;
use targeting::{Criterion, Rule};

/// (criterion, rule, category, the text the problem must point at, a word the message names)
const REFUSED: &[(&str, Rule, Option<Category>, &str, &str)] = &[
    // Special service requests and their codes.
    (
        r#"ssr.code == "MOML" and payment.cash"#,
        Rule::ProtectedField,
        Some(Category::Religion),
        "ssr.code",
        "special service requests",
    ),
    (
        r#"payment.cash and booking.channel == "MOML""#,
        Rule::ProtectedCode,
        Some(Category::Religion),
        r#""MOML""#,
        "Muslim meal",
    ),
    (
        r#"booking.agency_iata in ["KSML", "1234"] and payment.cash"#,
        Rule::ProtectedCode,
        Some(Category::Religion),
        r#""KSML""#,
        "Kosher meal",
    ),
    (
        r#"payment.cash and booking.channel == "hnml""#,
        Rule::ProtectedCode,
        Some(Category::Religion),
        r#""hnml""#,
        "Hindu meal",
    ),
    (
        r#"payment.cash and booking.channel == "VGML""#,
        Rule::ProtectedCode,
        Some(Category::Religion),
        r#""VGML""#,
        "vegan",
    ),
    (
        r#"payment.cash and booking.channel == "WCHR""#,
        Rule::ProtectedCode,
        Some(Category::Health),
        r#""WCHR""#,
        "Wheelchair",
    ),
    (
        r#"payment.cash and booking.channel == "MEDA""#,
        Rule::ProtectedCode,
        Some(Category::Health),
        r#""MEDA""#,
        "Medical",
    ),
    (
        r#"payment.cash and booking.channel == "DEAF""#,
        Rule::ProtectedCode,
        Some(Category::Health),
        r#""DEAF""#,
        "Deaf",
    ),
    (
        r#"payment.cash and booking.channel == "BLND""#,
        Rule::ProtectedCode,
        Some(Category::Health),
        r#""BLND""#,
        "Blind",
    ),
    (
        r#"ssr contains "WCHR""#,
        Rule::ProtectedField,
        Some(Category::Religion),
        "ssr",
        "Art. 6(4)",
    ),
    // Free text.
    (
        r#"remarks contains "halal""#,
        Rule::ProtectedField,
        Some(Category::Religion),
        "remarks",
        "free-text remarks",
    ),
    (
        r#"pnr.osi contains "PAX""#,
        Rule::ProtectedField,
        Some(Category::Religion),
        "pnr.osi",
        "free text",
    ),
    (
        r#"traveller.meal == "X""#,
        Rule::ProtectedField,
        Some(Category::Religion),
        "traveller.meal",
        "meal requests",
    ),
    // A proxy hidden in an allowed field.
    (
        r#"booking.agency_city == "XAA" and booking.channel contains "halal""#,
        Rule::ProtectedWord,
        Some(Category::Religion),
        r#""halal""#,
        "HALAL",
    ),
    (
        r#"payment.cash and booking.channel == "Kosher Travel""#,
        Rule::ProtectedWord,
        Some(Category::Religion),
        r#""Kosher Travel""#,
        "KOSHER",
    ),
    (
        r#"payment.cash and booking.channel == "hajj group""#,
        Rule::ProtectedWord,
        Some(Category::Religion),
        r#""hajj group""#,
        "pilgrimage",
    ),
    (
        r#"payment.cash and booking.channel contains "wheelchair""#,
        Rule::ProtectedWord,
        Some(Category::Health),
        r#""wheelchair""#,
        "health",
    ),
    // The special categories asked for by name.
    (
        "traveller.religion == \"X\"",
        Rule::ProtectedField,
        Some(Category::Religion),
        "traveller.religion",
        "religion",
    ),
    (
        "traveller.ethnicity == \"X\"",
        Rule::ProtectedField,
        Some(Category::EthnicOrigin),
        "traveller.ethnicity",
        "ethnic origin",
    ),
    (
        "traveller.race == \"X\"",
        Rule::ProtectedField,
        Some(Category::EthnicOrigin),
        "traveller.race",
        "race",
    ),
    (
        "traveller.place_of_birth == \"X\"",
        Rule::ProtectedField,
        Some(Category::EthnicOrigin),
        "traveller.place_of_birth",
        "place of birth",
    ),
    (
        "traveller.health == \"X\"",
        Rule::ProtectedField,
        Some(Category::Health),
        "traveller.health",
        "health",
    ),
    (
        "traveller.disability",
        Rule::ProtectedField,
        Some(Category::Health),
        "traveller.disability",
        "disability",
    ),
    (
        "traveller.sexual_orientation == \"X\"",
        Rule::ProtectedField,
        Some(Category::SexLife),
        "traveller.sexual_orientation",
        "sexual orientation",
    ),
    (
        "traveller.political_opinion == \"X\"",
        Rule::ProtectedField,
        Some(Category::PoliticalOpinion),
        "traveller.political_opinion",
        "political",
    ),
    (
        "traveller.trade_union == \"X\"",
        Rule::ProtectedField,
        Some(Category::TradeUnion),
        "traveller.trade_union",
        "trade-union",
    ),
    (
        "contacts.email == \"x@example.invalid\"",
        Rule::ProtectedField,
        Some(Category::NotAnnexI),
        "contacts.email",
        "watchlist",
    ),
    (
        "payment.card_number == \"4111\"",
        Rule::ProtectedField,
        Some(Category::NotAnnexI),
        "payment.card_number",
        "card",
    ),
    // Names as patterns.
    (
        r#"traveller.surname starts_with "AL" and payment.cash"#,
        Rule::NamePattern,
        Some(Category::EthnicOrigin),
        "starts_with",
        "name patterns",
    ),
    (
        r#"payment.cash and traveller.given_names contains "MOHAM""#,
        Rule::NamePattern,
        Some(Category::EthnicOrigin),
        "contains",
        "name patterns",
    ),
    (
        r#"traveller.surname ends_with "SKI" and payment.cash"#,
        Rule::NamePattern,
        Some(Category::EthnicOrigin),
        "ends_with",
        "ethnic origin",
    ),
    // Restricted characteristics as the sole ground.
    (
        r#"traveller.nationality == "XXA""#,
        Rule::NotSpecific,
        None,
        "traveller.nationality",
        "sole ground",
    ),
    (
        r#"traveller.nationality in ["XXA", "XXB"] or payment.cash"#,
        Rule::NotSpecific,
        None,
        "traveller.nationality",
        "C-817/19",
    ),
    (
        r#"not (traveller.nationality == "XXA" and payment.cash)"#,
        Rule::NotSpecific,
        None,
        "traveller.nationality",
        "Art. 21",
    ),
    (
        r#"document.issuing_state == "XXA" and traveller.sex == "M""#,
        Rule::NotSpecific,
        None,
        "document.issuing_state",
        "sole ground",
    ),
    (
        "traveller.age < 30",
        Rule::NotSpecific,
        None,
        "traveller.age",
        "sole ground",
    ),
    (
        r#"traveller.surname == "TESTPERSON""#,
        Rule::NotSpecific,
        None,
        "traveller.surname",
        "sole ground",
    ),
    // Nothing at all.
    ("true", Rule::NoField, None, "true", "no field"),
    (
        "true or payment.cash",
        Rule::NoField,
        None,
        "true or payment.cash",
        "tests no field",
    ),
];

#[test]
fn protected_attributes_and_proxies_are_refused_with_rule_message_and_position() {
    for (text, rule, category, at, says) in REFUSED {
        let err = match Criterion::compile(text, 10.0) {
            Ok(_) => panic!("accepted: {text}"),
            Err(e) => e,
        };
        let p = err
            .problems
            .iter()
            .find(|p| p.rule == *rule)
            .unwrap_or_else(|| panic!("{text}: no {rule} problem in\n{err}"));
        assert_eq!(p.category, *category, "{text}: {p}");
        let pointed = &text[p.span.start..p.span.end];
        assert_eq!(pointed, *at, "{text}: {p}");
        assert_eq!(p.line, 1);
        assert_eq!(p.column, text[..p.span.start].chars().count() + 1, "{text}");
        assert!(
            p.message.to_lowercase().contains(&says.to_lowercase()),
            "{text}: message does not say {says:?}: {p}"
        );
        let shown = err.to_string();
        assert!(shown.contains(&format!("[{}]", rule.code())), "{shown}");
        assert!(shown.contains(&format!("column {}", p.column)), "{shown}");
    }
}

#[test]
fn positions_on_later_lines() {
    let text = "payment.cash\n  and booking.lead_time_hours < 24\n  and ssr.code == \"MOML\"";
    let err = Criterion::compile(text, 1.0).unwrap_err();
    let field = err
        .problems
        .iter()
        .find(|p| p.rule == Rule::ProtectedField)
        .unwrap();
    assert_eq!((field.line, field.column), (3, 7));
    let code = err
        .problems
        .iter()
        .find(|p| p.rule == Rule::ProtectedCode)
        .unwrap();
    assert_eq!((code.line, code.column), (3, 19));
    assert!(err.to_string().contains("line 3, column 7"), "{err}");
}

/// Criteria of the kind analysts draw from cases: all accepted.
const LEGITIMATE: &[&str] = &[
    "booking.lead_time_hours < 24 and payment.cash",
    "booking.lead_time < 24h and payment.cash and itinerary.one_way",
    r#"payment.third_party and itinerary.one_way and flight.origin in ["XAA", "XAB"]"#,
    r#"booking.agency_iata == "99999992" and payment.types intersects ["CA", "MS"]"#,
    "bags.count == 0 and itinerary.one_way and booking.lead_time_hours <= 12",
    r#"itinerary.route contains "XBB" and itinerary.connections >= 2 and ticket.lead_time_hours < 6"#,
    r#"itinerary.countries intersects ["XB", "XC"] and itinerary.trip_days <= 3"#,
    "co_travellers.count == 0 and check_in.hours_before_departure < 1.5 and seat.assigned_at_check_in",
    r#"flight.departure_weekday in ["FRI", "SAT"] and flight.departure_hour >= 22 and payment.cash"#,
    "document.expires_in_days < 30 and itinerary.one_way",
    r#"traveller.nationality == "XXA" and booking.lead_time_hours < 12 and payment.cash"#,
    r#"traveller.age < 25 and traveller.sex == "M" and booking.agency_iata == "99999992""#,
    r#"payment.card_country != traveller.nationality and payment.card and itinerary.one_way"#,
    "not frequent_flyer.present and booking.changes > 5",
    "present(payment.card_country) and payment.third_party",
    "booking.created > @2026-11-01 and booking.last_changed >= @2026-12-01T06:00 and payment.cash",
    r#"booking.channel == "online" and not contacts.has_email and payment.cash"#,
    "# a comment first\nbooking.party_size >= 4 and booking.split == true",
    r#"traveller.unaccompanied_minor and flight.destination_country == "XC""#,
    r#"flight.codeshare and flight.marketing_carrier == "XQ" and booking.lead_time_hours < 48"#,
    "24 > booking.lead_time_hours and payment.cash",
    r#""XBB" in itinerary.route and payment.cash"#,
    r#"(itinerary.destination == "XCC" or itinerary.destination == "XDD") and bags.weight_kg > 30.5"#,
];

#[test]
fn realistic_criteria_are_accepted() {
    for text in LEGITIMATE {
        if let Err(e) = Criterion::compile(text, 5.0) {
            panic!("refused: {text}\n{e}");
        }
    }
}

/// (criterion, text pointed at, words the message must contain)
const TYPE_ERRORS: &[(&str, &str, &[&str])] = &[
    (
        r#"booking.lead_time_hours < "24""#,
        r#""24""#,
        &["float", "a number", "the string"],
    ),
    (
        "booking.lead_time_hours < 24h",
        "24h",
        &["hours", "booking.lead_time"],
    ),
    (
        "booking.lead_time < 24 and payment.cash",
        "24",
        &["duration", "24h"],
    ),
    (r#"payment.cash == "yes""#, r#""yes""#, &["true or false"]),
    (
        "booking.party_size and payment.cash",
        "booking.party_size",
        &["not a condition", "booking.party_size > 2"],
    ),
    (
        r#"payment.cash and flight.origin < "XAA""#,
        "<",
        &["does not apply", "string"],
    ),
    (
        r#"itinerary.route == "XAA" and payment.cash"#,
        "==",
        &["does not apply", "contains"],
    ),
    (
        r#"flight.origin in "XAA" and payment.cash"#,
        r#""XAA""#,
        &["a list of strings"],
    ),
    (
        r#"booking.created > "2026-12-01" and payment.cash"#,
        r#""2026-12-01""#,
        &["@2026-12-01"],
    ),
    (
        "payment.cash and bags.count in [1, \"2\"]",
        "[1, \"2\"]",
        &["a list of numbers"],
    ),
    (
        "payment.cash and flight.origin == bags.count",
        "==",
        &["cannot compare"],
    ),
    ("payment.cash and 3 > 2", "3 > 2", &["needs a field"]),
    (
        "payment.cash and \"x\"",
        "\"x\"",
        &["a value, not a condition"],
    ),
    (
        "booking.lead_time_hour < 24",
        "booking.lead_time_hour",
        &["did you mean `booking.lead_time_hours`"],
    ),
    (
        "payment.cash and bags.weight > 20",
        "bags.weight",
        &["bags.weight_kg"],
    ),
];

#[test]
fn type_errors_and_unknown_fields_point_at_the_text() {
    for (text, at, says) in TYPE_ERRORS {
        let err = match Criterion::compile(text, 1.0) {
            Ok(_) => panic!("accepted: {text}"),
            Err(e) => e,
        };
        let p = err.problems.first().unwrap();
        assert!(
            matches!(p.rule, Rule::Type | Rule::UnknownField),
            "{text}: {p}"
        );
        assert_eq!(&text[p.span.start..p.span.end], *at, "{text}: {p}");
        for word in *says {
            assert!(p.message.contains(word), "{text}: {word:?} not in {p}");
        }
    }
}

#[test]
fn several_problems_are_reported_at_once() {
    let text = r#"remarks contains "x" and bags.cont > 1 and booking.lead_time_hours < "5""#;
    let err = Criterion::compile(text, 1.0).unwrap_err();
    let rules: Vec<Rule> = err.problems.iter().map(|p| p.rule).collect();
    assert_eq!(
        rules,
        [Rule::ProtectedField, Rule::UnknownField, Rule::Type],
        "{err}"
    );
}

#[test]
fn syntax_errors_and_weights() {
    let err = Criterion::compile("payment.cash && bags.count > 1", 1.0).unwrap_err();
    assert_eq!(err.problems[0].rule, Rule::Syntax);
    assert_eq!(err.problems[0].column, 14);
    for weight in [0.0, -1.0, f64::NAN, f64::INFINITY, 1000.5] {
        let err = Criterion::compile("payment.cash and bags.count > 1", weight).unwrap_err();
        assert!(err.breaks(Rule::Weight), "{weight}");
    }
}
