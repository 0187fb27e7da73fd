//! What a public answer the same for everyone (a venue's page, a robot's badge) shows is read
//! at most once a second per key: as a profile page is trusted for a second, so is a venue's
//! list or a badge's status. A busy venue's page costs one read a second, not one a visitor.
//!
//! Reads are coalesced (moka's `try_get_with`): when the second runs out under load, the
//! first request reads and the others arriving meanwhile wait for that one read instead of
//! each reading again (a venue of 500 robots is 500 rows handed from the database). A read
//! that fails is not kept: the next request tries again.

use registry::Error;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// How long a value, once read, is shown: as long as a profile page is trusted.
pub const FRESH: Duration = Duration::from_secs(1);

/// Values read within the last second, by key (`None`: nothing there, also kept a second).
/// Shared, not copied: the cache travels with every request that reads it (an `Extension`), and
/// a moka cache's own clone is a dozen atomic counts on counters every request shares (a
/// tenth of a badge's time on two cores).
pub struct Fresh<V>(Arc<moka::future::Cache<String, Option<Arc<V>>>>);

impl<V> Clone for Fresh<V> {
    fn clone(&self) -> Self {
        Fresh(self.0.clone())
    }
}

impl<V: Send + Sync + 'static> Fresh<V> {
    /// A cache of at most `capacity` keys.
    pub fn new(capacity: u64) -> Self {
        Fresh(Arc::new(
            moka::future::Cache::builder()
                .max_capacity(capacity)
                .time_to_live(FRESH)
                .build(),
        ))
    }

    /// The value at `key` as read at most a second ago, reading it with `read` when it is not
    /// (once, however many requests ask meanwhile). `read`'s `NotFound` is kept as `None`;
    /// any other error is not kept and comes back as `Unavailable` (logged here).
    pub async fn get<F, Fut>(&self, key: &str, read: F) -> Result<Option<Arc<V>>, Error>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, Error>>,
    {
        let reading = async move {
            match read().await {
                Ok(v) => Ok(Some(Arc::new(v))),
                Err(Error::NotFound(_)) => Ok(None),
                Err(e) => Err(e),
            }
        };
        self.0.try_get_with_by_ref(key, reading).await.map_err(|e| {
            tracing::warn!(error = %e, "a public answer could not be read");
            Error::Unavailable
        })
    }
}
