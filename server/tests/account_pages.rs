//! Accounts through their pages and forms, over HTTP: sign up (new and taken addresses alike),
//! the mail and its links (once, until they expire), sign in and out across two instances on
//! one database, password changes and resets, forged cross-site posts, sign-in throttling
//! shared between instances, and the page cache with signed-in people. On SQLite and
//! PostgreSQL.

mod helpers;

use helpers::TestApp;
use std::path::PathBuf;
use std::time::Duration;

const PASSWORD: &str = "correct horse battery staple";
/// The session cookie's name: the test registry's origin is https.
const COOKIE: &str = "__Host-robopass_session";

/// Where the test app writes its mail (see `helpers::spawn`).
fn mail_dir(app: &TestApp) -> PathBuf {
    app.mail_dir()
}

/// `POST path` as a form from the portal's own page (`Sec-Fetch-Site: same-origin`), with a
/// session cookie when given.
async fn post(
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
    session: Option<&str>,
) -> reqwest::Response {
    post_with(
        app,
        path,
        fields,
        session,
        &[("sec-fetch-site", "same-origin")],
    )
    .await
}

async fn post_with(
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
    session: Option<&str>,
    headers: &[(&str, &str)],
) -> reqwest::Response {
    let mut req = app
        .client
        .post(format!("{}{path}", app.base))
        .form(fields)
        .header("accept-language", "en");
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(token) = session {
        req = req.header("cookie", format!("{COOKIE}={token}"));
    }
    req.send().await.expect("request reaches the server")
}

async fn get(app: &TestApp, path: &str, session: Option<&str>) -> reqwest::Response {
    let mut req = app
        .client
        .get(format!("{}{path}", app.base))
        .header("accept-language", "en");
    if let Some(token) = session {
        req = req.header("cookie", format!("{COOKIE}={token}"));
    }
    req.send().await.expect("request reaches the server")
}

fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default()
}

/// The session token a response sets, if it sets one.
fn session_set(resp: &reqwest::Response) -> Option<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| {
            let value = c.strip_prefix(&format!("{COOKIE}="))?;
            let value = value.split(';').next()?;
            (!value.is_empty()).then(|| value.to_string())
        })
}

/// Sign in through the form; the session token.
async fn sign_in(app: &TestApp, email: &str, password: &str) -> String {
    let resp = post(
        app,
        "/account/sign-in",
        &[("email", email), ("password", password), ("next", "/")],
        None,
    )
    .await;
    assert_eq!(resp.status(), 303, "{email} signs in");
    let cookie = resp
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_string();
    for attribute in ["HttpOnly", "SameSite=Lax", "Path=/", "Secure"] {
        assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
    }
    session_set(&resp).expect("a session cookie")
}

/// Whether `token` signs someone in: the account page answers instead of sending to sign-in.
async fn works(app: &TestApp, token: &str) -> bool {
    let resp = get(app, "/account", Some(token)).await;
    match resp.status().as_u16() {
        200 => true,
        303 => false,
        other => panic!("/account answered {other}"),
    }
}

/// The messages written so far, oldest first, as text (quoted-printable soft breaks undone).
fn messages(app: &TestApp) -> Vec<String> {
    let mut files: Vec<_> = std::fs::read_dir(mail_dir(app))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    files.retain(|p: &PathBuf| p.extension().is_some_and(|e| e == "eml"));
    files.sort_by_key(|p| std::fs::metadata(p).and_then(|m| m.modified()).ok());
    files
        .iter()
        .map(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .replace("=\r\n", "")
                .replace("=3D", "=")
        })
        .collect()
}

