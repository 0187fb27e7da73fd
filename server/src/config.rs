//! Settings from the environment, with defaults that serve the demo from a fresh checkout.

use domain::link::OurHosts;
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
    /// Most bytes of rendered pages kept (`PAGE_CACHE_MB`).
    pub page_cache_bytes: u64,
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
    /// The 32-byte key share codes are hashed under (base64url or hex); when not set, the key
    /// file's (or one derived from `SIGNING_KEY`).
    pub share_code_key: Option<String>,
    /// Further hosts (`host` or `host:port`) the portal answers on besides `PUBLIC_ORIGIN`'s.
    pub allowed_hosts: Vec<String>,
    /// The program that reads photos (`robopass decode-photo`); `None`: this program.
    pub decoder_exe: Option<std::path::PathBuf>,
    /// Longest gap allowed between two pieces of a request's body (`BODY_READ_TIMEOUT_S`).
    pub body_read_timeout: std::time::Duration,
    /// People's accounts: sign-in limits, proxies, mail.
    pub accounts: AccountSettings,
}

/// Settings for accounts and the mail they send.
#[derive(Clone)]
pub struct AccountSettings {
    /// Attempts allowed (sign-in, mail sent on request) per window (`SIGN_IN_WINDOW_S`,
    /// `SIGN_IN_LIMIT_PER_ACCOUNT`, `SIGN_IN_LIMIT_PER_ADDRESS`).
    pub throttle: registry::throttle::Throttle,
    /// Peers whose `X-Forwarded-For` names the client (`TRUSTED_PROXIES`, addresses or
    /// networks); from anyone else the header is ignored.
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// Where mail goes (`SMTP_URL`, e.g. `smtps://user:pass@mail.example`); without it each
    /// message is written to [`AccountSettings::mail_dir`].
    pub smtp_url: Option<String>,
    /// `MAIL_DIR`, `data/mail` by default.
    pub mail_dir: std::path::PathBuf,
    /// The sender of the portal's mail (`MAIL_FROM`).
    pub mail_from: String,
}

impl Default for AccountSettings {
    fn default() -> AccountSettings {
        AccountSettings {
            throttle: registry::throttle::Throttle::default(),
            trusted_proxies: Vec::new(),
            smtp_url: None,
            mail_dir: "data/mail".into(),
            mail_from: "Robot Passport <no-reply@robopass.example>".into(),
        }
    }
}

impl std::fmt::Debug for AccountSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccountSettings")
            .field("throttle", &self.throttle)
            .field("trusted_proxies", &self.trusted_proxies)
            .field(
                "smtp_url",
                &self
                    .smtp_url
                    .as_ref()
                    .map(|u| format!("{}://(not shown)", u.split("://").next().unwrap_or("?"))),
            )
            .field("mail_dir", &self.mail_dir)
            .field("mail_from", &self.mail_from)
            .finish()
    }
}

impl AccountSettings {
    fn from_env() -> anyhow::Result<AccountSettings> {
        let default = AccountSettings::default();
        let whole = |name: &str, low: u64, high: u64, default: u64| -> anyhow::Result<u64> {
            let wants = format!("a whole number from {low} to {high}");
            let v = parsed::<u64>(name, &wants)?.unwrap_or(default);
            if !(low..=high).contains(&v) {
                anyhow::bail!("{name} must be {wants}");
            }
            Ok(v)
        };
        let throttle = registry::throttle::Throttle {
            window_s: whole("SIGN_IN_WINDOW_S", 1, 86_400, default.throttle.window_s)?,
            per_account: whole(
                "SIGN_IN_LIMIT_PER_ACCOUNT",
                1,
                1_000_000,
                default.throttle.per_account.into(),
            )? as u32,
            per_address: whole(
                "SIGN_IN_LIMIT_PER_ADDRESS",
                1,
                1_000_000,
                default.throttle.per_address.into(),
            )? as u32,
        };
        let trusted_proxies = list("TRUSTED_PROXIES")
            .iter()
            .map(|p| {
                p.parse::<ipnet::IpNet>()
                    .or_else(|_| p.parse::<std::net::IpAddr>().map(ipnet::IpNet::from))
                    .map_err(|_| anyhow::anyhow!("TRUSTED_PROXIES must list addresses or networks, e.g. 10.0.0.1,10.1.0.0/16 (not {p:?})"))
            })
            .collect::<anyhow::Result<_>>()?;
        let smtp_url = var("SMTP_URL");
        if let Some(url) = &smtp_url {
            if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                anyhow::bail!("SMTP_URL must start with smtp:// or smtps://");
            }
        }
        let mail_from = var("MAIL_FROM").unwrap_or(default.mail_from);
        if mail_from.parse::<lettre::message::Mailbox>().is_err() {
            anyhow::bail!(
                "MAIL_FROM must be an address, e.g. Robot Passport <no-reply@robopass.example>"
            );
        }
        Ok(AccountSettings {
            throttle,
            trusted_proxies,
            smtp_url,
            mail_dir: var("MAIL_DIR").map_or(default.mail_dir, Into::into),
            mail_from,
        })
    }
}

