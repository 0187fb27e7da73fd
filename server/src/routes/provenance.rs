//! The provenance report's page, `/provenance/{ID}`: loaded here (who may open it decided by
//! `registry::provenance`), then rendered by the app (`app::pages::provenance`). A regulator
//! or the owner opens it at once; anyone else signed in posts the owner's share code (never in
//! the address). The owner issues and revokes codes from the same page. Every opening is in
//! the audit log; nothing here is cached.

use super::account::{error, see_other, Posted};
use super::pages::{query_value, render_for};
use crate::error::{Failure, Form};
use crate::middleware::client::client_of;
use crate::state::AppState;
use app::components::form::FormAnswer;
use app::i18n::lang_from_headers;
use app::pages::account::sign_in_link;
use axum::extract::{Path, Request, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::provenance::{IssuedCode, OpenedVia, Page};
use domain::{Problem, RobotId};
use leptos::prelude::provide_context;
use registry::accounts::SignedIn;
use registry::filing::Filer;
use registry::{provenance, share_codes, Error};

fn refused(parts: &Parts, e: Error) -> Response {
    Failure::new(e, lang_from_headers(&parts.headers), Form::Page).into_response()
}

/// What the page is asked to do besides showing the report.
#[derive(Default)]
struct Asked<'a> {
    code: Option<&'a str>,
    issued: Option<IssuedCode>,
    /// An error to show beside a field of the owner's form.
    field_error: Option<(&'static str, Error)>,
}

/// The page for `raw` as `me` sees it, opened with `asked.code` when one was posted.
async fn page(
    state: AppState,
    parts: Parts,
    me: &SignedIn,
    raw: &str,
    asked: Asked<'_>,
) -> Response {
    let id = match RobotId::parse(raw) {
        Ok(id) => id,
        Err(e) => return refused(&parts, e.into()),
    };
    let reader = Filer::Person(&me.person);
    let client = client_of(&parts, &state.accounts.trusted_proxies);
    let opened = provenance::open(
        &state.registry,
        reader,
        &id,
        asked.code,
        Some(client),
        &state.accounts.throttle,
    )
    .await;
    let mut status = StatusCode::OK;
    let mut answer = FormAnswer::default();
    let mut page = Page {
        robot_id: id.to_string(),
        issued: asked.issued,
        done: query_value(&parts, "done"),
        ..Page::default()
    };
    match opened {
        Ok(report) => {
            if report.opened_via == OpenedVia::Owner {
                page.codes = share_codes::list(&state.registry, reader, &id).await.ok();
            }
            if report.opened_via != OpenedVia::ShareCode {
                page.openings =
                    provenance::openings(&state.registry, reader, &id, provenance::PAGE_LOG_LIMIT)
                        .await
                        .ok();
            }
            page.report = Some(std::sync::Arc::new(report));
            if let Some((field, e)) = asked.field_error {
                status = StatusCode::UNPROCESSABLE_ENTITY;
                answer = answer_with(field, e);
            }
        }
        // No right to it without a code, and none was sent: the form.
        Err(Error::Forbidden(Problem::ShareCodeNeeded)) if asked.code.is_none() => {}
        Err(e @ (Error::Forbidden(_) | Error::TooMany { .. })) if asked.code.is_some() => {
            status = match e {
                Error::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
                _ => StatusCode::FORBIDDEN,
            };
            answer = answer_with("share_code", e);
            // The code typed is not shown again: it is a secret, and it was wrong.
        }
        Err(e) => return refused(&parts, e),
    }
    let path = format!("/provenance/{id}");
    let provide = move || {
        provide_context(page.clone());
        provide_context(answer.clone());
    };
    render_for(state, parts, &path, status, provide).await
}

fn answer_with(field: &'static str, e: Error) -> FormAnswer {
    let mut fe = error(
        field,
        Problem::from_name(e.code()).unwrap_or(Problem::Unavailable),
    );
    if let Error::TooMany { retry_after_s } = e {
        fe.seconds = Some(retry_after_s);
    }
    FormAnswer {
        values: vec![(field.to_string(), String::new())],
        errors: vec![fe],
    }
}

/// `GET /provenance/{ID}`: the report for a regulator or the owner; the share-code form for
/// anyone else signed in; sign in first for a visitor.
pub async fn show(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let Some(me) = parts.extensions.get::<SignedIn>().cloned() else {
        return see_other(&sign_in_link(&format!("/provenance/{raw}")));
    };
    page(state, parts, &me, &raw, Asked::default()).await
}

/// `POST /provenance/{ID}` (`share_code`): the report, opened with the owner's code.
pub async fn open(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    req: Request,
) -> Response {
    let (posted, me) = match Posted::read_signed_in(req, &format!("/provenance/{raw}")).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let code = posted.get("share_code").to_string();
    let asked = Asked {
        code: Some(&code),
        ..Asked::default()
    };
    page(state, posted.parts, &me, &raw, asked).await
}

/// `POST /provenance/{ID}/share-codes` (`days`): the owner issues a code, shown on the page
/// this once.
pub async fn issue(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    req: Request,
) -> Response {
    let (posted, me) = match Posted::read_signed_in(req, &format!("/provenance/{raw}")).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let id = match RobotId::parse(&raw) {
        Ok(id) => id,
        Err(e) => return refused(&posted.parts, e.into()),
    };
    let days = posted.get("days").trim();
    let days = if days.is_empty() {
        Ok(None)
    } else {
        days.parse::<u32>().map(Some)
    };
    let mut asked = Asked::default();
    match days {
        Err(_) => asked.field_error = Some(("days", Error::Invalid(Problem::BadExpiry))),
        Ok(days) => {
            match share_codes::issue(&state.registry, Filer::Person(&me.person), &id, days).await {
                Ok(issued) => asked.issued = Some(issued),
                Err(e @ Error::Invalid(_)) => asked.field_error = Some(("days", e)),
                Err(e) => return refused(&posted.parts, e),
            }
        }
    }
    page(state, posted.parts, &me, &raw, asked).await
}

/// `POST /provenance/{ID}/share-codes/{N}/revoke`: the owner revokes a code; back to the page.
pub async fn revoke(
    State(state): State<AppState>,
    Path((raw, number)): Path<(String, String)>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let Some(me) = parts.extensions.get::<SignedIn>().cloned() else {
        return see_other(&sign_in_link(&format!("/provenance/{raw}")));
    };
    let id = match RobotId::parse(&raw) {
        Ok(id) => id,
        Err(e) => return refused(&parts, e.into()),
    };
    if number.parse::<i64>().is_err() {
        return refused(&parts, Error::NotFound(Problem::BadShareCode));
    }
    match share_codes::revoke(&state.registry, Filer::Person(&me.person), &id, &number).await {
        Ok(_) => see_other(&format!("/provenance/{id}?done=revoked")),
        Err(e) => refused(&parts, e),
    }
}
