//! Incident reports over HTTP, on SQLite and PostgreSQL: filing one from a robot's profile
//! (photos re-encoded without their metadata, bad photos refused, `<script>` shown as text,
//! nothing left behind by a failure half-way), every role and a signed-out visitor against
//! every view and action of a report, the inbox and its count, the regulator's confirmation
//! reaching the robot's record and its public profile, and the reports API.

mod helpers;

use helpers::photo::jpeg;
use helpers::TestApp;
use image::RgbImage;

use helpers::{demo, sign_in, COOKIE, SAME_SITE};

async fn get(app: &TestApp, path: &str, session: Option<&str>) -> reqwest::Response {
    let mut req = app
        .client
        .get(format!("{}{path}", app.base))
        .header("accept-language", "en");
    if let Some(s) = session {
        req = req.header("cookie", format!("{COOKIE}={s}"));
    }
    req.send().await.unwrap()
}

async fn post_form(
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
    session: Option<&str>,
) -> reqwest::Response {
    let mut req = app
        .client
        .post(format!("{}{path}", app.base))
        .header(SAME_SITE.0, SAME_SITE.1)
        .header("accept-language", "en")
        .form(fields);
    if let Some(s) = session {
        req = req.header("cookie", format!("{COOKIE}={s}"));
    }
    req.send().await.unwrap()
}

async fn post_multipart(
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
    photos: Vec<Vec<u8>>,
    session: Option<&str>,
) -> reqwest::Response {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    for (i, p) in photos.into_iter().enumerate() {
        let part = reqwest::multipart::Part::bytes(p)
            .file_name(format!("photo{i}.jpg"))
            .mime_str("image/jpeg")
            .unwrap();
        form = form.part("photos", part);
    }
    let mut req = app
        .client
        .post(format!("{}{path}", app.base))
        .header(SAME_SITE.0, SAME_SITE.1)
        .header("accept-language", "en")
        .multipart(form);
    if let Some(s) = session {
        req = req.header("cookie", format!("{COOKIE}={s}"));
    }
    req.send().await.unwrap()
}

fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// The robot the demo operator operates (and the demo manufacturer made).
async fn demo_robot(app: &TestApp) -> String {
    sqlx::query_scalar(
        "SELECT r.robot_id FROM robots r
         JOIN memberships m ON m.org_id = r.operator_id AND m.role = 'operator'
         JOIN people p ON p.id = m.person_id
         WHERE p.email_key = 'operator@demo.robopass.example' ORDER BY r.id LIMIT 1",
    )
    .fetch_one(&app.pool)
    .await
    .expect("the demo operator operates a robot")
}

/// A photo with a GPS block in its EXIF: the bytes a phone would send.
fn photo_with_gps() -> Vec<u8> {
    let img = RgbImage::from_fn(640, 480, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 90])
    });
    // A minimal EXIF (TIFF, little-endian) whose IFD0 points at a GPS IFD holding a latitude
    // reference: enough to carry a recognisable marker.
    let mut tiff = Vec::new();
    tiff.extend_from_slice(b"II*\0");
    tiff.extend_from_slice(&8u32.to_le_bytes());
    // IFD0: one entry, GPSInfo (0x8825) -> offset 26.
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&0x8825u16.to_le_bytes());
    tiff.extend_from_slice(&4u16.to_le_bytes());
    tiff.extend_from_slice(&1u32.to_le_bytes());
    tiff.extend_from_slice(&26u32.to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes());
    // GPS IFD: GPSLatitudeRef = "N", GPSMapDatum (0x0012) = "GPSMARKER".
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&1u16.to_le_bytes());
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&2u32.to_le_bytes());
    tiff.extend_from_slice(b"N\0\0\0");
    tiff.extend_from_slice(&0x12u16.to_le_bytes());
    tiff.extend_from_slice(&2u16.to_le_bytes());
    tiff.extend_from_slice(&10u32.to_le_bytes());
    let data_at = (26 + 2 + 24 + 4) as u32;
    tiff.extend_from_slice(&data_at.to_le_bytes());
    tiff.extend_from_slice(&0u32.to_le_bytes());
    tiff.extend_from_slice(b"GPSMARKER\0");
    let mut exif = b"Exif\0\0".to_vec();
    exif.extend_from_slice(&tiff);
    let bytes = jpeg(&img, Some(exif));
    assert!(
        contains(&bytes, b"GPSMARKER"),
        "the photo carries its GPS block"
    );
    bytes
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

