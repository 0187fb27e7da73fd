//! Routes for labels and scanning: public keys, QR images, verdicts as JSON, photo uploads.

use crate::scan::{self, PhotoError, MAX_PHOTO_BYTES};
use app::app::shell;
use app::domain::{Lang, RobotId};
use app::i18n::{lang_from_headers, tr};
use app::pages::scan::{ScanProblem, MAX_CODES};
use app::state::AppState;
use app::verdict::{finding, Finding, MAX_CODE_LEN};
use axum::body::Body;
use axum::extract::{Multipart, Path, Query, RawQuery, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use axum::Json;
use leptos::prelude::provide_context;
use serde_json::json;

fn error(status: StatusCode, code: &str, message: String) -> Response {
    (
        status,
        Json(json!({ "error": { "code": code, "message": message } })),
    )
        .into_response()
}

/// Hosts whose links count as the registry's: the configured ones and this request's.
fn hosts(state: &AppState, headers: &HeaderMap) -> Vec<String> {
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    state.settings.hosts_for(host)
}

/// `GET /.well-known/robopass-keys.json`: every public key that verifies labels.
pub async fn keys(State(state): State<AppState>) -> Response {
    let body = json!({
        "issuer": state.settings.public_origin,
        "algorithm": "Ed25519",
        "label_format": "{ORIGIN}/R/{ID}/{KID}.{SIG}",
        "signed_message": "robopass-label-v1:{ID}:{KID}",
        "signature_encoding": "base32 (RFC 4648, no padding)",
        "key_id": "first 4 base32 characters of SHA-256(public key)",
        "keys": state.settings.keys.published(),
    });
    (
        [
            (header::CACHE_CONTROL, "public, max-age=300"),
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        ],
        Json(body),
    )
        .into_response()
}

/// Labels drawn lately, by (ID, format, size). Drawing one is mostly choosing the QR mask
/// (about a millisecond); a venue printing a batch, or many phones opening one label page, ask
/// for the same few again. Robots are never removed and keys change only on restart, so an entry
/// cannot go stale, and a hit needs no database query either.
#[derive(Clone)]
pub struct LabelCache(moka::sync::Cache<(String, &'static str, u32), bytes::Bytes>);

impl Default for LabelCache {
    fn default() -> LabelCache {
        LabelCache(moka::sync::Cache::builder().max_capacity(4_096).build())
    }
}

#[derive(serde::Deserialize)]
pub struct SizeQuery {
    size: Option<String>,
}

/// `GET /qr/{ID}.svg` and `/qr/{ID}.png`: the signed label of a registered robot.
pub async fn qr(
    State(state): State<AppState>,
    Extension(cache): Extension<LabelCache>,
    Path(file): Path<String>,
    Query(q): Query<SizeQuery>,
    headers: HeaderMap,
) -> Response {
    let lang = lang_from_headers(&headers);
    let plain = |status: StatusCode, key: &str| {
        (
            status,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            tr(lang, key),
        )
            .into_response()
    };
    let Some((raw, ext)) = file.rsplit_once('.') else {
        return plain(StatusCode::NOT_FOUND, "qr.unknown_format");
    };
    if ext != "svg" && ext != "png" {
        return plain(StatusCode::NOT_FOUND, "qr.unknown_format");
    }
    let Ok(id) = RobotId::parse(raw) else {
        return plain(StatusCode::BAD_REQUEST, "qr.bad_id");
    };
    let size = match q.size.as_deref().map(str::parse::<u32>) {
        None => scan::DEFAULT_LABEL_SIZE,
        Some(Ok(s)) if scan::LABEL_SIZES.contains(&s) => s,
        Some(_) => return plain(StatusCode::BAD_REQUEST, "qr.bad_size"),
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
    let key = (id.to_string(), ext, size);
    if let Some(body) = cache.0.get(&key) {
        return respond(body);
    }
    match app::db::registered_among(&state.pool, std::slice::from_ref(&id)).await {
        Ok(found) if found.is_empty() => return plain(StatusCode::NOT_FOUND, "qr.not_registered"),
        Ok(_) => {}
        Err(e) => {
            tracing::error!(error = %e, "label lookup failed");
            return plain(StatusCode::SERVICE_UNAVAILABLE, "unavailable.detail");
        }
    }
    let url = state
        .settings
        .keys
        .label_url(&state.settings.public_origin, &id);
    let drawn = if ext == "svg" {
        scan::label_svg(&url, size)
            .map(bytes::Bytes::from)
            .map_err(anyhow::Error::from)
    } else {
        scan::label_png(&url, size).map(bytes::Bytes::from)
    };
    match drawn {
        Ok(body) => {
            cache.0.insert(key, body.clone());
            respond(body)
        }
        Err(e) => {
            tracing::error!(error = %e, "label rendering failed");
            plain(StatusCode::INTERNAL_SERVER_ERROR, "unavailable.detail")
        }
    }
}

/// `GET /api/v1/verify?code=…`: the verdict on a code's text (the first `code`, decoded once).
pub async fn verify(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let lang = lang_from_headers(&headers);
    let code = url::form_urlencoded::parse(query.unwrap_or_default().as_bytes())
        .find(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    if code.trim().is_empty() {
        return error(
            StatusCode::BAD_REQUEST,
            "missing_code",
            tr(lang, "scan.problem.missing_code"),
        );
    }
    if code.len() > MAX_CODE_LEN {
        return error(
            StatusCode::BAD_REQUEST,
            "code_too_long",
            tr(lang, "scan.problem.code_too_long"),
        );
    }
    let hosts = hosts(&state, &headers);
    Json(finding(&code, &state.settings.registry(&hosts), lang)).into_response()
}

/// Read at most [`MAX_PHOTO_BYTES`] of a body; more is [`PhotoError::TooLarge`].
async fn body_bytes(body: Body) -> Result<bytes::Bytes, PhotoError> {
    axum::body::to_bytes(body, MAX_PHOTO_BYTES)
        .await
        .map_err(|_| PhotoError::TooLarge)
}

fn declared_too_large(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        // Room for a multipart form's boundaries around the photo.
        .is_some_and(|n| n > MAX_PHOTO_BYTES + 64 * 1024)
}

/// Photos being decoded at once, at most: each takes a core and up to 256 MB for a few hundred
/// milliseconds, so more in parallel would only queue for the CPU while holding memory.
#[derive(Clone)]
pub struct DecodeSlots(std::sync::Arc<tokio::sync::Semaphore>);

impl Default for DecodeSlots {
    fn default() -> DecodeSlots {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        DecodeSlots(std::sync::Arc::new(tokio::sync::Semaphore::new(cores)))
    }
}

/// How long an upload waits for a free slot before it is told to try again.
const DECODE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Decode on a blocking thread: a 12-megapixel photo is a few hundred milliseconds of CPU.
async fn decode(slots: &DecodeSlots, bytes: bytes::Bytes) -> Result<Vec<String>, PhotoError> {
    let Ok(Ok(_slot)) = tokio::time::timeout(DECODE_WAIT, slots.0.acquire()).await else {
        return Err(PhotoError::Busy);
    };
    let started = std::time::Instant::now();
    let result = tokio::task::spawn_blocking(move || scan::decode_photo(&bytes))
        .await
        .unwrap_or(Err(PhotoError::Unreadable));
    tracing::info!(
        ms = started.elapsed().as_secs_f64() * 1000.0,
        outcome = result
            .as_ref()
            .map(|c| c.len())
            .map_err(|e| e.code())
            .map_or_else(|e| e.to_string(), |n| format!("{n} codes")),
        "photo decoded"
    );
    result
}

fn photo_error(lang: Lang, e: &PhotoError) -> Response {
    error(
        StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
        e.code(),
        tr(lang, &format!("scan.problem.{}", e.code())),
    )
}

/// `POST /api/v1/scan`: a photo (the raw body, or the first file of a multipart form) in,
/// the verdict on every code in it out.
pub async fn api_scan(
    State(state): State<AppState>,
    Extension(slots): Extension<DecodeSlots>,
    req: Request,
) -> Response {
    let headers = req.headers().clone();
    let lang = lang_from_headers(&headers);
    let codes = match read_photo(&state, req).await {
        Ok(b) => decode(&slots, b).await,
        Err(e) => Err(e),
    };
    match codes {
        Ok(codes) => {
            let hosts = hosts(&state, &headers);
            let registry = state.settings.registry(&hosts);
            let findings: Vec<Finding> = codes
                .iter()
                .take(MAX_CODES)
                .map(|c| finding(c, &registry, lang))
                .collect();
            Json(json!({ "codes": findings })).into_response()
        }
        Err(e) => photo_error(lang, &e),
    }
}

/// The photo of an upload: the raw body, or the first file of a multipart form; refused
/// early when it says it is too large, and refused when empty.
async fn read_photo(state: &AppState, req: Request) -> Result<bytes::Bytes, PhotoError> {
    use axum::extract::FromRequest as _;
    if declared_too_large(req.headers()) {
        return Err(PhotoError::TooLarge);
    }
    let is_form = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let bytes = if is_form {
        match Multipart::from_request(req, state).await {
            Ok(form) => form_photo(form).await?,
            Err(_) => return Err(PhotoError::NotAnImage),
        }
    } else {
        body_bytes(req.into_body()).await?
    };
    if bytes.is_empty() {
        return Err(PhotoError::NotAnImage);
    }
    Ok(bytes)
}

/// The first file in a form, whatever its field is called.
async fn form_photo(mut form: Multipart) -> Result<bytes::Bytes, PhotoError> {
    loop {
        match form.next_field().await {
            Ok(Some(field)) if field.file_name().is_some() || field.name() == Some("photo") => {
                return field.bytes().await.map_err(|e| {
                    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        PhotoError::TooLarge
                    } else {
                        PhotoError::Unreadable
                    }
                });
            }
            Ok(Some(_)) => continue,
            Ok(None) => return Err(PhotoError::NotAnImage),
            Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(PhotoError::TooLarge)
            }
            Err(_) => return Err(PhotoError::Unreadable),
        }
    }
}

/// `POST /scan/photo`: the scanner's photo form (works without JavaScript). On to the
/// verdicts when a code is found; otherwise the scanner again, saying what went wrong.
pub async fn photo_form(
    State(state): State<AppState>,
    Extension(slots): Extension<DecodeSlots>,
    req: Request,
) -> Response {
    let headers = req.headers().clone();
    let result = match read_photo(&state, req).await {
        Ok(bytes) => decode(&slots, bytes).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(codes) => {
            let mut query = url::form_urlencoded::Serializer::new(String::new());
            for c in codes.iter().take(MAX_CODES) {
                query.append_pair("code", c);
            }
            Redirect::to(&format!("/verify?{}", query.finish())).into_response()
        }
        Err(e) => {
            let problem = ScanProblem {
                status: e.status(),
                code: e.code(),
            };
            scan_page(state, headers, problem).await
        }
    }
}

/// The scanner page, rendered by the app, with a problem to show.
async fn scan_page(state: AppState, headers: HeaderMap, problem: ScanProblem) -> Response {
    let mut req = Request::new(Body::empty());
    *req.uri_mut() = axum::http::Uri::from_static("/scan");
    *req.headers_mut() = headers;
    req.headers_mut().remove(header::CONTENT_TYPE);
    req.headers_mut().remove(header::CONTENT_LENGTH);
    let options = state.leptos_options.clone();
    let handler = leptos_axum::render_app_to_stream_with_context(
        move || {
            provide_context(state.clone());
            provide_context(problem.clone());
        },
        move || shell(options.clone()),
    );
    handler(req).await.into_response()
}
