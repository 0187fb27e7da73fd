//! Provenance reports over the API, on SQLite and PostgreSQL: share codes issued and revoked by
//! the owner, a buyer opening the report with one (and refused without, with a wrong one, one
//! for another robot, an expired or revoked one, or after guessing too often), regulators and
//! the owner opening it without, every opening in the audit log that only they read, and the
//! record changed behind the portal's back (an entry edited, deleted, inserted) named by the
//! report and by the check `robopass verify` runs.

mod helpers;

use helpers::{api, demo, sign_in, Auth, TestApp};
use serde_json::{json, Value};

async fn call(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
    session: Option<&str>,
) -> (u16, Value) {
    let auth = session.map_or(Auth::Nobody, Auth::Session);
    api(app, method, path, body, auth).await
}

async fn open(
    app: &TestApp,
    robot: &str,
    code: Option<&str>,
    session: Option<&str>,
) -> (u16, Value) {
    let body = code.map(|c| json!({ "share_code": c }));
    call(
        app,
        reqwest::Method::POST,
        &format!("/api/v1/provenance/{robot}"),
        body,
        session,
    )
    .await
}

fn code_of(answer: &(u16, Value)) -> Option<&str> {
    answer.1["error"]["code"].as_str()
}

/// A robot of the demo owner's other than the demo robot (whose demo codes the README lists).
async fn owned_robot(app: &TestApp) -> String {
    sqlx::query_scalar(
        "SELECT r.robot_id FROM robots r
         JOIN memberships m ON m.org_id = r.owner_id AND m.role = 'owner'
         JOIN people p ON p.id = m.person_id
         WHERE p.email_key = 'owner@demo.robopass.example' ORDER BY r.id LIMIT 2",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap()
    .pop()
    .expect("the demo owner owns two robots")
}

async fn session_of(app: &TestApp, role: &str) -> String {
    let (email, password) = demo(role);
    sign_in(app, &email, &password).await
}

async fn share_codes(app: &TestApp) {
    let robot = owned_robot(app).await;
    let owner = session_of(app, "owner").await;
    let buyer = session_of(app, "buyer").await;
    let regulator = session_of(app, "regulator").await;
    let codes = format!("/api/v1/robots/{robot}/share-codes");

    // Only the owner issues codes, for 1 to 90 days.
    let (status, body) = call(app, reqwest::Method::POST, &codes, None, Some(&buyer)).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("not_owner"))
    );
    for days in [0, 91] {
        let (status, body) = call(
            app,
            reqwest::Method::POST,
            &codes,
            Some(json!({"expires_in_days": days})),
            Some(&owner),
        )
        .await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (400, Some("bad_expiry")),
            "{days}"
        );
    }
    let (status, issued) = call(
        app,
        reqwest::Method::POST,
        &codes,
        Some(json!({"expires_in_days": 7})),
        Some(&owner),
    )
    .await;
    assert_eq!(status, 201, "{issued}");
    let code = issued["code"].as_str().unwrap().to_string();
    assert!(
        code.len() == 14 && code.split('-').all(|g| g.len() == 4),
        "{code}"
    );
    let kept: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM share_codes WHERE code_hash = $1 OR code_hash = $2",
    )
    .bind(&code)
    .bind(code.replace('-', ""))
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(kept, 0, "only a keyed hash is kept");
    let (status, list) = call(app, reqwest::Method::GET, &codes, None, Some(&owner)).await;
    assert_eq!(status, 200);
    assert_eq!(list["share_codes"][0]["state"], "valid");
    assert!(!list.to_string().contains(&code.replace('-', "")));

    // The buyer: signed in, with the code; typed any way.
    assert_eq!(open(app, &robot, Some(&code), None).await.0, 401);
    assert_eq!(
        code_of(&open(app, &robot, None, Some(&buyer)).await),
        Some("share_code_needed")
    );
    let typed = code.to_lowercase().replace('-', " ");
    let (status, report) = open(app, &robot, Some(&typed), Some(&buyer)).await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["robot_id"], robot);
    assert_eq!(report["opened_via"], "share_code");
    assert_eq!(report["chain"]["intact"], true);
    let entries: i64 = sqlx::query_scalar("SELECT record_entries FROM robots WHERE robot_id = $1")
        .bind(&robot)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(report["chain"]["entries"], entries);
    assert_eq!(report["timeline"].as_array().unwrap().len() as i64, entries);
    assert!(report["timeline"][0]["filed_by"]
        .as_str()
        .is_some_and(|s| !s.starts_with('#')));
    assert!(!report["summary"]["owners"].as_array().unwrap().is_empty());

    // Another robot's report does not open with it.
    let other = app.id_for(domain::Status::NotDeployed);
    assert_eq!(
        code_of(&open(app, &other, Some(&code), Some(&buyer)).await),
        Some("bad_share_code")
    );

    // Regulators and the owner need no code.
    let (status, report) = open(app, &robot, None, Some(&regulator)).await;
    assert_eq!(
        (status, report["opened_via"].as_str()),
        (200, Some("regulator"))
    );
    let (status, report) = open(app, &other, None, Some(&regulator)).await;
    assert_eq!(
        (status, report["robot_id"].as_str()),
        (200, Some(other.as_str()))
    );
    let (status, report) = open(app, &robot, None, Some(&owner)).await;
    assert_eq!(
        (status, report["opened_via"].as_str()),
        (200, Some("owner"))
    );

    // Every opening is in the audit log, which the owner and regulators read, and no one else.
    let log = format!("/api/v1/provenance/{robot}/openings");
    let (status, body) = call(app, reqwest::Method::GET, &log, None, Some(&buyer)).await;
    assert_eq!(
        (status, body["error"]["code"].as_str()),
        (403, Some("not_owner"))
    );
    let (status, body) = call(app, reqwest::Method::GET, &log, None, Some(&owner)).await;
    assert_eq!(status, 200);
    let openings = body["openings"].as_array().unwrap();
    let vias: Vec<&str> = openings
        .iter()
        .map(|o| o["via"].as_str().unwrap())
        .collect();
    assert_eq!(vias, ["owner", "regulator", "share_code"], "newest first");
    assert_eq!(openings[2]["person"], "Huang Tao (demo)");
    let (status, body) = call(app, reqwest::Method::GET, &log, None, Some(&regulator)).await;
    assert_eq!(
        (status, body["openings"].as_array().map(Vec::len)),
        (200, Some(3))
    );

    // Expired, revoked: refused, and said so.
    sqlx::query("UPDATE share_codes SET expires_at = '2020-01-01T00:00:00Z' WHERE id = $1")
        .bind(issued["id"].as_i64().unwrap())
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        code_of(&open(app, &robot, Some(&code), Some(&buyer)).await),
        Some("share_code_ended")
    );
    let (_, second) = call(app, reqwest::Method::POST, &codes, None, Some(&owner)).await;
    let second = second["code"].as_str().unwrap().to_string();
    assert_eq!(open(app, &robot, Some(&second), Some(&buyer)).await.0, 200);
    let (status, _) = call(
        app,
        reqwest::Method::DELETE,
        &format!("{codes}/{second}"),
        None,
        Some(&buyer),
    )
    .await;
    assert_eq!(status, 403, "only the owner revokes");
    let (status, _) = call(
        app,
        reqwest::Method::DELETE,
        &format!("{codes}/{second}"),
        None,
        Some(&owner),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        code_of(&open(app, &robot, Some(&second), Some(&buyer)).await),
        Some("share_code_ended")
    );
    let (status, list) = call(app, reqwest::Method::GET, &codes, None, Some(&owner)).await;
    assert_eq!(status, 200);
    let states: Vec<&str> = list["share_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["revoked", "expired"]);

    // Guessing: the citizen's wrong codes are counted until they are refused outright.
    let citizen = session_of(app, "citizen").await;
    let (_, third) = call(app, reqwest::Method::POST, &codes, None, Some(&owner)).await;
    let third = third["code"].as_str().unwrap().to_string();
    let mut refused_at = None;
    for i in 0..12 {
        let answer = open(
            app,
            &robot,
            Some(&format!("ZZZZ-ZZZZ-ZZ{i:02}")),
            Some(&citizen),
        )
        .await;
        match code_of(&answer) {
            Some("bad_share_code") => {}
            Some("too_many_attempts") => {
                assert_eq!(answer.0, 429);
                refused_at = Some(i);
                break;
            }
            other => panic!("{other:?}: {}", answer.1),
        }
    }
    assert!(refused_at.is_some_and(|i| i >= 9), "{refused_at:?}");
    assert_eq!(
        code_of(&open(app, &robot, Some(&third), Some(&citizen)).await),
        Some("too_many_attempts"),
        "even the right code waits"
    );
    assert_eq!(
        open(app, &robot, Some(&third), Some(&buyer)).await.0,
        200,
        "others are not held up"
    );
}