fn report_fields<'a>(robot: &'a str, description: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("robot", robot),
        ("occurred_at", "2026-01-15T14:30"),
        ("place", "Level 2, by the north escalator"),
        ("category", "collision_injury"),
        ("severity", "serious"),
        ("description", description),
        ("contact_preference", "email"),
    ]
}

async fn count(app: &TestApp, table: &str) -> i64 {
    sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn incidents_on(app: &TestApp) {
    let robot = demo_robot(app).await;
    let (email, password) = demo("citizen");
    let citizen = sign_in(app, &email, &password).await;

    // A visitor is sent to sign in, and brought back to the form for this robot.
    let form_path = format!("/incidents/new?robot={robot}");
    let visitor = get(app, &form_path, None).await;
    assert_eq!(visitor.status(), 303);
    let to = location(&visitor);
    assert!(to.starts_with("/account/sign-in?next="), "{to}");
    assert!(to.contains(&urlencoding_of(&form_path)), "{to}");

    // The form, with the robot and its venue filled in.
    let form = get(app, &form_path, Some(&citizen)).await;
    assert_eq!(form.status(), 200);
    assert_eq!(form.headers()["cache-control"], "private, no-store");
    let html = form.text().await.unwrap();
    assert!(
        html.contains(&format!("value=\"{robot}\"")),
        "robot prefilled"
    );
    assert!(html.contains("enctype=\"multipart/form-data\""));

    // Mistakes: every value comes back, a summary links to each field, 422.
    let mut fields = report_fields(&robot, "");
    fields.retain(|(k, _)| *k != "category");
    fields.push(("occurred_at", "2099-01-01T00:00"));
    fields.retain(|(k, v)| !(*k == "occurred_at" && *v == "2026-01-15T14:30"));
    let bad = post_multipart(app, "/incidents/new", &fields, vec![], Some(&citizen)).await;
    assert_eq!(bad.status(), 422);
    let html = bad.text().await.unwrap();
    for anchor in [
        "#field-category",
        "#field-description",
        "#field-occurred_at",
    ] {
        assert!(
            html.contains(&format!("href=\"{anchor}\"")),
            "summary links {anchor}"
        );
    }
    assert!(
        html.contains("Level 2, by the north escalator"),
        "the place is kept"
    );
    assert!(
        html.contains("<title>Error: "),
        "the title says there is an error"
    );

    // A bad photo refuses the whole report, with the photo's message; nothing is saved.
    let fields = report_fields(&robot, "It bumped into me.");
    let huge = vec![0u8; 30 * 1024 * 1024];
    let refused = post_multipart(app, "/incidents/new", &fields, vec![huge], Some(&citizen)).await;
    assert_eq!(refused.status(), 413);
    assert!(refused.text().await.unwrap().contains("It bumped into me."));
    let bomb = decompression_bomb();
    let refused = post_multipart(app, "/incidents/new", &fields, vec![bomb], Some(&citizen)).await;
    assert_eq!(refused.status(), 422);
    let html = refused.text().await.unwrap();
    assert!(html.contains("href=\"#field-photos\""), "{html}");
    assert_eq!(count(app, "incident_reports").await, 0);

    // Filed, with a photo whose location is gone, and a description that is only text.
    let description = "It ran into my trolley <script>alert('x')</script> and kept going.";
    let fields = report_fields(&robot, description);
    let sent = post_multipart(
        app,
        "/incidents/new",
        &fields,
        vec![photo_with_gps()],
        Some(&citizen),
    )
    .await;
    assert_eq!(
        sent.status(),
        303,
        "{}",
        sent.text().await.unwrap_or_default()
    );
    let to = location(&sent);
    let reference = to
        .strip_prefix("/incidents/")
        .and_then(|r| r.strip_suffix("?done=submitted"))
        .expect("the report's page")
        .to_string();
    assert!(
        reference.starts_with("INC-20") && reference.len() == 15,
        "{reference}"
    );
    let page = get(app, &to, Some(&citizen)).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains(&reference));
    assert!(
        html.contains("&lt;script&gt;alert"),
        "the description is escaped"
    );
    assert!(
        !html.contains("<script>alert"),
        "no script from a description"
    );
    let stored: Vec<u8> = sqlx::query_scalar("SELECT jpeg FROM incident_photos")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(!contains(&stored, b"GPSMARKER"), "the GPS block is gone");
    assert!(!contains(&stored, b"Exif"), "no EXIF at all");
    let photo_id: i64 = sqlx::query_scalar("SELECT id FROM incident_photos")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let photo_path = format!("/incidents/{reference}/photos/{photo_id}");
    assert!(html.contains(&photo_path), "the page shows the photo");

    forged_posts_are_refused(app, &robot, &reference, &citizen).await;
    role_matrix(app, &robot, &reference, &citizen, &photo_path).await;
    workflow_to_the_record(app, &robot, &reference, &citizen).await;
    nothing_half_saved(app, &robot, &citizen).await;
}

