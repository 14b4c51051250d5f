//! A node proving itself to a NATS server that asks for it: a user nkey seed file, and TLS with
//! the CA that signed the server's certificate. Each test starts a NATS server of its own
//! (`nats-server`, the binary of this machine's service) on a free port with the rule it tests;
//! without the binary the tests are skipped with the reason, and fail when `CI` is set.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use bus::{Access, Bus, BusError, JetStream, Names, Settings};

/// A NATS server with JetStream of this test's own, stopped and its files removed on drop.
struct PrivateNats {
    child: Child,
    port: u16,
    dir: PathBuf,
}

impl PrivateNats {
    /// Starts `nats-server` with `rules` added to its configuration; `None` (skipped) when the
    /// binary is missing outside CI.
    fn start(test: &str, rules: &str) -> Option<PrivateNats> {
        if Command::new("nats-server")
            .arg("--version")
            .output()
            .is_err()
        {
            assert!(
                std::env::var_os("CI").is_none(),
                "nats-server is required in CI"
            );
            eprintln!("skipped: nats-server is not installed");
            return None;
        }
        let dir = std::env::temp_dir().join(format!("passage-nats-{test}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let conf = dir.join("nats.conf");
        std::fs::write(
            &conf,
            format!(
                "listen: 127.0.0.1:{port}\njetstream {{ store_dir: \"{}\" }}\n{rules}\n",
                dir.join("js").display()
            ),
        )
        .unwrap();
        let child = Command::new("nats-server")
            .arg("-c")
            .arg(&conf)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                started.elapsed() < Duration::from_secs(10),
                "nats-server did not start"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(PrivateNats { child, port, dir })
    }
}

impl Drop for PrivateNats {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn settings() -> Settings {
    Settings {
        publish_timeout: Duration::from_secs(1),
        ..Settings::default()
    }
}

fn secret(path: &Path, text: &str, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// Publishes an id and takes it back through `js`.
async fn round_trip(js: &JetStream, id: i64) {
    let bus = Bus::JetStream(js.clone());
    bus.publish(id).await.unwrap();
    let d = tokio::time::timeout(Duration::from_secs(10), bus.next())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(d.id(), id);
    d.ack().await.unwrap();
}

/// A server that knows the node only by its nkey: with the seed file the node uses the bus;
/// without it nothing is published and the node says it waits for NATS; a seed file others
/// may read is refused before any connection.
#[tokio::test]
async fn a_node_with_its_nkey_seed_uses_the_bus_and_one_without_cannot() {
    let user = nkeys::KeyPair::new_user();
    let Some(nats) = PrivateNats::start(
        "nkey",
        &format!(
            "authorization {{ users: [ {{ nkey: {} }} ] }}",
            user.public_key()
        ),
    ) else {
        return;
    };
    let url = format!("nats://127.0.0.1:{}", nats.port);
    let seed = nats.dir.join("node.nk");
    secret(&seed, &format!("{}\n", user.seed().unwrap()), 0o600);
    let access = Access {
        credentials: Some(seed.clone()),
        ..Access::default()
    };
    let js = JetStream::connect_with(&url, Names::under("secured"), settings(), 1, &access)
        .await
        .unwrap();
    round_trip(&js, 42).await;

    let anonymous = JetStream::connect(&url, Names::under("secured"), settings(), 1)
        .await
        .unwrap();
    assert!(
        Bus::JetStream(anonymous.clone()).publish(43).await.is_err(),
        "published without credentials"
    );
    assert_eq!(
        Bus::JetStream(anonymous).status().await.state,
        "waiting_for_nats"
    );

    secret(&seed, &format!("{}\n", user.seed().unwrap()), 0o644);
    let refused = JetStream::connect_with(&url, Names::under("secured"), settings(), 1, &access)
        .await
        .err()
        .unwrap();
    assert!(
        matches!(&refused, BusError::Refused(e) if e.contains("chmod 600")),
        "{refused}"
    );
    let not_a_key = nats.dir.join("other.nk");
    secret(&not_a_key, "password=hunter2\n", 0o600);
    let refused = JetStream::connect_with(
        &url,
        Names::under("secured"),
        settings(),
        1,
        &Access {
            credentials: Some(not_a_key),
            ..Access::default()
        },
    )
    .await
    .err()
    .unwrap();
    let text = refused.to_string();
    assert!(text.contains("neither a NATS credentials file"), "{text}");
    assert!(!text.contains("hunter2"), "{text}");
}

/// Runs openssl; panics with its error when it fails.
fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A server that speaks TLS only: the node that knows the CA uses the bus; the same URL
/// without the CA gets nowhere.
#[tokio::test]
async fn a_node_with_the_ca_uses_a_bus_that_requires_tls() {
    // The certificates first, in a folder of their own.
    let certs = std::env::temp_dir().join(format!("passage-nats-certs-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&certs);
    std::fs::create_dir_all(&certs).unwrap();
    let ext = certs.join("san.ext");
    std::fs::write(&ext, "subjectAltName=IP:127.0.0.1\n").unwrap();
    for args in [
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "2",
            "-subj",
            "/CN=passage test CA",
        ][..],
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "server.key",
            "-out",
            "server.csr",
            "-subj",
            "/CN=127.0.0.1",
        ][..],
        &[
            "x509",
            "-req",
            "-in",
            "server.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "server.pem",
            "-days",
            "2",
            "-extfile",
            "san.ext",
        ][..],
    ] {
        openssl(&certs, args);
    }
    let Some(nats) = PrivateNats::start(
        "tls",
        &format!(
            "tls {{ cert_file: \"{}\", key_file: \"{}\" }}",
            certs.join("server.pem").display(),
            certs.join("server.key").display()
        ),
    ) else {
        let _ = std::fs::remove_dir_all(&certs);
        return;
    };
    let url = format!("tls://127.0.0.1:{}", nats.port);
    let access = Access {
        ca: Some(certs.join("ca.pem")),
        ..Access::default()
    };
    let js = JetStream::connect_with(&url, Names::under("tls"), settings(), 1, &access)
        .await
        .unwrap();
    round_trip(&js, 7).await;

    let unchecked = JetStream::connect(&url, Names::under("tls"), settings(), 1)
        .await
        .unwrap();
    assert!(
        Bus::JetStream(unchecked).publish(8).await.is_err(),
        "published without the CA"
    );
    let _ = std::fs::remove_dir_all(&certs);
}