/// How long a request body may stall between two pieces before the request is refused (408).
pub const DEFAULT_BODY_READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(20);

/// Everything but the signing key, which is never printed.
impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            // The URL may hold the database password: the scheme says enough.
            .field(
                "database_url",
                &format!("{}://(not shown)", registry::url_scheme(&self.database_url)),
            )
            .field("site_addr", &self.site_addr)
            .field("site_root", &self.site_root)
            .field("public_origin", &self.public_origin)
            .field("demo_robots", &self.demo_robots)
            .field("page_cache_ms", &self.page_cache_ms)
            .field("page_cache_bytes", &self.page_cache_bytes)
            .field("reference_cache_ms", &self.reference_cache_ms)
            .field("db_max_connections", &self.db_max_connections)
            .field(
                "signing_key",
                &self.signing_key.as_ref().map(|_| "(set, not shown)"),
            )
            .field("signing_key_file", &self.signing_key_file)
            .field("retired_signing_keys", &self.retired_signing_keys)
            .field(
                "share_code_key",
                &self.share_code_key.as_ref().map(|_| "(set, not shown)"),
            )
            .field("allowed_hosts", &self.allowed_hosts)
            .field("decoder_exe", &self.decoder_exe)
            .field("body_read_timeout", &self.body_read_timeout)
            .field("accounts", &self.accounts)
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

