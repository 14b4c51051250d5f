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
fn demo_reassembles_the_series_and_answers() {
    let out = passage(&["demo"], None);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(r#"series now: {"status":"complete","parts":3}"#),
        "{text}"
    );
    assert!(
        text.contains("Merged manifest: 6 passengers, declared 6 (0 findings)"),
        "{text}"
    );
    assert!(text.contains("UCI+100+XQ+PIU+7'"), "{text}");
    assert!(text.contains("ERC+0Z'"), "{text}");
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
