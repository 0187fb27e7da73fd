//! Signed labels and scanning over HTTP: keys, QR images, verdicts, photo uploads and the
//! pages they lead to, against SQLite and (when TEST_POSTGRES_URL is set) PostgreSQL.

mod helpers;

use data_encoding::{BASE32_NOPAD, BASE64URL_NOPAD};
use domain::{RobotId, Status};
use ed25519_dalek::{Signature, Verifier, VerifyingKey};
use helpers::photo::{exif_orientation, jpeg, photo, skewed_square};
use helpers::{text_of, urlencode, TestApp};
use image::{GrayImage, Luma};
use serde_json::Value;

const ORIGIN: &str = "HTTPS://ROBOPASS.EXAMPLE";

async fn png_label(app: &TestApp, id: &str, size: u32) -> Vec<u8> {
    let resp = app.get(&format!("/qr/{id}.png?size={size}")).await;
    assert_eq!(resp.status(), 200, "label {id} at {size}");
    assert_eq!(resp.headers()["content-type"], "image/png");
    resp.bytes().await.unwrap().to_vec()
}

async fn scan(app: &TestApp, body: Vec<u8>) -> reqwest::Response {
    app.scan(body).await
}

async fn scan_json(app: &TestApp, body: Vec<u8>) -> (u16, Value) {
    app.scan_json(body).await
}

fn gray(png: &[u8]) -> GrayImage {
    image::load_from_memory(png).unwrap().into_luma8()
}

