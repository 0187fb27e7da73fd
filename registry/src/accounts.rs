//! People's accounts: passwords and sessions. Passwords are hashed with Argon2id (OWASP's
//! minimum: 19 MiB, two passes) on blocking threads, a few at once, so that a flood of sign-ins
//! cannot take the threads the lookups run on; an unknown e-mail costs the same as a known one.
//! A session is a random token given to the browser once; only its SHA-256 is stored, so the
//! sessions table signs no one in, and every instance on the same database knows each session.

use crate::db;
use crate::domain::Problem;
use crate::{Database, Error};
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// Shortest password accepted.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Longest password read: bounds the work a request can ask for.
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// How long a session lasts without signing in again.
pub const SESSION_DAYS: i64 = 30;

/// Hashings that may run at once: one a core. More would queue for the CPU while holding their
/// 19 MiB each.
static HASHING: LazyLock<tokio::sync::Semaphore> = LazyLock::new(|| {
    tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
});

/// What an unknown e-mail's password is checked against, so that it costs what a known one does.
static NOBODY: tokio::sync::OnceCell<String> = tokio::sync::OnceCell::const_new();

fn argon2() -> Argon2<'static> {
    match Params::new(19 * 1024, 2, 1, None) {
        Ok(params) => Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
        Err(_) => Argon2::default(),
    }
}

/// Run `work` on a blocking thread once a hashing slot is free.
async fn hashing<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, Error> {
    let _slot = HASHING.acquire().await.map_err(|_| Error::Unavailable)?;
    tokio::task::spawn_blocking(work).await.map_err(|e| {
        tracing::error!(error = %e, "password hashing stopped");
        Error::Unavailable
    })
}

async fn hash_password(password: &str) -> Result<String, Error> {
    let password = password.to_string();
    hashing(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await?
    .map_err(|e| {
        tracing::error!(error = %e, "a password could not be hashed");
        Error::Unavailable
    })
}

async fn password_matches(stored: String, password: &str) -> Result<bool, Error> {
    let password = password.to_string();
    hashing(move || {
        PasswordHash::new(&stored)
            .map(|h| argon2().verify_password(password.as_bytes(), &h).is_ok())
            .unwrap_or(false)
    })
    .await
}

/// The key a person is found by: the e-mail address, trimmed, in lower case.
pub fn email_key(email: &str) -> String {
    email.trim().to_lowercase()
}

/// An e-mail address as people type them: something before one `@`, a domain with a dot after
/// it, no spaces, at most 254 characters.
fn check_email(email: &str) -> Result<(), Error> {
    let email = email.trim();
    let ok = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && matches!(email.split_once('@'), Some((local, domain))
            if !local.is_empty() && !domain.contains('@') && domain.contains('.')
               && !domain.starts_with('.') && !domain.ends_with('.'));
    if ok {
        Ok(())
    } else {
        Err(Error::Invalid(Problem::BadEmail))
    }
}

fn check_password(password: &str) -> Result<(), Error> {
    if password.chars().count() < MIN_PASSWORD_CHARS || password.len() > MAX_PASSWORD_BYTES {
        return Err(Error::Invalid(Problem::WeakPassword));
    }
    Ok(())
}

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

/// A time as the accounts tables keep it, which sorts as it reads.
fn stamp(t: time::OffsetDateTime) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    t.format(&format).unwrap_or_default()
}

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A person as a session shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub confirmed: bool,
}

/// A session just begun: `token` goes to the browser (in a cookie) and is not kept.
#[derive(Clone, Debug)]
pub struct Session {
    pub token: String,
    pub person: i64,
}

/// Add a person with this e-mail, name and password; `confirmed` when the e-mail is known to
/// be theirs already (an administrator adding them, the demo accounts).
pub async fn add_person(
    database: &Database,
    email: &str,
    display_name: &str,
    password: &str,
    confirmed: bool,
) -> Result<i64, Error> {
    check_email(email)?;
    check_password(password)?;
    let name = display_name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(Error::Invalid(Problem::BadName));
    }
    let hash = hash_password(password).await?;
    let now = stamp(now());
    db::insert_person(
        database.pool(),
        email.trim(),
        &email_key(email),
        name,
        &hash,
        confirmed.then_some(now.as_str()),
        &now,
    )
    .await?
    .ok_or(Error::Conflict(Problem::EmailTaken))
}

