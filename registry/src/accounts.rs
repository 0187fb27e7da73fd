//! People's accounts: passwords and sessions. Passwords are hashed with Argon2id (OWASP's
//! minimum: 19 MiB, two passes) on blocking threads, a few at once, so that a flood of sign-ins
//! cannot take the threads the lookups run on; an unknown e-mail costs the same as a known one.
//! A session is a random token given to the browser once; only its SHA-256 is stored, so the
//! sessions table signs no one in, and every instance on the same database knows each session.

use crate::db;
use crate::domain::vocabulary::{OrgRole, Word};
use crate::domain::Problem;
use crate::throttle::{address_key, Throttle};
use crate::{Database, Error};
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use sha2::{Digest, Sha256};
use std::net::IpAddr;
use std::sync::LazyLock;

pub use crate::domain::account::{
    MAX_EMAIL_BYTES, MAX_NAME_CHARS, MAX_PASSWORD_BYTES, MIN_PASSWORD_CHARS,
};
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
pub fn check_email(email: &str) -> Result<(), Error> {
    let email = email.trim();
    let ok = email.len() <= MAX_EMAIL_BYTES
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

/// A display name: 1 to [`MAX_NAME_CHARS`] characters once trimmed, no control characters.
pub fn check_name(name: &str) -> Result<&str, Error> {
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(Error::Invalid(Problem::BadName));
    }
    Ok(name)
}

pub fn check_password(password: &str) -> Result<(), Error> {
    if password.chars().count() < MIN_PASSWORD_CHARS || password.len() > MAX_PASSWORD_BYTES {
        return Err(Error::Invalid(Problem::WeakPassword));
    }
    Ok(())
}

pub(crate) fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

/// A time as the accounts tables keep it, which sorts as it reads.
pub(crate) fn stamp(t: time::OffsetDateTime) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    t.format(&format).unwrap_or_default()
}

pub(crate) fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A person as a session shows them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Person {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub confirmed: bool,
    /// The organisations they act for, and in what role (empty for a citizen).
    pub memberships: Vec<Membership>,
}

/// A role a person holds at an organisation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Membership {
    pub org_id: i64,
    pub org_name: String,
    pub role: OrgRole,
}

/// The person a request's session is, with the session's token (to end it, or to keep it
/// when the password changes). Put on the request by the server; never shown.
#[derive(Clone, Debug)]
pub struct SignedIn {
    pub person: Person,
    pub token: std::sync::Arc<str>,
    /// How many things await them in their inbox.
    pub inbox: i64,
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
    let name = check_name(display_name)?;
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
/// e-mail are the same error, after the same work. Each attempt counts against the client's
/// address and the account's e-mail key (known or not, alike) before any hashing.
pub async fn sign_in(
    database: &Database,
    throttle: &Throttle,
    client: IpAddr,
    email: &str,
    password: &str,
) -> Result<Session, Error> {
    let key = email_key(email);
    let address = format!("sign-in:address:{}", address_key(client));
    let account = format!("sign-in:account:{}", bounded(&key));
    throttle
        .hit(
            database,
            &[
                (address.as_str(), throttle.per_address),
                (account.as_str(), throttle.per_account),
            ],
        )
        .await?;
    let wrong = Error::Invalid(Problem::WrongCredentials);
    if password.len() > MAX_PASSWORD_BYTES || key.len() > MAX_EMAIL_BYTES {
        return Err(wrong);
    }
    let (person, stored) = match db::password_of(database.pool(), &key).await? {
        Some((person, stored)) => (Some(person), stored),
        None => (None, nobody().await?),
    };
    let matches = password_matches(stored, password).await?;
    let Some(person) = person.filter(|_| matches) else {
        return Err(wrong);
    };
    begin_session(database, person).await
}

/// The hash an unknown e-mail's password is checked against.
async fn nobody() -> Result<String, Error> {
    NOBODY
        .get_or_try_init(|| hash_password("no one has this password"))
        .await
        .cloned()
}

/// A bucket's name stays short whatever was typed.
fn bounded(key: &str) -> &str {
    let mut end = key.len().min(MAX_EMAIL_BYTES);
    while !key.is_char_boundary(end) {
        end -= 1;
    }
    &key[..end]
}

/// Count a message sent to `email` on a client's request (sign-up, a reset): a person cannot
/// flood an address with mail, nor a client the portal's mail.
async fn count_mail(
    database: &Database,
    throttle: &Throttle,
    client: IpAddr,
    email: &str,
) -> Result<(), Error> {
    let address = format!("mail:address:{}", address_key(client));
    let account = format!("mail:account:{}", bounded(&email_key(email)));
    throttle
        .hit(
            database,
            &[
                (address.as_str(), throttle.per_address),
                (account.as_str(), throttle.per_account),
            ],
        )
        .await
}

/// What signing up did, for the message to send: either way the page says only that a
/// message was sent.
#[derive(Clone, Debug)]
pub enum SignUp {
    /// A new account: the link in `token` confirms the address.
    New { person: Person, token: String },
    /// The address has an account already: its owner is told so, with a link to reset their
    /// password. Nothing about the account changed.
    Existing { person: Person },
}

/// Sign up with an e-mail, a name and a password. The password is hashed whether or not the
/// address is taken, so the answer takes as long either way.
pub async fn sign_up(
    database: &Database,
    throttle: &Throttle,
    client: IpAddr,
    email: &str,
    display_name: &str,
    password: &str,
) -> Result<SignUp, Error> {
    check_email(email)?;
    let name = check_name(display_name)?;
    check_password(password)?;
    count_mail(database, throttle, client, email).await?;
    let hash = hash_password(password).await?;
    let now = stamp(now());
    let key = email_key(email);
    match db::insert_person(database.pool(), email.trim(), &key, name, &hash, None, &now).await? {
        Some(id) => {
            let token = new_link(database, id, Link::Confirm).await?;
            let person = Person {
                id,
                email: email.trim().to_string(),
                display_name: name.to_string(),
                confirmed: false,
                memberships: Vec::new(),
            };
            Ok(SignUp::New { person, token })
        }
        None => {
            let person = db::person_by_email(database.pool(), &key)
                .await?
                .map(Person::from)
                .ok_or(Error::Unavailable)?;
            Ok(SignUp::Existing { person })
        }
    }
}

/// What a link sent by mail does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Link {
    /// Confirms the address; lasts a day.
    Confirm,
    /// Sets a new password; lasts half an hour.
    Reset,
}

