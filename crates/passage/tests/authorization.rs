//! Every route of the server's route table — the only source the router is built from, so a
//! new route cannot escape this test — is refused without a session or token, and refused
//! with a role it does not admit; the roles it admits get past the check.
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
}

fn call(base: &str, route: &RouteInfo, auth: Option<&str>) -> Answer {
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
        req.call().unwrap()
    } else {
        let mut req = agent.post(&url).header("Content-Type", "application/json");
        if let Some(a) = auth {
            req = req.header("Authorization", a);
        }
        req.send("{}").unwrap()
    };
    Answer {
        status: response.status().as_u16(),
        location: response
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string(),
        body: response.body_mut().read_to_string().unwrap_or_default(),
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
    for route in &table {
        let anonymous = call(&server.url, route, None);
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
        for (user, roles) in USERS {
            let roles = accounts::parse_roles(roles);
            let answer = call(&server.url, route, Some(&server.bearer(user)));
            let allowed = roles.iter().any(|r| admitted.contains(r));
            if allowed {
                assert!(
                    answer.status != 401 && !refused_for_role(&answer),
                    "{user} may use {route:?}: {} {}",
                    answer.status,
                    answer.body
                );
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
    eprintln!("{} routes, {checked} role checks", table.len());
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