async fn published_keys(app: &TestApp) -> Vec<(String, VerifyingKey, String)> {
    let resp = app.get("/.well-known/robopass-keys.json").await;
    assert_eq!(resp.status(), 200);
    assert_eq!(resp.headers()["access-control-allow-origin"], "*");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["algorithm"], "Ed25519");
    body["keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            let bytes = BASE64URL_NOPAD
                .decode(k["public_key"].as_str().unwrap().as_bytes())
                .unwrap();
            let key = VerifyingKey::from_bytes(&bytes.try_into().unwrap()).unwrap();
            (
                k["kid"].as_str().unwrap().to_string(),
                key,
                k["status"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn every_label_size_decodes_to_a_url_the_published_key_verifies(app: &TestApp) {
    let id = app.id_for(Status::InService);
    let keys = published_keys(app).await;
    assert_eq!(keys.len(), 1);
    let (kid, key, status) = &keys[0];
    assert_eq!(status, "current");
    let mut urls = Vec::new();
    for size in [128, 512, 2048] {
        let png = png_label(app, &id, size).await;
        let img = gray(&png);
        assert!(
            img.width() <= size && img.width() >= size / 2,
            "{size}: {}",
            img.width()
        );
        let (status, body) = scan_json(app, png).await;
        assert_eq!(status, 200, "{body}");
        let code = &body["codes"][0];
        assert_eq!(code["verdict"], "verified_label", "{code}");
        assert_eq!(code["id"], id.as_str());
        assert_eq!(code["key_id"], kid.as_str());
        urls.push(code["found"].as_str().unwrap().to_string());
    }
    assert!(urls.iter().all(|u| *u == urls[0]), "{urls:?}");
    // Anyone can check a label with the published key alone.
    let url = &urls[0];
    let prefix = format!("{ORIGIN}/R/{id}/{kid}.");
    assert!(url.starts_with(&prefix), "{url}");
    let sig = BASE32_NOPAD
        .decode(&url.as_bytes()[prefix.len()..])
        .unwrap();
    let sig = Signature::from_bytes(&sig.try_into().unwrap());
    let message = format!("robopass-label-v1:{id}:{kid}");
    key.verify(message.as_bytes(), &sig)
        .expect("published key verifies the label");
    // Small enough to print 3 cm wide: version 7 (45 modules) at level M, all of it in the
    // compact alphanumeric mode.
    let qr = qrcode::QrCode::with_error_correction_level(url, qrcode::EcLevel::M).unwrap();
    assert!(
        qr.width() <= 45,
        "{} modules for {} characters",
        qr.width(),
        url.len()
    );

    let svg = app.get(&format!("/qr/{id}.svg")).await;
    assert_eq!(svg.status(), 200);
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    assert!(svg.text().await.unwrap().contains("<svg"));
}
helpers::on_both!(every_label_size_decodes_to_a_url_the_published_key_verifies);

async fn label_images_refuse_what_is_not_a_registered_robot(app: &TestApp) {
    let id = app.id_for(Status::InService);
    assert_eq!(app.get(&format!("/qr/{id}.gif")).await.status(), 404);
    assert_eq!(
        app.get(&format!("/qr/{id}.png?size=20")).await.status(),
        400
    );
    assert_eq!(
        app.get(&format!("/qr/{id}.png?size=big")).await.status(),
        400
    );
    assert_eq!(app.get("/qr/NOT-AN-ID.png").await.status(), 400);
    let lower = app.get(&format!("/qr/{}.svg", id.to_lowercase())).await;
    assert_eq!(lower.status(), 308);
    assert_eq!(
        lower.headers()["location"],
        format!("/qr/{id}.svg").as_str()
    );
    let unknown = app.unregistered_neighbour(&id);
    let resp = app
        .get_with(
            &format!("/qr/{unknown}.png"),
            &[("accept-language", "zh-CN")],
        )
        .await;
    assert_eq!(resp.status(), 404);
    assert!(resp.text().await.unwrap().contains("未登记"));
}
helpers::on_both!(label_images_refuse_what_is_not_a_registered_robot);

async fn verify_gives_every_verdict(app: &TestApp) {
    let id = app.id_for(Status::Suspended);
    let png = png_label(app, &id, 512).await;
    let (_, body) = scan_json(app, png).await;
    let label = body["codes"][0]["found"].as_str().unwrap().to_string();
    let verify = |code: String| async move {
        let resp = app
            .get(&format!("/api/v1/verify?code={}", urlencode(&code)))
            .await;
        assert_eq!(resp.status(), 200, "{code}");
        resp.json::<Value>().await.unwrap()
    };
    let v = verify(label.clone()).await;
    assert_eq!(v["verdict"], "verified_label");
    assert_eq!(
        v["profile"],
        format!("/r/{id}/{}", label.rsplit('/').next().unwrap()).as_str()
    );

    // The same link as a browser writes it after following it.
    let v = verify(label.replacen(ORIGIN, "https://robopass.example", 1)).await;
    assert_eq!(v["verdict"], "verified_label");

    let v = verify(format!("https://robopass.example/r/{id}")).await;
    assert_eq!(v["verdict"], "not_issued");
    assert_eq!(v["problem"], "no_signature");
    assert_eq!(v["profile"], format!("/r/{id}?label=unsigned").as_str());

    // Signed with a key that is not the registry's.
    let stranger =
        registry::labels::Keyring::new(ed25519_dalek::SigningKey::from_bytes(&[5; 32]), vec![]);
    let forged = stranger.label_url("https://robopass.example", &RobotId::parse(&id).unwrap());
    let v = verify(forged).await;
    assert_eq!(v["verdict"], "not_issued");
    assert_eq!(v["problem"], "unknown_key");

    // A signature copied from another robot's label.
    let other = app.id_for(Status::InService);
    let v = verify(label.replace(&id, &other)).await;
    assert_eq!(v["verdict"], "not_issued");
    assert_eq!(v["problem"], "bad_signature");

    let v = verify(format!("https://robopass-check.example.net/r/{id}")).await;
    assert_eq!(v["verdict"], "foreign_host");
    assert_eq!(v["host"], "robopass-check.example.net");
    assert_eq!(v["id"], id.as_str());
    assert!(v["message"]
        .as_str()
        .unwrap()
        .contains("robopass-check.example.net"));
    assert!(v["profile"].is_null());

    let v = verify(id.to_lowercase()).await;
    assert_eq!(v["verdict"], "robot_id");
    assert_eq!(v["profile"], format!("/r/{id}").as_str());

    let v = verify("WIFI:S:Mall guest;T:WPA;P:hunter2;;".into()).await;
    assert_eq!(v["verdict"], "not_a_robot_id");
    assert_eq!(v["problem"], "other_scheme");

    let resp = app
        .get_with("/api/v1/verify?code=hello", &[("accept-language", "zh-CN")])
        .await;
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["verdict"], "not_a_robot_id");
    assert!(
        v["message"].as_str().unwrap().contains("不是机器人编号"),
        "{v}"
    );

    let resp = app.get("/api/v1/verify").await;
    assert_eq!(resp.status(), 400);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["error"]["code"], "missing_code");
}
helpers::on_both!(verify_gives_every_verdict);

async fn photos_with_codes_are_read_and_bad_uploads_get_their_status(app: &TestApp) {
    let id = app.id_for(Status::InService);
    let code = gray(&png_label(app, &id, 400).await);

    // One code, rotated, scaled down and in perspective, on a noisy background.
    let img = photo(
        2400,
        1800,
        &[(&code, skewed_square(1300.0, 850.0, 520.0, 23.0))],
        1,
    );
    let (status, body) = scan_json(app, jpeg(&img, None)).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["codes"].as_array().unwrap().len(), 1);
    assert_eq!(body["codes"][0]["verdict"], "verified_label");
    assert_eq!(body["codes"][0]["id"], id.as_str());

    // A mirror image that only reads the right way round once its EXIF orientation
    // (2: flipped left to right) is applied.
    let mirrored = image::imageops::flip_horizontal(&img);
    let (status, body) = scan_json(app, jpeg(&mirrored, Some(exif_orientation(2)))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["codes"][0]["id"], id.as_str());

    // Two codes, one of them pointing somewhere else: each gets its verdict.
    let foreign = qrcode::QrCode::new(format!("https://robopass-verify.example.org/r/{id}"))
        .unwrap()
        .render::<Luma<u8>>()
        .max_dimensions(400, 400)
        .build();
    let img = photo(
        2400,
        1600,
        &[
            (&code, skewed_square(600.0, 800.0, 560.0, -12.0)),
            (&foreign, skewed_square(1750.0, 800.0, 560.0, 8.0)),
        ],
        2,
    );
    let (status, body) = scan_json(app, jpeg(&img, None)).await;
    assert_eq!(status, 200, "{body}");
    let mut verdicts: Vec<&str> = body["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["verdict"].as_str().unwrap())
        .collect();
    verdicts.sort();
    assert_eq!(verdicts, ["foreign_host", "verified_label"]);

    // A photo with no code in it.
    let (status, body) = scan_json(app, jpeg(&photo(800, 600, &[], 3), None)).await;
    assert_eq!(status, 422);
    assert_eq!(body["error"]["code"], "no_code_found");

    // A text file.
    let resp = scan(app, b"robot id: CNSEJ5SE027600000000000000001\n".to_vec()).await;
    assert_eq!(resp.status(), 415);

    // 13 MB: refused before it is read.
    let resp = scan(app, vec![0xFF; 13 * 1024 * 1024]).await;
    assert_eq!(resp.status(), 413);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["error"]["code"], "too_large");

    // A decompression bomb: a tiny PNG that claims to be 100,000 pixels square.
    let started = std::time::Instant::now();
    let (status, body) = scan_json(app, png_bomb(100_000, 100_000)).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "too_many_pixels");
    assert!(started.elapsed().as_secs() < 2, "refused without decoding");
    // Within the side limit, but 11,000² pixels of 16-bit RGBA would need almost 1 GB.
    let (status, body) = scan_json(app, png_bomb_with(11_000, 11_000, 16, 6)).await;
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "too_many_pixels");
}
helpers::on_both!(photos_with_codes_are_read_and_bad_uploads_get_their_status);

