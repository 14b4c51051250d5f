//! Schemathesis (PyPI, pinned) against the real `passage serve`: every operation of
//! `/api/openapi.json` called with generated valid and invalid input, as a user holding every
//! role with a purpose, and the carriers' intake with a carrier's credential. Any 5xx, an
//! undocumented status or media type, or an answer that violates its schema fails the test.
//!
//! Schemathesis is installed into a venv under `target/` when absent. Locally the test skips
//! with a printed reason when it cannot be installed; in CI (`CI` or
//! `PASSAGE_REQUIRE_CORPUS` set) it fails instead.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::{data_dir, passage, serve};

/// The version the document is tested with: a new one is a deliberate change.
const SCHEMATHESIS: &str = "4.32.5";
/// Generated cases per operation and phase: what bounds the run's time (`--max-time` would
/// make the fuzzing repeat until it is spent).
const MAX_EXAMPLES: &str = "100";
/// A fixed seed reproduces a failure; `PASSAGE_SCHEMATHESIS_SEED` explores others.
const SEED: &str = "20261207";

const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance";

const CARRIER_TOKEN: &str = "schemathesis-carrier-token-0001";

const LIST: &[u8] = b"UNA:+.? '\nUNB+UNOC:4+ZZ+PIU+261127:0930+42'\nUNH+1+PAXLST:D:05B:UN:IATA+XQ101/261201+01:F'\nBGM+745'\nTDT+20+XQ101+++XQ'\nLOC+125+AMS'\nDTM+189:2612011005:201'\nLOC+87+JFK'\nDTM+232:2612011310:201'\nNAD+FL+++O?'SYNTH:ANNA MARIA'\nATT+2++F'\nDTM+329:19900102:102'\nNAT+2+XXA'\nRFF+ABO:P1'\nDOC+P+X1234567'\nDTM+36:301231'\nLOC+91+XXA'\nCNT+42:1'\nUNT+17+1'\nUNZ+1+42'\n";

fn required() -> bool {
    ["CI", "PASSAGE_REQUIRE_CORPUS"]
        .iter()
        .any(|v| std::env::var_os(v).is_some_and(|v| !v.is_empty()))
}

/// The `target` directory this test was built into.
fn target_dir() -> PathBuf {
    let exe = PathBuf::from(env!("CARGO_BIN_EXE_passage"));
    exe.parent().and_then(Path::parent).unwrap().to_path_buf()
}

fn installed(st: &Path) -> bool {
    Command::new(st)
        .arg("--version")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains(SCHEMATHESIS))
}

/// The `st` command of the pinned version, installed when absent; `Err(why)` when it cannot be.
fn schemathesis() -> Result<PathBuf, String> {
    let venv = target_dir().join(format!("schemathesis-{SCHEMATHESIS}"));
    let st = venv.join("bin/st");
    if installed(&st) {
        return Ok(st);
    }
    let run = |cmd: &mut Command| -> Result<(), String> {
        let out = cmd.output().map_err(|e| format!("{cmd:?}: {e}"))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{cmd:?}: {}\n{}",
                out.status,
                String::from_utf8_lossy(&out.stderr)
            ))
        }
    };
    run(Command::new("python3").args(["-m", "venv"]).arg(&venv))?;
    run(Command::new(venv.join("bin/pip")).args([
        "install",
        "--quiet",
        "--disable-pip-version-check",
        &format!("schemathesis=={SCHEMATHESIS}"),
    ]))?;
    if installed(&st) {
        Ok(st)
    } else {
        Err(format!("{} does not run after installing", st.display()))
    }
}

fn st_run(st: &Path, url: &str, extra: &[&str]) -> (bool, String) {
    let seed = std::env::var("PASSAGE_SCHEMATHESIS_SEED").unwrap_or_else(|_| SEED.into());
    let out = Command::new(st)
        .args(["run", &format!("{url}/api/openapi.json")])
        .args(["--checks", CHECKS])
        .args(["--max-examples", MAX_EXAMPLES])
        .args(["--seed", &seed, "--workers", "1", "--no-color"])
        .args(["--request-timeout", "30"])
        .args(extra)
        .env("SCHEMATHESIS_TELEMETRY", "false")
        // Its cache directory goes under target/, not into the source tree.
        .current_dir(target_dir())
        .output()
        .unwrap();
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn schemathesis_finds_no_server_error_and_no_schema_violation() {
    let st = match schemathesis() {
        Ok(st) => st,
        Err(why) if required() => panic!("schemathesis is required in CI: {why}"),
        Err(why) => {
            eprintln!("skipped: schemathesis {SCHEMATHESIS} could not be installed: {why}");
            return;
        }
    };
    let data = data_dir("schemathesis");
    std::fs::create_dir_all(&data).unwrap();
    passage(
        &data,
        &[
            "users",
            "add",
            "fuzzer",
            "--roles",
            "analyst,supervisor,carrier_liaison,administrator,dpo",
            "--agency",
            "PIU",
        ],
        &format!("{}\n", common::PASSWORD),
    );
    let token = passage(&data, &["users", "token", "fuzzer"], "")
        .trim()
        .to_string();
    let carriers = data.join("carriers");
    std::fs::write(&carriers, format!("XQ {CARRIER_TOKEN}\n")).unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&carriers, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    let server = serve(&data, &["--carriers", carriers.to_str().unwrap()]);
    // One message in the vault, its flight and its manifest: what the document's examples
    // name (message 1, manifest row 1, XQ101/AMS-JFK/2026-12-01), so that the routes that
    // read them answer with data too.
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let sent = agent
        .post(&format!("{}/api/v1/messages", server.url))
        .header("authorization", &format!("Bearer {CARRIER_TOKEN}"))
        .send(LIST)
        .unwrap();
    assert!(sent.status().as_u16() == 202, "{}", sent.status());

    let mut seeded = agent
        .get(&format!(
            "{}/api/v1/flights/XQ101/AMS-JFK/2026-12-01/manifest",
            server.url
        ))
        .header("authorization", &format!("Bearer {token}"))
        .header("x-passage-purpose", "schemathesis run")
        .call()
        .unwrap();
    assert_eq!(seeded.status().as_u16(), 200);
    let manifest: serde_json::Value =
        serde_json::from_str(&seeded.body_mut().read_to_string().unwrap()).unwrap();
    assert_eq!(manifest["persons"].as_array().map(Vec::len), Some(1));
    assert_eq!(
        manifest["persons"][0]["id"], 1,
        "the document's example row"
    );

    let started = std::time::Instant::now();
    let user = format!("Authorization: Bearer {token}");
    let (ok, report) = st_run(
        &st,
        &server.url,
        &[
            "-H",
            &user,
            "-H",
            "X-Passage-Purpose: schemathesis run",
            "--exclude-name",
            "POST /api/v1/messages",
        ],
    );
    eprintln!("{report}");
    assert!(ok, "schemathesis, as a user of every role:\n{report}");
    let carrier = format!("Authorization: Bearer {CARRIER_TOKEN}");
    let (ok, report) = st_run(
        &st,
        &server.url,
        &["-H", &carrier, "--include-name", "POST /api/v1/messages"],
    );
    eprintln!("{report}");
    assert!(ok, "schemathesis, as a carrier:\n{report}");
    eprintln!("two schemathesis runs in {:?}", started.elapsed());
}
