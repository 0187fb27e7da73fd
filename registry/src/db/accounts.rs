//! People, their memberships and their sessions.

use super::Pool;

#[derive(sqlx::FromRow, Debug, Clone)]
pub struct PersonRow {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub confirmed_at: Option<String>,
}

/// A new person; `false` when the e-mail key is taken already.
pub async fn insert_person(
    pool: &Pool,
    email: &str,
    email_key: &str,
    display_name: &str,
    password_hash: &str,
    confirmed_at: Option<&str>,
    now: &str,
) -> Result<Option<i64>, sqlx::Error> {
    let id: Option<i64> = sqlx::query_scalar(
        "INSERT INTO people (email, email_key, display_name, password_hash, confirmed_at, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (email_key) DO NOTHING
         RETURNING id",
    )
    .bind(email)
    .bind(email_key)
    .bind(display_name)
    .bind(password_hash)
    .bind(confirmed_at.map(str::to_string))
    .bind(now)
    .fetch_optional(pool)
    .await?;
    Ok(id)
}

/// The person with this e-mail key and their password hash.
pub async fn password_of(
    pool: &Pool,
    email_key: &str,
) -> Result<Option<(i64, String)>, sqlx::Error> {
    sqlx::query_as("SELECT id, password_hash FROM people WHERE email_key = $1")
        .bind(email_key)
        .fetch_optional(pool)
        .await
}

pub async fn set_password(
    pool: &Pool,
    person: i64,
    password_hash: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE people SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(person)
        .execute(pool)
        .await?;
    Ok(())
}

/// A new session for `person`; their sessions that have expired are cleared away on the way.
pub async fn insert_session(
    pool: &Pool,
    token_hash: &str,
    person: i64,
    now: &str,
    expires_at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE person_id = $1 AND expires_at <= $2")
        .bind(person)
        .bind(now)
        .execute(pool)
        .await?;
    sqlx::query(
        "INSERT INTO sessions (token_hash, person_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(token_hash)
    .bind(person)
    .bind(now)
    .bind(expires_at)
    .execute(pool)
    .await?;
    Ok(())
}

/// The person a session (by its token's hash) belongs to, while it has not expired.
pub async fn person_of_session(
    pool: &Pool,
    token_hash: &str,
    now: &str,
) -> Result<Option<PersonRow>, sqlx::Error> {
    sqlx::query_as(
        "SELECT p.id, p.email, p.display_name, p.confirmed_at
         FROM sessions s JOIN people p ON p.id = s.person_id
         WHERE s.token_hash = $1 AND s.expires_at > $2",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(pool)
    .await
}

pub async fn delete_session(pool: &Pool, token_hash: &str) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(pool)
        .await?;
    Ok(())
}

/// Every session of `person` but the one with `keep` as its hash.
pub async fn delete_other_sessions(
    pool: &Pool,
    person: i64,
    keep: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE person_id = $1 AND token_hash <> $2")
        .bind(person)
        .bind(keep)
        .execute(pool)
        .await?;
    Ok(())
}
