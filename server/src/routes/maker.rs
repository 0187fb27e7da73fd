//! A manufacturer's own API, under its manufacturer code: its models, units registered one at
//! a time or from CSV (with the import's progress), and its recalls. The caller is a member
//! acting as the manufacturer, or one of its API tokens; anyone else gets 403 whether or not
//! the code is held.

use super::filing::{caller, finish, required_json};
use crate::error::{Failure, Form};
use crate::state::AppState;
use app::i18n::lang_from_headers;
use app::i18n::words::problem_message;
use axum::extract::{Path, Request, State};
use axum::http::{header, request::Parts, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::Problem;
use registry::recalls::{self, Notice};
use registry::units::{self, Maker, Refused, Unit};
use registry::Error;
use serde_json::json;

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
        .map_err(|e| finish(parts, Err(e)))?;
    let sent = required_json(body, Problem::BadDetails)
        .await
        .map_err(|e| finish(parts, Err(e)))?;
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
pub async fn models(
    State(state): State<AppState>,
    Path(code): Path<String>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let result = async {
        let m = maker(&state, &parts, &code).await?;
        let models = units::models(&state.registry, &m).await?;
        Ok((
            StatusCode::OK,
            json!({ "manufacturer": m.code, "models": models }),
        ))
    };
    finish(&parts, result.await)
}

/// `POST /api/v1/manufacturers/{CODE}/units` with `{"model", "serial", "produced_on",
/// "country"?, "factory"?}`: the unit registered (201), or 400 naming the field, 409 when it
/// is registered already.
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
            Json(json!({ "id": id.as_str(), "display": id.display(), "profile": format!("/r/{id}") })),
        )
            .into_response(),
        Err((e, field)) => field_failure(&parts, e, field),
    }
}

/// `POST /api/v1/manufacturers/{CODE}/units/import` with a CSV file as the body (columns
/// `model, serial, produced_on`, optionally `country, factory`): 202 and the import's
/// progress (its address in `Location`) when every row is good; else 400 with every bad row
/// under `rows` (`line`, `field`, `code`, `message`), and nothing imported.
pub async fn import(
    State(state): State<AppState>,
    Path(code): Path<String>,
    req: Request,
) -> Response {
    let (parts, body) = req.into_parts();
    let m = match maker(&state, &parts, &code).await {
        Ok(m) => m,
        Err(e) => return finish(&parts, Err(e)),
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
            Json(json!(progress)),
        )
            .into_response(),
        Err(Refused::Whole(e)) => finish(&parts, Err(e)),
        Err(Refused::Rows(rows)) => {
            let lang = lang_from_headers(&parts.headers);
            let listed: Vec<_> = rows
                .iter()
                .map(|r| {
                    json!({
                        "line": r.line,
                        "field": r.field,
                        "code": r.problem.as_str(),
                        "message": problem_message(lang, r.problem),
                    })
                })
                .collect();
            Failure::new(Error::Invalid(Problem::BadRows), lang, Form::Json)
                .with("rows", json!(listed))
                .into_response()
        }
    }
}

/// `GET /api/v1/manufacturers/{CODE}/imports/{ID}`: where the import stands (`state`:
/// running, done or failed; `written` of `total`).
pub async fn import_progress(
    State(state): State<AppState>,
    Path((code, id)): Path<(String, String)>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let result = async {
        let m = maker(&state, &parts, &code).await?;
        let progress = units::progress(&state.registry, &m, &id)?;
        Ok((StatusCode::OK, json!(progress)))
    };
    finish(&parts, result.await)
}

/// `GET /api/v1/manufacturers/{CODE}/recalls`: the manufacturer's recalls, newest first.
pub async fn recalls_list(
    State(state): State<AppState>,
    Path(code): Path<String>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let result = async {
        let m = maker(&state, &parts, &code).await?;
        let list = recalls::list(&state.registry, &m).await?;
        Ok((StatusCode::OK, json!({ "recalls": list })))
    };
    finish(&parts, result.await)
}

/// `POST /api/v1/manufacturers/{CODE}/recalls` with `{"model", "serial_from"?, "serial_to"?,
/// "defect", "risk", "remedy"}`: the recall issued (201); every unit it covers shows it at
/// once, until its remedy is filed.
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
        Ok(recall) => (StatusCode::CREATED, Json(json!(recall))).into_response(),
        Err((e, field)) => field_failure(&parts, e, field),
    }
}

/// `POST /api/v1/manufacturers/{CODE}/recalls/{REFERENCE}/close`: the recall closed today
/// (404: no such recall of theirs; 409: closed already).
pub async fn close_recall(
    State(state): State<AppState>,
    Path((code, reference)): Path<(String, String)>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let result = async {
        let m = maker(&state, &parts, &code).await?;
        let recall = recalls::close(&state.registry, &m, &reference).await?;
        Ok((StatusCode::OK, json!(recall)))
    };
    finish(&parts, result.await)
}
