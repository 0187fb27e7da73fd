//! The registry's reference data (organisations, models, venues, the regulator), kept in the
//! process for a short while so the per-profile query reads only what belongs to the robot.
//!
//! Why: on PostgreSQL the profile's twelve-table join spent most of its time starting the
//! executor and locking 21 tables and indexes, more than a backend's fast-path lock slots;
//! the five joins to `organisations`, the model and the venue were most of that (see
//! bench/README.md). Those rows are few, shared by many robots and rarely change.
//!
//! What a visitor can rely on: who a robot belongs to, where it stands and which model it is
//! are read from the robot's own row on every lookup, so they are always current. Only the
//! details of those parties (an operator's phone numbers, a venue's address, a model's
//! figures, the regulator's hotline) may be up to the time-to-live old. A time-to-live of zero
//! turns the cache off.

use super::RegulatorRow;
use moka::sync::Cache;
use sqlx::{Any, AnyConnection, Executor};
use std::sync::Arc;
use std::time::Duration;

/// Entries kept at most, per kind; a row here is a few hundred bytes.
const CAPACITY: u64 = 100_000;

#[derive(sqlx::FromRow, Debug)]
pub struct ModelRow {
    pub id: i64,
    pub manufacturer_id: i64,
    pub code: String,
    pub name: String,
    pub robot_type: String,
    pub height_cm: i64,
    pub mass_kg: i64,
    pub max_speed_cms: i64,
    pub payload_kg: i64,
    pub battery_wh: i64,
    pub dof: i64,
    pub autonomy_level: i64,
    pub stop_method: String,
}

#[derive(sqlx::FromRow, Debug)]
pub struct OrgRow {
    pub id: i64,
    pub name: String,
    pub code: Option<String>,
    pub country: String,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub emergency_phone: Option<String>,
    pub complaint_email: Option<String>,
    pub website: Option<String>,
}

#[derive(sqlx::FromRow, Debug)]
pub struct VenueRow {
    pub slug: Option<String>,
    pub name: String,
    pub kind: String,
    pub address: String,
    pub city: String,
}

/// The references a robot's row holds, to be resolved.
#[derive(Debug, Clone, Copy)]
pub struct Wanted {
    pub model: i64,
    pub operator: Option<i64>,
    pub venue: Option<i64>,
    pub controller: Option<i64>,
    pub inspection_body: Option<i64>,
}

/// The rows behind [`Wanted`].
#[derive(Debug)]
pub struct Refs {
    pub model: Arc<ModelRow>,
    pub manufacturer: Arc<OrgRow>,
    pub operator: Option<Arc<OrgRow>>,
    pub venue: Option<Arc<VenueRow>>,
    pub controller: Option<Arc<OrgRow>>,
    pub inspection_body: Option<Arc<OrgRow>>,
}

pub struct ReferenceCache {
    enabled: bool,
    models: Cache<i64, Arc<ModelRow>>,
    orgs: Cache<i64, Arc<OrgRow>>,
    venues: Cache<i64, Arc<VenueRow>>,
    regulator: Cache<(), Arc<RegulatorRow>>,
}

impl std::fmt::Debug for ReferenceCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReferenceCache")
            .field("enabled", &self.enabled)
            .finish_non_exhaustive()
    }
}

fn cache<K, V>(ttl: Duration, capacity: u64) -> Cache<K, Arc<V>>
where
    K: std::hash::Hash + Eq + Send + Sync + 'static,
    V: Send + Sync + 'static,
{
    Cache::builder()
        .max_capacity(capacity)
        .time_to_live(ttl.max(Duration::from_millis(1)))
        .build()
}

impl ReferenceCache {
    /// Rows are kept for `ttl` after they were read; zero keeps nothing.
    pub fn new(ttl: Duration) -> ReferenceCache {
        ReferenceCache {
            enabled: !ttl.is_zero(),
            models: cache(ttl, CAPACITY),
            orgs: cache(ttl, CAPACITY),
            venues: cache(ttl, CAPACITY),
            regulator: cache(ttl, 1),
        }
    }

