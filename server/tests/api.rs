//! The portal end to end over HTTP: the real application on a free port, against a fresh
//! SQLite file and (when TEST_POSTGRES_URL is set) a fresh PostgreSQL database.

mod helpers;

use domain::{RobotId, Status};
use helpers::TestApp;
use reqwest::header;
use serde_json::Value;

async fn profile_page_leads_with_the_banner_for_every_status(app: &TestApp) {
    for status in Status::ALL {
        let id = app.id_for(status);
        let resp = app.get(&format!("/r/{id}")).await;
        assert_eq!(resp.status(), 200, "{status:?}");
        let html = resp.text().await.unwrap();
        assert!(
            html.contains(&format!("banner--{}", status.as_str())),
            "{status:?} banner"
        );
        let title = app::i18n::tr(
            domain::Lang::En,
            &format!("status.{}.title", status.as_str()),
        );
        assert!(
            html.contains(&helpers::escape(&title)),
            "{status:?} words: {title}"
        );
        // Sections 1–8 of the profile, in order.
        let order = [
            "status-heading",
            "identity-heading",
            "operator-heading",
            "role-heading",
            "inspection-heading",
            "data-heading",
            "complaint-heading",
            "venue-heading",
        ];
        let positions: Vec<usize> = order
            .iter()
            .map(|h| {
                html.find(&format!("id=\"{h}\""))
                    .unwrap_or_else(|| panic!("{h} missing for {status:?}"))
            })
            .collect();
        assert!(
            positions.windows(2).all(|w| w[0] < w[1]),
            "sections out of order for {status:?}"
        );
        assert!(helpers::text_of(&html).contains(&RobotId::parse(&id).unwrap().display()));
    }
}
helpers::on_both!(profile_page_leads_with_the_banner_for_every_status);

async fn api_returns_the_profile_for_every_status(app: &TestApp) {
    for status in Status::ALL {
        let id = app.id_for(status);
        let resp = app.get(&format!("/api/v1/robots/{id}")).await;
        assert_eq!(resp.status(), 200);
        assert!(resp.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["id"], id);
        assert_eq!(body["status"], status.as_str());
        assert_eq!(body["id_display"], RobotId::parse(&id).unwrap().display());
        for field in ["manufacturer", "model", "complaint_channel", "record"] {
            assert!(body[field].is_object(), "{field} for {status:?}");
        }
        assert!(body["record"]["entries"].as_i64().unwrap() >= 2);
        assert!(body["record"]["last_updated"].is_string());
        match status {
            Status::InService | Status::InspectionOverdue | Status::Suspended => {
                assert!(body["operator"]["emergency_contact"]["phone"].is_string());
                assert!(body["permitted_role"]["approved"].is_array());
                assert!(body["permitted_role"]["not_approved"].is_array());
                assert!(body["permitted_role"]["limits"].is_object());
                assert!(body["last_inspection"]["date"].is_string());
                assert!(body["last_inspection"]["body"].is_string());
                assert!(body["last_inspection"]["result"].is_string());
                assert!(body["last_inspection"]["next_due"].is_string());
                assert!(body["data_notice"]["sensors"].is_array());
                assert!(body["venue"]["name"].is_string());
            }
            Status::Scrapped => {
                assert!(body["operator"].is_null());
                assert!(body["venue"].is_null());
            }
            _ => {}
        }
        if status == Status::InspectionOverdue {
            assert_eq!(body["last_inspection"]["overdue"], true);
        }
        if status == Status::RecallOpen {
            assert!(!body["open_recalls"].as_array().unwrap().is_empty());
        }
    }
}
helpers::on_both!(api_returns_the_profile_for_every_status);

async fn malformed_ids_say_exactly_what_is_wrong(app: &TestApp) {
    let resp = app.get("/r/CNA1B2HX0001").await;
    assert_eq!(resp.status(), 400);
    let html = resp.text().await.unwrap();
    assert!(html.contains("12 characters, 29 expected"), "{html}");
    assert!(html.contains("banner--malformed"));

    let resp = app.get("/api/v1/robots/CNA1B2HX0001").await;
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "length");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("29 expected"));

    // A Cyrillic С in place of the C: named, positioned, never silently fixed.
    let cyrillic = format!("%D0%A1{}", &app.id_for(Status::InService)[1..]);
    let resp = app.get(&format!("/api/v1/robots/{cyrillic}")).await;
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "look_alike_character");
    assert_eq!(body["error"]["position"], 1);
    assert_eq!(body["error"]["segment"], "country");
    let resp = app.get(&format!("/r/{cyrillic}")).await;
    assert_eq!(resp.status(), 400);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Position 1"), "{html}");
    assert!(html.contains("U+0421"));
    assert!(html.contains("<mark>"));
}
helpers::on_both!(malformed_ids_say_exactly_what_is_wrong);

