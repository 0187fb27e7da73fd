//! Settings from the environment, with defaults that serve the demo from a fresh checkout.

use std::net::SocketAddr;

#[derive(Clone)]
pub struct Config {
    /// `sqlite://path` (created when missing) or `postgres://…`.
    pub database_url: String,
    pub site_addr: SocketAddr,
    /// Folder holding the built site (CSS, JS, wasm, public assets).
    pub site_root: String,
    /// Origin the portal is reached at publicly, e.g. `https://robopass.example`.
    pub public_origin: Option<String>,
    /// Robots generated on first start when the registry is empty (0: none).
    pub demo_robots: u64,
    /// How long a rendered profile page may be served again (0: never).
    pub page_cache_ms: u64,
    /// How long the lookup keeps organisations, models and venues it has read.
    pub reference_cache_ms: u64,
    /// Pool size; `None` picks a default that suits the database.
    pub db_max_connections: Option<u32>,
    /// The label-signing key's 32-byte seed (base64url or hex); overrides the key file.
    pub signing_key: Option<String>,
    /// Where the signing key lives when `SIGNING_KEY` is not set (made on first start).
    pub signing_key_file: String,
    /// Public keys (base64url) of retired signing keys whose labels still verify.
    pub retired_signing_keys: Vec<String>,
}

/// Everything but the signing key, which is never printed.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            // The URL may hold the database password: the scheme says enough.
            .field(
                "database_url",
                &format!("{}://(not shown)", app::db::url_scheme(&self.database_url)),
            )
            .field("site_addr", &self.site_addr)
            .field("site_root", &self.site_root)
            .field("public_origin", &self.public_origin)
            .field("demo_robots", &self.demo_robots)
            .field("page_cache_ms", &self.page_cache_ms)
            .field("reference_cache_ms", &self.reference_cache_ms)
            .field("db_max_connections", &self.db_max_connections)
            .field(
                "signing_key",
                &self.signing_key.as_ref().map(|_| "(set, not shown)"),
            )
            .field("signing_key_file", &self.signing_key_file)
            .field("retired_signing_keys", &self.retired_signing_keys)
            .finish()
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// A variable that must parse when set, e.g. a number; the error says which and what it wants.
fn parsed<T: std::str::FromStr>(name: &str, wants: &str) -> anyhow::Result<Option<T>> {
    var(name)
        .map(|v| v.trim().parse::<T>())
        .transpose()
        .map_err(|_| anyhow::anyhow!("{name} must be {wants}"))
}

const MILLIS: &str = "a whole number of milliseconds, at most 86400000 (a day)";

/// A cache lifetime from the variable `name`, else `default`; longer than a day is refused
/// (kept data would be stale for that long, and the cache library cannot hold some such values).
fn cache_ms(name: &str, default: u64) -> anyhow::Result<u64> {
    within_a_day(name, parsed(name, MILLIS)?.unwrap_or(default))
}

fn within_a_day(name: &str, ms: u64) -> anyhow::Result<u64> {
    if ms > 86_400_000 {
        anyhow::bail!("{name} must be {MILLIS}");
    }
    Ok(ms)
}

impl Config {
    pub fn from_env() -> anyhow::Result<Config> {
        Ok(Config {
            database_url: var("DATABASE_URL").unwrap_or_else(|| "sqlite://data/robopass.db".into()),
            site_addr: parsed("LEPTOS_SITE_ADDR", "host:port, e.g. 127.0.0.1:3000")?
                .unwrap_or_else(|| ([127, 0, 0, 1], 3000).into()),
            site_root: var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            public_origin: var("PUBLIC_ORIGIN")
                .map(|o| o.trim_end_matches('/').to_string())
                .map(|o| {
                    // Labels print this origin in upper case, which only scheme and host survive.
                    let rest = o
                        .strip_prefix("https://")
                        .or_else(|| o.strip_prefix("http://"))
                        .unwrap_or("/");
                    if rest.is_empty() || rest.contains(['/', '?', '#', '@']) {
                        anyhow::bail!("PUBLIC_ORIGIN must be a scheme and host, e.g. https://robopass.example (no path)")
                    }
                    Ok(o)
                })
                .transpose()?,
            demo_robots: parsed("DEMO_ROBOTS", "a whole number")?.unwrap_or(28_000),
            page_cache_ms: cache_ms("PAGE_CACHE_MS", 1000)?,
            reference_cache_ms: cache_ms("REFERENCE_CACHE_MS", 30_000)?,
            db_max_connections: parsed("DB_MAX_CONNECTIONS", "a whole number")?,
            signing_key: var("SIGNING_KEY"),
            signing_key_file: var("SIGNING_KEY_FILE")
                .unwrap_or_else(|| "data/signing-key.json".into()),
            retired_signing_keys: var("RETIRED_SIGNING_KEYS")
                .map(|v| {
                    v.split(',')
                        .map(str::trim)
                        .filter(|k| !k.is_empty())
                        .map(str::to_string)
                        .collect()
                })
                .unwrap_or_default(),
        })
    }

    /// The origin labels point to: `PUBLIC_ORIGIN`, else the address the server listens on.
    pub fn label_origin(&self, addr: SocketAddr) -> String {
        self.public_origin
            .clone()
            .unwrap_or_else(|| format!("http://{addr}"))
            .trim_end_matches('/')
            .to_string()
    }

    /// Hosts whose `/r/{ID}` links the lookup accepts as the registry's own.
    pub fn portal_hosts(&self) -> Vec<String> {
        let mut hosts = vec![self.site_addr.to_string()];
        if let Some(origin) = &self.public_origin {
            let host = origin
                .split("://")
                .nth(1)
                .unwrap_or(origin)
                .trim_end_matches('/')
                .to_string();
            hosts.push(host);
        }
        hosts
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cache_lifetimes_have_a_default_and_a_ceiling() {
        // No test sets these variables, so the defaults apply.
        assert_eq!(cache_ms("ROBOPASS_TEST_UNSET_MS", 1000).unwrap(), 1000);
        assert_eq!(within_a_day("PAGE_CACHE_MS", 0).unwrap(), 0);
        assert_eq!(
            within_a_day("REFERENCE_CACHE_MS", 86_400_000).unwrap(),
            86_400_000
        );
        let err = within_a_day("REFERENCE_CACHE_MS", u64::MAX).unwrap_err();
        assert_eq!(
            err.to_string(),
            "REFERENCE_CACHE_MS must be a whole number of milliseconds, at most 86400000 (a day)"
        );
    }

    #[test]
    fn the_database_password_is_not_printed() {
        let config = Config {
            database_url: "postgres://portal:hunter2@db.example/registry".into(),
            site_addr: ([127, 0, 0, 1], 3000).into(),
            site_root: "target/site".into(),
            public_origin: None,
            demo_robots: 0,
            page_cache_ms: 1000,
            reference_cache_ms: 30_000,
            db_max_connections: None,
            signing_key: Some("secret-seed".into()),
            signing_key_file: "data/signing-key.json".into(),
            retired_signing_keys: Vec::new(),
        };
        let printed = format!("{config:?}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(!printed.contains("secret-seed"), "{printed}");
        assert!(printed.contains("postgres://"), "{printed}");
    }
}
