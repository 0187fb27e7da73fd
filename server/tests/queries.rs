//! A profile costs the same small number of queries however long the robot's history is.
//! Statements are counted from sqlx's own log (target `sqlx::query`), so this file holds one
//! test: the counter is process-wide.
//!
//! Organisations, models and venues are kept by the lookup for `REFERENCE_CACHE_MS` (30 s in
//! tests), so the first lookup touching them reads them (one statement per table), and every
//! later one costs the robot's own query alone.

mod helpers;

use serde_json::Value;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::Layer;

struct CountQueries(Arc<AtomicUsize>);

impl<S: tracing::Subscriber> Layer<S> for CountQueries {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        if event.metadata().target() == "sqlx::query" {
            self.0.fetch_add(1, Ordering::SeqCst);
        }
    }
}

/// Queries the JSON profile of `id` costs, and its status.
async fn cost(app: &helpers::TestApp, counter: &AtomicUsize, id: &str) -> (usize, String) {
    let before = counter.load(Ordering::SeqCst);
    let body: Value = app.get_json(&format!("/api/v1/robots/{id}")).await;
    let after = counter.load(Ordering::SeqCst);
    (
        after - before,
        body["status"].as_str().unwrap_or_default().to_string(),
    )
}

async fn check(app: helpers::TestApp, counter: &AtomicUsize) {
    let robots: Vec<(String, i64)> =
        sqlx::query_as("SELECT robot_id, record_entries FROM robots ORDER BY record_entries, id")
            .fetch_all(&app.pool)
            .await
            .unwrap();
    let (short, long) = (robots.first().unwrap(), robots.last().unwrap());
    assert!(
        long.1 >= short.1 + 3,
        "histories differ in length: {short:?} {long:?}"
    );
    let mut costs = Vec::new();
    for (id, entries) in [short, long] {
        let (cold, status) = cost(&app, counter, id).await;
        assert!(cold >= 1, "the count sees queries");
        // One query, and one more only to list open recalls.
        let allowed = if status == "recall_open" { 2 } else { 1 };
        // Reference data not read yet: the model, the organisations, the venue, the regulator.
        assert!(
            cold <= allowed + 4,
            "{id} ({entries} entries, {status}), first lookup: {cold} queries"
        );
        let (n, _) = cost(&app, counter, id).await;
        assert_eq!(
            n, allowed,
            "{id} ({entries} entries, {status}), reference data read: {n} queries"
        );
        costs.push((n, status));
    }
    if costs[0].1 != "recall_open" && costs[1].1 != "recall_open" {
        assert_eq!(costs[0].0, costs[1].0);
    }
    // A crowd asking for the same page at once (a label scanned by many phones) costs one
    // lookup: the others wait for that rendering. Each still gets its own CSP nonce.
    let busy = app.id_for(domain::Status::InService);
    cost(&app, counter, &busy).await;
    let before = counter.load(Ordering::SeqCst);
    let crowd: Vec<_> = (0..12)
        .map(|_| {
            let (client, url) = (app.client.clone(), format!("{}/r/{busy}", app.base));
            tokio::spawn(async move {
                let resp = client.get(url).send().await.unwrap();
                assert_eq!(resp.status(), 200);
                let csp = resp.headers()["content-security-policy"]
                    .to_str()
                    .unwrap()
                    .to_string();
                let nonce = csp
                    .split("'nonce-")
                    .nth(1)
                    .unwrap()
                    .split('\'')
                    .next()
                    .unwrap()
                    .to_string();
                let html = resp.text().await.unwrap();
                assert!(
                    html.contains(&format!("nonce=\"{nonce}\"")),
                    "page without its own nonce"
                );
                nonce
            })
        })
        .collect();
    let mut nonces = Vec::new();
    for answer in crowd {
        nonces.push(answer.await.unwrap());
    }
    assert_eq!(
        counter.load(Ordering::SeqCst) - before,
        1,
        "twelve visitors at once, one lookup"
    );
    nonces.sort();
    nonces.dedup();
    assert_eq!(nonces.len(), 12, "every visitor gets a nonce of their own");

    let recalled = app.id_for(domain::Status::RecallOpen);
    cost(&app, counter, &recalled).await;
    let (n, _) = cost(&app, counter, &recalled).await;
    assert_eq!(
        n, 2,
        "a robot with open recalls: the profile and its recall list"
    );
}

#[tokio::test]
async fn a_profile_costs_the_same_few_queries_however_long_its_history() {
    let counter = Arc::new(AtomicUsize::new(0));
    tracing_subscriber::registry()
        .with(CountQueries(counter.clone()))
        .init();
    check(helpers::spawn_app(helpers::Db::Sqlite).await, &counter).await;
    if let Some(url) = helpers::fresh_postgres().await {
        check(
            helpers::spawn_app(helpers::Db::Postgres(url)).await,
            &counter,
        )
        .await;
    }
}
