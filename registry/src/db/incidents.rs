//! Incident reports, their events and their photos.

use super::Pool;
use sqlx::{Any, Transaction};

/// What a report needs to know of its robot.
#[derive(sqlx::FromRow, Debug, Clone)]
pub struct RobotFacts {
    pub pk: i64,
    pub robot_id: String,
    pub model_name: String,
    pub venue_name: Option<String>,
    pub venue_address: Option<String>,
    pub venue_city: Option<String>,
}

pub async fn robot_facts(pool: &Pool, robot_id: &str) -> Result<Option<RobotFacts>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.id AS pk, r.robot_id, m.name AS model_name,
                v.name AS venue_name, v.address AS venue_address, v.city AS venue_city
         FROM robots r JOIN models m ON m.id = r.model_id LEFT JOIN venues v ON v.id = r.venue_id
         WHERE r.robot_id = $1",
    )
    .bind(robot_id)
    .fetch_optional(pool)
    .await
}

/// A new report's columns.
pub struct NewReportRow<'a> {
    pub robot_pk: i64,
    pub reporter: i64,
    pub occurred_at: &'a str,
    pub place: &'a str,
    pub category: &'a str,
    pub severity: &'a str,
    pub near_miss: bool,
    pub description: &'a str,
    pub contact_preference: &'a str,
    pub phone: Option<&'a str>,
    pub share_contact: bool,
    pub now: &'a str,
}

pub async fn insert_report(
    tx: &mut Transaction<'_, Any>,
    r: &NewReportRow<'_>,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO incident_reports (robot_id, reporter_id, occurred_at, place, category,
             severity, near_miss, description, contact_preference, phone, share_contact, status,
             created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'submitted', $12, $12)
         RETURNING id",
    )
    .bind(r.robot_pk)
    .bind(r.reporter)
    .bind(r.occurred_at)
    .bind(r.place)
    .bind(r.category)
    .bind(r.severity)
    .bind(i64::from(r.near_miss))
    .bind(r.description)
    .bind(r.contact_preference)
    .bind(r.phone.map(str::to_string))
    .bind(i64::from(r.share_contact))
    .bind(r.now)
    .fetch_one(&mut **tx)
    .await
}

/// Append an event to a report's history (and note the report changed).
pub async fn insert_event(
    tx: &mut Transaction<'_, Any>,
    report: i64,
    at: &str,
    person: i64,
    org: Option<i64>,
    kind: &str,
    note: &str,
) -> Result<i64, sqlx::Error> {
    let id = sqlx::query_scalar(
        "INSERT INTO incident_events (report_id, at, person_id, org_id, kind, note)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(report)
    .bind(at)
    .bind(person)
    .bind(org)
    .bind(kind)
    .bind(note)
    .fetch_one(&mut **tx)
    .await?;
    sqlx::query("UPDATE incident_reports SET updated_at = $1 WHERE id = $2")
        .bind(at)
        .bind(report)
        .execute(&mut **tx)
        .await?;
    Ok(id)
}

pub async fn insert_photo(
    tx: &mut Transaction<'_, Any>,
    report: i64,
    event: i64,
    jpeg: &[u8],
    width: u32,
    height: u32,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO incident_photos (report_id, event_id, jpeg, width, height)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(report)
    .bind(event)
    .bind(jpeg.to_vec())
    .bind(i64::from(width))
    .bind(i64::from(height))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn photo_count(tx: &mut Transaction<'_, Any>, report: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT COUNT(*) FROM incident_photos WHERE report_id = $1")
        .bind(report)
        .fetch_one(&mut **tx)
        .await
}

/// A report with what its readers may be shown of its robot and reporter.
#[derive(sqlx::FromRow, Debug, Clone)]
pub struct ReportRow {
    pub id: i64,
    pub robot_id: String,
    pub operator_id: Option<i64>,
    pub manufacturer_id: i64,
    pub model_name: String,
    pub operator_name: Option<String>,
    pub reporter_id: i64,
    pub reporter_name: String,
    pub reporter_email: String,
    pub occurred_at: String,
    pub place: String,
    pub category: String,
    pub severity: String,
    pub near_miss: i64,
    pub description: String,
    pub contact_preference: String,
    pub phone: Option<String>,
    pub share_contact: i64,
    pub status: String,
    pub confirmed_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

const REPORT_COLUMNS: &str = "ir.id, r.robot_id, r.operator_id, m.manufacturer_id,
    m.name AS model_name, o.name AS operator_name, ir.reporter_id,
    p.display_name AS reporter_name, p.email AS reporter_email, ir.occurred_at, ir.place,
    ir.category, ir.severity, ir.near_miss, ir.description, ir.contact_preference, ir.phone,
    ir.share_contact, ir.status, ir.confirmed_at, ir.created_at, ir.updated_at";

const REPORT_JOINS: &str = "incident_reports ir JOIN robots r ON r.id = ir.robot_id
    JOIN models m ON m.id = r.model_id LEFT JOIN organisations o ON o.id = r.operator_id
    JOIN people p ON p.id = ir.reporter_id";

pub async fn report(pool: &Pool, id: i64) -> Result<Option<ReportRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {REPORT_COLUMNS} FROM {REPORT_JOINS} WHERE ir.id = $1"
    ))
    .bind(id)
    .fetch_optional(pool)
    .await
}

