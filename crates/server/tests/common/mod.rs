//! The server in this process: an in-memory store, one user of all the data roles with a
//! bearer token, listening on a free loopback port, and plain HTTP from a client thread.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    dead_code,
    missing_debug_implementations
)]

use std::sync::Arc;

use accounts::{Accounts, Policy, Role, UserSpec};
use intake::{Config, Intake};
use server::{Credentials, Limits, State};

pub const PASSWORD: &str = "a test password of the in-process server";

pub struct TestServer {
    pub url: String,
    pub token: String,
    pub state: Arc<State>,
    pub runtime: tokio::runtime::Runtime,
}

/// A server with the given limits and carrier credentials, and a user `lead` (analyst,
/// supervisor, carrier liaison, administrator, DPO) with a bearer token.
pub fn start(limits: Limits, credentials: Credentials) -> TestServer {
    start_at(None, limits, credentials)
}

/// As [`start`], with the store at `db` (a file or a PostgreSQL database, so that a test can
/// reach it beside the server) when given.
pub fn start_at(
    db: Option<&store::Location>,
    limits: Limits,
    credentials: Credentials,
) -> TestServer {
    let db = db.cloned();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (url, token, state) = runtime.block_on(async move {
        let store = match db {
            Some(location) => store::Store::open_at(&location).await.unwrap(),
            None => store::Store::open_in_memory().await.unwrap(),
        };
        let intake = Intake::new(store, Config::default());
        let accounts = Accounts::new(intake.store().clone(), Policy::default()).unwrap();
        accounts
            .add_user(
                "test",
                &UserSpec {
                    username: "lead",
                    display_name: "Lead",
                    agency: "PIU",
                    roles: &[
                        Role::Analyst,
                        Role::Supervisor,
                        Role::CarrierLiaison,
                        Role::Administrator,
                        Role::DataProtectionOfficer,
                    ],
                    password: PASSWORD,
                },
            )
            .await
            .unwrap();
        let token = accounts
            .issue_token("test", "lead", "tests", None)
            .await
            .unwrap()
            .token;
        let state = Arc::new(State::new(intake, accounts, credentials, limits));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let app = server::app(state.clone())
            .into_make_service_with_connect_info::<std::net::SocketAddr>();
        tokio::spawn(async move { axum::serve(listener, app).await });
        (url, token, state)
    });
    TestServer {
        url,
        token,
        state,
        runtime,
    }
}

/// An answer: status, headers as (lowercase name, value), body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
    pub fn all(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

fn answer(r: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Answer {
    let mut r = r.unwrap();
    let headers = r
        .headers()
        .iter()
        .map(|(n, v)| (n.as_str().to_string(), v.to_str().unwrap_or("").to_string()))
        .collect();
    Answer {
        status: r.status().as_u16(),
        headers,
        body: r.body_mut().read_to_string().unwrap_or_default(),
    }
}

impl TestServer {
    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.token)
    }

    /// GET with the user's token and a purpose.
    pub fn get(&self, path: &str) -> Answer {
        answer(
            agent()
                .get(&format!("{}{path}", self.url))
                .header("authorization", &self.bearer())
                .header("x-passage-purpose", "test case 1")
                .call(),
        )
    }

    /// GET with the given headers only.
    pub fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> Answer {
        let mut r = agent().get(&format!("{}{path}", self.url));
        for (n, v) in headers {
            r = r.header(*n, *v);
        }
        answer(r.call())
    }

    /// POST a body with the given headers only.
    pub fn post_with(&self, path: &str, headers: &[(&str, &str)], body: &[u8]) -> Answer {
        let mut r = agent().post(&format!("{}{path}", self.url));
        for (n, v) in headers {
            r = r.header(*n, *v);
        }
        answer(r.send(body))
    }

    /// POST JSON with the user's token and a purpose.
    pub fn post_json(&self, path: &str, body: &serde_json::Value) -> Answer {
        let bearer = self.bearer();
        self.post_with(
            path,
            &[
                ("authorization", &bearer),
                ("x-passage-purpose", "test case 1"),
                ("content-type", "application/json"),
            ],
            body.to_string().as_bytes(),
        )
    }
}
