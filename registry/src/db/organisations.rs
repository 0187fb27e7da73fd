//! Organisations: the regulator a profile names, and whether anything is loaded yet.

use super::Pool;
use sqlx::{Any, Executor};

#[derive(sqlx::FromRow, Debug, Clone)]
pub struct RegulatorRow {
    pub name: String,
    pub hotline: Option<String>,
}

#[tracing::instrument(skip(db))]
pub async fn regulator<'e>(
    db: impl Executor<'e, Database = Any>,
) -> Result<Option<RegulatorRow>, sqlx::Error> {
    sqlx::query_as::<_, RegulatorRow>(
        "SELECT name, hotline FROM organisations WHERE kind = 'regulator' ORDER BY id LIMIT 1",
    )
    .fetch_optional(db)
    .await
}

/// Whether nothing at all has been loaded yet (a half-finished load is not empty).
pub async fn registry_is_empty(pool: &Pool) -> Result<bool, sqlx::Error> {
    let orgs = sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM organisations")
        .fetch_one(pool)
        .await?;
    Ok(orgs == 0)
}
