//! SQL, one small function per query. Runs on SQLite and PostgreSQL through sqlx's Any driver;
//! the integration suite runs on both, which keeps every statement portable.

pub mod batch;
mod lookup_pool;
pub mod record;
mod reference;

pub use lookup_pool::LookupPool;
pub use reference::{ReferenceCache, Wanted};

use crate::domain::RobotId;
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::migrate::Migrator;
use sqlx::ConnectOptions;
use sqlx::Executor;
use sqlx::{Any, AnyConnection, AnyPool};
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

/// How many recalls apply to robot `r` and are still open for it: recalls of its model that
/// are not closed, cover its serial (when they name a range) and have no remedy recorded for it.
const OPEN_RECALL_COUNT: &str = "(SELECT COUNT(*) FROM recalls c
       WHERE c.model_id = r.model_id AND c.closed_on IS NULL
         AND (c.serial_from IS NULL OR (c.serial_from <= r.serial AND r.serial <= c.serial_to))
         AND NOT EXISTS (SELECT 1 FROM recall_remedies rr
                         WHERE rr.recall_id = c.id AND rr.robot_id = r.id))";

#[derive(sqlx::FromRow, Debug)]
pub struct ProfileRow {
    pub id: i64,
    pub production_year: i64,
    pub country: String,
    pub lifecycle: String,
    pub next_inspection_due: Option<String>,
    pub record_entries: i64,
    pub record_updated_at: String,
    pub model_id: i64,
    pub serial: String,
    pub operator_id: Option<i64>,
    pub venue_id: Option<i64>,
    pub approved: Option<String>,
    pub not_approved: Option<String>,
    pub indoor_only: Option<i64>,
    pub supervised: Option<i64>,
    pub role_speed_cms: Option<i64>,
    pub hours: Option<String>,
    pub sensors: Option<String>,
    pub purpose: Option<String>,
    pub retention_days: Option<i64>,
    pub storage: Option<String>,
    pub controller_id: Option<i64>,
    pub rights_contact: Option<String>,
    pub insp_date: Option<String>,
    pub insp_result: Option<String>,
    pub insp_next_due: Option<String>,
    pub insp_body_id: Option<i64>,
    pub open_recalls: i64,
}

/// Everything on the profile that belongs to the robot itself, in one round trip: the robot,
/// its role, data notice, latest inspection, and how many recalls are open for it (listed by
/// [`open_recalls`] only when there are any). The parties and things it refers to (model,
/// maker, operator, venue, data controller, inspection body) come by id, resolved through
/// [`ReferenceCache`].
#[tracing::instrument(skip(db))]
pub async fn profile_row<'e>(
    db: impl Executor<'e, Database = Any>,
    id: &RobotId,
) -> Result<Option<ProfileRow>, sqlx::Error> {
    sqlx::query_as::<_, ProfileRow>(&format!(
        "SELECT r.id, r.production_year, r.country, r.lifecycle, r.next_inspection_due,
                r.record_entries, r.record_updated_at, r.model_id, r.serial, r.operator_id,
                r.venue_id,
                pr.approved, pr.not_approved, pr.indoor_only, pr.supervised,
                pr.max_speed_cms AS role_speed_cms, pr.hours,
                dn.sensors, dn.purpose, dn.retention_days, dn.storage, dn.controller_id,
                dn.rights_contact,
                li.inspected_on AS insp_date, li.result AS insp_result, li.next_due AS insp_next_due,
                li.body_id AS insp_body_id,
                {OPEN_RECALL_COUNT} AS open_recalls
         FROM robots r
         LEFT JOIN permitted_roles pr ON pr.robot_id = r.id
         LEFT JOIN data_notices dn ON dn.robot_id = r.id
         LEFT JOIN inspections li ON li.id = (SELECT i.id FROM inspections i WHERE i.robot_id = r.id
                                              ORDER BY i.inspected_on DESC, i.id DESC LIMIT 1)
         WHERE r.robot_id = $1"
    ))
    .bind(id.as_str())
    .fetch_optional(db)
    .await
}

#[derive(sqlx::FromRow, Debug)]
pub struct RecallRow {
    pub reference: String,
    pub issued_on: String,
    pub hazard: String,
    pub remedy: String,
}

