//! Configuration from the environment, with safe defaults for the embedded mode.

use rand::RngCore;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Everything the server reads from its environment.
#[derive(Debug, Clone)]
pub struct Config {
    /// `TONGBAN_DATA_DIR`, default `./data`: the SQLite file, the secret key, uploads.
    pub data_dir: PathBuf,
    /// `DATABASE_URL`, default a SQLite file in the data dir; `postgres://…` for PostgreSQL.
    pub database_url: String,
    /// `TONGBAN_ADDR`, default `127.0.0.1:3000`.
    pub addr: SocketAddr,
    /// `TONGBAN_SECURE_COOKIES=1` when served over TLS (behind a terminating proxy).
    pub secure_cookies: bool,
    /// `TONGBAN_TRUST_PROXY`: how many proxies in front of the server append to
    /// `X-Forwarded-For` (`1`/`true`: one; a number up to 5; unset or `0`: the header is ignored).
    pub trust_proxy: u8,
    /// `TONGBAN_MAX_BODY_BYTES`, default 1 MiB: larger request bodies get 413.
    pub max_body_bytes: usize,
    /// `TONGBAN_MAX_UPLOAD_BYTES`, default 20 MiB: the largest attachment.
    pub max_upload_bytes: usize,
    /// `TONGBAN_DEMO_PASSWORD`: the demo users' password; generated when unset.
    pub demo_password: Option<String>,
    /// `TONGBAN_DEMO=1` (or `serve --demo`): an empty database gets the demo organisation.
    /// Otherwise it gets one `admin` with a one-time password.
    pub demo: bool,
    /// `TONGBAN_LOG_FORMAT=json` for JSON log lines.
    pub json_logs: bool,
    /// `TONGBAN_SMTP_URL` (with `TONGBAN_SMTP_FROM`, `TONGBAN_PUBLIC_URL`): e-mail
    /// notifications; unset sends none.
    pub smtp: Option<app::ctx::SmtpSettings>,
    /// `TONGBAN_CLOCK_START` (RFC 3339), for the browser tests and demonstrations only: the
    /// server's clock reads this instant at start and runs on from there. Unset: the system
    /// clock.
    pub clock_start: Option<chrono::DateTime<chrono::Utc>>,
}

impl Config {
    /// Reads the environment.
    ///
    /// # Errors
    /// A message naming the variable that could not be used.
    pub fn from_env() -> Result<Self, String> {
        let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
        let flag = |k: &str| var(k).is_some_and(|v| matches!(v.as_str(), "1" | "true" | "yes"));
        let data_dir = PathBuf::from(var("TONGBAN_DATA_DIR").unwrap_or_else(|| "./data".into()));
        let database_url = var("DATABASE_URL").unwrap_or_else(|| sqlite_url(&data_dir));
        let addr = var("TONGBAN_ADDR")
            .unwrap_or_else(|| "127.0.0.1:3000".into())
            .parse()
            .map_err(|e| format!("TONGBAN_ADDR: {e}"))?;
        let max_body_bytes = match var("TONGBAN_MAX_BODY_BYTES") {
            Some(v) => v.parse().map_err(|e| format!("TONGBAN_MAX_BODY_BYTES: {e}"))?,
            None => 1024 * 1024,
        };
        let max_upload_bytes = match var("TONGBAN_MAX_UPLOAD_BYTES") {
            Some(v) => v.parse().map_err(|e| format!("TONGBAN_MAX_UPLOAD_BYTES: {e}"))?,
            None => 20 * 1024 * 1024,
        };
        let smtp = var("TONGBAN_SMTP_URL").filter(|u| !u.trim().is_empty()).map(|url| app::ctx::SmtpSettings {
            url: url.trim().to_owned(),
            from: var("TONGBAN_SMTP_FROM").unwrap_or_else(|| "通办 <noreply@localhost>".into()),
            public_url: var("TONGBAN_PUBLIC_URL").unwrap_or_else(|| format!("http://{addr}")),
        });
        let clock_start = match var("TONGBAN_CLOCK_START") {
            None => None,
            Some(v) => Some(
                chrono::DateTime::parse_from_rfc3339(v.trim())
                    .map_err(|e| {
                        format!("TONGBAN_CLOCK_START (an RFC 3339 time such as 2026-11-23T10:00:00+08:00): {e}")
                    })?
                    .with_timezone(&chrono::Utc),
            ),
        };
        Ok(Self {
            clock_start,
            smtp,
            max_upload_bytes,
            data_dir,
            database_url,
            addr,
            secure_cookies: flag("TONGBAN_SECURE_COOKIES"),
            trust_proxy: match var("TONGBAN_TRUST_PROXY").as_deref().map(str::trim) {
                None | Some("0" | "false" | "no") => 0,
                Some("true" | "yes") => 1,
                Some(n) => n
                    .parse::<u8>()
                    .ok()
                    .filter(|n| *n <= 5)
                    .ok_or_else(|| format!("TONGBAN_TRUST_PROXY: {n:?} is not a number of proxies from 0 to 5"))?,
            },
            max_body_bytes,
            demo_password: var("TONGBAN_DEMO_PASSWORD"),
            demo: flag("TONGBAN_DEMO"),
            json_logs: var("TONGBAN_LOG_FORMAT").is_some_and(|v| v == "json"),
        })
    }

