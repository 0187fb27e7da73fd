//! The one route table: every address the server answers, by area. Pages are the app's
//! routes (`app::app::App`, listed in [`PAGES`] and checked against it by a test); the axum
//! routes here are the API, labels, scanning's form and upload endpoints, the language switch,
//! the app's server functions, and the built site's files as the fallback.

pub mod account;
pub mod api;
pub mod badges;
pub mod described;
pub mod filing;
pub mod filing_page;
pub mod incidents;
pub mod labels;
pub mod lang;
pub mod maker;
pub mod org_page;
pub mod pages;
pub mod provenance;
pub mod scan;
pub mod venues;

use crate::assets::Assets;
use crate::middleware::hosts::host_check;
use crate::middleware::limits::{compression, panic_response, time_limit};
use crate::middleware::page_cache::{self, PageCache};
use crate::middleware::security::security_headers;
use crate::state::AppState;
use app::app::{shell, App};
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, Request};
use axum::middleware;
use axum::routing::{get, post};
use axum::{Extension, Router};
use leptos::prelude::*;
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::sync::Arc;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

/// The app's pages (its `<Routes>`), as axum writes their paths: what `GET` answers with a
/// rendered page, besides the fallback's "not found".
pub const PAGES: &[&str] = &[
    "/",
    "/r/{id}",
    "/r/{id}/{sig}",
    "/R/{id}/{sig}",
    "/scan",
    "/api",
    "/verify",
    "/labels/{id}",
    "/account",
    "/account/sign-in",
    "/account/sign-up",
    "/account/sent",
    "/account/confirm",
    "/account/password",
    "/account/reset",
    "/incidents/new",
    "/incidents/{reference}",
    "/inbox",
    "/provenance/{id}",
    "/filing/{id}",
    "/orgs/{org}",
    "/v/{slug}",
    "/v/{slug}/display",
    "/v/{slug}/dashboard",
    "/v/{slug}/labels",
];

/// Pages whose `GET` is answered here, not by the app's own handler: what they show is
/// personal, loaded (and refused) by the server before the page is rendered
/// (`routes::incidents`).
pub const SERVER_LOADED_PAGES: &[&str] = &[
    "/api",
    "/incidents/new",
    "/incidents/{reference}",
    "/inbox",
    "/provenance/{id}",
    "/filing/{id}",
    "/orgs/{org}",
    "/v/{slug}",
    "/v/{slug}/display",
    "/v/{slug}/dashboard",
    "/v/{slug}/labels",
];

/// Largest request body for a photo upload: the photo plus room for a form around it.
const UPLOAD_LIMIT: usize = photo::MAX_PHOTO_BYTES + 64 * 1024;

/// CORS for the public GET endpoints: answers the same for everyone, so any website's scripts
/// may read them (with their ETags, asking again with `If-None-Match`), without cookies. Never
/// on an authenticated endpoint: another site's script must not read what a session sees. (The
/// badge and the published keys, images and files embedded anywhere, say `*` themselves.)
fn public_cors() -> tower_http::cors::CorsLayer {
    use axum::http::{header, Method};
    tower_http::cors::CorsLayer::new()
        .allow_origin(tower_http::cors::Any)
        .allow_methods([Method::GET, Method::HEAD])
        .allow_headers([header::IF_NONE_MATCH, header::ACCEPT_LANGUAGE])
        .expose_headers([header::ETAG])
        .max_age(std::time::Duration::from_secs(24 * 3600))
}

/// `GET /healthz`: constant, touches nothing, for load balancers.
pub async fn health() -> &'static str {
    "ok"
}

