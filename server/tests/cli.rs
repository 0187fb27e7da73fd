//! The command line, run as a person runs it.

use std::process::{Command, Stdio};

/// `robopass demo-ids | head`: a reader that stops early ends the output quietly, with success
/// and no panic (a `println!` into a closed pipe panicked).
#[test]
fn demo_ids_ends_quietly_when_its_reader_stops() {
    let dir = tempfile::tempdir().unwrap();
    let exe = env!("CARGO_BIN_EXE_robopass");
    let robopass = |args: &[&str]| {
        let mut c = Command::new(exe);
        c.args(args)
            .env(
                "DATABASE_URL",
                format!("sqlite://{}/robopass.db", dir.path().display()),
            )
            .env("SIGNING_KEY_FILE", dir.path().join("signing-key.json"))
            .env_remove("RUST_LOG");
        c
    };
    let seeded = robopass(&["seed", "--robots", "50"]).output().unwrap();
    assert!(seeded.status.success(), "{seeded:?}");

    // The whole list, read to its end.
    let all = robopass(&["demo-ids"]).output().unwrap();
    assert!(all.status.success(), "{all:?}");
    let text = String::from_utf8(all.stdout).unwrap();
    assert!(text.lines().count() >= 2, "{text}");
    assert!(text
        .lines()
        .all(|l| l.starts_with("{\"") && l.contains("\"id\":")));

    // A reader gone before the first line: the pipe is closed while the IDs are looked up.
    let mut child = robopass(&["demo-ids"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{:?}: {stderr}", out.status);
    assert!(!stderr.contains("panicked"), "{stderr}");
}

/// `robopass verify`: a whole registry checks; an entry changed directly in the database
/// (triggers set aside) makes it exit non-zero naming the robot and the entry, with or
/// without `--robot`.
#[tokio::test]
async fn verify_names_each_broken_record() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/robopass.db", dir.path().display());
    let exe = env!("CARGO_BIN_EXE_robopass");
    let robopass = |args: &[&str]| {
        Command::new(exe)
            .args(args)
            .env("DATABASE_URL", &db)
            .env("SIGNING_KEY_FILE", dir.path().join("signing-key.json"))
            .env_remove("RUST_LOG")
            .output()
            .unwrap()
    };
    assert!(robopass(&["seed", "--robots", "40"]).status.success());
    let whole = robopass(&["verify"]);
    assert!(whole.status.success(), "{whole:?}");
    assert!(
        String::from_utf8_lossy(&whole.stderr).contains("40 records checked"),
        "{whole:?}"
    );

    use sqlx::Connection;
    let mut conn = sqlx::SqliteConnection::connect(&db).await.unwrap();
    let id: String = sqlx::query_scalar("SELECT robot_id FROM robots ORDER BY id LIMIT 1 OFFSET 7")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    sqlx::query("DROP TRIGGER lifecycle_entries_no_update")
        .execute(&mut conn)
        .await
        .unwrap();
    sqlx::query(
        "UPDATE lifecycle_entries SET occurred_at = '2020-01-01T00:00:00Z'
         WHERE seq = 1 AND robot_id = (SELECT id FROM robots WHERE robot_id = $1)",
    )
    .bind(&id)
    .execute(&mut conn)
    .await
    .unwrap();
    conn.close().await.unwrap();

    for args in [vec!["verify"], vec!["verify", "--robot", &id]] {
        let broken = robopass(&args);
        assert!(!broken.status.success(), "{args:?}: {broken:?}");
        let out = String::from_utf8(broken.stdout).unwrap();
        assert_eq!(
            out.trim(),
            format!("{id}: broken record: entry 1 was changed after it was written"),
            "{args:?}"
        );
    }
    let unknown = robopass(&["verify", "--robot", "not an id"]);
    assert!(!unknown.status.success());
    assert!(
        String::from_utf8_lossy(&unknown.stderr).contains("--robot"),
        "{unknown:?}"
    );
}

/// `robopass demo-share-codes` lists the README's codes with their states; `robopass
/// demo-tamper` rewrites one entry behind the portal's back, and `robopass verify` names it.
#[test]
fn the_demo_codes_are_listed_and_a_tampered_entry_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}/robopass.db", dir.path().display());
    let exe = env!("CARGO_BIN_EXE_robopass");
    let robopass = |args: &[&str]| {
        Command::new(exe)
            .args(args)
            .env("DATABASE_URL", &db)
            .env("SIGNING_KEY_FILE", dir.path().join("signing-key.json"))
            .env_remove("RUST_LOG")
            .output()
            .unwrap()
    };
    assert!(robopass(&["seed", "--robots", "800"]).status.success());
    let codes = robopass(&["demo-share-codes"]);
    assert!(codes.status.success(), "{codes:?}");
    let codes: Vec<serde_json::Value> = String::from_utf8(codes.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let states: Vec<&str> = codes.iter().map(|c| c["state"].as_str().unwrap()).collect();
    assert_eq!(
        states,
        ["valid", "valid", "expired", "revoked"],
        "{codes:?}"
    );
    assert!(codes
        .iter()
        .all(|c| c["id"].as_str().is_some_and(|id| id.len() == 29)));

    assert!(robopass(&["verify"]).status.success());
    let tampered = robopass(&["demo-tamper"]);
    assert!(tampered.status.success(), "{tampered:?}");
    let told: serde_json::Value = serde_json::from_slice(&tampered.stdout).unwrap();
    let (id, entry) = (
        told["id"].as_str().unwrap(),
        told["entry"].as_i64().unwrap(),
    );
    for args in [vec!["verify"], vec!["verify", "--robot", id]] {
        let broken = robopass(&args);
        assert!(!broken.status.success(), "{args:?}");
        assert_eq!(
            String::from_utf8(broken.stdout).unwrap().trim(),
            format!("{id}: broken record: entry {entry} was changed after it was written")
        );
    }
}
