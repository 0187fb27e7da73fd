//! Incident reports: the form that files one (`/incidents/new`), each report's page and the
//! steps taken on it (`/incidents/{REF}`), its photos, the inbox, and `GET /api/v1/incidents`.
//! The pages are the app's; these handlers decide who may see them, load what they show and
//! hand it to the page. Every right is the registry's (`registry::incidents`): a person who may
//! not see a report is refused exactly as if it did not exist (403), a visitor is sent to sign
//! in and brought back.

use super::account::{error, see_other};
use super::pages::{query_value, render_for, render_page};
use crate::error::{Failure, Form};
use crate::state::AppState;
use app::components::form::{FieldError, FormAnswer};
use app::i18n::lang_from_headers;
use app::pages::account::sign_in_link;
use app::pages::incidents::{Done, NewReport, RobotForReport};
use axum::extract::{Multipart, Path, Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use domain::incident::MAX_PHOTOS;
use domain::vocabulary::{IncidentStatus, Word};
use domain::Problem;
use leptos::prelude::provide_context;
use photo::{PhotoError, MAX_PHOTO_BYTES};
use registry::accounts::SignedIn;
use registry::incidents::{self, Draft, Photo};
use registry::Error;
use std::sync::LazyLock;

/// Largest body of a report's form: its photos and room for the fields around them.
pub const FORM_LIMIT: usize = MAX_PHOTOS * MAX_PHOTO_BYTES + 256 * 1024;
/// Largest text field of a report's form.
const FIELD_LIMIT: usize = 32 * 1024;

/// Photos re-encoded at once: one a core. Each holds a decoded picture (up to 200 MB for the
/// largest accepted) while it works.
static REENCODING: LazyLock<tokio::sync::Semaphore> = LazyLock::new(|| {
    tokio::sync::Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
});

/// Report forms received at once: each may hold five photos in memory.
static RECEIVING: LazyLock<std::sync::Arc<tokio::sync::Semaphore>> = LazyLock::new(|| {
    std::sync::Arc::new(tokio::sync::Semaphore::new(
        2 * std::thread::available_parallelism().map_or(2, |n| n.get()),
    ))
});

/// The path and query of a request (what signing in comes back to).
fn here(parts: &Parts) -> String {
    parts
        .uri
        .path_and_query()
        .map_or_else(|| "/".to_string(), |pq| pq.as_str().to_string())
}

fn signed_in(parts: &Parts) -> Option<SignedIn> {
    parts.extensions.get::<SignedIn>().cloned()
}

fn refused(parts: &Parts, error: Error) -> Response {
    Failure::new(error, lang_from_headers(&parts.headers), Form::Page).into_response()
}

/// What a form's fields and photos came to.
#[derive(Default)]
struct Sent {
    fields: Vec<(String, String)>,
    photos: Vec<Photo>,
}

impl Sent {
    fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }
}

/// A form that could not be read: where the problem lies and its status.
struct Unreadable {
    field: &'static str,
    problem: Problem,
    status: StatusCode,
}

impl From<PhotoError> for Unreadable {
    fn from(e: PhotoError) -> Unreadable {
        Unreadable {
            field: "photos",
            problem: e.problem(),
            status: StatusCode::from_u16(e.status()).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
        }
    }
}