/// A PNG whose header declares `w`×`h` 8-bit RGB pixels, with one small chunk of data.
fn png_bomb(w: u32, h: u32) -> Vec<u8> {
    png_bomb_with(w, h, 8, 2)
}

/// The same with another bit depth and colour type (6: RGBA).
fn png_bomb_with(w: u32, h: u32, depth: u8, colour: u8) -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut crc = crc32fast::Hasher::new();
        crc.update(kind);
        crc.update(data);
        out.extend_from_slice(kind);
        out.extend_from_slice(data);
        out.extend_from_slice(&crc.finalize().to_be_bytes());
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[depth, colour, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    let zeros = vec![0u8; 64 * 1024];
    let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
    std::io::Write::write_all(&mut z, &zeros).unwrap();
    chunk(&mut out, b"IDAT", &z.finish().unwrap());
    chunk(&mut out, b"IEND", &[]);
    out
}

/// `POST /scan/photo` with `bytes` as the form's file `name`, as the scanner page sends it.
async fn photo_form(app: &TestApp, bytes: Vec<u8>, name: &str, lang: &str) -> reqwest::Response {
    let form = reqwest::multipart::Form::new().part(
        "photo",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
    );
    app.client
        .post(format!("{}/scan/photo", app.base))
        .header("accept-language", lang)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn the_photo_form_works_without_javascript(app: &TestApp) {
    let id = app.id_for(Status::RecallOpen);
    let png = png_label(app, &id, 512).await;
    let resp = photo_form(app, png, "label.png", "en").await;
    // A registry label goes straight on to its profile: the code is never put in an address
    // of its own.
    assert_eq!(resp.status(), 303);
    let to_profile = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(to_profile.starts_with(&format!("/r/{id}/")), "{to_profile}");
    let html = app.get(&to_profile).await.text().await.unwrap();
    assert!(html.contains("data-verdict=\"verified_label\""));
    assert!(text_of(&html).contains("Verified official label"));
    assert!(html.contains("banner--recall_open"));

    // Any other code (a Wi-Fi login) is judged on the answer itself, not through a
    // `/verify?code=…` address that browser history and proxies would keep.
    let secret = "WIFI:S:home;T:WPA;P:correct-horse-battery;;";
    let png = server::scan::label_png(secret, 512).unwrap();
    let resp = photo_form(app, png, "wifi.png", "en").await;
    assert_eq!(resp.status(), 200);
    assert!(resp.headers().get("location").is_none());
    let html = resp.text().await.unwrap();
    assert!(html.contains("data-verdict=\"not_a_robot_id\""), "{html}");
    assert!(
        !html.contains("verify?code="),
        "the code went into an address: {html}"
    );

    // Not an image: the scanner again, saying so, with 415.
    let resp = photo_form(app, b"just text".to_vec(), "notes.txt", "zh-CN").await;
    assert_eq!(resp.status(), 415);
    let html = resp.text().await.unwrap();
    assert!(html.contains("id=\"scan-problem\""));
    assert!(html.contains("不是可读取的图片"));
    assert!(html.contains("<html lang=\"zh-CN\""));
}
helpers::on_both!(the_photo_form_works_without_javascript);

async fn profiles_show_the_label_verdict_on_top(app: &TestApp) {
    let id = app.id_for(Status::InService);
    let png = png_label(app, &id, 512).await;
    let (_, body) = scan_json(app, png).await;
    let label = body["codes"][0]["found"].as_str().unwrap().to_string();
    let token = label.rsplit('/').next().unwrap().to_string();

    // As printed (upper case) and as written (lower case).
    for path in [format!("/R/{id}/{token}"), format!("/r/{id}/{token}")] {
        let resp = app.get(&path).await;
        assert_eq!(resp.status(), 200, "{path}");
        let html = resp.text().await.unwrap();
        let verdict = html
            .find("data-verdict=\"verified_label\"")
            .expect("verdict");
        assert!(
            verdict < html.find("banner--in_service").unwrap(),
            "verdict first"
        );
    }
    // A tampered signature.
    let mut bad = token.clone();
    bad.replace_range(10..11, if &bad[10..11] == "A" { "B" } else { "A" });
    let html = app
        .get(&format!("/r/{id}/{bad}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-verdict=\"not_issued\""));
    assert!(text_of(&html).contains("not issued by the registry"));
    // An unsigned link, as the scanner reports it.
    let html = app
        .get_with(
            &format!("/r/{id}?label=unsigned"),
            &[("accept-language", "zh-CN")],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("data-verdict=\"not_issued\""));
    assert!(text_of(&html).contains("并非登记机构签发"));
    // A plain visit (what a phone's camera opens from an unsigned counterfeit label) gives no
    // verdict, but says what a genuine label would have shown.
    let html = app.get(&format!("/r/{id}")).await.text().await.unwrap();
    assert!(!html.contains("data-verdict"));
    assert!(html.contains("class=\"label-hint\""));
    assert!(text_of(&html).contains("A genuine registry label opens it with"));
    // A lower-case ID keeps its signature through the redirect.
    let resp = app.get(&format!("/r/{}/{token}", id.to_lowercase())).await;
    assert_eq!(resp.status(), 308);
    assert_eq!(
        resp.headers()["location"],
        format!("/r/{id}/{token}").as_str()
    );
}
helpers::on_both!(profiles_show_the_label_verdict_on_top);

async fn a_foreign_code_stops_on_its_own_page(app: &TestApp) {
    let id = app.id_for(Status::InService);
    let code = format!("https://robopass-verify.example.org/check/{id}");
    let resp = app.get(&format!("/verify?code={}", urlencode(&code))).await;
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    assert!(html.contains("data-verdict=\"foreign_host\""));
    let text = text_of(&html);
    assert!(
        text.contains("robopass-verify.example.org, not the registry"),
        "{text}"
    );
    assert!(
        html.contains(&format!("href=\"/r/{id}\"")),
        "a lookup of the ID inside"
    );

    // A foreign link dressed, with escapes, as one of ours: judged as written, never decoded
    // twice into something that looks like a label of the registry.
    let (_, body) = scan_json(app, png_label(app, &id, 512).await).await;
    let label = body["codes"][0]["found"].as_str().unwrap().to_string();
    let token = label.rsplit('/').next().unwrap();
    let disguised =
        format!("https://robopass.example%2FR%2F{id}%2F{token}%23@evil.example/x/{token}");
    let resp = app
        .get(&format!("/verify?code={}", urlencode(&disguised)))
        .await;
    assert_eq!(resp.status(), 200, "not sent on to a verified profile");
    let html = resp.text().await.unwrap();
    assert!(html.contains("data-verdict=\"foreign_host\""));
    assert!(text_of(&html).contains("evil.example"));
    let v: Value = app
        .get(&format!("/api/v1/verify?code={}", urlencode(&disguised)))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["verdict"], "foreign_host");

    // Several codes (as from one photo): each listed with its verdict, none followed.
    let resp = app
        .get(&format!(
            "/verify?code={}&code={}",
            urlencode(&code),
            urlencode(&id.to_lowercase())
        ))
        .await;
    assert_eq!(resp.status(), 200);
    let html = resp.text().await.unwrap();
    assert!(html.contains("data-verdict=\"foreign_host\""));
    assert!(html.contains("data-verdict=\"robot_id\""));
    assert!(html.contains(&format!("href=\"/r/{id}\"")));

    // No code: back to the scanner.
    let resp = app.get("/verify").await;
    assert_eq!(resp.status(), 303);
    assert_eq!(resp.headers()["location"], "/scan");
}
helpers::on_both!(a_foreign_code_stops_on_its_own_page);

