//! Outgoing mail through a real SMTP server: Python's `aiosmtpd` (from PyPI; `make test`
//! installs it) listens on a free port and keeps each message it receives in a maildir, where
//! this test reads the portal's confirmation message back.

mod helpers;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The SMTP server, stopped when dropped.
struct SmtpServer {
    child: Child,
    port: u16,
    maildir: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start aiosmtpd, or `None` (outside CI only) when Python has no aiosmtpd.
async fn smtp_server() -> Option<SmtpServer> {
    let has_it = Command::new("python3")
        .args(["-c", "import aiosmtpd"])
        .status()
        .is_ok_and(|s| s.success());
    if !has_it {
        assert!(
            std::env::var("CI").map_or(true, |v| v.is_empty()),
            "CI is set but Python's aiosmtpd is missing (make test installs it)"
        );
        eprintln!("aiosmtpd is not installed: the SMTP test is skipped");
        return None;
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let dir = tempfile::tempdir().unwrap();
    // Made by the server's Maildir on first use.
    let maildir = dir.path().join("maildir");
    let child = Command::new("python3")
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(&maildir)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("aiosmtpd starts");
    let server = SmtpServer {
        child,
        port,
        maildir,
        _dir: dir,
    };
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            return Some(server);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("aiosmtpd did not start listening");
}

/// A message's body as text, whichever transfer encoding the mailer chose for it.
fn body_of(message: &str) -> String {
    use base64::Engine as _;
    let (head, body) = message
        .split_once("\r\n\r\n")
        .or_else(|| message.split_once("\n\n"))
        .expect("a head and a body");
    let head = head.to_ascii_lowercase();
    if head.contains("content-transfer-encoding: base64") {
        let joined: String = body.split_whitespace().collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(joined)
            .expect("base64");
        String::from_utf8(bytes).expect("UTF-8")
    } else {
        body.replace("=\r\n", "")
            .replace("=\n", "")
            .replace("=3D", "=")
    }
}

#[tokio::test]
async fn a_confirmation_goes_through_a_real_smtp_server() {
    let Some(smtp) = smtp_server().await else {
        return;
    };
    let url = format!("smtp://127.0.0.1:{}", smtp.port);
    let app = helpers::spawn_app_with(helpers::Db::Sqlite, move |c| {
        c.accounts.smtp_url = Some(url);
    })
    .await;
    let resp = app
        .client
        .post(format!("{}/account/sign-up", app.base))
        .header("sec-fetch-site", "same-origin")
        .header("accept-language", "zh-CN")
        .form(&[
            ("display_name", "Mei"),
            ("email", "mei@example.com"),
            ("password", "a long enough password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let new = smtp.maildir.join("new");
    let mut message = None;
    for _ in 0..200 {
        if let Some(file) = std::fs::read_dir(&new)
            .ok()
            .and_then(|mut d| d.next())
            .and_then(Result::ok)
        {
            message = Some(std::fs::read_to_string(file.path()).unwrap());
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let message = message.expect("the message reached the SMTP server");
    assert!(message.contains("mei@example.com"), "{message}");
    // The subject is Chinese (the request's language), so it travels encoded.
    assert!(message.contains("Subject: =?utf-8?"), "{message}");
    let body = body_of(&message);
    assert!(
        body.contains("https://robopass.example/account/confirm?token="),
        "{body}"
    );
    assert!(
        app.mail_dir()
            .read_dir()
            .map_or(true, |mut d| d.next().is_none()),
        "no mail file written when SMTP is set"
    );
}
