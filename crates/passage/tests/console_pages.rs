//! The console's watchlist, criteria, messages, carriers and users pages against the real
//! `passage serve`: a list imported through the page's upload (a session with the CSRF header
//! htmx sends, and a bearer token), a criterion written, checked live, refused to its own
//! author and approved by a second person through the pages, a simulated day sent in; then
//! each page is read for the values the store holds. Users: one added through the page signs in.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::process::Command;

use common::{PASSWORD, Server, data_dir, get_as, serve};

/// An answer: status, headers (lower-case names), body.
struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A cookie the answer sets: its value.
    fn cookie(&self, name: &str) -> Option<String> {
        self.headers
            .iter()
            .filter(|(k, _)| k == "set-cookie")
            .filter_map(|(_, v)| v.split(';').next()?.split_once('='))
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }
}

/// One request, redirects not followed, errors as answers.
fn send(method: &str, url: &str, headers: &[(&str, &str)], body: Option<&[u8]>) -> Answer {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into();
    let mut r = if method == "GET" {
        let mut req = agent.get(url);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.call().unwrap()
    } else {
        let mut req = agent.post(url);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send(body.unwrap_or_default()).unwrap()
    };
    let headers = r
        .headers()
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_ascii_lowercase(),
                v.to_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    let status = r.status().as_u16();
    let body = r.body_mut().read_to_string().unwrap();
    Answer {
        status,
        headers,
        body,
    }
}

/// A page as a test user, by bearer token, with a purpose.
fn page(server: &Server, user: &str, path: &str) -> Answer {
    let auth = server.bearer(user);
    send(
        "GET",
        &format!("{}{path}", server.url),
        &[
            ("Authorization", auth.as_str()),
            ("X-Passage-Purpose", "CASE-7"),
        ],
        None,
    )
}

/// A form posted as a test user, by bearer token (no session, so no CSRF token needed).
fn form(server: &Server, user: &str, path: &str, body: &str) -> Answer {
    let auth = server.bearer(user);
    send(
        "POST",
        &format!("{}{path}", server.url),
        &[
            ("Authorization", auth.as_str()),
            ("Content-Type", "application/x-www-form-urlencoded"),
        ],
        Some(body.as_bytes()),
    )
}

/// A signed-in browser: the session cookie and the page's CSRF token.
struct Session {
    cookie: String,
    csrf: String,
}

/// Signs in through the sign-in page as a browser does.
fn sign_in(url: &str, username: &str, password: &str) -> Result<Session, Answer> {
    let login = send("GET", &format!("{url}/login"), &[], None);
    assert_eq!(login.status, 200);
    let login_cookie = login.cookie("passage_login").unwrap();
    let token = between(&login.body, "name=\"token\" value=\"", "\"").unwrap();
    let body = format!(
        "username={username}&password={}&token={token}&next=%2F",
        password.replace(' ', "+")
    );
    let answer = send(
        "POST",
        &format!("{url}/login"),
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Cookie", &format!("passage_login={login_cookie}")),
        ],
        Some(body.as_bytes()),
    );
    let Some(cookie) = answer
        .cookie("passage_session")
        .filter(|c| !c.is_empty() && answer.status == 303)
    else {
        return Err(answer);
    };
    let today = send(
        "GET",
        &format!("{url}/"),
        &[("Cookie", &format!("passage_session={cookie}"))],
        None,
    );
    assert_eq!(today.status, 200, "{}", today.body);
    let csrf = between(&today.body, "name=\"csrf-token\" content=\"", "\"").unwrap();
    Ok(Session { cookie, csrf })
}

fn between(s: &str, start: &str, end: &str) -> Option<String> {
    let rest = &s[s.find(start)? + start.len()..];
    Some(rest[..rest.find(end)?].to_string())
}

/// The number inside the element with this id: `id="x">12<`.
fn number_at(body: &str, id: &str) -> i64 {
    between(body, &format!("id=\"{id}\">"), "<")
        .unwrap_or_else(|| panic!("no #{id} in the page"))
        .trim()
        .parse()
        .unwrap()
}

