//! The soak test's traffic (`bench/soak.sh` runs it): `soak BASE IDS PHOTO SECONDS`.
//!
//! For SECONDS, 64 connections (`CONNECTIONS`) ask for profiles, the API and labels of robots
//! drawn at random from IDS (one ID a line: every robot, not a warm few), a genuine label
//! photo (PHOTO) is scanned every `SCAN_EVERY_MS`, and every `HOSTILE_EVERY_MS` one attack of
//! the hostile set is made: photos that exhaust the QR reader, hang-up floods, a 36-megapixel
//! turned photo, `Accept-Language` full of `q=NaN`, long foreign `Host`s, label sizes, junk
//! addresses; and slow clients trickle their request heads throughout.
//!
//! Prints one JSON object: per class of request its count, statuses and latencies, the
//! profile's p99 for each 10-second window, and how long slow clients were kept.

#[path = "../tests/helpers/photo.rs"]
#[allow(dead_code)]
mod photo;

use rand::{Rng, SeedableRng};
use serde_json::json;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[derive(Default)]
struct Class {
    latencies_us: Vec<u32>,
    statuses: BTreeMap<String, u64>,
}

#[derive(Default)]
struct Record {
    classes: BTreeMap<&'static str, Class>,
    /// The profile's latencies per 10-second window.
    profile_windows: BTreeMap<u64, Vec<u32>>,
    slow_client_kept_ms: Vec<u64>,
}

type Shared = Arc<Mutex<Record>>;

fn note(record: &Shared, class: &'static str, started: Instant, status: String, window: u64) {
    let us = started.elapsed().as_micros().min(u32::MAX as u128) as u32;
    let mut r = record.lock().unwrap();
    let c = r.classes.entry(class).or_default();
    c.latencies_us.push(us);
    *c.statuses.entry(status).or_default() += 1;
    if class == "profile" {
        r.profile_windows.entry(window).or_default().push(us);
    }
}

fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i] as f64 / 1000.0
}