/// Read a report's form (multipart, or URL-encoded without photos): its text fields, and each
/// photo re-encoded (at most 2,048 px, JPEG, no metadata). Any photo that cannot be read stops
/// the whole form: nothing of it is kept.
async fn read_form(
    state: &AppState,
    req: Request,
) -> Result<(Parts, Sent), (Parts, Sent, Unreadable)> {
    use axum::extract::FromRequest as _;
    let (parts, body) = req.into_parts();
    let mut sent = Sent::default();
    let is_multipart = parts
        .headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    let declared = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > FORM_LIMIT) {
        return Err((parts, sent, PhotoError::TooLarge.into()));
    }
    let Ok(Ok(_receiving)) = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        RECEIVING.clone().acquire_owned(),
    )
    .await
    else {
        return Err((parts, sent, PhotoError::Busy.into()));
    };
    if !is_multipart {
        return match axum::body::to_bytes(body, FIELD_LIMIT).await {
            Ok(bytes) => {
                sent.fields = url::form_urlencoded::parse(&bytes)
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                Ok((parts, sent))
            }
            Err(_) => Err((parts, sent, PhotoError::TooLarge.into())),
        };
    }
    let req = Request::from_parts(parts.clone(), body);
    let mut form = match Multipart::from_request(req, state).await {
        Ok(form) => form,
        Err(_) => return Err((parts, sent, PhotoError::Unreadable.into())),
    };
    let mut raw: Vec<bytes::Bytes> = Vec::new();
    loop {
        let mut field = match form.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return Err((parts, sent, form_error(&e).into())),
        };
        let name = field.name().unwrap_or_default().to_string();
        let is_file = field.file_name().is_some();
        let limit = if is_file {
            MAX_PHOTO_BYTES
        } else {
            FIELD_LIMIT
        };
        let mut bytes = Vec::new();
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    if bytes.len() + chunk.len() > limit {
                        let e = if is_file {
                            PhotoError::TooLarge.into()
                        } else {
                            Unreadable {
                                field: "description",
                                problem: Problem::TextTooLong,
                                status: StatusCode::UNPROCESSABLE_ENTITY,
                            }
                        };
                        // The rest of the form's text still comes back to the page; the rest
                        // of its files are read and dropped, so that the browser, still
                        // sending, gets the answer rather than a closed connection (the
                        // whole body is bounded by the route's limit).
                        drop(field);
                        rest_of_form(&mut form, &mut sent).await;
                        return Err((parts, sent, e));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Err((parts, sent, form_error(&e).into())),
            }
        }
        if is_file {
            // A file input left empty still sends a part, without bytes.
            if !bytes.is_empty() {
                if raw.len() == MAX_PHOTOS {
                    let e = Unreadable {
                        field: "photos",
                        problem: Problem::TooManyPhotos,
                        status: StatusCode::UNPROCESSABLE_ENTITY,
                    };
                    return Err((parts, sent, e));
                }
                raw.push(bytes.into());
            }
        } else {
            sent.fields
                .push((name, String::from_utf8_lossy(&bytes).into_owned()));
        }
    }
    for bytes in raw {
        match reencode(bytes).await {
            Ok(photo) => sent.photos.push(photo),
            Err(e) => return Err((parts, sent, e.into())),
        }
    }
    Ok((parts, sent))
}

/// Read what is left of a form that will be refused: its text fields kept (for the page that
/// says what to put right), its files dropped chunk by chunk.
async fn rest_of_form(form: &mut Multipart, sent: &mut Sent) {
    while let Ok(Some(mut field)) = form.next_field().await {
        let name = field.name().unwrap_or_default().to_string();
        let is_file = field.file_name().is_some();
        let mut text = Vec::new();
        while let Ok(Some(chunk)) = field.chunk().await {
            if !is_file && text.len() + chunk.len() <= FIELD_LIMIT {
                text.extend_from_slice(&chunk);
            }
        }
        if !is_file {
            sent.fields
                .push((name, String::from_utf8_lossy(&text).into_owned()));
        }
    }
}

fn form_error(e: &axum::extract::multipart::MultipartError) -> PhotoError {
    match e.status() {
        StatusCode::PAYLOAD_TOO_LARGE => PhotoError::TooLarge,
        StatusCode::INTERNAL_SERVER_ERROR => PhotoError::UploadStalled,
        _ => PhotoError::Unreadable,
    }
}

/// One photo re-encoded on a blocking thread, a few at once.
async fn reencode(bytes: bytes::Bytes) -> Result<Photo, PhotoError> {
    let _slot = REENCODING.acquire().await.map_err(|_| PhotoError::Busy)?;
    let done = tokio::task::spawn_blocking(move || photo::reencode::reencode(&bytes))
        .await
        .map_err(|_| PhotoError::Unreadable)??;
    Ok(Photo {
        jpeg: done.jpeg,
        width: done.width,
        height: done.height,
    })
}

