//! `passage parse` as a user runs it: the real binary, real files, exit codes and JSON.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

fn passage(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_passage"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        // A usage error exits before reading: a broken pipe here is expected then.
        let _ = child.stdin.take().unwrap().write_all(input);
    } else {
        drop(child.stdin.take());
    }
    child.wait_with_output().unwrap()
}

fn fixture(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("passage-parse-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

const LIST: &[u8] = b"UNA:+.? '\nUNB+UNOC:4+ZZ+PIU+261127:0930+42'\nUNH+1+PAXLST:D:05B:UN:IATA+ZZ9/261128+01:F'\nBGM+745'\nTDT+20+ZZ9+++ZZ'\nLOC+125+AAA'\nDTM+189:2611281005:201'\nLOC+87+BBB'\nDTM+232:2611281310:201'\nNAD+FL+++O?'SYNTH:ANNA MARIA'\nATT+2++F'\nDTM+329:19900102:102'\nNAT+2+XXA'\nRFF+ABO:P1'\nDOC+P+X1234567'\nDTM+36:301231'\nLOC+91+XXA'\nCNT+42:1'\nUNT+17+1'\nUNZ+1+42'\n";

#[test]
fn json_carries_the_documented_fields() {
    let path = fixture("list.edi", LIST);
    let out = passage(&["parse", "--json", path.to_str().unwrap()], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let m = &json[0]["messages"][0];
    assert_eq!(m["message_type"], "PAXLST");
    assert_eq!(m["version"], "D:05B");
    let l = &m["body"]["passenger_list"];
    let leg = &l["legs"][0];
    assert_eq!(leg["carrier"], "ZZ");
    assert_eq!(leg["number"], "9");
    assert_eq!(leg["origin"], "AAA");
    assert_eq!(leg["destination"], "BBB");
    assert_eq!(leg["departure"], "2026-11-28T10:05");
    assert_eq!(leg["arrival"], "2026-11-28T13:10");
    let p = &l["persons"][0];
    assert_eq!(p["surname"], "O'SYNTH");
    assert_eq!(p["given_names"][0], "ANNA MARIA");
    assert_eq!(p["sex"], "F");
    assert_eq!(p["date_of_birth"], "1990-01-02");
    assert_eq!(p["nationality"], "XXA");
    let d = &p["documents"][0];
    assert_eq!(
        (d["kind"].as_str(), d["number"].as_str()),
        (Some("P"), Some("X1234567"))
    );
    assert_eq!(
        (d["issuing_state"].as_str(), d["expiry"].as_str()),
        (Some("XXA"), Some("2030-12-31"))
    );
    assert_eq!(m["findings"].as_array().unwrap().len(), 0);
}

#[test]
fn findings_are_in_the_json_with_their_place() {
    let broken = String::from_utf8_lossy(LIST).replace("UNT+17+1", "UNT+16+1");
    let path = fixture("broken.edi", broken.as_bytes());
    let out = passage(&["parse", "--json", path.to_str().unwrap()], None);
    assert!(out.status.success());
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let f = &json[0]["messages"][0]["findings"][0];
    assert_eq!(f["code"], "segment_count_mismatch");
    assert_eq!(f["severity"], "warning");
    assert_eq!(f["segment"], 18);
    assert_eq!(f["element"], 1);
    assert_eq!(f["text"], "UNT declares 16 segments but 17 were found");
}

#[test]
fn summary_from_standard_input() {
    let out = passage(&["parse", "-"], Some(LIST));
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("flight ZZ9: AAA 2026-11-28T10:05 -> BBB 2026-11-28T13:10"),
        "{text}"
    );
    assert!(
        text.contains("O'SYNTH, ANNA MARIA | F | 1990-01-02 | XXA | P X1234567 XXA exp 2030-12-31"),
        "{text}"
    );
}

#[test]
fn exit_status_says_what_happened() {
    assert_eq!(
        passage(&["parse", "-"], Some(b"not edifact at all"))
            .status
            .code(),
        Some(1)
    );
    assert_eq!(passage(&["parse"], None).status.code(), Some(2));
    assert_eq!(
        passage(&["parse", "--bogus", "-"], Some(LIST))
            .status
            .code(),
        Some(2)
    );
    assert_eq!(
        passage(&["parse", "/nonexistent/file.edi"], None)
            .status
            .code(),
        Some(1)
    );
    // An error finding is allowed by default and fails under --strict.
    let bad_date = String::from_utf8_lossy(LIST).replace("19900102:102", "19901302:102");
    assert_eq!(
        passage(&["parse", "-"], Some(bad_date.as_bytes()))
            .status
            .code(),
        Some(0)
    );
    assert_eq!(
        passage(&["parse", "--strict", "-"], Some(bad_date.as_bytes()))
            .status
            .code(),
        Some(1)
    );
}

#[test]
fn demo_feeds_a_simulated_day_into_the_single_window() {
    let dir = std::env::temp_dir().join(format!("passage-demo-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = passage(
        &[
            "demo",
            "--once",
            "--port",
            "0",
            "--data",
            dir.to_str().unwrap(),
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("the single window is listening on http://127.0.0.1:"),
        "{text}"
    );
    assert!(text.contains("fed: 40 flights in the store"), "{text}");
    assert!(dir.join("passage.db").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

const PUSH: &[u8] = b"UNB+IATA:1+XQ+PIU+261127:0900+9'\nUNH+1+PNRGOV:13:1:IA+281126/1005/XQ/101'\nMSG+:22'\nTVL+281126:1005:281126:1310+AAA+BBB+XQ+101'\nEQN+1'\nSRC'\nRCI+XQ:QZX123::011126:1200'\nTIF+SYNTH+ANNA MRS:A:1'\nSSR+DOCS:HK:1:XQ:::::/P/XXA/X1234567/XXA/02JAN90/F/31DEC30/SYNTH/ANNA/'\nSSR+KSML:HK:1:XQ'\nUNT+10+1'\nUNZ+1+9'\n";

#[test]
fn pnrgov_is_read_by_its_own_reader() {
    let out = passage(&["parse", "--json", "-"], Some(PUSH));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let m = &json[0]["messages"][0];
    assert_eq!(m["message_type"], "PNRGOV");
    let push = &m["body"]["push"];
    assert_eq!(push["flight"]["departure"]["at"], "2026-11-28T10:05");
    assert_eq!(push["flight"]["departure"]["place"], "AAA");
    let b = &push["bookings"][0];
    assert_eq!(b["locators"][0]["locator"], "QZX123");
    let t = &b["travellers"][0];
    assert_eq!(t["title"], "MRS");
    assert_eq!(t["documents"][0]["number"], "X1234567");
    assert_eq!(t["documents"][0]["date_of_birth"], "1990-01-02");
    assert_eq!(t["ssrs"][1]["sensitive"], "religion");
    assert_eq!(m["findings"][0]["code"], "sensitive_data");
    let text = String::from_utf8(passage(&["parse", "-"], Some(PUSH)).stdout).unwrap();
    assert!(
        text.contains("QZX123 | 1 traveller(s) | 0 segment(s)"),
        "{text}"
    );
}

#[test]
fn simulate_writes_a_day_that_parses() {
    let dir = std::env::temp_dir().join(format!("passage-simulate-test-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = passage(
        &[
            "simulate",
            "--seed",
            "4",
            "--size",
            "small",
            "--out",
            dir.to_str().unwrap(),
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let manifest = std::fs::read_to_string(dir.join("manifest.jsonl")).unwrap();
    let entries: Vec<serde_json::Value> = manifest
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let files = std::fs::read_dir(dir.join("messages")).unwrap().count();
    assert_eq!(entries.len(), files);
    assert!(
        entries
            .windows(2)
            .all(|w| w[0]["at"].as_str() <= w[1]["at"].as_str()),
        "send-time order"
    );
    let first = dir
        .join("messages")
        .join(entries[0]["file"].as_str().unwrap());
    let parsed = passage(&["parse", "--json", first.to_str().unwrap()], None);
    assert!(parsed.status.success());
    let watchlist = std::fs::read_to_string(dir.join("watchlist.csv")).unwrap();
    assert_eq!(watchlist.lines().count(), 301);
    assert!(
        std::fs::read_to_string(dir.join("truth.csv"))
            .unwrap()
            .starts_with("flight,passenger_reference")
    );
    // Same seed, same bytes.
    let again = std::env::temp_dir().join(format!(
        "passage-simulate-test-{}-again",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&again);
    assert!(
        passage(
            &["simulate", "--seed", "4", "--out", again.to_str().unwrap()],
            None
        )
        .status
        .success()
    );
    assert_eq!(
        std::fs::read_to_string(again.join("manifest.jsonl")).unwrap(),
        manifest
    );
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_dir_all(&again);
}

#[test]
fn simulate_streams_to_a_server_in_send_time_order() {
    use std::io::{BufRead, BufReader, Read};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let server = std::thread::spawn(move || {
        let mut received = Vec::new();
        listener.set_nonblocking(false).unwrap();
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { break };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            // One connection may carry several requests (keep-alive).
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                if line.starts_with("QUIT") {
                    return received;
                }
                let mut length = 0usize;
                let mut carrier = String::new();
                loop {
                    let mut h = String::new();
                    reader.read_line(&mut h).unwrap();
                    let h = h.trim_end();
                    if h.is_empty() {
                        break;
                    }
                    let lower = h.to_ascii_lowercase();
                    if let Some(v) = lower.strip_prefix("content-length:") {
                        length = v.trim().parse().unwrap();
                    }
                    if let Some(v) = h
                        .strip_prefix("X-Passage-Carrier:")
                        .or_else(|| h.strip_prefix("x-passage-carrier:"))
                    {
                        carrier = v.trim().to_string();
                    }
                }
                let mut body = vec![0; length];
                reader.read_exact(&mut body).unwrap();
                received.push((line.clone(), carrier, body.len()));
                std::io::Write::write_all(
                    &mut stream,
                    b"HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n",
                )
                .unwrap();
            }
        }
        received
    });
    let out = passage(
        &[
            "simulate",
            "--seed",
            "1",
            "--to",
            &format!("http://{addr}"),
            "--rate",
            "2000",
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::io::Write::write_all(
        &mut std::net::TcpStream::connect(addr).unwrap(),
        b"QUIT\r\n",
    )
    .unwrap();
    let received = server.join().unwrap();
    let report = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(received.len() > 100, "{}", received.len());
    assert!(
        report.contains(&format!(
            "sent {n} messages: {n} accepted, 0 refused",
            n = received.len()
        )),
        "{report}"
    );
    assert!(received.iter().all(
        |(line, carrier, len)| line.starts_with("POST /api/v1/messages")
            && !carrier.is_empty()
            && *len > 100
    ));
}