async fn send(req: reqwest::RequestBuilder) -> String {
    match req.send().await {
        Ok(resp) => {
            let status = resp.status().as_u16().to_string();
            match resp.bytes().await {
                Ok(_) => status,
                Err(_) => "body error".into(),
            }
        }
        Err(e) if e.is_timeout() => "timeout".into(),
        Err(_) => "connection error".into(),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base, ids, photo, seconds] = args.as_slice() else {
        anyhow::bail!("usage: soak BASE IDS PHOTO SECONDS");
    };
    let env = |name: &str, default: u64| {
        std::env::var(name)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let connections = env("CONNECTIONS", 64) as usize;
    let scan_every = Duration::from_millis(env("SCAN_EVERY_MS", 1000));
    let hostile_every = Duration::from_millis(env("HOSTILE_EVERY_MS", 2000));
    let slow_clients = env("SLOW_CLIENTS", 64) as usize;
    let duration = Duration::from_secs(seconds.parse()?);
    let ids: Arc<Vec<String>> = Arc::new(
        std::fs::read_to_string(ids)?
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect(),
    );
    anyhow::ensure!(!ids.is_empty(), "no IDs in the list");
    let photo = bytes::Bytes::from(std::fs::read(photo)?);
    let base = Arc::new(base.trim_end_matches('/').to_string());
    let record: Shared = Arc::default();
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        // The server closes a connection idle for 10 s; a client that reuses one after that
        // races the close and sees an error no person would (browsers retry those).
        .pool_idle_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(45))
        .build()?;
    let started = Instant::now();
    let until = started + duration;
    let window = move || started.elapsed().as_secs() / 10;

    // The hostile set, made once.
    let tiles_400 = bytes::Bytes::from(photo::finder_tiles(400));
    let tiles_600 = bytes::Bytes::from(photo::finder_tiles(600));
    let turned = bytes::Bytes::from({
        let img = image::RgbImage::from_fn(6000, 6000, |x, y| {
            image::Rgb([(x % 251) as u8, (y % 241) as u8, 120])
        });
        photo::jpeg(&img, Some(photo::exif_orientation(6)))
    });

    let mut tasks = Vec::new();
    // Genuine readers: profiles, the API, labels.
    for n in 0..connections {
        let (client, ids, base, record) =
            (client.clone(), ids.clone(), base.clone(), record.clone());
        tasks.push(tokio::spawn(async move {
            let mut rng = rand::rngs::StdRng::seed_from_u64(n as u64);
            while Instant::now() < until {
                let id = &ids[rng.random_range(0..ids.len())];
                let roll = rng.random_range(0..100);
                let (class, url) = if roll < 55 {
                    ("profile", format!("{base}/r/{id}"))
                } else if roll < 80 {
                    ("api", format!("{base}/api/v1/robots/{id}"))
                } else if roll < 90 {
                    ("label_svg", format!("{base}/qr/{id}.svg"))
                } else {
                    ("label_png", format!("{base}/qr/{id}.png?size=512"))
                };
                let lang = if rng.random_bool(0.3) {
                    "zh-CN,zh;q=0.9"
                } else {
                    "en-GB,en;q=0.8"
                };
                let t = Instant::now();
                let status = send(
                    client
                        .get(url)
                        .header("accept-language", lang)
                        .header("accept-encoding", "gzip"),
                )
                .await;
                note(&record, class, t, status, window());
            }
        }));
    }
    // Genuine photo scans at a steady rate.
    {
        let (client, base, record, photo) =
            (client.clone(), base.clone(), record.clone(), photo.clone());
        tasks.push(tokio::spawn(async move {
            let mut tick = tokio::time::interval(scan_every);
            let mut running = Vec::new();
            while Instant::now() < until {
                tick.tick().await;
                let (client, base, record, photo) =
                    (client.clone(), base.clone(), record.clone(), photo.clone());
                running.push(tokio::spawn(async move {
                    let t = Instant::now();
                    let resp = client
                        .post(format!("{base}/api/v1/scan"))
                        .body(photo)
                        .send()
                        .await;
                    let status = match resp {
                        Ok(r) => {
                            let code = r.status().as_u16();
                            let body = r.text().await.unwrap_or_default();
                            if code == 200 && !body.contains("\"verified_label\"") {
                                "200 without the label".to_string()
                            } else {
                                code.to_string()
                            }
                        }
                        Err(e) if e.is_timeout() => "timeout".into(),
                        Err(_) => "connection error".into(),
                    };
                    note(&record, "scan", t, status, window());
                }));
            }
            for r in running {
                let _ = r.await;
            }
        }));
    }
    // The hostile set, one attack every `hostile_every`, in turn.
    {
        let (client, base, record, ids) =
            (client.clone(), base.clone(), record.clone(), ids.clone());
        tasks.push(tokio::spawn(async move {
            let impatient = reqwest::Client::builder()
                .timeout(Duration::from_millis(100))
                .build()
                .expect("a client");
            let mut tick = tokio::time::interval(hostile_every);
            let mut rng = rand::rngs::StdRng::seed_from_u64(99);
            let mut turn = 0usize;
            let mut running = Vec::new();
            while Instant::now() < until {
                tick.tick().await;
                let id = ids[rng.random_range(0..ids.len())].clone();
                let (client, impatient, base, record) = (
                    client.clone(),
                    impatient.clone(),
                    base.clone(),
                    record.clone(),
                );
                let (tiles_400, tiles_600, turned) =
                    (tiles_400.clone(), tiles_600.clone(), turned.clone());
                let size = rng.random_range(128..=2048u32);
                let junk: u64 = rng.random();
                running.push(tokio::spawn(async move {
                    let scan = format!("{base}/api/v1/scan");
                    let t = Instant::now();
                    match turn % 8 {
                        0 => {
                            let s = send(client.post(&scan).body(tiles_600)).await;
                            note(&record, "hostile_tiles_600", t, s, 0);
                        }
                        1 => {
                            let s = send(client.post(&scan).body(tiles_400)).await;
                            note(&record, "hostile_tiles_400", t, s, 0);
                        }
                        2 => {
                            // A hang-up flood: twelve uploads, each dropped after 100 ms.
                            let flood: Vec<_> = (0..12)
                                .map(|_| impatient.post(&scan).body(tiles_600.clone()).send())
                                .collect();
                            for f in flood {
                                let _ = f.await;
                            }
                            note(&record, "hostile_hang_up_flood", t, "sent".into(), 0);
                        }
                        3 => {
                            let s = send(client.post(&scan).body(turned)).await;
                            note(&record, "hostile_36mp_turned", t, s, 0);
                        }
                        4 => {
                            let header = vec!["en;q=NaN"; 40].join(", ");
                            let s = send(
                                client
                                    .get(format!("{base}/r/{id}"))
                                    .header("accept-language", header),
                            )
                            .await;
                            note(&record, "hostile_accept_language", t, s, 0);
                        }
                        5 => {
                            let host = format!("{junk}{}.example", "h".repeat(4000));
                            let s = send(client.get(format!("{base}/r/{id}")).header("host", host))
                                .await;
                            note(&record, "hostile_host", t, s, 0);
                        }
                        6 => {
                            let s =
                                send(client.get(format!("{base}/qr/{id}.png?size={size}"))).await;
                            note(&record, "hostile_label_size", t, s, 0);
                        }
                        _ => {
                            let s = send(client.get(format!(
                                "{base}/r/{id}/{}/{junk}?q={junk}",
                                "z".repeat(2000)
                            )))
                            .await;
                            note(&record, "hostile_junk_path", t, s, 0);
                        }
                    }
                }));
                turn += 1;
            }
            for r in running {
                let _ = r.await;
            }
        }));
    }
    // Slow clients: a request head trickled a byte every two seconds, again and again.
    {
        let (base, record) = (base.clone(), record.clone());
        tasks.push(tokio::spawn(async move {
            let addr = base.trim_start_matches("http://").to_string();
            let mut running = Vec::new();
            for _ in 0..slow_clients {
                let (addr, record) = (addr.clone(), record.clone());
                running.push(tokio::spawn(async move {
                    use tokio::io::AsyncWriteExt;
                    while Instant::now() < until {
                        let Ok(mut s) = tokio::net::TcpStream::connect(&addr).await else {
                            tokio::time::sleep(Duration::from_secs(1)).await;
                            continue;
                        };
                        let opened = Instant::now();
                        let head = b"GET /scan HTTP/1.1\r\nHost: slow\r\nX-Slow: ";
                        let mut closed = s.write_all(head).await.is_err();
                        while !closed && Instant::now() < until {
                            tokio::time::sleep(Duration::from_secs(2)).await;
                            closed = s.write_all(b"a").await.is_err() || s.flush().await.is_err();
                        }
                        if closed {
                            record
                                .lock()
                                .unwrap()
                                .slow_client_kept_ms
                                .push(opened.elapsed().as_millis() as u64);
                        }
                    }
                }));
            }
            for r in running {
                let _ = r.await;
            }
        }));
    }
    for t in tasks {
        t.await?;
    }

    let mut r = record.lock().unwrap();
    let mut classes = serde_json::Map::new();
    for (name, c) in r.classes.iter_mut() {
        c.latencies_us.sort_unstable();
        classes.insert(
            name.to_string(),
            json!({
                "count": c.latencies_us.len(),
                "statuses": c.statuses,
                "p50_ms": percentile(&c.latencies_us, 0.50),
                "p99_ms": percentile(&c.latencies_us, 0.99),
                "max_ms": percentile(&c.latencies_us, 1.0),
            }),
        );
    }
    let windows: Vec<_> = r
        .profile_windows
        .iter_mut()
        .map(|(w, l)| {
            l.sort_unstable();
            json!({ "from_s": w * 10, "count": l.len(), "p99_ms": percentile(l, 0.99) })
        })
        .collect();
    r.slow_client_kept_ms.sort_unstable();
    let out = json!({
        "seconds": duration.as_secs(),
        "connections": connections,
        "classes": classes,
        "profile_p99_windows": windows,
        "slow_clients_closed": r.slow_client_kept_ms.len(),
        "slow_client_kept_ms_p50": r.slow_client_kept_ms.get(r.slow_client_kept_ms.len() / 2),
        "slow_client_kept_ms_max": r.slow_client_kept_ms.last(),
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}
