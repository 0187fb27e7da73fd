//! Plain axum routes: the JSON API, health, language switch, static files.

use app::components::id_error_message;
use app::domain::lang::LANG_COOKIE;
use app::domain::{Lang, Lookup, RobotId};
use app::i18n::{lang_from_headers, tr};
use app::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde_json::json;

fn error_body(code: &str, message: String, position: Option<usize>) -> serde_json::Value {
    json!({ "error": { "code": code, "message": message, "position": position } })
}

/// `GET /api/v1/robots/{ID}`: the profile as JSON, from the same function as the page.
pub async fn robot(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Response {
    let lang = lang_from_headers(&headers);
    let id = match RobotId::parse(&raw) {
        Ok(id) => id,
        Err(e) => {
            let mut body = error_body(e.code(), id_error_message(lang, &e), e.position());
            body["error"]["segment"] = json!(e.segment());
            return (StatusCode::BAD_REQUEST, Json(body)).into_response();
        }
    };
    match app::services::lookup(&state.lookups, &id, &app::services::today()).await {
        Ok(Lookup::Found(profile)) => Json(profile).into_response(),
        Ok(Lookup::NotRegistered { suggestions, .. }) => {
            let mut body = error_body(
                "not_registered",
                tr(lang, "status.not_registered.detail"),
                None,
            );
            body["suggestions"] = json!(suggestions);
            (StatusCode::NOT_FOUND, Json(body)).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "API lookup failed");
            let body = error_body("unavailable", tr(lang, "unavailable.detail"), None);
            (StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response()
        }
    }
}

/// `GET /healthz`: constant, touches nothing, for load balancers.
pub async fn health() -> &'static str {
    "ok"
}

/// A path on this site and nothing else: `/` then anything but a second `/` or `\`, and no
/// control characters or spaces (browsers drop tabs and newlines, which would turn `/\t/host`
/// into `//host`, another site).
fn is_local_path(next: &str) -> bool {
    let mut chars = next.chars();
    chars.next() == Some('/')
        && !matches!(chars.next(), Some('/' | '\\'))
        && next.chars().all(|c| c.is_ascii_graphic())
}

#[derive(serde::Deserialize)]
pub struct Next {
    next: Option<String>,
}

/// `GET /lang/{code}?next=/path`: remember the choice and go back. Only local paths are
/// followed, so the switch cannot be used to send people elsewhere.
pub async fn switch_lang(
    State(state): State<AppState>,
    Path(code): Path<String>,
    Query(q): Query<Next>,
) -> Response {
    let next = q
        .next
        .filter(|n| is_local_path(n))
        .unwrap_or_else(|| "/".into());
    let Some(lang) = Lang::from_tag(&code) else {
        return Redirect::to(&next).into_response();
    };
    let secure = if state.settings.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let cookie = format!(
        "{LANG_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax; HttpOnly{secure}",
        lang.code()
    );
    ([(header::SET_COOKIE, cookie)], Redirect::to(&next)).into_response()
}
