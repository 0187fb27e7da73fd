//! Venues' public pages, the same for everyone: `/v/{slug}` (the robots deployed there now,
//! with their statuses) and its JSON, `/api/v1/venues/{slug}`. Read by `registry::venues`.

use super::pages::render_for;
use crate::error::{Failure, Form};
use crate::state::AppState;
use app::i18n::lang_from_headers;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use leptos::prelude::provide_context;
use registry::services::today;
use registry::venues;

/// `GET /v/{slug}`: the venue's page.
pub async fn page(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let lang = lang_from_headers(&parts.headers);
    match venues::page(&state.registry, &slug, &today()).await {
        Ok(page) => {
            let path = format!("/v/{}", page.slug);
            let provide = move || provide_context(page.clone());
            render_for(state, parts, &path, StatusCode::OK, provide).await
        }
        Err(e) => Failure::new(e, lang, Form::Page).into_response(),
    }
}

/// `GET /api/v1/venues/{slug}`: the same as JSON.
pub async fn json(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    let lang = lang_from_headers(&headers);
    match venues::page(&state.registry, &slug, &today()).await {
        Ok(page) => Ok(Json(page).into_response()),
        Err(e) => Err(Failure::new(e, lang, Form::Json)),
    }
}
