//! The public lookup's own connections.
//!
//! sqlx's pool tests every connection with a round trip to the database each time it is handed
//! back. On the profile, the busiest path there is, that doubled the database's work per lookup
//! (strace of a PostgreSQL backend: the query, then a lone `Sync` and its `ReadyForQuery`). The
//! lookup therefore keeps its connections in a deadpool pool that tests a connection only when
//! it has sat idle for a while, and drops one as soon as it fails in a way that leaves it
//! unusable. Everything else (migrations, the seeder, the scanner's checks) keeps sqlx's pool.

use super::{prepare_connection, Backend, ReferenceCache};
use deadpool::managed::{self, Metrics, Object, PoolError, RecycleResult};
use sqlx::any::AnyConnectOptions;
use sqlx::{AnyConnection, ConnectOptions, Connection};
use std::future::Future;
use std::time::Duration;

/// A connection unused for longer than this is tested (one round trip) before it is lent out:
/// the server or something between may have closed it meanwhile.
const IDLE_CHECK: Duration = Duration::from_secs(30);
/// How long a lookup waits for a free connection, or for a new one to open, before it fails
/// (the page then says the registry is unavailable).
const WAIT: Duration = Duration::from_secs(10);
/// Longest one lookup may take on a connection. A lookup is a few indexed reads (milliseconds);
/// one that runs longer is stuck on that connection, and is tried once more on a new one, so a
/// visitor gets an answer well within the request's time limit.
const WORK_LIMIT: Duration = Duration::from_secs(10);

pub struct Connections {
    options: AnyConnectOptions,
    backend: Backend,
    /// Connections made before this instant are not lent out again: a lookup timed out on one
    /// of them, and a connection dropped mid-conversation cannot be told from the others.
    retired_before: std::sync::Mutex<Option<std::time::Instant>>,
}

impl Connections {
    fn retire_all(&self) {
        if let Ok(mut before) = self.retired_before.lock() {
            *before = Some(std::time::Instant::now());
        }
    }
}

impl std::fmt::Debug for Connections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The options hold the database password.
        f.debug_struct("Connections")
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl managed::Manager for Connections {
    type Type = AnyConnection;
    type Error = sqlx::Error;

    async fn create(&self) -> Result<AnyConnection, sqlx::Error> {
        let mut conn = self.options.connect().await?;
        prepare_connection(&mut conn, self.backend).await?;
        Ok(conn)
    }

    async fn recycle(
        &self,
        conn: &mut AnyConnection,
        metrics: &Metrics,
    ) -> RecycleResult<sqlx::Error> {
        let retired = self
            .retired_before
            .lock()
            .ok()
            .and_then(|before| *before)
            .is_some_and(|before| metrics.created <= before);
        if retired {
            return Err(managed::RecycleError::message(
                "made before a lookup timed out",
            ));
        }
        if metrics.last_used() > IDLE_CHECK {
            conn.ping().await?;
        }
        Ok(())
    }
}

/// Connections for [`crate::services::lookup`], and the reference data it has read lately.
/// Cheap to clone (one shared pool and cache).
#[derive(Clone, Debug)]
pub struct LookupPool {
    pool: managed::Pool<Connections>,
    reference: std::sync::Arc<ReferenceCache>,
}

impl LookupPool {
    pub(super) fn new(
        options: AnyConnectOptions,
        backend: Backend,
        max: u32,
        reference_ttl: Duration,
    ) -> Result<LookupPool, sqlx::Error> {
        let pool = managed::Pool::builder(Connections {
            options,
            backend,
            retired_before: std::sync::Mutex::new(None),
        })
        .max_size(max.max(1) as usize)
        .runtime(deadpool::Runtime::Tokio1)
        .wait_timeout(Some(WAIT))
        .create_timeout(Some(WAIT))
        .recycle_timeout(Some(WAIT))
        .build()
        .map_err(|e| sqlx::Error::Configuration(e.into()))?;
        Ok(LookupPool {
            pool,
            reference: std::sync::Arc::new(ReferenceCache::new(reference_ttl)),
        })
    }

