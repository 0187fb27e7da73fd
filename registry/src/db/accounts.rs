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

/// Every session of `person`.
pub async fn delete_sessions(pool: &Pool, person: i64) -> Result<(), sqlx::Error> {
    sqlx::query("DELETE FROM sessions WHERE person_id = $1")
        .bind(person)
        .execute(pool)
        .await?;
    Ok(())
}

/// The person with this e-mail key.
pub async fn person_by_email(
    pool: &Pool,
    email_key: &str,
) -> Result<Option<PersonRow>, sqlx::Error> {
    sqlx::query_as("SELECT id, email, display_name, confirmed_at FROM people WHERE email_key = $1")
        .bind(email_key)
        .fetch_optional(pool)
        .await
}

/// A link's token for `person`; their links for the same purpose that have expired or been
/// used are cleared away on the way.
pub async fn insert_account_token(
    pool: &Pool,
    token_hash: &str,
    person: i64,
    purpose: &str,
    now: &str,
    expires_at: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "DELETE FROM account_tokens
         WHERE person_id = $1 AND purpose = $2 AND (expires_at <= $3 OR used_at IS NOT NULL)",
    )
    .bind(person)
    .bind(purpose)
    .bind(now)
    .execute(pool)
    .await?;
    sqlx::query(
        "INSERT INTO account_tokens (token_hash, person_id, purpose, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(person)
    .bind(purpose)
    .bind(now)
    .bind(expires_at)
    .execute(pool)
    .await?;
    Ok(())
}

/// Use a link's token once: the person it was for, if it was unused and unexpired. Marking it
/// used and reading it are one statement, so two clicks at once cannot both use it.
pub async fn use_account_token(
    pool: &Pool,
    token_hash: &str,
    purpose: &str,
    now: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar(
        "UPDATE account_tokens SET used_at = $1
         WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1
         RETURNING person_id",
    )
    .bind(now)
    .bind(token_hash)
    .bind(purpose)
    .fetch_optional(pool)
    .await
}

/// Whether a link's token is unused and unexpired (the page that asks for a new password shows
/// its form only then), without using it.
pub async fn account_token_usable(
    pool: &Pool,
    token_hash: &str,
    purpose: &str,
    now: &str,
) -> Result<bool, sqlx::Error> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT person_id FROM account_tokens
         WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3",
    )
    .bind(token_hash)
    .bind(purpose)
    .bind(now)
    .fetch_optional(pool)
    .await?;
    Ok(found.is_some())
}

pub async fn confirm_person(pool: &Pool, person: i64, now: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE people SET confirmed_at = $1 WHERE id = $2 AND confirmed_at IS NULL")
        .bind(now)
        .bind(person)
        .execute(pool)
        .await?;
    Ok(())
}

/// Count one attempt in `bucket`'s window starting at `window_start`; the count so far,
/// this one included. The first attempt of a window clears the windows of every bucket that
/// began more than a day before it.
pub async fn count_attempt(
    pool: &Pool,
    bucket: &str,
    window_start: i64,
) -> Result<i64, sqlx::Error> {
    let count: i64 = sqlx::query_scalar(
        "INSERT INTO attempts (bucket, window_start, count) VALUES ($1, $2, 1)
         ON CONFLICT (bucket, window_start) DO UPDATE SET count = attempts.count + 1
         RETURNING count",
    )
    .bind(bucket)
    .bind(window_start)
    .fetch_one(pool)
    .await?;
    if count == 1 {
        // Windows are at most a day long: anything older has ended, whatever its length.
        sqlx::query("DELETE FROM attempts WHERE window_start < $1")
            .bind(window_start - 86_400)
            .execute(pool)
            .await?;
    }
    Ok(count)
}

/// A person's memberships: organisation id, name and the role held there.
pub async fn memberships_of(
    pool: &Pool,
    person: i64,
) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT o.id, o.name, m.role FROM memberships m JOIN organisations o ON o.id = m.org_id
         WHERE m.person_id = $1 ORDER BY o.name, m.role",
    )
    .bind(person)
    .fetch_all(pool)
    .await
}

/// Add a membership (nothing when the person holds it already).
pub async fn insert_membership(
    pool: &Pool,
    person: i64,
    org: i64,
    role: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO memberships (person_id, org_id, role) VALUES ($1, $2, $3)
         ON CONFLICT (person_id, org_id, role) DO NOTHING",
    )
    .bind(person)
    .bind(org)
    .bind(role)
    .execute(pool)
    .await?;
    Ok(())
}

/// Organisations whose id is `id`, or whose name is `name` (in any case): id, name, kind.
pub async fn organisations_named(
    pool: &Pool,
    id: Option<i64>,
    name: &str,
) -> Result<Vec<(i64, String, String)>, sqlx::Error> {
    sqlx::query_as(
        "SELECT id, name, kind FROM organisations WHERE id = $1 OR lower(name) = lower($2)
         ORDER BY id",
    )
    .bind(id.unwrap_or(-1))
    .bind(name)
    .fetch_all(pool)
    .await
}

/// The first organisation of a kind (by id).
pub async fn first_organisation_of_kind(
    pool: &Pool,
    kind: &str,
) -> Result<Option<i64>, sqlx::Error> {
    sqlx::query_scalar("SELECT id FROM organisations WHERE kind = $1 ORDER BY id LIMIT 1")
        .bind(kind)
        .fetch_optional(pool)
        .await
}

/// The ID, operator, venue's organisation and manufacturer of the first robot that is
/// deployed somewhere.
pub async fn parties_of_first_deployed_robot(
    pool: &Pool,
) -> Result<Option<DemoParties>, sqlx::Error> {
    sqlx::query_as(
        "SELECT r.robot_id, r.operator_id AS operator, v.org_id AS venue,
                m.manufacturer_id AS manufacturer, r.owner_id AS owner,
                (SELECT e.org_id FROM engagements e JOIN organisations o ON o.id = e.org_id
                 WHERE e.robot_id = r.id AND e.ended_at IS NULL AND o.kind = 'service_provider'
                 ORDER BY e.id LIMIT 1) AS service_provider
         FROM robots r JOIN venues v ON v.id = r.venue_id JOIN models m ON m.id = r.model_id
         WHERE r.operator_id IS NOT NULL ORDER BY r.id LIMIT 1",
    )
    .fetch_optional(pool)
    .await
}

/// The first deployed robot and the organisations that answer for it, which the demo
/// accounts act for.
#[derive(sqlx::FromRow, Debug, Clone)]
pub struct DemoParties {
    pub robot_id: String,
    pub operator: i64,
    pub venue: i64,
    pub manufacturer: i64,
    pub owner: Option<i64>,
    pub service_provider: Option<i64>,
}
