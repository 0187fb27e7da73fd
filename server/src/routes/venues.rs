//! Venues' public pages, the same for everyone: `/v/{slug}` (the robots deployed there now,
//! with their statuses) and its JSON, `/api/v1/venues/{slug}`. Read by `registry::venues`,
//! at most once a second per venue ([`VenueCache`]): as a profile page is trusted for a
//! second, so is a venue's list, and a busy venue's page costs one read a second, not one a
//! visitor (500 robots are 500 rows handed from the database to the request).

use super::pages::render_for;
use crate::error::{Failure, Form};
use crate::state::AppState;
use app::i18n::lang_from_headers;
use axum::extract::{Extension, Path, Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::venue::VenuePage;
use leptos::prelude::provide_context;
use registry::services::today;
use registry::venues;
use std::sync::Arc;
use std::time::Duration;

/// How long a venue's page, once read, is shown: as long as a profile page is trusted.
const FRESH: Duration = Duration::from_secs(1);

/// Venues' pages read lately, by slug (`None`: no venue there).
#[derive(Clone)]
pub struct VenueCache(moka::sync::Cache<String, Option<Arc<VenuePage>>>);

impl Default for VenueCache {
    fn default() -> VenueCache {
        VenueCache(
            moka::sync::Cache::builder()
                .max_capacity(10_000)
                .time_to_live(FRESH)
                .build(),
        )
    }
}

/// The venue at `slug` as read at most a second ago.
async fn read(
    state: &AppState,
    cache: &VenueCache,
    slug: &str,
) -> Result<Arc<VenuePage>, registry::Error> {
    let not_found = || registry::Error::NotFound(domain::Problem::NoSuchVenue);
    if !domain::venue::is_slug(slug) {
        return Err(not_found());
    }
    if let Some(known) = cache.0.get(slug) {
        return known.ok_or_else(not_found);
    }
    match venues::page(&state.registry, slug, &today()).await {
        Ok(page) => {
            let page = Arc::new(page);
            cache.0.insert(slug.to_string(), Some(page.clone()));
            Ok(page)
        }
        Err(e @ registry::Error::NotFound(_)) => {
            cache.0.insert(slug.to_string(), None);
            Err(e)
        }
        Err(e) => Err(e),
    }
}

/// `GET /v/{slug}`: the venue's page.
pub async fn page(
    State(state): State<AppState>,
    Extension(cache): Extension<VenueCache>,
    Path(slug): Path<String>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let lang = lang_from_headers(&parts.headers);
    match read(&state, &cache, &slug).await {
        Ok(page) => {
            let path = format!("/v/{}", page.slug);
            let provide = move || provide_context(VenuePage::clone(&page));
            render_for(state, parts, &path, StatusCode::OK, provide).await
        }
        Err(e) => Failure::new(e, lang, Form::Page).into_response(),
    }
}

/// `GET /api/v1/venues/{slug}`: the same as JSON.
pub async fn json(
    State(state): State<AppState>,
    Extension(cache): Extension<VenueCache>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    let lang = lang_from_headers(&headers);
    match read(&state, &cache, &slug).await {
        Ok(page) => Ok(Json(&*page).into_response()),
        Err(e) => Err(Failure::new(e, lang, Form::Json)),
    }
}
