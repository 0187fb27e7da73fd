//! Robot Passport's registry: what the portal does with its database, as plain async
//! functions (look a robot up, sign and check labels, seed a demo registry), server-only.
//! No HTTP and no words for people: the server and the app bring those.

/// The domain crate, under the path these modules have always used.
pub(crate) use ::domain;

pub mod accounts;
pub mod api_tokens;
mod db;
pub mod demo_accounts;
pub mod error;
pub mod filing;
pub mod incidents;
pub mod labels;
pub mod provenance;
pub mod recalls;
pub mod record;
pub mod seed;
pub mod services;
pub mod share_codes;
pub mod throttle;
pub mod units;
pub mod venues;

pub use db::{url_scheme, Backend, ConnectError};
pub use error::Error;

use db::{LookupPool, Pool};
use domain::link::OurHosts;
use labels::Keyring;
use std::sync::Arc;

/// The registry a server runs on: its database (the general pool and the public lookup's own
/// connections), the keys its labels are signed and checked with, and the hosts that are its
/// own. Opened once at start-up; a copy is a reference count.
#[derive(Clone)]
pub struct Registry(Arc<Inner>);

struct Inner {
    database: Database,
    lookups: LookupPool,
    keys: Keyring,
    hosts: OurHosts,
    /// CSV imports of units running in this process, or lately finished.
    imports: units::Imports,
    /// Each model's current firmware release, for a minute (`provenance`).
    firmware: moka::sync::Cache<i64, Option<String>>,
    /// Each robot's last provenance report and what it was made from (`provenance::Made`).
    reports: moka::sync::Cache<i64, Arc<provenance::Made>>,
    /// The provenance audit log's writer.
    audit: provenance::AuditLog,
}

/// The registry's database, for the use cases that need no keys or hosts (seeding, demo IDs,
/// checking the record) and for the command line. Its SQL stays inside this crate: the pool is
/// not handed out.
#[derive(Clone)]
pub struct Database {
    pool: Pool,
    backend: Backend,
}

impl Database {
    /// Open the database named by `url` (`sqlite://path`, created when missing, or
    /// `postgres://…`) with at most `max_connections` (a default that suits the database when
    /// `None`), bringing its schema up to date.
    pub async fn open(url: &str, max_connections: Option<u32>) -> Result<Database, ConnectError> {
        let (pool, backend) = db::connect_and_migrate(url, max_connections).await?;
        Ok(Database { pool, backend })
    }

    pub(crate) fn pool(&self) -> &Pool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Whether nothing at all has been loaded yet (a half-finished load is not empty).
    pub async fn is_empty(&self) -> Result<bool, Error> {
        Ok(db::registry_is_empty(&self.pool).await?)
    }

    /// How many robots are registered.
    pub async fn robot_count(&self) -> Result<i64, Error> {
        Ok(db::robot_count(&self.pool).await?)
    }
}

/// How to open a [`Registry`]: the database and the pools over it.
pub struct Opening<'a> {
    /// `sqlite://path` (created when missing) or `postgres://…`.
    pub database_url: &'a str,
    /// Connections per pool; `None` picks a default that suits the database.
    pub max_connections: Option<u32>,
    /// How long the lookup keeps organisations, models and venues it has read.
    pub reference_ttl: std::time::Duration,
}

impl Registry {
    /// Open the database (bringing its schema up to date) and the lookup's connections.
    pub async fn open(
        opening: Opening<'_>,
        keys: Keyring,
        hosts: OurHosts,
    ) -> Result<Registry, ConnectError> {
        let database = Database::open(opening.database_url, opening.max_connections).await?;
        venues::fill_slugs(&database).await?;
        let lookups = db::lookup_pool(
            opening.database_url,
            opening.max_connections,
            opening.reference_ttl,
        )
        .await?;
        let audit = provenance::AuditLog::start(database.clone());
        Ok(Registry(Arc::new(Inner {
            audit,
            database,
            lookups,
            keys,
            hosts,
            imports: units::Imports::default(),
            firmware: moka::sync::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(std::time::Duration::from_secs(60))
                .build(),
            reports: moka::sync::Cache::builder()
                .max_capacity(64 * 1024 * 1024)
                .weigher(|_, made: &Arc<provenance::Made>| made.weight())
                .build(),
        })))
    }

    /// The database, for the use cases that take one.
    pub fn database(&self) -> &Database {
        &self.0.database
    }

    pub(crate) fn pool(&self) -> &Pool {
        self.0.database.pool()
    }

    /// The public lookup's connections (profile page and API), the hottest path.
    pub(crate) fn lookups(&self) -> &LookupPool {
        &self.0.lookups
    }

    pub fn backend(&self) -> Backend {
        self.0.database.backend
    }

    /// The keys labels are signed and checked with.
    pub fn keys(&self) -> &Keyring {
        &self.0.keys
    }

    /// The registry's own hosts and the origin its labels point to.
    pub fn hosts(&self) -> &OurHosts {
        &self.0.hosts
    }

    pub(crate) fn imports(&self) -> &units::Imports {
        &self.0.imports
    }

    pub(crate) fn firmware(&self) -> &moka::sync::Cache<i64, Option<String>> {
        &self.0.firmware
    }

    pub(crate) fn reports(&self) -> &moka::sync::Cache<i64, Arc<provenance::Made>> {
        &self.0.reports
    }

    pub(crate) fn audit(&self) -> &provenance::AuditLog {
        &self.0.audit
    }
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("backend", &self.0.database.backend)
            .field("hosts", &self.0.hosts)
            .finish_non_exhaustive()
    }
}