async fn unknown_ids_are_not_registered_with_confusable_suggestions(app: &TestApp) {
    let real = app.id_for(Status::InService);
    let near = RobotId::parse(&real)
        .unwrap()
        .confusable_neighbours()
        .into_iter()
        .find(|n| !app.registered(n.as_str()))
        .expect("a neighbour that is not registered");
    let resp = app.get(&format!("/r/{near}")).await;
    assert_eq!(resp.status(), 404);
    let html = resp.text().await.unwrap();
    assert!(html.contains("banner--not_registered"));
    assert!(html.contains("No code, no market access"));
    assert!(
        html.contains(&format!("href=\"/r/{real}\"")),
        "suggests the registered ID"
    );

    let resp = app.get(&format!("/api/v1/robots/{near}")).await;
    assert_eq!(resp.status(), 404);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "not_registered");
    assert!(body["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s == &Value::from(real.clone())));
}
helpers::on_both!(unknown_ids_are_not_registered_with_confusable_suggestions);

async fn messy_ids_redirect_to_the_canonical_address(app: &TestApp) {
    let id = app.id_for(Status::InService);
    let grouped = RobotId::parse(&id)
        .unwrap()
        .display()
        .replace('·', "-")
        .to_lowercase();
    let resp = app.get(&format!("/r/{grouped}")).await;
    assert_eq!(resp.status(), 308);
    assert_eq!(
        resp.headers()[header::LOCATION],
        format!("/r/{id}").as_str()
    );
    // The API answers messy forms directly, with the canonical ID in the body.
    let body = app.get_json(&format!("/api/v1/robots/{grouped}")).await;
    assert_eq!(body["id"], id);
}
helpers::on_both!(messy_ids_redirect_to_the_canonical_address);

async fn lookup_form_accepts_portal_links_and_refuses_foreign_ones(app: &TestApp) {
    let id = app.id_for(Status::Suspended);
    let link = format!("http://{}/r/{}", app.addr, id.to_lowercase());
    let resp = app
        .get(&format!("/?id={}", helpers::urlencode(&link)))
        .await;
    assert_eq!(resp.status(), 303);
    assert_eq!(
        resp.headers()[header::LOCATION],
        format!("/r/{id}").as_str()
    );

    let foreign = format!("https://robopass.evil.example/r/{id}");
    let resp = app
        .get(&format!("/?id={}", helpers::urlencode(&foreign)))
        .await;
    assert_eq!(resp.status(), 400);
    let html = resp.text().await.unwrap();
    assert!(html.contains("robopass.evil.example"));
    assert!(html.contains("counterfeit"));

    let resp = app.get("/?id=nonsense").await;
    assert_eq!(resp.status(), 400);
    assert!(resp.text().await.unwrap().contains("29 expected"));
}
helpers::on_both!(lookup_form_accepts_portal_links_and_refuses_foreign_ones);

/// The lookup box and the verifier judge links by one rule: the same links are ours (a
/// label's own printed text included) and the same are foreign, named by the same host.
/// A PNG of a QR code holding `text`, as a phone would photograph it (big, square, clean).
fn qr_png(text: &str) -> Vec<u8> {
    let code = qrcode::QrCode::new(text.as_bytes()).expect("the text fits a QR code");
    let img = code
        .render::<image::Luma<u8>>()
        .module_dimensions(8, 8)
        .build();
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// What one way in says about `link`: the robot it names, or the foreign host it names.
#[derive(Debug, PartialEq)]
enum Said {
    Robot(String),
    Foreign(String),
}

/// One table of links through every way a link reaches the registry: the lookup box without
/// JavaScript (`/?id=`), the verifier's API (`/api/v1/verify`), the verify page's form (`POST
/// /verify`) and a photo of a code holding the link (`/api/v1/scan`). They all follow the one
/// rule (`domain::link`): exact host and port, the printed label text accepted, `user@`,
/// backslashes, percent-encoding and look-alike letters refused.
async fn the_lookup_box_and_the_verifier_agree_on_every_link(app: &TestApp) {
    let id = app.id_for(Status::InService);
    // The label's text, as a phone reads it from the printed code.
    let label = {
        let resp = app.get(&format!("/qr/{id}.png?size=512")).await;
        let (_, json) = app.scan_json(resp.bytes().await.unwrap().to_vec()).await;
        json["codes"][0]["found"].as_str().unwrap().to_string()
    };
    assert!(label.starts_with("HTTPS://ROBOPASS.EXAMPLE/R/"), "{label}");
    let foreign = |h: &str| Said::Foreign(h.to_string());
    let table = [
        (label.clone(), robot_of(&id)),
        (
            label.to_lowercase().replace(&id.to_lowercase(), &id),
            robot_of(&id),
        ),
        (
            format!("https://robopass.example:443/R/{id}"),
            robot_of(&id),
        ),
        (format!("robopass.example/r/{id}"), robot_of(&id)),
        (
            label.replacen("ROBOPASS.EXAMPLE", "ROBOPASS.EXAMPLE:8080", 1),
            foreign("robopass.example:8080"),
        ),
        (
            format!("https://me@robopass.example/r/{id}"),
            foreign("robopass.example"),
        ),
        (
            format!("https://robopass.example@evil.example/r/{id}"),
            foreign("evil.example"),
        ),
        (
            format!("https://evil.example\\@robopass.example/r/{id}"),
            foreign("evil.example"),
        ),
        (
            format!("https://robopass%2Eexample/r/{id}"),
            foreign("robopass%2eexample"),
        ),
        (
            format!("https://robopass.ex\u{430}mple/r/{id}"),
            foreign("robopass.ex[U+0430]mple"),
        ),
    ];
    for (link, expected) in &table {
        // The lookup box, without JavaScript.
        let resp = app.get(&format!("/?id={}", helpers::urlencode(link))).await;
        match expected {
            Said::Robot(id) => {
                assert_eq!(resp.status(), 303, "/?id= {link}");
                assert_eq!(
                    resp.headers()[header::LOCATION],
                    format!("/r/{id}").as_str()
                );
            }
            Said::Foreign(host) => {
                assert_eq!(resp.status(), 400, "/?id= {link}");
                let page = resp.text().await.unwrap();
                assert!(
                    page.contains(&helpers::escape(host)),
                    "/?id= {link}: {host}"
                );
            }
        }
        // The verifier's API, and a photo of a code holding the link.
        let v = app
            .get_json(&format!("/api/v1/verify?code={}", helpers::urlencode(link)))
            .await;
        let (status, scanned) = app.scan_json(qr_png(link)).await;
        assert_eq!(status, 200, "scan {link}: {scanned}");
        let scanned = &scanned["codes"][0];
        assert_eq!(scanned["found"].as_str(), Some(link.as_str()), "{scanned}");
        for (way, v) in [("verify", &v), ("scan", scanned)] {
            let said = match v["verdict"].as_str() {
                Some("foreign_host") => foreign(v["host"].as_str().unwrap_or_default()),
                _ => Said::Robot(v["id"].as_str().unwrap_or_default().to_string()),
            };
            assert_eq!(&said, expected, "{way} {link}: {v}");
        }
        // The verify page's form.
        let page = app
            .client
            .post(format!("{}/verify", app.base))
            .form(&[("code", link.as_str())])
            .send()
            .await
            .unwrap();
        // A single code that leads to a robot goes straight on to its profile; anything
        // else is shown on the page.
        if page.status() == 303 {
            let to = page.headers()[header::LOCATION]
                .to_str()
                .unwrap()
                .to_string();
            assert!(
                matches!(expected, Said::Robot(id) if to.starts_with(&format!("/r/{id}"))),
                "POST /verify {link} went to {to}"
            );
            continue;
        }
        assert_eq!(page.status(), 200, "POST /verify {link}");
        let html = page.text().await.unwrap();
        match expected {
            Said::Robot(id) => assert!(
                !html.contains("data-verdict=\"foreign_host\"")
                    && html.contains(&format!("/r/{id}")),
                "POST /verify {link}"
            ),
            Said::Foreign(host) => assert!(
                html.contains("data-verdict=\"foreign_host\"")
                    && html.contains(&helpers::escape(host)),
                "POST /verify {link}: {host}"
            ),
        }
    }
    assert_eq!(
        app.get_json(&format!(
            "/api/v1/verify?code={}",
            helpers::urlencode(&label)
        ))
        .await["verdict"],
        "verified_label"
    );
}

fn robot_of(id: &str) -> Said {
    Said::Robot(id.to_string())
}
helpers::on_both!(the_lookup_box_and_the_verifier_agree_on_every_link);

async fn language_follows_accept_language_then_the_remembered_choice(app: &TestApp) {
    let id = app.id_for(Status::Scrapped);
    let zh = app
        .get_with(
            &format!("/r/{id}"),
            &[("accept-language", "zh-CN,zh;q=0.9,en;q=0.5")],
        )
        .await;
    let html = zh.text().await.unwrap();
    assert!(html.contains("<html lang=\"zh-CN\""), "lang attribute");
    let title = app::i18n::tr(domain::Lang::ZhCn, "status.scrapped.title");
    assert!(html.contains(&helpers::escape(&title)));

    let en = app
        .get_with(
            &format!("/r/{id}"),
            &[("accept-language", "zh-CN"), ("cookie", "lang=en")],
        )
        .await;
    assert!(en.text().await.unwrap().contains("<html lang=\"en\""));

    let switch = app.get(&format!("/lang/zh-CN?next=%2Fr%2F{id}")).await;
    assert_eq!(switch.status(), 303);
    assert_eq!(
        switch.headers()[header::LOCATION],
        format!("/r/{id}").as_str()
    );
    let cookie = switch.headers()[header::SET_COOKIE].to_str().unwrap();
    assert!(
        cookie.starts_with("lang=zh-CN;")
            && cookie.contains("Path=/")
            && cookie.contains("SameSite=Lax")
    );

    // The switch only ever sends people back into the portal.
    for trick in [
        "//evil.example/",
        "/%09/evil.example",
        "/%5C/evil.example",
        "/%0A",
        "https://evil.example/",
    ] {
        let away = app.get(&format!("/lang/en?next={trick}")).await;
        assert_eq!(away.status(), 303, "{trick}");
        assert_eq!(away.headers()[header::LOCATION], "/", "{trick}");
    }

    let api = app
        .get_with("/api/v1/robots/XX", &[("accept-language", "zh-CN")])
        .await;
    let body: Value = api.json().await.unwrap();
    let message = body["error"]["message"].as_str().unwrap();
    assert!(
        message
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{message}"
    );
}
helpers::on_both!(language_follows_accept_language_then_the_remembered_choice);

async fn pages_carry_security_headers_and_a_fresh_nonce(app: &TestApp) {
    let profile = format!("/r/{}", app.id_for(Status::InService));
    // The profile three times: the later copies come from the page cache and need a nonce of
    // their own; the last is gzipped, from parts compressed when the page was kept, with the
    // nonce joined in.
    let paths = [
        ("/", false),
        (profile.as_str(), false),
        (profile.as_str(), false),
        (profile.as_str(), true),
        ("/r/bad", true),
        ("/no-such-page", false),
    ];
    let mut nonces = Vec::new();
    for (path, gzip) in paths {
        let encoding: &[(&str, &str)] = if gzip {
            &[("accept-encoding", "gzip")]
        } else {
            &[]
        };
        let resp = app.get_with(path, encoding).await;
        let h = resp.headers().clone();
        let csp = h[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_string();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}");
        assert!(csp.contains("'wasm-unsafe-eval'"));
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(h[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(h[header::REFERRER_POLICY], "same-origin");
        let nonce = csp
            .split("'nonce-")
            .nth(1)
            .and_then(|s| s.split('\'').next())
            .unwrap()
            .to_string();
        let html = if gzip {
            assert_eq!(h[header::CONTENT_ENCODING], "gzip", "{path}");
            let packed = resp.bytes().await.unwrap();
            let mut html = String::new();
            std::io::Read::read_to_string(
                &mut flate2::read::GzDecoder::new(&packed[..]),
                &mut html,
            )
            .expect("a valid gzip body");
            html
        } else {
            resp.text().await.unwrap()
        };
        assert!(html.contains("</html>"), "{path}: the whole page");
        assert!(!html.contains('\u{1}'), "{path}: no placeholder leaks");
        // Every inline script carries the nonce the header allows.
        let inline: Vec<&str> = html
            .split("<script")
            .skip(1)
            .filter_map(|s| s.split('>').next())
            .filter(|tag| !tag.contains("src="))
            .collect();
        assert!(!inline.is_empty(), "{path}: the hydration script is inline");
        for tag in inline {
            assert!(
                tag.contains(&format!("nonce=\"{nonce}\"")),
                "{path}: <script{tag}>"
            );
        }
        nonces.push(nonce);
    }
    nonces.sort();
    nonces.dedup();
    assert_eq!(nonces.len(), paths.len(), "a new nonce per response");
    assert_eq!(app.get("/no-such-page").await.status(), 404);
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), 200);
    assert_eq!(health.text().await.unwrap(), "ok");
}
helpers::on_both!(pages_carry_security_headers_and_a_fresh_nonce);

async fn lifecycle_record_is_a_hash_chain_that_cannot_be_rewritten(app: &TestApp) {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT e.seq, e.prev_hash, e.hash FROM lifecycle_entries e JOIN robots r ON r.id = e.robot_id
         WHERE r.robot_id = $1 ORDER BY e.seq",
    )
    .bind(app.id_for(Status::Scrapped))
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(rows.len() >= 4);
    assert_eq!(rows[0].1, registry::record::GENESIS_HASH);
    for pair in rows.windows(2) {
        assert_eq!(
            pair[1].1, pair[0].2,
            "entry {} points at its predecessor",
            pair[1].0
        );
    }
    let rewrite = sqlx::query("UPDATE lifecycle_entries SET kind = 'produced' WHERE seq = 2")
        .execute(&app.pool)
        .await;
    assert!(rewrite.is_err(), "updates are refused");
    let delete = sqlx::query("DELETE FROM lifecycle_entries WHERE seq = 1")
        .execute(&app.pool)
        .await;
    assert!(delete.is_err(), "deletes are refused");
}
helpers::on_both!(lifecycle_record_is_a_hash_chain_that_cannot_be_rewritten);

async fn static_assets_are_compressed_and_cacheable(app: &TestApp) {
    // The built site (make build) is served under a content-versioned name.
    let html = app.get("/").await.text().await.unwrap();
    let href = html
        .split("<link")
        .filter(|l| l.contains("stylesheet"))
        .find_map(|l| l.split("href=\"").nth(1).and_then(|s| s.split('"').next()))
        .expect("stylesheet link")
        .to_string();
    assert!(
        href.starts_with("/pkg/robopass.") && href.matches('.').count() == 2,
        "versioned name: {href}"
    );
    let resp = app.get_with(&href, &[("accept-encoding", "gzip")]).await;
    assert_eq!(
        resp.status(),
        200,
        "{href} is served (run `make build` first)"
    );
    assert_eq!(resp.headers()[header::CONTENT_ENCODING], "gzip");
    assert!(resp.headers()[header::CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/css"));
    let cache = resp.headers()[header::CACHE_CONTROL].to_str().unwrap();
    assert!(
        cache.contains("immutable") && cache.contains("max-age=31536000"),
        "{cache}"
    );
    let etag = resp.headers()[header::ETAG].to_str().unwrap().to_string();
    let again = app.get_with(&href, &[("if-none-match", &etag)]).await;
    assert_eq!(again.status(), 304);
    let plain = app.get(&href).await;
    assert!(
        plain.headers().get(header::CONTENT_ENCODING).is_none(),
        "plain for clients without gzip"
    );
    // The script and wasm the page loads are there too.
    for script in html
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
    {
        if script.ends_with(".js") || script.ends_with(".wasm") {
            assert_eq!(app.get(script).await.status(), 200, "{script}");
        }
    }
    // The wasm is built split (`--split`): the loader of the parts fetched later must import
    // the very script the page loaded, by its versioned name, or the browser would start a
    // second, uninitialised copy of the app when the camera first needs the QR decoder.
    let js = href.replace(".css", ".js");
    let main = app.get(&js).await.text().await.unwrap();
    let loader = main
        .split("\"./__wasm_split.")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .map(|s| format!("/pkg/__wasm_split.{s}"))
        .expect("the page's script imports the split loader (run `make build`)");
    let loader = app.get(&loader).await.text().await.unwrap();
    let versioned = js.trim_start_matches("/pkg/");
    assert!(
        loader.contains(&format!("from \"./{versioned}\"")),
        "the split loader imports {versioned}"
    );
    assert!(!loader.contains("from \"./robopass.js\""));
    let part = loader
        .split("new URL(\"./")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the loader fetches a split-out part");
    let resp = app.get(&format!("/pkg/{part}")).await;
    assert_eq!(resp.status(), 200, "{part}");
    assert_eq!(resp.headers()[header::CONTENT_TYPE], "application/wasm");
    // Browsers that take brotli get the copy made at build time (`robopass precompress`),
    // the same bytes once decoded; one that refuses it (q=0) gets gzip.
    let wasm = js.replace(".js", ".wasm");
    let plain = app.get(&wasm).await.bytes().await.unwrap();
    // Islands get their words from the server, translated: the wasm carries no translation
    // tables (they were a third of it), in either language.
    for lang in domain::Lang::ALL {
        let words = app::i18n::tr(lang, "status.in_service.detail");
        assert!(
            !plain.windows(words.len()).any(|w| w == words.as_bytes()),
            "{wasm} carries the translations ({lang:?})"
        );
    }
    let resp = app
        .get_with(&wasm, &[("accept-encoding", "gzip, deflate, br, zstd")])
        .await;
    assert_eq!(
        resp.headers()[header::CONTENT_ENCODING],
        "br",
        "{wasm} in brotli (run `make build`)"
    );
    let packed = resp.bytes().await.unwrap();
    assert!(packed.len() < plain.len());
    let mut unpacked = Vec::new();
    brotli::BrotliDecompress(&mut packed.as_ref(), &mut unpacked).unwrap();
    assert!(
        unpacked == plain,
        "brotli copy of {wasm} decodes to the file"
    );
    let resp = app
        .get_with(&wasm, &[("accept-encoding", "br;q=0, gzip")])
        .await;
    assert_eq!(resp.headers()[header::CONTENT_ENCODING], "gzip");
    assert_eq!(app.get("/pkg/no-such-file.css").await.status(), 404);
    assert_eq!(app.get(&format!("{wasm}.br")).await.status(), 404);
}
helpers::on_both!(static_assets_are_compressed_and_cacheable);

async fn the_demo_ids_in_the_readme_have_their_status(app: &TestApp) {
    // The generator is seeded, so the README's IDs exist in every demo registry.
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md")).unwrap();
    let mut checked = 0;
    for status in Status::ALL {
        let line = readme
            .lines()
            .find(|l| l.contains(&format!("(`{}`)", status.as_str())))
            .unwrap_or_else(|| panic!("README lists a demo ID for {status:?}"));
        let id = line.split('`').nth(3).expect("ID in the second code span");
        let body = app.get_json(&format!("/api/v1/robots/{id}")).await;
        assert_eq!(body["status"], status.as_str(), "README's {id}");
        checked += 1;
    }
    assert_eq!(checked, 6);
}
helpers::on_both!(the_demo_ids_in_the_readme_have_their_status);

/// The portal answers on its configured hosts only (`PUBLIC_ORIGIN`, `ALLOWED_HOSTS`); a page
/// kept for one is the same on every other, and any other host gets 421, not a page.
async fn the_page_cache_keeps_hosts_apart(app: &TestApp) {
    let unknown = app.unregistered_neighbour(&app.id_for(Status::InService));
    let path = format!("/r/{unknown}");
    for host in ["one.robopass.test", "robopass.example", "one.robopass.test"] {
        let resp = app.get_with(&path, &[("host", host)]).await;
        assert_eq!(resp.status(), 404, "{host}");
        let html = resp.text().await.unwrap();
        assert!(
            html.contains("one.robopass.test"),
            "{host}: the allowed host is ours"
        );
        assert!(!html.contains("two.robopass.test"), "{host}");
    }
    let resp = app.get_with(&path, &[("host", "two.robopass.test")]).await;
    assert_eq!(resp.status(), 421);
    assert!(!resp.text().await.unwrap().contains("robopass.example"));
}
helpers::on_both!(the_page_cache_keeps_hosts_apart, |c| {
    c.allowed_hosts = vec!["one.robopass.test".into()];
});

/// How long profile pages are kept in [`a_kept_profile_shows_a_change_once_its_time_is_up`].
const PAGE_TTL_MS: u64 = 300;

/// A kept page is checked against the registry once its time is up, and a change reaches it
/// then: a suspension, and the lifting of it (back to what the first rendering showed).
async fn a_kept_profile_shows_a_change_once_its_time_is_up(app: &TestApp) {
    let id = app.id_for(Status::InService);
    let path = format!("/r/{id}");
    let banner = |html: &str| {
        Status::ALL
            .into_iter()
            .find(|s| html.contains(&format!("banner--{}", s.as_str())))
    };
    let set_lifecycle = |lifecycle: &'static str| {
        sqlx::query("UPDATE robots SET lifecycle = $1 WHERE robot_id = $2")
            .bind(lifecycle)
            .bind(id.clone())
            .execute(&app.pool)
    };
    let wait = || tokio::time::sleep(std::time::Duration::from_millis(PAGE_TTL_MS + 300));

    let first = app.get(&path).await.text().await.unwrap();
    assert_eq!(banner(&first), Some(Status::InService));
    // Unchanged past its time: the same page.
    wait().await;
    let unchanged = app.get(&path).await.text().await.unwrap();
    assert_eq!(banner(&unchanged), Some(Status::InService));

    set_lifecycle("suspended").await.unwrap();
    wait().await;
    let suspended = app.get(&path).await.text().await.unwrap();
    assert_eq!(banner(&suspended), Some(Status::Suspended));
    let json: Value = app.get_json(&format!("/api/v1/robots/{id}")).await;
    assert_eq!(json["status"], "suspended");

    set_lifecycle("deployed").await.unwrap();
    wait().await;
    let lifted = app.get(&path).await.text().await.unwrap();
    assert_eq!(banner(&lifted), Some(Status::InService));
}
helpers::on_both!(a_kept_profile_shows_a_change_once_its_time_is_up, |c| {
    c.page_cache_ms = super::PAGE_TTL_MS
});

/// While the registry cannot be read, a profile says so, in the visitor's language, with 503,
/// and the API answers 503 with its error body; neither answer is kept, so the profile is back
/// as soon as the registry is.
async fn an_unreadable_registry_answers_503_and_is_not_kept(app: &TestApp) {
    let id = app.id_for(Status::InService);
    let path = format!("/r/{id}");
    let rename = |sql: &'static str| sqlx::query(sql).execute(&app.pool);
    rename("ALTER TABLE robots RENAME TO robots_away")
        .await
        .unwrap();

    let res = app.get(&path).await;
    assert_eq!(res.status(), 503);
    let html = res.text().await.unwrap();
    assert!(html.contains("The registry cannot be reached"), "{html}");
    let res = app.get_with(&path, &[("accept-language", "zh-CN")]).await;
    assert_eq!(res.status(), 503);
    assert!(res.text().await.unwrap().contains("暂时无法连接登记系统"));
    let res = app.get(&format!("/api/v1/robots/{id}")).await;
    assert_eq!(res.status(), 503);
    let json: Value = res.json().await.unwrap();
    assert_eq!(json["error"]["code"], "unavailable");

    rename("ALTER TABLE robots_away RENAME TO robots")
        .await
        .unwrap();
    let res = app.get(&path).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("banner--in_service"));
}
helpers::on_both!(an_unreadable_registry_answers_503_and_is_not_kept);

/// How long the lookup keeps reference data in [`an_operators_new_number_reaches_the_profile`].
const REFERENCE_TTL_MS: u64 = 300;

/// The lookup keeps organisations for a while (`REFERENCE_CACHE_MS`), never who a robot
/// belongs to: a new operator shows at once, a changed emergency number once its time is up.
async fn an_operators_new_number_reaches_the_profile(app: &TestApp) {
    let id = app.id_for(Status::InService);
    let path = format!("/api/v1/robots/{id}");
    let before: Value = app.get_json(&path).await;
    let operator_id: i64 = sqlx::query_scalar("SELECT operator_id FROM robots WHERE robot_id = $1")
        .bind(&id)
        .fetch_one(&app.pool)
        .await
        .unwrap();

    // The operator's details change: seen within the time-to-live.
    let number = "+86 10 5555 0199";
    assert_ne!(before["operator"]["emergency_contact"]["phone"], number);
    sqlx::query("UPDATE organisations SET emergency_phone = $1 WHERE id = $2")
        .bind(number)
        .bind(operator_id)
        .execute(&app.pool)
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(REFERENCE_TTL_MS + 300)).await;
    let after: Value = app.get_json(&path).await;
    assert_eq!(after["operator"]["emergency_contact"]["phone"], number);

    // Another operator takes the robot over: seen on the very next lookup, although the old
    // one was just read and is still kept.
    let (other_id, other_name): (i64, String) = sqlx::query_as(
        "SELECT id, name FROM organisations WHERE kind = 'operator' AND id <> $1 ORDER BY id LIMIT 1",
    )
    .bind(operator_id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    sqlx::query("UPDATE robots SET operator_id = $1 WHERE robot_id = $2")
        .bind(other_id)
        .bind(&id)
        .execute(&app.pool)
        .await
        .unwrap();
    let moved: Value = app.get_json(&path).await;
    assert_eq!(moved["operator"]["name"], other_name.as_str());
    assert_ne!(moved["operator"]["name"], after["operator"]["name"]);
}
helpers::on_both!(an_operators_new_number_reaches_the_profile, |c| {
    c.reference_cache_ms = super::REFERENCE_TTL_MS
});

/// When the database drops every connection (a restart, a failover), the next visitors still
/// get their profile: the lookup notices the dead connection, opens a new one and asks again.
#[tokio::test]
async fn a_database_restart_costs_no_visitor_a_lookup() {
    use sqlx::Connection;
    let Some(url) = helpers::fresh_postgres().await else {
        eprintln!("TEST_POSTGRES_URL not set: PostgreSQL run skipped");
        return;
    };
    let app = helpers::spawn_app(helpers::Db::Postgres(url.clone())).await;
    let ids: Vec<String> = [Status::InService, Status::RecallOpen, Status::Suspended]
        .into_iter()
        .map(|s| app.id_for(s))
        .collect();
    // Several lookups at once, so the lookup pool holds more than one open connection.
    let paths: Vec<String> = ids
        .iter()
        .map(|id| format!("/api/v1/robots/{id}"))
        .collect();
    let (a, b, c) = tokio::join!(app.get(&paths[0]), app.get(&paths[1]), app.get(&paths[2]));
    assert!([a, b, c].iter().all(|r| r.status() == 200));

    let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
    let killed: Vec<bool> = sqlx::query_scalar(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity
         WHERE datname = current_database() AND pid <> pg_backend_pid()",
    )
    .fetch_all(&mut admin)
    .await
    .unwrap();
    assert!(!killed.is_empty(), "the portal held no connection to drop");

    for id in ids.iter().chain(ids.iter()) {
        let resp = app.get(&format!("/api/v1/robots/{id}")).await;
        assert_eq!(resp.status(), 200, "lookup of {id} after the restart");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(body["id"], id.as_str());
        // And the page, which takes the same path.
        let page = app.get(&format!("/r/{id}")).await;
        assert_eq!(page.status(), 200, "profile page of {id} after the restart");
    }
}

/// The public GET endpoints are open to any website's scripts (CORS, with the preflight an
/// `If-None-Match` brings, and the ETag readable); the authenticated ones are not, to a plain
/// request or a preflight.
async fn public_gets_are_open_to_other_sites_and_nothing_else(app: &TestApp) {
    let id = app.id_for(Status::InService);
    let slug: String =
        sqlx::query_scalar("SELECT slug FROM venues WHERE slug IS NOT NULL ORDER BY id LIMIT 1")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let origin = "https://shop.example";
    let preflight = |path: String| async move {
        app.client
            .request(reqwest::Method::OPTIONS, format!("{}{path}", app.base))
            .header("origin", origin)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", "if-none-match")
            .send()
            .await
            .unwrap()
    };
    for path in [
        format!("/api/v1/robots/{id}"),
        format!("/api/v1/venues/{slug}"),
        format!("/api/v1/verify?code={id}"),
    ] {
        let got = app.get_with(&path, &[("origin", origin)]).await;
        assert_eq!(got.status(), 200, "{path}");
        assert_eq!(got.headers()["access-control-allow-origin"], "*", "{path}");
        let exposed = got.headers()["access-control-expose-headers"]
            .to_str()
            .unwrap()
            .to_ascii_lowercase();
        assert!(exposed.contains("etag"), "{path}: {exposed}");
        let pre = preflight(path.clone()).await;
        assert!(pre.status().is_success(), "{path}: {}", pre.status());
        assert_eq!(pre.headers()["access-control-allow-origin"], "*", "{path}");
        let allowed = pre.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .to_ascii_lowercase();
        assert!(allowed.contains("if-none-match"), "{path}: {allowed}");
    }
    for path in [
        "/api/v1/incidents".to_string(),
        format!("/api/v1/robots/{id}/entries"),
        format!("/api/v1/manufacturers/{}/recalls", &id[2..6]),
    ] {
        let got = app.get_with(&path, &[("origin", origin)]).await;
        assert!(
            got.headers().get("access-control-allow-origin").is_none(),
            "{path}: {:?}",
            got.headers()
        );
        let pre = preflight(path.clone()).await;
        assert!(
            pre.headers().get("access-control-allow-origin").is_none(),
            "{path}: preflight"
        );
    }
}

helpers::on_both!(public_gets_are_open_to_other_sites_and_nothing_else);
