//! The two migration folders are written by hand, one per database: both must define the same
//! tables with the same columns, each column nullable on both or on neither.

mod helpers;

use helpers::{Db, TestApp};
use sqlx::Row;
use std::collections::BTreeSet;

/// Every (table, column, nullability) of the migrated schema, leaving out sqlx's own table.
async fn columns(app: &TestApp, postgres: bool) -> BTreeSet<(String, String, String)> {
    let sql = if postgres {
        "SELECT table_name::text, column_name::text, \
                CASE WHEN is_nullable = 'NO' THEN 'not null' ELSE 'null' END \
         FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name NOT LIKE '\\_sqlx%'"
    } else {
        // SQLite lets a primary key other than an INTEGER one hold NULL unless it says NOT
        // NULL; PostgreSQL never does, so a key counts as NOT NULL here.
        "SELECT m.name, p.name, \
                CASE WHEN p.\"notnull\" = 1 OR p.pk > 0 THEN 'not null' ELSE 'null' END \
         FROM sqlite_master m JOIN pragma_table_info(m.name) p \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE '\\' \
           AND m.name NOT LIKE '\\_sqlx%' ESCAPE '\\'"
    };
    sqlx::query(sql)
        .fetch_all(&app.pool)
        .await
        .expect("the schema can be read")
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .collect()
}

#[tokio::test]
async fn both_databases_define_the_same_tables_and_columns() {
    let Some(url) = helpers::fresh_postgres().await else {
        eprintln!("TEST_POSTGRES_URL not set: PostgreSQL run skipped");
        return;
    };
    let sqlite = helpers::spawn_app_unseeded(Db::Sqlite).await;
    let postgres = helpers::spawn_app_unseeded(Db::Postgres(url)).await;
    let sqlite = columns(&sqlite, false).await;
    let postgres = columns(&postgres, true).await;
    assert!(
        sqlite.iter().any(|(t, _, _)| t == "lifecycle_entries"),
        "no record table read: {sqlite:?}"
    );
    let only_sqlite: Vec<_> = sqlite.difference(&postgres).collect();
    let only_postgres: Vec<_> = postgres.difference(&sqlite).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "the migrations differ.\nonly in SQLite: {only_sqlite:#?}\nonly in PostgreSQL: {only_postgres:#?}"
    );
}