    /// The clock every service, job and page goes by.
    #[must_use]
    pub fn clock(&self) -> app::ctx::Clock {
        self.clock_start.map_or_else(app::ctx::Clock::system, app::ctx::Clock::starting_at)
    }

    /// Whether the database is SQLite.
    #[must_use]
    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

/// The default database: `tongban.db` in the data dir.
#[must_use]
pub fn sqlite_url(data_dir: &Path) -> String {
    format!("sqlite://{}?mode=rwc", data_dir.join("tongban.db").display())
}

/// The server's secret key (signs session cookies): `TONGBAN_SECRET_KEY` (128 hex digits)
/// when set — several servers must share one — otherwise `secret.key` in the data dir,
/// generated on first start.
///
/// # Errors
/// A message when the key cannot be read, parsed or written.
pub fn load_or_create_secret(data_dir: &Path) -> Result<[u8; 64], String> {
    if let Some(hexkey) = std::env::var("TONGBAN_SECRET_KEY").ok().filter(|v| !v.is_empty()) {
        return parse_key(&hexkey).ok_or_else(|| "TONGBAN_SECRET_KEY must be 128 hex digits".to_owned());
    }
    let path = data_dir.join("secret.key");
    if path.exists() {
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        return parse_key(text.trim()).ok_or_else(|| format!("{} is not a valid key", path.display()));
    }
    std::fs::create_dir_all(data_dir).map_err(|e| format!("{}: {e}", data_dir.display()))?;
    let mut key = [0_u8; 64];
    rand::thread_rng().fill_bytes(&mut key);
    write_private(&path, &hex::encode(key))?;
    Ok(key)
}

fn parse_key(s: &str) -> Option<[u8; 64]> {
    let bytes = hex::decode(s).ok()?;
    bytes.try_into().ok()
}

/// Makes the data directory (and its `files/`) reachable by the server's own user only
/// (0700), creating it if needed. A directory others could read is tightened, with a warning.
///
/// # Errors
/// A message naming the directory.
pub fn secure_data_dir(dir: &Path) -> Result<(), String> {
    let named = |e: std::io::Error| format!("{}: {e}", dir.display());
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        builder.mode(0o700);
        builder.create(dir).map_err(named)?;
        builder.create(dir.join("files")).map_err(named)?;
        for d in [dir.to_path_buf(), dir.join("files")] {
            let mode = std::fs::metadata(&d).map_err(named)?.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                tracing::warn!(dir = %d.display(), mode = format!("{mode:o}"), "the data directory was open to others; now 0700");
                std::fs::set_permissions(&d, std::fs::Permissions::from_mode(0o700)).map_err(named)?;
            }
        }
    }
    #[cfg(not(unix))]
    builder.create(dir.join("files")).map_err(named)?;
    Ok(())
}

/// Makes the SQLite database and its journal files readable by their owner only (0600).
///
/// # Errors
/// A message naming the file.
pub fn secure_database_files(dir: &Path) -> Result<(), String> {
    #[cfg(unix)]
    for name in ["tongban.db", "tongban.db-wal", "tongban.db-shm"] {
        use std::os::unix::fs::PermissionsExt;
        let path = dir.join(name);
        if path.exists() {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Writes a file readable by its owner only.
///
/// # Errors
/// A message naming the file.
pub fn write_private(path: &Path, contents: &str) -> Result<(), String> {
    use std::io::Write;
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    let mut f = opts.open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    f.write_all(contents.as_bytes()).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_is_created_once_and_kept() {
        let dir = std::env::temp_dir().join(format!("tongban-secret-{}", uuid::Uuid::new_v4().simple()));
        let a = load_or_create_secret(&dir).unwrap();
        let b = load_or_create_secret(&dir).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(a, b);
        assert_ne!(a, [0_u8; 64]);
    }
}
