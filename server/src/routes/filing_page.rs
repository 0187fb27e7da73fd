//! The filing page, `/filing/{ID}`: the kinds of entry the signed-in person may file for the
//! robot now, and a plain form for each (works without JavaScript; errors beside their fields,
//! every value kept). What is sent goes through the same `registry::filing::file` as the API.

use super::account::{error, see_other, Posted};
use super::pages::{query_value, render_for};
use crate::error::{Failure, Form};
use app::components::form::{FieldError, FormAnswer};
use app::i18n::lang_from_headers;
use app::pages::account::sign_in_link;
use axum::extract::{Path, Request, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::record::EntryKind;
use domain::{Problem, RobotId};
use leptos::prelude::provide_context;
use registry::accounts::SignedIn;
use registry::filing::{self, Filer, Filing};
use registry::Error;
use serde_json::Value;

use crate::state::AppState;

/// The page for `raw` as `me` may file for it, with the form of `kind` and a form's answer.
async fn page(
    state: AppState,
    parts: Parts,
    me: &SignedIn,
    raw: &str,
    shown: Shown,
    mut answer: FormAnswer,
    status: StatusCode,
) -> Response {
    let lang = lang_from_headers(&parts.headers);
    let id = match RobotId::parse(raw) {
        Ok(id) => id,
        Err(e) => return Failure::new(e.into(), lang, Form::Page).into_response(),
    };
    let mut page = match filing::page(
        &state.registry,
        Filer::Person(&me.person),
        &id,
        shown.kind.as_deref(),
        shown.correct,
    )
    .await
    {
        Ok(page) => page,
        Err(e) => return Failure::new(e, lang, Form::Page).into_response(),
    };
    page.done = query_value(&parts, "done").filter(|d| EntryKind::from_name(d).is_some());
    page.engagement_done =
        query_value(&parts, "changed").filter(|c| c == "engaged" || c == "disengaged");
    if let Some(c) = page
        .correcting
        .as_ref()
        .filter(|_| answer.values.is_empty())
    {
        // The correction's form starts from what the entry says now.
        answer.values = c.values.clone();
        answer
            .values
            .push(("occurred_on".into(), c.entry.occurred_on.clone()));
    }
    let path = format!("/filing/{id}");
    let provide = move || {
        provide_context(page.clone());
        provide_context(answer.clone());
    };
    render_for(state, parts, &path, status, provide).await
}

/// Which form the page shows: of a kind of entry, or the correction of an entry.
#[derive(Default)]
struct Shown {
    kind: Option<String>,
    correct: Option<i64>,
}

/// `GET /filing/{ID}?kind=` or `?correct=SEQ`: what the signed-in person may file, and the
/// form of `kind` or the correction of their entry `SEQ`, filled with what it says now.
pub async fn show(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let Some(me) = parts.extensions.get::<SignedIn>().cloned() else {
        let here = parts
            .uri
            .path_and_query()
            .map_or("/", |pq| pq.as_str())
            .to_string();
        return see_other(&sign_in_link(&here));
    };
    let shown = Shown {
        kind: query_value(&parts, "kind"),
        correct: query_value(&parts, "correct").and_then(|c| c.parse().ok()),
    };
    page(
        state,
        parts,
        &me,
        &raw,
        shown,
        FormAnswer::default(),
        StatusCode::OK,
    )
    .await
}

/// The field a problem is shown beside.
fn field_of(problem: Problem, kind: EntryKind) -> &'static str {
    match problem {
        Problem::BadTime => "occurred_on",
        Problem::BadCorrection | Problem::NotFiler | Problem::NotCorrectable => "reason",
        Problem::BadResult => "result",
        Problem::BadDueDate if kind == EntryKind::LeaseStarted => "until",
        Problem::BadDueDate => "next_due",
        Problem::MissingWork => "work",
        Problem::BadPart => "part_number",
        Problem::BadVersion => "version",
        Problem::BadReading => "battery_soh",
        Problem::ReasonNeeded => "reason",
        Problem::NoticeIncomplete => "sensors",
        Problem::NothingToUpdate => "approved",
        Problem::BadPhone => "phone",
        Problem::BadEmergencyPhone => "emergency_phone",
        Problem::BadEmail => "complaint_email",
        Problem::BadParty if kind == EntryKind::LeaseStarted => "lessee",
        Problem::BadParty => "to",
        Problem::BadVenue => "venue",
        Problem::BadRecall | Problem::NotRecalled | Problem::AlreadyRemedied => "recall",
        _ => "kind",
    }
}

/// The details an entry of `kind` says, from the form's fields.
fn details(kind: EntryKind, posted: &Posted) -> Result<Value, FieldError> {
    domain::filing::details_from_form(kind, |name| {
        posted
            .all(name)
            .into_iter()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .map(String::from)
            .collect()
    })
    .map_err(|(field, problem)| error(field, problem))
}

/// What a correction's form says: the entry it corrects, why, and the entry's fields as they
/// should have been (its day too, when that changed).
fn correction(posted: &Posted) -> Result<Value, FieldError> {
    let seq = posted.get("corrects").trim().parse::<i64>();
    let target = EntryKind::from_name(posted.get("corrected_kind"));
    let (Ok(seq), Some(target)) = (seq, target) else {
        return Err(error("reason", Problem::BadCorrection));
    };
    let reason = posted.get("reason").trim();
    if reason.is_empty() {
        return Err(error("reason", Problem::ReasonNeeded));
    }
    let mut out = serde_json::json!({
        "corrects": seq,
        "reason": reason,
        "details": details(target, posted)?,
    });
    let day = posted.get("occurred_on").trim();
    if day != posted.get("original_on").trim() {
        let at = filing::time_of_day(day).map_err(|p| error("occurred_on", p))?;
        out["occurred_at"] = at.into();
    }
    Ok(out)
}

