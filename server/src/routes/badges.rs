//! `GET /badge/{ID}.svg?lang=`: a robot's status as a small SVG a venue puts on its own
//! website (the venue's dashboard gives the snippet). The same for everyone, so cached briefly
//! by browsers and shared caches, and checked again with its ETag (304 when unchanged). What
//! it shows is looked up at most a second earlier ([`BadgeCache`]): a busy venue's site embeds
//! it on every page view.
//!
//! Safe to embed anywhere: an image (`image/svg+xml`, `nosniff`), never a script inside (it is
//! written here from fixed parts, every piece of text escaped), under a policy that forbids
//! everything a document could load (`default-src 'none'`) should someone open it as one.

use crate::fresh::Fresh;
use crate::state::AppState;
use app::components::status::status_path;
use app::i18n::{lang_from_headers, tr, tr_with};
use axum::extract::{Extension, Path, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use domain::{Lang, RobotId, Status};
use html_escape::{encode_double_quoted_attribute as attr, encode_text as text};
use std::fmt::Write;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// How long browsers and shared caches may show a badge before asking again (with its ETag).
const MAX_AGE_S: u32 = 30;

/// A badge as drawn: its bytes and their ETag.
type Drawn = (bytes::Bytes, HeaderValue);

/// Bytes of badges kept drawn (a badge is about 1.5 KB).
const DRAWN_BYTES: u64 = 32 * 1024 * 1024;

/// Statuses looked up lately, by robot ID: each at most a second old (see [`crate::fresh`]);
/// and badges drawn, by what they show (status, ID, language): a badge is the same picture
/// for as long as its status is, so a busy robot's is drawn once, not at every view.
/// Shared, not copied, with every request (see [`Fresh`]).
#[derive(Clone)]
pub struct BadgeCache(
    Fresh<Status>,
    Arc<moka::sync::Cache<(&'static str, String, Lang), Drawn>>,
);

impl Default for BadgeCache {
    fn default() -> BadgeCache {
        BadgeCache(
            Fresh::new(200_000),
            Arc::new(
                moka::sync::Cache::builder()
                    .max_capacity(DRAWN_BYTES)
                    .weigher(|k: &(&'static str, String, Lang), v: &Drawn| {
                        u32::try_from(v.0.len() + k.1.len() + 64).unwrap_or(u32::MAX)
                    })
                    .build(),
            ),
        )
    }
}

#[derive(serde::Deserialize)]
pub struct LangQuery {
    lang: Option<String>,
}

/// The status's colours: background and ink.
fn colours(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "in_service" => ("#0b6b2f", "#ffffff"),
        "not_deployed" => ("#3d4f63", "#ffffff"),
        "inspection_overdue" => ("#ffdd57", "#3b2a00"),
        "recall_open" => ("#a8410a", "#ffffff"),
        "suspended" => ("#b00020", "#ffffff"),
        "scrapped" => ("#202124", "#ffffff"),
        _ => ("#5b2a86", "#ffffff"),
    }
}

/// The badge: the status's colour and icon, its words in `lang`, the grouped ID (or what was
/// asked for, when it is not a robot ID), and a `<title>` that says it all.
pub fn svg(kind: &str, shown_id: &str, lang: Lang) -> String {
    let words = tr(lang, &format!("badge.{kind}"));
    let title = if shown_id.is_empty() {
        tr_with(lang, "badge.title_no_id", &[("status", &words)])
    } else {
        tr_with(lang, "badge.title", &[("id", shown_id), ("status", &words)])
    };
    let (fill, ink) = colours(kind);
    let mut out = String::with_capacity(1024);
    let _ = write!(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"320\" height=\"56\" viewBox=\"0 0 320 56\" \
         role=\"img\" aria-labelledby=\"t\" lang=\"{}\">\
         <title id=\"t\">{}</title>\
         <rect x=\"1\" y=\"1\" width=\"318\" height=\"54\" rx=\"6\" fill=\"{fill}\" stroke=\"{ink}\" stroke-width=\"2\"/>\
         <svg x=\"10\" y=\"14\" width=\"28\" height=\"28\" viewBox=\"0 0 24 24\" aria-hidden=\"true\">\
         <path d=\"{}\" fill=\"{ink}\"/></svg>\
         <text x=\"48\" y=\"25\" fill=\"{ink}\" font-family=\"system-ui,-apple-system,'Segoe UI',sans-serif\" \
         font-size=\"15\" font-weight=\"700\">{}</text>\
         <text x=\"48\" y=\"44\" fill=\"{ink}\" font-family=\"ui-monospace,Menlo,Consolas,monospace\" \
         font-size=\"12\">{}</text></svg>",
        lang.code(),
        text(&title),
        attr(status_path(kind)),
        text(&words),
        text(shown_id),
    );
    out
}

/// The ETag of a badge's bytes.
fn etag_of(body: &str) -> String {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut h);
    format!("\"b{:016x}\"", h.finish())
}

