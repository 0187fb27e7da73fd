//! The lifecycle record's API: filing entries, engagements, an organisation's API tokens,
//! share codes and provenance reports. A request acts through the session's person or an
//! organisation's bearer token (put on the request by `middleware::session`); answers are
//! JSON, personal, and never stored.

use crate::error::{Failure, Form};
use crate::middleware::client::client_of;
use crate::middleware::session::BadBearer;
use crate::state::AppState;
use app::i18n::lang_from_headers;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::vocabulary::{OrgRole, Word};
use domain::{Problem, RobotId};
use registry::accounts::SignedIn;
use registry::api_tokens::{self, TokenHolder};
use registry::filing::{self, Filer, Filing};
use registry::Error;
use registry::{provenance, share_codes};
use serde_json::{json, Value};

/// The largest body a filing request may have: an entry's details and a little around them.
pub const BODY_LIMIT: usize = 16 * 1024;

/// Who a request acts as.
pub(super) enum Caller {
    Person(SignedIn),
    Token(TokenHolder),
}

impl Caller {
    pub(super) fn filer(&self) -> Filer<'_> {
        match self {
            Caller::Person(p) => Filer::Person(&p.person),
            Caller::Token(t) => Filer::Token(t),
        }
    }
}

/// The request's caller: its bearer token when it sends one (a token that is not live is 401,
/// whatever cookie comes with it), else its session's person.
pub(super) fn caller(parts: &Parts) -> Result<Caller, Error> {
    if parts.extensions.get::<BadBearer>().is_some() {
        return Err(Error::Unauthenticated);
    }
    if let Some(t) = parts.extensions.get::<TokenHolder>() {
        return Ok(Caller::Token(t.clone()));
    }
    parts
        .extensions
        .get::<SignedIn>()
        .cloned()
        .map(Caller::Person)
        .ok_or(Error::Unauthenticated)
}

/// The caller's person: tokens are for filing, not for managing tokens or engagements.
fn person(parts: &Parts) -> Result<SignedIn, Error> {
    match caller(parts)? {
        Caller::Person(p) => Ok(p),
        Caller::Token(_) => Err(Error::Forbidden(Problem::NotAllowed)),
    }
}

/// A number in the address (an organisation's, a token's): anything else names nothing.
fn number(raw: &str, missing: Problem) -> Result<i64, Error> {
    raw.parse().map_err(|_| Error::NotFound(missing))
}

/// The answer to an API call: `result`'s status and JSON, or its error in the caller's
/// language. Every call here has a caller (a session or a token), so the session layer marks
/// the answer `private, no-store`.
pub(super) fn finish(parts: &Parts, result: Result<(StatusCode, Value), Error>) -> Response {
    match result {
        Ok((status, body)) => (status, Json(body)).into_response(),
        Err(e) => Failure::new(e, lang_from_headers(&parts.headers), Form::Json).into_response(),
    }
}

/// A JSON body as `T` (`None` when there is none), at most [`BODY_LIMIT`] bytes; anything
/// else is `bad`.
async fn read_json<T: serde::de::DeserializeOwned>(
    body: Body,
    bad: Problem,
) -> Result<Option<T>, Error> {
    let bytes = axum::body::to_bytes(body, BODY_LIMIT)
        .await
        .map_err(|_| Error::Invalid(bad))?;
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|_| Error::Invalid(bad))
}

/// [`read_json`] for a body that must be there.
pub(super) async fn required_json<T: serde::de::DeserializeOwned>(
    body: Body,
    bad: Problem,
) -> Result<T, Error> {
    read_json(body, bad).await?.ok_or(Error::Invalid(bad))
}

