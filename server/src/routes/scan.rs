//! Scanning: verdicts on a code's text (`/api/v1/verify`, `POST /verify`) and on the codes in a
//! photo (`/api/v1/scan`, `POST /scan/photo`), with the child processes that read photos.

use crate::error::{Failure, Form};
use crate::scan::ChildAnswer;
use crate::state::AppState;
use app::i18n::lang_from_headers;
use app::i18n::verdict::{finding, Finding};
use app::pages::scan::{ScanProblem, SubmittedCodes, MAX_CODES};
use axum::body::Body;
use axum::extract::{Multipart, RawQuery, Request, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use axum::Json;
use domain::verdict::MAX_CODE_LEN;
use domain::Problem;
use photo::{PhotoError, MAX_PHOTO_BYTES};

/// `GET /api/v1/verify?code=…`: the verdict on a code's text (the first `code`, decoded once).
#[utoipa::path(
    operation_id = "verify_code",
    get,
    path = "/api/v1/verify",
    tag = "public",
    summary = "Check a code's text",
    description = "Whatever a QR code or a person gave: the registry's signed label (`verified_label`), a link to the registry that it did not sign (`not_issued`), a link elsewhere (`foreign_host`), a plain robot ID (`robot_id`) or none of these (`not_a_robot_id`), with the verdict in words.",
    params(
        ("code" = String, Query, description = "The code's text, at most 3,000 bytes"),
        ("Accept-Language" = Option<String>, Header, description = "`en` or `zh-CN`: the language of messages"),
    ),
    responses(
        (status = 200, description = "The verdict", body = app::i18n::verdict::Finding),
        (status = 400, description = "No code, or a code too long", body = crate::error::ErrorBody),
    ),
)]
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
        return Failure::invalid(Problem::MissingCode, lang, Form::Json).into_response();
    }
    if code.len() > MAX_CODE_LEN {
        return Failure::invalid(Problem::CodeTooLong, lang, Form::Json).into_response();
    }
    let registry = &state.registry;
    Json(finding(&code, registry.hosts(), registry.keys(), lang)).into_response()
}

/// Read at most [`MAX_PHOTO_BYTES`] of a body; more is [`PhotoError::TooLarge`], a body that
/// stops coming (the body timeout) is [`PhotoError::UploadStalled`].
async fn body_bytes(body: Body) -> Result<bytes::Bytes, PhotoError> {
    axum::body::to_bytes(body, MAX_PHOTO_BYTES)
        .await
        .map_err(|e| {
            let inner = e.into_inner();
            if inner.is::<http_body_util::LengthLimitError>() {
                PhotoError::TooLarge
            } else {
                PhotoError::UploadStalled
            }
        })
}

fn declared_too_large(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        // Room for a multipart form's boundaries around the photo.
        .is_some_and(|n| n > MAX_PHOTO_BYTES + 64 * 1024)
}

/// Photo decoding. Each photo is read in a child process of its own (`robopass decode-photo`,
/// [`crate::scan::decode_child`]) because reading is not always bounded: rqrr's grouping of
/// finder patterns grows much faster than the number of patterns, so a small picture tiled with
/// them costs minutes of CPU, and a thread cannot be stopped. A child stops itself when its CPU
/// budget is spent; one that is still running after [`WALL_LIMIT`] (a machine too loaded to
/// give it its CPU), or whose requester hung up, is killed.
///
/// At most `slots` children run at once (one a core: more would only queue for the CPU while
/// holding memory). A slot is held by a task of its own, not by the request, until the child
/// has exited: a client that hangs up cannot free a slot while its decode still runs.
/// Uploads being received are capped too, so bodies cannot pile up waiting for a slot.
#[derive(Clone)]
pub struct Decoder(std::sync::Arc<DecoderInner>);

struct DecoderInner {
    slots: std::sync::Arc<tokio::sync::Semaphore>,
    uploads: std::sync::Arc<tokio::sync::Semaphore>,
    exe: std::path::PathBuf,
    cpu: std::time::Duration,
}

/// Longest a decode may take from start to answer, whatever its CPU time.
const WALL_LIMIT: std::time::Duration = std::time::Duration::from_secs(10);

/// How long an upload waits for a free slot before it is told to try again.
const DECODE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);
/// Uploads received at once, per decoding slot: enough to keep the slots busy, few enough that
/// their bodies (12 MB at most each) stay small beside the decodes.
const UPLOADS_PER_SLOT: usize = 4;
/// How long an upload waits for room to be received before it is told to try again.
const UPLOAD_WAIT: std::time::Duration = std::time::Duration::from_secs(5);
/// Most a child may write back: eight codes of at most 7,089 characters and their quoting.
const MAX_CHILD_ANSWER: u64 = 256 * 1024;