impl Link {
    fn purpose(self) -> &'static str {
        match self {
            Link::Confirm => "confirm",
            Link::Reset => "reset",
        }
    }

    /// How long the link works.
    pub fn lifetime(self) -> time::Duration {
        match self {
            Link::Confirm => time::Duration::hours(24),
            Link::Reset => time::Duration::minutes(30),
        }
    }
}

async fn new_link(database: &Database, person: i64, link: Link) -> Result<String, Error> {
    let token = new_token();
    let at = now();
    db::insert_account_token(
        database.pool(),
        &token_hash(&token),
        person,
        link.purpose(),
        &stamp(at),
        &stamp(at + link.lifetime()),
    )
    .await?;
    Ok(token)
}

/// A new confirmation link for a person whose address is not confirmed yet (`None` when it
/// is). Counted like the sign-up's message.
pub async fn resend_confirmation(
    database: &Database,
    throttle: &Throttle,
    client: IpAddr,
    person: &Person,
) -> Result<Option<String>, Error> {
    if person.confirmed {
        return Ok(None);
    }
    count_mail(database, throttle, client, &person.email).await?;
    Ok(Some(new_link(database, person.id, Link::Confirm).await?))
}

/// Confirm an address with the token from its link: once, while it lasts.
pub async fn confirm(database: &Database, token: &str) -> Result<(), Error> {
    let person = use_link(database, token, Link::Confirm).await?;
    db::confirm_person(database.pool(), person, &stamp(now())).await?;
    Ok(())
}

async fn use_link(database: &Database, token: &str, link: Link) -> Result<i64, Error> {
    if token.is_empty() || token.len() > 128 {
        return Err(Error::Invalid(Problem::BadLink));
    }
    db::use_account_token(
        database.pool(),
        &token_hash(token),
        link.purpose(),
        &stamp(now()),
    )
    .await?
    .ok_or(Error::Invalid(Problem::BadLink))
}

/// Whether a link's token would still work (without using it).
pub async fn link_works(database: &Database, token: &str, link: Link) -> Result<bool, Error> {
    if token.is_empty() || token.len() > 128 {
        return Ok(false);
    }
    Ok(db::account_token_usable(
        database.pool(),
        &token_hash(token),
        link.purpose(),
        &stamp(now()),
    )
    .await?)
}

