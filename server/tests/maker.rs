//! A manufacturer's own filing, on SQLite and PostgreSQL, through the API and through the
//! organisation's page: units registered one at a time (only under its own code and models)
//! and from CSV (every bad row named by its line, nothing imported when any is bad; a good
//! file's progress followed to the end); recalls issued, shown on every unit they cover until
//! the unit's remedy is filed, and closed; API tokens made and revoked on the page.

mod helpers;

use helpers::{api, demo_sessions, Auth, TestApp, COOKIE, SAME_SITE};
use reqwest::Method;
use serde_json::{json, Value};

/// The demo manufacturer: its organisation, its code, one of its models' codes.
async fn the_maker(app: &TestApp) -> (i64, String, String) {
    sqlx::query_as(
        "SELECT o.id, o.code, (SELECT md.code FROM models md WHERE md.manufacturer_id = o.id
                               ORDER BY md.code LIMIT 1)
         FROM organisations o JOIN memberships m ON m.org_id = o.id
         JOIN people p ON p.id = m.person_id
         WHERE p.email_key = 'manufacturer@demo.robopass.example' AND m.role = 'manufacturer'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

fn today() -> time::Date {
    (time::OffsetDateTime::now_utc() + time::Duration::hours(8)).date()
}

fn serial(prefix: char, n: usize) -> String {
    format!("{prefix}{n:016}")
}

async fn robots_with_serial_prefix(app: &TestApp, prefix: char) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM robots WHERE serial LIKE $1")
        .bind(format!("{prefix}%"))
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// Send `csv` as an import, as `auth`.
async fn import(app: &TestApp, code: &str, csv: String, auth: Auth<'_>) -> (u16, Value) {
    let mut req = app
        .client
        .post(format!(
            "{}/api/v1/manufacturers/{code}/units/import",
            app.base
        ))
        .header("content-type", "text/csv")
        .header("accept-language", "en")
        .body(csv);
    req = match auth {
        Auth::Nobody => req,
        Auth::Session(s) => req.header("cookie", format!("{COOKIE}={s}")),
        Auth::Bearer(t) => req.header("authorization", format!("Bearer {t}")),
    };
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// Follow an import's progress until it ends (at most 60 s): its last state.
async fn follow(app: &TestApp, path: &str, auth: Auth<'_>) -> Value {
    for _ in 0..600 {
        let (status, progress) = api(app, Method::GET, path, None, auth).await;
        assert_eq!(status, 200, "{progress}");
        if progress["state"] != "running" {
            return progress;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the import did not end within a minute");
}

async fn units(app: &TestApp) {
    let sessions = demo_sessions(app, &["manufacturer", "operator"]).await;
    let maker = Auth::Session(&sessions["manufacturer"]);
    let operator = Auth::Session(&sessions["operator"]);
    let (_, code, model) = the_maker(&app).await;
    let other_code: String = sqlx::query_scalar(
        "SELECT code FROM organisations WHERE kind = 'manufacturer' AND code <> $1 ORDER BY id LIMIT 1",
    )
    .bind(&code)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let units = format!("/api/v1/manufacturers/{code}/units");
    let day = (today() - time::Duration::days(10)).to_string();
    let unit = json!({"model": model, "serial": serial('T', 1), "produced_on": day, "factory": "Shenzhen"});

    // Only the manufacturer, under its own code.
    let (status, _) = api(app, Method::POST, &units, Some(unit.clone()), Auth::Nobody).await;
    assert_eq!(status, 401);
    let (status, answer) = api(app, Method::POST, &units, Some(unit.clone()), operator).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (403, Some("not_your_code"))
    );
    let theirs = format!("/api/v1/manufacturers/{other_code}/units");
    let (status, _) = api(app, Method::POST, &theirs, Some(unit.clone()), maker).await;
    assert_eq!(status, 403, "another maker's code");
    let (status, models) = api(
        app,
        Method::GET,
        &format!("/api/v1/manufacturers/{code}/models"),
        None,
        maker,
    )
    .await;
    assert_eq!(status, 200);
    assert!(models["models"]
        .as_array()
        .unwrap()
        .iter()
        .any(|m| m["code"] == model.as_str()));

    // One unit: its ID, its public profile, its first two entries.
    let (status, made) = api(app, Method::POST, &units, Some(unit.clone()), maker).await;
    assert_eq!(status, 201, "{made}");
    let id = made["id"].as_str().unwrap().to_string();
    assert_eq!(id, format!("CN{code}{model}{}", serial('T', 1)));
    let profile = app.get_json(&format!("/api/v1/robots/{id}")).await;
    assert_eq!(profile["status"], "not_deployed", "{profile}");
    let (entries, lifecycle): (i64, String) =
        sqlx::query_as("SELECT record_entries, lifecycle FROM robots WHERE robot_id = $1")
            .bind(&id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((entries, lifecycle.as_str()), (2, "not_deployed"));
    let checked = domain::RobotId::parse(&id).unwrap();
    let broken = registry::record::check(app.registry.database(), Some(&checked), &|_| {})
        .await
        .unwrap();
    assert!(broken.is_empty(), "{broken:?}");

    // Registered once; each wrong field named.
    let (status, answer) = api(app, Method::POST, &units, Some(unit.clone()), maker).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (409, Some("already_registered"))
    );
    let future = (today() + time::Duration::days(2)).to_string();
    for (change, field, code) in [
        (json!({"model": "ZZZZZZ"}), "model", "unknown_model"),
        (json!({"serial": "short"}), "serial", "bad_serial"),
        (
            json!({"produced_on": future}),
            "produced_on",
            "bad_production_date",
        ),
        (json!({"country": "C1"}), "country", "bad_country"),
    ] {
        let mut wrong = unit.clone();
        for (k, v) in change.as_object().unwrap() {
            wrong[k] = v.clone();
        }
        wrong["serial"] = wrong["serial"].as_str().map_or(json!(serial('T', 2)), |s| {
            json!(if s == serial('T', 1) {
                serial('T', 2)
            } else {
                s.to_string()
            })
        });
        let (status, answer) = api(app, Method::POST, &units, Some(wrong), maker).await;
        assert_eq!(status, 400, "{answer}");
        assert_eq!(answer["error"]["code"], code);
        assert_eq!(answer["error"]["field"], field);
    }

    // A file with bad rows: every one named by its line, and nothing imported.
    let mut csv = String::from("model,serial,produced_on,factory\n");
    csv.push_str(&format!("{model},{},{day},Suzhou\n", serial('U', 1)));
    csv.push_str(&format!("ZZZZZZ,{},{day},\n", serial('U', 2)));
    csv.push_str(&format!("{model},{},{day},\n", serial('U', 1)));
    csv.push_str(&format!("{model},{},{day},\n", serial('T', 1)));
    csv.push_str(&format!("{model},{},not a date,\n", serial('U', 3)));
    let (status, answer) = import(app, &code, csv, maker).await;
    assert_eq!(status, 400, "{answer}");
    assert_eq!(answer["error"]["code"], "bad_rows");
    let rows: Vec<(u64, String)> = answer["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["line"].as_u64().unwrap(),
                r["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (3, "unknown_model".to_string()),
            (4, "duplicate_unit".to_string()),
            (5, "already_registered".to_string()),
            (6, "bad_production_date".to_string()),
        ]
    );
    assert!(answer["rows"][0]["message"]
        .as_str()
        .unwrap()
        .contains("No model"));
    assert_eq!(
        robots_with_serial_prefix(app, 'U').await,
        0,
        "nothing imported"
    );
    let (status, answer) = import(app, &code, "serial,produced_on\n".into(), maker).await;
    assert_eq!((status, answer["rows"][0]["line"].as_u64()), (400, Some(1)));
    let (status, _) = import(app, &code, "model,serial,produced_on\n".into(), operator).await;
    assert_eq!(status, 403);

    // A good file: accepted, followed to the end, every unit registered with its chain.
    let mut csv = String::from("model,serial,produced_on\n");
    for n in 1..=1_200 {
        csv.push_str(&format!("{model},{},{day}\n", serial('V', n)));
    }
    let (status, started) = import(app, &code, csv, maker).await;
    assert_eq!(status, 202, "{started}");
    assert_eq!(started["total"], 1_200);
    let path = format!(
        "/api/v1/manufacturers/{code}/imports/{}",
        started["id"].as_str().unwrap()
    );
    let done = follow(app, &path, maker).await;
    assert_eq!(
        (done["state"].as_str(), done["written"].as_u64()),
        (Some("done"), Some(1_200)),
        "{done}"
    );
    assert_eq!(robots_with_serial_prefix(app, 'V').await, 1_200);
    let (status, _) = api(app, Method::GET, &path, None, operator).await;
    assert_eq!(status, 403, "another organisation's import");
    let (status, _) = api(
        app,
        Method::GET,
        &format!("/api/v1/manufacturers/{code}/imports/nope"),
        None,
        maker,
    )
    .await;
    assert_eq!(status, 404);
    let broken = registry::record::check(app.registry.database(), None, &|_| {})
        .await
        .unwrap();
    assert!(broken.is_empty(), "{broken:?}");
}

async fn recalls(app: &TestApp) {
    let sessions = demo_sessions(app, &["manufacturer", "operator"]).await;
    let maker = Auth::Session(&sessions["manufacturer"]);
    let operator = Auth::Session(&sessions["operator"]);
    let (_, code, model) = the_maker(&app).await;
    let units = format!("/api/v1/manufacturers/{code}/units");
    let day = (today() - time::Duration::days(3)).to_string();
    for n in [1, 2] {
        let unit = json!({"model": model, "serial": serial('R', n), "produced_on": day});
        let (status, answer) = api(app, Method::POST, &units, Some(unit), maker).await;
        assert_eq!(status, 201, "{answer}");
    }
    let id = |n| format!("CN{code}{model}{}", serial('R', n));
    let status_of = |n| {
        let path = format!("/api/v1/robots/{}", id(n));
        async move {
            app.get_json(&path).await["status"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    assert_ne!(status_of(1).await, "recall_open");

    let recalls = format!("/api/v1/manufacturers/{code}/recalls");
    let notice = json!({
        "model": model,
        "serial_from": serial('R', 1),
        "serial_to": serial('R', 9),
        "defect": "The knee actuator may seize under load.",
        "risk": "fall_risk",
        "remedy": "actuator_replacement",
    });
    let (status, _) = api(app, Method::POST, &recalls, Some(notice.clone()), operator).await;
    assert_eq!(status, 403);
    let mut wrong = notice.clone();
    wrong["risk"] = json!("fire");
    let (status, answer) = api(app, Method::POST, &recalls, Some(wrong), maker).await;
    assert_eq!(
        (status, answer["error"]["field"].as_str()),
        (400, Some("risk"))
    );
    let (status, recall) = api(app, Method::POST, &recalls, Some(notice), maker).await;
    assert_eq!(status, 201, "{recall}");
    assert_eq!(
        (recall["units"].as_i64(), recall["remedied"].as_i64()),
        (Some(2), Some(0))
    );
    let reference = recall["reference"].as_str().unwrap().to_string();

    // Every unit it covers shows it at once; the remedy closes it for one unit.
    assert_eq!(status_of(1).await, "recall_open");
    assert_eq!(status_of(2).await, "recall_open");
    let remedy = json!({
        "kind": "recall_remedied",
        "occurred_at": time::OffsetDateTime::now_utc().format(&time::format_description::well_known::Rfc3339).unwrap(),
        "details": {"recall": recall["id"]},
    });
    let (status, answer) = api(
        app,
        Method::POST,
        &format!("/api/v1/robots/{}/entries", id(1)),
        Some(remedy),
        maker,
    )
    .await;
    assert_eq!(status, 201, "{answer}");
    assert_ne!(status_of(1).await, "recall_open");
    assert_eq!(status_of(2).await, "recall_open");
    let (_, list) = api(app, Method::GET, &recalls, None, maker).await;
    let listed = list["recalls"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["reference"] == reference.as_str())
        .cloned()
        .unwrap();
    assert_eq!(listed["remedied"], 1);

    // Closed: no unit shows it; closing twice, or another's recall, is refused.
    let close = format!("{recalls}/{reference}/close");
    let (status, _) = api(app, Method::POST, &close, None, operator).await;
    assert_eq!(status, 403);
    let (status, closed) = api(app, Method::POST, &close, None, maker).await;
    assert_eq!(status, 200, "{closed}");
    assert!(closed["closed_on"].is_string());
    assert_ne!(status_of(2).await, "recall_open");
    let (status, answer) = api(app, Method::POST, &close, None, maker).await;
    assert_eq!(
        (status, answer["error"]["code"].as_str()),
        (409, Some("recall_closed"))
    );
    let (status, _) = api(
        app,
        Method::POST,
        &format!("{recalls}/RC-1999-0001/close"),
        None,
        maker,
    )
    .await;
    assert_eq!(status, 404);
}

/// The page of organisation `org` (a GET, or a form's POST), as the session `who`.
async fn page(
    app: &TestApp,
    who: &str,
    method: Method,
    path: &str,
    form: Option<&[(&str, String)]>,
) -> reqwest::Response {
    let mut req = app
        .client
        .request(method, format!("{}{path}", app.base))
        .header(SAME_SITE.0, SAME_SITE.1)
        .header("accept-language", "en")
        .header("cookie", format!("{COOKIE}={who}"));
    if let Some(f) = form {
        req = req.form(f);
    }
    req.send().await.unwrap()
}

async fn upload(app: &TestApp, who: &str, org: i64, csv: String) -> reqwest::Response {
    let part = reqwest::multipart::Part::text(csv)
        .file_name("units.csv")
        .mime_str("text/csv")
        .unwrap();
    app.client
        .post(format!("{}/orgs/{org}/units/import", app.base))
        .header(SAME_SITE.0, SAME_SITE.1)
        .header("accept-language", "en")
        .header("cookie", format!("{COOKIE}={who}"))
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap()
}

fn location(resp: &reqwest::Response) -> String {
    resp.headers()["location"].to_str().unwrap().to_string()
}

async fn org_page(app: &TestApp) {
    let sessions = demo_sessions(app, &["manufacturer", "citizen"]).await;
    let maker = sessions["manufacturer"].as_str();
    let (org, code, model) = the_maker(&app).await;
    let here = format!("/orgs/{org}");

    // Only its members; the way to sign in for anyone else.
    let resp = app.get(&here).await;
    assert_eq!(resp.status(), 303);
    assert!(location(&resp).starts_with("/account/sign-in"));
    let resp = page(app, &sessions["citizen"], Method::GET, &here, None).await;
    assert_eq!(resp.status(), 403);
    let resp = page(app, maker, Method::GET, &here, None).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["cache-control"], "private, no-store");
    let html = resp.text().await.unwrap();
    for words in [
        "API tokens",
        "Register one unit",
        "Import units from a CSV file",
        "Issue a recall",
    ] {
        assert!(html.contains(words), "{words}");
    }
    assert!(html.contains(&format!("value=\"{model}\"")));

    // A token: shown once, working, then revoked.
    let resp = page(
        app,
        maker,
        Method::POST,
        &format!("{here}/tokens"),
        Some(&[("token_name", "Line scanner".into())]),
    )
    .await;
    assert_eq!(resp.status(), 201);
    let html = resp.text().await.unwrap();
    let start = html.find("rpt_").expect("the token, shown");
    let token: String = html[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect();
    let later = page(app, maker, Method::GET, &here, None)
        .await
        .text()
        .await
        .unwrap();
    assert!(!later.contains(&token), "shown only once");
    assert!(later.contains("Line scanner"));
    let models = format!("/api/v1/manufacturers/{code}/models");
    assert_eq!(
        api(app, Method::GET, &models, None, Auth::Bearer(&token))
            .await
            .0,
        200
    );
    let token_id: i64 = sqlx::query_scalar("SELECT id FROM api_tokens WHERE name = 'Line scanner'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let resp = page(
        app,
        maker,
        Method::POST,
        &format!("{here}/tokens/{token_id}/revoke"),
        Some(&[]),
    )
    .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(
        api(app, Method::GET, &models, None, Auth::Bearer(&token))
            .await
            .0,
        401
    );

    // A unit: a mistake shown beside its field with the values kept, then registered.
    let day = (today() - time::Duration::days(1)).to_string();
    let mut form = vec![
        ("model", model.clone()),
        ("serial", "P12".to_string()),
        ("produced_on", day.clone()),
        ("factory", "Hefei <east>".to_string()),
    ];
    let resp = page(
        app,
        maker,
        Method::POST,
        &format!("{here}/units"),
        Some(&form),
    )
    .await;
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.unwrap();
    assert!(html.contains("A serial number is 17 characters"));
    assert!(html.contains("Hefei &lt;east&gt;"), "values kept, escaped");
    form[1].1 = serial('P', 1);
    let resp = page(
        app,
        maker,
        Method::POST,
        &format!("{here}/units"),
        Some(&form),
    )
    .await;
    assert_eq!(resp.status(), 303);
    let next = location(&resp);
    assert!(next.contains("registered="), "{next}");
    let html = page(app, maker, Method::GET, &next, None)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains(&format!("/r/CN{code}{model}{}", serial('P', 1))));

    // A file: its bad rows listed by line; a good one followed to the end on the page.
    let bad = format!(
        "model,serial,produced_on\n{model},{},{day}\nZZZZZZ,{},{day}\n",
        serial('Q', 1),
        serial('Q', 2)
    );
    let resp = upload(app, maker, org, bad).await;
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Rows to put right (1)"), "{html}");
    assert!(html.contains("<td>3</td>"));
    assert_eq!(robots_with_serial_prefix(app, 'Q').await, 0);
    let mut good = String::from("model,serial,produced_on\n");
    for n in 1..=50 {
        good.push_str(&format!("{model},{},{day}\n", serial('Q', n)));
    }
    let resp = upload(app, maker, org, good).await;
    assert_eq!(resp.status(), 303);
    // Followed the way a browser does: to the address the refresh names, which must differ
    // from the page's own beyond the fragment (else Chromium only scrolls and never reloads).
    let mut progress = location(&resp);
    let mut shown = String::new();
    for _ in 0..100 {
        shown = page(app, maker, Method::GET, &progress, None)
            .await
            .text()
            .await
            .unwrap();
        if !shown.contains("Importing:") {
            break;
        }
        let at = shown
            .find("http-equiv=\"refresh\"")
            .expect("the page refreshes itself while it runs");
        let start = shown[..at].rfind('<').unwrap();
        let tag = &shown[start..start + shown[start..].find('>').unwrap()];
        let refresh = tag.split("url=").nth(1).unwrap().split('"').next().unwrap();
        let refresh = refresh.replace("&amp;", "&");
        let page_of = |url: &str| url.split('#').next().unwrap_or_default().to_string();
        assert_ne!(
            page_of(&refresh),
            page_of(&progress),
            "a reload, not a scroll"
        );
        progress = refresh;
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(shown.contains("Imported: 50 units"), "{shown}");
    assert_eq!(robots_with_serial_prefix(app, 'Q').await, 50);

    // A recall issued and closed on the page.
    let notice = [
        ("recall_model", model.clone()),
        ("defect", "Battery cells may swell.".to_string()),
        ("risk", "battery_overheating".to_string()),
        ("remedy", "battery_replacement".to_string()),
    ];
    let resp = page(
        app,
        maker,
        Method::POST,
        &format!("{here}/recalls"),
        Some(&notice[..3]),
    )
    .await;
    assert_eq!(resp.status(), 422, "no remedy chosen");
    assert!(resp
        .text()
        .await
        .unwrap()
        .contains("Choose the remedy from the list."));
    let resp = page(
        app,
        maker,
        Method::POST,
        &format!("{here}/recalls"),
        Some(&notice),
    )
    .await;
    assert_eq!(resp.status(), 303);
    let html = page(app, maker, Method::GET, &location(&resp), None)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Battery cells may swell."));
    let reference: String = sqlx::query_scalar(
        "SELECT reference FROM recalls WHERE defect = 'Battery cells may swell.'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let resp = page(
        app,
        maker,
        Method::POST,
        &format!("{here}/recalls/{reference}/close"),
        Some(&[]),
    )
    .await;
    assert_eq!(resp.status(), 303);
    let closed: Option<String> =
        sqlx::query_scalar("SELECT closed_on FROM recalls WHERE reference = $1")
            .bind(&reference)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(closed.is_some());

    // In Chinese too.
    let resp = app
        .client
        .get(format!("{}{here}", app.base))
        .header("accept-language", "zh-CN")
        .header("cookie", format!("{COOKIE}={maker}"))
        .send()
        .await
        .unwrap();
    assert!(resp.text().await.unwrap().contains("登记一台设备"));
}

async fn maker(app: &TestApp) {
    units(app).await;
    recalls(app).await;
    org_page(app).await;
}

helpers::on_both!(maker);
