//! Provenance reports: what they are made from, the share codes that open them (kept as keyed
//! hashes), and the audit log of every opening.

use super::recalls::OPEN_RECALL_COUNT;
use super::Pool;

/// The robot's key and its owner, by ID.
pub async fn robot_owner(
    pool: &Pool,
    robot_id: &str,
) -> Result<Option<(i64, Option<i64>)>, sqlx::Error> {
    sqlx::query_as("SELECT id, owner_id FROM robots WHERE robot_id = $1")
        .bind(robot_id)
        .fetch_optional(pool)
        .await
}

pub struct NewCode<'a> {
    pub robot_pk: i64,
    pub hash: &'a str,
    pub org: i64,
    pub person: Option<i64>,
    pub created_at: &'a str,
    pub expires_at: &'a str,
}

/// Keep a new code: its number, or `None` when another code has the same hash.
pub async fn insert(pool: &Pool, c: &NewCode<'_>) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO share_codes (robot_id, code_hash, org_id, issued_by, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code_hash) DO NOTHING RETURNING id",
    )
    .bind(c.robot_pk)
    .bind(c.hash)
    .bind(c.org)
    .bind(c.person)
    .bind(c.created_at)
    .bind(c.expires_at)
    .fetch_optional(pool)
    .await
}

#[derive(sqlx::FromRow, Debug)]
pub struct CodeRow {
    pub id: i64,
    pub created_at: String,
    pub expires_at: String,
    pub revoked_at: Option<String>,
}

pub async fn list(pool: &Pool, robot_pk: i64) -> Result<Vec<CodeRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, created_at, expires_at, revoked_at FROM share_codes WHERE robot_id = $1
         ORDER BY id DESC LIMIT 200",
    )
    .bind(robot_pk)
    .fetch_all(pool)
    .await
}

pub async fn revoke_by_id(
    pool: &Pool,
    robot_pk: i64,
    id: i64,
    at: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE share_codes SET revoked_at = $3 WHERE robot_id = $1 AND id = $2 AND revoked_at IS NULL",
    )
    .bind(robot_pk)
    .bind(id)
    .bind(at)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}

pub async fn revoke_by_hash(
    pool: &Pool,
    robot_pk: i64,
    hash: &str,
    at: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE share_codes SET revoked_at = $3
         WHERE robot_id = $1 AND code_hash = $2 AND revoked_at IS NULL",
    )
    .bind(robot_pk)
    .bind(hash)
    .bind(at)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// A code found by its hash, with the robot's owner now.
#[derive(sqlx::FromRow, Debug)]
pub struct FoundCode {
    pub id: i64,
    pub robot_pk: i64,
    pub org_id: i64,
    pub owner: Option<i64>,
    pub expires_at: String,
    pub revoked_at: Option<String>,
}

pub async fn by_hash(pool: &Pool, hash: &str) -> Result<Option<FoundCode>, sqlx::Error> {
    sqlx::query_as(
        "SELECT s.id, s.robot_id AS robot_pk, s.org_id, r.owner_id AS owner, s.expires_at,
                s.revoked_at
         FROM share_codes s JOIN robots r ON r.id = s.robot_id WHERE s.code_hash = $1",
    )
    .bind(hash)
    .fetch_optional(pool)
    .await
}

pub struct Opening<'a> {
    pub robot_pk: i64,
    pub at: &'a str,
    pub person: Option<i64>,
    pub token: Option<i64>,
    pub org: Option<i64>,
    pub via: &'a str,
    pub share_code: Option<i64>,
}

/// Write `openings` to the audit log in one transaction.
pub async fn insert_openings(
    pool: &Pool,
    backend: super::Backend,
    openings: &[Opening<'_>],
) -> Result<(), sqlx::Error> {
    let mut rows = super::batch::Batch::new(
        "provenance_openings",
        &[
            "robot_id",
            "opened_at",
            "person_id",
            "token_id",
            "org_id",
            "via",
            "share_code_id",
        ],
    );
    for o in openings {
        rows.push(vec![
            o.robot_pk.into(),
            o.at.into(),
            o.person.into(),
            o.token.into(),
            o.org.into(),
            o.via.into(),
            o.share_code.into(),
        ]);
    }
    let mut tx = pool.begin().await?;
    rows.flush(&mut tx, backend).await?;
    tx.commit().await
}

/// An opening as the audit log shows it.
#[derive(sqlx::FromRow, Debug, Clone)]
pub struct OpeningRow {
    pub opened_at: String,
    pub via: String,
    pub person: Option<String>,
    pub organisation: Option<String>,
    pub share_code: Option<i64>,
}

pub async fn openings(
    pool: &Pool,
    robot_pk: i64,
    limit: i64,
) -> Result<Vec<OpeningRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT o.opened_at, o.via, p.display_name AS person, g.name AS organisation,
                o.share_code_id AS share_code
         FROM provenance_openings o
         LEFT JOIN people p ON p.id = o.person_id
         LEFT JOIN organisations g ON g.id = o.org_id
         WHERE o.robot_id = $1 ORDER BY o.id DESC LIMIT $2",
    )
    .bind(robot_pk)
    .bind(limit)
    .fetch_all(pool)
    .await
}