async fn the_label_page_is_ready_to_print(app: &TestApp) {
    let id = app.id_for(Status::NotDeployed);
    for (size, class) in [("label", "sheet--label"), ("a4", "sheet--a4")] {
        let resp = app.get(&format!("/labels/{id}?size={size}")).await;
        assert_eq!(resp.status(), 200);
        let html = resp.text().await.unwrap();
        assert!(html.contains(class));
        assert!(html.contains(&format!("src=\"/qr/{id}.svg?size=1024\"")));
        let text = text_of(&html);
        assert!(text.contains("Scan to verify"));
        assert!(text.contains("扫码验证"));
        assert!(text.contains("robopass.example"));
        assert!(text.contains(&RobotId::parse(&id).unwrap().display()));
    }
    let unknown = app.unregistered_neighbour(&id);
    assert_eq!(app.get(&format!("/labels/{unknown}")).await.status(), 404);
    assert_eq!(app.get("/labels/NOPE").await.status(), 400);
    let scan_page = app.get_with("/scan", &[("accept-language", "zh-CN")]).await;
    assert_eq!(scan_page.status(), 200);
    let html = scan_page.text().await.unwrap();
    assert!(html.contains("action=\"/scan/photo\""));
    assert!(html.contains("enctype=\"multipart/form-data\""));
    assert!(html.contains("action=\"/verify\""));
    assert!(text_of(&html).contains("扫描机器人标签"));
}
helpers::on_both!(the_label_page_is_ready_to_print);

