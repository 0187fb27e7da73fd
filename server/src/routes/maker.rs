//! A manufacturer's own API, under its manufacturer code: its models, units registered one at
//! a time or from CSV (with the import's progress), and its recalls. The caller is a member
//! acting as the manufacturer, or one of its API tokens; anyone else gets 403 whether or not
//! the code is held.

use super::filing::{caller, finish, refuse, required_json};
use crate::error::{ErrorBody, Failure, Form, RowError};
use crate::state::AppState;
use app::i18n::lang_from_headers;
use app::i18n::words::problem_message;
use axum::extract::{Path, Request, State};
use axum::http::{header, request::Parts, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::Problem;
use registry::recalls::{self, Notice, Recall};
use registry::units::{self, Maker, ModelChoice, Progress, Refused, Unit};
use registry::Error;
use serde::Serialize;
use utoipa::ToSchema;

/// A manufacturer's models.
#[derive(Serialize, ToSchema)]
pub struct ModelList {
    pub manufacturer: String,
    pub models: Vec<ModelChoice>,
}

/// A unit just registered.
#[derive(Serialize, ToSchema)]
pub struct RegisteredUnit {
    pub id: domain::RobotId,
    /// The ID grouped for reading.
    pub display: String,
    /// Its public profile's address.
    pub profile: String,
}

/// A manufacturer's recalls, newest first.
#[derive(Serialize, ToSchema)]
pub struct RecallList {
    pub recalls: Vec<Recall>,
}

/// The manufacturer the request acts for, by the code in its address.
async fn maker(state: &AppState, parts: &Parts, code: &str) -> Result<Maker, Error> {
    let who = caller(parts)?;
    units::maker(&state.registry, who.filer(), code).await
}

/// The manufacturer and the JSON body of a request that sends one, or the answer that ends it.
async fn maker_and_body<T: serde::de::DeserializeOwned>(
    state: &AppState,
    parts: &Parts,
    body: axum::body::Body,
    code: &str,
) -> Result<(Maker, T), Response> {
    let m = maker(state, parts, code)
        .await
        .map_err(|e| refuse(parts, e))?;
    let sent = required_json(body, Problem::BadDetails)
        .await
        .map_err(|e| refuse(parts, e))?;
    Ok((m, sent))
}

/// An error naming the field of what was sent that is wrong.
fn field_failure(parts: &Parts, e: Error, field: &str) -> Response {
    let lang = lang_from_headers(&parts.headers);
    let failure = Failure::new(e.clone(), lang, Form::Json);
    match e {
        Error::Invalid(_) | Error::Conflict(_) => failure.field(field).into_response(),
        _ => failure.into_response(),
    }
}

/// Where an import's progress is read.
pub fn import_path(code: &str, id: &str) -> String {
    format!("/api/v1/manufacturers/{code}/imports/{id}")
}

/// `GET /api/v1/manufacturers/{CODE}/models`: the models units and recalls may name.
#[utoipa::path(
    operation_id = "list_models",
    get,
    path = "/api/v1/manufacturers/{code}/models",
    tag = "manufacturers",
    summary = "List a manufacturer's models",
    params(("code" = String, Path, description = "The manufacturer's code")),
    responses(
        (status = 200, description = "Its models", body = ModelList),
        (status = 401, description = "No session and no live API token", body = ErrorBody),
        (status = 403, description = "Not acting for this manufacturer", body = ErrorBody),
    ),
    security(("session" = []), ("token" = [])),
)]
pub async fn models(
    State(state): State<AppState>,
    Path(code): Path<String>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let result = async {
        let m = maker(&state, &parts, &code).await?;
        let models = units::models(&state.registry, &m).await?;
        let list = ModelList {
            manufacturer: m.code,
            models,
        };
        Ok((StatusCode::OK, list))
    };
    finish(&parts, result.await)
}