fn urlencoding_of(path: &str) -> String {
    url::form_urlencoded::byte_serialize(path.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// A decompression bomb: a small file (one flat colour) that unpacks to 81 million pixels,
/// more than any photo may have.
fn decompression_bomb() -> Vec<u8> {
    let img = image::GrayImage::new(9_000, 9_000);
    let mut png = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    assert!(
        png.len() < 1024 * 1024,
        "the bomb is small: {} bytes",
        png.len()
    );
    png
}

/// A report's forms posted from another site (the browser says so, or its `Origin` is not
/// ours) are refused, signed in or not, and nothing is saved.
async fn forged_posts_are_refused(app: &TestApp, robot: &str, reference: &str, session: &str) {
    let before = count(app, "incident_events").await;
    let forms = [
        "/incidents/new".to_string(),
        format!("/incidents/{reference}/add"),
        format!("/incidents/{reference}/step"),
        format!("/incidents/{reference}/confirm"),
    ];
    for path in &forms {
        for header in [
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://evil.example"),
        ] {
            let form = reqwest::multipart::Form::new()
                .text("robot", robot.to_string())
                .text("note", "forged")
                .text("to", "dismissed");
            let resp = app
                .client
                .post(format!("{}{path}", app.base))
                .header(header.0, header.1)
                .header("cookie", format!("{COOKIE}={session}"))
                .multipart(form)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), 403, "{path} with {header:?}");
        }
    }
    assert_eq!(count(app, "incident_events").await, before, "nothing saved");
}

/// Who may do what with the report, through HTTP.
async fn role_matrix(app: &TestApp, robot: &str, reference: &str, reporter: &str, photo: &str) {
    // A second operator, at an organisation that does not operate the robot.
    let other_org: i64 = sqlx::query_scalar(
        "SELECT id FROM organisations WHERE kind = 'operator' AND id NOT IN
             (SELECT operator_id FROM robots WHERE robot_id = $1) ORDER BY id LIMIT 1",
    )
    .bind(robot)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let person = app
        .add_person(
            "other-operator@example.com",
            "Other Operator",
            "another long password",
        )
        .await;
    sqlx::query("INSERT INTO memberships (person_id, org_id, role) VALUES ($1, $2, 'operator')")
        .bind(person)
        .bind(other_org)
        .execute(&app.pool)
        .await
        .unwrap();
    let other_operator = sign_in(app, "other-operator@example.com", "another long password").await;
    let mut sessions: Vec<(&str, Option<String>)> = vec![("visitor", None)];
    sessions.push(("reporter", Some(reporter.to_string())));
    sessions.push(("other_operator", Some(other_operator)));
    for role in [
        "operator",
        "venue",
        "manufacturer",
        "service_provider",
        "recycler",
        "regulator",
    ] {
        let (email, password) = demo(role);
        sessions.push((role, Some(sign_in(app, &email, &password).await)));
    }
    let see = ["reporter", "operator", "manufacturer", "regulator"];
    let sees_reporter = ["reporter", "regulator"];
    let page = format!("/incidents/{reference}");
    for (role, session) in &sessions {
        let s = session.as_deref();
        let resp = get(app, &page, s).await;
        let status = resp.status().as_u16();
        let html = resp.text().await.unwrap();
        match (*role, see.contains(role)) {
            ("visitor", _) => assert_eq!(status, 303, "{role} views"),
            (_, true) => {
                assert_eq!(status, 200, "{role} views");
                assert_eq!(
                    html.contains("citizen@demo.robopass.example"),
                    sees_reporter.contains(role),
                    "{role} and the reporter's contact"
                );
            }
            (_, false) => {
                assert_eq!(status, 403, "{role} views");
                assert!(!html.contains(robot), "{role} learns nothing of the report");
            }
        }
        let resp = get(app, photo, s).await;
        let expected = match (*role, see.contains(role)) {
            ("visitor", _) => 303,
            (_, true) => 200,
            _ => 403,
        };
        assert_eq!(resp.status(), expected, "{role} and the photo");
        if expected == 200 {
            assert_eq!(resp.headers()["cache-control"], "private, no-store");
            assert_eq!(resp.headers()["content-type"], "image/jpeg");
        }
        // The API: the report is listed exactly for those who see it.
        let resp = get(app, "/api/v1/incidents", s).await;
        if *role == "visitor" {
            assert_eq!(resp.status(), 401);
        } else {
            assert_eq!(resp.status(), 200);
            let body: serde_json::Value = resp.json().await.unwrap();
            let listed = body["incidents"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["reference"] == reference);
            assert_eq!(listed, see.contains(role), "{role} in the API");
        }
        // Actions no one but their holder may take (refused before anything is done).
        for (action, holder) in [
            ("step", "operator"),
            ("confirm", "regulator"),
            ("add", "reporter"),
        ] {
            if *role == holder {
                continue;
            }
            let path = format!("/incidents/{reference}/{action}");
            let fields = [("to", "dismissed"), ("note", "not mine to do")];
            let resp = post_form(app, &path, &fields, s).await;
            let expected = if *role == "visitor" { 303 } else { 403 };
            assert_eq!(resp.status(), expected, "{role} may not {action}");
        }
    }
    // An unknown reference is refused like a report one may not see.
    let (email, password) = demo("operator");
    let operator = sign_in(app, &email, &password).await;
    for missing in ["INC-2026-999999", "INC-1999-000001", "nonsense"] {
        let resp = get(app, &format!("/incidents/{missing}"), Some(&operator)).await;
        assert_eq!(resp.status(), 403, "{missing}");
    }
    assert_eq!(
        count(app, "incident_events").await,
        1,
        "no refused action left a trace"
    );
}

