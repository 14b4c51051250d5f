//! How a node proves itself to NATS beyond a user and password in the URL: a credentials file
//! (the `.creds` file `nsc` writes, a user JWT and its nkey seed; or a bare user nkey seed,
//! `SU…`), and TLS (the CA that signed the servers' certificates, and this node's certificate
//! and key when the servers ask for one). Secrets are read from files readable by this user
//! only, never from the command line.

use std::path::{Path, PathBuf};

use crate::BusError;

/// What a node shows NATS. The default shows nothing beyond the URL.
#[derive(Debug, Clone, Default)]
pub struct Access {
    /// A `.creds` file or a user nkey seed file (mode 600).
    pub credentials: Option<PathBuf>,
    /// The CA certificate (PEM) the servers' certificates are checked against; TLS is then
    /// required.
    pub ca: Option<PathBuf>,
    /// This node's certificate and key (PEM), for servers that verify clients.
    pub client: Option<(PathBuf, PathBuf)>,
}

const JWT_MARK: &str = "-----BEGIN NATS USER JWT-----";

impl Access {
    /// `options` with this access added.
    pub(crate) fn apply(
        &self,
        mut options: async_nats::ConnectOptions,
    ) -> Result<async_nats::ConnectOptions, BusError> {
        if let Some(path) = &self.credentials {
            let text = read_secret(path)?;
            options = if text.contains(JWT_MARK) {
                options.credentials(&text).map_err(|e| {
                    BusError::Refused(format!(
                        "the NATS credentials {} do not read: {}",
                        path.display(),
                        e.kind()
                    ))
                })?
            } else if text.trim().starts_with("SU") {
                options.nkey(text.trim().to_string())
            } else {
                return Err(BusError::Refused(format!(
                    "{} is neither a NATS credentials file nor a user nkey seed (SU…)",
                    path.display()
                )));
            };
        }
        if let Some(ca) = &self.ca {
            readable(ca)?;
            options = options.add_root_certificates(ca.clone()).require_tls(true);
        }
        if let Some((cert, key)) = &self.client {
            readable(cert)?;
            read_secret(key)?;
            options = options.add_client_certificate(cert.clone(), key.clone());
        }
        Ok(options)
    }
}

fn readable(path: &Path) -> Result<(), BusError> {
    std::fs::metadata(path)
        .map(|_| ())
        .map_err(|e| BusError::Refused(format!("{}: {e}", path.display())))
}

/// A secret's text, refused when others may read the file.
fn read_secret(path: &Path) -> Result<String, BusError> {
    use std::os::unix::fs::PermissionsExt;
    let meta = std::fs::metadata(path)
        .map_err(|e| BusError::Refused(format!("{}: {e}", path.display())))?;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(BusError::Refused(format!(
            "{} may be read by others (mode {mode:03o}); make it readable by this user only: \
             chmod 600 {}",
            path.display(),
            path.display()
        )));
    }
    std::fs::read_to_string(path).map_err(|e| BusError::Refused(format!("{}: {e}", path.display())))
}
