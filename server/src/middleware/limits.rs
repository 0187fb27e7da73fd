//! Bounds on every request and answers that hold whatever happens: a time limit, a plain page
//! when rendering panicked, and compression of pages as they go out.

use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_http::compression::predicate::{DefaultPredicate, Predicate};
use tower_http::compression::CompressionLayer;

/// No request is worked on for longer than this; it is answered 503 instead.
pub const REQUEST_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(60);

/// Pages and API answers are gzipped as they go out. Static files are not: they come compressed
/// ahead of time, or as they are when compressing would not shrink them
/// ([`crate::assets::EncodingChosen`]). Gzipping those again at every request served a 130 KB
/// file that does not compress at 1,700 answers a second instead of 19,000.
pub fn compression() -> CompressionLayer<impl Predicate> {
    fn encoding_not_chosen(
        _: axum::http::StatusCode,
        _: axum::http::Version,
        _: &axum::http::HeaderMap,
        extensions: &axum::http::Extensions,
    ) -> bool {
        extensions.get::<crate::assets::EncodingChosen>().is_none()
    }
    CompressionLayer::new()
        .gzip(true)
        .quality(tower_http::CompressionLevel::Fastest)
        .compress_when(DefaultPredicate::new().and(encoding_not_chosen))
}

/// A plain-text answer in both languages, for where the request's language is not known (or
/// not to be trusted: it is read from the request's own headers).
pub fn bilingual(status: axum::http::StatusCode, text: &'static str) -> Response {
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        text,
    )
        .into_response()
}

/// No request is worked on for more than [`REQUEST_TIMEOUT`]: it is answered 503, saying so.
pub async fn time_limit(req: Request, next: Next) -> Response {
    match tokio::time::timeout(REQUEST_TIMEOUT, next.run(req)).await {
        Ok(res) => res,
        Err(_) => {
            tracing::warn!("a request ran out of time");
            bilingual(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                "This took too long on our side; please try again in a minute.\n处理超时，请稍后再试。\n",
            )
        }
    }
}

/// What a visitor sees if rendering a request panicked: the process goes on, the panic is
/// logged, and the answer is a plain 500 in both languages (the request's language is not
/// known here).
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default();
    tracing::error!(panic = %what, "request panicked");
    bilingual(
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        "Something went wrong on our side; please try again in a minute.\n服务器出错，请稍后再试。\n",
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assets::Assets;
    use axum::body::Body;
    use axum::http::HeaderValue;
    use axum::routing::get;
    use axum::Router;
    use std::sync::Arc;
    use tower::ServiceExt;

    async fn encoding_of(router: &Router, path: &str) -> Option<HeaderValue> {
        let req = Request::builder()
            .uri(path)
            .header(header::ACCEPT_ENCODING, "gzip")
            .body(Body::empty())
            .unwrap();
        let resp = router.clone().oneshot(req).await.unwrap();
        resp.headers().get(header::CONTENT_ENCODING).cloned()
    }

    #[tokio::test]
    async fn the_compression_layer_leaves_static_files_alone() {
        let dir = tempfile::tempdir().unwrap();
        let noise = crate::assets::incompressible(64 * 1024);
        std::fs::write(dir.path().join("font.woff2"), &noise).unwrap();
        let assets = Arc::new(Assets::load(dir.path(), "pkg", "robopass").unwrap());
        let router = Router::new()
            .route("/page", get(|| async { "a page of text ".repeat(100) }))
            .fallback(move |req: Request| {
                let assets = assets.clone();
                async move { assets.response(req.uri().path(), req.headers()).unwrap() }
            })
            .layer(compression());
        assert_eq!(encoding_of(&router, "/page").await.unwrap(), "gzip");
        assert_eq!(encoding_of(&router, "/font.woff2").await, None);
    }
}
