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
use domain::filing::{fields, is_joint, Input};
use domain::record::EntryKind;
use domain::{Problem, RobotId};
use leptos::prelude::provide_context;
use registry::accounts::SignedIn;
use registry::filing::{self, Filer, Filing};
use registry::Error;
use serde_json::{Map, Value};

use crate::state::AppState;

/// The page for `raw` as `me` may file for it, with the form of `kind` and a form's answer.
async fn page(
    state: AppState,
    parts: Parts,
    me: &SignedIn,
    raw: &str,
    kind: Option<String>,
    answer: FormAnswer,
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
        kind.as_deref(),
    )
    .await
    {
        Ok(page) => page,
        Err(e) => return Failure::new(e, lang, Form::Page).into_response(),
    };
    page.done = query_value(&parts, "done").filter(|d| EntryKind::from_name(d).is_some());
    page.engagement_done =
        query_value(&parts, "changed").filter(|c| c == "engaged" || c == "disengaged");
    let path = format!("/filing/{id}");
    let provide = move || {
        provide_context(page.clone());
        provide_context(answer.clone());
    };
    render_for(state, parts, &path, status, provide).await
}

/// `GET /filing/{ID}?kind=`: what the signed-in person may file, and the form of `kind`.
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
    let kind = query_value(&parts, "kind");
    page(
        state,
        parts,
        &me,
        &raw,
        kind,
        FormAnswer::default(),
        StatusCode::OK,
    )
    .await
}

/// The field a problem is shown beside.
fn field_of(problem: Problem, kind: EntryKind) -> &'static str {
    match problem {
        Problem::BadTime => "occurred_on",
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
        Problem::BadParty if kind == EntryKind::LeaseStarted => "lessee",
        Problem::BadParty => "to",
        Problem::BadVenue => "venue",
        Problem::BadRecall | Problem::NotRecalled | Problem::AlreadyRemedied => "recall",
        _ => "kind",
    }
}

/// The details an entry of `kind` says, from the form's fields.
fn details(kind: EntryKind, posted: &Posted) -> Result<Value, FieldError> {
    let mut out = Map::new();
    let mut joints = Map::new();
    for field in fields(kind) {
        let value = posted.get(field.name).trim();
        if value.is_empty() {
            continue;
        }
        let bad = |problem| error(field.name, problem);
        let v = match field.input {
            Input::Choices(..) => Value::from(posted.all(field.name)),
            Input::YesNo => match value {
                "yes" => Value::Bool(true),
                "no" => Value::Bool(false),
                _ => return Err(bad(Problem::BadDetails)),
            },
            Input::Number { decimal } => {
                let n: Option<Value> = if decimal {
                    value
                        .parse::<f64>()
                        .ok()
                        .filter(|x| x.is_finite())
                        .map(Value::from)
                } else {
                    value.parse::<i64>().ok().map(Value::from)
                };
                n.ok_or(bad(Problem::BadReading))?
            }
            Input::Venue | Input::Organisation | Input::Operator | Input::Recall => {
                let problem = match field.input {
                    Input::Venue => Problem::BadVenue,
                    Input::Recall => Problem::BadRecall,
                    _ => Problem::BadParty,
                };
                Value::from(value.parse::<i64>().map_err(|_| bad(problem))?)
            }
            _ => Value::from(value),
        };
        if kind == EntryKind::ConditionReading && is_joint(field.name) {
            joints.insert(field.name.to_string(), v);
        } else {
            out.insert(field.name.to_string(), v);
        }
    }
    if !joints.is_empty() {
        out.insert("joints".into(), Value::Object(joints));
    }
    Ok(Value::Object(out))
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
            let kind = EntryKind::from_name(&kind_name).map(|_| kind_name.clone());
            page(state, posted.parts, &me, &raw, kind, answer, status).await
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
    let occurred_at = filing::time_of_day(posted.get("occurred_on"))
        .map_err(|p| unprocessable(error("occurred_on", p)))?;
    let details = details(kind, posted).map_err(unprocessable)?;
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
            Err((error(field_of(problem, kind), problem), status))
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
            page(state, posted.parts, &me, &raw, None, answer, status).await
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
