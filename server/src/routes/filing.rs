//! The lifecycle record's API: filing entries, engagements, an organisation's API tokens,
//! share codes and provenance reports. A request acts through the session's person or an
//! organisation's bearer token (put on the request by `middleware::session`); answers are
//! JSON, personal, and never stored.

use crate::error::{ErrorBody, Failure, Form};
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
use registry::api_tokens::NewToken as CreatedToken;
use registry::api_tokens::{self, TokenHolder};
use registry::filing::{self, Filer, Filing};
use registry::Error;
use registry::{provenance, share_codes};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

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
pub(super) fn finish<T: Serialize>(
    parts: &Parts,
    result: Result<(StatusCode, T), Error>,
) -> Response {
    match result {
        Ok((status, body)) => (status, Json(body)).into_response(),
        Err(e) => refuse(parts, e),
    }
}

/// The answer to an API call that failed with `e`, in the caller's language.
pub(super) fn refuse(parts: &Parts, e: Error) -> Response {
    Failure::new(e, lang_from_headers(&parts.headers), Form::Json).into_response()
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

/// An entry as the robot's chain holds it.
#[derive(Serialize, ToSchema)]
pub struct ChainedEntry {
    pub robot: RobotId,
    /// Its place in the robot's chain, from 1.
    pub seq: i64,
    /// The entry's kind, by the record's machine name (`inspected`, `sold`…).
    pub kind: &'static str,
    pub occurred_at: String,
    /// The person or organisation that filed it, by number.
    pub filed_by: i64,
    /// What the entry says, as stored.
    pub details: Value,
    /// The entry this one corrects, for a `correction`.
    pub corrects: Option<i64>,
    /// The hash of the robot's previous entry, which this one carries.
    pub prev_hash: String,
    /// This entry's own hash, which the next one will carry.
    pub hash: String,
}

/// `POST /api/v1/robots/{ID}/entries` with `{"kind", "occurred_at", "details"}`: the entry as
/// chained (201), or why not: 401 (no caller), 403 (not theirs to file), 409 (the record's
/// rules forbid it), 400 (what was sent is not an entry of that kind).
#[utoipa::path(
    operation_id = "file_entry",
    post,
    path = "/api/v1/robots/{id}/entries",
    tag = "record",
    summary = "File an entry in a robot's record",
    description = "Appends one entry to the robot's chain. Each party files only what is its own to file: a manufacturer under its own code, an operator for robots it operates, a service provider or recycler for robots it is engaged on, a regulator anything. Every refusal is logged.",
    params(("id" = String, Path, description = "The robot's ID")),
    request_body = Filing,
    responses(
        (status = 201, description = "Filed and chained", body = ChainedEntry),
        (status = 400, description = "Not a well-formed ID, or not an entry of that kind (`error.code` says which)", body = ErrorBody),
        (status = 401, description = "No session and no live API token", body = ErrorBody),
        (status = 403, description = "Not the caller's to file (`not_yours`…)", body = ErrorBody),
        (status = 404, description = "No such robot", body = ErrorBody),
        (status = 409, description = "The record's rules forbid it (a scrapped robot cannot be sold…)", body = ErrorBody),
    ),
    security(("session" = []), ("token" = [])),
)]
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
        let entry = ChainedEntry {
            robot: id,
            seq: stored.seq,
            kind: stored.kind.as_str(),
            occurred_at: stored.occurred_at,
            filed_by: stored.filed_by,
            details: serde_json::from_str(&stored.details).unwrap_or(Value::Null),
            corrects: stored.corrects_seq,
            prev_hash: stored.prev_hash,
            hash: stored.hash,
        };
        Ok((StatusCode::CREATED, entry))
    };
    finish(&parts, result.await)
}

/// A service provider or recycler to engage on a robot.
#[derive(serde::Deserialize, ToSchema)]
pub struct Engagement {
    /// The organisation, by number.
    org: i64,
}

/// Whether an organisation is engaged on a robot.
#[derive(Serialize, ToSchema)]
pub struct EngagementState {
    pub robot: String,
    pub org: i64,
    pub engaged: bool,
}