/// Wait for a message that says `text` (messages sent at the same moment may be written in
/// either order).
async fn message_saying(app: &TestApp, text: &str) -> String {
    for _ in 0..100 {
        if let Some(m) = messages(app).into_iter().find(|m| m.contains(text)) {
            return m;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("no message says {text:?}");
}

/// Wait for the `n`th message (they are sent in the background).
async fn nth_message(app: &TestApp, n: usize) -> String {
    for _ in 0..100 {
        if let Some(m) = messages(app).get(n - 1) {
            return m.clone();
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("message {n} was not sent");
}

/// The registry link in a message, as a path.
fn link_in(message: &str) -> String {
    let start = message
        .find("https://robopass.example/")
        .expect("a link to the registry");
    let rest = &message[start + "https://robopass.example".len()..];
    rest.split_whitespace().next().unwrap().to_string()
}

fn field(path: &str, name: &str) -> String {
    let query = path.split_once('?').map_or("", |(_, q)| q);
    url::form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

async fn sign_up_confirm_and_reset(app: &TestApp) {
    // A new address and a taken one: the same answer, different mail.
    let fields = [
        ("display_name", "Ada <script>alert(1)</script>"),
        ("email", "ada@example.com"),
        ("password", PASSWORD),
        ("next", "/r/anything"),
    ];
    let first = post(app, "/account/sign-up", &fields, None).await;
    assert_eq!(first.status(), 303);
    assert_eq!(location(&first), "/account/sent?for=sign-up");
    assert!(session_set(&first).is_none(), "signing up signs no one in");
    let welcome = nth_message(app, 1).await;
    assert!(welcome.contains("Confirm your e-mail address"), "{welcome}");
    let again = post(app, "/account/sign-up", &fields, None).await;
    assert_eq!(again.status(), 303);
    assert_eq!(location(&again), location(&first));
    let taken = nth_message(app, 2).await;
    assert!(
        taken.contains("You already have a Robot Passport account"),
        "{taken}"
    );
    assert!(taken.contains("/account/reset"), "{taken}");
    let sent = get(app, "/account/sent?for=sign-up", None)
        .await
        .text()
        .await
        .unwrap();
    assert!(sent.contains("We have sent a message to that address"));

    // The confirmation link: its page has a button, pressing it works once.
    let link = link_in(&welcome);
    assert!(link.starts_with("/account/confirm?token="), "{link}");
    assert_eq!(field(&link, "next"), "/r/anything");
    let page = get(app, &link, None).await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("Confirm my address"));
    let token = field(&link, "token");
    let confirm = [("token", token.as_str()), ("next", "/r/anything")];
    let done = post(app, "/account/confirm", &confirm, None).await;
    assert_eq!(done.status(), 303);
    assert_eq!(
        location(&done),
        "/account/sign-in?next=%2Fr%2Fanything&confirmed=1"
    );
    let twice = post(app, "/account/confirm", &confirm, None).await;
    assert_eq!(twice.status(), 422);
    assert!(twice
        .text()
        .await
        .unwrap()
        .contains("expired or has been used"));
    assert_eq!(get(app, &link, None).await.status(), 410);

    // Signed in, the name is shown as text, never as markup.
    let session = sign_in(app, "ADA@example.com", PASSWORD).await;
    let account = get(app, "/account", Some(&session)).await;
    assert_eq!(
        account.headers()["cache-control"],
        "private, no-store",
        "a personal page is never stored"
    );
    let html = account.text().await.unwrap();
    assert!(html.contains("Ada &lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script>alert(1)"));
    assert!(html.contains("confirmed"));

    // A reset link works once, ends every session, and lasts half an hour.
    let asked = post(app, "/account/reset", &[("email", "ada@example.com")], None).await;
    assert_eq!(location(&asked), "/account/sent?for=reset");
    let unknown = post(
        app,
        "/account/reset",
        &[("email", "nobody@example.com")],
        None,
    )
    .await;
    assert_eq!(
        location(&unknown),
        location(&asked),
        "the same answer for no account"
    );
    let reset = message_saying(app, "Reset your Robot Passport password").await;
    let nobody = message_saying(app, "there is no account with it").await;
    assert!(nobody.contains("nobody@example.com"), "{nobody}");
    assert_eq!(messages(app).len(), 4);
    let link = link_in(&reset);
    let form = get(app, &link, None).await;
    assert_eq!(form.status(), 200);
    assert!(form.text().await.unwrap().contains("Choose a new password"));
    let token = field(&link, "token");
    let weak = post(
        app,
        "/account/reset",
        &[("token", &token), ("new_password", "short")],
        None,
    )
    .await;
    assert_eq!(
        weak.status(),
        422,
        "a weak password does not use the link up"
    );
    let new = "a different long passphrase";
    let set = post(
        app,
        "/account/reset",
        &[("token", &token), ("new_password", new)],
        None,
    )
    .await;
    assert_eq!(set.status(), 303);
    assert_eq!(location(&set), "/account/sign-in?reset=1");
    assert!(!works(app, &session).await, "a reset ends every session");
    let used = post(
        app,
        "/account/reset",
        &[
            ("token", &token),
            ("new_password", "yet another passphrase"),
        ],
        None,
    )
    .await;
    assert_eq!(used.status(), 422, "a reset link works once");
    sign_in(app, "ada@example.com", new).await;

    // An expired link does not work.
    post(app, "/account/reset", &[("email", "ada@example.com")], None).await;
    let token = field(&link_in(&nth_message(app, 5).await), "token");
    sqlx::query(
        "UPDATE account_tokens SET expires_at = '2020-01-01T00:00:00Z' WHERE used_at IS NULL",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let late = post(
        app,
        "/account/reset",
        &[
            ("token", &token),
            ("new_password", "yet another passphrase"),
        ],
        None,
    )
    .await;
    assert_eq!(late.status(), 422);
    assert!(late
        .text()
        .await
        .unwrap()
        .contains("expired or has been used"));
}
helpers::on_both!(sign_up_confirm_and_reset);

async fn sessions_across_instances(app: &TestApp) {
    app.add_person("grace@example.com", "Grace", PASSWORD).await;
    let second = helpers::spawn_second(app, |_| {}).await;
    let first = sign_in(app, "grace@example.com", PASSWORD).await;
    assert!(
        works(&second, &first).await,
        "a session works on every instance"
    );
    // The page rendered for a signed-in person names them.
    let page = get(&second, "/", Some(&first)).await.text().await.unwrap();
    assert!(page.contains("Grace") && page.contains("Sign out"));

    // Signing out on the second ends the session on the first, and clears the cookie.
    let out = post(&second, "/account/sign-out", &[], Some(&first)).await;
    assert_eq!(out.status(), 303);
    assert!(out.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    assert!(!works(app, &first).await);
    // A cookie that names no session is cleared, and the visitor is signed out.
    let stale = get(app, "/", Some(&first)).await;
    assert!(stale.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .contains("Max-Age=0"));
    assert!(stale.text().await.unwrap().contains("Sign in"));

    // A password change ends every other session and keeps this one.
    let mine = sign_in(app, "grace@example.com", PASSWORD).await;
    let other = sign_in(&second, "grace@example.com", PASSWORD).await;
    let wrong = post(
        app,
        "/account/password",
        &[
            ("current_password", "not my password"),
            ("new_password", "a new long passphrase"),
        ],
        Some(&mine),
    )
    .await;
    assert_eq!(wrong.status(), 422);
    let changed = post(
        app,
        "/account/password",
        &[
            ("current_password", PASSWORD),
            ("new_password", "a new long passphrase"),
        ],
        Some(&mine),
    )
    .await;
    assert_eq!(changed.status(), 303);
    assert_eq!(location(&changed), "/account?done=password");
    assert!(works(app, &mine).await);
    assert!(!works(&second, &other).await);

    // What the database keeps does not sign anyone in.
    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM sessions")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert!(!stored.is_empty());
    for hash in stored {
        assert!(!works(app, &hash).await, "the stored hash is no cookie");
    }
    // Signed out, the account's pages send to sign-in and come back.
    let resp = get(app, "/account/password", None).await;
    assert_eq!(resp.status(), 303);
    assert_eq!(
        location(&resp),
        "/account/sign-in?next=%2Faccount%2Fpassword"
    );
}
helpers::on_both!(sessions_across_instances);

async fn forms_keep_values_and_say_what_to_fix(app: &TestApp) {
    let resp = post(
        app,
        "/account/sign-up",
        &[
            ("display_name", ""),
            ("email", "not-an-address"),
            ("password", "short"),
        ],
        None,
    )
    .await;
    assert_eq!(resp.status(), 422);
    let html = resp.text().await.unwrap();
    assert!(html.contains("<title>Error: Create an account"));
    assert!(html.contains("There is a problem"));
    for field in ["display_name", "email", "password"] {
        assert!(
            html.contains(&format!("href=\"#field-{field}\"")),
            "{field}"
        );
        assert!(
            html.contains(&format!("id=\"field-{field}-error\"")),
            "{field}"
        );
    }
    assert!(html.contains("value=\"not-an-address\""), "values are kept");
    assert!(!html.contains("value=\"short\""), "passwords are not");

    // Sign-in: the same words for an unknown address and a wrong password.
    app.add_person("lin@example.com", "Lin", PASSWORD).await;
    let mut said = Vec::new();
    for (email, password) in [
        ("nobody@example.com", PASSWORD),
        ("lin@example.com", "wrong password!"),
    ] {
        let resp = post(
            app,
            "/account/sign-in",
            &[("email", email), ("password", password)],
            None,
        )
        .await;
        assert_eq!(resp.status(), 422);
        let html = resp.text().await.unwrap();
        assert!(html.contains(&format!("value=\"{email}\"")));
        said.push(helpers::text_of(&html).replace(email, "EMAIL"));
    }
    assert_eq!(said[0], said[1]);

    // `next` goes back only to this site.
    for (next, to) in [
        ("/r/X", "/r/X"),
        ("//evil.example", "/"),
        ("https://evil.example", "/"),
    ] {
        let resp = post(
            app,
            "/account/sign-in",
            &[
                ("email", "lin@example.com"),
                ("password", PASSWORD),
                ("next", next),
            ],
            None,
        )
        .await;
        assert_eq!(location(&resp), to, "{next}");
    }

    // In Chinese too.
    let resp = app
        .client
        .post(format!("{}/account/sign-in", app.base))
        .header("accept-language", "zh-CN")
        .form(&[("email", "lin@example.com"), ("password", "")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    assert!(resp.text().await.unwrap().contains("请输入密码"));
}
helpers::on_both!(forms_keep_values_and_say_what_to_fix);

async fn forged_posts_are_refused(app: &TestApp) {
    app.add_person("mo@example.com", "Mo", PASSWORD).await;
    let session = sign_in(app, "mo@example.com", PASSWORD).await;
    let forms: [(&str, &[(&str, &str)]); 8] = [
        (
            "/account/sign-in",
            &[("email", "mo@example.com"), ("password", PASSWORD)],
        ),
        (
            "/account/sign-up",
            &[
                ("email", "x@example.com"),
                ("display_name", "X"),
                ("password", PASSWORD),
            ],
        ),
        ("/account/sign-out", &[]),
        (
            "/account/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", "taken over by evil"),
            ],
        ),
        ("/account/reset", &[("email", "mo@example.com")]),
        ("/verify", &[("code", "anything")]),
        ("/scan/photo", &[]),
        ("/api/fn/lookup_robot", &[]),
    ];
    for (path, fields) in forms {
        for headers in [
            &[("sec-fetch-site", "cross-site")][..],
            &[("sec-fetch-site", "same-site")][..],
            &[("origin", "https://evil.example")][..],
            &[("origin", "null")][..],
        ] {
            let resp = post_with(app, path, fields, Some(&session), headers).await;
            assert_eq!(resp.status(), 403, "{path} {headers:?}");
        }
    }
    // The session survived every forged sign-out and password change.
    assert!(works(app, &session).await);
    let page = post_with(
        app,
        "/account/sign-out",
        &[],
        Some(&session),
        &[("origin", "https://evil.example")],
    )
    .await
    .text()
    .await
    .unwrap();
    assert!(page.contains("sent from another website"), "{page}");
    // From the portal's own page, by either header, it goes through.
    let own = post_with(
        app,
        "/account/sign-out",
        &[],
        Some(&session),
        &[("origin", "https://robopass.example")],
    )
    .await;
    assert_eq!(own.status(), 303);
    assert!(!works(app, &session).await);
}
helpers::on_both!(forged_posts_are_refused);

/// Sign-in limits small enough to reach: three tries on an account per four-second window.
fn tight(config: &mut server::config::Config) {
    config.accounts.throttle = registry::throttle::Throttle {
        window_s: 4,
        per_account: 3,
        per_address: 1000,
    };
}

async fn sign_in_is_throttled_across_instances(app: &TestApp) {
    app.add_person("sam@example.com", "Sam", PASSWORD).await;
    let second = helpers::spawn_second(app, tight).await;
    // Start at the beginning of a window, so that every try falls in it.
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    let into = now.as_millis() % 4000;
    tokio::time::sleep(Duration::from_millis((4000 - into + 50) as u64)).await;
    for (email, instance) in [
        ("sam@example.com", app),
        ("SAM@example.com", &second),
        ("sam@example.com", app),
    ] {
        let resp = post(
            instance,
            "/account/sign-in",
            &[("email", email), ("password", "wrong password!")],
            None,
        )
        .await;
        assert_eq!(resp.status(), 422);
    }
    // The fourth try, on either instance, even with the right password.
    for instance in [&second, app] {
        let resp = post(
            instance,
            "/account/sign-in",
            &[("email", "sam@example.com"), ("password", PASSWORD)],
            None,
        )
        .await;
        assert_eq!(resp.status(), 429);
        let wait: u64 = resp.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=4).contains(&wait), "{wait}");
        let html = resp.text().await.unwrap();
        assert!(
            html.contains(&format!("try again in {wait} seconds")),
            "{}",
            helpers::text_of(&html)
        );
    }
    // An unknown address is throttled exactly alike.
    for expected in [422, 422, 422, 429] {
        let resp = post(
            app,
            "/account/sign-in",
            &[
                ("email", "nobody@example.com"),
                ("password", "wrong password!"),
            ],
            None,
        )
        .await;
        assert_eq!(resp.status(), expected);
    }
    // And it recovers when the window ends.
    tokio::time::sleep(Duration::from_secs(4)).await;
    sign_in(app, "sam@example.com", PASSWORD).await;
}
helpers::on_both!(sign_in_is_throttled_across_instances, super::tight);

async fn the_page_cache_keeps_nothing_personal(app: &TestApp) {
    app.add_person("kim@example.com", "Kimberly Personal", PASSWORD)
        .await;
    let session = sign_in(app, "kim@example.com", PASSWORD).await;
    let id = app.id_for(domain::Status::InService);
    let path = format!("/r/{id}");
    // Signed in first: the page names the person, and is stored by no one.
    let mine = get(app, &path, Some(&session)).await;
    assert_eq!(mine.headers()["cache-control"], "private, no-store");
    assert!(mine.text().await.unwrap().contains("Kimberly Personal"));
    // Everyone else gets the public page, twice (the second from the cache), with no cookie.
    for _ in 0..2 {
        let public = get(app, &path, None).await;
        assert!(public.headers().get("set-cookie").is_none());
        let html = public.text().await.unwrap();
        assert!(!html.contains("Kimberly Personal"));
        assert!(html.contains("Sign in"));
    }
    // A stale cookie's answer clears it, and that answer is not replayed to anyone.
    let stale = get(app, &path, Some("no-such-session")).await;
    assert!(stale.headers().get("set-cookie").is_some());
    let after = get(app, &path, None).await;
    assert!(after.headers().get("set-cookie").is_none());
    // Signing in leaves no cookie in the cache either.
    let again = get(app, "/account/sign-in", None).await;
    assert!(again.headers().get("set-cookie").is_none());
}
helpers::on_both!(the_page_cache_keeps_nothing_personal);
