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
