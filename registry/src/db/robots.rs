//! The robots: a profile's own row, which IDs are registered, counts, and the facts that decide
//! many robots' statuses at once.

use super::recalls::OPEN_RECALL_COUNT;
use super::Pool;
use crate::domain::RobotId;
use sqlx::{Any, Executor};

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
    pub confirmed_incidents: i64,
}

/// Everything on the profile that belongs to the robot itself, in one round trip: the robot,
/// its role, data notice, latest inspection, and how many recalls are open for it (listed by
/// [`super::open_recalls`] only when there are any). The parties and things it refers to (model,
/// maker, operator, venue, data controller, inspection body) come by id, resolved through
/// [`super::ReferenceCache`].
#[tracing::instrument(skip(db))]
pub async fn profile_row<'e>(
    db: impl Executor<'e, Database = Any>,
    id: &RobotId,
    incidents_since: &str,
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
                {OPEN_RECALL_COUNT} AS open_recalls,
                (SELECT COUNT(*) FROM lifecycle_entries e WHERE e.robot_id = r.id
                    AND e.kind IN ('incident_reported', 'incident_confirmed')
                    AND e.occurred_at >= $2)
                    AS confirmed_incidents
         FROM robots r
         LEFT JOIN permitted_roles pr ON pr.robot_id = r.id
         LEFT JOIN data_notices dn ON dn.robot_id = r.id
         LEFT JOIN inspections li ON li.id = (SELECT i.id FROM inspections i WHERE i.robot_id = r.id
                                              ORDER BY i.inspected_on DESC, i.id DESC LIMIT 1)
         WHERE r.robot_id = $1"
    ))
    .bind(id.as_str())
    .bind(incidents_since)
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

static STATUS_FACTS_OF: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| format!("{} WHERE r.robot_id = $1", status_facts_select()));

/// Status facts of the robot `robot_id`, if it is registered.
/// On one connection (the lookups' own: see `db::lookup_pool`).
pub async fn status_facts_on(
    conn: &mut sqlx::AnyConnection,
    robot_id: &str,
) -> Result<Option<StatusFactsRow>, sqlx::Error> {
    sqlx::query_as(STATUS_FACTS_OF.as_str())
        .bind(robot_id)
        .fetch_optional(conn)
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
