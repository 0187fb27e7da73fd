//! A manufacturer's own rows: who holds a manufacturer code, its models, and new units (a
//! robot row and its first entries).

use super::batch::{Batch, Val};
use super::record::{entry_batch, PROJECTION_COLUMNS};
use super::{Backend, Pool};
use sqlx::{Any, Transaction};

/// The organisation that holds the manufacturer code `code`.
pub async fn maker_by_code(pool: &Pool, code: &str) -> Result<Option<(i64, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, name FROM organisations WHERE code = $1 AND kind = 'manufacturer'")
        .bind(code)
        .fetch_optional(pool)
        .await
}

/// The organisation numbered `id`: its name, kind and manufacturer code (makers only).
pub async fn organisation(
    pool: &Pool,
    id: i64,
) -> Result<Option<(String, String, Option<String>)>, sqlx::Error> {
    sqlx::query_as("SELECT name, kind, code FROM organisations WHERE id = $1")
        .bind(id)
        .fetch_optional(pool)
        .await
}

#[derive(sqlx::FromRow, Debug, Clone)]
pub struct ModelRow {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// The manufacturer's models, by code.
pub async fn models(pool: &Pool, maker: i64) -> Result<Vec<ModelRow>, sqlx::Error> {
    sqlx::query_as("SELECT id, code, name FROM models WHERE manufacturer_id = $1 ORDER BY code")
        .bind(maker)
        .fetch_all(pool)
        .await
}

/// The `robots` columns a new unit is written with: its own, then its projection.
fn robot_columns() -> Vec<&'static str> {
    [
        &[
            "robot_id",
            "model_id",
            "serial",
            "production_year",
            "country",
        ][..],
        PROJECTION_COLUMNS,
    ]
    .concat()
}

/// A new unit's rows: the robot (its own values then its projection's, in the order of
/// [`robot_columns`]) and its entries (each as [`super::record::entry_values`] without the robot's
/// key, which is known only once the robot's row is written).
pub struct NewRobot {
    pub robot_id: String,
    pub values: Vec<Val>,
    pub entries: Vec<crate::domain::record::Stored>,
}

/// Write `units` inside `tx`: their robot rows, then their entries under the keys the rows got.
pub async fn insert_units(
    tx: &mut Transaction<'_, Any>,
    backend: Backend,
    units: &[NewRobot],
) -> Result<(), sqlx::Error> {
    let mut robots = Batch::new("robots", &robot_columns());
    for u in units {
        robots.push(u.values.clone());
    }
    robots.flush(tx, backend).await?;
    let ids: Vec<&str> = units.iter().map(|u| u.robot_id.as_str()).collect();
    let keys = keys_of(tx, &ids).await?;
    let mut entries = entry_batch();
    for u in units {
        let Some(pk) = keys.get(u.robot_id.as_str()) else {
            return Err(sqlx::Error::RowNotFound);
        };
        for e in &u.entries {
            entries.push(super::record::entry_values(*pk, e));
        }
    }
    entries.flush(tx, backend).await
}

/// The primary keys of the robots `ids`, by ID.
async fn keys_of(
    tx: &mut Transaction<'_, Any>,
    ids: &[&str],
) -> Result<std::collections::HashMap<String, i64>, sqlx::Error> {
    let mut out = std::collections::HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(900) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT robot_id, id FROM robots WHERE robot_id IN ({})",
            placeholders.join(", ")
        );
        let mut q = sqlx::query_as::<_, (String, i64)>(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        out.extend(q.fetch_all(&mut **tx).await?);
    }
    Ok(out)
}

/// Which of `ids` are registered already.
pub async fn registered(
    pool: &Pool,
    ids: &[&str],
) -> Result<std::collections::HashSet<String>, sqlx::Error> {
    let mut out = std::collections::HashSet::new();
    for chunk in ids.chunks(900) {
        let placeholders: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
        let sql = format!(
            "SELECT robot_id FROM robots WHERE robot_id IN ({})",
            placeholders.join(", ")
        );
        let mut q = sqlx::query_scalar::<_, String>(&sql);
        for id in chunk {
            q = q.bind(*id);
        }
        out.extend(q.fetch_all(pool).await?);
    }
    Ok(out)
}
