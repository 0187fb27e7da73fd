//! The portal under hostile input: malformed headers, other hosts' names, floods of
//! addresses, and every way the database offers to rewrite the record (hostile photos are in
//! `hostile_photos.rs`, a binary of their own so that no other test shares their CPU). Each attack is made here as a script would make it, through the real interface.

mod helpers;

use domain::Status;
use helpers::{urlencode, Db, TestApp};
use serde_json::Value;

/// `Accept-Language` with many `q=NaN` entries broke the language parser's sort (a panic).
async fn a_hostile_accept_language_gets_a_page(app: &TestApp) {
    let id = app.id_for(Status::InService);
    let header = vec!["en;q=NaN"; 40].join(", ");
    for path in [
        format!("/r/{id}"),
        format!("/api/v1/robots/{id}"),
        format!("/qr/{id}.svg"),
        "/scan".to_string(),
    ] {
        let resp = app.get_with(&path, &[("accept-language", &header)]).await;
        assert_eq!(resp.status(), 200, "{path}");
    }
}
helpers::on_both!(a_hostile_accept_language_gets_a_page);

/// Another host's name gets a plain 421, never the portal: labels for that name are not
/// vouched for, and no page is kept for it.
async fn other_hosts_are_refused_and_never_vouched_for(app: &TestApp) {
    let id = app.id_for(Status::InService);
    for host in [
        "evil.example",
        "robopass.example.evil.example",
        "ROBOPASS.EXAMPLE.",
        "",
    ] {
        let resp = app.get_with(&format!("/r/{id}"), &[("host", host)]).await;
        assert_eq!(resp.status(), 421, "Host {host:?}");
    }
    // The configured origin, in any case and with its default port, is the portal.
    for host in [
        "robopass.example",
        "ROBOPASS.example",
        "robopass.example:443",
    ] {
        let resp = app.get_with(&format!("/r/{id}"), &[("host", host)]).await;
        assert_eq!(resp.status(), 200, "Host {host:?}");
    }
    // Load balancers check health by address.
    let resp = app.get_with("/healthz", &[("host", "10.0.0.7")]).await;
    assert_eq!(resp.status(), 200);

    // A genuinely signed label, but for a host that is not the registry's: not verified, even
    // when that host is the one the request came in on (before, that made it "ours").
    let label = {
        let resp = app.get(&format!("/qr/{id}.png?size=512")).await;
        let (_, json) = app.scan_json(resp.bytes().await.unwrap().to_vec()).await;
        json["codes"][0]["found"].as_str().unwrap().to_string()
    };
    let copied = label.replacen("HTTPS://ROBOPASS.EXAMPLE", "HTTPS://EVIL.EXAMPLE", 1);
    let path = format!("/api/v1/verify?code={}", urlencode(&copied));
    let v: Value = app.get(&path).await.json().await.unwrap();
    assert_eq!(v["verdict"], "foreign_host", "{v}");
    let resp = app.get_with(&path, &[("host", "evil.example")]).await;
    assert_eq!(resp.status(), 421);
}
helpers::on_both!(other_hosts_are_refused_and_never_vouched_for);

/// A flood of long distinct `Host` values and addresses leaves the page cache within its
/// byte bound; query strings are served from it rather than around it.
async fn the_page_cache_stays_within_its_bytes(app: &TestApp) {
    let cache = app.page_cache.as_ref().expect("a page cache");
    let long_host = format!("{}.example", "h".repeat(4000));
    for i in 0..40 {
        let resp = app
            .get_with(
                &format!("/r/{}", app.id_for(Status::InService)),
                &[("host", &format!("{i}{long_host}"))],
            )
            .await;
        assert_eq!(resp.status(), 421);
    }
    let known = app.id_for(Status::InService);
    let unknown = app.unregistered_neighbour(&known);
    for i in 0..400u32 {
        // Distinct well-formed IDs (each a "not registered" page), label tokens, and junk.
        let id = format!("{}{:017}", &unknown[..12], 90_000_000 + i);
        let token = format!("ABCD.{}", "Q".repeat(100));
        for path in [
            format!("/r/{id}"),
            format!("/R/{id}/{token}"),
            format!("/r/{id}/{}/x", "z".repeat(500)),
            format!("/r/{known}?n={i}"),
        ] {
            let resp = app.get(&path).await;
            assert!(resp.status().as_u16() < 500, "{path}: {}", resp.status());
        }
    }
    let kept = cache.bytes().await;
    assert!(kept > 0);
    assert!(kept <= BOUND, "{kept} bytes kept, bound {BOUND}");
}
const BOUND: u64 = 1024 * 1024;
helpers::on_both!(the_page_cache_stays_within_its_bytes, |c| {
    c.page_cache_bytes = crate::BOUND;
});

