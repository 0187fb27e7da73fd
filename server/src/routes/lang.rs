//! The language switch: remember a person's choice of language and go back where they were.

use crate::state::AppState;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use domain::lang::LANG_COOKIE;
use domain::link::is_local_path;
use domain::Lang;

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
