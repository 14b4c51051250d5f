//! The drop folder against whoever can write its inbox: symbolic links, hard links, FIFOs,
//! files larger than the HTTP limit and folders that are not carrier codes are never read into
//! the vault; refused files are moved to `failed/` with a note saying why.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::PathBuf;

use intake::folder::{DropFolder, Sweep, is_carrier_code};
use intake::{Config, Intake};
use store::Store;

const LIST: &[u8] = b"UNB+UNOA:4+XQ+PIU+261127:0900+77'UNH+1+PAXLST:D:05B:UN:IATA'BGM+745'TDT+20+XQ9+++XQ'LOC+125+AAA'DTM+189:2612021005:201'LOC+87+BBB'DTM+232:2612021240:201'NAD+FL+++SYNTH:ANNA'ATT+2++F'DTM+329:900102'NAT+2+XXA'RFF+ABO:P1'DOC+P+X1'DTM+36:301231'LOC+91+XXA'CNT+42:1'UNT+18+1'UNZ+1+77'";

fn temp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("passage-folder-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

async fn setup(name: &str, limit: usize) -> (PathBuf, DropFolder, Intake) {
    let dir = temp(name);
    let folder = DropFolder::new(dir.join("drop"), limit);
    folder.prepare().unwrap();
    let intake = Intake::new(Store::open_in_memory().await.unwrap(), Config::default());
    (dir, folder, intake)
}

async fn vault_size(intake: &Intake) -> usize {
    intake
        .store()
        .messages(None, None, None, 1000, 0)
        .await
        .unwrap()
        .len()
}

fn note(folder: &DropFolder, carrier: &str, name: &str) -> String {
    std::fs::read_to_string(
        folder
            .root
            .join("failed")
            .join(carrier)
            .join(format!("{name}.refused")),
    )
    .unwrap()
}

#[tokio::test]
async fn a_symbolic_link_is_moved_aside_and_its_target_never_read() {
    let (dir, folder, intake) = setup("symlink", 1 << 20).await;
    let secret = dir.join("secret.txt");
    std::fs::write(&secret, b"carrier tokens and keys").unwrap();
    let inbox = folder.inbox().join("XQ");
    std::fs::create_dir_all(&inbox).unwrap();
    std::os::unix::fs::symlink(&secret, inbox.join("list.edi")).unwrap();
    std::os::unix::fs::symlink("/proc/self/cmdline", inbox.join("cmdline.edi")).unwrap();
    // A carrier folder that is itself a link to a folder elsewhere.
    let elsewhere = dir.join("elsewhere");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::write(elsewhere.join("other.edi"), LIST).unwrap();
    std::os::unix::fs::symlink(&elsewhere, folder.inbox().join("ZQ")).unwrap();

    let sweep = folder.sweep(&intake).await.unwrap();
    assert_eq!(
        sweep,
        Sweep {
            taken: 0,
            failed: 0,
            refused: 2,
            ignored: 1
        }
    );
    assert_eq!(vault_size(&intake).await, 0, "nothing reached the vault");
    // The links were moved, not their targets.
    let moved = folder.root.join("failed/XQ/list.edi");
    assert!(moved.symlink_metadata().unwrap().file_type().is_symlink());
    assert_eq!(std::fs::read(&secret).unwrap(), b"carrier tokens and keys");
    assert!(!inbox.join("cmdline.edi").exists());
    assert!(note(&folder, "XQ", "cmdline.edi").contains("symbolic link"));
    assert!(
        elsewhere.join("other.edi").exists(),
        "a linked folder is not swept"
    );
    // The refusals are audited, naming the carrier and the reason only.
    let audit = intake
        .store()
        .audit_records(Some("carrier:XQ"), 10)
        .await
        .unwrap();
    assert_eq!(audit.len(), 2);
    assert_eq!(audit[0].action, "drop.refused");
    assert_eq!(audit[0].detail, "channel=folder reason=not_a_regular_file");
}

#[tokio::test]
async fn a_file_over_the_limit_is_refused_unread_and_one_at_the_limit_taken() {
    let limit = LIST.len() + 10;
    let (_dir, folder, intake) = setup("big", limit).await;
    let inbox = folder.inbox().join("XQ");
    std::fs::create_dir_all(&inbox).unwrap();
    let mut big = LIST.to_vec();
    big.resize(limit + 1, b' ');
    std::fs::write(inbox.join("a-big.edi"), &big).unwrap();
    let mut exact = LIST.to_vec();
    exact.resize(limit, b'\n');
    std::fs::write(inbox.join("b-exact.edi"), &exact).unwrap();

    let sweep = folder.sweep(&intake).await.unwrap();
    assert_eq!((sweep.taken, sweep.refused), (1, 1));
    let kept = intake
        .store()
        .messages(None, None, None, 10, 0)
        .await
        .unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].size, limit as i64, "only the file within the limit");
    assert!(folder.root.join("archive/XQ/b-exact.edi").exists());
    assert_eq!(
        std::fs::read(folder.root.join("failed/XQ/a-big.edi")).unwrap(),
        big,
        "kept as it came, for the carrier to see"
    );
    let text = note(&folder, "XQ", "a-big.edi");
    assert!(
        text.contains(&format!(
            "{} bytes, larger than the limit of {limit} bytes",
            limit + 1
        )),
        "{text}"
    );
    assert!(!inbox.join("a-big.edi").exists());
    // Nothing left for the next sweep.
    assert_eq!(folder.sweep(&intake).await.unwrap(), Sweep::default());
}

