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

impl Config {
    pub fn from_env() -> anyhow::Result<Config> {
        use anyhow::Context;
        let site_addr = var("LEPTOS_SITE_ADDR")
            .unwrap_or_else(|| "127.0.0.1:3000".into())
            .parse()
            .context("LEPTOS_SITE_ADDR must be host:port, e.g. 127.0.0.1:3000")?;
        let demo_robots = var("DEMO_ROBOTS")
            .map(|v| v.parse())
            .transpose()
            .context("DEMO_ROBOTS must be a whole number")?
            .unwrap_or(28_000);
        let db_max_connections = var("DB_MAX_CONNECTIONS")
            .map(|v| v.parse())
            .transpose()
            .context("DB_MAX_CONNECTIONS must be a whole number")?;
        let page_cache_ms = var("PAGE_CACHE_MS")
            .map(|v| v.parse())
            .transpose()
            .context("PAGE_CACHE_MS must be a whole number of milliseconds")?
            .unwrap_or(1000);
        Ok(Config {
            page_cache_ms,
            database_url: var("DATABASE_URL").unwrap_or_else(|| "sqlite://data/robopass.db".into()),
            site_addr,
            site_root: var("LEPTOS_SITE_ROOT").unwrap_or_else(|| "target/site".into()),
            public_origin: var("PUBLIC_ORIGIN"),
            demo_robots,
            db_max_connections,
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
