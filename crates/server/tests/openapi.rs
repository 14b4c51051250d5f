//! The OpenAPI document and the route table name the same API routes: every API route of the
//! table is in the document with its method, nothing is in the document that is not in the
//! table; who may call each one is declared as the table says.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use std::collections::BTreeSet;

use server::{Access, Credentials, Face, Limits};

#[test]
fn the_document_and_the_route_table_name_the_same_routes() {
    let table: BTreeSet<(String, String)> = server::route_table()
        .into_iter()
        .filter(|r| r.face == Face::Api)
        .map(|r| (r.method.to_string(), r.path.to_string()))
        .collect();
    let document: BTreeSet<(String, String)> = server::openapi_operations()
        .into_iter()
        .map(|(m, p)| (m.to_string(), p))
        .collect();
    let missing: Vec<_> = table.difference(&document).collect();
    let extra: Vec<_> = document.difference(&table).collect();
    assert!(
        missing.is_empty(),
        "in the table, not in the document: {missing:?}"
    );
    assert!(
        extra.is_empty(),
        "in the document, not in the table: {extra:?}"
    );
    assert!(table.len() >= 30, "{}", table.len());
    // No console page is in the document.
    assert!(!document.iter().any(|(_, p)| p == "/login" || p == "/hits"));
}

#[test]
fn the_served_document_declares_security_and_errors_per_route() {
    let s = common::start(Limits::default(), Credentials::open());
    let a = s.get_with("/api/openapi.json", &[]);
    assert_eq!(a.status, 200);
    let doc = a.json();
    assert_eq!(doc["openapi"], "3.1.0");
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["bearer"]["scheme"], "bearer");
    assert_eq!(schemes["purpose"]["in"], "header");
    assert_eq!(schemes["purpose"]["name"], "X-Passage-Purpose");
    for r in server::route_table()
        .into_iter()
        .filter(|r| r.face == Face::Api)
    {
        let method = r.method.as_str().to_ascii_lowercase();
        let op = &doc["paths"][r.path][&method];
        let security = op["security"].as_array().unwrap_or_else(|| panic!("{r:?}"));
        let names: BTreeSet<&str> = security
            .iter()
            .flat_map(|req| req.as_object().unwrap().keys().map(String::as_str))
            .collect();
        let responses = op["responses"].as_object().unwrap();
        match r.access {
            Access::Public => assert!(names.is_empty(), "{r:?}: {names:?}"),
            Access::Carrier => assert_eq!(names, BTreeSet::from(["carrier"]), "{r:?}"),
            Access::Roles(_) | Access::SignedIn => {
                let mut expected = BTreeSet::from(["bearer"]);
                if r.purpose {
                    expected.insert("purpose");
                }
                assert_eq!(names, expected, "{r:?}");
                for status in ["401", "403", "503"] {
                    assert!(responses.contains_key(status), "{r:?}: {status}");
                }
                assert_eq!(
                    responses["401"]["content"]["application/json"]["schema"]["$ref"],
                    "#/components/schemas/ErrorBody"
                );
            }
        }
        if r.purpose {
            assert!(responses.contains_key("400"), "{r:?}");
        }
        if r.path.contains('{') {
            assert!(responses.contains_key("404"), "{r:?}");
        }
        assert!(
            responses.keys().any(|k| k.starts_with('2')),
            "{r:?}: no success answer"
        );
    }
    // Every reference resolves.
    let mut refs = Vec::new();
    collect_refs(&doc, &mut refs);
    assert!(refs.len() > 50, "{}", refs.len());
    for r in refs {
        let name = r.strip_prefix("#/components/schemas/").unwrap_or(&r);
        assert!(
            doc["components"]["schemas"][name].is_object(),
            "{r} does not resolve"
        );
    }
    // Request bodies are typed.
    let review = &doc["components"]["schemas"]["HitReview"];
    assert_eq!(
        review["properties"]["disposition"]["$ref"],
        "#/components/schemas/Disposition"
    );
    let dispositions = doc["components"]["schemas"]["Disposition"]["enum"].clone();
    assert_eq!(
        dispositions,
        serde_json::json!(["confirmed", "false_alarm", "needs_information"])
    );
    assert_eq!(
        doc["paths"]["/api/v1/messages"]["post"]["responses"]["429"]["headers"]["Retry-After"]["schema"]
            ["type"],
        "integer"
    );
}

fn collect_refs(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                match (k.as_str(), v) {
                    ("$ref", serde_json::Value::String(r)) => out.push(r.clone()),
                    _ => collect_refs(v, out),
                }
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| collect_refs(v, out)),
        _ => {}
    }
}
