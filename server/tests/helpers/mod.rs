#![allow(dead_code)] // Each test binary uses its own share of these helpers.
//! Start the real application on a free port with a database of its own, filled with a small
//! demo registry.

pub mod photo;

/// The tests' own connections to the registry's database, for looking at (and tampering
/// with) its rows directly: the server's pool is the registry's own and not handed out.
pub type Pool = sqlx::AnyPool;
use domain::Status;
use server::config::Config;
use server::startup::Application;
use std::collections::HashSet;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Robots in each test registry: enough for every status and for confusable neighbours.
const ROBOTS: u64 = 300;

pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub client: reqwest::Client,
    pub pool: Pool,
    /// The registry the server runs on, for use cases without an HTTP route yet.
    pub registry: registry::Registry,
    /// Where its database is, for a second instance on the same one.
    pub database_url: String,
    pub page_cache: Option<std::sync::Arc<server::middleware::page_cache::PageCache>>,
    demo: Vec<(Status, String)>,
    all: HashSet<String>,
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub fn id_for(&self, status: Status) -> String {
        self.demo
            .iter()
            .find(|(s, _)| *s == status)
            .map(|(_, id)| id.clone())
            .unwrap_or_else(|| panic!("no demo robot with status {status:?}"))
    }

    pub fn registered(&self, id: &str) -> bool {
        self.all.contains(id)
    }

    /// A well-formed ID one confusable character away from `id` that is not registered.
    pub fn unregistered_neighbour(&self, id: &str) -> String {
        domain::RobotId::parse(id)
            .expect("a valid ID")
            .confusable_neighbours()
            .into_iter()
            .map(|n| n.to_string())
            .find(|n| !self.registered(n))
            .expect("an unregistered neighbour")
    }

    /// Where this app writes its mail (no SMTP server in tests).
    pub fn mail_dir(&self) -> std::path::PathBuf {
        self._dir.path().join("mail")
    }

    /// A person with a confirmed address and this password.
    pub async fn add_person(&self, email: &str, name: &str, password: &str) -> i64 {
        registry::accounts::add_person(self.registry.database(), email, name, password, true)
            .await
            .expect("a new person")
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.get_with(path, &[]).await
    }

    /// The JSON body of `path`, whatever its status.
    pub async fn get_json(&self, path: &str) -> serde_json::Value {
        self.get(path).await.json().await.expect("a JSON body")
    }

    /// `POST /api/v1/scan` with `body` as the photo.
    pub async fn scan(&self, body: Vec<u8>) -> reqwest::Response {
        self.client
            .post(format!("{}/api/v1/scan", self.base))
            .body(body)
            .send()
            .await
            .expect("request reaches the server")
    }

    /// [`TestApp::scan`]'s status and JSON body.
    pub async fn scan_json(&self, body: Vec<u8>) -> (u16, serde_json::Value) {
        let resp = self.scan(body).await;
        let status = resp.status().as_u16();
        (status, resp.json().await.expect("a JSON body"))
    }

    pub async fn get_with(&self, path: &str, headers: &[(&str, &str)]) -> reqwest::Response {
        let mut req = self.client.get(format!("{}{path}", self.base));
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send().await.expect("request reaches the server")
    }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

pub enum Db {
    Sqlite,
    Postgres(String),
    /// The database another test app runs on (a second instance).
    Shared(String),
}