/// Recalls that cover the robot (its model, and its serial when the recall names a range),
/// are not closed, and have no remedy recorded for it.
#[tracing::instrument(skip(db))]
pub async fn open_recalls<'e>(
    db: impl Executor<'e, Database = Any>,
    robot_pk: i64,
    model_id: i64,
    serial: &str,
) -> Result<Vec<RecallRow>, sqlx::Error> {
    sqlx::query_as::<_, RecallRow>(
        "SELECT c.reference, c.issued_on, c.hazard, c.remedy
         FROM recalls c
         WHERE c.model_id = $1
           AND c.closed_on IS NULL
           AND (c.serial_from IS NULL OR (c.serial_from <= $2 AND $2 <= c.serial_to))
           AND NOT EXISTS (SELECT 1 FROM recall_remedies rr
                           WHERE rr.recall_id = c.id AND rr.robot_id = $3)
         ORDER BY c.issued_on DESC",
    )
    .bind(model_id)
    .bind(serial)
    .bind(robot_pk)
    .fetch_all(db)
    .await
}

#[derive(sqlx::FromRow, Debug, Clone)]
pub struct RegulatorRow {
    pub name: String,
    pub hotline: Option<String>,
}

#[tracing::instrument(skip(db))]
pub async fn regulator<'e>(
    db: impl Executor<'e, Database = Any>,
) -> Result<Option<RegulatorRow>, sqlx::Error> {
    sqlx::query_as::<_, RegulatorRow>(
        "SELECT name, hotline FROM organisations WHERE kind = 'regulator' ORDER BY id LIMIT 1",
    )
    .fetch_optional(db)
    .await
}

/// Which of `ids` are registered (one query, however many candidates).
#[tracing::instrument(skip(db, ids))]
pub async fn registered_among<'e>(
    db: impl Executor<'e, Database = Any>,
    ids: &[RobotId],
) -> Result<Vec<RobotId>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT robot_id FROM robots WHERE robot_id IN ({}) ORDER BY robot_id",
        placeholders.join(", ")
    );
    let mut q = sqlx::query_scalar::<_, String>(&sql);
    for id in ids {
        q = q.bind(id.as_str());
    }
    let found: Vec<String> = q.fetch_all(db).await?;
    Ok(found
        .into_iter()
        .filter_map(|s| RobotId::parse(&s).ok())
        .collect())
}

/// Whether nothing at all has been loaded yet (a half-finished load is not empty).
pub async fn registry_is_empty(pool: &Pool) -> Result<bool, sqlx::Error> {
    let orgs = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM organisations")
        .fetch_one(pool)
        .await?;
    Ok(orgs == 0)
}

pub async fn robot_count(pool: &Pool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM robots")
        .fetch_one(pool)
        .await
}

pub async fn max_robot_pk(pool: &Pool) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar::<_, i64>("SELECT COALESCE(MAX(id), 0) FROM robots")
        .fetch_one(pool)
        .await
}

/// The facts that decide a robot's status, for listing many robots at once.
#[derive(sqlx::FromRow, Debug)]
pub struct StatusFactsRow {
    pub robot_id: String,
    pub lifecycle: String,
    pub next_inspection_due: Option<String>,
    pub open_recalls: i64,
}

fn status_facts_select() -> String {
    format!("SELECT r.robot_id, r.lifecycle, r.next_inspection_due, {OPEN_RECALL_COUNT} AS open_recalls FROM robots r")
}

/// Status facts for robots with primary keys in `(after, after + limit]`, in key order.
pub async fn status_facts_range(
    pool: &Pool,
    after: i64,
    limit: i64,
) -> Result<Vec<StatusFactsRow>, sqlx::Error> {
    sqlx::query_as::<_, StatusFactsRow>(&format!(
        "{} WHERE r.id > $1 AND r.id <= $2 ORDER BY r.id",
        status_facts_select()
    ))
    .bind(after)
    .bind(after + limit)
    .fetch_all(pool)
    .await
}

/// Status facts for the robots with the given primary keys.
pub async fn status_facts_for(
    pool: &Pool,
    pks: &[i64],
) -> Result<Vec<StatusFactsRow>, sqlx::Error> {
    if pks.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=pks.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "{} WHERE r.id IN ({}) ORDER BY r.id",
        status_facts_select(),
        placeholders.join(", ")
    );
    let mut q = sqlx::query_as::<_, StatusFactsRow>(&sql);
    for pk in pks {
        q = q.bind(*pk);
    }
    q.fetch_all(pool).await
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
