//! Pages the app renders outside its own routes: the built site's files and "not found" as
//! the fallback, and a page rendered for a form's answer (`POST /verify`, `POST /scan/photo`)
//! with what the form handed over in its context.

use crate::assets::Assets;
use crate::state::AppState;
use app::app::shell;
use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use leptos::prelude::provide_context;
use std::sync::Arc;

/// Files of the built site from memory; anything else is the app's own "not found" page.
pub async fn static_or_not_found(state: AppState, assets: Arc<Assets>, req: Request) -> Response {
    if let Some(resp) = assets.response(req.uri().path(), req.headers()) {
        return resp;
    }
    let options = state.leptos_options.clone();
    let registry = state.registry.clone();
    let handler = leptos_axum::render_app_to_stream_with_context(
        move || provide_context(registry.clone()),
        move || shell(options.clone()),
    );
    handler(req).await.into_response()
}

/// The app's page at `path` rendered for a request with these headers and extensions (the
/// signed-in person), given `extra` in its context.
pub async fn render_page<T: Clone + Send + Sync + 'static>(
    state: AppState,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    path: &str,
    extra: T,
) -> Response {
    render_with(state, headers, extensions, path, move || {
        provide_context(extra.clone())
    })
    .await
}

/// The app's page at `path` (with its query) rendered for a request with these headers and
/// extensions, `provide` putting what the page shows in its context.
pub async fn render_with(
    state: AppState,
    headers: HeaderMap,
    extensions: axum::http::Extensions,
    path: &str,
    provide: impl Fn() + Clone + Send + Sync + 'static,
) -> Response {
    let mut req = Request::new(Body::empty());
    *req.uri_mut() =
        axum::http::Uri::try_from(path).unwrap_or_else(|_| axum::http::Uri::from_static("/"));
    *req.headers_mut() = headers;
    *req.extensions_mut() = extensions;
    req.headers_mut().remove(header::CONTENT_TYPE);
    req.headers_mut().remove(header::CONTENT_LENGTH);
    let options = state.leptos_options.clone();
    let handler = leptos_axum::render_app_to_stream_with_context(
        move || {
            provide_context(state.registry.clone());
            provide();
        },
        move || shell(options.clone()),
    );
    handler(req).await.into_response()
}

/// [`render_with`] for the request whose head is `parts`, answered with `status` (a form that
/// came back: 422, 403…).
pub async fn render_for(
    state: AppState,
    parts: axum::http::request::Parts,
    path: &str,
    status: axum::http::StatusCode,
    provide: impl Fn() + Clone + Send + Sync + 'static,
) -> Response {
    let mut response = render_with(state, parts.headers, parts.extensions, path, provide).await;
    *response.status_mut() = status;
    response
}

/// The value of `name` in the query of the request whose head is `parts`, if it has one.
pub fn query_value(parts: &axum::http::request::Parts, name: &str) -> Option<String> {
    url::form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}
