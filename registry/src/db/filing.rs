//! What filing reads besides the record itself: the robot's maker and model, the parties
//! engaged on it, the organisations, venues and recalls an entry names; what it writes beside
//! the entry (an inspection's row, a recall's remedy); engagements; refusals; API tokens.

use super::Pool;
use sqlx::{Any, Transaction};

/// What the party check and the rules need of a robot, besides its projection.
#[derive(sqlx::FromRow, Debug, Clone)]
pub struct RobotParties {
    pub manufacturer_id: i64,
    pub model_id: i64,
    pub serial: String,
}

pub async fn robot_parties(
    tx: &mut Transaction<'_, Any>,
    robot_pk: i64,
) -> Result<RobotParties, sqlx::Error> {
    sqlx::query_as(
        "SELECT m.manufacturer_id, r.model_id, r.serial
         FROM robots r JOIN models m ON m.id = r.model_id WHERE r.id = $1",
    )
    .bind(robot_pk)
    .fetch_one(&mut **tx)
    .await
}

/// The organisations engaged on the robot now.
pub async fn engaged(
    tx: &mut Transaction<'_, Any>,
    robot_pk: i64,
) -> Result<Vec<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT org_id FROM engagements WHERE robot_id = $1 AND ended_at IS NULL")
        .bind(robot_pk)
        .fetch_all(&mut **tx)
        .await
}

/// The kind of the organisation numbered `org` (`None`: there is none).
pub async fn org_kind(
    tx: &mut Transaction<'_, Any>,
    org: i64,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT kind FROM organisations WHERE id = $1")
        .bind(org)
        .fetch_optional(&mut **tx)
        .await
}

pub async fn venue_exists(tx: &mut Transaction<'_, Any>, venue: i64) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM venues WHERE id = $1")
        .bind(venue)
        .fetch_one(&mut **tx)
        .await?;
    Ok(n > 0)
}

/// A recall as filing checks a remedy against it.
#[derive(sqlx::FromRow, Debug, Clone)]
pub struct RecallCover {
    pub model_id: i64,
    pub serial_from: Option<String>,
    pub serial_to: Option<String>,
    pub remedied: i64,
}

pub async fn recall_cover(
    tx: &mut Transaction<'_, Any>,
    recall: i64,
    robot_pk: i64,
) -> Result<Option<RecallCover>, sqlx::Error> {
    sqlx::query_as(
        "SELECT model_id, serial_from, serial_to,
                (SELECT COUNT(*) FROM recall_remedies WHERE recall_id = c.id AND robot_id = $2)
                    AS remedied
         FROM recalls c WHERE id = $1",
    )
    .bind(recall)
    .bind(robot_pk)
    .fetch_optional(&mut **tx)
    .await
}

pub async fn insert_remedy(
    tx: &mut Transaction<'_, Any>,
    recall: i64,
    robot_pk: i64,
    on: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO recall_remedies (recall_id, robot_id, remedied_on) VALUES ($1, $2, $3)",
    )
    .bind(recall)
    .bind(robot_pk)
    .bind(on)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// An inspection's row, which the public profile reads its last inspection from.
pub struct InspectionRow<'a> {
    pub robot_pk: i64,
    pub entry_seq: i64,
    pub inspected_on: &'a str,
    pub body: i64,
    pub result: &'a str,
    pub next_due: &'a str,
}

pub async fn insert_inspection(
    tx: &mut Transaction<'_, Any>,
    r: &InspectionRow<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO inspections (robot_id, entry_seq, inspected_on, body_id, result, next_due)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(r.robot_pk)
    .bind(r.entry_seq)
    .bind(r.inspected_on)
    .bind(r.body)
    .bind(r.result)
    .bind(r.next_due)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// The inspection row of the robot's entry `seq`, as a correction of that entry says (its
/// day too, when the correction moves it).
pub async fn correct_inspection(
    tx: &mut Transaction<'_, Any>,
    robot_pk: i64,
    seq: i64,
    inspected_on: Option<&str>,
    result: &str,
    next_due: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE inspections SET result = $3, next_due = $4,
                inspected_on = COALESCE($5, inspected_on)
         WHERE robot_id = $1 AND entry_seq = $2",
    )
    .bind(robot_pk)
    .bind(seq)
    .bind(result)
    .bind(next_due)
    .bind(inspected_on)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A field of the permitted role or the data notice that the operator keeps true, as
/// `profile_updated` sets it.
pub enum RoleField<'a> {
    Text(&'static str, &'a str),
    Int(&'static str, i64),
}

/// Set the robot's permitted-role fields (its row made first when it has none).
pub async fn update_permitted_role(
    tx: &mut Transaction<'_, Any>,
    robot_pk: i64,
    fields: &[RoleField<'_>],
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO permitted_roles (robot_id, approved, not_approved, indoor_only, supervised)
         SELECT $1, '', '', 0, 0
         WHERE NOT EXISTS (SELECT 1 FROM permitted_roles WHERE robot_id = $1)",
    )
    .bind(robot_pk)
    .execute(&mut **tx)
    .await?;
    set_fields(tx, "permitted_roles", robot_pk, fields).await
}

/// Whether the robot has a data notice.
pub async fn has_data_notice(
    tx: &mut Transaction<'_, Any>,
    robot_pk: i64,
) -> Result<bool, sqlx::Error> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM data_notices WHERE robot_id = $1")
        .bind(robot_pk)
        .fetch_one(&mut **tx)
        .await?;
    Ok(n > 0)
}