/// Ask for a password reset: the person and the link's token when the address has an
/// account, `None` when it has not (the page says the same either way).
pub async fn request_reset(
    database: &Database,
    throttle: &Throttle,
    client: IpAddr,
    email: &str,
) -> Result<Option<(Person, String)>, Error> {
    check_email(email)?;
    count_mail(database, throttle, client, email).await?;
    let Some(person) = db::person_by_email(database.pool(), &email_key(email)).await? else {
        return Ok(None);
    };
    let token = new_link(database, person.id, Link::Reset).await?;
    Ok(Some((Person::from(person), token)))
}

/// Set a new password with a reset link's token: once, while it lasts. Every session of the
/// person ends (whoever knew the old password is signed out), and the address counts as
/// confirmed: the link reached it.
pub async fn reset_password(database: &Database, token: &str, new: &str) -> Result<(), Error> {
    check_password(new)?;
    let hash = hash_password(new).await?;
    let person = use_link(database, token, Link::Reset).await?;
    db::set_password(database.pool(), person, &hash).await?;
    db::confirm_person(database.pool(), person, &stamp(now())).await?;
    db::delete_sessions(database.pool(), person).await?;
    Ok(())
}

/// 32 random bytes, as URL-safe text.
pub(crate) fn new_token() -> String {
    use base64::Engine as _;
    use rand::RngCore as _;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

async fn begin_session(database: &Database, person: i64) -> Result<Session, Error> {
    let token = new_token();
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
    let Some(row) =
        db::person_of_session(database.pool(), &token_hash(token), &stamp(now())).await?
    else {
        return Ok(None);
    };
    let mut person = Person::from(row);
    person.memberships = memberships(database, person.id).await?;
    Ok(Some(person))
}

/// The roles `person` holds.
pub async fn memberships(database: &Database, person: i64) -> Result<Vec<Membership>, Error> {
    Ok(db::memberships_of(database.pool(), person)
        .await?
        .into_iter()
        .filter_map(|(org_id, org_name, role)| {
            Some(Membership {
                org_id,
                org_name,
                role: OrgRole::from_name(&role)?,
            })
        })
        .collect())
}

/// An organisation, as an administrator names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organisation {
    pub id: i64,
    pub name: String,
    pub kind: OrgRole,
}

/// The organisations an administrator may mean by `name_or_id`: its number, or its name in any
/// case.
pub async fn organisations_named(
    database: &Database,
    name_or_id: &str,
) -> Result<Vec<Organisation>, Error> {
    let text = name_or_id.trim();
    Ok(
        db::organisations_named(database.pool(), text.parse().ok(), text)
            .await?
            .into_iter()
            .filter_map(|(id, name, kind)| {
                Some(Organisation {
                    id,
                    name,
                    kind: OrgRole::from_name(&kind)?,
                })
            })
            .collect(),
    )
}

/// Give the person with `email` the `role` at `org`. The role is what the organisation is (an
/// operator's people operate, a regulator's regulate): anything else is refused.
pub async fn grant(
    database: &Database,
    email: &str,
    org: &Organisation,
    role: OrgRole,
) -> Result<(), Error> {
    // Any organisation may own robots; every other role is what the organisation is.
    if role != OrgRole::Owner && org.kind != role {
        return Err(Error::Invalid(Problem::WrongRole));
    }
    let person = db::person_by_email(database.pool(), &email_key(email))
        .await?
        .ok_or(Error::NotFound(Problem::NoSuchPerson))?;
    db::insert_membership(database.pool(), person.id, org.id, role.name()).await?;
    Ok(())
}

impl From<db::PersonRow> for Person {
    fn from(r: db::PersonRow) -> Person {
        Person {
            id: r.id,
            email: r.email,
            display_name: r.display_name,
            confirmed: r.confirmed_at.is_some(),
            memberships: Vec::new(),
        }
    }
}

/// End the session `token`, on every instance at once (it is gone from the database).
pub async fn sign_out(database: &Database, token: &str) -> Result<(), Error> {
    db::delete_session(database.pool(), &token_hash(token)).await?;
    Ok(())
}

/// Change the password of the person signed in with `token`, given their current one; every
/// other session of theirs ends. A wrong current password counts against the account like a
/// sign-in: a stolen session cannot be used to guess the password.
pub async fn change_password(
    database: &Database,
    throttle: &Throttle,
    token: &str,
    current: &str,
    new: &str,
) -> Result<(), Error> {
    let Some(me) = person(database, token).await? else {
        return Err(Error::Unauthenticated);
    };
    check_password(new)?;
    let account = format!("sign-in:account:{}", bounded(&email_key(&me.email)));
    throttle
        .hit(database, &[(account.as_str(), throttle.per_account)])
        .await?;
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