/// Which reports a list holds.
#[derive(Clone, Copy, Debug)]
pub enum Among {
    /// Filed by this person.
    ReportedBy(i64),
    /// On robots this organisation operates.
    OperatedBy(i64),
    /// On models this organisation makes.
    MadeBy(i64),
    /// Still being handled (their workflow not ended), on robots deployed at this venue now.
    OpenAtVenue(i64),
    /// All of them.
    All,
}

/// Reports on the venue's robots whose workflow has not ended, filtered here, before the limit
/// (filtered after it, 200 newer closed reports would hide every open one). The closed
/// statuses are the vocabulary's own machine names, not input, and the rule stays
/// `IncidentStatus::is_closed`.
static OPEN_AT_VENUE: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    use crate::domain::vocabulary::{IncidentStatus, Word};
    let closed: Vec<String> = IncidentStatus::all()
        .iter()
        .filter(|s| s.is_closed())
        .map(|s| format!("'{}'", s.name()))
        .collect();
    format!(
        "r.venue_id = $1 AND ir.status NOT IN ({})",
        closed.join(", ")
    )
});

/// The newest reports (at most `limit`) among `among`.
pub async fn reports(pool: &Pool, among: Among, limit: i64) -> Result<Vec<ReportRow>, sqlx::Error> {
    let (filter, key) = match among {
        Among::ReportedBy(p) => ("ir.reporter_id = $1", p),
        Among::OperatedBy(o) => ("r.operator_id = $1", o),
        Among::MadeBy(o) => ("m.manufacturer_id = $1", o),
        Among::OpenAtVenue(v) => (OPEN_AT_VENUE.as_str(), v),
        Among::All => ("$1 = $1", 0),
    };
    sqlx::query_as(&format!(
        "SELECT {REPORT_COLUMNS} FROM {REPORT_JOINS} WHERE {filter} ORDER BY ir.id DESC LIMIT $2"
    ))
    .bind(key)
    .bind(limit)
    .fetch_all(pool)
    .await
}

#[derive(sqlx::FromRow, Debug, Clone)]
pub struct EventRow {
    pub id: i64,
    pub at: String,
    pub person_name: String,
    pub org_name: Option<String>,
    pub kind: String,
    pub note: String,
}

pub async fn events(pool: &Pool, report: i64) -> Result<Vec<EventRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT e.id, e.at, p.display_name AS person_name, o.name AS org_name,
                e.kind, e.note
         FROM incident_events e JOIN people p ON p.id = e.person_id
         LEFT JOIN organisations o ON o.id = e.org_id
         WHERE e.report_id = $1 ORDER BY e.id",
    )
    .bind(report)
    .fetch_all(pool)
    .await
}