impl Decoder {
    /// Decoding with `exe decode-photo`, each photo given `cpu` of CPU time.
    pub fn new(exe: std::path::PathBuf, cpu: std::time::Duration) -> Decoder {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        Decoder(std::sync::Arc::new(DecoderInner {
            slots: std::sync::Arc::new(tokio::sync::Semaphore::new(cores)),
            uploads: std::sync::Arc::new(tokio::sync::Semaphore::new(cores * UPLOADS_PER_SLOT)),
            exe,
            cpu,
        }))
    }

    /// A place for one more upload, waited for a little; `None` when as many as allowed are
    /// being received or decoded all that time.
    async fn upload(&self) -> Option<tokio::sync::OwnedSemaphorePermit> {
        tokio::time::timeout(UPLOAD_WAIT, self.0.uploads.clone().acquire_owned())
            .await
            .ok()?
            .ok()
    }

    /// The codes in a photo, read by a child process in one of the slots.
    async fn decode(&self, bytes: bytes::Bytes) -> Result<Vec<String>, PhotoError> {
        let Ok(Ok(slot)) =
            tokio::time::timeout(DECODE_WAIT, self.0.slots.clone().acquire_owned()).await
        else {
            return Err(PhotoError::Busy);
        };
        let (tx, rx) = tokio::sync::oneshot::channel();
        let this = self.clone();
        tokio::spawn(async move {
            let started = std::time::Instant::now();
            let mut tx = tx;
            let result = this.run_child(&bytes, &mut tx).await;
            // The slot is given back only now, with the child gone.
            drop(slot);
            tracing::info!(
                ms = started.elapsed().as_secs_f64() * 1000.0,
                outcome = result
                    .as_ref()
                    .map(|c| c.len())
                    .map_err(|e| e.code())
                    .map_or_else(|e| e.to_string(), |n| format!("{n} codes")),
                "photo decoded"
            );
            let _ = tx.send(result);
        });
        rx.await.unwrap_or(Err(PhotoError::Unreadable))
    }

    /// Run one child on `bytes` until it answers, its budget is spent, or the requester
    /// (`tx`'s receiver) is gone; the child has exited when this returns.
    async fn run_child(
        &self,
        bytes: &[u8],
        tx: &mut tokio::sync::oneshot::Sender<Result<Vec<String>, PhotoError>>,
    ) -> Result<Vec<String>, PhotoError> {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        use tokio::process::Command;
        let spawned = Command::new(&self.0.exe)
            .arg("decode-photo")
            .arg(self.0.cpu.as_millis().to_string())
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .env_clear()
            .kill_on_drop(true)
            .spawn();
        let mut child = match spawned {
            Ok(child) => child,
            Err(e) => {
                tracing::error!(error = %e, exe = %self.0.exe.display(), "cannot start the photo decoder");
                return Err(PhotoError::Busy);
            }
        };
        let (Some(mut stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(PhotoError::Busy);
        };
        let work = async {
            // The child reads all of its input before it writes anything.
            stdin.write_all(bytes).await.ok()?;
            drop(stdin);
            let mut out = Vec::new();
            stdout
                .take(MAX_CHILD_ANSWER)
                .read_to_end(&mut out)
                .await
                .ok()?;
            Some(out)
        };
        let answer = tokio::select! {
            done = tokio::time::timeout(WALL_LIMIT, work) => match done {
                Ok(out) => Some(out),
                Err(_) => None,
            },
            _ = tx.closed() => {
                let _ = child.kill().await;
                return Err(PhotoError::Unreadable);
            }
        };
        let Some(out) = answer else {
            let _ = child.kill().await;
            return Err(PhotoError::TooComplex);
        };
        // Written and closed: the child is exiting. Its exit is awaited so the slot is only
        // freed after it.
        let status = match tokio::time::timeout(WALL_LIMIT, child.wait()).await {
            Ok(status) => status.ok(),
            Err(_) => {
                let _ = child.kill().await;
                None
            }
        };
        let parsed = out.and_then(|out| serde_json::from_slice::<ChildAnswer>(&out).ok());
        match (status, parsed) {
            (Some(s), Some(ChildAnswer::Codes(codes))) if s.success() => Ok(codes),
            (Some(s), Some(ChildAnswer::Problem(code))) if s.success() => {
                Err(PhotoError::from_code(&code).unwrap_or(PhotoError::Unreadable))
            }
            (status, _) => {
                // Killed for its CPU time (SIGXCPU) is the same as running over its budget.
                tracing::warn!(?status, "the photo decoder ended without an answer");
                Err(PhotoError::TooComplex)
            }
        }
    }
}

/// Every code found in a photo, each with its verdict.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct FindingList {
    pub codes: Vec<Finding>,
}