/// Set the robot's data-notice fields; a robot without a notice gets one (every field is then
/// given: `filing` checks it), its data controller the operator `controller` who files it.
pub async fn update_data_notice(
    tx: &mut Transaction<'_, Any>,
    robot_pk: i64,
    controller: i64,
    fields: &[RoleField<'_>],
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO data_notices (robot_id, sensors, purpose, retention_days, storage,
                                   controller_id, rights_contact)
         SELECT $1, '', '', 0, '', $2, ''
         WHERE NOT EXISTS (SELECT 1 FROM data_notices WHERE robot_id = $1)",
    )
    .bind(robot_pk)
    .bind(controller)
    .execute(&mut **tx)
    .await?;
    set_fields(tx, "data_notices", robot_pk, fields).await
}

/// Set `fields` of the robot's row in `table` (one of this crate's constants).
async fn set_fields(
    tx: &mut Transaction<'_, Any>,
    table: &str,
    robot_pk: i64,
    fields: &[RoleField<'_>],
) -> Result<(), sqlx::Error> {
    for field in fields {
        // The column names are this crate's constants, never what was sent.
        let column = match field {
            RoleField::Text(c, _) | RoleField::Int(c, _) => *c,
        };
        let sql = format!("UPDATE {table} SET {column} = $2 WHERE robot_id = $1");
        let q = sqlx::query(&sql).bind(robot_pk);
        let q = match field {
            RoleField::Text(_, v) => q.bind(v.to_string()),
            RoleField::Int(_, v) => q.bind(*v),
        };
        q.execute(&mut **tx).await?;
    }
    Ok(())
}

/// Set the operator `org`'s contacts (its phone, emergency phone, complaint address).
pub async fn update_contacts(
    tx: &mut Transaction<'_, Any>,
    org: i64,
    fields: &[RoleField<'_>],
) -> Result<(), sqlx::Error> {
    for field in fields {
        // The column names are this crate's constants, never what was sent.
        let RoleField::Text(column, value) = field else {
            continue;
        };
        let sql = format!("UPDATE organisations SET {column} = $2 WHERE id = $1");
        sqlx::query(&sql)
            .bind(org)
            .bind(value.to_string())
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// End every engagement on the robot but `keep`'s (it changed hands: the new owner engages
/// its own; it was scrapped: only its recycler goes on).
pub async fn end_engagements(
    tx: &mut Transaction<'_, Any>,
    robot_pk: i64,
    keep: Option<i64>,
    at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE engagements SET ended_at = $2
         WHERE robot_id = $1 AND ended_at IS NULL AND org_id <> $3",
    )
    .bind(robot_pk)
    .bind(at)
    .bind(keep.unwrap_or(0))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn robot_pk(pool: &Pool, robot_id: &str) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM robots WHERE robot_id = $1")
        .bind(robot_id)
        .fetch_optional(pool)
        .await
}

/// Engage `org` on the robot, unless it is engaged already: whether a new engagement began.
pub async fn engage(
    pool: &Pool,
    robot_pk: i64,
    org: i64,
    by: i64,
    at: &str,
) -> Result<bool, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let already: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM engagements WHERE robot_id = $1 AND org_id = $2 AND ended_at IS NULL",
    )
    .bind(robot_pk)
    .bind(org)
    .fetch_one(&mut *tx)
    .await?;
    if already > 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO engagements (robot_id, org_id, engaged_by, started_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(robot_pk)
    .bind(org)
    .bind(by)
    .bind(at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// End `org`'s engagement on the robot: whether one was running.
pub async fn disengage(
    pool: &Pool,
    robot_pk: i64,
    org: i64,
    at: &str,
) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE engagements SET ended_at = $3 WHERE robot_id = $1 AND org_id = $2 AND ended_at IS NULL",
    )
    .bind(robot_pk)
    .bind(org)
    .bind(at)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The robot's owner and operator, as its projection has them.
pub async fn owner_and_operator(
    pool: &Pool,
    robot_pk: i64,
) -> Result<(Option<i64>, Option<i64>), sqlx::Error> {
    sqlx::query_as("SELECT owner_id, operator_id FROM robots WHERE id = $1")
        .bind(robot_pk)
        .fetch_one(pool)
        .await
}

/// A refused filing, as it is kept.
pub struct Refusal<'a> {
    pub at: &'a str,
    pub robot_id: &'a str,
    pub kind: &'a str,
    pub person: Option<i64>,
    pub token: Option<i64>,
    pub problem: &'a str,
}

pub async fn insert_refusal(pool: &Pool, r: &Refusal<'_>) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO filing_refusals (at, robot_id, kind, person_id, token_id, problem)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(r.at)
    .bind(r.robot_id)
    .bind(r.kind)
    .bind(r.person)
    .bind(r.token)
    .bind(r.problem)
    .execute(pool)
    .await?;
    Ok(())
}

/// An API token's row, without its hash.
#[derive(sqlx::FromRow, Debug, Clone)]
pub struct TokenRow {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub role: String,
    pub name: String,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

const TOKEN_SELECT: &str = "SELECT t.id, t.org_id, o.name AS org_name, t.role, t.name,
        t.created_at, t.revoked_at
    FROM api_tokens t JOIN organisations o ON o.id = t.org_id";

pub async fn insert_token(
    pool: &Pool,
    org: i64,
    role: &str,
    name: &str,
    hash: &str,
    by: i64,
    at: &str,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar(
        "INSERT INTO api_tokens (org_id, role, name, token_hash, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(org)
    .bind(role)
    .bind(name)
    .bind(hash)
    .bind(by)
    .bind(at)
    .fetch_one(pool)
    .await
}

/// The live token whose hash is `hash`.
pub async fn token_by_hash(pool: &Pool, hash: &str) -> Result<Option<TokenRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{TOKEN_SELECT} WHERE t.token_hash = $1 AND t.revoked_at IS NULL"
    ))
    .bind(hash)
    .fetch_optional(pool)
    .await
}

/// The organisation's tokens, newest first.
pub async fn tokens(pool: &Pool, org: i64) -> Result<Vec<TokenRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{TOKEN_SELECT} WHERE t.org_id = $1 ORDER BY t.id DESC LIMIT 200"
    ))
    .bind(org)
    .fetch_all(pool)
    .await
}