/// HTTPS origins get HSTS; pages say how they may be cached.
async fn pages_carry_transport_and_cache_headers(app: &TestApp) {
    let id = app.id_for(Status::InService);
    let resp = app.get(&format!("/r/{id}")).await;
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.headers()["strict-transport-security"],
        "max-age=31536000"
    );
    assert_eq!(resp.headers()["cache-control"], "private, no-cache");
    let resp = app.get("/scan").await;
    assert_eq!(resp.headers()["cache-control"], "private, no-cache");
}
helpers::on_both!(pages_carry_transport_and_cache_headers);

/// Label sizes that draw the same picture are one entry, and sizes out of range are refused.
async fn label_sizes_are_bounded(app: &TestApp) {
    let id = app.id_for(Status::InService);
    let a = app.get(&format!("/qr/{id}.png?size=1000")).await;
    let b = app.get(&format!("/qr/{id}.png?size=1001")).await;
    assert_eq!(a.status(), 200);
    assert_eq!(a.bytes().await.unwrap(), b.bytes().await.unwrap());
    for size in ["127", "2049", "99999999999", "-1", "1e3"] {
        let resp = app.get(&format!("/qr/{id}.png?size={size}")).await;
        assert_eq!(resp.status(), 400, "size {size}");
    }
}
helpers::on_both!(label_sizes_are_bounded);

/// Sends `head` and then `start` of a body that says it is far longer, and waits: the answer,
/// as text, and how long it took to come.
async fn send_and_stall(
    app: &TestApp,
    head: String,
    start: &[u8],
) -> (String, std::time::Duration) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let addr = app.base.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let started = std::time::Instant::now();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(start).await.unwrap();
    let mut answer = Vec::new();
    tokio::time::timeout(
        std::time::Duration::from_secs(10),
        stream.read_to_end(&mut answer),
    )
    .await
    .expect("the server answers a stalled upload instead of waiting for it")
    .unwrap();
    (
        String::from_utf8_lossy(&answer).into_owned(),
        started.elapsed(),
    )
}

/// An upload that stops arriving is refused once the body timeout (1 s here) passes, with 408
/// and words that say so in the sender's language: on the API and on the photo form.
async fn a_stalled_upload_is_refused(app: &TestApp) {
    let host = app.base.trim_start_matches("http://");
    let start = vec![0x89u8; 1000];
    let head = format!(
        "POST /api/v1/scan HTTP/1.1\r\nHost: {host}\r\nContent-Type: image/png\r\n\
         Content-Length: 100000\r\nAccept-Language: zh-CN\r\nConnection: close\r\n\r\n"
    );
    let (answer, took) = send_and_stall(app, head, &start).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("\"upload_stalled\""), "{answer}");
    assert!(answer.contains("照片未完整上传就中断了"), "{answer}");
    assert!(
        took >= std::time::Duration::from_millis(900),
        "answered after {took:?}"
    );

    let mut form =
        b"--XyZ\r\nContent-Disposition: form-data; name=\"photo\"; filename=\"label.png\"\r\n\
                     Content-Type: image/png\r\n\r\n"
            .to_vec();
    form.extend_from_slice(&start);
    let head = format!(
        "POST /scan/photo HTTP/1.1\r\nHost: {host}\r\n\
         Content-Type: multipart/form-data; boundary=XyZ\r\nContent-Length: 100000\r\n\
         Accept-Language: en\r\nConnection: close\r\n\r\n"
    );
    let (answer, took) = send_and_stall(app, head, &form).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer.contains("The photo stopped arriving before it was complete."),
        "{answer}"
    );
    assert!(
        took >= std::time::Duration::from_millis(900),
        "answered after {took:?}"
    );
}