/// `POST /api/v1/manufacturers/{CODE}/units` with `{"model", "serial", "produced_on",
/// "country"?, "factory"?}`: the unit registered (201), or 400 naming the field, 409 when it
/// is registered already.
#[utoipa::path(
    operation_id = "register_unit",
    post,
    path = "/api/v1/manufacturers/{code}/units",
    tag = "manufacturers",
    summary = "Register a unit",
    description = "Under the manufacturer's own code and one of its own models. The answer's `Location` is the unit's profile.",
    params(("code" = String, Path, description = "The manufacturer's code")),
    request_body = Unit,
    responses(
        (status = 201, description = "Registered", body = RegisteredUnit),
        (status = 400, description = "A field is wrong (`error.field` names it)", body = ErrorBody),
        (status = 401, description = "No session and no live API token", body = ErrorBody),
        (status = 403, description = "Not acting for this manufacturer", body = ErrorBody),
        (status = 409, description = "Registered already", body = ErrorBody),
    ),
    security(("session" = []), ("token" = [])),
)]
pub async fn register(
    State(state): State<AppState>,
    Path(code): Path<String>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let (m, unit): (Maker, Unit) = match maker_and_body(&state, &parts, body, &code).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match units::register(&state.registry, &m, &unit).await {
        Ok(id) => (
            StatusCode::CREATED,
            [(header::LOCATION, format!("/r/{id}"))],
            Json(RegisteredUnit {
                display: id.display(),
                profile: format!("/r/{id}"),
                id,
            }),
        )
            .into_response(),
        Err((e, field)) => field_failure(&parts, e, field),
    }
}

/// `POST /api/v1/manufacturers/{CODE}/units/import` with a CSV file as the body (columns
/// `model, serial, produced_on`, optionally `country, factory`): 202 and the import's
/// progress (its address in `Location`) when every row is good; else 400 with every bad row
/// under `rows` (`line`, `field`, `code`, `message`), and nothing imported.
#[utoipa::path(
    operation_id = "import_units",
    post,
    path = "/api/v1/manufacturers/{code}/units/import",
    tag = "manufacturers",
    summary = "Register units from a CSV file",
    description = "Columns `model, serial, produced_on`, optionally `country, factory`, with a header line. Every row is checked first: when any is bad, every bad row is listed under `rows` and nothing is imported. Otherwise the import runs on (202) and its progress is read at `Location`.",
    params(("code" = String, Path, description = "The manufacturer's code")),
    request_body(content = String, content_type = "text/csv", description = "The CSV file: at most 50,000 rows and 5 MB"),
    responses(
        (status = 202, description = "Every row is good: importing", body = Progress,
            headers(("Location" = String, description = "Where its progress is read"))),
        (status = 400, description = "Bad rows, each with its line and reason; nothing imported", body = ErrorBody),
        (status = 401, description = "No session and no live API token", body = ErrorBody),
        (status = 403, description = "Not acting for this manufacturer", body = ErrorBody),
        (status = 413, description = "The file is too large", body = ErrorBody),
    ),
    security(("session" = []), ("token" = [])),
)]
pub async fn import(
    State(state): State<AppState>,
    Path(code): Path<String>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let m = match maker(&state, &parts, &code).await {
        Ok(m) => m,
        Err(e) => return refuse(&parts, e),
    };
    let Ok(bytes) = axum::body::to_bytes(body, units::MAX_IMPORT_BYTES).await else {
        let lang = lang_from_headers(&parts.headers);
        let failure = Failure::new(Error::Invalid(Problem::TooManyRows), lang, Form::Json);
        return (StatusCode::PAYLOAD_TOO_LARGE, failure).into_response();
    };
    match units::import(&state.registry, &m, bytes.to_vec()).await {
        Ok(progress) => (
            StatusCode::ACCEPTED,
            [(header::LOCATION, import_path(&m.code, &progress.id))],
            Json(progress),
        )
            .into_response(),
        Err(Refused::Whole(e)) => refuse(&parts, e),
        Err(Refused::Rows(rows)) => {
            let lang = lang_from_headers(&parts.headers);
            let listed: Vec<_> = rows
                .iter()
                .map(|r| RowError {
                    line: r.line,
                    field: r.field,
                    code: r.problem.as_str(),
                    message: problem_message(lang, r.problem),
                })
                .collect();
            Failure::new(Error::Invalid(Problem::BadRows), lang, Form::Json)
                .rows(listed)
                .into_response()
        }
    }
}