/// What a report says of the robot besides its entries, with its key and owner (who may open
/// it) and where its record's chain stands (read again after the entries).
#[derive(sqlx::FromRow, Debug)]
pub struct FactsRow {
    pub pk: i64,
    pub owner_id: Option<i64>,
    pub robot_id: String,
    pub serial: String,
    pub production_year: i64,
    pub model_id: i64,
    pub model: String,
    pub manufacturer_id: i64,
    pub manufacturer: String,
    pub lifecycle: String,
    pub next_inspection_due: Option<String>,
    pub record_entries: i64,
    pub record_head: String,
    pub open_recalls: i64,
}

pub async fn facts(pool: &Pool, robot_id: &str) -> Result<Option<FactsRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "SELECT r.id AS pk, r.owner_id, r.robot_id, r.serial, r.production_year, m.id AS model_id, m.name AS model,
                o.id AS manufacturer_id, o.name AS manufacturer, r.lifecycle,
                r.next_inspection_due, r.record_entries, r.record_head,
                {OPEN_RECALL_COUNT} AS open_recalls
         FROM robots r JOIN models m ON m.id = r.model_id
         JOIN organisations o ON o.id = m.manufacturer_id
         WHERE r.robot_id = $1"
    ))
    .bind(robot_id)
    .fetch_optional(pool)
    .await
}

/// The details of every firmware update filed for robots of the model, as one text (joined by
/// U+001E, which JSON text never holds unescaped): a row each would be a few hundred rows
/// handed over one by one for every report.
pub async fn model_firmware(
    pool: &Pool,
    backend: super::Backend,
    model_id: i64,
) -> Result<Vec<String>, sqlx::Error> {
    let sql = match backend {
        super::Backend::Sqlite => {
            "SELECT group_concat(e.details, char(30)) FROM robots r
             JOIN lifecycle_entries e ON e.robot_id = r.id AND e.kind = 'firmware_updated'
             WHERE r.model_id = $1"
        }
        super::Backend::Postgres => {
            "SELECT string_agg(e.details, chr(30)) FROM robots r
             JOIN lifecycle_entries e ON e.robot_id = r.id AND e.kind = 'firmware_updated'
             WHERE r.model_id = $1"
        }
    };
    let packed: Option<String> = sqlx::query_scalar(sql)
        .bind(model_id)
        .fetch_one(pool)
        .await?;
    Ok(packed
        .map(|p| p.split('\u{1e}').map(str::to_string).collect())
        .unwrap_or_default())
}

/// When someone tried to sell, lease, deploy or reinstate the scrapped robot and was refused.
pub async fn refused_resales(pool: &Pool, robot_id: &str) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT at FROM filing_refusals WHERE robot_id = $1 AND problem = 'robot_scrapped'
         ORDER BY id LIMIT 100",
    )
    .bind(robot_id)
    .fetch_all(pool)
    .await
}