/// `POST /api/v1/robots/{ID}/engagements` with `{"org"}`: the robot's owner or operator
/// engages a service provider or recycler on it (201; 200 when it was engaged already).
#[utoipa::path(
    operation_id = "engage",
    post,
    path = "/api/v1/robots/{id}/engagements",
    tag = "record",
    summary = "Engage a service provider or recycler on a robot",
    description = "By the robot's owner or operator: the organisation may then file service or recycling entries for it.",
    params(("id" = String, Path, description = "The robot's ID")),
    request_body = Engagement,
    responses(
        (status = 201, description = "Engaged", body = EngagementState),
        (status = 200, description = "It was engaged already", body = EngagementState),
        (status = 400, description = "A bad ID or body", body = ErrorBody),
        (status = 401, description = "No session and no live API token", body = ErrorBody),
        (status = 403, description = "Not the robot's owner or operator", body = ErrorBody),
        (status = 404, description = "No such robot or organisation", body = ErrorBody),
    ),
    security(("session" = []), ("token" = [])),
)]
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
        let engaged = EngagementState {
            robot: raw,
            org: e.org,
            engaged: true,
        };
        Ok((status, engaged))
    };
    finish(&parts, result.await)
}

/// `DELETE /api/v1/robots/{ID}/engagements/{ORG}`: the engagement ends (404 when none ran).
#[utoipa::path(
    operation_id = "disengage",
    delete,
    path = "/api/v1/robots/{id}/engagements/{org}",
    tag = "record",
    summary = "End an engagement",
    params(
        ("id" = String, Path, description = "The robot's ID"),
        ("org" = String, Path, description = "The engaged organisation, by number"),
    ),
    responses(
        (status = 200, description = "Ended", body = EngagementState),
        (status = 400, description = "A bad ID", body = ErrorBody),
        (status = 401, description = "No session and no live API token", body = ErrorBody),
        (status = 403, description = "Not the robot's owner or operator", body = ErrorBody),
        (status = 404, description = "No such engagement running", body = ErrorBody),
    ),
    security(("session" = []), ("token" = [])),
)]
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
        let ended = EngagementState {
            robot: raw,
            org,
            engaged: false,
        };
        Ok((StatusCode::OK, ended))
    };
    finish(&parts, result.await)
}

/// A token to make for an organisation.
#[derive(serde::Deserialize, ToSchema)]
pub struct TokenRequest {
    /// What it is for, as the organisation's page lists it.
    name: String,
    /// The role it acts in (`manufacturer`, `operator`…); the caller's first role there when
    /// not given.
    #[serde(default)]
    role: Option<String>,
}

/// An organisation's API tokens (never the tokens themselves).
#[derive(Serialize, ToSchema)]
pub struct TokenList {
    pub tokens: Vec<api_tokens::TokenInfo>,
}

/// A token revoked.
#[derive(Serialize, ToSchema)]
pub struct TokenRevoked {
    pub id: i64,
    pub revoked: bool,
}

/// `GET /api/v1/orgs/{ORG}/tokens`: the organisation's tokens, for its members.
#[utoipa::path(
    operation_id = "list_tokens",
    get,
    path = "/api/v1/orgs/{org}/tokens",
    tag = "tokens",
    summary = "List an organisation's API tokens",
    params(("org" = String, Path, description = "The organisation, by number")),
    responses(
        (status = 200, description = "Its tokens, live and revoked", body = TokenList),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a member, or called with an API token", body = ErrorBody),
    ),
    security(("session" = [])),
)]
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
        Ok((StatusCode::OK, TokenList { tokens: list }))
    };
    finish(&parts, result.await)
}

/// `POST /api/v1/orgs/{ORG}/tokens` with `{"name", "role"?}`: a new token, shown this once.
#[utoipa::path(
    operation_id = "create_token",
    post,
    path = "/api/v1/orgs/{org}/tokens",
    tag = "tokens",
    summary = "Make an API token",
    description = "The token is shown in this answer only: the registry keeps only its hash. Send it as `Authorization: Bearer …`.",
    params(("org" = String, Path, description = "The organisation, by number")),
    request_body = TokenRequest,
    responses(
        (status = 201, description = "Made", body = CreatedToken),
        (status = 400, description = "No name, or not a role", body = ErrorBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a member in that role, or called with an API token", body = ErrorBody),
    ),
    security(("session" = [])),
)]
pub async fn create_token(
    State(state): State<AppState>,
    Path(org): Path<String>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let result = async {
        let me = person(&parts)?;
        let org = number(&org, Problem::NotAllowed)?;
        let new: TokenRequest = required_json(body, Problem::BadTokenName).await?;
        let role = match new.role.as_deref() {
            None => None,
            Some(r) => Some(OrgRole::from_name(r).ok_or(Error::Invalid(Problem::WrongRole))?),
        };
        let database = state.registry.database();
        let t = api_tokens::create(database, &me.person, org, role, &new.name).await?;
        Ok((StatusCode::CREATED, t))
    };
    finish(&parts, result.await)
}

