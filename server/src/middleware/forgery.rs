//! Forged requests: a page on another site that makes a signed-in person's browser post a form
//! here (sign them out, change their password, file a report in their name). Every request
//! that changes something is refused with 403 when the browser says it comes from another site:
//! by `Sec-Fetch-Site`, which every current browser sends, else by `Origin` against the
//! registry's hosts. A request with neither is not from a browser's page (a script, a machine
//! with a bearer token) and carries no one's cookies by accident: it passes.

use crate::error::{Failure, Form};
use app::i18n::lang_from_headers;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use domain::link::OurHosts;
use domain::Problem;
use std::sync::Arc;

/// Whether a request with these headers was sent by a page of another site.
pub fn from_another_site(headers: &HeaderMap, hosts: &OurHosts) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        // `same-origin`: our own page; `none`: the person typed it or followed a bookmark.
        // `same-site` is a sibling host, which is another site as far as this portal is
        // concerned.
        return !matches!(site.as_bytes(), b"same-origin" | b"none");
    }
    match headers.get(axum::http::header::ORIGIN) {
        None => false,
        Some(origin) => {
            let Ok(origin) = origin.to_str() else {
                return true;
            };
            let scheme = if hosts.https() { "https://" } else { "http://" };
            match origin.strip_prefix(scheme) {
                Some(host) => !hosts.serves(host),
                // `null` (a sandboxed frame, a redirect chain), another scheme, anything else.
                None => true,
            }
        }
    }
}

fn changes_something(method: &Method) -> bool {
    !matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    )
}

/// Refuse requests that change something and come from another site's page.
pub async fn same_site_only(
    State(hosts): State<Arc<OurHosts>>,
    req: Request,
    next: Next,
) -> Response {
    if changes_something(req.method()) && from_another_site(req.headers(), &hosts) {
        let lang = lang_from_headers(req.headers());
        let form = if req.uri().path().starts_with("/api/") {
            Form::Json
        } else {
            Form::Page
        };
        tracing::warn!(path = %req.uri().path(), "refused a request sent from another site");
        return Failure::new(registry::Error::Forbidden(Problem::CrossSite), lang, form)
            .into_response();
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn the_browser_says_where_a_request_comes_from() {
        let hosts = OurHosts::new("https://robopass.example", ["127.0.0.1:3000".into()]);
        let foreign = |p: &[(&'static str, &'static str)]| from_another_site(&headers(p), &hosts);
        assert!(!foreign(&[]));
        assert!(!foreign(&[("sec-fetch-site", "same-origin")]));
        assert!(!foreign(&[("sec-fetch-site", "none")]));
        assert!(foreign(&[("sec-fetch-site", "cross-site")]));
        assert!(foreign(&[("sec-fetch-site", "same-site")]));
        // Sec-Fetch-Site decides when both are sent.
        assert!(foreign(&[
            ("sec-fetch-site", "cross-site"),
            ("origin", "https://robopass.example")
        ]));
        assert!(!foreign(&[("origin", "https://robopass.example")]));
        assert!(!foreign(&[("origin", "https://ROBOPASS.example:443")]));
        assert!(!foreign(&[("origin", "https://127.0.0.1:3000")]));
        assert!(foreign(&[("origin", "http://robopass.example")]));
        assert!(foreign(&[("origin", "https://robopass.example.evil")]));
        assert!(foreign(&[("origin", "https://evil.example")]));
        assert!(foreign(&[("origin", "null")]));
    }
}
