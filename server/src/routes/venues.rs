//! Venues' public pages, the same for everyone: `/v/{slug}` (the robots deployed there now,
//! with their statuses), its JSON, `/api/v1/venues/{slug}`, and the entrance display,
//! `/v/{slug}/display`; and, for the venue's own members, its dashboard `/v/{slug}/dashboard`
//! and its robots' labels on A4 sheets, `/v/{slug}/labels`. Read by `registry::venues`, at most once a second per venue
//! ([`VenueCache`], see [`crate::fresh`]); the JSON is written once per read, with an ETag
//! that changes only when what it says does (not with its `as_of`).

use super::pages::render_for;
use crate::error::{Failure, Form};
use crate::fresh::Fresh;
use crate::state::AppState;
use app::i18n::lang_from_headers;
use app::islands::display::DisplaySetup;
use app::pages::account::sign_in_link;
use app::pages::venue::DisplayQr;
use axum::extract::{Extension, Path, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::venue::VenuePage;
use leptos::prelude::provide_context;
use registry::accounts::SignedIn;
use registry::services::today;
use registry::venues;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// How long browsers and shared caches may keep a venue's JSON before asking again (with its
/// ETag): the entrance display asks every few seconds and must show a change within 30.
const JSON_MAX_AGE_S: u32 = 10;

/// A venue as read: the page, its JSON's bytes and their ETag.
pub struct Read {
    pub page: Arc<VenuePage>,
    json: bytes::Bytes,
    etag: String,
    /// The entrance display's QR code, drawn by its first request within the read's second.
    qr: std::sync::OnceLock<Arc<str>>,
}

impl Read {
    fn new(page: VenuePage) -> Read {
        let json = serde_json::to_vec(&page).unwrap_or_default();
        let unstamped = VenuePage {
            as_of: String::new(),
            ..page.clone()
        };
        let mut h = std::collections::hash_map::DefaultHasher::new();
        serde_json::to_vec(&unstamped)
            .unwrap_or_default()
            .hash(&mut h);
        Read {
            page: Arc::new(page),
            json: json.into(),
            etag: format!("\"v{:016x}\"", h.finish()),
            qr: std::sync::OnceLock::new(),
        }
    }
}

/// Venues read lately, by slug.
#[derive(Clone)]
pub struct VenueCache(Fresh<Read>);

impl Default for VenueCache {
    fn default() -> VenueCache {
        VenueCache(Fresh::new(10_000))
    }
}

/// The venue at `slug` as read at most a second ago.
async fn read(
    state: &AppState,
    cache: &VenueCache,
    slug: &str,
) -> Result<Arc<Read>, registry::Error> {
    let not_found = || registry::Error::NotFound(domain::Problem::NoSuchVenue);
    if !domain::venue::is_slug(slug) {
        return Err(not_found());
    }
    let reading = || async {
        venues::page(&state.registry, slug, &today())
            .await
            .map(Read::new)
    };
    cache.0.get(slug, reading).await?.ok_or_else(not_found)
}

/// The venue at `slug` for one of its pages, or the page that says why not.
async fn read_for_page(
    state: &AppState,
    cache: &VenueCache,
    slug: &str,
    parts: &axum::http::request::Parts,
) -> Result<Arc<Read>, Response> {
    read(state, cache, slug)
        .await
        .map_err(|e| Failure::new(e, lang_from_headers(&parts.headers), Form::Page).into_response())
}

/// `GET /v/{slug}`: the venue's page.
pub async fn page(
    State(state): State<AppState>,
    Extension(cache): Extension<VenueCache>,
    Path(slug): Path<String>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let read = match read_for_page(&state, &cache, &slug, &parts).await {
        Ok(read) => read,
        Err(refused) => return refused,
    };
    let path = format!("/v/{}", read.page.slug);
    let page = read.page.clone();
    let provide = move || provide_context(page.clone());
    render_for(state, parts, &path, StatusCode::OK, provide).await
}

/// How wide the entrance display's QR code is drawn, in pixels (scaled by the page's CSS).
const DISPLAY_QR_PX: u32 = 320;

/// `GET /v/{slug}/display`: the venue's robots for a screen at its entrance, with a QR code to
/// its page and what the watcher needs to keep it live (the ETag of the JSON it shows).
pub async fn display(
    State(state): State<AppState>,
    Extension(cache): Extension<VenueCache>,
    Path(slug): Path<String>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let lang = lang_from_headers(&parts.headers);
    let read = match read_for_page(&state, &cache, &slug, &parts).await {
        Ok(read) => read,
        Err(refused) => return refused,
    };
    let slug = read.page.slug.clone();
    // The code's own drawing, from the portal's origin and a checked slug; once per read.
    let qr = read.qr.get_or_init(|| {
        let url = format!("{}/v/{slug}", state.registry.hosts().origin());
        match crate::scan::label_svg(&url, DISPLAY_QR_PX) {
            Ok(svg) => svg
                .find("<svg")
                .map(|at| &svg[at..])
                .unwrap_or_default()
                .into(),
            Err(e) => {
                tracing::warn!(error = %e, "the display's QR code could not be drawn");
                "".into()
            }
        }
    });
    let qr = qr.to_string();
    let path = format!("/v/{slug}/display");
    let page = read.page.clone();
    let etag = read.etag.clone();
    let provide = move || {
        provide_context(page.clone());
        provide_context(DisplayQr(qr.clone()));
        provide_context(DisplaySetup::new(lang, &slug, &etag));
    };
    render_for(state, parts, &path, StatusCode::OK, provide).await
}

/// `GET /v/{slug}/dashboard`: for the venue's own members, what needs doing about its robots.
pub async fn dashboard(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    req: Request,
) -> Response {
    members_page(state, &slug, req, "dashboard").await
}

/// `GET /v/{slug}/labels`: every robot's signed label on A4 sheets, for the venue's members.
pub async fn labels(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    req: Request,
) -> Response {
    members_page(state, &slug, req, "labels").await
}

/// The members' page `/v/{slug}/{page}`, from the venue's dashboard as read for whoever is
/// signed in (a member of the venue's organisation), read fresh: personal, so never from the
/// shared second. Nobody signed in: to the sign-in page, and back here after.
async fn members_page(state: AppState, slug: &str, req: Request, page: &str) -> Response {
    let (parts, _) = req.into_parts();
    let lang = lang_from_headers(&parts.headers);
    if !domain::venue::is_slug(slug) {
        let e = registry::Error::NotFound(domain::Problem::NoSuchVenue);
        return Failure::new(e, lang, Form::Page).into_response();
    }
    let path = format!("/v/{slug}/{page}");
    let Some(me) = parts.extensions.get::<SignedIn>() else {
        return super::account::see_other(&sign_in_link(&path));
    };
    let board = match venues::dashboard(&state.registry, &me.person, slug, &today()).await {
        Ok(board) => Arc::new(board),
        Err(e) => return Failure::new(e, lang, Form::Page).into_response(),
    };
    let provide = move || provide_context(board.clone());
    render_for(state, parts, &path, StatusCode::OK, provide).await
}

/// `GET /api/v1/venues/{slug}`: the same as JSON, public for a few seconds, with an ETag
/// (304 on `If-None-Match`).
#[utoipa::path(
    operation_id = "venue",
    get,
    path = "/api/v1/venues/{slug}",
    tag = "public",
    summary = "A venue and the robots deployed there now",
    description = "Each robot with its status and role here, and a summary by status. The same for everyone; cacheable for a few seconds, with an ETag (ask again with `If-None-Match`: 304 while nothing changed).",
    params(("slug" = String, Path, description = "The venue's address name, as in `/v/{slug}`")),
    responses(
        (status = 200, description = "The venue", body = domain::venue::VenuePage),
        (status = 304, description = "Unchanged since the ETag sent in `If-None-Match`"),
        (status = 404, description = "No such venue", body = crate::error::ErrorBody),
    ),
)]
pub async fn json(
    State(state): State<AppState>,
    Extension(cache): Extension<VenueCache>,
    Path(slug): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    let lang = lang_from_headers(&headers);
    let read = read(&state, &cache, &slug)
        .await
        .map_err(|e| Failure::new(e, lang, Form::Json))?;
    let mut response = if super::badges::matches(&headers, &read.etag) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            read.json.clone(),
        )
            .into_response()
    };
    let h = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&read.etag) {
        h.insert(header::ETAG, v);
    }
    if let Ok(v) = HeaderValue::from_str(&format!("public, max-age={JSON_MAX_AGE_S}")) {
        h.insert(header::CACHE_CONTROL, v);
    }
    Ok(response)
}
