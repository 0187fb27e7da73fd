//! The one writer of the lifecycle record: what it files reaches the public profile at once,
//! two filings at the same moment never fork a robot's chain, and every chain, the demo
//! seed's included, checks from its stored rows; a change made behind the portal's back is
//! named. On SQLite and PostgreSQL.

mod helpers;

use domain::{RobotId, Status};
use helpers::TestApp;
use registry::record::{self, Break, Entry, EntryKind};
use serde_json::json;

fn entry(kind: EntryKind, filed_by: i64, details: serde_json::Value) -> Entry {
    Entry {
        kind,
        occurred_at: "2026-12-01T10:00:00Z".into(),
        filed_by,
        details,
        corrects: None,
    }
}

async fn regulator(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT id FROM organisations WHERE kind = 'regulator' ORDER BY id LIMIT 1")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn filing_reaches_the_profile_and_never_forks_the_chain(app: &TestApp) {
    let id = RobotId::parse(&app.id_for(Status::InService)).unwrap();
    let before = app.get_json(&format!("/api/v1/robots/{id}")).await;
    assert_eq!(before["status"], "in_service", "{before}");
    let entries_before = before["record"]["entries"].as_i64();
    let by = regulator(app).await;

    let stored = record::file(
        &app.registry,
        &id,
        &entry(
            EntryKind::Suspended,
            by,
            json!({ "reason": "incident under review" }),
        ),
    )
    .await
    .unwrap();
    assert_eq!(stored.hash_version, record::HASH_VERSION);
    let after = app.get_json(&format!("/api/v1/robots/{id}")).await;
    assert_eq!(
        after["status"], "suspended",
        "the profile changes the moment the entry lands"
    );
    if let Some(n) = entries_before {
        assert_eq!(after["record"]["entries"].as_i64(), Some(n + 1), "{after}");
    }

    // Ten filings for one robot at once: each lands after another, none beside another.
    let filings = (0..10).map(|i| {
        let registry = app.registry.clone();
        let id = id.clone();
        tokio::spawn(async move {
            let e = entry(
                EntryKind::Maintained,
                by,
                json!({ "work": format!("check {i}") }),
            );
            record::file(&registry, &id, &e).await
        })
    });
    let mut seqs = Vec::new();
    for f in futures_join(filings).await {
        seqs.push(f.expect("filing task").expect("filing lands").seq);
    }
    seqs.sort();
    assert_eq!(
        seqs,
        ((stored.seq + 1)..=(stored.seq + 10)).collect::<Vec<_>>()
    );
    let broken = record::check(app.registry.database(), Some(&id), &|_| {})
        .await
        .unwrap();
    assert_eq!(
        broken,
        vec![],
        "one unbroken chain after concurrent filings"
    );

    let reinstated = record::file(
        &app.registry,
        &id,
        &entry(EntryKind::Reinstated, by, json!({})),
    )
    .await
    .unwrap();
    assert_eq!(reinstated.seq, stored.seq + 11);
    let back = app.get_json(&format!("/api/v1/robots/{id}")).await;
    assert_eq!(back["status"], "in_service", "{back}");

    let nobody = RobotId::parse(&app.unregistered_neighbour(id.as_str())).unwrap();
    let refused = record::file(
        &app.registry,
        &nobody,
        &entry(EntryKind::Maintained, by, json!({})),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(refused, registry::Error::NotFound(_)),
        "{refused:?}"
    );
}
helpers::on_both!(filing_reaches_the_profile_and_never_forks_the_chain);

async fn futures_join<T>(
    tasks: impl Iterator<Item = tokio::task::JoinHandle<T>>,
) -> Vec<Result<T, tokio::task::JoinError>> {
    let mut out = Vec::new();
    for t in tasks.collect::<Vec<_>>() {
        out.push(t.await);
    }
    out
}

/// Every seeded chain checks from its stored rows; an entry changed directly in the database
/// (triggers set aside, as only the schema's owner could) is named.
async fn every_chain_checks_and_a_change_behind_the_portal_is_named(app: &TestApp) {
    let checked = std::sync::atomic::AtomicU64::new(0);
    let broken = record::check(app.registry.database(), None, &|n| {
        checked.store(n, std::sync::atomic::Ordering::SeqCst)
    })
    .await
    .unwrap();
    assert_eq!(
        broken,
        vec![],
        "the demo seed writes through the one writer"
    );
    let robots: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM robots")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        checked.into_inner(),
        robots as u64,
        "every robot was checked"
    );

    let id = app.id_for(Status::Scrapped);
    let postgres = matches!(app.registry.backend(), registry::Backend::Postgres);
    let (off, on) = if postgres {
        (
            vec!["ALTER TABLE lifecycle_entries DISABLE TRIGGER USER"],
            vec!["ALTER TABLE lifecycle_entries ENABLE TRIGGER USER"],
        )
    } else {
        (vec!["DROP TRIGGER lifecycle_entries_no_update"], vec![])
    };
    for sql in off {
        sqlx::query(sql).execute(&app.pool).await.unwrap();
    }
    sqlx::query(
        "UPDATE lifecycle_entries SET details = '{\"to\":1}'
         WHERE seq = 2 AND robot_id = (SELECT id FROM robots WHERE robot_id = $1)",
    )
    .bind(&id)
    .execute(&app.pool)
    .await
    .unwrap();
    for sql in on {
        sqlx::query(sql).execute(&app.pool).await.unwrap();
    }
    let robot = RobotId::parse(&id).unwrap();
    let broken = record::check(app.registry.database(), Some(&robot), &|_| {})
        .await
        .unwrap();
    assert_eq!(broken, vec![(id.clone(), Break::Altered { seq: 2 })]);
    let all = record::check(app.registry.database(), None, &|_| {})
        .await
        .unwrap();
    assert_eq!(
        all,
        vec![(id, Break::Altered { seq: 2 })],
        "only that robot is named"
    );
}
helpers::on_both!(every_chain_checks_and_a_change_behind_the_portal_is_named);
