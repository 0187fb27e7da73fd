//! Venues' public pages, on SQLite and PostgreSQL: `/v/{slug}` and `/api/v1/venues/{slug}`
//! list exactly the robots deployed at the venue now, with their statuses, and change the
//! moment a robot there is recalled, suspended or withdrawn, and so does its entrance display,
//! `/v/{slug}/display`; each of its robots' profiles links to the page.

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

/// The entrance display in `lang`: each row's grouped ID and status, in order, and the page.
async fn displayed(app: &TestApp, slug: &str, lang: &str) -> (Vec<(String, String)>, String) {
    let resp = app
        .get_with(&format!("/v/{slug}/display"), &[("accept-language", lang)])
        .await;
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    let rows = html
        .split(r#"<tr><th scope="row" translate="no">"#)
        .skip(1)
        .map(|row| {
            let id = row.split('<').next().unwrap().to_string();
            let status = row.split("status-tag--").nth(1).unwrap();
            (id, status.split('"').next().unwrap().to_string())
        })
        .collect();
    (rows, html)
}

/// The robot's status on the venue's page after a change (a venue is read at most once a
/// second, as a profile page is trusted for a second), checking that the entrance display
/// shows the same robots with the same statuses as the JSON.
async fn status_in(app: &TestApp, slug: &str, robot: &str) -> Option<String> {
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let (robots, v) = listed(app, slug).await;
    let shown: Vec<(String, String)> = v["robots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["display"].as_str().unwrap().to_string(),
                r["status"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut on_screen = displayed(app, slug, "en").await.0;
    // Those not in service first, then the rest, each in the JSON's order.
    let firsts = on_screen
        .iter()
        .take_while(|(_, s)| s != "in_service")
        .count();
    assert!(on_screen[firsts..].iter().all(|(_, s)| s == "in_service"));
    on_screen.sort();
    let mut shown = shown;
    shown.sort();
    assert_eq!(on_screen, shown, "the display shows the same");
    robots
        .into_iter()
        .find(|(id, _)| id == robot)
        .map(|(_, s)| s)
}

/// The demo robot (the demo operator's, made by the demo manufacturer, at the demo venue
/// member's venue) and its venue's slug.
async fn demo_robot_and_venue(app: &TestApp) -> (String, String) {
    sqlx::query_as(
        "SELECT r.robot_id, v.slug FROM robots r JOIN venues v ON v.id = r.venue_id
         WHERE r.operator_id IS NOT NULL ORDER BY r.id LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

async fn venue_page(app: &TestApp) {
    let (robot, slug) = demo_robot_and_venue(app).await;
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
    for (lang, words) in [("en", "registered robot"), ("zh-CN", "已登记的机器人")] {
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
    // The entrance display, in both languages: the same robots, a QR code to the page, what
    // keeps it live (the JSON's ETag, which stays while nothing changes), a refresh without
    // JavaScript to its own address.
    let etag = app.get(&format!("/api/v1/venues/{slug}")).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_string();
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let again = app
        .get_with(
            &format!("/api/v1/venues/{slug}"),
            &[("if-none-match", &etag)],
        )
        .await;
    assert_eq!(again.status(), 304, "nothing changed, though read again");
    for (lang, words) in [("en", "Scan for details"), ("zh-CN", "扫码查看详情")] {
        let (rows, html) = displayed(app, &slug, lang).await;
        assert_eq!(rows.len(), ids.len(), "{lang}");
        assert!(
            html.contains(&helpers::escape(&name)) && html.contains(words),
            "{lang}"
        );
        assert!(
            html.contains(r#"class="entrance-display""#) && html.contains("<svg"),
            "{lang}"
        );
        assert!(
            html.contains(etag.trim_matches('"')),
            "{lang}: the watcher's ETag"
        );
        assert!(
            html.contains(&format!(r#"content="20; url=/v/{slug}/display""#)),
            "{lang}: refreshed without JavaScript"
        );
    }
    assert_eq!(app.get("/v/no-such-venue/display").await.status(), 404);

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

/// A badge: well-formed SVG (read by a real XML parser) with no script and no event handler,
/// a `<title>`, the status in words in the language asked for; cached briefly and checked
/// again with its ETag (304), changed the moment the robot's status does.
async fn badges(app: &TestApp) {
    use domain::Status;
    let get = |path: String, headers: Vec<(&'static str, String)>| {
        let mut req = app.client.get(format!("{}{path}", app.base));
        for (k, v) in headers {
            req = req.header(k, v);
        }
        req.send()
    };
    let check = |body: &str| {
        let doc = roxmltree::Document::parse(body).expect("well-formed XML");
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(
            root.tag_name().namespace(),
            Some("http://www.w3.org/2000/svg")
        );
        for node in doc.descendants().filter(|n| n.is_element()) {
            let name = node.tag_name().name().to_ascii_lowercase();
            assert!(!["script", "foreignobject", "a", "use", "image"].contains(&name.as_str()));
            for a in node.attributes() {
                assert!(
                    !a.name().to_ascii_lowercase().starts_with("on"),
                    "{}",
                    a.name()
                );
                assert!(!a.value().contains("javascript:"));
            }
        }
        let title = doc
            .descendants()
            .find(|n| n.has_tag_name("title"))
            .and_then(|n| n.text())
            .expect("a title")
            .to_string();
        title
    };
    for (status, en, zh) in [
        (
            Status::InService,
            "Registered · in service",
            "已登记 · 在用",
        ),
        (
            Status::Suspended,
            "Suspended · must not operate",
            "已暂停 · 不得运行",
        ),
        (Status::RecallOpen, "Open safety recall", "安全召回未完成"),
        (Status::InspectionOverdue, "Inspection overdue", "检验逾期"),
    ] {
        let id = app.id_for(status);
        for (lang, words) in [("en", en), ("zh-CN", zh)] {
            let resp = get(format!("/badge/{id}.svg?lang={lang}"), vec![])
                .await
                .unwrap();
            assert_eq!(resp.status(), 200);
            let h = resp.headers().clone();
            assert_eq!(h["content-type"], "image/svg+xml; charset=utf-8");
            assert_eq!(h["x-content-type-options"], "nosniff");
            assert!(h["content-security-policy"]
                .to_str()
                .unwrap()
                .starts_with("default-src 'none'"));
            assert!(h["cache-control"]
                .to_str()
                .unwrap()
                .starts_with("public, max-age="));
            let body = resp.text().await.unwrap();
            let title = check(&body);
            assert!(
                body.contains(words) && title.contains(words),
                "{status:?} {lang}: {body}"
            );
            let display = domain::RobotId::parse(&id).unwrap().display();
            assert!(title.contains(&display));
        }
    }
    // Without `lang`, the browser's languages decide.
    let id = app.id_for(Status::InService);
    let zh = get(
        format!("/badge/{id}.svg"),
        vec![("accept-language", "zh-CN,zh;q=0.9".into())],
    )
    .await
    .unwrap()
    .text()
    .await
    .unwrap();
    assert!(zh.contains("已登记 · 在用"));

    // Not registered, or not an ID: 404, still a badge saying so.
    let unknown = app.unregistered_neighbour(&id);
    let resp = get(format!("/badge/{unknown}.svg?lang=en"), vec![])
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    assert!(check(&resp.text().await.unwrap()).contains("Not registered"));
    let resp = get("/badge/%3Cscript%3E.svg?lang=en".into(), vec![])
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    let body = resp.text().await.unwrap();
    assert!(check(&body).contains("Not a robot ID") && !body.contains("<script"));

    // The ETag: 304 while the status stands; a new badge once it changes.
    let path = format!("/badge/{id}.svg?lang=en");
    let first = get(path.clone(), vec![]).await.unwrap();
    let etag = first.headers()["etag"].to_str().unwrap().to_string();
    let again = get(path.clone(), vec![("if-none-match", etag.clone())])
        .await
        .unwrap();
    assert_eq!(again.status(), 304);
    assert!(again.text().await.unwrap().is_empty());
    let sessions = demo_sessions(app, &["regulator"]).await;
    let at = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let (status, answer) = api(
        app,
        Method::POST,
        &format!("/api/v1/robots/{id}/entries"),
        Some(json!({"kind": "suspended", "occurred_at": at, "details": {"reason": "test"}})),
        Auth::Session(&sessions["regulator"]),
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    // A status is trusted for a second, as a profile page is.
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    let changed = get(path, vec![("if-none-match", etag.clone())])
        .await
        .unwrap();
    assert_eq!(changed.status(), 200);
    assert_ne!(changed.headers()["etag"].to_str().unwrap(), etag);
    assert!(changed.text().await.unwrap().contains("Suspended"));
}

helpers::on_both!(badges);

/// Only the venue's own members see its dashboard (anyone else: to sign in, or 403): its
/// robots, the inspections falling due, the open recalls and reports on its robots, never
/// cached; its label sheet holds every robot's signed label, each decoded here by a real QR
/// decoder to a link the registry verifies as that robot's label.
async fn dashboard(app: &TestApp) {
    let (robot, slug) = demo_robot_and_venue(app).await;
    let here = format!("/v/{slug}/dashboard");
    let sessions = demo_sessions(app, &["venue", "operator", "citizen", "manufacturer"]).await;
    let as_who = |who: &str| format!("{}={}", helpers::COOKIE, sessions[who]);
    let open = |path: String, who: Option<String>, lang: &'static str| async move {
        let mut headers = vec![("accept-language", lang.to_string())];
        if let Some(c) = who {
            headers.push(("cookie", c));
        }
        let headers: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
        app.get_with(&path, &headers).await
    };

    // Nobody signed in: to sign in, and back here after.
    for page in [&here, &format!("/v/{slug}/labels")] {
        let resp = open(page.clone(), None, "en").await;
        assert_eq!(resp.status(), 303, "{page}");
        let to = resp.headers()["location"].to_str().unwrap();
        assert!(to.starts_with("/account/sign-in?next=%2Fv%2F"), "{to}");
    }
    // Signed in but not the venue's (the robot's operator runs another organisation).
    for who in ["citizen", "operator", "manufacturer"] {
        for page in [&here, &format!("/v/{slug}/labels")] {
            let resp = open(page.clone(), Some(as_who(who)), "en").await;
            assert_eq!(resp.status(), 403, "{who} {page}");
        }
    }
    assert_eq!(
        open(
            "/v/no-such-venue/dashboard".into(),
            Some(as_who("venue")),
            "en"
        )
        .await
        .status(),
        404
    );

    // Its organisation's page lists the venue, with the way to its dashboard.
    let org: i64 = sqlx::query_scalar("SELECT org_id FROM venues WHERE slug = $1")
        .bind(&slug)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let org_page = open(format!("/orgs/{org}"), Some(as_who("venue")), "en")
        .await
        .text()
        .await
        .unwrap();
    assert!(org_page.contains(&format!(r#"href="/v/{slug}/dashboard""#)));

    // The venue's own member, in both languages: personal, never cached.
    let ids = deployed_at(app, &slug).await;
    for (lang, words) in [("en", "Inspections due"), ("zh-CN", "待检验")] {
        let resp = open(here.clone(), Some(as_who("venue")), lang).await;
        assert_eq!(resp.status(), 200, "{lang}");
        assert_eq!(resp.headers()["cache-control"], "private, no-store");
        let html = resp.text().await.unwrap();
        assert!(html.contains(words), "{lang}");
        for id in &ids {
            assert!(html.contains(&format!(r#"href="/r/{id}""#)), "{lang}: {id}");
        }
        assert!(
            html.contains(&format!(r#"href="/v/{slug}/labels""#)),
            "{lang}"
        );
        assert!(
            html.contains(&format!("/badge/{}.svg", ids[0])),
            "{lang}: the embed snippet"
        );
    }

    // An overdue inspection, a recall and a report on its robot: each shows.
    let html = || {
        let cookie = as_who("venue");
        let here = here.clone();
        async move {
            app.get_with(&here, &[("accept-language", "en"), ("cookie", &cookie)])
                .await
                .text()
                .await
                .unwrap()
        }
    };
    let before = html().await;
    assert!(!before.contains("Battery cells may swell"));
    let id = domain::RobotId::parse(&robot).unwrap();
    let recall = json!({
        "model": id.model_code(),
        "serial_from": id.serial(),
        "serial_to": id.serial(),
        "defect": "Battery cells may swell.",
        "risk": "battery_overheating",
        "remedy": "battery_replacement",
    });
    let recalls = format!("/api/v1/manufacturers/{}/recalls", id.manufacturer_code());
    let maker = Auth::Session(&sessions["manufacturer"]);
    let (status, body) = api(app, Method::POST, &recalls, Some(recall), maker).await;
    assert_eq!(status, 201, "{body}");
    let reference = body["reference"].as_str().unwrap().to_string();
    let now = html().await;
    let recalls_part = &now[now.find("recalls-heading").unwrap()..];
    assert!(recalls_part.contains(&reference), "the recall is listed");
    assert!(recalls_part.contains(&format!(r#"href="/r/{robot}""#)));

    let form = [
        ("robot", robot.as_str()),
        ("occurred_at", "2026-11-30T10:00"),
        ("place", "Entrance hall"),
        ("category", "collision_injury"),
        ("severity", "minor"),
        (
            "description",
            "It turned suddenly towards a child near the entrance.",
        ),
        ("contact_preference", "email"),
    ]
    .into_iter()
    .fold(reqwest::multipart::Form::new(), |f, (k, v)| {
        f.text(k, v.to_string())
    });
    let sent = app
        .client
        .post(format!("{}/incidents/new", app.base))
        .header(helpers::SAME_SITE.0, helpers::SAME_SITE.1)
        .header("cookie", as_who("citizen"))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(
        sent.status(),
        303,
        "{}",
        sent.text().await.unwrap_or_default()
    );
    let to = sent.headers()["location"].to_str().unwrap();
    let reference = to
        .strip_prefix("/incidents/")
        .unwrap()
        .split(['?', '#'])
        .next()
        .unwrap()
        .to_string();
    let now = html().await;
    let reports_part = &now[now.find("reports-heading").unwrap()..];
    assert!(reports_part.contains(&reference), "the report is listed");
    assert!(
        !reports_part.contains(&format!("/incidents/{reference}")),
        "not linked: its page is the operator's and the regulator's"
    );
    // Closed (dismissed), it is no longer being handled: gone from the list.
    sqlx::query("UPDATE incident_reports SET status = 'dismissed'")
        .execute(&app.pool)
        .await
        .unwrap();
    let now = html().await;
    assert!(!now[now.find("reports-heading").unwrap()..].contains(&reference));

    // Due: robots never inspected or due within 30 days, with the date.
    let soon = time::OffsetDateTime::now_utc().date() + time::Duration::days(10);
    sqlx::query("UPDATE robots SET next_inspection_due = $1 WHERE robot_id = $2")
        .bind(soon.to_string())
        .bind(&robot)
        .execute(&app.pool)
        .await
        .unwrap();
    let now = html().await;
    let due_part = &now[now.find("due-heading").unwrap()..now.find("recalls-heading").unwrap()];
    assert!(
        due_part.contains(&soon.to_string()),
        "due in 10 days: listed"
    );

    // Every robot's label, several to a sheet; each decodes to its own signed label.
    let sheet = open(format!("/v/{slug}/labels"), Some(as_who("venue")), "en")
        .await
        .text()
        .await
        .unwrap();
    let srcs: Vec<String> = sheet
        .split(r#"src="/qr/"#)
        .skip(1)
        .map(|s| s.split('"').next().unwrap().replace("&amp;", "&"))
        .collect();
    assert_eq!(srcs.len(), ids.len(), "one label a robot");
    for (src, id) in srcs.iter().zip(&ids) {
        assert!(src.starts_with(&format!("{id}.svg")), "{src}");
        // The same label as a PNG (the server draws both from the same text), decoded.
        let png = app
            .get(&format!("/qr/{}", src.replacen(".svg", ".png", 1)))
            .await
            .bytes()
            .await
            .unwrap();
        let texts = photo::decode_photo(&png).unwrap();
        assert_eq!(texts.len(), 1, "{id}");
        let verdict = app
            .get_json(&format!(
                "/api/v1/verify?code={}",
                helpers::urlencode(&texts[0])
            ))
            .await;
        assert_eq!(verdict["verdict"], "verified_label", "{id}: {verdict}");
        assert_eq!(verdict["id"], id.as_str());
    }
}

helpers::on_both!(dashboard);