#[tokio::test]
async fn folders_that_are_not_carrier_codes_are_ignored() {
    let (_dir, folder, intake) = setup("names", 1 << 20).await;
    for name in ["xq", "ABCD", "X", "X-Q", "..", "ÄB", "XQ "] {
        let d = folder.inbox().join(name);
        if std::fs::create_dir_all(&d).is_ok() {
            std::fs::write(d.join("list.edi"), LIST).unwrap();
        }
    }
    // A file straight in the inbox, and a folder inside a carrier's folder.
    std::fs::write(folder.inbox().join("list.edi"), LIST).unwrap();
    std::fs::create_dir_all(folder.inbox().join("XQ/sub")).unwrap();
    std::fs::write(folder.inbox().join("XQ/sub/list.edi"), LIST).unwrap();
    std::fs::write(folder.inbox().join("XQ/list.edi"), LIST).unwrap();
    // Uploads still being written wait.
    std::fs::write(folder.inbox().join("XQ/next.edi.part"), LIST).unwrap();
    std::fs::write(folder.inbox().join("XQ/.next.edi"), LIST).unwrap();
    std::fs::create_dir_all(folder.inbox().join("7X2")).unwrap();
    std::fs::write(folder.inbox().join("7X2/list.edi"), LIST).unwrap();

    let sweep = folder.sweep(&intake).await.unwrap();
    // xq, ABCD, X, X-Q, ÄB, "XQ ", the file in the inbox, XQ/sub (".." is the inbox's parent).
    assert_eq!((sweep.taken, sweep.refused, sweep.ignored), (2, 0, 8));
    let mut carriers: Vec<String> = intake
        .store()
        .messages(None, None, None, 10, 0)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.carrier)
        .collect();
    carriers.sort();
    assert_eq!(carriers, ["7X2", "XQ"]);
    assert!(folder.inbox().join("xq/list.edi").exists(), "left in place");
    assert!(folder.inbox().join("XQ/sub/list.edi").exists());
    assert!(folder.inbox().join("XQ/next.edi.part").exists());
    assert!(folder.inbox().join("XQ/.next.edi").exists());

    for good in ["XQ", "7X2", "KLM", "U2"] {
        assert!(is_carrier_code(good), "{good}");
    }
    for bad in ["", "X", "xq", "ABCD", "X-", "X Q", "../", "ÄB"] {
        assert!(!is_carrier_code(bad), "{bad}");
    }
}

#[tokio::test]
async fn hard_links_and_fifos_are_refused_without_blocking() {
    let (dir, folder, intake) = setup("special", 1 << 20).await;
    let inbox = folder.inbox().join("XQ");
    std::fs::create_dir_all(&inbox).unwrap();
    let outside = dir.join("database-like");
    std::fs::write(&outside, LIST).unwrap();
    std::fs::hard_link(&outside, inbox.join("linked.edi")).unwrap();
    let fifo = inbox.join("pipe.edi");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());

    let sweep = tokio::time::timeout(std::time::Duration::from_secs(10), folder.sweep(&intake))
        .await
        .expect("a FIFO must not block the sweep")
        .unwrap();
    assert_eq!((sweep.taken, sweep.refused), (0, 2));
    assert_eq!(vault_size(&intake).await, 0);
    assert!(note(&folder, "XQ", "linked.edi").contains("hard link"));
    assert!(note(&folder, "XQ", "pipe.edi").contains("not a regular file"));
    assert_eq!(std::fs::read(&outside).unwrap(), LIST);
}