/// Revoke the organisation's token `id`: whether it was live.
pub async fn revoke_token(pool: &Pool, org: i64, id: i64, at: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND org_id = $2 AND revoked_at IS NULL",
    )
    .bind(id)
    .bind(org)
    .bind(at)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() > 0)
}

/// (number, name) pairs for a filing page's choices.
pub type Choices = Vec<(i64, String)>;

pub async fn model_name(pool: &Pool, robot_pk: i64) -> Result<String, sqlx::Error> {
    sqlx::query_scalar(
        "SELECT m.name FROM robots r JOIN models m ON m.id = r.model_id WHERE r.id = $1",
    )
    .bind(robot_pk)
    .fetch_one(pool)
    .await
}

pub async fn venue_choices(pool: &Pool) -> Result<Choices, sqlx::Error> {
    sqlx::query_as("SELECT id, name || ', ' || city FROM venues ORDER BY city, name LIMIT 5000")
        .fetch_all(pool)
        .await
}

/// Organisations, every kind or one (`kind`).
pub async fn organisation_choices(pool: &Pool, kind: Option<&str>) -> Result<Choices, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name FROM organisations WHERE $1 = '' OR kind = $1 ORDER BY name LIMIT 5000",
    )
    .bind(kind.unwrap_or_default())
    .fetch_all(pool)
    .await
}

/// Service providers and recyclers, the organisations an owner or operator engages.
pub async fn engageable_choices(pool: &Pool) -> Result<Choices, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name FROM organisations WHERE kind IN ('service_provider', 'recycler')
         ORDER BY name LIMIT 5000",
    )
    .fetch_all(pool)
    .await
}

/// The organisations engaged on the robot now, by name.
pub async fn engaged_names(pool: &Pool, robot_pk: i64) -> Result<Choices, sqlx::Error> {
    sqlx::query_as(
        "SELECT o.id, o.name FROM engagements e JOIN organisations o ON o.id = e.org_id
         WHERE e.robot_id = $1 AND e.ended_at IS NULL ORDER BY o.name",
    )
    .bind(robot_pk)
    .fetch_all(pool)
    .await
}

/// Open recalls that cover the robot and have no remedy recorded for it.
pub async fn recall_choices(pool: &Pool, robot_pk: i64) -> Result<Choices, sqlx::Error> {
    sqlx::query_as(
        "SELECT c.id, c.reference || ' (' || c.issued_on || ')' FROM recalls c
         JOIN robots r ON r.id = $1
         WHERE c.model_id = r.model_id AND c.closed_on IS NULL
           AND (c.serial_from IS NULL OR (c.serial_from <= r.serial AND r.serial <= c.serial_to))
           AND NOT EXISTS (SELECT 1 FROM recall_remedies x WHERE x.recall_id = c.id AND x.robot_id = r.id)
         ORDER BY c.issued_on",
    )
    .bind(robot_pk)
    .fetch_all(pool)
    .await
}
