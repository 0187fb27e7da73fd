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

/// Profiles kept at most; at about 9 KB each, some 90 MB at the very worst.
const CAPACITY: u64 = 10_000;

struct Page {
    status: StatusCode,
    headers: HeaderMap,
    /// The body cut where the nonce of the request that rendered it was (split once when kept,
    /// not searched on every hit).
    parts: Vec<String>,
}

impl Page {
    /// This page as the answer to a request whose CSP nonce is `nonce`.
    fn respond(&self, nonce: &str) -> Response {
        let mut res = Response::new(Body::from(self.parts.join(nonce)));
        *res.status_mut() = self.status;
        *res.headers_mut() = self.headers.clone();
        res
    }
}

type Key = (String, String, Lang);

#[derive(Clone)]
pub struct PageCache {
    /// Keyed by host (pages carry the host list the lookup box accepts), path and language.
    pages: moka::future::Cache<Key, Arc<Page>>,
}

impl PageCache {
    pub fn new(ttl: Duration) -> PageCache {
        PageCache {
            pages: moka::future::Cache::builder()
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

/// Serve `/r/{ID}` from the cache when a fresh copy exists, else render and keep it. Requests
/// for a page that is being rendered wait for that one rendering (a crowd scanning the same
/// label when its copy expires costs one lookup, not one each).
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
    let leader_nonce = nonce.clone();
    // An answer that must not be kept comes back as the error, shared with whoever waited.
    let rendered = cache
        .pages
        .try_get_with(key, async move {
            let page = render(req, next, &leader_nonce).await;
            if cacheable(page.status) {
                Ok(Arc::new(page))
            } else {
                Err(page)
            }
        })
        .await;
    match rendered {
        Ok(page) => page.respond(&nonce),
        Err(page) => page.respond(&nonce),
    }
}

/// Render the page for `req` and keep it whole, cut where its nonce is.
async fn render(req: Request, next: Next, nonce: &str) -> Page {
    let res = next.run(req).await;
    let (mut parts, body) = res.into_parts();
    let bytes = match axum::body::to_bytes(body, 1024 * 1024).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::error!(error = %e, "could not read a rendered page");
            return Page {
                status: StatusCode::INTERNAL_SERVER_ERROR,
                headers: HeaderMap::new(),
                parts: Vec::new(),
            };
        }
    };
    // The page differs by language, which comes from these request headers.
    parts.headers.insert(
        header::VARY,
        HeaderValue::from_static("cookie, accept-language"),
    );
    Page {
        status: parts.status,
        headers: parts.headers,
        parts: String::from_utf8_lossy(&bytes)
            .split(nonce)
            .map(str::to_string)
            .collect(),
    }
}