/// The names of the organisations numbered `orgs` and of the venues numbered `venues`, in one
/// query: (is a venue, number, name).
pub async fn names(
    pool: &Pool,
    orgs: &[i64],
    venues: &[i64],
) -> Result<Vec<(i64, i64, String)>, sqlx::Error> {
    let mut out = Vec::new();
    // Bound parameters stay few per statement; a report names a few dozen at most.
    let (mut orgs, mut venues) = (orgs, venues);
    while !orgs.is_empty() || !venues.is_empty() {
        let (o, rest_o) = orgs.split_at(orgs.len().min(200));
        let (v, rest_v) = venues.split_at(venues.len().min(200));
        (orgs, venues) = (rest_o, rest_v);
        let marks = |from: usize, n: usize| {
            (from..from + n)
                .map(|i| format!("${i}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut parts = Vec::new();
        if !o.is_empty() {
            parts.push(format!(
                "SELECT 0 AS venue, id, name FROM organisations WHERE id IN ({})",
                marks(1, o.len())
            ));
        }
        if !v.is_empty() {
            parts.push(format!(
                "SELECT 1 AS venue, id, name FROM venues WHERE id IN ({})",
                marks(o.len() + 1, v.len())
            ));
        }
        let sql = parts.join(" UNION ALL ");
        let mut q = sqlx::query_as::<_, (i64, i64, String)>(&sql);
        for id in o.iter().chain(v) {
            q = q.bind(*id);
        }
        out.extend(q.fetch_all(pool).await?);
    }
    Ok(out)
}

/// The first scrapped robot that has an owner: its key, ID and owner.
pub async fn first_scrapped_robot(pool: &Pool) -> Result<Option<(i64, String, i64)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, robot_id, owner_id FROM robots
         WHERE lifecycle = 'scrapped' AND owner_id IS NOT NULL ORDER BY id LIMIT 1",
    )
    .fetch_optional(pool)
    .await
}

/// A demo code with every field given (its state set by its times), unless it is there.
pub struct DemoCode<'a> {
    pub robot_pk: i64,
    pub hash: &'a str,
    pub org: i64,
    pub person: Option<i64>,
    pub created_at: &'a str,
    pub expires_at: &'a str,
    pub revoked_at: Option<&'a str>,
}

pub async fn insert_demo_code(pool: &Pool, c: &DemoCode<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO share_codes (robot_id, code_hash, org_id, issued_by, created_at, expires_at,
             revoked_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (code_hash) DO NOTHING",
    )
    .bind(c.robot_pk)
    .bind(c.hash)
    .bind(c.org)
    .bind(c.person)
    .bind(c.created_at)
    .bind(c.expires_at)
    .bind(c.revoked_at)
    .execute(pool)
    .await?;
    Ok(())
}

/// The robot's first inspection entry: its number and details.
pub async fn first_inspection(
    pool: &Pool,
    robot_pk: i64,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT seq, details FROM lifecycle_entries WHERE robot_id = $1 AND kind = 'inspected'
         ORDER BY seq LIMIT 1",
    )
    .bind(robot_pk)
    .fetch_optional(pool)
    .await
}

/// The robots the organisation owns that are in service and not `except`, with at least one
/// inspection: keys and IDs, first first.
pub async fn inspected_robots_of(
    pool: &Pool,
    owner: i64,
    except: &str,
) -> Result<Vec<(i64, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.id, r.robot_id FROM robots r
         WHERE r.owner_id = $1 AND r.robot_id <> $2 AND r.lifecycle <> 'scrapped'
           AND EXISTS (SELECT 1 FROM lifecycle_entries e WHERE e.robot_id = r.id AND e.kind = 'inspected')
         ORDER BY r.id LIMIT 1",
    )
    .bind(owner)
    .bind(except)
    .fetch_all(pool)
    .await
}

/// Rewrite the details of the robot's entry `seq` in place, past the triggers that forbid it:
/// what someone holding the database's keys could do, for `robopass demo-tamper` to show how
/// the record gives it away. Never called by the portal.
pub async fn edit_entry_behind_the_portal(
    pool: &Pool,
    backend: super::Backend,
    robot_pk: i64,
    seq: i64,
    details: &str,
) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    let (off, on) = match backend {
        super::Backend::Postgres => (
            "ALTER TABLE lifecycle_entries DISABLE TRIGGER lifecycle_entries_no_rewrite",
            "ALTER TABLE lifecycle_entries ENABLE TRIGGER lifecycle_entries_no_rewrite",
        ),
        super::Backend::Sqlite => (
            "DROP TRIGGER lifecycle_entries_no_update",
            "CREATE TRIGGER lifecycle_entries_no_update BEFORE UPDATE ON lifecycle_entries
             BEGIN
                 SELECT RAISE(ABORT, 'lifecycle entries are append-only');
             END",
        ),
    };
    sqlx::query(off).execute(&mut *tx).await?;
    sqlx::query("UPDATE lifecycle_entries SET details = $3 WHERE robot_id = $1 AND seq = $2")
        .bind(robot_pk)
        .bind(seq)
        .bind(details)
        .execute(&mut *tx)
        .await?;
    sqlx::query(on).execute(&mut *tx).await?;
    tx.commit().await
}
