//! A short-lived cache of rendered profile pages. A robot in a busy place is looked up by many
//! phones at once; each gets a page rendered at most `PAGE_CACHE_MS` earlier (one second by
//! default), with its own CSP nonce put in on the way out. Nothing is kept longer, so any
//! number of portal instances still serve the same registry.

use app::app::NONCE_HEADER;
use app::domain::Lang;
use app::i18n::lang_from_headers;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;
use std::time::Duration;

/// Stands for the nonce in a stored page; never sent (every hit replaces it).
const NONCE_MARK: &str = "\u{1}robopass-nonce\u{1}";
/// Profiles kept at most; at about 9 KB each, some 90 MB at the very worst.
const CAPACITY: u64 = 10_000;

struct Page {
    status: StatusCode,
    headers: HeaderMap,
    body: String,
}

#[derive(Clone)]
pub struct PageCache {
    /// Keyed by host (pages carry the host list the lookup box accepts), path and language.
    pages: moka::sync::Cache<(String, String, Lang), Arc<Page>>,
}

impl PageCache {
    pub fn new(ttl: Duration) -> PageCache {
        PageCache {
            pages: moka::sync::Cache::builder()
                .max_capacity(CAPACITY)
                .time_to_live(ttl)
                .build(),
        }
    }
}

fn cacheable(status: StatusCode) -> bool {
    // Only answers that depend on the registry alone; a 503 must not outlive its cause.
    matches!(status.as_u16(), 200 | 308 | 400 | 404)
}

/// Serve `/r/{ID}` from the cache when a fresh copy exists, else render and keep it.
pub async fn middleware(
    State(cache): State<Option<PageCache>>,
    req: Request,
    next: Next,
) -> Response {
    let Some(cache) = cache else {
        return next.run(req).await;
    };
    if req.method() != Method::GET
        // `/R/…` is what printed labels open.
        || !(req.uri().path().starts_with("/r/") || req.uri().path().starts_with("/R/"))
        || req.uri().query().is_some()
    {
        return next.run(req).await;
    }
    let nonce = req
        .headers()
        .get(NONCE_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .unwrap_or_default();
    if nonce.is_empty() {
        return next.run(req).await;
    }
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    let key = (
        host,
        req.uri().path().to_string(),
        lang_from_headers(req.headers()),
    );
    if let Some(page) = cache.pages.get(&key) {
        let mut res = Response::new(Body::from(page.body.replace(NONCE_MARK, &nonce)));
        *res.status_mut() = page.status;
        *res.headers_mut() = page.headers.clone();
        return res;
    }
    let res = next.run(req).await;
    if !cacheable(res.status()) {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, 1024 * 1024).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "could not read a rendered page");
            return Response::builder()
                .status(StatusCode::INTERNAL_SERVER_ERROR)
                .body(Body::empty())
                .unwrap_or_default();
        }
    };
    // The page differs by language, which comes from these request headers.
    parts.headers.insert(
        header::VARY,
        HeaderValue::from_static("cookie, accept-language"),
    );
    if let Ok(text) = std::str::from_utf8(&bytes) {
        cache.pages.insert(
            key,
            Arc::new(Page {
                status: parts.status,
                headers: parts.headers.clone(),
                body: text.replace(&nonce, NONCE_MARK),
            }),
        );
    }
    Response::from_parts(parts, Body::from(bytes))
}