/// `POST /filing/{ID}` (`kind`, `occurred_on` and the kind's fields): filed, back to the page
/// saying so; or the form again with what must be put right.
pub async fn submit(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    req: Request,
) -> Response {
    let (posted, me) = match Posted::read_signed_in(req, &format!("/filing/{raw}")).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let kind_name = posted.get("kind").to_string();
    match file_from_form(&state, &me, &raw, &kind_name, &posted).await {
        Ok(id) => see_other(&format!("/filing/{id}?done={kind_name}")),
        Err((e, status)) => {
            let answer = FormAnswer {
                values: posted.kept(),
                errors: vec![e],
            };
            let shown = if kind_name == EntryKind::Correction.as_str() {
                Shown {
                    kind: None,
                    correct: posted.get("corrects").parse().ok(),
                }
            } else {
                Shown {
                    kind: EntryKind::from_name(&kind_name).map(|_| kind_name.clone()),
                    correct: None,
                }
            };
            page(state, posted.parts, &me, &raw, shown, answer, status).await
        }
    }
}

/// File what the form says: the robot's ID, or the error to show and the status to answer.
async fn file_from_form(
    state: &AppState,
    me: &SignedIn,
    raw: &str,
    kind_name: &str,
    posted: &Posted,
) -> Result<RobotId, (FieldError, StatusCode)> {
    let unprocessable = |e| (e, StatusCode::UNPROCESSABLE_ENTITY);
    let kind = EntryKind::from_name(kind_name)
        .ok_or_else(|| unprocessable(error("kind", Problem::UnknownKind)))?;
    let id = RobotId::parse(raw).map_err(|_| unprocessable(error("kind", Problem::BadId)))?;
    let (occurred_at, details) = if kind == EntryKind::Correction {
        // A correction is filed now; the day it may move is the corrected entry's.
        (filing::now(), correction(posted).map_err(unprocessable)?)
    } else {
        let at = filing::time_of_day(posted.get("occurred_on"))
            .map_err(|p| unprocessable(error("occurred_on", p)))?;
        (at, details(kind, posted).map_err(unprocessable)?)
    };
    let filing = Filing {
        kind: kind_name.to_string(),
        occurred_at,
        details,
    };
    match filing::file(&state.registry, Filer::Person(&me.person), &id, &filing).await {
        Ok(_) => Ok(id),
        Err(e) => {
            let status = match &e {
                Error::Forbidden(_) => StatusCode::FORBIDDEN,
                Error::Conflict(_) => StatusCode::CONFLICT,
                Error::NotFound(_) => StatusCode::NOT_FOUND,
                Error::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            };
            let problem = Problem::from_name(e.code()).unwrap_or(Problem::Unavailable);
            let about = if kind == EntryKind::Correction {
                EntryKind::from_name(posted.get("corrected_kind")).unwrap_or(kind)
            } else {
                kind
            };
            Err((error(field_of(problem, about), problem), status))
        }
    }
}

/// `POST /filing/{ID}/engagements` (`org`): the robot's owner or operator engages a service
/// provider or recycler, who may then file for it; back to the page saying so.
pub async fn engage(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    req: Request,
) -> Response {
    let (posted, me) = match Posted::read_signed_in(req, &format!("/filing/{raw}")).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let lang = lang_from_headers(&posted.parts.headers);
    let id = match RobotId::parse(&raw) {
        Ok(id) => id,
        Err(e) => return Failure::new(e.into(), lang, Form::Page).into_response(),
    };
    let org = posted.get("org").parse::<i64>().unwrap_or(0);
    let database = state.registry.database();
    match filing::engage(database, Filer::Person(&me.person), &id, org).await {
        Ok(_) => see_other(&format!("/filing/{id}?changed=engaged#engagements")),
        Err(Error::Invalid(problem)) => {
            let answer = FormAnswer {
                values: posted.kept(),
                errors: vec![error("org", problem)],
            };
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            page(
                state,
                posted.parts,
                &me,
                &raw,
                Shown::default(),
                answer,
                status,
            )
            .await
        }
        Err(e) => Failure::new(e, lang, Form::Page).into_response(),
    }
}

/// `POST /filing/{ID}/engagements/{ORG}/end`: the engagement ends; the organisation files no
/// more for the robot.
pub async fn disengage(
    State(state): State<AppState>,
    Path((raw, org)): Path<(String, String)>,
    req: Request,
) -> Response {
    let (posted, me) = match Posted::read_signed_in(req, &format!("/filing/{raw}")).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let lang = lang_from_headers(&posted.parts.headers);
    let ended = async {
        let id = RobotId::parse(&raw)?;
        let org = org
            .parse::<i64>()
            .map_err(|_| Error::NotFound(Problem::BadParty))?;
        let database = state.registry.database();
        if filing::disengage(database, Filer::Person(&me.person), &id, org).await? {
            Ok(id)
        } else {
            Err(Error::NotFound(Problem::BadParty))
        }
    }
    .await;
    match ended {
        Ok(id) => see_other(&format!("/filing/{id}?changed=disengaged#engagements")),
        Err(e) => Failure::new(e, lang, Form::Page).into_response(),
    }
}
