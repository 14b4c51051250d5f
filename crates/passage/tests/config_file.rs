//! `passage serve --config FILE` end to end: the real binary takes its settings from the file
//! (and refuses a file it does not understand before it starts).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

mod common;

use std::process::{Command, Stdio};

#[test]
fn serve_takes_its_settings_from_the_file() {
    let dir = common::data_dir("config-file");
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("unit");
    let file = dir.join("passage.toml");
    std::fs::write(
        &file,
        format!(
            "data = \"{}\"\nport = 0\nopen-intake = true\nbus = \"memory\"\nretention-minutes = 0\n",
            data.display()
        ),
    )
    .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_passage"))
        .args(["serve", "--config", file.to_str().unwrap()])
        .env_remove("PASSAGE_STORE")
        .env_remove("PASSAGE_DATA")
        .env_remove("PASSAGE_BUS")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let (url, _output) = common::listening(&mut child);
    let (_, health) = common::get(&format!("{url}/health"));
    assert_eq!(health["bus"]["engine"], "in_process", "{health}");
    let (status, receipt) = common::post(
        &format!("{url}/api/v1/messages"),
        &[("X-Passage-Carrier", "XQ")],
        b"UNB+UNOA:4+XQ+PIU+261127:0900+1'UNZ+0+1'",
    );
    assert!(
        status == 202 || status == 422,
        "open intake from the file: {status} {receipt}"
    );
    assert!(
        data.join("passage.db").exists(),
        "the data directory from the file"
    );
    let _ = child.kill();
    let _ = child.wait();

    // A key it does not know: refused before anything starts, the line named.
    std::fs::write(&file, "port = 0\nrate-per-carier = 5.0\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_passage"))
        .args(["serve", "--config", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("rate-per-carier") && err.contains("line 2"),
        "{err}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