/// `DELETE /api/v1/orgs/{ORG}/tokens/{ID}`: the token stops working at once.
#[utoipa::path(
    operation_id = "revoke_token",
    delete,
    path = "/api/v1/orgs/{org}/tokens/{token}",
    tag = "tokens",
    summary = "Revoke an API token",
    params(
        ("org" = String, Path, description = "The organisation, by number"),
        ("token" = String, Path, description = "The token, by number"),
    ),
    responses(
        (status = 200, description = "Revoked: it stops working at once", body = TokenRevoked),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Not a member, or called with an API token", body = ErrorBody),
        (status = 404, description = "No such live token", body = ErrorBody),
    ),
    security(("session" = [])),
)]
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
        Ok((StatusCode::OK, TokenRevoked { id, revoked: true }))
    };
    finish(&parts, result.await)
}

/// How long a new share code lasts.
#[derive(serde::Deserialize, ToSchema)]
pub struct ShareCodeRequest {
    /// Days until it expires (1 to 90; 14 when not given).
    #[serde(default)]
    expires_in_days: Option<u32>,
}

/// A robot's share codes, for its owner (never the codes themselves).
#[derive(Serialize, ToSchema)]
pub struct ShareCodeList {
    pub share_codes: Vec<domain::provenance::ShareCodeInfo>,
}

/// A share code revoked.
#[derive(Serialize, ToSchema)]
pub struct ShareCodeRevoked {
    pub revoked: bool,
}

/// `POST /api/v1/robots/{ID}/share-codes` with `{"expires_in_days"?}`, by the robot's owner:
/// `{"id", "code", "expires_at"}` (201), the code shown this once.
#[utoipa::path(
    operation_id = "issue_share_code",
    post,
    path = "/api/v1/robots/{id}/share-codes",
    tag = "provenance",
    summary = "Issue a share code",
    description = "By the robot's owner, for a buyer: 12 characters that open the robot's provenance report until they expire or are revoked. Shown in this answer only; the registry keeps a keyed hash.",
    params(("id" = String, Path, description = "The robot's ID")),
    request_body(content = Option<ShareCodeRequest>, description = "Optional"),
    responses(
        (status = 201, description = "Issued", body = domain::provenance::IssuedCode),
        (status = 400, description = "A bad ID or expiry", body = ErrorBody),
        (status = 401, description = "No session and no live API token", body = ErrorBody),
        (status = 403, description = "Not the robot's owner", body = ErrorBody),
        (status = 404, description = "No such robot", body = ErrorBody),
        (status = 409, description = "The robot is scrapped", body = ErrorBody),
    ),
    security(("session" = []), ("token" = [])),
)]
pub async fn issue_share_code(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let result = async {
        let who = caller(&parts)?;
        let id = RobotId::parse(&raw)?;
        let new: Option<ShareCodeRequest> = read_json(body, Problem::BadExpiry).await?;
        let days = new.and_then(|n| n.expires_in_days);
        let issued = share_codes::issue(&state.registry, who.filer(), &id, days).await?;
        Ok((StatusCode::CREATED, issued))
    };
    finish(&parts, result.await)
}

/// `GET /api/v1/robots/{ID}/share-codes`: the robot's codes for its owner (never the codes).
#[utoipa::path(
    operation_id = "list_share_codes",
    get,
    path = "/api/v1/robots/{id}/share-codes",
    tag = "provenance",
    summary = "List a robot's share codes",
    params(("id" = String, Path, description = "The robot's ID")),
    responses(
        (status = 200, description = "Its codes, valid, expired and revoked", body = ShareCodeList),
        (status = 400, description = "A bad ID", body = ErrorBody),
        (status = 401, description = "No session and no live API token", body = ErrorBody),
        (status = 403, description = "Not the robot's owner", body = ErrorBody),
        (status = 404, description = "No such robot", body = ErrorBody),
    ),
    security(("session" = []), ("token" = [])),
)]
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
        Ok((StatusCode::OK, ShareCodeList { share_codes: list }))
    };
    finish(&parts, result.await)
}

