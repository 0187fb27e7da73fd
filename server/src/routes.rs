//! Plain axum routes: the JSON API, health, language switch, static files.

use crate::error::{Failure, Form};
use crate::state::AppState;
use app::domain::lang::LANG_COOKIE;
use app::domain::{Lang, Lookup, Problem, RobotId};
use app::i18n::lang_from_headers;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Json;
use serde_json::json;

/// `GET /api/v1/robots/{ID}`: the profile as JSON, from the same function as the page.
pub async fn robot(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Failure> {
    let lang = lang_from_headers(&headers);
    let fail = |e: registry::Error| Failure::new(e, lang, Form::Json);
    let id = RobotId::parse(&raw).map_err(|e| fail(e.into()))?;
    match app::services::lookup(state.registry.lookups(), &id, &app::services::today()).await {
        Ok(Lookup::Found(profile)) => Ok(Json(profile).into_response()),
        Ok(Lookup::NotRegistered { suggestions, .. }) => {
            Err(fail(registry::Error::NotFound(Problem::NotRegistered))
                .with("suggestions", json!(suggestions)))
        }
        Err(e) => Err(fail(e)),
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
    let secure = if state.registry.hosts().https() {
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
