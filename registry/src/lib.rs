//! Robot Passport's registry: what the portal does with its database, as plain async
//! functions (look a robot up, sign and check labels, seed a demo registry), server-only.
//! No HTTP and no words for people: the server and the app bring those.

/// The domain crate, under the path these modules have always used.
pub(crate) use ::domain;

pub mod db;
pub mod error;
pub mod labels;
pub mod record;
pub mod seed;
pub mod services;

pub use error::Error;

use db::{Backend, ConnectError, LookupPool, Pool};
use domain::link::OurHosts;
use labels::Keyring;
use std::sync::Arc;

/// The registry a server runs on: its database (the general pool and the public lookup's own
/// connections), the keys its labels are signed and checked with, and the hosts that are its
/// own. Opened once at start-up; a copy is a reference count.
#[derive(Clone)]
pub struct Registry(Arc<Inner>);

struct Inner {
    pool: Pool,
    lookups: LookupPool,
    backend: Backend,
    keys: Keyring,
    hosts: OurHosts,
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
        let (pool, backend) =
            db::connect_and_migrate(opening.database_url, opening.max_connections).await?;
        let lookups = db::lookup_pool(
            opening.database_url,
            opening.max_connections,
            opening.reference_ttl,
        )
        .await?;
        Ok(Registry(Arc::new(Inner {
            pool,
            lookups,
            backend,
            keys,
            hosts,
        })))
    }

    pub fn pool(&self) -> &Pool {
        &self.0.pool
    }

    /// The public lookup's connections (profile page and API), the hottest path.
    pub fn lookups(&self) -> &LookupPool {
        &self.0.lookups
    }

    pub fn backend(&self) -> Backend {
        self.0.backend
    }

    /// The keys labels are signed and checked with.
    pub fn keys(&self) -> &Keyring {
        &self.0.keys
    }

    /// The registry's own hosts and the origin its labels point to.
    pub fn hosts(&self) -> &OurHosts {
        &self.0.hosts
    }
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("backend", &self.0.backend)
            .field("hosts", &self.0.hosts)
            .finish_non_exhaustive()
    }
}