/// `POST /api/v1/scan`: a photo (the raw body, or the first file of a multipart form) in,
/// the verdict on every code in it out.
#[utoipa::path(
    operation_id = "scan",
    post,
    path = "/api/v1/scan",
    tag = "public",
    summary = "Read the QR codes in a photo",
    description = "A JPEG, PNG or WebP photo, as the raw body or the first file of a multipart form, at most 12 MB: every code in it with its verdict, as `/api/v1/verify` gives it.",
    params(("Accept-Language" = Option<String>, Header, description = "`en` or `zh-CN`: the language of messages")),
    request_body(content = String, content_type = "image/*", description = "The photo: JPEG, PNG or WebP (or a multipart form whose first file it is)"),
    responses(
        (status = 200, description = "The codes found", body = FindingList),
        (status = 408, description = "The upload stopped coming", body = crate::error::ErrorBody),
        (status = 413, description = "The photo is too large", body = crate::error::ErrorBody),
        (status = 415, description = "Not an image", body = crate::error::ErrorBody),
        (status = 422, description = "No code could be read, or the image is too large or complex to read", body = crate::error::ErrorBody),
        (status = 503, description = "Too many photos being read: try again", body = crate::error::ErrorBody),
    ),
)]
pub async fn api_scan(
    State(state): State<AppState>,
    Extension(decoder): Extension<Decoder>,
    req: Request,
) -> Response {
    let headers = req.headers().clone();
    let lang = lang_from_headers(&headers);
    let codes = read_and_decode(&state, &decoder, req).await;
    match codes {
        Ok(codes) => {
            let registry = &state.registry;
            let findings: Vec<Finding> = codes
                .iter()
                .take(MAX_CODES)
                .map(|c| finding(c, registry.hosts(), registry.keys(), lang))
                .collect();
            Json(FindingList { codes: findings }).into_response()
        }
        Err(e) => Failure::photo(&e, lang, Form::Json).into_response(),
    }
}

/// The codes in an upload's photo: received while there is room for one more upload, then
/// decoded in a slot.
async fn read_and_decode(
    state: &AppState,
    decoder: &Decoder,
    req: Request,
) -> Result<Vec<String>, PhotoError> {
    let Some(_receiving) = decoder.upload().await else {
        return Err(PhotoError::Busy);
    };
    let bytes = read_photo(state, req).await?;
    decoder.decode(bytes).await
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
                return field.bytes().await.map_err(form_error);
            }
            Ok(Some(_)) => continue,
            Ok(None) => return Err(PhotoError::NotAnImage),
            Err(e) => return Err(form_error(e)),
        }
    }
}

/// What went wrong reading a form, in the photo's terms. axum says 413 for a form over its
/// limit, 400 for a malformed one, and 500 when the body itself stopped arriving (the body
/// timeout, or a sender gone mid-upload).
fn form_error(e: axum::extract::multipart::MultipartError) -> PhotoError {
    match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => PhotoError::TooLarge,
        StatusCode::INTERNAL_SERVER_ERROR => PhotoError::UploadStalled,
        _ => PhotoError::Unreadable,
    }
}

/// `POST /scan/photo`: the scanner's photo form (works without JavaScript). The verdicts
/// when a code is found, answered here rather than through a `/verify?code=…` address: a
/// photo's codes may be anything (a Wi-Fi password), and an address is kept in the history
/// and in proxies' logs. Otherwise the scanner again, saying what went wrong.
pub async fn photo_form(
    State(state): State<AppState>,
    Extension(decoder): Extension<Decoder>,
    req: Request,
) -> Response {
    let headers = req.headers().clone();
    let extensions = req.extensions().clone();
    match read_and_decode(&state, &decoder, req).await {
        Ok(codes) => {
            let codes = SubmittedCodes(codes.into_iter().take(MAX_CODES).collect());
            super::pages::render_page(state, headers, extensions, "/verify", codes).await
        }
        Err(e) => {
            let problem = ScanProblem {
                status: e.status(),
                problem: e.problem(),
            };
            super::pages::render_page(state, headers, extensions, "/scan", problem).await
        }
    }
}

/// `POST /verify`: the camera's and the form's way to `/verify`, the codes in the body (a
/// form's `code` fields) so they stay out of addresses.
pub async fn verify_form(State(state): State<AppState>, req: Request) -> Response {
    let headers = req.headers().clone();
    let extensions = req.extensions().clone();
    let body = axum::body::to_bytes(req.into_body(), MAX_CODES * (MAX_CODE_LEN * 3 + 16))
        .await
        .unwrap_or_default();
    let codes = url::form_urlencoded::parse(&body)
        .filter(|(k, _)| k == "code")
        .map(|(_, v)| v.into_owned())
        .filter(|c| c.len() <= MAX_CODE_LEN)
        .take(MAX_CODES)
        .collect();
    super::pages::render_page(state, headers, extensions, "/verify", SubmittedCodes(codes)).await
}
