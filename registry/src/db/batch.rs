//! Multi-row INSERTs for bulk loading: many rows per statement, under both databases' limits
//! on bound parameters.

use super::Backend;
use sqlx::any::Any;
use sqlx::Transaction;

/// A bound value. Typed NULLs matter: PostgreSQL refuses a text NULL for a BIGINT column.
#[derive(Clone, Debug)]
pub enum Val {
    Int(Option<i64>),
    Text(Option<String>),
}

impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::Int(Some(v))
    }
}
impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Self {
        Val::Int(v)
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::Text(Some(v))
    }
}
impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::Text(Some(v.to_string()))
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Self {
        Val::Text(v)
    }
}

/// Bound parameters per statement: under SQLite's ceiling (32,766) and PostgreSQL's (65,535),
/// and small enough that preparing the statement stays cheap.
const MAX_PARAMS: usize = 8_000;

/// Rows waiting to be written to one table.
pub struct Batch {
    table: &'static str,
    columns: Vec<&'static str>,
    rows: Vec<Val>,
}

impl Batch {
    pub fn new(table: &'static str, columns: &[&'static str]) -> Batch {
        Batch {
            table,
            columns: columns.to_vec(),
            rows: Vec::new(),
        }
    }

    pub fn push(&mut self, row: Vec<Val>) {
        debug_assert_eq!(
            row.len(),
            self.columns.len(),
            "row width for {}",
            self.table
        );
        self.rows.extend(row);
    }

    /// Write every pending row inside `tx`, in as few statements as the limits allow.
    /// SQLite gets anonymous `?` placeholders: it resolves numbered ones by name, which grows
    /// with the square of the parameter count in a statement this long.
    pub async fn flush(
        &mut self,
        tx: &mut Transaction<'_, Any>,
        backend: Backend,
    ) -> Result<(), sqlx::Error> {
        let width = self.columns.len();
        let per_statement = (MAX_PARAMS / width).max(1);
        let values = std::mem::take(&mut self.rows);
        for chunk in values.chunks(per_statement * width) {
            let rows = chunk.len() / width;
            let mut sql = format!(
                "INSERT INTO {} ({}) VALUES ",
                self.table,
                self.columns.join(", ")
            );
            let mut n = 0;
            for r in 0..rows {
                if r > 0 {
                    sql.push_str(", ");
                }
                sql.push('(');
                for c in 0..width {
                    if c > 0 {
                        sql.push_str(", ");
                    }
                    n += 1;
                    match backend {
                        Backend::Sqlite => sql.push('?'),
                        Backend::Postgres => {
                            sql.push('$');
                            sql.push_str(&n.to_string());
                        }
                    }
                }
                sql.push(')');
            }
            let mut q = sqlx::query(&sql);
            for v in chunk {
                q = match v {
                    Val::Int(i) => q.bind(*i),
                    Val::Text(t) => q.bind(t.clone()),
                };
            }
            q.execute(&mut **tx).await?;
        }
        Ok(())
    }
}