/// A PostgreSQL database made for one test, when TEST_POSTGRES_URL names a server. Without
/// it the PostgreSQL half of a test is skipped, except under CI (`CI` set, as `.ci/run` does),
/// where a skipped half would pass a run that tested nothing: there it fails.
pub async fn fresh_postgres() -> Option<String> {
    use sqlx::Connection;
    let Some(admin) = std::env::var("TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
    else {
        assert!(
            std::env::var("CI").map_or(true, |v| v.is_empty()),
            "CI is set but TEST_POSTGRES_URL is not: the PostgreSQL half of this test would be skipped"
        );
        return None;
    };
    let name = format!(
        "robopass_test_{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0)
    );
    let mut conn = sqlx::PgConnection::connect(&admin)
        .await
        .expect("TEST_POSTGRES_URL reachable");
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("create test database");
    let base = admin
        .rsplit_once('/')
        .map(|(b, _)| b.to_string())
        .unwrap_or(admin);
    Some(format!("{base}/{name}"))
}

pub async fn spawn_app(db: Db) -> TestApp {
    spawn_app_with(db, |_| {}).await
}

/// [`spawn_app`] with settings changed by `adjust` first.
pub async fn spawn_app_with(db: Db, adjust: impl FnOnce(&mut Config)) -> TestApp {
    spawn(db, adjust, true).await
}

/// A second instance on `app`'s database, with settings changed by `adjust`.
pub async fn spawn_second(app: &TestApp, adjust: impl FnOnce(&mut Config)) -> TestApp {
    spawn(Db::Shared(app.database_url.clone()), adjust, false).await
}

/// The application on a database that already holds a registry (loaded by another app).
pub async fn spawn_app_unseeded(db: Db) -> TestApp {
    spawn(db, |_| {}, false).await
}

async fn own_pool(database_url: &str) -> Pool {
    sqlx::any::install_default_drivers();
    sqlx::any::AnyPoolOptions::new()
        .max_connections(4)
        .connect(database_url)
        .await
        .expect("the test's own connection to the registry's database")
}

async fn spawn(db: Db, adjust: impl FnOnce(&mut Config), load_demo: bool) -> TestApp {
    // The server's warnings and errors go to the test's own output, which is shown when the
    // test fails (a request that failed or hung says why). A test binary that installs its own
    // subscriber first keeps it.
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .try_init();
    let dir = tempfile::tempdir().expect("temp dir");
    let database_url = match db {
        Db::Sqlite => format!("sqlite://{}/robopass.db", dir.path().display()),
        Db::Postgres(url) | Db::Shared(url) => url,
    };
    let config = Config {
        database_url,
        site_addr: "127.0.0.1:0".parse().unwrap(),
        site_root: std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "../target/site".into()),
        public_origin: Some("https://robopass.example".into()),
        demo_robots: 0,
        page_cache_ms: 1000,
        page_cache_bytes: server::middleware::page_cache::DEFAULT_BYTES,
        reference_cache_ms: 30_000,
        db_max_connections: Some(5),
        // A fixed key, so labels and the photos made of them are the same on every run.
        signing_key: Some("7".repeat(64)),
        signing_key_file: dir.path().join("signing-key.json").display().to_string(),
        retired_signing_keys: Vec::new(),
        share_code_key: None,
        allowed_hosts: Vec::new(),
        // Photos are read by the real program, as in production.
        decoder_exe: Some(env!("CARGO_BIN_EXE_robopass").into()),
        body_read_timeout: server::config::DEFAULT_BODY_READ_TIMEOUT,
        accounts: server::config::AccountSettings {
            mail_dir: dir.path().join("mail"),
            ..Default::default()
        },
    };
    let mut config = config;
    adjust(&mut config);
    let database_url = config.database_url.clone();
    let application = Application::build(config)
        .await
        .expect("application builds");
    let registry = application.state.registry.clone();
    if load_demo {
        registry::seed::seed(registry.database(), ROBOTS, &|_| {})
            .await
            .expect("seed");
        registry::demo_accounts::seed_share_codes(registry.database(), registry.keys())
            .await
            .expect("demo share codes");
    }
    let today = registry::services::today();
    let demo: Vec<(Status, String)> =
        registry::services::demo_ids_per_status(registry.database(), &today)
            .await
            .expect("demo ids")
            .into_iter()
            .map(|(s, id)| (s, id.to_string()))
            .collect();
    let pool = own_pool(&database_url).await;
    let all: HashSet<String> = sqlx::query_scalar::<_, String>("SELECT robot_id FROM robots")
        .fetch_all(&pool)
        .await
        .expect("ids")
        .into_iter()
        .collect();
    let addr = application.addr;
    let page_cache = application.page_cache.clone();
    tokio::spawn(application.run_until_stopped());
    TestApp {
        addr,
        base: format!("http://{addr}"),
        client: reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            // A request that hangs fails its test instead of stalling the whole run.
            .timeout(std::time::Duration::from_secs(60))
            .build()
            .unwrap(),
        pool,
        registry: registry.clone(),
        database_url,
        page_cache,
        demo,
        all,
        _dir: dir,
    }
}