/// A report's photos: id and the event that added it.
pub async fn photos(pool: &Pool, report: i64) -> Result<Vec<(i64, i64)>, sqlx::Error> {
    sqlx::query_as("SELECT id, event_id FROM incident_photos WHERE report_id = $1 ORDER BY id")
        .bind(report)
        .fetch_all(pool)
        .await
}

pub async fn photo(pool: &Pool, report: i64, photo: i64) -> Result<Option<Vec<u8>>, sqlx::Error> {
    sqlx::query_scalar("SELECT jpeg FROM incident_photos WHERE report_id = $1 AND id = $2")
        .bind(report)
        .bind(photo)
        .fetch_optional(pool)
        .await
}

/// Move a report from `from` to `to`; `false` when it no longer stands at `from`.
pub async fn move_status(
    tx: &mut Transaction<'_, Any>,
    report: i64,
    from: &str,
    to: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE incident_reports SET status = $1 WHERE id = $2 AND status = $3")
        .bind(to)
        .bind(report)
        .bind(from)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Mark a report confirmed; `false` when it was already (or has been dismissed).
pub async fn mark_confirmed(
    tx: &mut Transaction<'_, Any>,
    report: i64,
    now: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE incident_reports SET confirmed_at = $1
         WHERE id = $2 AND confirmed_at IS NULL AND status <> 'dismissed'",
    )
    .bind(now)
    .bind(report)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The reporter has seen the report's history up to `event`.
pub async fn mark_seen(pool: &Pool, report: i64, event: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE incident_reports SET reporter_seen_event = $1
         WHERE id = $2 AND reporter_seen_event < $1",
    )
    .bind(event)
    .bind(report)
    .execute(pool)
    .await?;
    Ok(())
}

/// What awaits someone: reports newly submitted on an operator's robots.
pub async fn new_for_operator(
    pool: &Pool,
    org: i64,
    limit: i64,
) -> Result<Vec<ReportRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {REPORT_COLUMNS} FROM {REPORT_JOINS}
         WHERE r.operator_id = $1 AND ir.status = 'submitted' ORDER BY ir.id LIMIT $2"
    ))
    .bind(org)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// Reports a regulator has yet to confirm (or leave): neither confirmed nor dismissed.
pub async fn to_confirm(pool: &Pool, limit: i64) -> Result<Vec<ReportRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {REPORT_COLUMNS} FROM {REPORT_JOINS}
         WHERE ir.confirmed_at IS NULL AND ir.status <> 'dismissed' ORDER BY ir.id LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// A reporter's reports with steps by others they have not seen yet.
pub async fn changed_for_reporter(
    pool: &Pool,
    person: i64,
    limit: i64,
) -> Result<Vec<ReportRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT {REPORT_COLUMNS} FROM {REPORT_JOINS}
         WHERE ir.reporter_id = $1 AND EXISTS (SELECT 1 FROM incident_events e
             WHERE e.report_id = ir.id AND e.id > ir.reporter_seen_event AND e.person_id <> $1)
         ORDER BY ir.id DESC LIMIT $2"
    ))
    .bind(person)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// How many of each of the three above there are, for the page header's count.
pub async fn inbox_counts(
    pool: &Pool,
    person: i64,
    operator_orgs: &[i64],
    regulator: bool,
) -> Result<i64, sqlx::Error> {
    let mut total: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM incident_reports ir
         WHERE ir.reporter_id = $1 AND EXISTS (SELECT 1 FROM incident_events e
             WHERE e.report_id = ir.id AND e.id > ir.reporter_seen_event AND e.person_id <> $1)",
    )
    .bind(person)
    .fetch_one(pool)
    .await?;
    for org in operator_orgs {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM incident_reports ir JOIN robots r ON r.id = ir.robot_id
             WHERE r.operator_id = $1 AND ir.status = 'submitted'",
        )
        .bind(*org)
        .fetch_one(pool)
        .await?;
        total += n;
    }
    if regulator {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM incident_reports
             WHERE confirmed_at IS NULL AND status <> 'dismissed'",
        )
        .fetch_one(pool)
        .await?;
        total += n;
    }
    Ok(total)
}