/// Sign in: a new session when the password is the person's. A wrong password and an unknown
/// e-mail are the same error, after the same work.
pub async fn sign_in(database: &Database, email: &str, password: &str) -> Result<Session, Error> {
    let wrong = Error::Invalid(Problem::WrongCredentials);
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(wrong);
    }
    let (person, stored) = match db::password_of(database.pool(), &email_key(email)).await? {
        Some((person, stored)) => (Some(person), stored),
        None => {
            let nobody = NOBODY
                .get_or_try_init(|| hash_password("no one has this password"))
                .await?;
            (None, nobody.clone())
        }
    };
    let matches = password_matches(stored, password).await?;
    let Some(person) = person.filter(|_| matches) else {
        return Err(wrong);
    };
    begin_session(database, person).await
}

async fn begin_session(database: &Database, person: i64) -> Result<Session, Error> {
    use base64::Engine as _;
    use rand::RngCore as _;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let at = now();
    db::insert_session(
        database.pool(),
        &token_hash(&token),
        person,
        &stamp(at),
        &stamp(at + time::Duration::days(SESSION_DAYS)),
    )
    .await?;
    Ok(Session { token, person })
}

/// The person whose session `token` is, while it lasts. Anything else (no such session, an
/// expired one, the stored hash given as a token) is nobody.
pub async fn person(database: &Database, token: &str) -> Result<Option<Person>, Error> {
    if token.is_empty() || token.len() > 128 {
        return Ok(None);
    }
    let row = db::person_of_session(database.pool(), &token_hash(token), &stamp(now())).await?;
    Ok(row.map(|r| Person {
        id: r.id,
        email: r.email,
        display_name: r.display_name,
        confirmed: r.confirmed_at.is_some(),
    }))
}

/// End the session `token`, on every instance at once (it is gone from the database).
pub async fn sign_out(database: &Database, token: &str) -> Result<(), Error> {
    db::delete_session(database.pool(), &token_hash(token)).await?;
    Ok(())
}

/// Change the password of the person signed in with `token`, given their current one; every
/// other session of theirs ends.
pub async fn change_password(
    database: &Database,
    token: &str,
    current: &str,
    new: &str,
) -> Result<(), Error> {
    let Some(me) = person(database, token).await? else {
        return Err(Error::Unauthenticated);
    };
    check_password(new)?;
    let stored = db::password_of(database.pool(), &email_key(&me.email))
        .await?
        .map(|(_, h)| h)
        .ok_or(Error::Unauthenticated)?;
    if current.len() > MAX_PASSWORD_BYTES || !password_matches(stored, current).await? {
        return Err(Error::Invalid(Problem::WrongCredentials));
    }
    let hash = hash_password(new).await?;
    db::set_password(database.pool(), me.id, &hash).await?;
    db::delete_other_sessions(database.pool(), me.id, &token_hash(token)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e_mail_addresses_as_people_type_them() {
        for ok in ["a@b.cn", " Name.Surname@Example.COM ", "x+tag@mail.example"] {
            assert!(check_email(ok).is_ok(), "{ok}");
        }
        for bad in [
            "", "a", "a@b", "@b.cn", "a@@b.cn", "a b@c.cn", "a@.cn", "a@cn.",
        ] {
            assert!(check_email(bad).is_err(), "{bad}");
        }
        assert_eq!(email_key(" Name@Example.COM "), "name@example.com");
    }

    #[test]
    fn passwords_are_long_enough_and_bounded() {
        assert!(check_password("short").is_err());
        assert!(check_password("twelve chars").is_ok());
        assert!(check_password(&"x".repeat(MAX_PASSWORD_BYTES + 1)).is_err());
    }

    #[tokio::test]
    async fn a_hash_is_argon2id_at_owasps_minimum_and_checks() {
        let hash = hash_password("correct horse battery").await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(password_matches(hash.clone(), "correct horse battery")
            .await
            .unwrap());
        assert!(!password_matches(hash, "correct horse battery!")
            .await
            .unwrap());
    }
}
