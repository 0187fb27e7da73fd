//! An organisation's API tokens, for its programs (`Authorization: Bearer …`). A token acts
//! for one organisation in one role: the role in which the member who made it acts there, so a
//! token never holds more than a person of the organisation does. Only its SHA-256 is kept; the
//! token itself is shown once, when it is made. Revoked, it stops at once: every request looks
//! it up afresh.

use crate::accounts::{self, Person};
use crate::db::filing as rows;
use crate::domain::vocabulary::{OrgRole, Word};
use crate::domain::Problem;
use crate::{Database, Error};

/// What every token begins with, so that one pasted where it should not be is recognised.
pub const PREFIX: &str = "rpt_";
const MAX_NAME_CHARS: usize = 80;

/// The organisation and role a request's token acts for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TokenHolder {
    pub token_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub role: OrgRole,
}

/// A token as its organisation's page lists it (never the token itself).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenInfo {
    pub id: i64,
    pub name: String,
    pub role: &'static str,
    pub created_at: String,
    pub revoked_at: Option<String>,
}

/// A token just made: `token` is shown to its maker once and kept nowhere.
#[derive(Clone, Debug, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "openapi", schema(as = CreatedToken))]
pub struct NewToken {
    pub id: i64,
    pub token: String,
    pub role: &'static str,
}

/// The role in which `who` acts for the organisation `org` (the first, when they hold several
/// and did not say which), or why not.
fn role_at(who: &Person, org: i64, role: Option<OrgRole>) -> Result<OrgRole, Error> {
    who.memberships
        .iter()
        .find(|m| m.org_id == org && role.is_none_or(|r| r == m.role))
        .map(|m| m.role)
        .ok_or(Error::Forbidden(Problem::NotAllowed))
}

/// Make a token named `name` for the organisation `org`, acting in `role` (one `who` holds
/// there; any of theirs when `None`).
pub async fn create(
    database: &Database,
    who: &Person,
    org: i64,
    role: Option<OrgRole>,
    name: &str,
) -> Result<NewToken, Error> {
    let role = role_at(who, org, role)?;
    let name = name.trim();
    if name.is_empty()
        || name.chars().count() > MAX_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(Error::Invalid(Problem::BadTokenName));
    }
    let token = format!("{PREFIX}{}", accounts::new_token());
    let at = accounts::stamp(accounts::now());
    let id = rows::insert_token(
        database.pool(),
        org,
        role.name(),
        name,
        &accounts::token_hash(&token),
        who.id,
        &at,
    )
    .await?;
    tracing::info!(org, token = id, person = who.id, "API token made");
    Ok(NewToken {
        id,
        token,
        role: role.name(),
    })
}

/// The organisation's tokens, for one of its members.
pub async fn list(database: &Database, who: &Person, org: i64) -> Result<Vec<TokenInfo>, Error> {
    role_at(who, org, None)?;
    Ok(rows::tokens(database.pool(), org)
        .await?
        .into_iter()
        .map(|t| TokenInfo {
            id: t.id,
            name: t.name,
            role: OrgRole::from_name(&t.role).map_or("", |r| r.name()),
            created_at: t.created_at,
            revoked_at: t.revoked_at,
        })
        .collect())
}

/// Revoke the organisation's token `id`, as one of its members: whether it was live.
pub async fn revoke(database: &Database, who: &Person, org: i64, id: i64) -> Result<bool, Error> {
    role_at(who, org, None)?;
    let at = accounts::stamp(accounts::now());
    let revoked = rows::revoke_token(database.pool(), org, id, &at).await?;
    if revoked {
        tracing::info!(org, token = id, person = who.id, "API token revoked");
    }
    Ok(revoked)
}

/// The organisation and role the bearer `token` acts for, if it is a live token.
pub async fn holder(database: &Database, token: &str) -> Result<Option<TokenHolder>, Error> {
    if !token.starts_with(PREFIX) || token.len() > 128 {
        return Ok(None);
    }
    let Some(row) = rows::token_by_hash(database.pool(), &accounts::token_hash(token)).await?
    else {
        return Ok(None);
    };
    Ok(OrgRole::from_name(&row.role).map(|role| TokenHolder {
        token_id: row.id,
        org_id: row.org_id,
        org_name: row.org_name,
        role,
    }))
}