/// Turn the record's append-only triggers off (the test stands in for someone with the
/// database's keys), run `sql`, and turn them on again.
async fn behind_the_portal(app: &TestApp, sql: &str, robot: &str) {
    let postgres = matches!(app.registry.backend(), registry::Backend::Postgres);
    if postgres {
        sqlx::query("ALTER TABLE lifecycle_entries DISABLE TRIGGER USER")
            .execute(&app.pool)
            .await
            .unwrap();
    } else {
        for t in ["no_update", "no_delete", "no_replace"] {
            sqlx::query(&format!("DROP TRIGGER IF EXISTS lifecycle_entries_{t}"))
                .execute(&app.pool)
                .await
                .unwrap();
        }
    }
    sqlx::query(sql)
        .bind(robot)
        .execute(&app.pool)
        .await
        .unwrap();
    if postgres {
        sqlx::query("ALTER TABLE lifecycle_entries ENABLE TRIGGER USER")
            .execute(&app.pool)
            .await
            .unwrap();
    }
}

async fn tampering_is_named(app: &TestApp) {
    let regulator = session_of(app, "regulator").await;
    let robots: Vec<String> = sqlx::query_scalar(
        "SELECT robot_id FROM robots WHERE record_entries >= 4 ORDER BY id LIMIT 3 OFFSET 10",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let of = "(SELECT id FROM robots WHERE robot_id = $1)";
    let changes = [
        (
            format!("UPDATE lifecycle_entries SET details = '{{\"to\":1}}' WHERE seq = 2 AND robot_id = {of}"),
            2,
            Some("altered"),
        ),
        (
            format!("DELETE FROM lifecycle_entries WHERE seq = 3 AND robot_id = {of}"),
            3,
            Some("gap"),
        ),
        (
            format!(
                "INSERT INTO lifecycle_entries (robot_id, seq, kind, occurred_at, filed_by, details,
                     prev_hash, hash, hash_version)
                 SELECT r.id, r.record_entries + 1, 'inspected', '2026-01-01T00:00:00Z', 1, '{{}}',
                     r.record_head, 'forged', 2
                 FROM robots r WHERE r.id = {of}"
            ),
            // A forged hash, or a true one the robot's record does not count: either way named.
            0,
            None,
        ),
    ];
    for (robot, (sql, seq, how)) in robots.iter().zip(changes) {
        let (status, before) = open(app, robot, None, Some(&regulator)).await;
        assert_eq!(
            (status, before["chain"]["intact"].as_bool()),
            (200, Some(true))
        );
        behind_the_portal(app, &sql, robot).await;
        let (status, report) = open(app, robot, None, Some(&regulator)).await;
        assert_eq!(status, 200);
        assert_eq!(report["chain"]["intact"], false, "{robot}: {how:?}");
        if let Some(how) = how {
            assert_eq!(report["chain"]["break_kind"], how);
        }
        assert_eq!(
            report["red_flags"][0]["kind"], "broken_chain",
            "named first"
        );
        let named = report["chain"]["broken_entry"].as_i64().unwrap();
        if seq > 0 {
            assert_eq!(named, seq, "{how:?}");
        } else {
            assert_eq!(
                named,
                before["chain"]["entries"].as_i64().unwrap() + 1,
                "the inserted entry"
            );
        }
        // The check `robopass verify` runs names the robot and the entry too.
        let id = domain::RobotId::parse(robot).unwrap();
        let broken = registry::record::check(app.registry.database(), Some(&id), &|_| {})
            .await
            .unwrap();
        assert_eq!(broken.len(), 1, "{broken:?}");
        assert!(
            broken[0].1.to_string().contains(&named.to_string()),
            "{broken:?}"
        );
    }
}

