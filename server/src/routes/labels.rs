//! Labels: the public keys that check them and the signed QR code of a registered robot, as
//! SVG or PNG.

use crate::error::{Failure, Form};
use crate::scan;
use crate::state::AppState;
use app::i18n::lang_from_headers;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use axum::Json;
use domain::{Lang, Problem, RobotId};

/// The keys that verify labels, and how a label is signed.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct KeySet {
    /// The registry's origin: every label starts with it.
    pub issuer: String,
    pub algorithm: &'static str,
    pub label_format: &'static str,
    pub signed_message: &'static str,
    pub signature_encoding: &'static str,
    pub key_id: &'static str,
    pub keys: Vec<registry::labels::PublishedKey>,
}

/// `GET /.well-known/robopass-keys.json`: every public key that verifies labels.
#[utoipa::path(
    operation_id = "label_keys",
    get,
    path = "/.well-known/robopass-keys.json",
    tag = "public",
    summary = "The keys that verify labels",
    description = "Every Ed25519 public key the registry signs labels with, current and retired, and how a label is signed: a program can check a label offline.",
    responses((status = 200, description = "The keys", body = KeySet)),
)]
pub async fn keys(State(state): State<AppState>) -> Response {
    let body = KeySet {
        issuer: state.registry.hosts().origin().to_string(),
        algorithm: "Ed25519",
        label_format: "{ORIGIN}/R/{ID}/{KID}.{SIG}",
        signed_message: "robopass-label-v1:{ID}:{KID}",
        signature_encoding: "base32 (RFC 4648, no padding)",
        key_id: "first 4 base32 characters of SHA-256(public key)",
        keys: state.registry.keys().published(),
    };
    (
        [
            (header::CACHE_CONTROL, "public, max-age=300"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        Json(body),
    )
        .into_response()
}

/// Labels drawn lately, by (ID, format, pixels a module): sizes that give the same module are
/// the same picture, so a robot has a few dozen at most, not one per size asked for. Drawing
/// one is mostly choosing the QR mask (about a millisecond) and, for a PNG, compressing it; a
/// venue printing a batch, or many phones opening one label page, ask for the same few again.
/// Robots are never removed and keys change only on restart, so an entry cannot go stale, and
/// a hit needs no database query either. Bounded in bytes ([`LABEL_CACHE_BYTES`]).
///
/// Drawing runs on blocking threads, a few at a time ([`LabelCache::drawing`]), never on the
/// threads that serve requests.
#[derive(Clone)]
pub struct LabelCache {
    /// Shared, not copied, with every request (see [`crate::fresh::Fresh`]).
    labels: std::sync::Arc<moka::sync::Cache<(String, &'static str, u32), bytes::Bytes>>,
    drawing: std::sync::Arc<tokio::sync::Semaphore>,
}

/// Bytes of drawn labels kept: a 2048-pixel PNG is about 10 KB, an SVG 30–60 KB.
const LABEL_CACHE_BYTES: u64 = 64 * 1024 * 1024;

impl Default for LabelCache {
    fn default() -> LabelCache {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        LabelCache {
            labels: std::sync::Arc::new(
                moka::sync::Cache::builder()
                    .max_capacity(LABEL_CACHE_BYTES)
                    .weigher(|k: &(String, &'static str, u32), v: &bytes::Bytes| {
                        u32::try_from(v.len() + k.0.len() + 64).unwrap_or(u32::MAX)
                    })
                    .build(),
            ),
            drawing: std::sync::Arc::new(tokio::sync::Semaphore::new(cores)),
        }
    }
}

#[derive(serde::Deserialize)]
pub struct SizeQuery {
    size: Option<String>,
}

/// `GET /qr/{ID}.svg` and `/qr/{ID}.png`: the signed label of a registered robot.
#[utoipa::path(
    get,
    operation_id = "label_image",
    path = "/qr/{file}",
    tag = "public",
    summary = "A robot's signed QR label",
    description = "The QR code of the robot's signed label (`/R/{ID}/{KID}.{SIG}`), as SVG or PNG. Errors are pages for people, who open these addresses too.",
    params(
        ("file" = String, Path, description = "The robot's ID followed by `.svg` or `.png`; a non-canonical ID is redirected (308) to the canonical address"),
        ("size" = Option<u32>, Query, description = "The printed width in pixels, one of the label sizes the label page offers"),
    ),
    responses(
        (status = 200, description = "The label", content((String = "image/svg+xml"), (String = "image/png"))),
        (status = 308, description = "To the canonical address"),
        (status = 400, description = "Not a robot ID, or not a label size", content((String = "text/html"))),
        (status = 404, description = "Not a registered robot, or not `.svg` or `.png`", content((String = "text/html"))),
        (status = 503, description = "Too many labels being drawn: try again", content((String = "text/html"))),
    ),
)]
pub async fn qr(
    State(state): State<AppState>,
    Extension(cache): Extension<LabelCache>,
    Path(file): Path<String>,
    Query(q): Query<SizeQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = lang_from_headers(&headers);
    // A label's address is opened by people too (the label page links to it): they get a page.
    let fail = |e: registry::Error| Failure::new(e, lang, Form::Page).into_response();
    let Some((raw, ext)) = file.rsplit_once('.') else {
        return fail(registry::Error::NotFound(Problem::UnknownFormat));
    };
    if ext != "svg" && ext != "png" {
        return fail(registry::Error::NotFound(Problem::UnknownFormat));
    }
    let Ok(id) = RobotId::parse(raw) else {
        return fail(registry::Error::Invalid(Problem::BadId));
    };
    let size = match q.size.as_deref().map(str::parse::<u32>) {
        None => scan::DEFAULT_LABEL_SIZE,
        Some(Ok(s)) if scan::LABEL_SIZES.contains(&s) => s,
        Some(_) => return fail(registry::Error::Invalid(Problem::BadSize)),
    };
    if id.as_str() != raw {
        let query = q.size.map(|_| format!("?size={size}")).unwrap_or_default();
        return Redirect::permanent(&format!("/qr/{id}.{ext}{query}")).into_response();
    }
    let (ext, content_type) = if ext == "svg" {
        ("svg", "image/svg+xml")
    } else {
        ("png", "image/png")
    };
    let respond = |body: bytes::Bytes| {
        (
            [
                (header::CONTENT_TYPE, content_type),
                (header::CACHE_CONTROL, "public, max-age=3600"),
            ],
            body,
        )
            .into_response()
    };
    let registry = &state.registry;
    let url = registry.keys().label_url(registry.hosts().origin(), &id);
    let module = match scan::label_module_px(&url, size) {
        Ok(m) => m,
        Err(e) => {
            tracing::error!(error = %e, "label cannot be encoded");
            return internal(lang);
        }
    };
    let key = (id.to_string(), ext, module);
    if let Some(body) = cache.labels.get(&key) {
        return respond(body);
    }
    match registry::services::registered_among(registry.database(), std::slice::from_ref(&id)).await
    {
        Ok(found) if found.is_empty() => return fail(registry::Error::NotFound(Problem::NoLabel)),
        Ok(_) => {}
        Err(e) => return fail(e.into()),
    }
    let Ok(_drawing) = cache.drawing.clone().acquire_owned().await else {
        return fail(registry::Error::Unavailable);
    };
    let drawn = tokio::task::spawn_blocking(move || {
        if ext == "svg" {
            scan::label_svg(&url, size)
                .map(bytes::Bytes::from)
                .map_err(anyhow::Error::from)
        } else {
            scan::label_png(&url, size).map(bytes::Bytes::from)
        }
    })
    .await
    .unwrap_or_else(|e| Err(anyhow::anyhow!("label drawing stopped: {e}")));
    match drawn {
        Ok(body) => {
            cache.labels.insert(key, body.clone());
            respond(body)
        }
        Err(e) => {
            tracing::error!(error = %e, "label rendering failed");
            internal(lang)
        }
    }
}

/// A label that could not be drawn: the registry's words for "not now", with a 500 (the fault
/// is this server's, and logged).
fn internal(lang: Lang) -> Response {
    let mut response = Failure::new(registry::Error::Unavailable, lang, Form::Page).into_response();
    *response.status_mut() = StatusCode::INTERNAL_SERVER_ERROR;
    response
}