/// `POST /api/v1/robots/{ID}/entries` with `{"kind", "occurred_at", "details"}`: the entry as
/// chained (201), or why not: 401 (no caller), 403 (not theirs to file), 409 (the record's
/// rules forbid it), 400 (what was sent is not an entry of that kind).
pub async fn file_entry(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let result = async {
        let who = caller(&parts)?;
        let id = RobotId::parse(&raw)?;
        let filing: Filing = required_json(body, Problem::BadDetails).await?;
        let stored = filing::file(&state.registry, who.filer(), &id, &filing).await?;
        let entry = json!({
            "robot": id.as_str(),
            "seq": stored.seq,
            "kind": stored.kind.as_str(),
            "occurred_at": stored.occurred_at,
            "filed_by": stored.filed_by,
            "details": serde_json::from_str::<Value>(&stored.details).unwrap_or(Value::Null),
            "corrects": stored.corrects_seq,
            "prev_hash": stored.prev_hash,
            "hash": stored.hash,
        });
        Ok((StatusCode::CREATED, entry))
    };
    finish(&parts, result.await)
}

#[derive(serde::Deserialize)]
struct Engagement {
    org: i64,
}

/// `POST /api/v1/robots/{ID}/engagements` with `{"org"}`: the robot's owner or operator
/// engages a service provider or recycler on it (201; 200 when it was engaged already).
pub async fn engage(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let result = async {
        let who = caller(&parts)?;
        let id = RobotId::parse(&raw)?;
        let e: Engagement = required_json(body, Problem::BadParty).await?;
        let began = filing::engage(state.registry.database(), who.filer(), &id, e.org).await?;
        let status = if began {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        Ok((
            status,
            json!({ "robot": raw, "org": e.org, "engaged": true }),
        ))
    };
    finish(&parts, result.await)
}

/// `DELETE /api/v1/robots/{ID}/engagements/{ORG}`: the engagement ends (404 when none ran).
pub async fn disengage(
    State(state): State<AppState>,
    Path((raw, org)): Path<(String, String)>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let result = async {
        let who = caller(&parts)?;
        let id = RobotId::parse(&raw)?;
        let org = number(&org, Problem::BadParty)?;
        if !filing::disengage(state.registry.database(), who.filer(), &id, org).await? {
            return Err(Error::NotFound(Problem::BadParty));
        }
        Ok((
            StatusCode::OK,
            json!({ "robot": raw, "org": org, "engaged": false }),
        ))
    };
    finish(&parts, result.await)
}

#[derive(serde::Deserialize)]
struct NewToken {
    name: String,
    #[serde(default)]
    role: Option<String>,
}

/// `GET /api/v1/orgs/{ORG}/tokens`: the organisation's tokens, for its members.
pub async fn tokens(
    State(state): State<AppState>,
    Path(org): Path<String>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let result = async {
        let me = person(&parts)?;
        let org = number(&org, Problem::NotAllowed)?;
        let list = api_tokens::list(state.registry.database(), &me.person, org).await?;
        Ok((StatusCode::OK, json!({ "tokens": list })))
    };
    finish(&parts, result.await)
}

/// `POST /api/v1/orgs/{ORG}/tokens` with `{"name", "role"?}`: a new token, shown this once.
pub async fn create_token(
    State(state): State<AppState>,
    Path(org): Path<String>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let result = async {
        let me = person(&parts)?;
        let org = number(&org, Problem::NotAllowed)?;
        let new: NewToken = required_json(body, Problem::BadTokenName).await?;
        let role = match new.role.as_deref() {
            None => None,
            Some(r) => Some(OrgRole::from_name(r).ok_or(Error::Invalid(Problem::WrongRole))?),
        };
        let database = state.registry.database();
        let t = api_tokens::create(database, &me.person, org, role, &new.name).await?;
        let made = json!({ "id": t.id, "token": t.token, "role": t.role });
        Ok((StatusCode::CREATED, made))
    };
    finish(&parts, result.await)
}

/// `DELETE /api/v1/orgs/{ORG}/tokens/{ID}`: the token stops working at once.
pub async fn revoke_token(
    State(state): State<AppState>,
    Path((org, id)): Path<(String, String)>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let result = async {
        let me = person(&parts)?;
        let (org, id) = (
            number(&org, Problem::NotAllowed)?,
            number(&id, Problem::NotAllowed)?,
        );
        if !api_tokens::revoke(state.registry.database(), &me.person, org, id).await? {
            return Err(Error::NotFound(Problem::NotAllowed));
        }
        Ok((StatusCode::OK, json!({ "id": id, "revoked": true })))
    };
    finish(&parts, result.await)
}

#[derive(serde::Deserialize)]
struct NewShareCode {
    #[serde(default)]
    expires_in_days: Option<u32>,
}

/// `POST /api/v1/robots/{ID}/share-codes` with `{"expires_in_days"?}`, by the robot's owner:
/// `{"id", "code", "expires_at"}` (201), the code shown this once.
pub async fn issue_share_code(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let result = async {
        let who = caller(&parts)?;
        let id = RobotId::parse(&raw)?;
        let new: Option<NewShareCode> = read_json(body, Problem::BadExpiry).await?;
        let days = new.and_then(|n| n.expires_in_days);
        let issued = share_codes::issue(&state.registry, who.filer(), &id, days).await?;
        Ok((StatusCode::CREATED, json!(issued)))
    };
    finish(&parts, result.await)
}

/// `GET /api/v1/robots/{ID}/share-codes`: the robot's codes for its owner (never the codes).
pub async fn share_codes_list(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let result = async {
        let who = caller(&parts)?;
        let id = RobotId::parse(&raw)?;
        let list = share_codes::list(&state.registry, who.filer(), &id).await?;
        Ok((StatusCode::OK, json!({ "share_codes": list })))
    };
    finish(&parts, result.await)
}

/// `DELETE /api/v1/robots/{ID}/share-codes/{CODE or number}`: the code stops opening the
/// report at once (404 when no live code was named).
pub async fn revoke_share_code(
    State(state): State<AppState>,
    Path((raw, which)): Path<(String, String)>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let result = async {
        let who = caller(&parts)?;
        let id = RobotId::parse(&raw)?;
        if !share_codes::revoke(&state.registry, who.filer(), &id, &which).await? {
            return Err(Error::NotFound(Problem::BadShareCode));
        }
        Ok((StatusCode::OK, json!({ "revoked": true })))
    };
    finish(&parts, result.await)
}

#[derive(serde::Deserialize)]
struct Opening {
    #[serde(default)]
    share_code: Option<String>,
}

/// `POST /api/v1/provenance/{ID}` with `{"share_code"?}`: the provenance report, for a
/// regulator, the robot's owner, or the holder of a live share code; every opening logged.
pub async fn provenance(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let result = async {
        let who = caller(&parts)?;
        let id = RobotId::parse(&raw)?;
        let opening: Option<Opening> = read_json(body, Problem::BadShareCode).await?;
        let code = opening.and_then(|o| o.share_code);
        let client = client_of(&parts, &state.accounts.trusted_proxies);
        let throttle = &state.accounts.throttle;
        provenance::open(
            &state.registry,
            who.filer(),
            &id,
            code.as_deref(),
            Some(client),
            throttle,
        )
        .await
    };
    match result.await {
        // Written straight from the report, without a JSON tree in between (500 entries).
        Ok(report) => (StatusCode::OK, Json(report)).into_response(),
        Err(e) => finish(&parts, Err(e)),
    }
}

/// `GET /api/v1/provenance/{ID}/openings`: who opened the robot's report and when, for its
/// owner and for regulators.
pub async fn provenance_openings(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let result = async {
        let who = caller(&parts)?;
        let id = RobotId::parse(&raw)?;
        let list =
            provenance::openings(&state.registry, who.filer(), &id, provenance::LOG_LIMIT).await?;
        Ok((StatusCode::OK, json!({ "openings": list })))
    };
    finish(&parts, result.await)
}