/// The values a form's page gets back.
fn kept(sent: &Sent) -> Vec<(String, String)> {
    let mut values = sent.fields.clone();
    if values.is_empty() {
        // Something to say the form came back, even when nothing could be read.
        values.push(("sent".into(), "1".into()));
    }
    values
}

/// The status and field error a registry error comes to on a form.
fn failed(e: Error, field: &'static str) -> (StatusCode, FieldError) {
    let status = match &e {
        Error::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Error::Forbidden(_) => StatusCode::FORBIDDEN,
        Error::Unauthenticated => StatusCode::UNAUTHORIZED,
        Error::Conflict(_) => StatusCode::CONFLICT,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let problem = match e {
        Error::Invalid(p) | Error::Conflict(p) | Error::Forbidden(p) | Error::NotFound(p) => p,
        Error::BadId(_) => Problem::BadId,
        Error::Unauthenticated => Problem::Unauthenticated,
        Error::TooMany { .. } => Problem::TooManyAttempts,
        Error::Unavailable => Problem::Unavailable,
    };
    (status, error(field, problem))
}

async fn robot_for(state: &AppState, robot: &str) -> Option<RobotForReport> {
    if robot.trim().is_empty() {
        return None;
    }
    incidents::robot_for_report(state.registry.database(), robot)
        .await
        .ok()
        .map(|r| RobotForReport {
            robot_id: r.robot_id,
            model_name: r.model_name,
            venue: r.venue,
        })
}

/// `GET /incidents/new?robot={ID}`: the report form, for a signed-in person; a visitor signs
/// in (or up) first and comes back here.
pub async fn new_form(State(state): State<AppState>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    if signed_in(&parts).is_none() {
        return see_other(&sign_in_link(&here(&parts)));
    }
    let robot_text = query_value(&parts, "robot").unwrap_or_default();
    let robot = robot_for(&state, &robot_text).await;
    let page = NewReport { robot_text, robot };
    render_page(
        state,
        parts.headers,
        parts.extensions,
        "/incidents/new",
        page,
    )
    .await
}

/// `POST /incidents/new`: file the report and show its reference; or the form again, every
/// value kept, saying what to put right.
pub async fn submit(State(state): State<AppState>, req: Request) -> Response {
    let (parts, sent, problem) = match read_form(&state, req).await {
        Ok((parts, sent)) => (parts, sent, None),
        Err((parts, sent, e)) => (parts, sent, Some(e)),
    };
    let robot_text = sent.get("robot").to_string();
    let again = |state: AppState, parts: Parts, sent: &Sent, errors: Vec<FieldError>, status| {
        let robot_text = robot_text.clone();
        let values = kept(sent);
        async move {
            let robot = robot_for(&state, &robot_text).await;
            let page = NewReport { robot_text, robot };
            let answer = FormAnswer { values, errors };
            let provide = move || {
                provide_context(page.clone());
                provide_context(answer.clone());
            };
            let path = "/incidents/new";
            render_for(state, parts, path, status, provide).await
        }
    };
    if let Some(e) = problem {
        let errors = vec![error(e.field, e.problem)];
        return again(state, parts, &sent, errors, e.status).await;
    }
    let Some(me) = signed_in(&parts) else {
        // The session ended while the form was open: everything typed comes back, with a way
        // to sign in (in another tab) and send it again.
        let errors = vec![error("robot", Problem::Unauthenticated)];
        return again(state, parts, &sent, errors, StatusCode::UNAUTHORIZED).await;
    };
    let draft = Draft {
        robot: robot_text.clone(),
        occurred_at: sent.get("occurred_at").into(),
        place: sent.get("place").into(),
        category: sent.get("category").into(),
        severity: sent.get("severity").into(),
        near_miss: !sent.get("near_miss").is_empty(),
        description: sent.get("description").into(),
        contact_preference: sent.get("contact_preference").into(),
        phone: sent.get("phone").into(),
        share_contact: !sent.get("share_contact").is_empty(),
    };
    let mut errors: Vec<FieldError> = incidents::check(&draft, sent.photos.len())
        .into_iter()
        .map(|(f, p)| error(f, p))
        .collect();
    if errors.is_empty() && robot_for(&state, &draft.robot).await.is_none() {
        errors.push(error("robot", Problem::NotRegistered));
    }
    if !errors.is_empty() {
        return again(
            state,
            parts,
            &sent,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    match incidents::submit(state.registry.database(), &me.person, &draft, &sent.photos).await {
        Ok(reference) => see_other(&format!("/incidents/{reference}?done=submitted")),
        Err(e) => {
            let (status, e) = failed(e, "robot");
            again(state, parts, &sent, vec![e], status).await
        }
    }
}

/// `GET /incidents/{REF}`: the report, for those who may see it.
pub async fn show(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    report_page(state, parts, &reference, None, StatusCode::OK).await
}

/// The report's page, with a form's answer when one came back.
async fn report_page(
    state: AppState,
    parts: Parts,
    reference: &str,
    answer: Option<FormAnswer>,
    status: StatusCode,
) -> Response {
    let Some(me) = signed_in(&parts) else {
        return see_other(&sign_in_link(&format!("/incidents/{reference}")));
    };
    let report = match incidents::view(state.registry.database(), &me.person, reference).await {
        Ok(report) => report,
        Err(e) => return refused(&parts, e),
    };
    let done = Done(query_value(&parts, "done").unwrap_or_default());
    let path = format!("/incidents/{}", report.reference);
    let answer = answer.unwrap_or_default();
    let provide = move || {
        provide_context(report.clone());
        provide_context(answer.clone());
        provide_context(done.clone());
    };
    render_for(state, parts, &path, status, provide).await
}

/// What can be done to a report from its page.
#[derive(Clone, Copy)]
enum Action {
    /// The reporter adds a note and photos (`note`, `photos`).
    Add,
    /// The robot's operator moves it on (`to`, `note`).
    Step,
    /// A regulator confirms it into the robot's record (`confirm_note`).
    Confirm,
}

/// `POST /incidents/{REF}/add`: the reporter adds a note and photos.
pub async fn add(state: State<AppState>, reference: Path<String>, req: Request) -> Response {
    act(state, reference, req, Action::Add).await
}

/// `POST /incidents/{REF}/step`: the robot's operator moves the report on.
pub async fn step(state: State<AppState>, reference: Path<String>, req: Request) -> Response {
    act(state, reference, req, Action::Step).await
}

/// `POST /incidents/{REF}/confirm`: a regulator confirms the report into the robot's record.
pub async fn confirm(state: State<AppState>, reference: Path<String>, req: Request) -> Response {
    act(state, reference, req, Action::Confirm).await
}

/// Do `action` to the report: back to its page saying it is done (303); refused as if the
/// report did not exist when the person may not (403); its page again with the form's values
/// and what to put right otherwise.
async fn act(
    State(state): State<AppState>,
    Path(reference): Path<String>,
    req: Request,
    action: Action,
) -> Response {
    let (parts, sent, unreadable) = match read_form(&state, req).await {
        Ok((parts, sent)) => (parts, sent, None),
        Err((parts, sent, e)) => (parts, sent, Some(e)),
    };
    let Some(me) = signed_in(&parts) else {
        return see_other(&sign_in_link(&format!("/incidents/{reference}")));
    };
    let database = state.registry.database();
    let (result, done) = match (unreadable, action) {
        (Some(e), _) => (Err((e.status, error(e.field, e.problem))), String::new()),
        (None, Action::Add) => {
            let (note, photos) = (sent.get("note"), &sent.photos);
            let done = incidents::add_information(database, &me.person, &reference, note, photos);
            (done.await.map_err(|e| at_field(e, "note")), "added".into())
        }
        (None, Action::Step) => match IncidentStatus::from_name(sent.get("to")) {
            Some(to) => {
                let note = sent.get("note");
                let done = incidents::step(database, &me.person, &reference, to, note).await;
                (done.map_err(|e| at_field(e, "note")), to.name().into())
            }
            None => {
                let e = error("to", Problem::BadStep);
                (Err((StatusCode::UNPROCESSABLE_ENTITY, e)), String::new())
            }
        },
        (None, Action::Confirm) => {
            let note = sent.get("confirm_note");
            let done = incidents::confirm(&state.registry, &me.person, &reference, note).await;
            (
                done.map_err(|e| at_field(e, "confirm_note")),
                "confirmed".into(),
            )
        }
    };
    match result {
        Ok(()) => see_other(&format!("/incidents/{reference}?done={done}")),
        Err((StatusCode::FORBIDDEN, _)) => refused(&parts, Error::Forbidden(Problem::NotAllowed)),
        Err((status, e)) => {
            let answer = FormAnswer {
                values: kept(&sent),
                errors: vec![e],
            };
            report_page(state, parts, &reference, Some(answer), status).await
        }
    }
}

/// A registry error on a report's form: its status, and the error beside the field it is
/// about (`field` unless it is about the photos or the step chosen).
fn at_field(e: Error, field: &'static str) -> (StatusCode, FieldError) {
    let field = match &e {
        Error::Invalid(Problem::TooManyPhotos) => "photos",
        Error::Conflict(Problem::BadStep) => "to",
        _ => field,
    };
    failed(e, field)
}

/// `GET /incidents/{REF}/photos/{N}`: one of its photos, for those who may see the report;
/// never kept by any cache.
pub async fn photo(
    State(state): State<AppState>,
    Path((reference, photo)): Path<(String, i64)>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let Some(me) = signed_in(&parts) else {
        return see_other(&sign_in_link(&format!("/incidents/{reference}")));
    };
    match incidents::photo(state.registry.database(), &me.person, &reference, photo).await {
        Ok(jpeg) => (
            [
                (header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg")),
                (
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("private, no-store"),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    HeaderValue::from_static("inline"),
                ),
            ],
            jpeg,
        )
            .into_response(),
        Err(e) => refused(&parts, e),
    }
}

/// `GET /inbox`: what awaits the signed-in person, and every report they may see.
pub async fn inbox(State(state): State<AppState>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let Some(me) = signed_in(&parts) else {
        return see_other(&sign_in_link("/inbox"));
    };
    match incidents::inbox(state.registry.database(), &me.person).await {
        Ok(inbox) => render_page(state, parts.headers, parts.extensions, "/inbox", inbox).await,
        Err(e) => refused(&parts, e),
    }
}

/// Incident reports, newest first.
#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct IncidentList {
    pub incidents: Vec<domain::incident::Summary>,
}

/// `GET /api/v1/incidents`: the reports the session's person may see, newest first.
#[utoipa::path(
    operation_id = "incidents",
    get,
    path = "/api/v1/incidents",
    tag = "incidents",
    summary = "The incident reports the signed-in person may see",
    description = "Their own reports; for an operator, manufacturer or regulator, also those on the robots in their care. Newest first.",
    responses(
        (status = 200, description = "The reports", body = IncidentList),
        (status = 401, description = "Not signed in", body = crate::error::ErrorBody),
    ),
    security(("session" = [])),
)]
pub async fn api_list(State(state): State<AppState>, req: Request) -> Response {
    let (parts, _) = req.into_parts();
    let lang = lang_from_headers(&parts.headers);
    let Some(me) = signed_in(&parts) else {
        return Failure::new(Error::Unauthenticated, lang, Form::Json).into_response();
    };
    match incidents::list(state.registry.database(), &me.person).await {
        Ok(list) => {
            let mut response = Json(IncidentList { incidents: list }).into_response();
            response.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
            response
        }
        Err(e) => Failure::new(e, lang, Form::Json).into_response(),
    }
}
