//! Accounts through their use cases (the pages are in `account_pages.rs`): passwords hashed with Argon2id,
//! sessions that every instance on the same database shares, stored only as hashes. On SQLite
//! and PostgreSQL.

mod helpers;

use helpers::TestApp;
use registry::accounts;
use registry::throttle::Throttle;
use registry::{Database, Error};

const PASSWORD: &str = "correct horse battery staple";
/// Sign-in limits high enough not to matter here (the pages' tests try them).
const T: Throttle = Throttle {
    window_s: 60,
    per_account: 1000,
    per_address: 1000,
};
const IP: std::net::IpAddr = std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

fn is_wrong(e: &Error) -> bool {
    e.code() == "wrong_credentials"
}

async fn sessions_are_shared_stored_as_hashes_and_end_as_asked(app: &TestApp) {
    let here = app.registry.database();
    // A second instance: its own connections to the same database.
    let there = Database::open(&app.database_url, Some(2)).await.unwrap();
    let person = accounts::add_person(here, "Ada@Example.COM ", "Ada", PASSWORD, true)
        .await
        .unwrap();
    let again = accounts::add_person(here, "ada@example.com", "Ada", PASSWORD, true).await;
    assert_eq!(again.unwrap_err().code(), "email_taken");
    for (email, password) in [
        ("nobody@example.com", PASSWORD),
        ("ada@example.com", "wrong horse battery"),
    ] {
        let e = accounts::sign_in(here, &T, IP, email, password)
            .await
            .unwrap_err();
        assert!(
            is_wrong(&e),
            "{email}: {e:?}: unknown e-mail and wrong password look the same"
        );
    }
    assert_eq!(
        accounts::add_person(here, "not an address", "X", PASSWORD, true)
            .await
            .unwrap_err()
            .code(),
        "bad_email"
    );
    assert_eq!(
        accounts::add_person(here, "x@example.com", "X", "short", true)
            .await
            .unwrap_err()
            .code(),
        "weak_password"
    );

    // Signed in here, known there.
    let first = accounts::sign_in(here, &T, IP, "ADA@example.com", PASSWORD)
        .await
        .unwrap();
    assert_eq!(first.person, person);
    let me = accounts::person(&there, &first.token)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (me.id, me.email.as_str(), me.confirmed),
        (person, "Ada@Example.COM", true)
    );
    // What the database keeps is no key: the stored hash given as a token signs no one in.
    let stored: String = sqlx::query_scalar("SELECT token_hash FROM sessions")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_ne!(stored, first.token);
    assert_eq!(accounts::person(here, &stored).await.unwrap(), None);
    assert_eq!(accounts::person(here, "").await.unwrap(), None);

    // A session that has expired is cleared away at the person's next sign-in.
    sqlx::query(
        "INSERT INTO sessions (token_hash, person_id, created_at, expires_at)
         VALUES ('expired', $1, '2020-01-01T00:00:00Z', '2020-02-01T00:00:00Z')",
    )
    .bind(person)
    .execute(&app.pool)
    .await
    .unwrap();
    // Each sign-in is a new session; signing out there ends it here.
    let second = accounts::sign_in(&there, &T, IP, "ada@example.com", PASSWORD)
        .await
        .unwrap();
    let expired: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE token_hash = 'expired'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(expired, 0, "expired sessions are cleared at sign-in");
    assert_ne!(second.token, first.token);
    accounts::sign_out(&there, &second.token).await.unwrap();
    assert_eq!(accounts::person(here, &second.token).await.unwrap(), None);

    // A password change ends every other session, keeps this one, and needs the current password.
    let other = accounts::sign_in(here, &T, IP, "ada@example.com", PASSWORD)
        .await
        .unwrap();
    let e = accounts::change_password(
        here,
        &T,
        &first.token,
        "not my password",
        "a brand new passphrase",
    )
    .await
    .unwrap_err();
    assert!(is_wrong(&e), "{e:?}");
    accounts::change_password(&there, &T, &first.token, PASSWORD, "a brand new passphrase")
        .await
        .unwrap();
    assert_eq!(accounts::person(here, &other.token).await.unwrap(), None);
    assert!(accounts::person(here, &first.token)
        .await
        .unwrap()
        .is_some());
    assert!(is_wrong(
        &accounts::sign_in(here, &T, IP, "ada@example.com", PASSWORD)
            .await
            .unwrap_err()
    ));
    accounts::sign_in(here, &T, IP, "ada@example.com", "a brand new passphrase")
        .await
        .unwrap();
    let signed_out =
        accounts::change_password(here, &T, "no such token", PASSWORD, "whatever else 123")
            .await
            .unwrap_err();
    assert!(
        matches!(signed_out, Error::Unauthenticated),
        "{signed_out:?}"
    );
}
helpers::on_both!(sessions_are_shared_stored_as_hashes_and_end_as_asked);