    /// The rows `want` names: from the cache, and what it lacks in one query per table.
    pub async fn resolve(
        &self,
        conn: &mut AnyConnection,
        want: Wanted,
    ) -> Result<Refs, sqlx::Error> {
        let model = match self.models.get(&want.model) {
            Some(model) => model,
            None => {
                let model = Arc::new(model_row(&mut *conn, want.model).await?);
                self.keep(&self.models, model.id, model.clone());
                model
            }
        };
        let org_ids = [
            Some(model.manufacturer_id),
            want.operator,
            want.controller,
            want.inspection_body,
        ];
        let mut orgs: Vec<Arc<OrgRow>> = Vec::with_capacity(org_ids.len());
        let mut missing: Vec<i64> = Vec::new();
        for id in org_ids.into_iter().flatten() {
            match self.orgs.get(&id) {
                Some(org) => orgs.push(org),
                None if !missing.contains(&id) => missing.push(id),
                None => {}
            }
        }
        if !missing.is_empty() {
            for org in org_rows(&mut *conn, &missing).await? {
                let org = Arc::new(org);
                self.keep(&self.orgs, org.id, org.clone());
                orgs.push(org);
            }
        }
        let org = |id: Option<i64>| -> Result<Option<Arc<OrgRow>>, sqlx::Error> {
            match id {
                None => Ok(None),
                Some(id) => orgs
                    .iter()
                    .find(|o| o.id == id)
                    .cloned()
                    .map(Some)
                    .ok_or(sqlx::Error::RowNotFound),
            }
        };
        let venue = match want.venue {
            None => None,
            Some(id) => Some(match self.venues.get(&id) {
                Some(venue) => venue,
                None => {
                    let venue = Arc::new(venue_row(&mut *conn, id).await?);
                    self.keep(&self.venues, id, venue.clone());
                    venue
                }
            }),
        };
        Ok(Refs {
            manufacturer: org(Some(model.manufacturer_id))?.ok_or(sqlx::Error::RowNotFound)?,
            operator: org(want.operator)?,
            controller: org(want.controller)?,
            inspection_body: org(want.inspection_body)?,
            model,
            venue,
        })
    }

    /// The regulator the profile and the "not registered" page point to, if one is registered.
    pub async fn regulator(
        &self,
        conn: &mut AnyConnection,
    ) -> Result<Option<Arc<RegulatorRow>>, sqlx::Error> {
        if let Some(regulator) = self.regulator.get(&()) {
            return Ok(Some(regulator));
        }
        let Some(regulator) = super::regulator(&mut *conn).await? else {
            // Not kept: one may be registered any moment (the demo data loads after start).
            return Ok(None);
        };
        let regulator = Arc::new(regulator);
        if self.enabled {
            self.regulator.insert((), regulator.clone());
        }
        Ok(Some(regulator))
    }

    /// Forget what was read of the organisation `id` (its contacts changed).
    pub fn forget_organisation(&self, id: i64) {
        self.orgs.invalidate(&id);
    }

    fn keep<V: Send + Sync + 'static>(&self, cache: &Cache<i64, Arc<V>>, id: i64, row: Arc<V>) {
        if self.enabled {
            cache.insert(id, row);
        }
    }
}

#[tracing::instrument(skip(db))]
async fn model_row<'e>(
    db: impl Executor<'e, Database = Any>,
    id: i64,
) -> Result<ModelRow, sqlx::Error> {
    sqlx::query_as::<_, ModelRow>(
        "SELECT id, manufacturer_id, code, name, robot_type, height_cm, mass_kg, max_speed_cms,
                payload_kg, battery_wh, dof, autonomy_level, stop_method
         FROM models WHERE id = $1",
    )
    .bind(id)
    .fetch_one(db)
    .await
}

#[tracing::instrument(skip(db))]
async fn org_rows<'e>(
    db: impl Executor<'e, Database = Any>,
    ids: &[i64],
) -> Result<Vec<OrgRow>, sqlx::Error> {
    let placeholders: Vec<String> = (1..=ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT id, name, code, country, phone, email, emergency_phone, complaint_email, website
         FROM organisations WHERE id IN ({})",
        placeholders.join(", ")
    );
    let mut q = sqlx::query_as::<_, OrgRow>(&sql);
    for id in ids {
        q = q.bind(*id);
    }
    q.fetch_all(db).await
}

#[tracing::instrument(skip(db))]
async fn venue_row<'e>(
    db: impl Executor<'e, Database = Any>,
    id: i64,
) -> Result<VenueRow, sqlx::Error> {
    sqlx::query_as::<_, VenueRow>(
        "SELECT slug, name, kind, address, city FROM venues WHERE id = $1",
    )
    .bind(id)
    .fetch_one(db)
    .await
}