/// `DELETE /api/v1/robots/{ID}/share-codes/{CODE or number}`: the code stops opening the
/// report at once (404 when no live code was named).
#[utoipa::path(
    operation_id = "revoke_share_code",
    delete,
    path = "/api/v1/robots/{id}/share-codes/{code}",
    tag = "provenance",
    summary = "Revoke a share code",
    params(
        ("id" = String, Path, description = "The robot's ID"),
        ("code" = String, Path, description = "The code itself, or its number from the list"),
    ),
    responses(
        (status = 200, description = "Revoked: it stops opening the report at once", body = ShareCodeRevoked),
        (status = 400, description = "A bad ID", body = ErrorBody),
        (status = 401, description = "No session and no live API token", body = ErrorBody),
        (status = 403, description = "Not the robot's owner", body = ErrorBody),
        (status = 404, description = "No such live code", body = ErrorBody),
    ),
    security(("session" = []), ("token" = [])),
)]
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
        Ok((StatusCode::OK, ShareCodeRevoked { revoked: true }))
    };
    finish(&parts, result.await)
}

/// What opens a report: a share code, unless the caller is the owner or a regulator.
#[derive(serde::Deserialize, ToSchema)]
pub struct ProvenanceRequest {
    /// The 12 characters the owner gave (separators and case ignored).
    #[serde(default)]
    share_code: Option<String>,
}

/// Who opened a robot's report, and when.
#[derive(Serialize, ToSchema)]
pub struct OpeningList {
    pub openings: Vec<domain::provenance::Opening>,
}

/// `POST /api/v1/provenance/{ID}` with `{"share_code"?}`: the provenance report, for a
/// regulator, the robot's owner, or the holder of a live share code; every opening logged.
#[utoipa::path(
    operation_id = "open_report",
    post,
    path = "/api/v1/provenance/{id}",
    tag = "provenance",
    summary = "Open a robot's provenance report",
    description = "For a buyer with the owner's share code, the owner, or a regulator. Red flags first, then the summary, the condition readings and the whole timeline; the robot's chain is verified at every opening (`chain`). Every opening is written to the robot's audit log. Wrong codes are throttled like sign-in (429 with `Retry-After`).",
    params(("id" = String, Path, description = "The robot's ID")),
    request_body(content = Option<ProvenanceRequest>, description = "The share code; none for the owner and regulators"),
    responses(
        (status = 200, description = "The report", body = domain::provenance::Report),
        (status = 400, description = "A bad ID or body", body = ErrorBody),
        (status = 401, description = "No session and no live API token", body = ErrorBody),
        (status = 403, description = "No code, or a code that is wrong, expired, revoked or for another robot", body = ErrorBody),
        (status = 404, description = "No such robot", body = ErrorBody),
        (status = 429, description = "Too many wrong codes: wait `Retry-After` seconds", body = ErrorBody),
    ),
    security(("session" = []), ("token" = [])),
)]
pub async fn provenance(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let result = async {
        let who = caller(&parts)?;
        let id = RobotId::parse(&raw)?;
        let opening: Option<ProvenanceRequest> = read_json(body, Problem::BadShareCode).await?;
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
        Err(e) => refuse(&parts, e),
    }
}

/// `GET /api/v1/provenance/{ID}/openings`: who opened the robot's report and when, for its
/// owner and for regulators.
#[utoipa::path(
    operation_id = "report_openings",
    get,
    path = "/api/v1/provenance/{id}/openings",
    tag = "provenance",
    summary = "Who opened a robot's report",
    description = "The audit log of the robot's provenance report, newest first: for its owner and for regulators.",
    params(("id" = String, Path, description = "The robot's ID")),
    responses(
        (status = 200, description = "The openings", body = OpeningList),
        (status = 400, description = "A bad ID", body = ErrorBody),
        (status = 401, description = "No session and no live API token", body = ErrorBody),
        (status = 403, description = "Neither the owner nor a regulator", body = ErrorBody),
        (status = 404, description = "No such robot", body = ErrorBody),
    ),
    security(("session" = []), ("token" = [])),
)]
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
        Ok((StatusCode::OK, OpeningList { openings: list }))
    };
    finish(&parts, result.await)
}