/// A `multipart/form-data` body with a file field and a format field.
fn multipart(file: &[u8]) -> (String, Vec<u8>) {
    let boundary = "----passage-test-boundary-7d1f";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"format\"\r\n\r\n\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"watchlist.csv\"\r\n\
             Content-Type: text/csv\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Rows of the table with this id.
fn rows(body: &str, id: &str) -> usize {
    let table = between(body, &format!("<table id=\"{id}\">"), "</table>")
        .unwrap_or_else(|| panic!("no table #{id}"));
    let tbody = between(&table, "<tbody>", "</tbody>").unwrap();
    tbody.matches("<tr").count()
}

/// Text as the templates escape it.
fn escaped(s: &str) -> String {
    s.replace('&', "&#38;")
        .replace('<', "&#60;")
        .replace('>', "&#62;")
        .replace('"', "&#34;")
        .replace('\'', "&#39;")
}

const COURIER: &str = "booking.lead_time_hours < 168 and payment.cash";

#[test]
fn lists_criteria_messages_and_carriers_pages_show_what_the_store_holds() {
    let data = data_dir("console-pages");
    let files = data_dir("console-pages-files");
    let server = serve(&data, &["--open-intake"]);
    let url = &server.url;
    let out = Command::new(env!("CARGO_BIN_EXE_passage"))
        .args(["simulate", "--seed", "5", "--out", files.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    let csv = std::fs::read(files.join("watchlist.csv")).unwrap();
    let entries = String::from_utf8_lossy(&csv).lines().count() - 1;

    // --- Watchlists: the upload as the page sends it (htmx adds the session's CSRF header).
    let admin = sign_in(url, "admin-1", PASSWORD).unwrap_or_else(|a| panic!("{}", a.body));
    let (kind, body) = multipart(&csv);
    let cookie = format!("passage_session={}", admin.cookie);
    let refused = send(
        "POST",
        &format!("{url}/lists/national/import"),
        &[("Cookie", &cookie), ("Content-Type", &kind)],
        Some(&body),
    );
    assert_eq!(refused.status, 403, "a session's upload without the token");
    let imported = send(
        "POST",
        &format!("{url}/lists/national/import"),
        &[
            ("Cookie", &cookie),
            ("Content-Type", &kind),
            ("X-CSRF-Token", &admin.csrf),
            ("HX-Request", "true"),
        ],
        Some(&body),
    );
    assert_eq!(imported.status, 200, "{}", imported.body);
    assert!(
        imported.body.contains("id=\"import-done\""),
        "{}",
        imported.body
    );
    assert!(
        imported.body.contains(&format!(
            "{entries} Entries, {entries} Added, 0 Changed, 0 Removed"
        )),
        "{}",
        imported.body
    );
    // The same file again, by a bearer token: no new version.
    let auth = server.bearer("admin-1");
    let again = send(
        "POST",
        &format!("{url}/lists/national/import"),
        &[("Authorization", &auth), ("Content-Type", &kind)],
        Some(&body),
    );
    assert!(again.body.contains("id=\"import-same\""), "{}", again.body);
    let analyst = server.bearer("analyst-1");
    let denied = send(
        "POST",
        &format!("{url}/lists/national/import"),
        &[("Authorization", &analyst), ("Content-Type", &kind)],
        Some(&body),
    );
    assert_eq!(denied.status, 403, "analysts do not import lists");

    let lists = page(&server, "dpo-1", "/lists");
    assert_eq!(lists.status, 200);
    assert!(lists.body.contains("id=\"list-national\""));
    assert!(
        lists
            .body
            .contains(&format!("<td class=\"num\">{entries}</td>"))
    );
    assert!(lists.body.contains("admin-1"), "who imported it");
    assert_eq!(page(&server, "liaison-1", "/lists").status, 403);
    let list = page(&server, "dpo-1", "/lists/national");
    assert_eq!(list.status, 200);
    assert_eq!(number_at(&list.body, "entry-count"), entries as i64);
    assert_eq!(rows(&list.body, "entries"), 100.min(entries));
    assert!(list.body.contains("rel=\"next\""), "a second page");
    let first: Vec<String> = String::from_utf8_lossy(&csv)
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .map(String::from)
        .collect();
    let found = page(
        &server,
        "dpo-1",
        &format!("/lists/national?q={}", first[2].to_lowercase()),
    );
    assert!(found.body.contains(&first[0]), "{} found by name", first[0]);
    assert!(number_at(&found.body, "entry-count") < entries as i64);
    let diff = page(&server, "dpo-1", "/lists/national/diff?from=0&to=1");
    assert_eq!(diff.status, 200);
    assert_eq!(number_at(&diff.body, "added-count"), entries as i64);
    assert_eq!(number_at(&diff.body, "removed-count"), 0);

    // --- Criteria: live check, a draft by a lead analyst, four eyes, activation.
    let check = form(
        &server,
        "analyst-1",
        "/criteria/check",
        "text=payment.cash+and%0A+ssr.code+%3D%3D+%22MOML%22&weight=10",
    );
    assert_eq!(check.status, 200);
    assert!(
        check
            .body
            .contains("data-line=\"2\" data-column=\"2\" data-rule=\"protected-field\""),
        "{}",
        check.body
    );
    let fine = form(&server, "analyst-1", "/criteria/check", "text=payment.cash");
    assert!(fine.body.contains("id=\"check-ok\""), "{}", fine.body);
    let refused = form(
        &server,
        "lead-1",
        "/criteria",
        "criterion=courier&text=ssr.code+%3D%3D+%22MOML%22&weight=30&justification=x&review_by=2099-01-01",
    );
    assert_eq!(refused.status, 422);
    assert!(refused.body.contains("data-rule=\"protected-field\""));
    let drafted = form(
        &server,
        "lead-1",
        "/criteria",
        &format!(
            "criterion=courier&text={}&weight=30&justification=cases+2026%2F17&review_by=2099-01-01",
            COURIER.replace(' ', "+").replace('<', "%3C")
        ),
    );
    assert_eq!(drafted.status, 303, "{}", drafted.body);
    let at = drafted.header("location").unwrap().to_string();
    let id: i64 = between(&at, "/criteria/", "?").unwrap().parse().unwrap();
    let draft = page(&server, "dpo-1", &at);
    assert!(draft.body.contains("id=\"version-state\">draft<"));
    let text = between(&draft.body, "id=\"criterion-text\">", "</pre>").unwrap();
    assert!(text.contains(&escaped(COURIER)), "{text}");
    assert!(!draft.body.contains("action-submit"), "the DPO reads only");
    assert_eq!(page(&server, "dpo-1", "/criteria/new").status, 403);
    let submitted = form(
        &server,
        "lead-1",
        &format!("/criteria/{id}/submit"),
        "note=",
    );
    assert_eq!(submitted.status, 303);
    let own = form(
        &server,
        "lead-1",
        &format!("/criteria/{id}/approve"),
        "note=",
    );
    assert_eq!(own.status, 422);
    assert!(own.body.contains("id=\"criterion-error\""));
    assert!(own.body.contains("four eyes"), "{}", own.body);
    for action in ["approve", "activate"] {
        let done = form(
            &server,
            "supervisor-1",
            &format!("/criteria/{id}/{action}"),
            "note=fine",
        );
        assert_eq!(done.status, 303, "{action}: {}", done.body);
    }

    // --- A simulated day of traffic.
    let out = Command::new(env!("CARGO_BIN_EXE_passage"))
        .args(["simulate", "--seed", "5", "--to", url, "--rate", "5000"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let (_, stats) = get_as("analyst-1", &format!("{url}/api/v1/criteria/{id}/stats"));
    let hits = stats["stats"]["hits"].as_i64().unwrap();
    assert!(hits > 0);
    let version = page(&server, "dpo-1", &format!("/criteria/{id}"));
    assert!(version.body.contains("id=\"version-state\">active<"));
    assert_eq!(number_at(&version.body, "stat-hits"), hits);
    assert!(version.body.contains("supervisor-1"), "the approver");
    let criteria = page(&server, "analyst-1", "/criteria");
    assert!(criteria.body.contains("id=\"criterion-courier\""));
    assert!(criteria.body.contains("state-active"));
    let backtest = form(
        &server,
        "analyst-1",
        "/criteria/backtest",
        &format!(
            "text={}&from=2026-11-01&to=2026-12-31",
            COURIER.replace(' ', "+").replace('<', "%3C")
        ),
    );
    assert_eq!(backtest.status, 200);
    assert!(
        number_at(&backtest.body, "bt-travellers-hit") > 0,
        "{}",
        backtest.body
    );
    assert!(number_at(&backtest.body, "bt-flights-hit") > 0);
    assert!(rows(&backtest.body, "bt-sample") > 0);
    assert!(
        backtest.body.contains("payment.cash = true"),
        "{}",
        backtest.body
    );

    // --- Messages: the vault, filters, one message's findings, raw bytes for analysts only.
    let messages = page(&server, "liaison-1", "/messages");
    assert_eq!(messages.status, 200);
    assert_eq!(rows(&messages.body, "messages"), 100);
    assert!(messages.body.contains("rel=\"next\""));
    let pnr = page(
        &server,
        "liaison-1",
        "/messages?type=PNRGOV&state=processed",
    );
    let table = between(&pnr.body, "<tbody>", "</tbody>").unwrap();
    assert!(table.contains("PNRGOV") && !table.contains("PAXLST"));
    let (_, vault) = get_as("liaison-1", &format!("{url}/api/v1/messages?limit=1000"));
    let with_findings = vault["messages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| !m["findings"].as_array().unwrap().is_empty())
        .expect("a simulated day has messages with findings")
        .clone();
    let mid = with_findings["id"].as_i64().unwrap();
    let finding = &with_findings["findings"][0];
    let shown = page(&server, "liaison-1", &format!("/messages/{mid}"));
    assert_eq!(shown.status, 200);
    assert!(shown.body.contains(finding["code"].as_str().unwrap()));
    assert!(
        shown
            .body
            .contains(&escaped(finding["text"].as_str().unwrap())),
        "{}",
        shown.body
    );
    assert!(
        !shown.body.contains("id=\"raw-link\""),
        "no raw bytes for liaison"
    );
    assert_eq!(
        page(&server, "liaison-1", &format!("/messages/{mid}/raw")).status,
        403
    );
    let analyst_view = page(&server, "analyst-1", &format!("/messages/{mid}"));
    assert!(analyst_view.body.contains("id=\"raw-link\""));
    let raw = page(&server, "analyst-1", &format!("/messages/{mid}/raw"));
    assert_eq!(raw.status, 200);
    assert!(raw.body.contains("UNH+"), "segments as received");
    let audit = page(&server, "dpo-1", "/audit?action=message.raw_viewed");
    assert!(audit.body.contains(&format!("message:{mid}")));
    assert!(audit.body.contains("CASE-7"), "with the purpose");

    // --- Carriers: counters of the period and the scorecard's charts.
    let today = jiff::tz::TimeZone::UTC
        .to_datetime(jiff::Timestamp::now())
        .date();
    let from = today.checked_sub(jiff::Span::new().days(13)).unwrap();
    let carriers = page(&server, "liaison-1", "/carriers");
    assert_eq!(carriers.status, 200);
    let code = between(&carriers.body, "<td><a href=\"/carriers/", "?").unwrap();
    let (_, card) = get_as(
        "liaison-1",
        &format!("{url}/api/v1/carriers/{code}/scorecard?from={from}&to={today}"),
    );
    let received = card["totals"]["received"].as_i64().unwrap();
    assert!(received > 0);
    let scorecard = page(&server, "liaison-1", &format!("/carriers/{code}"));
    assert_eq!(scorecard.status, 200);
    assert!(
        scorecard.body.contains(&format!(
            "<div class=\"n\">{received}</div><div class=\"label\">Received</div>"
        )),
        "{}",
        scorecard.body
    );
    let chart = between(&scorecard.body, "id=\"carrier-chart_volume\">", "</figure>").unwrap();
    assert!(chart.contains("<svg"));
    assert!(chart.matches("<rect class=\"bar").count() >= 2, "{chart}");
    assert!(chart.contains(&format!("{today} · Received: ")), "{chart}");
    assert_eq!(scorecard.body.matches("<svg").count(), 6);
    // Over the days of departure: the flights, and how many had their PNR, API list, close-out.
    let departures = page(
        &server,
        "liaison-1",
        &format!("/carriers/{code}?from=2026-11-28&to=2026-12-02"),
    );
    let expected = between(
        &departures.body,
        "id=\"carrier-chart_expected\">",
        "</figure>",
    )
    .unwrap();
    for series in ["Flights", "With PNR", "With API list", "Closed out"] {
        assert!(
            expected.contains(&format!("2026-12-01 · {series}: ")),
            "{series}: {expected}"
        );
    }
    assert_eq!(
        page(&server, "dpo-1", &format!("/carriers/{code}")).status,
        403
    );
}

#[test]
fn an_administrator_adds_a_user_who_then_signs_in_and_manages_them() {
    let data = data_dir("console-users");
    let server = serve(&data, &[]);
    let url = &server.url;
    let users = page(&server, "admin-1", "/users");
    assert_eq!(users.status, 200);
    for (name, _, _) in common::USERS {
        assert!(
            users.body.contains(&format!("id=\"user-{name}\"")),
            "{name}"
        );
    }
    assert_eq!(page(&server, "analyst-1", "/users").status, 403);

    let password = "a long enough password 42";
    let short = form(
        &server,
        "admin-1",
        "/users",
        "username=ana.b&display_name=Ana+B&agency=PIU&role=analyst&password=short",
    );
    assert_eq!(short.status, 200);
    assert!(short.body.contains("id=\"users-error\""));
    assert!(short.body.contains("value=\"ana.b\""), "the form is kept");
    let added = form(
        &server,
        "admin-1",
        "/users",
        &format!(
            "username=ana.b&display_name=Ana+B&agency=piu&role=analyst&role=supervisor&password={}",
            password.replace(' ', "+")
        ),
    );
    assert_eq!(added.status, 303, "{}", added.body);
    assert_eq!(added.header("location"), Some("/users?done=added"));
    let users = page(&server, "admin-1", "/users?done=added");
    assert!(users.body.contains("id=\"users-done\""));
    let row = between(&users.body, "<tr id=\"user-ana.b\">", "</tr>").unwrap();
    assert!(row.contains("Ana B") && row.contains("PIU"));
    assert!(
        row.contains("<span class=\"badge\">Analyst</span>"),
        "{row}"
    );
    assert!(
        row.contains("<span class=\"badge\">Supervisor</span>"),
        "{row}"
    );

    // The new user signs in and works.
    let ana = sign_in(url, "ana.b", password).unwrap_or_else(|a| panic!("{}", a.body));
    let hits = send(
        "GET",
        &format!("{url}/criteria"),
        &[("Cookie", &format!("passage_session={}", ana.cookie))],
        None,
    );
    assert_eq!(hits.status, 200);
    assert!(hits.body.contains("Ana B"));

    // An administrator's session changes them, with the form's CSRF token.
    let admin = sign_in(url, "admin-1", PASSWORD).unwrap_or_else(|a| panic!("{}", a.body));
    let cookie = format!("passage_session={}", admin.cookie);
    let post = |path: &str, body: String| {
        send(
            "POST",
            &format!("{url}{path}"),
            &[
                ("Cookie", &cookie),
                ("Content-Type", "application/x-www-form-urlencoded"),
            ],
            Some(body.as_bytes()),
        )
    };
    assert_eq!(post("/users/ana.b/disable", String::new()).status, 403);
    let own = post("/users/admin-1/disable", format!("csrf={}", admin.csrf));
    assert!(own.body.contains("You cannot disable yourself"));
    let roles = post(
        "/users/ana.b/roles",
        format!("csrf={}&role=analyst", admin.csrf),
    );
    assert_eq!(roles.status, 303);
    let users = page(&server, "admin-1", "/users");
    let row = between(&users.body, "<tr id=\"user-ana.b\">", "</tr>").unwrap();
    assert!(
        row.contains("<span class=\"badge\">Analyst</span>"),
        "{row}"
    );
    assert!(
        !row.contains("<span class=\"badge\">Supervisor</span>"),
        "{row}"
    );
    let disabled = post("/users/ana.b/disable", format!("csrf={}", admin.csrf));
    assert_eq!(disabled.status, 303);
    let refused = sign_in(url, "ana.b", password).err().expect("disabled");
    assert_eq!(refused.status, 401);
    assert_eq!(
        post("/users/ana.b/enable", format!("csrf={}", admin.csrf)).status,
        303
    );
    let new_password = "another long password 77";
    let set = post(
        "/users/ana.b/password",
        format!(
            "csrf={}&password={}",
            admin.csrf,
            new_password.replace(' ', "+")
        ),
    );
    assert_eq!(set.status, 303);
    assert!(sign_in(url, "ana.b", new_password).is_ok());
    let (_, audit) = get_as("dpo-1", &format!("{url}/api/v1/audit/verify"));
    assert_eq!(audit["result"], "intact");
    let trail = page(&server, "dpo-1", "/audit?subject=user:ana.b");
    for action in [
        "user.added",
        "user.roles_set",
        "user.disabled",
        "user.enabled",
        "user.password_set",
    ] {
        assert!(trail.body.contains(action), "{action}");
    }
}
