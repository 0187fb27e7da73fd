//! The JSON API for programs: a robot's public profile.

use crate::error::{ErrorBody, Failure, Form};
use crate::state::AppState;
use app::i18n::lang_from_headers;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::{Lookup, Problem, RobotId};

/// `GET /api/v1/robots/{ID}`: the profile as JSON, from the same function as the page.
#[utoipa::path(
    operation_id = "robot_profile",
    get,
    path = "/api/v1/robots/{id}",
    tag = "public",
    summary = "A robot's public profile",
    description = "What the profile page shows: status, manufacturer and model, operator and emergency stop, permitted role and limits, last inspection, data notice, where to complain, venue, open recalls. The same for everyone; cacheable, with an ETag.",
    params(("id" = String, Path, description = "The robot's ID: canonical, or grouped with spaces or dashes"), ("Accept-Language" = Option<String>, Header, description = "`en` or `zh-CN`: the language of messages")),
    responses(
        (status = 200, description = "Registered", body = domain::Profile),
        (status = 304, description = "Unchanged since the ETag sent in `If-None-Match`"),
        (status = 400, description = "Not a well-formed ID: `error.position` and `error.segment` say where", body = ErrorBody),
        (status = 404, description = "Not registered: `suggestions` lists registered IDs one confusable character away", body = ErrorBody),
    ),
)]
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
            Err(fail(registry::Error::NotFound(Problem::NotRegistered)).suggesting(suggestions))
        }
        Err(e) => Err(fail(e)),
    }
}
