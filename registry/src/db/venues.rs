//! Venues' rows: their slugs, and the robots deployed at one now.

use super::Pool;
use sqlx::{Any, Transaction};

/// Venues that have no slug yet: (id, name), by id.
pub async fn without_slug(pool: &Pool) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, name FROM venues WHERE slug IS NULL ORDER BY id")
        .fetch_all(pool)
        .await
}

/// Every slug given.
pub async fn slugs(pool: &Pool) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT slug FROM venues WHERE slug IS NOT NULL")
        .fetch_all(pool)
        .await
}

pub async fn set_slug(
    tx: &mut Transaction<'_, Any>,
    id: i64,
    slug: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE venues SET slug = $2 WHERE id = $1")
        .bind(id)
        .bind(slug)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

#[derive(sqlx::FromRow, Debug)]
pub struct VenueRow {
    pub id: i64,
    /// The organisation that runs it.
    pub org_id: i64,
    pub slug: String,
    pub name: String,
    pub kind: String,
    pub address: String,
    pub city: String,
    pub organisation: String,
}

/// The venue at `slug`, with the name of the organisation that runs it.
pub async fn venue(pool: &Pool, slug: &str) -> Result<Option<VenueRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT v.id, v.org_id, v.slug, v.name, v.kind, v.address, v.city, o.name AS organisation
         FROM venues v JOIN organisations o ON o.id = v.org_id
         WHERE v.slug = $1",
    )
    .bind(slug)
    .fetch_optional(pool)
    .await
}

#[derive(sqlx::FromRow, Debug)]
pub struct RobotAtVenue {
    pub robot_id: String,
    pub model: String,
    pub lifecycle: String,
    pub open_recalls: i64,
    pub next_inspection_due: Option<String>,
    /// The permitted role's approved roles, comma-joined machine names.
    pub approved: Option<String>,
}

static ROBOTS_AT: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "SELECT r.robot_id, m.name AS model, r.lifecycle, {} AS open_recalls,
                r.next_inspection_due, p.approved
         FROM robots r
         JOIN models m ON m.id = r.model_id
         LEFT JOIN permitted_roles p ON p.robot_id = r.id
         WHERE r.venue_id = $1
         ORDER BY r.robot_id",
        super::recalls::OPEN_RECALL_COUNT
    )
});

/// The robots deployed at the venue `venue` now (its row says so), by ID.
pub async fn robots_at(pool: &Pool, venue: i64) -> Result<Vec<RobotAtVenue>, sqlx::Error> {
    sqlx::query_as(ROBOTS_AT.as_str())
        .bind(venue)
        .fetch_all(pool)
        .await
}

#[derive(sqlx::FromRow, Debug)]
pub struct RecallAtRow {
    pub robot_id: String,
    pub reference: String,
    pub issued_on: String,
    pub hazard: String,
    pub remedy: String,
}

/// The open recalls on the robots deployed at the venue `venue` now (as a profile counts
/// them: the model, the serial when the recall names a range, no remedy recorded), newest
/// first.
pub async fn open_recalls_at(pool: &Pool, venue: i64) -> Result<Vec<RecallAtRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.robot_id, c.reference, c.issued_on, c.hazard, c.remedy
         FROM robots r JOIN recalls c ON c.model_id = r.model_id
         WHERE r.venue_id = $1 AND c.closed_on IS NULL
           AND (c.serial_from IS NULL OR (c.serial_from <= r.serial AND r.serial <= c.serial_to))
           AND NOT EXISTS (SELECT 1 FROM recall_remedies rr
                           WHERE rr.recall_id = c.id AND rr.robot_id = r.id)
         ORDER BY c.issued_on DESC, c.reference, r.robot_id",
    )
    .bind(venue)
    .fetch_all(pool)
    .await
}

/// The venues the organisation `org` runs, as (slug, name), by name.
pub async fn of_organisation(pool: &Pool, org: i64) -> Result<Vec<(String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT slug, name FROM venues WHERE org_id = $1 AND slug IS NOT NULL ORDER BY name, slug",
    )
    .bind(org)
    .fetch_all(pool)
    .await
}
