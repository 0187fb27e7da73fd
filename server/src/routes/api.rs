//! The JSON API for programs: a robot's public profile.

use crate::error::{Failure, Form};
use crate::state::AppState;
use app::i18n::lang_from_headers;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::{Lookup, Problem, RobotId};
use serde_json::json;

/// `GET /api/v1/robots/{ID}`: the profile as JSON, from the same function as the page.
pub async fn robot(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    let lang = lang_from_headers(&headers);
    let fail = |e: registry::Error| Failure::new(e, lang, Form::Json);
    let id = RobotId::parse(&raw).map_err(|e| fail(e.into()))?;
    match registry::services::lookup(&state.registry, &id, &registry::services::today()).await {
        Ok(Lookup::Found(profile)) => Ok(Json(profile).into_response()),
        Ok(Lookup::NotRegistered { suggestions, .. }) => {
            Err(fail(registry::Error::NotFound(Problem::NotRegistered))
                .with("suggestions", json!(suggestions)))
        }
        Err(e) => Err(fail(e)),
    }
}
