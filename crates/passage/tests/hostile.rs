//! The real server under hostile input: it keeps answering while poison messages are read, and
//! a restart answers at once whatever the vault holds (recovery runs behind it).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::time::{Duration, Instant};

use common::{data_dir, passage, post, serve};

const HEADER: &str = "UNB+UNOA:4+XQ+PIU+261127:0900+1'UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'TDT+20+XQ101+++XQ'LOC+125+AMS'DTM+189:2612011005:201'LOC+87+JFK'DTM+232:2612011240:201'";

fn list_with_name(surname: &str) -> Vec<u8> {
    format!(
        "{HEADER}NAD+FL+++{surname}:ANNA'ATT+2++F'DTM+329:900102'NAT+2+XXA'RFF+ABO:P1'DOC+P+X1'DTM+36:301231'LOC+91+XXA'CNT+42:1'UNT+18+1'UNZ+1+1'"
    )
    .into_bytes()
}

/// A list of persons filling most of the 16 MiB limit: seconds of reading in a debug build.
fn big_list() -> Vec<u8> {
    let mut body = HEADER.as_bytes().to_vec();
    let mut i = 0;
    while body.len() < 15 << 20 {
        body.extend_from_slice(format!("NAD+FL+++SYNTH{i}:ANNA'ATT+2++F'DOC+P+X{i}'").as_bytes());
        i += 1;
    }
    body.extend_from_slice(b"UNT+8+1'UNZ+1+1'");
    body
}

fn import_list(data: &std::path::Path) {
    let mut csv = String::from("id,kind,family_name,given_names,birth_date\n");
    for i in 0..200 {
        csv.push_str(&format!("NW-{i},person,LISTED{i},PERSON,1970-01-01\n"));
    }
    std::fs::create_dir_all(data).unwrap();
    let file = data.join("national.csv");
    std::fs::write(&file, csv).unwrap();
    passage(
        data,
        &[
            "lists",
            "import",
            "--list",
            "national",
            "--format",
            "csv",
            file.to_str().unwrap(),
        ],
        "",
    );
}

fn health_latency(url: &str) -> Duration {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .timeout_global(Some(Duration::from_secs(30)))
        .build()
        .into();
    let started = Instant::now();
    let r = agent.get(format!("{url}/health")).call().unwrap();
    assert_eq!(r.status().as_u16(), 200);
    started.elapsed()
}

/// The states of the messages in the vault.
fn states(url: &str) -> Vec<String> {
    let (status, messages) =
        common::get_as("liaison-1", &format!("{url}/api/v1/messages?limit=10"));
    assert_eq!(status, 200, "{messages}");
    messages["messages"]
        .as_array()
        .unwrap_or_else(|| panic!("{messages}"))
        .iter()
        .map(|m| m["state"].as_str().unwrap().to_string())
        .collect()
}

fn send(url: &str, body: &[u8]) -> u16 {
    post(
        &format!("{url}/api/v1/messages"),
        &[("X-Passage-Carrier", "XQ")],
        body,
    )
    .0
}

/// Poison messages (a 16,384-letter name, a megabyte of empty segments, a 15 MiB list) sent
/// together: the server keeps answering `/health` within 100 ms, and each is answered.
#[test]
fn the_server_answers_while_poison_messages_are_read() {
    let data = data_dir("hostile-health");
    import_list(&data);
    let server = serve(&data, &["--open-intake"]);
    let url = server.url.clone();
    let mut empty = HEADER.as_bytes().to_vec();
    empty.extend(std::iter::repeat_n(b'\'', 1 << 20));
    let poison = vec![
        list_with_name(&"ABCDEFGHIJKLMNOPQRSTUVWXYZ".repeat(630)),
        empty,
        big_list(),
        list_with_name(&"W ".repeat(4_000)),
    ];
    let senders: Vec<_> = poison
        .into_iter()
        .map(|body| {
            let url = url.clone();
            std::thread::spawn(move || send(&url, &body))
        })
        .collect();
    let mut latencies = Vec::new();
    while senders.iter().any(|s| !s.is_finished()) {
        latencies.push(health_latency(&url));
        std::thread::sleep(Duration::from_millis(20));
    }
    let answers: Vec<u16> = senders.into_iter().map(|s| s.join().unwrap()).collect();
    assert!(
        answers.iter().all(|s| *s == 202 || *s == 422),
        "{answers:?}"
    );
    latencies.sort();
    let slowest = *latencies.last().unwrap();
    let p99 = latencies[latencies.len() * 99 / 100];
    println!(
        "/health during poison messages: {} probes, p99 {p99:?}, slowest {slowest:?}",
        latencies.len()
    );
    assert!(
        latencies.len() >= 3,
        "the messages were read too fast to probe"
    );
    // 100 ms is the target; a shared 2-core machine sometimes holds one probe longer.
    assert!(p99 < Duration::from_millis(100), "p99 /health {p99:?}");
    assert!(
        slowest < Duration::from_secs(1),
        "slowest /health {slowest:?}"
    );
}

/// Killed while reading a big message, the server starts again and answers within 5 s; the
/// message kept before the kill is processed behind it.
#[test]
fn a_restart_answers_at_once_and_recovers_behind() {
    let data = data_dir("hostile-restart");
    import_list(&data);
    let mut server = serve(&data, &["--open-intake"]);
    let url = server.url.clone();
    let body = big_list();
    let sender = std::thread::spawn(move || {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .into();
        let _ = agent
            .post(format!("{url}/api/v1/messages"))
            .header("X-Passage-Carrier", "XQ")
            .send(&body[..]);
    });
    // Wait until the message is kept (then being read), and kill the server.
    let deadline = Instant::now() + Duration::from_secs(60);
    while states(&server.url).iter().all(|s| s != "received") {
        assert!(Instant::now() < deadline, "the message was never kept");
        std::thread::sleep(Duration::from_millis(50));
    }
    let vault = data.join("passage.db");
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let _ = sender.join();
    assert!(vault.exists());
    let started = Instant::now();
    let again = serve(&data, &["--open-intake"]);
    let answered = started.elapsed() + health_latency(&again.url);
    println!("restart answered in {answered:?}");
    assert!(answered < Duration::from_secs(5), "{answered:?}");
    // Recovery works behind the listening server: the message ends processed.
    let deadline = Instant::now() + Duration::from_secs(120);
    loop {
        let states = states(&again.url);
        if !states.is_empty() && states.iter().all(|s| s != "received") {
            assert!(states.iter().any(|s| s == "processed"), "{states:?}");
            break;
        }
        assert!(Instant::now() < deadline, "still unprocessed: {states:?}");
        std::thread::sleep(Duration::from_millis(500));
    }
}
