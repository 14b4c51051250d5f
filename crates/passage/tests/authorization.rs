//! Every route of the server's route table — the only source the router is built from, so a
//! new route cannot escape this test — is refused without a session or token, and refused
//! with a role it does not admit; the roles it admits get past the check, and an API route
//! that opens personal data only with a stated purpose. Every answer, refusals included,
//! carries the browser protections and, but for static assets, `Cache-Control: no-store`.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use accounts::Role;
use common::{USERS, data_dir, serve};
use server::{Access, Face, RouteInfo};

/// A concrete path for a route pattern: parameters get values that name nothing stored.
fn concrete(path: &str) -> String {
    path.split('/')
        .map(|part| match part {
            "{flight}" => "XQ1",
            "{route}" => "AMS-JFK",
            "{date}" => "2026-12-01",
            "{list}" => "no-such-list",
            "{carrier}" | "{code}" => "ZZ",
            "{action}" => "approve",
            "{file}" => "console.css",
            p if p.starts_with('{') => "999999",
            p => p,
        })
        .collect::<Vec<_>>()
        .join("/")
}

struct Answer {
    status: u16,
    location: String,
    body: String,
    headers: Vec<(String, String)>,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// The protections every answer carries.
fn assert_protected(route: &RouteInfo, a: &Answer) {
    let csp = a.header("content-security-policy").unwrap_or_default();
    assert!(
        csp.contains("default-src 'self'")
            && csp.contains("script-src 'self';")
            && csp.contains("frame-ancestors 'none'")
            && !csp.contains("unsafe-inline"),
        "{route:?}: {csp}"
    );
    assert_eq!(
        a.header("x-content-type-options"),
        Some("nosniff"),
        "{route:?}"
    );
    assert_eq!(
        a.header("referrer-policy"),
        Some("no-referrer"),
        "{route:?}"
    );
    assert_eq!(a.header("x-frame-options"), Some("DENY"), "{route:?}");
    let cache = a.header("cache-control");
    if route.path.starts_with("/assets/") {
        assert_eq!(cache, Some("public, max-age=86400"), "{route:?}");
    } else {
        assert_eq!(cache, Some("no-store"), "{route:?} {}", a.status);
    }
}

fn call(base: &str, route: &RouteInfo, auth: Option<&str>) -> Answer {
    call_with(base, route, auth, true)
}

fn call_with(base: &str, route: &RouteInfo, auth: Option<&str>, purpose: bool) -> Answer {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let url = format!("{base}{}", concrete(route.path));
    let mut response = if route.method == "GET" {
        let mut req = agent.get(&url);
        if let Some(a) = auth {
            req = req.header("Authorization", a);
        }
        if purpose {
            req = req.header("X-Passage-Purpose", "AUTH-WALK");
        }
        req.call().unwrap()
    } else {
        let mut req = agent.post(&url).header("Content-Type", "application/json");
        if let Some(a) = auth {
            req = req.header("Authorization", a);
        }
        if purpose {
            req = req.header("X-Passage-Purpose", "AUTH-WALK");
        }
        req.send("{}").unwrap()
    };
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    Answer {
        status: response.status().as_u16(),
        location: response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string(),
        body: response.body_mut().read_to_string().unwrap_or_default(),
        headers,
    }
}

/// The guard's own refusal, as opposed to a handler's 403 (four eyes, author only).
fn refused_for_role(a: &Answer) -> bool {
    a.status == 403 && a.body.contains("this needs one of the roles")
}

#[test]
fn every_route_checks_sign_in_and_role() {
    let data = data_dir("authorization");
    let server = serve(&data, &[]);
    let table = server::route_table();
    assert!(table.len() > 40, "the table holds the whole router");
    let mut checked = 0;
    let mut purposes = 0;
    for route in &table {
        let anonymous = call(&server.url, route, None);
        assert_protected(route, &anonymous);
        match (route.access, route.face) {
            (Access::Public, _) => assert!(
                anonymous.status != 401 && !anonymous.location.starts_with("/login"),
                "{route:?} is public"
            ),
            (Access::Carrier, _) => assert_eq!(anonymous.status, 401, "{route:?}"),
            (_, Face::Api) => assert_eq!(anonymous.status, 401, "{route:?}"),
            (_, Face::Page) => {
                assert_eq!(anonymous.status, 303, "{route:?}");
                assert!(anonymous.location.starts_with("/login?next="), "{route:?}");
            }
        }
        let Access::Roles(admitted) = route.access else {
            continue;
        };
        for (user, roles, _) in USERS {
            let roles = accounts::parse_roles(roles);
            let answer = call(&server.url, route, Some(&server.bearer(user)));
            assert_protected(route, &answer);
            let allowed = roles.iter().any(|r| admitted.contains(r));
            if allowed {
                assert!(
                    answer.status != 401 && !refused_for_role(&answer),
                    "{user} may use {route:?}: {} {}",
                    answer.status,
                    answer.body
                );
                assert!(
                    !answer.body.contains("purpose_required"),
                    "{route:?}: {}",
                    answer.body
                );
                // Without a purpose, personal data is refused before the handler runs.
                let bare = call_with(&server.url, route, Some(&server.bearer(user)), false);
                assert_protected(route, &bare);
                if route.purpose {
                    assert_eq!(bare.status, 400, "{route:?}");
                    let body: serde_json::Value = serde_json::from_str(&bare.body).unwrap();
                    assert_eq!(body["error"]["code"], "purpose_required", "{route:?}");
                    purposes += 1;
                } else {
                    assert!(!bare.body.contains("purpose_required"), "{route:?}");
                }
            } else {
                assert!(
                    refused_for_role(&answer),
                    "{user} may not use {route:?}: {} {}",
                    answer.status,
                    answer.body
                );
            }
            checked += 1;
        }
    }
    // A path no route has answers with the same protections.
    let none = RouteInfo {
        method: axum_method_get(),
        path: "/no/such/page",
        access: Access::Public,
        face: Face::Page,
        purpose: false,
    };
    let missing = call(&server.url, &none, None);
    assert_eq!(missing.status, 404);
    assert_protected(&none, &missing);
    assert!(
        purposes >= 20,
        "personal API routes × admitted users: {purposes}"
    );
    eprintln!(
        "{} routes, {checked} role checks, {purposes} purpose refusals",
        table.len()
    );
}

fn axum_method_get() -> server::Method {
    server::Method::GET
}

#[test]
fn the_api_routes_that_open_personal_data_need_a_purpose() {
    let table = server::route_table();
    let needs: Vec<&str> = table.iter().filter(|r| r.purpose).map(|r| r.path).collect();
    for path in [
        "/api/v1/messages/{id}/raw",
        "/api/v1/flights/{flight}/{route}/{date}/manifest",
        "/api/v1/flights/{flight}/{route}/{date}/bookings",
        "/api/v1/travellers/{manifest_id}/trips",
        "/api/v1/hits",
        "/api/v1/hits/{id}",
        "/api/v1/hits/{id}/review",
        "/api/v1/criteria/backtest",
        "/api/v1/targeting/hits",
        "/api/v1/targeting/hits/{id}",
        "/api/v1/targeting/hits/{id}/review",
    ] {
        assert!(needs.contains(&path), "{path}");
    }
    assert!(!needs.contains(&"/api/v1/flights"), "counts only");
    assert!(
        table
            .iter()
            .filter(|r| r.purpose)
            .all(|r| r.face == Face::Api)
    );
}

#[test]
fn personal_data_is_for_analysts_and_supervisors_only() {
    // The policy in one place, checked against the table: who may read travellers.
    let table = server::route_table();
    let personal = [
        "/api/v1/flights/{flight}/{route}/{date}/manifest",
        "/api/v1/messages/{id}/raw",
        "/travellers/{id}",
        "/hits/{id}",
    ];
    for path in personal {
        let route = table.iter().find(|r| r.path == path).unwrap();
        let Access::Roles(admitted) = route.access else {
            panic!("{path} must need a role");
        };
        let mut admitted = admitted.to_vec();
        admitted.sort();
        assert_eq!(admitted, vec![Role::Analyst, Role::Supervisor], "{path}");
    }
    let audit = table.iter().find(|r| r.path == "/audit").unwrap();
    assert_eq!(audit.access, Access::Roles(&[Role::DataProtectionOfficer]));
}