/// Whether `If-None-Match` names `etag` (or is `*`).
pub(crate) fn matches(headers: &HeaderMap, etag: &str) -> bool {
    headers
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|t| t.trim().trim_start_matches("W/"))
        .any(|t| t == etag || t == "*")
}

/// The badge when the registry cannot answer: 503, kept by no cache.
fn unavailable(lang: Lang) -> Response {
    let mut response = (
        StatusCode::SERVICE_UNAVAILABLE,
        svg("unavailable", "", lang),
    )
        .into_response();
    image_headers(response.headers_mut());
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// `GET /badge/{ID}.svg?lang=en|zh-CN` (without `lang`, the browser's languages decide).
#[utoipa::path(
    get,
    operation_id = "badge",
    path = "/badge/{file}",
    tag = "public",
    summary = "A robot's status as a small image",
    description = "For a venue's own website: an SVG with the status's colour and icon, the status in words, the grouped ID and a title, never a script. Cached for a short while with an ETag, so it stays live (304 on `If-None-Match`). A robot that is not registered, or not an ID, gets a badge saying so, with 404.",
    params(
        ("file" = String, Path, description = "The robot's ID followed by `.svg`"),
        ("lang" = Option<String>, Query, description = "`en` or `zh-CN`; without it, `Accept-Language` decides"),
    ),
    responses(
        (status = 200, description = "The badge", content((String = "image/svg+xml"))),
        (status = 304, description = "Unchanged since the ETag sent in `If-None-Match`"),
        (status = 404, description = "A badge saying the robot is not registered, or that this is not a robot ID", content((String = "image/svg+xml"))),
        (status = 503, description = "A badge saying the status cannot be read just now", content((String = "image/svg+xml"))),
    ),
)]
pub async fn badge(
    State(state): State<AppState>,
    Extension(cache): Extension<BadgeCache>,
    Path(file): Path<String>,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = q
        .lang
        .as_deref()
        .and_then(Lang::from_tag)
        .unwrap_or_else(|| lang_from_headers(&headers));
    let raw = file.strip_suffix(".svg").unwrap_or(&file);
    let (status, kind, shown) = match RobotId::parse(raw) {
        Ok(id) => {
            let read = || async {
                let today = registry::services::today();
                match registry::services::status_now(&state.registry, &id, &today).await {
                    Ok(Some(status)) => Ok(status),
                    Ok(None) => Err(registry::Error::NotFound(domain::Problem::NotRegistered)),
                    Err(e) => Err(e),
                }
            };
            let Ok(status) = cache.0.get(id.as_str(), read).await else {
                // Said in the image itself, never kept by anyone: the next view asks again.
                return unavailable(lang);
            };
            let status = status.map(|s| *s);
            match status {
                Some(s) => (StatusCode::OK, s.as_str(), id.display()),
                None => (StatusCode::NOT_FOUND, "not_registered", id.display()),
            }
        }
        // Not an ID: said so, without repeating what was sent.
        Err(_) => (StatusCode::NOT_FOUND, "malformed", String::new()),
    };
    let (body, etag) = cache.1.get_with((kind, shown.clone(), lang), || {
        let body = svg(kind, &shown, lang);
        let etag = HeaderValue::from_str(&etag_of(&body))
            .unwrap_or_else(|_| HeaderValue::from_static("\"badge\""));
        (bytes::Bytes::from(body), etag)
    });
    let fresh = etag.to_str().is_ok_and(|e| matches(&headers, e));
    let mut response = if status == StatusCode::OK && fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (status, body).into_response()
    };
    let h = response.headers_mut();
    image_headers(h);
    h.insert(header::ETAG, etag);
    if let Ok(v) = HeaderValue::from_str(&format!("public, max-age={MAX_AGE_S}")) {
        h.insert(header::CACHE_CONTROL, v);
    }
    response
}

/// What makes a badge an image safe to embed anywhere, whatever its status.
fn image_headers(h: &mut HeaderMap) {
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("image/svg+xml; charset=utf-8"),
    );
    h.insert(header::VARY, HeaderValue::from_static("Accept-Language"));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static("default-src 'none'; frame-ancestors *"),
    );
    h.insert(
        "cross-origin-resource-policy",
        HeaderValue::from_static("cross-origin"),
    );
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_badge_is_text_in_fixed_tags() {
        let body = svg("suspended", "CN·A1B2·HX1234·00000000000000001", Lang::En);
        assert!(body.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
        assert!(!body.to_ascii_lowercase().contains("script"));
        assert!(body.contains("<title id=\"t\">"));
        let zh = svg("in_service", "x", Lang::ZhCn);
        assert!(zh.contains("lang=\"zh-CN\""));
        assert_ne!(etag_of(&body), etag_of(&zh));
        let mut headers = HeaderMap::new();
        let etag = etag_of(&body);
        headers.insert(
            header::IF_NONE_MATCH,
            HeaderValue::from_str(&format!("\"x\", W/{etag}")).unwrap(),
        );
        assert!(matches(&headers, &etag));
        assert!(!matches(&HeaderMap::new(), &etag));
    }
}
