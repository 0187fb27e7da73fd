//! Recalls: which are open for a robot; a manufacturer's recalls, issued and closed.

use super::Pool;
use sqlx::{Any, Executor};

/// How many recalls apply to robot `r` and are still open for it: recalls of its model that
/// are not closed, cover its serial (when they name a range) and have no remedy recorded for it.
pub(super) const OPEN_RECALL_COUNT: &str = "(SELECT COUNT(*) FROM recalls c
       WHERE c.model_id = r.model_id AND c.closed_on IS NULL
         AND (c.serial_from IS NULL OR (c.serial_from <= r.serial AND r.serial <= c.serial_to))
         AND NOT EXISTS (SELECT 1 FROM recall_remedies rr
                         WHERE rr.recall_id = c.id AND rr.robot_id = r.id))";

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

/// A recall as its manufacturer lists it, with how many units it covers and how many of them
/// have had the remedy.
#[derive(sqlx::FromRow, Debug, Clone)]
pub struct MakerRecallRow {
    pub id: i64,
    pub reference: String,
    pub model_code: String,
    pub model_name: String,
    pub serial_from: Option<String>,
    pub serial_to: Option<String>,
    pub defect: Option<String>,
    pub hazard: String,
    pub remedy: String,
    pub issued_on: String,
    pub closed_on: Option<String>,
    pub units: i64,
    pub remedied: i64,
}

const RECALL_SELECT: &str = "SELECT c.id, c.reference, m.code AS model_code, m.name AS model_name,
        c.serial_from, c.serial_to, c.defect, c.hazard, c.remedy, c.issued_on, c.closed_on,
        (SELECT COUNT(*) FROM robots r WHERE r.model_id = c.model_id
            AND (c.serial_from IS NULL OR (c.serial_from <= r.serial AND r.serial <= c.serial_to)))
            AS units,
        (SELECT COUNT(*) FROM recall_remedies rr WHERE rr.recall_id = c.id) AS remedied
     FROM recalls c JOIN models m ON m.id = c.model_id";

/// The manufacturer's recalls, newest first.
pub async fn maker_recalls(pool: &Pool, maker: i64) -> Result<Vec<MakerRecallRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{RECALL_SELECT} WHERE m.manufacturer_id = $1 ORDER BY c.issued_on DESC, c.id DESC"
    ))
    .bind(maker)
    .fetch_all(pool)
    .await
}

/// The manufacturer's recall `reference`.
pub async fn maker_recall(
    pool: &Pool,
    maker: i64,
    reference: &str,
) -> Result<Option<MakerRecallRow>, sqlx::Error> {
    sqlx::query_as(&format!(
        "{RECALL_SELECT} WHERE m.manufacturer_id = $1 AND c.reference = $2"
    ))
    .bind(maker)
    .bind(reference)
    .fetch_optional(pool)
    .await
}

pub struct NewRecall<'a> {
    pub model_id: i64,
    pub serial_from: Option<&'a str>,
    pub serial_to: Option<&'a str>,
    pub defect: &'a str,
    pub hazard: &'a str,
    pub remedy: &'a str,
    pub issued_on: &'a str,
}

/// Write a recall under the next free reference `RC-{year}-{number}`: the reference it got.
/// Two makers issuing at once may both pick the same number; the reference is unique, so the
/// second is told to try again (a contention error).
pub async fn insert_recall(pool: &Pool, r: &NewRecall<'_>) -> Result<String, sqlx::Error> {
    let mut tx = pool.begin().await?;
    let next: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM recalls")
        .fetch_one(&mut *tx)
        .await?;
    let year = r.issued_on.get(..4).unwrap_or("0000");
    let mut number = next;
    loop {
        let reference = format!("RC-{year}-{number:04}");
        let taken: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM recalls WHERE reference = $1")
            .bind(&reference)
            .fetch_one(&mut *tx)
            .await?;
        if taken == 0 {
            sqlx::query(
                "INSERT INTO recalls (model_id, serial_from, serial_to, reference, issued_on,
                                      hazard, remedy, defect)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(r.model_id)
            .bind(r.serial_from)
            .bind(r.serial_to)
            .bind(&reference)
            .bind(r.issued_on)
            .bind(r.hazard)
            .bind(r.remedy)
            .bind(r.defect)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            return Ok(reference);
        }
        number += 1;
    }
}

/// Close the recall `id` on `day`: whether it was open.
pub async fn close_recall(pool: &Pool, id: i64, day: &str) -> Result<bool, sqlx::Error> {
    let done = sqlx::query("UPDATE recalls SET closed_on = $1 WHERE id = $2 AND closed_on IS NULL")
        .bind(day)
        .bind(id)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() == 1)
}