/// The text of an HTML page, tags removed (an ID is split into groups by markup).
pub fn text_of(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

/// How the page writes text: the same escaping the HTML renderer applies.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('\'', "&#39;")
}

pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// Run one behaviour against SQLite, and against PostgreSQL when TEST_POSTGRES_URL is set.
#[allow(unused_macros)] // Not every test binary runs checks on both databases.
macro_rules! on_both {
    ($check:ident) => {
        $crate::helpers::on_both!($check, |_| {});
    };
    // With settings changed first, as `spawn_app_with` does.
    ($check:ident, $adjust:expr) => {
        mod $check {
            #[tokio::test]
            async fn sqlite() {
                let app = crate::helpers::spawn_app_with(crate::helpers::Db::Sqlite, $adjust).await;
                super::$check(&app).await;
            }

            #[tokio::test]
            async fn postgres() {
                let Some(url) = crate::helpers::fresh_postgres().await else {
                    eprintln!("TEST_POSTGRES_URL not set: PostgreSQL run skipped");
                    return;
                };
                let app =
                    crate::helpers::spawn_app_with(crate::helpers::Db::Postgres(url), $adjust)
                        .await;
                super::$check(&app).await;
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use on_both;

/// The session cookie's name: the test registry's origin is https.
pub const COOKIE: &str = "__Host-robopass_session";
pub const SAME_SITE: (&str, &str) = ("sec-fetch-site", "same-origin");

/// A demo account's e-mail address and password (`robopass demo-accounts`).
pub fn demo(role: &str) -> (String, String) {
    let dashed = role.replace('_', "-");
    (
        format!("{dashed}@demo.robopass.example"),
        format!("demo-{dashed}-2026"),
    )
}

/// Sign in through the form: the session token.
pub async fn sign_in(app: &TestApp, email: &str, password: &str) -> String {
    let resp = app
        .client
        .post(format!("{}/account/sign-in", app.base))
        .header(SAME_SITE.0, SAME_SITE.1)
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303, "{email} signs in");
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| {
            let v = c.strip_prefix(&format!("{COOKIE}="))?;
            Some(v.split(';').next()?.to_string())
        })
        .expect("a session")
}

/// How an API request acts: as nobody, through a session, or with an API token.
#[derive(Clone, Copy, Debug)]
pub enum Auth<'a> {
    Nobody,
    Session(&'a str),
    Bearer(&'a str),
}

/// Call the JSON API as `auth`: the status and the answer (its text, when it is not JSON).
/// Whatever answers someone is never stored: that is checked on every call.
pub async fn api(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    body: Option<serde_json::Value>,
    auth: Auth<'_>,
) -> (u16, serde_json::Value) {
    let mut req = app
        .client
        .request(method, format!("{}{path}", app.base))
        .header(SAME_SITE.0, SAME_SITE.1)
        .header("accept-language", "en");
    if let Some(b) = body {
        req = req.json(&b);
    }
    req = match auth {
        Auth::Nobody => req,
        Auth::Session(s) => req.header("cookie", format!("{COOKIE}={s}")),
        Auth::Bearer(t) => req.header("authorization", format!("Bearer {t}")),
    };
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    if !matches!(auth, Auth::Nobody) {
        let cache = resp
            .headers()
            .get("cache-control")
            .and_then(|v| v.to_str().ok());
        assert_eq!(cache, Some("private, no-store"), "{path}");
    }
    let text = resp.text().await.unwrap();
    let value = serde_json::from_str(&text).unwrap_or(serde_json::Value::String(text));
    (status, value)
}

/// The sessions of the demo accounts, by role.
pub async fn demo_sessions(
    app: &TestApp,
    roles: &[&str],
) -> std::collections::HashMap<String, String> {
    let mut sessions = std::collections::HashMap::new();
    for role in roles {
        let (email, password) = demo(role);
        sessions.insert(role.to_string(), sign_in(app, &email, &password).await);
    }
    sessions
}