/// `GET /api/v1/manufacturers/{CODE}/imports/{ID}`: where the import stands (`state`:
/// running, done or failed; `written` of `total`).
#[utoipa::path(
    operation_id = "import_progress",
    get,
    path = "/api/v1/manufacturers/{code}/imports/{id}",
    tag = "manufacturers",
    summary = "Where an import stands",
    params(("code" = String, Path, description = "The manufacturer's code"), ("id" = String, Path, description = "The import, as its `Location` named it")),
    responses(
        (status = 200, description = "Its progress", body = Progress),
        (status = 401, description = "No session and no live API token", body = ErrorBody),
        (status = 403, description = "Not acting for this manufacturer", body = ErrorBody),
        (status = 404, description = "No such import of theirs", body = ErrorBody),
    ),
    security(("session" = []), ("token" = [])),
)]
pub async fn import_progress(
    State(state): State<AppState>,
    Path((code, id)): Path<(String, String)>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let result = async {
        let m = maker(&state, &parts, &code).await?;
        let progress = units::progress(&state.registry, &m, &id)?;
        Ok((StatusCode::OK, progress))
    };
    finish(&parts, result.await)
}

/// `GET /api/v1/manufacturers/{CODE}/recalls`: the manufacturer's recalls, newest first.
#[utoipa::path(
    operation_id = "list_recalls",
    get,
    path = "/api/v1/manufacturers/{code}/recalls",
    tag = "manufacturers",
    summary = "List a manufacturer's recalls",
    params(("code" = String, Path, description = "The manufacturer's code")),
    responses(
        (status = 200, description = "Its recalls, with how far each remedy has come", body = RecallList),
        (status = 401, description = "No session and no live API token", body = ErrorBody),
        (status = 403, description = "Not acting for this manufacturer", body = ErrorBody),
    ),
    security(("session" = []), ("token" = [])),
)]
pub async fn recalls_list(
    State(state): State<AppState>,
    Path(code): Path<String>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let result = async {
        let m = maker(&state, &parts, &code).await?;
        let list = recalls::list(&state.registry, &m).await?;
        Ok((StatusCode::OK, RecallList { recalls: list }))
    };
    finish(&parts, result.await)
}

/// `POST /api/v1/manufacturers/{CODE}/recalls` with `{"model", "serial_from"?, "serial_to"?,
/// "defect", "risk", "remedy"}`: the recall issued (201); every unit it covers shows it at
/// once, until its remedy is filed.
#[utoipa::path(
    operation_id = "issue_recall",
    post,
    path = "/api/v1/manufacturers/{code}/recalls",
    tag = "manufacturers",
    summary = "Issue a recall",
    description = "For a whole model, or a range of its serials. Every unit it covers shows the recall on its profile at once, until a `recall_remedied` entry is filed for it.",
    params(("code" = String, Path, description = "The manufacturer's code")),
    request_body = Notice,
    responses(
        (status = 201, description = "Issued", body = Recall),
        (status = 400, description = "A field is wrong (`error.field` names it)", body = ErrorBody),
        (status = 401, description = "No session and no live API token", body = ErrorBody),
        (status = 403, description = "Not acting for this manufacturer", body = ErrorBody),
    ),
    security(("session" = []), ("token" = [])),
)]
pub async fn issue_recall(
    State(state): State<AppState>,
    Path(code): Path<String>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let (m, notice): (Maker, Notice) = match maker_and_body(&state, &parts, body, &code).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match recalls::issue(&state.registry, &m, &notice).await {
        Ok(recall) => (StatusCode::CREATED, Json(recall)).into_response(),
        Err((e, field)) => field_failure(&parts, e, field),
    }
}

/// `POST /api/v1/manufacturers/{CODE}/recalls/{REFERENCE}/close`: the recall closed today
/// (404: no such recall of theirs; 409: closed already).
#[utoipa::path(
    operation_id = "close_recall",
    post,
    path = "/api/v1/manufacturers/{code}/recalls/{reference}/close",
    tag = "manufacturers",
    summary = "Close a recall",
    params(("code" = String, Path, description = "The manufacturer's code"), ("reference" = String, Path, description = "The recall's reference")),
    responses(
        (status = 200, description = "Closed today", body = Recall),
        (status = 401, description = "No session and no live API token", body = ErrorBody),
        (status = 403, description = "Not acting for this manufacturer", body = ErrorBody),
        (status = 404, description = "No such recall of theirs", body = ErrorBody),
        (status = 409, description = "Closed already", body = ErrorBody),
    ),
    security(("session" = []), ("token" = [])),
)]
pub async fn close_recall(
    State(state): State<AppState>,
    Path((code, reference)): Path<(String, String)>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let result = async {
        let m = maker(&state, &parts, &code).await?;
        let recall = recalls::close(&state.registry, &m, &reference).await?;
        Ok((StatusCode::OK, recall))
    };
    finish(&parts, result.await)
}
