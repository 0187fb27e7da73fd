//! The API's description, `/api/v1/openapi.json`, against the API itself, on SQLite and
//! PostgreSQL: every operation it describes is called, each with an answer that succeeds and
//! one that fails where it names failures, and every real answer must have its status listed
//! for that operation and a body that its schema accepts (JSON Schema 2020-12, as OpenAPI 3.1
//! writes it). An answer the document does not describe fails the test, as does an operation
//! no call reached.

mod helpers;

use helpers::{demo_sessions, TestApp, COOKIE, SAME_SITE};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;

/// The document, the app it describes, and what the calls have reached of it.
struct Described<'a> {
    app: &'a TestApp,
    document: Value,
    /// `components.schemas`, with their references rewritten to `#/$defs/…`.
    defs: Value,
    /// (address template, method) → the statuses seen.
    seen: Mutex<BTreeMap<(String, String), BTreeSet<u16>>>,
}

/// How a call acts.
#[derive(Clone, Copy)]
enum As<'a> {
    Nobody,
    Session(&'a str),
    Bearer(&'a str),
}

/// What a call sends.
enum Send {
    Nothing,
    Json(Value),
    Raw(&'static str, Vec<u8>),
}

fn rewritten(v: &Value) -> Value {
    serde_json::from_str(&v.to_string().replace("#/components/schemas/", "#/$defs/")).unwrap()
}

impl<'a> Described<'a> {
    async fn fetch(app: &'a TestApp) -> Described<'a> {
        let resp = app.get("/api/v1/openapi.json").await;
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["content-type"], "application/json");
        // Public, like the GETs it describes: any website's scripts may read it.
        assert_eq!(resp.headers()["access-control-allow-origin"], "*");
        let document: Value = resp.json().await.unwrap();
        let defs = rewritten(&document["components"]["schemas"]);
        Described {
            app,
            document,
            defs,
            seen: Mutex::new(BTreeMap::new()),
        }
    }

    /// The described address `path` (without its query) falls under, by its segments.
    fn template(&self, path: &str) -> String {
        let path = path.split('?').next().unwrap();
        let parts: Vec<&str> = path.split('/').collect();
        let found: Vec<&String> = self.document["paths"]
            .as_object()
            .unwrap()
            .keys()
            .filter(|t| {
                let ts: Vec<&str> = t.split('/').collect();
                ts.len() == parts.len()
                    && ts
                        .iter()
                        .zip(&parts)
                        .all(|(t, p)| t == p || (t.starts_with('{') && t.ends_with('}')))
            })
            .collect();
        // A literal segment wins over a parameter (none overlap today).
        assert_eq!(found.len(), 1, "{path} is described once: {found:?}");
        found[0].clone()
    }

    /// Check one real answer against the document: its status is listed for the operation,
    /// and its body is what that status's schema describes.
    fn check(&self, method: &Method, path: &str, status: u16, content_type: &str, body: &[u8]) {
        let template = self.template(path);
        let m = method.as_str().to_ascii_lowercase();
        let operation = &self.document["paths"][&template][&m];
        assert!(operation.is_object(), "{m} {template} is described");
        let response = &operation["responses"][status.to_string()];
        assert!(
            response.is_object(),
            "{m} {template} answered {status}, which its description does not list: {}",
            String::from_utf8_lossy(body)
        );
        match response["content"].as_object() {
            None => assert!(body.is_empty(), "{m} {template} {status} has no body"),
            Some(content) => {
                let kind = content_type.split(';').next().unwrap().trim();
                let described = content.get(kind).unwrap_or_else(|| {
                    panic!("{m} {template} {status} answered {kind}, not one of {content:?}")
                });
                assert!(!body.is_empty(), "{m} {template} {status}: a body");
                if kind != "application/json" {
                    // An image or a page: its type is what the description says.
                    self.seen_status(template, m, status);
                    return;
                }
                let instance: Value = serde_json::from_slice(body).unwrap_or_else(|_| {
                    panic!(
                        "{m} {template} {status}: not JSON: {}",
                        String::from_utf8_lossy(body)
                    )
                });
                let mut schema = rewritten(&described["schema"]);
                schema["$defs"] = self.defs.clone();
                let validator = jsonschema::draft202012::new(&schema)
                    .unwrap_or_else(|e| panic!("{m} {template} {status}: its schema: {e}"));
                let errors: Vec<String> = validator
                    .iter_errors(&instance)
                    .map(|e| format!("{} at {}", e, e.instance_path()))
                    .collect();
                assert!(
                    errors.is_empty(),
                    "{m} {template} {status}: the answer breaks its schema: {errors:#?}\n{instance:#}"
                );
            }
        }
        self.seen_status(template, m, status);
    }

    fn seen_status(&self, template: String, method: String, status: u16) {
        self.seen
            .lock()
            .unwrap()
            .entry((template, method))
            .or_default()
            .insert(status);
    }

    /// Call the API as `who` with `sent`: the answer, checked.
    async fn call(
        &self,
        method: Method,
        path: &str,
        sent: Send,
        who: As<'_>,
        headers: &[(&str, &str)],
    ) -> (u16, Value) {
        let mut req = self
            .app
            .client
            .request(method.clone(), format!("{}{path}", self.app.base))
            .header(SAME_SITE.0, SAME_SITE.1)
            .header("accept-language", "zh-CN");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req = match sent {
            Send::Nothing => req,
            Send::Json(v) => req.json(&v),
            Send::Raw(kind, bytes) => req.header("content-type", kind).body(bytes),
        };
        req = match who {
            As::Nobody => req,
            As::Session(s) => req.header("cookie", format!("{COOKIE}={s}")),
            As::Bearer(t) => req.header("authorization", format!("Bearer {t}")),
        };
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        let kind = resp
            .headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let body = resp.bytes().await.unwrap();
        self.check(&method, path, status, &kind, &body);
        (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
    }

    async fn get(&self, path: &str, who: As<'_>) -> (u16, Value) {
        self.call(Method::GET, path, Send::Nothing, who, &[]).await
    }

    async fn post(&self, path: &str, sent: Send, who: As<'_>) -> (u16, Value) {
        self.call(Method::POST, path, sent, who, &[]).await
    }

    async fn delete(&self, path: &str, who: As<'_>) -> (u16, Value) {
        self.call(Method::DELETE, path, Send::Nothing, who, &[])
            .await
    }
}

async fn one(app: &TestApp, sql: &str) -> String {
    sqlx::query_scalar(sql).fetch_one(&app.pool).await.unwrap()
}

async fn number(app: &TestApp, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&app.pool).await.unwrap()
}

async fn described_api(app: &TestApp) {
    use As::{Bearer, Nobody, Session};
    use Send::{Json, Nothing, Raw};
    let d = Described::fetch(app).await;
    let doc = &d.document;
    assert_eq!(doc["openapi"], "3.1.0");
    let schemes = &doc["components"]["securitySchemes"];
    assert_eq!(schemes["session"]["in"], "cookie");
    assert_eq!(schemes["session"]["name"], COOKIE);
    assert_eq!(
        schemes["token"]["scheme"].as_str().map(str::to_lowercase),
        Some("bearer".into())
    );
    assert!(doc["servers"][0]["url"]
        .as_str()
        .unwrap()
        .starts_with("https://"));
    // Public operations need nobody; every other one names how to act.
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let public = op["tags"][0] == "public";
            assert_eq!(
                op["security"].is_null(),
                public,
                "{method} {template}: security named exactly when it is not public"
            );
        }
    }

    // The checks can fail: an answer missing what its schema requires is caught.
    let broken = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        d.check(
            &Method::GET,
            "/api/v1/robots/X",
            404,
            "application/json",
            br#"{"error": {}}"#,
        )
    }));
    assert!(
        broken.is_err(),
        "an error without its code and message breaks the schema"
    );
    let undescribed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        d.check(
            &Method::GET,
            "/api/v1/robots/X",
            418,
            "application/json",
            b"{}",
        )
    }));
    assert!(
        undescribed.is_err(),
        "a status the description does not list"
    );
    d.seen.lock().unwrap().clear();

    let s = demo_sessions(
        app,
        &[
            "owner",
            "buyer",
            "regulator",
            "manufacturer",
            "service_provider",
            "operator",
        ],
    )
    .await;
    let (owner, buyer, regulator) = (
        Session(&s["owner"]),
        Session(&s["buyer"]),
        Session(&s["regulator"]),
    );
    let (maker, provider, operator) = (
        Session(&s["manufacturer"]),
        Session(&s["service_provider"]),
        Session(&s["operator"]),
    );
    let robot = one(
        app,
        "SELECT robot_id FROM robots WHERE operator_id IS NOT NULL AND venue_id IS NOT NULL
         ORDER BY id LIMIT 1",
    )
    .await;
    let slug = one(
        app,
        "SELECT v.slug FROM venues v JOIN robots r ON r.venue_id = v.id ORDER BY r.id LIMIT 1",
    )
    .await;

    // Public: a profile, a venue (and its 304), codes checked, a photo read, the keys.
    let profile = format!("/api/v1/robots/{robot}");
    d.get(&profile, Nobody).await;
    let neighbour = app.unregistered_neighbour(&robot);
    let (status, body) = d.get(&format!("/api/v1/robots/{neighbour}"), Nobody).await;
    assert_eq!(status, 404);
    assert!(
        body["suggestions"]
            .as_array()
            .is_some_and(|s| !s.is_empty()),
        "{body}"
    );
    let (status, body) = d.get("/api/v1/robots/CN-SEJ5-%D0%A1", Nobody).await;
    assert_eq!(status, 400, "{body}");
    let venue = format!("/api/v1/venues/{slug}");
    let etag = app.get(&venue).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_string();
    d.get(&venue, Nobody).await;
    let (status, _) = d
        .call(
            Method::GET,
            &venue,
            Nothing,
            Nobody,
            &[("if-none-match", &etag)],
        )
        .await;
    assert_eq!(status, 304);
    d.get("/api/v1/venues/nowhere-at-all", Nobody).await;
    let png = app
        .get(&format!("/qr/{robot}.png"))
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let (status, found) = d.post("/api/v1/scan", Raw("image/png", png), Nobody).await;
    assert_eq!(status, 200);
    let label = found["codes"][0]["found"].as_str().unwrap().to_string();
    assert_eq!(found["codes"][0]["verdict"], "verified_label");
    let (status, _) = d
        .post(
            "/api/v1/scan",
            Raw("image/png", b"not a photo".to_vec()),
            Nobody,
        )
        .await;
    assert_eq!(status, 415);
    // Every kind of verdict.
    for code in [
        label.clone(),
        label.replacen("/R/", "/r/", 1),
        format!("https://elsewhere.example/r/{robot}"),
        robot.clone(),
        "hello".to_string(),
    ] {
        let path = format!("/api/v1/verify?code={}", helpers::urlencode(&code));
        assert_eq!(d.get(&path, Nobody).await.0, 200);
    }
    d.get("/api/v1/verify?code=", Nobody).await;
    d.get("/.well-known/robopass-keys.json", Nobody).await;
    // The public images: a badge (again with its ETag: 304), a label in both formats.
    let badge = format!("/badge/{robot}.svg?lang=zh-CN");
    let (status, _) = d.get(&badge, Nobody).await;
    assert_eq!(status, 200);
    let etag = app.get(&badge).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_string();
    let (status, _) = d
        .call(
            Method::GET,
            &badge,
            Nothing,
            Nobody,
            &[("if-none-match", &etag)],
        )
        .await;
    assert_eq!(status, 304);
    assert_eq!(d.get("/badge/not-a-robot.svg", Nobody).await.0, 404);
    for file in [format!("{robot}.png"), format!("{robot}.svg")] {
        assert_eq!(d.get(&format!("/qr/{file}"), Nobody).await.0, 200);
    }
    let grouped = format!("/qr/{}-{}.png", &robot[..2], &robot[2..]);
    assert_eq!(d.get(&grouped, Nobody).await.0, 308);
    assert_eq!(d.get(&format!("/qr/{neighbour}.png"), Nobody).await.0, 404);
    assert_eq!(d.get("/qr/not-a-robot.png", Nobody).await.0, 400);

    // Filing: refused for nobody and for a party that is not engaged, filed by one that is.
    let entries = format!("{profile}/entries");
    let due = (time::OffsetDateTime::now_utc().date() + time::Duration::days(180)).to_string();
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let inspection = json!({"kind": "inspected", "occurred_at": now,
        "details": {"result": "pass", "next_due": due}});
    for (who, expected) in [(Nobody, 401), (operator, 403), (provider, 201)] {
        let (status, body) = d.post(&entries, Json(inspection.clone()), who).await;
        assert_eq!(status, expected, "{body}");
    }
    let unregistered = format!("/api/v1/robots/{neighbour}/entries");
    d.post(&unregistered, Json(inspection.clone()), regulator)
        .await;
    d.post(&entries, Json(json!("not an entry")), provider)
        .await;

    // Engagements: the owner engages a recycler, again, and ends it.
    let recycler = number(
        app,
        "SELECT id FROM organisations WHERE kind = 'recycler' ORDER BY id LIMIT 1",
    )
    .await;
    let engagements = format!("{profile}/engagements");
    let engaged = format!("{engagements}/{recycler}");
    for (who, expected) in [(buyer, 403), (owner, 201), (owner, 200)] {
        let (status, _) = d
            .post(&engagements, Json(json!({"org": recycler})), who)
            .await;
        assert_eq!(status, expected);
    }
    for expected in [200, 404] {
        let (status, _) = d.delete(&engaged, owner).await;
        assert_eq!(status, expected);
    }

    // Share codes and the report they open, with its audit log.
    let codes = format!("{profile}/share-codes");
    let (status, issued) = d
        .post(&codes, Json(json!({"expires_in_days": 3})), owner)
        .await;
    assert_eq!(status, 201);
    let code = issued["code"].as_str().unwrap().to_string();
    d.post(&codes, Nothing, buyer).await;
    d.get(&codes, owner).await;
    d.get(&codes, buyer).await;
    let report = format!("/api/v1/provenance/{robot}");
    let (status, body) = d
        .post(&report, Json(json!({"share_code": code})), buyer)
        .await;
    assert_eq!(status, 200);
    assert!(body["timeline"].as_array().is_some_and(|t| !t.is_empty()));
    d.post(&report, Nothing, regulator).await;
    d.get(&format!("{report}/openings"), owner).await;
    d.get(&format!("{report}/openings"), buyer).await;
    let revoke = format!("{codes}/{code}");
    for expected in [200, 404] {
        let (status, _) = d.delete(&revoke, owner).await;
        assert_eq!(status, expected);
    }
    let (status, _) = d
        .post(&report, Json(json!({"share_code": code})), buyer)
        .await;
    assert_eq!(status, 403, "a revoked code opens nothing");

    // An organisation's tokens: listed, made, used, revoked; never managed with a token.
    let org = number(
        app,
        "SELECT m.org_id FROM memberships m JOIN people p ON p.id = m.person_id
         WHERE p.email_key = 'manufacturer@demo.robopass.example' AND m.role = 'manufacturer'",
    )
    .await;
    let mcode = one(
        app,
        &format!("SELECT code FROM organisations WHERE id = {org}"),
    )
    .await;
    let tokens = format!("/api/v1/orgs/{org}/tokens");
    d.get(&tokens, Nobody).await;
    let (status, made) = d
        .post(&tokens, Json(json!({"name": "factory line 3"})), maker)
        .await;
    assert_eq!(status, 201);
    let token = made["token"].as_str().unwrap().to_string();
    let bearer = Bearer(&token);
    d.get(&tokens, maker).await;
    d.get(&tokens, bearer).await;
    d.post(&tokens, Json(json!({"name": ""})), maker).await;

    // A manufacturer's own, through its token.
    let base = format!("/api/v1/manufacturers/{mcode}");
    let (status, models) = d.get(&format!("{base}/models"), bearer).await;
    assert_eq!(status, 200);
    let model = models["models"][0]["code"].as_str().unwrap().to_string();
    d.get(&format!("{base}/models"), buyer).await;
    let today = time::OffsetDateTime::now_utc().date().to_string();
    let unit = json!({"model": model, "serial": "OPENAPI0000000001", "produced_on": today});
    for expected in [201, 409] {
        let (status, body) = d
            .post(&format!("{base}/units"), Json(unit.clone()), bearer)
            .await;
        assert_eq!(status, expected, "{body}");
    }
    let csv = format!(
        "model,serial,produced_on\n{model},OPENAPI0000000002,{today}\n{model},OPENAPI0000000003,{today}\n"
    );
    let (status, progress) = d
        .post(
            &format!("{base}/units/import"),
            Raw("text/csv", csv.into()),
            bearer,
        )
        .await;
    assert_eq!(status, 202);
    let bad = format!(
        "model,serial,produced_on\n{model},short,{today}\nNOPE00,OPENAPI0000000004,never\n"
    );
    let (status, body) = d
        .post(
            &format!("{base}/units/import"),
            Raw("text/csv", bad.into()),
            bearer,
        )
        .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["rows"].as_array().is_some_and(|r| r.len() >= 2),
        "{body}"
    );
    let progress_at = format!("{base}/imports/{}", progress["id"].as_str().unwrap());
    d.get(&progress_at, bearer).await;
    d.get(&format!("{base}/imports/none"), bearer).await;
    let notice = json!({"model": model, "defect": "hand actuator may overheat",
        "risk": "fall_risk", "remedy": "actuator_replacement"});
    let (status, recall) = d
        .post(&format!("{base}/recalls"), Json(notice), bearer)
        .await;
    assert_eq!(status, 201, "{recall}");
    d.post(
        &format!("{base}/recalls"),
        Json(json!({"model": model})),
        bearer,
    )
    .await;
    d.get(&format!("{base}/recalls"), bearer).await;
    d.get(&format!("{base}/recalls"), Nobody).await;
    let close = format!(
        "{base}/recalls/{}/close",
        recall["reference"].as_str().unwrap()
    );
    for expected in [200, 409] {
        let (status, _) = d.post(&close, Nothing, bearer).await;
        assert_eq!(status, expected);
    }
    let revoke_token = format!("{tokens}/{}", made["id"]);
    for expected in [200, 404] {
        let (status, _) = d.delete(&revoke_token, maker).await;
        assert_eq!(status, expected);
    }

    // Incident reports.
    d.get("/api/v1/incidents", regulator).await;
    d.get("/api/v1/incidents", Nobody).await;

    // Every described operation was reached, answering both ways where it can fail.
    let seen = d.seen.lock().unwrap();
    for (template, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let key = (template.clone(), method.clone());
            let statuses = seen
                .get(&key)
                .unwrap_or_else(|| panic!("{method} {template} was never called"));
            assert!(
                statuses.iter().any(|s| (200..300).contains(s)),
                "{method} {template} never succeeded: {statuses:?}"
            );
            let can_fail = op["responses"]
                .as_object()
                .unwrap()
                .keys()
                .any(|s| s.starts_with('4'));
            assert!(
                !can_fail || statuses.iter().any(|s| (400..500).contains(s)),
                "{method} {template} never failed: {statuses:?}"
            );
        }
    }
}

