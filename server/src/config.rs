//! Settings from the environment, with defaults that serve the demo from a fresh checkout.

use std::net::SocketAddr;

#[derive(Clone, Debug)]
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
    /// Pool size; `None` picks a default that suits the database.
    pub db_max_connections: Option<u32>,
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

impl Config {
    pub fn from_env() -> anyhow::Result<Config> {
        Ok(Config {
            database_url: var("DATABASE_URL").unwrap_or_else(|| "sqlite://data/robopass.db".into()),
            site_addr: parsed("LEPTOS_SITE_ADDR", "host:port, e.g. 127.0.0.1:3000")?
                .unwrap_or_else(|| ([127, 0, 0, 1], 3000).into()),
            site_root: var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            public_origin: var("PUBLIC_ORIGIN"),
            demo_robots: parsed("DEMO_ROBOTS", "a whole number")?.unwrap_or(28_000),
            page_cache_ms: parsed("PAGE_CACHE_MS", "a whole number of milliseconds")?
                .unwrap_or(1000),
            db_max_connections: parsed("DB_MAX_CONNECTIONS", "a whole number")?,
        })
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