helpers::on_both!(a_stalled_upload_is_refused, |c| {
    c.body_read_timeout = std::time::Duration::from_secs(1);
});

/// Every way of rewriting the record that the portal's own connection can try is refused, and
/// the record is unchanged afterwards.
async fn the_record_refuses_every_rewrite(app: &TestApp, postgres: bool) {
    let pool = &app.pool;
    let snapshot = || async {
        sqlx::query_as::<_, (i64, i64, String)>(
            "SELECT COUNT(*), CAST(COALESCE(SUM(seq), 0) AS BIGINT), COALESCE(MAX(hash), '') \
             FROM lifecycle_entries",
        )
        .fetch_one(pool)
        .await
        .unwrap()
    };
    let before = snapshot().await;
    assert!(before.0 > 0);
    let (id, robot_id, seq): (i64, i64, i64) =
        sqlx::query_as("SELECT id, robot_id, seq FROM lifecycle_entries ORDER BY id LIMIT 1")
            .fetch_one(pool)
            .await
            .unwrap();
    let copy = format!(
        "SELECT {{id}}, robot_id, {{seq}}, kind, occurred_at, filed_by, 'rewritten', corrects_seq, prev_hash, 'forged' \
         FROM lifecycle_entries WHERE id = {id}"
    );
    let columns =
        "(id, robot_id, seq, kind, occurred_at, filed_by, details, corrects_seq, prev_hash, hash)";
    let same_row = copy
        .replace("{id}", &id.to_string())
        .replace("{seq}", &seq.to_string());
    let new_id_same_seq = copy
        .replace("{id}", "987654321")
        .replace("{seq}", &seq.to_string());
    let mut attempts = vec![
        format!("UPDATE lifecycle_entries SET details = 'rewritten' WHERE id = {id}"),
        format!("DELETE FROM lifecycle_entries WHERE id = {id}"),
        format!(
            "INSERT INTO lifecycle_entries {columns} {same_row} \
             ON CONFLICT (id) DO UPDATE SET details = 'rewritten'"
        ),
        format!(
            "INSERT INTO lifecycle_entries {columns} {new_id_same_seq} \
             ON CONFLICT (robot_id, seq) DO UPDATE SET details = 'rewritten'"
        ),
    ];
    if postgres {
        attempts.push("TRUNCATE lifecycle_entries".into());
        attempts.push("TRUNCATE robots CASCADE".into());
    } else {
        attempts.push(format!(
            "INSERT OR REPLACE INTO lifecycle_entries {columns} {same_row}"
        ));
        attempts.push(format!(
            "REPLACE INTO lifecycle_entries {columns} {same_row}"
        ));
        attempts.push(format!(
            "REPLACE INTO lifecycle_entries {columns} {new_id_same_seq}"
        ));
        attempts.push(format!(
            "UPDATE OR REPLACE lifecycle_entries SET seq = seq WHERE robot_id = {robot_id}"
        ));
    }
    for sql in &attempts {
        let result = sqlx::query(sql).execute(pool).await;
        assert!(result.is_err(), "the record accepted: {sql}");
        assert_eq!(snapshot().await, before, "the record changed after: {sql}");
    }
}

#[tokio::test]
async fn the_record_refuses_every_rewrite_sqlite() {
    let app = helpers::spawn_app(Db::Sqlite).await;
    the_record_refuses_every_rewrite(&app, false).await;
}

#[tokio::test]
async fn the_record_refuses_every_rewrite_postgres() {
    let Some(url) = helpers::fresh_postgres().await else {
        eprintln!("TEST_POSTGRES_URL not set: PostgreSQL run skipped");
        return;
    };
    let app = helpers::spawn_app(Db::Postgres(url)).await;
    the_record_refuses_every_rewrite(&app, true).await;
}