/// A comma-separated list from the variable `name`, blanks left out.
fn list(name: &str) -> Vec<String> {
    var(name)
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|k| !k.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Robots the embedded default database is filled with on first start.
pub const DEFAULT_DEMO_ROBOTS: u64 = 28_000;

/// Demo robots for an empty registry unless `DEMO_ROBOTS` says otherwise: the embedded default
/// database only. A database named by `DATABASE_URL` must never be filled with fictitious
/// robots whose labels the server then signs, unless someone asks for them.
fn default_demo_robots(database_url: Option<&str>) -> u64 {
    match database_url {
        None => DEFAULT_DEMO_ROBOTS,
        Some(_) => 0,
    }
}

impl Config {
    pub fn from_env() -> anyhow::Result<Config> {
        let database_url = var("DATABASE_URL");
        let demo_default = default_demo_robots(database_url.as_deref());
        let config = Config {
            database_url: database_url.unwrap_or_else(|| "sqlite://data/robopass.db".into()),
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
            demo_robots: parsed("DEMO_ROBOTS", "a whole number")?.unwrap_or(demo_default),
            page_cache_ms: cache_ms("PAGE_CACHE_MS", 1000)?,
            page_cache_bytes: parsed::<u64>("PAGE_CACHE_MB", "a whole number of megabytes, 1 to 65536")?
                .map(|mb| {
                    if (1..=65_536).contains(&mb) {
                        Ok(mb * 1024 * 1024)
                    } else {
                        Err(anyhow::anyhow!("PAGE_CACHE_MB must be a whole number of megabytes, 1 to 65536"))
                    }
                })
                .transpose()?
                .unwrap_or(crate::middleware::page_cache::DEFAULT_BYTES),
            reference_cache_ms: cache_ms("REFERENCE_CACHE_MS", 30_000)?,
            db_max_connections: parsed("DB_MAX_CONNECTIONS", "a whole number")?,
            signing_key: var("SIGNING_KEY"),
            signing_key_file: var("SIGNING_KEY_FILE")
                .unwrap_or_else(|| "data/signing-key.json".into()),
            retired_signing_keys: list("RETIRED_SIGNING_KEYS"),
            share_code_key: var("SHARE_CODE_KEY"),
            allowed_hosts: list("ALLOWED_HOSTS")
                .into_iter()
                .map(|h| h.to_ascii_lowercase())
                .collect(),
            decoder_exe: None,
            body_read_timeout: parsed::<u64>("BODY_READ_TIMEOUT_S", "a whole number of seconds, 1 to 600")?
                .map(|s| {
                    if (1..=600).contains(&s) {
                        Ok(std::time::Duration::from_secs(s))
                    } else {
                        Err(anyhow::anyhow!("BODY_READ_TIMEOUT_S must be a whole number of seconds, 1 to 600"))
                    }
                })
                .transpose()?
                .unwrap_or(DEFAULT_BODY_READ_TIMEOUT),
            accounts: AccountSettings::from_env()?,
        };
        config.check_exposure()?;
        Ok(config)
    }

    /// Refuse to serve beyond this machine without `PUBLIC_ORIGIN`: labels would point at the
    /// listen address, and nothing would say which hosts are the registry's.
    pub fn check_exposure(&self) -> anyhow::Result<()> {
        if self.public_origin.is_none() && !self.site_addr.ip().is_loopback() {
            anyhow::bail!(
                "LEPTOS_SITE_ADDR is {}, which other machines can reach, but PUBLIC_ORIGIN is not set. \
                 Set PUBLIC_ORIGIN to the address people reach the portal at (e.g. https://robopass.example), \
                 or listen on 127.0.0.1 only",
                self.site_addr
            );
        }
        Ok(())
    }

    /// The registry's own hosts, given the address it listens on, and the origin its labels
    /// point to (`PUBLIC_ORIGIN`, else the listen address). The hosts are `PUBLIC_ORIGIN`'s,
    /// those in `ALLOWED_HOSTS`, and a loopback listen address (reachable from this machine
    /// only) under its number and as `localhost`. Requests for any other `Host` are refused,
    /// and only links to these count as the registry's.
    pub fn our_hosts(&self, addr: SocketAddr) -> OurHosts {
        let origin = self
            .public_origin
            .clone()
            .unwrap_or_else(|| format!("http://{addr}"));
        let mut more = self.allowed_hosts.clone();
        if addr.ip().is_loopback() {
            more.push(addr.to_string());
            more.push(format!("localhost:{}", addr.port()));
        }
        OurHosts::new(&origin, more)
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

    fn config(site_addr: &str, public_origin: Option<&str>) -> Config {
        Config {
            database_url: "sqlite://data/robopass.db".into(),
            site_addr: site_addr.parse().unwrap(),
            site_root: "target/site".into(),
            public_origin: public_origin.map(str::to_string),
            demo_robots: 0,
            page_cache_ms: 1000,
            page_cache_bytes: crate::middleware::page_cache::DEFAULT_BYTES,
            reference_cache_ms: 30_000,
            db_max_connections: None,
            signing_key: None,
            signing_key_file: "data/signing-key.json".into(),
            retired_signing_keys: Vec::new(),
            share_code_key: None,
            allowed_hosts: vec!["portal.internal".into()],
            decoder_exe: None,
            body_read_timeout: DEFAULT_BODY_READ_TIMEOUT,
            accounts: AccountSettings::default(),
        }
    }

    #[test]
    fn demo_data_is_for_the_embedded_default_only() {
        assert_eq!(default_demo_robots(None), DEFAULT_DEMO_ROBOTS);
        assert_eq!(default_demo_robots(Some("sqlite://data/robopass.db")), 0);
        assert_eq!(default_demo_robots(Some("postgres://db/registry")), 0);
    }

    #[test]
    fn serving_beyond_this_machine_needs_a_public_origin() {
        assert!(config("127.0.0.1:3000", None).check_exposure().is_ok());
        assert!(config("[::1]:3000", None).check_exposure().is_ok());
        let err = config("0.0.0.0:3000", None).check_exposure().unwrap_err();
        assert!(
            err.to_string().contains("PUBLIC_ORIGIN is not set"),
            "{err}"
        );
        assert!(config("0.0.0.0:3000", Some("https://robopass.example"))
            .check_exposure()
            .is_ok());
    }

    #[test]
    fn the_registry_hosts_are_the_configured_ones() {
        let public = config("0.0.0.0:3000", Some("https://Robopass.Example"));
        let hosts = public.our_hosts("10.1.2.3:3000".parse().unwrap());
        assert_eq!(hosts.names(), ["robopass.example", "portal.internal"]);
        assert_eq!(hosts.origin(), "https://Robopass.Example");
        assert!(hosts.https());
        let local = config("127.0.0.1:3000", None);
        let hosts = local.our_hosts("127.0.0.1:3000".parse().unwrap());
        assert_eq!(
            hosts.names(),
            ["127.0.0.1:3000", "portal.internal", "localhost:3000"]
        );
        assert_eq!(hosts.origin(), "http://127.0.0.1:3000");
        assert!(!hosts.https());
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
            page_cache_bytes: crate::middleware::page_cache::DEFAULT_BYTES,
            reference_cache_ms: 30_000,
            db_max_connections: None,
            signing_key: Some("secret-seed".into()),
            signing_key_file: "data/signing-key.json".into(),
            retired_signing_keys: Vec::new(),
            share_code_key: None,
            allowed_hosts: Vec::new(),
            decoder_exe: None,
            body_read_timeout: DEFAULT_BODY_READ_TIMEOUT,
            accounts: AccountSettings::default(),
        };
        let printed = format!("{config:?}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(!printed.contains("secret-seed"), "{printed}");
        assert!(printed.contains("postgres://"), "{printed}");
    }
}