/// The operator moves the report on from the inbox, the reporter sees it, the regulator
/// confirms it into the record, and the public profile counts it.
async fn workflow_to_the_record(app: &TestApp, robot: &str, reference: &str, reporter: &str) {
    let (email, password) = demo("operator");
    let operator = sign_in(app, &email, &password).await;
    let inbox = get(app, "/inbox", Some(&operator)).await;
    assert_eq!(inbox.status(), 200);
    let html = inbox.text().await.unwrap();
    assert!(
        html.contains(reference),
        "the new report is in the operator's inbox"
    );
    assert!(html.contains("class=\"count\""), "the header counts it");

    let page = format!("/incidents/{reference}");
    // A step the workflow does not allow from here.
    let skip = post_form(
        app,
        &format!("{page}/step"),
        &[("to", "resolved")],
        Some(&operator),
    )
    .await;
    assert_eq!(skip.status(), 409);
    // Dismissing needs a reason.
    let no_reason = post_form(
        app,
        &format!("{page}/step"),
        &[("to", "dismissed")],
        Some(&operator),
    )
    .await;
    assert_eq!(no_reason.status(), 422);
    assert!(no_reason
        .text()
        .await
        .unwrap()
        .contains("href=\"#field-note\""));
    let ack = post_form(
        app,
        &format!("{page}/step"),
        &[("to", "acknowledged"), ("note", "We are on it.")],
        Some(&operator),
    )
    .await;
    assert_eq!(ack.status(), 303);
    assert_eq!(location(&ack), format!("{page}?done=acknowledged"));

    // The reporter's inbox says it changed; opening the report clears that.
    let inbox = get(app, "/inbox", Some(reporter))
        .await
        .text()
        .await
        .unwrap();
    assert!(inbox.contains("Your reports that have changed"), "{inbox}");
    let html = get(app, &page, Some(reporter)).await.text().await.unwrap();
    assert!(html.contains("Acknowledged") && html.contains("We are on it."));
    let inbox = get(app, "/inbox", Some(reporter))
        .await
        .text()
        .await
        .unwrap();
    assert!(!inbox.contains("Your reports that have changed"));

    // The reporter adds information.
    let add = post_multipart(
        app,
        &format!("{page}/add"),
        &[("note", "It happened again.")],
        vec![],
        Some(reporter),
    )
    .await;
    assert_eq!(add.status(), 303);

    // The regulator confirms it: the record has a new entry, the profile counts it.
    let profile_before = get(app, &format!("/api/v1/robots/{robot}"), None).await;
    let before: serde_json::Value = profile_before.json().await.unwrap();
    let before = before["complaint_channel"]["confirmed_incidents_12m"]
        .as_i64()
        .unwrap();
    let entries_before: i64 =
        sqlx::query_scalar("SELECT record_entries FROM robots WHERE robot_id = $1")
            .bind(robot)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let (email, password) = demo("regulator");
    let regulator = sign_in(app, &email, &password).await;
    let inbox = get(app, "/inbox", Some(&regulator))
        .await
        .text()
        .await
        .unwrap();
    assert!(inbox.contains(reference), "the regulator has it to confirm");
    let done = post_form(
        app,
        &format!("{page}/confirm"),
        &[("confirm_note", "Confirmed.")],
        Some(&regulator),
    )
    .await;
    assert_eq!(done.status(), 303);
    let again = post_form(app, &format!("{page}/confirm"), &[], Some(&regulator)).await;
    assert_eq!(again.status(), 409, "confirmed once only");
    let entries_after: i64 =
        sqlx::query_scalar("SELECT record_entries FROM robots WHERE robot_id = $1")
            .bind(robot)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(entries_after, entries_before + 1);
    let kind: String = sqlx::query_scalar(
        "SELECT e.kind FROM lifecycle_entries e JOIN robots r ON r.id = e.robot_id
         WHERE r.robot_id = $1 ORDER BY e.seq DESC LIMIT 1",
    )
    .bind(robot)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(kind, "incident_confirmed");
    // The chain still checks out.
    let broken = registry::record::check(app.registry.database(), None, &|_| {})
        .await
        .unwrap();
    assert!(broken.is_empty(), "{broken:?}");
    // The profile (past the page cache's second) counts it, and shows no reporter.
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    let after: serde_json::Value = get(app, &format!("/api/v1/robots/{robot}"), None)
        .await
        .json()
        .await
        .unwrap();
    let after_n = after["complaint_channel"]["confirmed_incidents_12m"]
        .as_i64()
        .unwrap();
    assert_eq!(after_n, before + 1);
    let profile = get(app, &format!("/r/{robot}"), None)
        .await
        .text()
        .await
        .unwrap();
    assert!(
        profile.contains(&format!("/incidents/new?robot={robot}")),
        "Report a problem"
    );
    assert!(
        profile.contains("confirmed incident"),
        "the count is on the profile"
    );
    assert!(
        !profile.contains("citizen@demo"),
        "no reporter on the public page"
    );
}

