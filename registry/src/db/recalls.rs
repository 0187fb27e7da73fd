//! Recalls: which are open for a robot.

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