/// `/api` explains the API in the reader's language, lists every operation of the
/// description with its words (never a bare key), and its example error is what the API
/// really answers.
async fn api_page(app: &TestApp) {
    use app::pages::api_guide::{example_error, EXAMPLE_BAD_ID};
    use domain::Lang;
    let doc: Value = app.get_json("/api/v1/openapi.json").await;
    for (lang, asked) in [(Lang::En, "en"), (Lang::ZhCn, "zh-CN")] {
        let resp = app.get_with("/api", &[("accept-language", asked)]).await;
        assert_eq!(resp.status(), 200);
        let html = resp.text().await.unwrap();
        assert!(
            html.contains(&format!("<html lang=\"{}\"", lang.code())),
            "{asked}"
        );
        assert!(html.contains("href=\"/api/v1/openapi.json\""));
        assert!(
            !html.contains("api_guide."),
            "a key left untranslated ({asked})"
        );
        // One row per operation, each with its address.
        let mut operations = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            operations += item.as_object().unwrap().len();
            let cell = format!("<code>{}</code>", helpers::escape(path));
            assert!(html.contains(&cell), "{path} is listed ({asked})");
        }
        assert_eq!(
            html.matches("<th scope=\"row\" translate=\"no\">").count(),
            operations
        );
        let example = example_error(lang);
        assert!(html.contains(&helpers::escape(&example)), "{example}");
        let real = app
            .get_with(
                &format!("/api/v1/robots/{EXAMPLE_BAD_ID}"),
                &[("accept-language", asked)],
            )
            .await;
        assert_eq!(real.status(), 400);
        let real: Value = real.json().await.unwrap();
        assert_eq!(
            real,
            serde_json::from_str::<Value>(&example).unwrap(),
            "{asked}"
        );
    }
    let english = app
        .get_with("/api", &[("accept-language", "en")])
        .await
        .text()
        .await
        .unwrap();
    let chinese = app
        .get_with("/api", &[("accept-language", "zh-CN")])
        .await
        .text()
        .await
        .unwrap();
    assert!(
        english.contains("A robot&#39;s public profile.")
            || english.contains("A robot's public profile.")
    );
    assert!(chinese.contains("机器人的公开档案。"));
}

helpers::on_both!(described_api);

#[tokio::test]
async fn api_page_in_both_languages() {
    let app = helpers::spawn_app(helpers::Db::Sqlite).await;
    api_page(&app).await;
}