pub fn router(
    state: AppState,
    assets: Arc<Assets>,
    page_cache: Option<Arc<PageCache>>,
    decoder: scan::Decoder,
    // A request body must keep arriving: no gap between its pieces longer than this.
    body_read_timeout: std::time::Duration,
) -> Router {
    let mut routes = generate_route_list(App);
    routes.retain(|r| !SERVER_LOADED_PAGES.contains(&r.path()));
    let ctx_state = state.clone();
    let fn_state = state.clone();
    let fallback_state = state.clone();
    let session_state = state.clone();
    let hosts = Arc::new(state.registry.hosts().clone());
    // Venues' pages and their JSON share what was read of each venue (a second).
    let venue_cache = venues::VenueCache::default();
    let (api_routes, api_index) = described::routes(
        venue_cache.clone(),
        decoder.clone(),
        state.registry.hosts().origin(),
    );
    Router::new()
        // For machines.
        .route("/healthz", get(health))
        // The API under /api/v1, each endpoint from its description (`described`), and the
        // page that explains it.
        .merge(api_routes)
        .route(
            "/api",
            get(described::page).layer(Extension(Arc::new(api_index))),
        )
        // Venues' public pages: loaded here too (see SERVER_LOADED_PAGES), though public.
        .route(
            "/v/{slug}",
            get(venues::page).layer(Extension(venue_cache.clone())),
        )
        .route(
            "/v/{slug}/display",
            get(venues::display).layer(Extension(venue_cache)),
        )
        // A venue's own members: read fresh, personal, never cached.
        .route("/v/{slug}/dashboard", get(venues::dashboard))
        .route("/v/{slug}/labels", get(venues::labels))
        // Scanning's forms: a code's text (the page `GET /verify` is the app's), or a photo.
        .route("/verify", post(scan::verify_form))
        .route(
            "/scan/photo",
            post(scan::photo_form)
                .layer((DefaultBodyLimit::max(UPLOAD_LIMIT), Extension(decoder))),
        )
        // People's settings and accounts (the pages are the app's; these are their forms).
        .route("/lang/{code}", get(lang::switch_lang))
        .route("/account/sign-in", post(account::sign_in))
        .route("/account/sign-up", post(account::sign_up))
        .route("/account/sign-out", post(account::sign_out))
        .route("/account/confirm", post(account::confirm))
        .route("/account/confirm/resend", post(account::resend_confirmation))
        .route("/account/password", post(account::change_password))
        .route("/account/reset", post(account::reset))
        // Incident reports: their pages load here what they show (see SERVER_LOADED_PAGES).
        .route(
            "/incidents/new",
            get(incidents::new_form)
                .post(incidents::submit)
                .layer(DefaultBodyLimit::max(incidents::FORM_LIMIT)),
        )
        .route("/incidents/{reference}", get(incidents::show))
        .route(
            "/incidents/{reference}/add",
            post(incidents::add).layer(DefaultBodyLimit::max(incidents::FORM_LIMIT)),
        )
        .route("/incidents/{reference}/step", post(incidents::step))
        .route("/incidents/{reference}/confirm", post(incidents::confirm))
        .route("/incidents/{reference}/photos/{photo}", get(incidents::photo))
        .route("/inbox", get(incidents::inbox))
        // Provenance reports for buyers: the page loads here what it shows.
        .route(
            "/provenance/{id}",
            get(provenance::show).post(provenance::open),
        )
        .route("/provenance/{id}/share-codes", post(provenance::issue))
        .route(
            "/filing/{id}",
            get(filing_page::show).post(filing_page::submit),
        )
        .route("/filing/{id}/engagements", post(filing_page::engage))
        .route(
            "/filing/{id}/engagements/{org}/end",
            post(filing_page::disengage),
        )
        .route(
            "/provenance/{id}/share-codes/{number}/revoke",
            post(provenance::revoke),
        )
        // An organisation's own page and its forms.
        .route("/orgs/{org}", get(org_page::show))
        .route("/orgs/{org}/tokens", post(org_page::create_token))
        .route("/orgs/{org}/tokens/{id}/revoke", post(org_page::revoke_token))
        .route("/orgs/{org}/units", post(org_page::register_unit))
        .route(
            "/orgs/{org}/units/import",
            post(org_page::import_units).layer(DefaultBodyLimit::max(org_page::UPLOAD_LIMIT)),
        )
        .route("/orgs/{org}/recalls", post(org_page::issue_recall))
        .route(
            "/orgs/{org}/recalls/{reference}/close",
            post(org_page::close_recall),
        )
        // The app: its server functions, then its pages (see [`PAGES`]).
        .route(
            "/api/fn/{*name}",
            post(move |req: Request| {
                let state = fn_state.clone();
                async move { leptos_axum::handle_server_fns_with_context(move || provide_context(state.registry.clone()), req).await }
            }),
        )
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(ctx_state.registry.clone()),
            {
                let options = state.leptos_options.clone();
                move || shell(options.clone())
            },
        )
        .fallback(move |req: Request| {
            pages::static_or_not_found(fallback_state.clone(), assets.clone(), req)
        })
        .layer(middleware::from_fn_with_state(
            session_state,
            crate::middleware::session::signed_in,
        ))
        .layer(middleware::from_fn_with_state(
            hosts.clone(),
            crate::middleware::forgery::same_site_only,
        ))
        .layer(middleware::from_fn_with_state(page_cache, page_cache::middleware))
        .layer(middleware::from_fn_with_state(hosts, host_check))
        .layer(middleware::from_fn_with_state(
            Arc::new(state.registry.hosts().https()),
            security_headers,
        ))
        .layer(compression())
        .layer(tower_http::timeout::RequestBodyTimeoutLayer::new(body_read_timeout))
        .layer(middleware::from_fn(time_limit))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request<Body>| {
                    tracing::info_span!("request", method = %req.method(), path = %req.uri().path())
                })
                .on_response(DefaultOnResponse::new().level(Level::INFO).latency_unit(tower_http::LatencyUnit::Micros)),
        )
        .layer(CatchPanicLayer::custom(panic_response))
        .with_state(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table above names every page the app routes, and no other.
    #[test]
    fn the_page_list_is_the_apps_route_table() {
        let mut routed: Vec<String> = generate_route_list(App)
            .iter()
            .map(|r| r.path().to_string())
            .collect();
        routed.sort();
        routed.dedup();
        let mut listed: Vec<String> = PAGES.iter().map(|p| p.to_string()).collect();
        listed.sort();
        assert_eq!(routed, listed);
    }
}
