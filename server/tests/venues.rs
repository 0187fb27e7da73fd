//! Venues' public pages, on SQLite and PostgreSQL: `/v/{slug}` and `/api/v1/venues/{slug}`
//! list exactly the robots deployed at the venue now, with their statuses, and change the
//! moment a robot there is recalled, suspended or withdrawn; each of its robots' profiles
//! links to the page.

mod helpers;

use helpers::{api, demo_sessions, Auth, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// The robots deployed at the venue `slug` now, by ID, as the registry's rows say.
async fn deployed_at(app: &TestApp, slug: &str) -> Vec<String> {
    sqlx::query_scalar(
        "SELECT r.robot_id FROM robots r JOIN venues v ON v.id = r.venue_id
         WHERE v.slug = $1 ORDER BY r.robot_id",
    )
    .bind(slug)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

/// The venue's JSON: its robots' IDs and statuses, in order.
async fn listed(app: &TestApp, slug: &str) -> (Vec<(String, String)>, Value) {
    let v = app.get_json(&format!("/api/v1/venues/{slug}")).await;
    let robots = v["robots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (robots, v)
}

async fn status_in(app: &TestApp, slug: &str, robot: &str) -> Option<String> {
    listed(app, slug)
        .await
        .0
        .into_iter()
        .find(|(id, _)| id == robot)
        .map(|(_, s)| s)
}

async fn venue_page(app: &TestApp) {
    // The demo robot (the demo operator's, made by the demo manufacturer) and its venue.
    let (robot, slug): (String, String) = sqlx::query_as(
        "SELECT r.robot_id, v.slug FROM robots r JOIN venues v ON v.id = r.venue_id
         WHERE r.operator_id IS NOT NULL ORDER BY r.id LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let (robots, v) = listed(app, &slug).await;
    let ids: Vec<String> = robots.iter().map(|(id, _)| id.clone()).collect();
    assert_eq!(
        ids,
        deployed_at(app, &slug).await,
        "exactly the robots there now"
    );
    assert!(ids.contains(&robot));
    for (id, status) in &robots {
        let profile = app.get_json(&format!("/api/v1/robots/{id}")).await;
        assert_eq!(&profile["status"], status, "{id}: the profile's status");
        assert_eq!(profile["venue"]["slug"], slug.as_str(), "{id}: its venue");
    }
    assert_eq!(v["summary"]["robots"], robots.len());
    let name = v["name"].as_str().unwrap().to_string();

    // The page, in both languages, lists the same robots, each linked to its profile.
    for (lang, words) in [("en", "registered robots"), ("zh-CN", "已登记的机器人")] {
        let resp = app
            .get_with(&format!("/v/{slug}"), &[("accept-language", lang)])
            .await;
        assert_eq!(resp.status(), 200);
        let html = resp.text().await.unwrap();
        assert!(
            html.contains(&helpers::escape(&name)) && html.contains(words),
            "{lang}"
        );
        for id in &ids {
            assert!(html.contains(&format!(r#"href="/r/{id}""#)), "{lang}: {id}");
        }
        assert!(html.contains("status-tag--"), "statuses with their icons");
    }
    let profile = app
        .get_with(&format!("/r/{robot}"), &[("accept-language", "en")])
        .await
        .text()
        .await
        .unwrap();
    assert!(
        profile.contains(&format!(r#"href="/v/{slug}""#)),
        "the profile links to it"
    );

    // Nothing there: 404, as JSON and as a page; an address that cannot be a slug, too.
    for path in ["/api/v1/venues/no-such-venue", "/api/v1/venues/Bad.Slug"] {
        let (status, body) = api(app, Method::GET, path, None, Auth::Nobody).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (404, Some("no_such_venue"))
        );
    }
    assert_eq!(app.get("/v/no-such-venue").await.status(), 404);

    // Recalled, suspended, reinstated, withdrawn: the page says so at once.
    let sessions = demo_sessions(app, &["manufacturer", "regulator", "operator"]).await;
    let id = domain::RobotId::parse(&robot).unwrap();
    let maker = Auth::Session(&sessions["manufacturer"]);
    let recall = json!({
        "model": id.model_code(),
        "serial_from": id.serial(),
        "serial_to": id.serial(),
        "defect": "The left hand may not release its grip.",
        "risk": "pinch_point",
        "remedy": "firmware_update",
    });
    let recalls = format!("/api/v1/manufacturers/{}/recalls", id.manufacturer_code());
    let (status, body) = api(app, Method::POST, &recalls, Some(recall), maker).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(
        status_in(app, &slug, &robot).await.as_deref(),
        Some("recall_open")
    );
    let (_, v) = listed(app, &slug).await;
    assert_eq!(v["summary"]["all_in_service"], false);

    let file = |who: &'static str, kind: &'static str, details: Value| {
        let path = format!("/api/v1/robots/{robot}/entries");
        let at = time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap();
        let body = json!({"kind": kind, "occurred_at": at, "details": details});
        let auth = Auth::Session(&sessions[who]);
        async move {
            let (status, answer) = api(app, Method::POST, &path, Some(body), auth).await;
            assert_eq!(status, 201, "{who} {kind}: {answer}");
        }
    };
    file(
        "regulator",
        "suspended",
        json!({"reason": "grip fault reported"}),
    )
    .await;
    assert_eq!(
        status_in(app, &slug, &robot).await.as_deref(),
        Some("suspended")
    );
    let html = app
        .get_with(&format!("/v/{slug}"), &[("accept-language", "en")])
        .await
        .text()
        .await
        .unwrap();
    assert!(
        html.contains("suspended by the regulator"),
        "the summary says so"
    );
    file("regulator", "reinstated", json!({"reason": "grip fixed"})).await;
    assert_eq!(
        status_in(app, &slug, &robot).await.as_deref(),
        Some("recall_open")
    );
    file("operator", "withdrawn", json!({})).await;
    assert_eq!(
        status_in(app, &slug, &robot).await,
        None,
        "withdrawn: not listed"
    );
    let (robots, _) = listed(app, &slug).await;
    let ids: Vec<String> = robots.into_iter().map(|(id, _)| id).collect();
    assert_eq!(ids, deployed_at(app, &slug).await);
}

helpers::on_both!(venue_page);

/// Every venue has a slug of its own, and one registered without (as before this) gets one
/// when the registry opens.
async fn every_venue_has_a_slug(app: &TestApp) {
    let (venues, slugs): (i64, i64) =
        sqlx::query_as("SELECT COUNT(*), COUNT(DISTINCT slug) FROM venues")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(venues > 0);
    assert_eq!(slugs, venues, "each its own");
    let database = app.registry.database();
    assert_eq!(registry::venues::fill_slugs(database).await.unwrap(), 0);
}

helpers::on_both!(every_venue_has_a_slug);
