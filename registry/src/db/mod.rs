//! SQL, one small function per query, one file per aggregate (`robots`, `recalls`,
//! `organisations`, `record`, the lookup's `reference` data); this file opens the database.
//! Runs on SQLite and PostgreSQL through sqlx's Any driver; the integration suite runs on both,
//! which keeps every statement portable.

mod accounts;
pub mod batch;
pub mod filing;
pub mod incidents;
mod lookup_pool;
mod organisations;
pub mod provenance;
mod recalls;
pub mod record;
mod reference;
mod robots;
pub mod units;
pub mod venues;

pub use accounts::*;
pub use lookup_pool::LookupPool;
pub use organisations::*;
pub use recalls::*;
pub use reference::{ReferenceCache, Wanted};
pub use robots::*;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::ConnectOptions;
use sqlx::Executor;
use sqlx::{AnyConnection, AnyPool};
use std::str::FromStr;

pub type Pool = AnyPool;

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("../migrations/postgres");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The scheme of a database URL (`postgres`, `sqlite`, …): all of it that may be shown, as the
/// rest can hold a password.
pub fn url_scheme(url: &str) -> &str {
    url.split(':').next().unwrap_or_default()
}

impl Backend {
    pub fn of_url(url: &str) -> Option<Backend> {
        if url.starts_with("sqlite:") {
            Some(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Some(Backend::Postgres)
        } else {
            None
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    /// Names only the scheme: the rest of the URL may hold a password.
    #[error("DATABASE_URL must start with sqlite: or postgres:, not {0:?}")]
    UnknownScheme(String),
    #[error("could not create the folder for the database file {0}: {1}")]
    Folder(String, std::io::Error),
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

/// How to connect to the database named by `url` (creating the SQLite file's folder when
/// missing), and which backend that is.
fn connect_options(url: &str) -> Result<(AnyConnectOptions, Backend), ConnectError> {
    sqlx::any::install_default_drivers();
    let backend =
        Backend::of_url(url).ok_or_else(|| ConnectError::UnknownScheme(url_scheme(url).into()))?;
    let url = match backend {
        Backend::Sqlite => sqlite_url_with_create(url)?,
        Backend::Postgres => url.to_string(),
    };
    // Requests are logged by the server's tracing layer; statements only at TRACE (target
    // `sqlx::query`), for those who ask (and the test that counts a profile's queries): a bulk
    // load's statements run to megabytes.
    let options = AnyConnectOptions::from_str(&url)?
        .log_statements(log::LevelFilter::Trace)
        .log_slow_statements(log::LevelFilter::Off, std::time::Duration::from_secs(1));
    Ok((options, backend))
}

/// Connections used by default: 4 for SQLite (each connection is a thread; WAL readers run in
/// parallel, and more threads than cores only add switching) and 16 for PostgreSQL.
fn default_connections(backend: Backend) -> u32 {
    match backend {
        Backend::Sqlite => 4,
        Backend::Postgres => 16,
    }
}

/// What every new connection runs first, in either pool.
async fn prepare_connection(conn: &mut AnyConnection, backend: Backend) -> Result<(), sqlx::Error> {
    if backend == Backend::Sqlite {
        // Readers never wait for the writer; durability is kept at checkpoints.
        // recursive_triggers: a REPLACE that deletes a row fires its delete triggers too.
        conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000; PRAGMA recursive_triggers = ON;")
            .await?;
    } else {
        // The profile joins a dozen tables: planning it takes five times as long as running it
        // (1 ms against 0.2). Every query here looks rows up by key, so the plan made once per
        // connection for each prepared statement fits every parameter; never re-plan per
        // execution.
        conn.execute("SET plan_cache_mode = force_generic_plan")
            .await?;
    }
    Ok(())
}

/// Open the pool named by `url` and bring the schema up to date. `max_connections` defaults
/// to [`default_connections`].
#[tracing::instrument(skip(url))]
pub async fn connect_and_migrate(
    url: &str,
    max_connections: Option<u32>,
) -> Result<(Pool, Backend), ConnectError> {
    let (options, backend) = connect_options(url)?;
    let pool = AnyPoolOptions::new()
        .max_connections(max_connections.unwrap_or(default_connections(backend)))
        .after_connect(move |conn, _| Box::pin(prepare_connection(conn, backend)))
        .connect_with(options)
        .await?;
    let migrator = match backend {
        Backend::Sqlite => &SQLITE_MIGRATIONS,
        Backend::Postgres => &POSTGRES_MIGRATIONS,
    };
    if !schema_is_current(&pool, migrator).await {
        migrator.run(&pool).await?;
    }
    Ok((pool, backend))
}

/// Whether every migration is applied already, unchanged. Then nothing is run at all: the
/// portal may connect as a role that can read and write rows but not create or alter tables
/// (sqlx's migrator creates its own table first, which such a role may not).
async fn schema_is_current(pool: &Pool, migrator: &Migrator) -> bool {
    let applied: Vec<(i64, Vec<u8>)> =
        match sqlx::query_as("SELECT version, checksum FROM _sqlx_migrations WHERE success")
            .fetch_all(pool)
            .await
        {
            Ok(rows) => rows,
            // No table yet: a new database.
            Err(_) => return false,
        };
    let wanted: Vec<_> = migrator
        .iter()
        .filter(|m| m.migration_type.is_up_migration())
        .collect();
    wanted.len() == applied.len()
        && wanted.iter().all(|m| {
            applied
                .iter()
                .any(|(v, c)| *v == m.version && c.as_slice() == &*m.checksum)
        })
}

/// The public lookup's connections to the database named by `url`, its first one open (the
/// schema must already be there: see [`connect_and_migrate`]), keeping reference data it reads
/// for `reference_ttl` (see [`ReferenceCache`]).
pub async fn lookup_pool(
    url: &str,
    max_connections: Option<u32>,
    reference_ttl: std::time::Duration,
) -> Result<LookupPool, ConnectError> {
    let (options, backend) = connect_options(url)?;
    let pool = LookupPool::new(
        options,
        backend,
        max_connections.unwrap_or(default_connections(backend)),
        reference_ttl,
    )?;
    pool.warm().await?;
    Ok(pool)
}

fn sqlite_url_with_create(url: &str) -> Result<String, ConnectError> {
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:")
        .split('?')
        .next()
        .unwrap_or_default()
        .to_string();
    if path != ":memory:" && !path.is_empty() {
        if let Some(parent) = std::path::Path::new(&path).parent() {
            if !parent.as_os_str().is_empty() {
                std::fs::create_dir_all(parent)
                    .map_err(|e| ConnectError::Folder(path.clone(), e))?;
            }
        }
    }
    Ok(if url.contains("mode=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&mode=rwc")
    } else {
        format!("{url}?mode=rwc")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_scheme_is_named_without_the_rest_of_the_url() {
        let Err(err) = connect_options("mysql://robopass:hunter2@db.example/registry") else {
            panic!("a mysql URL was accepted");
        };
        let err = err.to_string();
        assert!(err.contains("\"mysql\""), "{err}");
        assert!(!err.contains("hunter2"), "the password leaked: {err}");
    }
}