    /// Organisations, models, venues and the regulator, as recently read.
    pub fn reference(&self) -> &std::sync::Arc<ReferenceCache> {
        &self.reference
    }

    /// Open the first connection now, so the first visitor does not wait for it and a
    /// database that cannot be reached is reported at start.
    pub(super) async fn warm(&self) -> Result<(), sqlx::Error> {
        self.pool.get().await.map(drop).map_err(pool_error)
    }

    /// Run `work` on one connection, in a task of its own: a visitor who hangs up mid-lookup
    /// drops the request, never a connection halfway through a conversation with the database.
    /// A connection that fails below SQL (I/O, protocol: the database restarted, say) is closed
    /// with every idle one beside it, and `work` runs once more on a new connection, so the
    /// visitor never sees the failure of a connection that was already dead.
    pub async fn run<T, F, Fut>(&self, work: F) -> Result<T, sqlx::Error>
    where
        T: Send + 'static,
        F: Fn(Object<Connections>) -> Fut + Send + 'static,
        Fut: Future<Output = (Object<Connections>, Result<T, sqlx::Error>)> + Send + 'static,
    {
        let pool = self.pool.clone();
        // The task keeps the request's span, so its statements and warnings are logged with it.
        let task = tokio::spawn(tracing::Instrument::in_current_span(async move {
            let mut tries = 0;
            loop {
                tries += 1;
                let conn = pool.get().await.map_err(pool_error)?;
                let Ok((conn, result)) = tokio::time::timeout(WORK_LIMIT, work(conn)).await else {
                    // The connection went down with the abandoned work; it and every other
                    // made so far are closed instead of being lent out again.
                    pool.manager().retire_all();
                    pool.retain(|_, _| false);
                    if tries == 2 {
                        return Err(sqlx::Error::PoolTimedOut);
                    }
                    tracing::warn!(
                        limit_s = WORK_LIMIT.as_secs(),
                        "a lookup took too long on its connection; retrying on a new one"
                    );
                    continue;
                };
                match result {
                    Err(e) if broken(&e) => {
                        let _ = Object::take(conn);
                        pool.retain(|_, _| false);
                        if tries == 2 {
                            return Err(e);
                        }
                        tracing::warn!(error = %e, "a database connection failed; retrying on a new one");
                    }
                    result => return result,
                }
            }
        }));
        match task.await {
            Ok(result) => result,
            Err(e) => {
                tracing::error!(error = %e, "a lookup task failed");
                Err(sqlx::Error::WorkerCrashed)
            }
        }
    }
}

/// Whether `e` leaves the connection it happened on unfit for the next query.
fn broken(e: &sqlx::Error) -> bool {
    match e {
        // PostgreSQL says goodbye before it drops a connection (SQLSTATE class 57: the
        // administrator or a shutdown ended it; class 08: the connection itself failed).
        sqlx::Error::Database(db) => db
            .code()
            .is_some_and(|code| code.starts_with("57") || code.starts_with("08")),
        sqlx::Error::RowNotFound
        | sqlx::Error::ColumnNotFound(_)
        | sqlx::Error::ColumnIndexOutOfBounds { .. }
        | sqlx::Error::ColumnDecode { .. }
        | sqlx::Error::Encode(_)
        | sqlx::Error::Decode(_)
        | sqlx::Error::TypeNotFound { .. } => false,
        _ => true,
    }
}

fn pool_error(e: PoolError<sqlx::Error>) -> sqlx::Error {
    match e {
        PoolError::Backend(e) => e,
        PoolError::Closed => sqlx::Error::PoolClosed,
        PoolError::Timeout(_) => sqlx::Error::PoolTimedOut,
        // Neither can happen with the pool built in `new` (a runtime, no hooks).
        PoolError::NoRuntimeSpecified | PoolError::PostCreateHook(_) => {
            sqlx::Error::Configuration(e.to_string().into())
        }
    }
}