/// A report opened again is made again when anything it shows changed, not only its record:
/// here a name the timeline gives (on PostgreSQL only the record's digest is read first).
async fn a_renamed_party_makes_the_report_again(app: &TestApp) {
    let regulator = session_of(app, "regulator").await;
    let robot: String = sqlx::query_scalar(
        "SELECT robot_id FROM robots WHERE record_entries >= 4 ORDER BY id LIMIT 1 OFFSET 20",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let (_, before) = open(app, &robot, None, Some(&regulator)).await;
    let (_, again) = open(app, &robot, None, Some(&regulator)).await;
    assert_eq!(
        again["timeline"], before["timeline"],
        "the same record, the same report"
    );
    sqlx::query(
        "UPDATE organisations SET name = 'Renamed Robotics Ltd'
         WHERE id = (SELECT m.manufacturer_id FROM models m JOIN robots r ON r.model_id = m.id
                     WHERE r.robot_id = $1)",
    )
    .bind(&robot)
    .execute(&app.pool)
    .await
    .unwrap();
    let (status, after) = open(app, &robot, None, Some(&regulator)).await;
    assert_eq!(status, 200);
    let entries = |r: &Value| r["timeline"].as_array().map_or(0, Vec::len);
    assert!(entries(&before) >= 4);
    assert_eq!(
        entries(&after),
        entries(&before),
        "the whole timeline, read again"
    );
    assert_eq!(after["chain"]["intact"], true);
    assert!(after["timeline"]
        .to_string()
        .contains("Renamed Robotics Ltd"));
}

helpers::on_both!(a_renamed_party_makes_the_report_again);

/// The README's demo codes: one opens the demo robot, one a scrapped robot someone is offering
/// (whose report leads with that), one has expired and one was revoked.
async fn demo_share_codes(app: &TestApp) {
    let buyer = session_of(app, "buyer").await;
    let codes = registry::demo_accounts::share_codes(app.registry.database())
        .await
        .unwrap();
    assert_eq!(codes.len(), 4, "{codes:?}");
    for c in &codes {
        let answer = open(app, &c.id, Some(c.code), Some(&buyer)).await;
        match c.state {
            "valid" => assert_eq!(answer.0, 200, "{c:?}: {}", answer.1),
            _ => assert_eq!(code_of(&answer), Some("share_code_ended"), "{c:?}"),
        }
    }
    let scrapped = &codes[1];
    let (_, report) = open(app, &scrapped.id, Some(scrapped.code), Some(&buyer)).await;
    assert_eq!(report["status"], "scrapped");
    let flags: Vec<&str> = report["red_flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        flags[..2],
        ["scrapped_offered", "resale_attempted"],
        "{flags:?}"
    );
    let (_, report) = open(app, &codes[0].id, Some(codes[0].code), Some(&buyer)).await;
    assert_eq!(report["status"], "in_service");
    let condition = &report["condition"];
    assert!(
        !condition["battery_soh"].as_array().unwrap().is_empty(),
        "{condition}"
    );
    assert!(
        !condition["joints"].as_array().unwrap().is_empty(),
        "{condition}"
    );
}

/// A page request as `session`, in `lang`, posting `form` when given: status and body.
async fn page(
    app: &TestApp,
    path: &str,
    form: Option<&[(&str, &str)]>,
    session: Option<&str>,
    lang: &str,
) -> (u16, String, Option<String>) {
    let url = format!("{}{path}", app.base);
    let mut req = match form {
        Some(f) => app.client.post(url).form(f),
        None => app.client.get(url),
    };
    req = req
        .header(helpers::SAME_SITE.0, helpers::SAME_SITE.1)
        .header("accept-language", lang);
    if let Some(s) = session {
        req = req.header("cookie", format!("{}={s}", helpers::COOKIE));
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string());
    (status, resp.text().await.unwrap(), location)
}

/// The page a buyer, the owner and a visitor see, without JavaScript: a plain form for the
/// code, the report with its charts, the owner's codes and audit log.
async fn provenance_page(app: &TestApp) {
    let codes = registry::demo_accounts::share_codes(app.registry.database())
        .await
        .unwrap();
    let (robot, code) = (codes[0].id.clone(), codes[0].code);
    let path = format!("/provenance/{robot}");
    let (status, _, location) = page(app, &path, None, None, "en").await;
    assert_eq!(status, 303);
    assert!(location.unwrap().starts_with("/account/sign-in?next="));

    let buyer = session_of(app, "buyer").await;
    let (status, html, _) = page(app, &path, None, Some(&buyer), "en").await;
    assert_eq!(status, 200);
    assert!(
        html.contains(r#"name="share_code""#) && html.contains("<label"),
        "a labelled field"
    );
    assert!(!html.contains("Full timeline"));

    let wrong = [("share_code", "ZZZZ-ZZZZ-ZZZZ")];
    let (status, html, _) = page(app, &path, Some(&wrong), Some(&buyer), "en").await;
    assert_eq!(status, 403);
    assert!(
        html.contains("does not open this robot"),
        "said beside the field"
    );
    assert!(
        !html.contains("ZZZZ-ZZZZ-ZZZZ"),
        "a wrong code is not shown again"
    );

    let right = [("share_code", code)];
    let (status, html, _) = page(app, &path, Some(&right), Some(&buyer), "en").await;
    assert_eq!(status, 200);
    let text = helpers::text_of(&html);
    for part in [
        "Record verified",
        "Red flags",
        "Summary",
        "Condition",
        "Full timeline",
        "Owners",
    ] {
        assert!(text.contains(part), "{part}");
    }
    assert!(
        html.contains(r#"<svg"#) && html.contains(r#"role="img""#),
        "a chart"
    );
    assert!(
        !html.contains("Share codes"),
        "the buyer does not manage codes"
    );
    let (_, zh, _) = page(app, &path, Some(&right), Some(&buyer), "zh-CN").await;
    assert!(zh.contains("来历报告") && zh.contains("完整时间线"));

    let scrapped = [("share_code", codes[1].code)];
    let scrapped_path = format!("/provenance/{}", codes[1].id);
    let (_, html, _) = page(app, &scrapped_path, Some(&scrapped), Some(&buyer), "en").await;
    assert!(helpers::text_of(&html).contains("Scrapped, yet offered."));

    // The owner: the report at once, its codes, who opened it.
    let owner = session_of(app, "owner").await;
    let (status, html, _) = page(app, &path, None, Some(&owner), "en").await;
    assert_eq!(status, 200);
    let text = helpers::text_of(&html);
    assert!(text.contains("Share codes") && text.contains("Who opened this report"));
    assert!(
        text.contains("Huang Tao (demo)"),
        "the buyer's opening is logged"
    );
    let issue = format!("{path}/share-codes");
    let (status, html, _) = page(app, &issue, Some(&[("days", "0")]), Some(&owner), "en").await;
    assert_eq!(status, 422);
    assert!(html.contains("1 to 90 days"));
    let (status, html, _) = page(app, &issue, Some(&[("days", "7")]), Some(&owner), "en").await;
    assert_eq!(status, 200);
    let shown = html
        .split(r#"<p class="share-code"><code>"#)
        .nth(1)
        .and_then(|rest| rest.split('<').next())
        .expect("the new code is shown")
        .to_string();
    assert_eq!(shown.len(), 14, "{shown}");
    let fresh = [("share_code", shown.as_str())];
    assert_eq!(
        page(app, &path, Some(&fresh), Some(&buyer), "en").await.0,
        200
    );
    let number: i64 = sqlx::query_scalar("SELECT MAX(id) FROM share_codes")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let revoke = format!("{path}/share-codes/{number}/revoke");
    assert_eq!(
        page(app, &revoke, Some(&[]), Some(&buyer), "en").await.0,
        403
    );
    let (status, _, location) = page(app, &revoke, Some(&[]), Some(&owner), "en").await;
    assert_eq!(
        (status, location.as_deref()),
        (303, Some(format!("{path}?done=revoked").as_str()))
    );
    assert_eq!(
        page(app, &path, Some(&fresh), Some(&buyer), "en").await.0,
        403
    );

    // A form posted from another site changes nothing.
    let forged = app
        .client
        .post(format!("{}{issue}", app.base))
        .header("sec-fetch-site", "cross-site")
        .header("cookie", format!("{}={owner}", helpers::COOKIE))
        .form(&[("days", "7")])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 403);
}

helpers::on_both!(share_codes);
helpers::on_both!(provenance_page);
helpers::on_both!(demo_share_codes);
helpers::on_both!(tampering_is_named);