/// On PostgreSQL the portal runs under a role that does not own the schema: it serves pages,
/// and it cannot drop or disable the record's triggers, nor empty or rewrite the record.
#[tokio::test]
async fn the_portal_runs_under_a_role_that_does_not_own_the_schema() {
    use sqlx::Connection;
    let Some(url) = helpers::fresh_postgres().await else {
        eprintln!("TEST_POSTGRES_URL not set: PostgreSQL run skipped");
        return;
    };
    // The owner (here the test server's superuser) migrates and loads the registry.
    let owner_app = helpers::spawn_app(Db::Postgres(url.clone())).await;
    let id = owner_app.id_for(Status::InService);
    let role = format!("robopass_app_{}", std::process::id());
    let db = url.rsplit('/').next().unwrap().to_string();
    let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
    for sql in [
        format!("DROP ROLE IF EXISTS {role}"),
        format!("CREATE ROLE {role} LOGIN"),
        format!("GRANT CONNECT ON DATABASE {db} TO {role}"),
        format!("GRANT USAGE ON SCHEMA public TO {role}"),
        format!("GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA public TO {role}"),
        format!(
            "GRANT UPDATE ON robots, people, account_tokens, attempts, incident_reports, \
             api_tokens, engagements, inspections, permitted_roles, share_codes, recalls TO {role}"
        ),
        format!("GRANT DELETE ON sessions, account_tokens, attempts TO {role}"),
        format!("GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {role}"),
    ] {
        // Another run may be making the same role at the same moment: retry once.
        if sqlx::query(&sql).execute(&mut admin).await.is_err() {
            sqlx::query(&sql).execute(&mut admin).await.unwrap();
        }
    }
    let base = url.split("://").nth(1).unwrap();
    let host_and_db = base.split_once('@').map_or(base, |(_, rest)| rest);
    let app_url = format!("postgres://{role}@{host_and_db}");

    let mut conn = sqlx::PgConnection::connect(&app_url).await.unwrap();
    for sql in [
        "DROP TRIGGER lifecycle_entries_no_rewrite ON lifecycle_entries",
        "DROP TRIGGER lifecycle_entries_no_truncate ON lifecycle_entries",
        "ALTER TABLE lifecycle_entries DISABLE TRIGGER ALL",
        "TRUNCATE lifecycle_entries",
        "DELETE FROM lifecycle_entries",
        "UPDATE lifecycle_entries SET details = ''",
        "UPDATE incident_events SET note = ''",
        "DELETE FROM incident_events",
        "DELETE FROM incident_reports",
        "DROP TABLE lifecycle_entries",
        "CREATE TABLE imposter (x INT)",
    ] {
        let result = sqlx::query(sql).execute(&mut conn).await;
        assert!(result.is_err(), "the portal's role could: {sql}");
    }
    conn.close().await.unwrap();

    // And the portal itself starts and serves under that role.
    let app = helpers::spawn_app_unseeded(Db::Postgres(app_url)).await;
    let resp = app.get(&format!("/r/{id}")).await;
    assert_eq!(resp.status(), 200);
    // Signing in (an attempt counted, a session made) and signing out work under it too.
    let signed = app
        .client
        .post(format!("{}/account/sign-in", app.base))
        .form(&[
            ("email", "citizen@demo.robopass.example"),
            ("password", "demo-citizen-2026"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(signed.status(), 303, "sign-in under the portal's role");
    let cookie = signed.headers()["set-cookie"].to_str().unwrap();
    let session = cookie.split(';').next().unwrap().to_string();
    let inbox = app
        .client
        .get(format!("{}/inbox", app.base))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(inbox.status(), 200);
    let out = app
        .client
        .post(format!("{}/account/sign-out", app.base))
        .header("cookie", &session)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303, "sign-out under the portal's role");
    drop(app);
    drop(owner_app);
}
