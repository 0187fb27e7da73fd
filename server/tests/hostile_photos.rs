//! Photos built to exhaust the QR reader, and hang-up floods, sent as a script would send
//! them. A test binary of its own: the time limits it checks hold for a machine not busy with
//! other tests.

mod helpers;

use domain::Status;
use helpers::photo::{exif_orientation, finder_tiles, jpeg, photo, skewed_square};
use helpers::TestApp;
use std::time::{Duration, Instant};

/// A genuine phone-like photo of `id`'s label.
async fn label_photo(app: &TestApp, id: &str) -> Vec<u8> {
    let resp = app.get(&format!("/qr/{id}.png?size=512")).await;
    assert_eq!(resp.status(), 200);
    let label = image::load_from_memory(&resp.bytes().await.unwrap())
        .unwrap()
        .into_luma8();
    let img = photo(
        1600,
        1200,
        &[(&label, skewed_square(800.0, 600.0, 620.0, 8.0))],
        7,
    );
    jpeg(&img, None)
}

/// Photo-reading processes this test process has started that are still running.
fn decoders_running() -> usize {
    let me = std::process::id().to_string();
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return 0;
    };
    dir.filter_map(|e| e.ok())
        .filter(|e| {
            let path = e.path();
            let Ok(stat) = std::fs::read_to_string(path.join("stat")) else {
                return false;
            };
            // pid (comm) state ppid …; comm may hold spaces, so read after the last ')'.
            let after = stat.rsplit_once(')').map(|(_, r)| r).unwrap_or_default();
            let mut fields = after.split_whitespace();
            let state = fields.next().unwrap_or_default();
            let ppid = fields.next().unwrap_or_default();
            let cmdline = std::fs::read(path.join("cmdline")).unwrap_or_default();
            ppid == me && state != "Z" && String::from_utf8_lossy(&cmdline).contains("decode-photo")
        })
        .count()
}

/// Hostile photos are refused within two seconds, a hang-up flood never runs more decodes
/// than there are slots, and a genuine photo is read right after.
async fn hostile_photos_are_refused_in_time_and_hang_ups_hold_their_slot(app: &TestApp) {
    let slots = std::thread::available_parallelism().map_or(2, |n| n.get());

    // Each hostile picture: answered within 2 s, with a clear refusal.
    let big = {
        // 6000 × 6000 RGBA, mostly flat (a small file), turned by EXIF: 144 MB of pixels.
        let img = image::RgbaImage::from_fn(6000, 6000, |x, y| {
            image::Rgba([(x % 251) as u8, (y % 241) as u8, 120, 255])
        });
        let rgb = image::DynamicImage::ImageRgba8(img).into_rgb8();
        jpeg(&rgb, Some(exif_orientation(6)))
    };
    for (name, body) in [
        ("tiles 300", finder_tiles(300)),
        ("tiles 400", finder_tiles(400)),
        ("tiles 600", finder_tiles(600)),
        ("6000 × 6000, turned", big),
    ] {
        let started = Instant::now();
        let (status, json) = app.scan_json(body).await;
        let took = started.elapsed();
        assert!(took < Duration::from_secs(2), "{name} took {took:?}");
        assert_eq!(status, 422, "{name}: {json}");
        let code = json["error"]["code"].as_str().unwrap();
        assert!(
            ["too_complex", "no_code_found"].contains(&code),
            "{name}: {json}"
        );
        assert!(!json["error"]["message"].as_str().unwrap().is_empty());
    }

    // The hang-up flood: upload the worst picture, hang up after 100 ms, again and again.
    let tiles = finder_tiles(600);
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let watching = tokio::spawn(async {
        let mut most = 0;
        let until = Instant::now() + Duration::from_secs(4);
        while Instant::now() < until {
            most = most.max(decoders_running());
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        most
    });
    let mut floods = Vec::new();
    for _ in 0..12 {
        let req = impatient
            .post(format!("{}/api/v1/scan", app.base))
            .body(tiles.clone())
            .send();
        floods.push(tokio::spawn(async move {
            let _ = req.await;
        }));
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for f in floods {
        f.await.unwrap();
    }
    let most = watching.await.unwrap();
    assert!(most >= 1, "the flood started no decode at all");
    assert!(most <= slots, "{most} decodes at once with {slots} slots");

    // Once the flood is over, a genuine photo is read.
    tokio::time::sleep(Duration::from_millis(1600)).await;
    let id = app.id_for(Status::InService);
    let (status, json) = app.scan_json(label_photo(app, &id).await).await;
    assert_eq!(status, 200, "{json}");
    assert_eq!(json["codes"][0]["verdict"], "verified_label", "{json}");
    assert_eq!(decoders_running(), 0);
}

/// Decoding does not touch the database: SQLite is enough, and one app alone, so that the
/// count of decoding processes is this app's.
#[tokio::test]
async fn hostile_photos() {
    let app = helpers::spawn_app(helpers::Db::Sqlite).await;
    hostile_photos_are_refused_in_time_and_hang_ups_hold_their_slot(&app).await;
}