/// A failure injected half-way through saving (the second photo cannot be stored) leaves no
/// report, no event and no photo behind.
async fn nothing_half_saved(app: &TestApp, robot: &str, citizen: &str) {
    let before = (
        count(app, "incident_reports").await,
        count(app, "incident_events").await,
        count(app, "incident_photos").await,
    );
    let backend = registry::Backend::of_url(&app.database_url).unwrap();
    let (create, drop) = match backend {
        registry::Backend::Sqlite => (
            vec!["CREATE TRIGGER fail_second_photo BEFORE INSERT ON incident_photos
                  WHEN (SELECT COUNT(*) FROM incident_photos WHERE report_id = NEW.report_id) >= 1
                  BEGIN SELECT RAISE(ABORT, 'injected failure'); END"],
            vec!["DROP TRIGGER fail_second_photo"],
        ),
        registry::Backend::Postgres => (
            vec![
                "CREATE FUNCTION fail_second_photo() RETURNS trigger AS $$
                 BEGIN
                   IF (SELECT COUNT(*) FROM incident_photos WHERE report_id = NEW.report_id) >= 1 THEN
                     RAISE EXCEPTION 'injected failure';
                   END IF;
                   RETURN NEW;
                 END; $$ LANGUAGE plpgsql",
                "CREATE TRIGGER fail_second_photo BEFORE INSERT ON incident_photos
                 FOR EACH ROW EXECUTE FUNCTION fail_second_photo()",
            ],
            vec![
                "DROP TRIGGER fail_second_photo ON incident_photos",
                "DROP FUNCTION fail_second_photo()",
            ],
        ),
    };
    for sql in create {
        sqlx::query(sql).execute(&app.pool).await.unwrap();
    }
    let fields = report_fields(robot, "Two photos, the second fails.");
    let photos = vec![photo_with_gps(), photo_with_gps()];
    let resp = post_multipart(app, "/incidents/new", &fields, photos, Some(citizen)).await;
    assert_eq!(resp.status(), 503);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("Two photos, the second fails."),
        "typed text kept"
    );
    for sql in drop {
        sqlx::query(sql).execute(&app.pool).await.unwrap();
    }
    let after = (
        count(app, "incident_reports").await,
        count(app, "incident_events").await,
        count(app, "incident_photos").await,
    );
    assert_eq!(before, after, "nothing of the failed report is left");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incidents_on_sqlite() {
    let app = helpers::spawn_app(helpers::Db::Sqlite).await;
    incidents_on(&app).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incidents_on_postgres() {
    let Some(url) = helpers::fresh_postgres().await else {
        return;
    };
    let app = helpers::spawn_app(helpers::Db::Postgres(url)).await;
    incidents_on(&app).await;
}