/// `robopass rotate-key`, then a restart: new labels carry the new key, old ones still verify
/// (as signed with a retired key), and both keys are published.
async fn rotation_keeps_old_labels_verifiable(db: helpers::Db) {
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("signing-key.json").display().to_string();
    let with_file = |c: &mut server::config::Config| {
        c.signing_key = None;
        c.signing_key_file = key_file.clone();
    };
    let before = helpers::spawn_app_with(db, with_file).await;
    let id = before.id_for(Status::InService);
    let (_, body) = scan_json(&before, png_label(&before, &id, 512).await).await;
    let old_label = body["codes"][0]["found"].as_str().unwrap().to_string();
    let old_kid = body["codes"][0]["key_id"].as_str().unwrap().to_string();

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_robopass"))
        .arg("rotate-key")
        .env("SIGNING_KEY_FILE", &key_file)
        .env_remove("SIGNING_KEY")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("{old_kid} is retired")));

    // A restart with the rotated file, on a fresh registry of the same demo data.
    let after = helpers::spawn_app_with(helpers::Db::Sqlite, with_file).await;
    let keys = published_keys(&after).await;
    let statuses: Vec<(&str, &str)> = keys
        .iter()
        .map(|(k, _, s)| (k.as_str(), s.as_str()))
        .collect();
    assert_eq!(statuses.len(), 2);
    assert_eq!(statuses[1], (old_kid.as_str(), "retired"));
    let new_kid = statuses[0].0.to_string();
    assert_ne!(new_kid, old_kid);

    let v: Value = after
        .get(&format!("/api/v1/verify?code={}", urlencode(&old_label)))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(v["verdict"], "verified_label", "{v}");
    assert_eq!(v["retired_key"], true);
    assert!(v["message"]
        .as_str()
        .unwrap()
        .contains("earlier registry key"));
    let (_, body) = scan_json(&after, png_label(&after, &id, 512).await).await;
    assert_eq!(body["codes"][0]["key_id"], new_kid.as_str());
    assert_eq!(body["codes"][0]["retired_key"], false);
}

#[tokio::test]
async fn rotation_keeps_old_labels_verifiable_sqlite() {
    rotation_keeps_old_labels_verifiable(helpers::Db::Sqlite).await;
}

#[tokio::test]
async fn rotation_keeps_old_labels_verifiable_postgres() {
    let Some(url) = helpers::fresh_postgres().await else {
        eprintln!("TEST_POSTGRES_URL not set: PostgreSQL run skipped");
        return;
    };
    rotation_keeps_old_labels_verifiable(helpers::Db::Postgres(url)).await;
}
