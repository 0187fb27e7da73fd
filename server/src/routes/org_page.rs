//! An organisation's own page, `/orgs/{ORG}`, for its members: its API tokens (made, shown
//! once, revoked) and, for a manufacturer, its units (one at a time, or a CSV file whose
//! import shows its progress) and its recalls (issued, closed). Every form is a plain POST
//! that works without JavaScript; what must be put right comes back beside its fields with
//! the values kept. The same checks as the API run underneath (`registry::units`,
//! `registry::recalls`, `registry::api_tokens`).

use super::account::{error, see_other, Posted};
use super::pages::{query_value, render_for};
use crate::error::{Failure, Form};
use crate::state::AppState;
use app::components::form::{FieldError, FormAnswer};
use app::i18n::lang_from_headers;
use app::pages::account::sign_in_link;
use axum::extract::{Multipart, Path, Request, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::organisation::{BadRow, ImportLine, MakerPart, Page, RecallLine, TokenLine};
use domain::vocabulary::{OrgRole, Word};
use domain::Problem;
use leptos::prelude::provide_context;
use registry::accounts::SignedIn;
use registry::filing::Filer;
use registry::recalls::{self, Notice};
use registry::units::{self, Refused, Unit};
use registry::{api_tokens, Error};

/// What `done=` may say.
const DONE: [&str; 4] = [
    "token_revoked",
    "unit_registered",
    "recall_issued",
    "recall_closed",
];

/// The largest form besides a CSV file.
pub const UPLOAD_LIMIT: usize = units::MAX_IMPORT_BYTES + 64 * 1024;

fn failure_page(parts: &Parts, e: Error) -> Response {
    Failure::new(e, lang_from_headers(&parts.headers), Form::Page).into_response()
}

/// The signed-in person, or the way to sign in and come back.
fn signed_in(parts: &Parts, back: &str) -> Result<SignedIn, Response> {
    parts
        .extensions
        .get::<SignedIn>()
        .cloned()
        .ok_or_else(|| see_other(&sign_in_link(back)))
}

fn org_number(raw: &str) -> Result<i64, Error> {
    raw.parse()
        .map_err(|_| Error::Forbidden(Problem::NotAllowed))
}

/// What the page shows besides what the registry holds: a token just made, a file's bad rows.
#[derive(Default)]
struct Extra {
    new_token: Option<String>,
    bad_rows: Vec<BadRow>,
}

/// The page of organisation `org` for `me`, with what a form answered.
async fn page(
    state: AppState,
    parts: Parts,
    me: &SignedIn,
    org: i64,
    extra: Extra,
    answer: FormAnswer,
    status: StatusCode,
) -> Response {
    match load(&state, &parts, me, org, extra).await {
        Ok(page) => {
            let path = format!("/orgs/{org}");
            let provide = move || {
                provide_context(page.clone());
                provide_context(answer.clone());
            };
            render_for(state, parts, &path, status, provide).await
        }
        Err(e) => failure_page(&parts, e),
    }
}

async fn load(
    state: &AppState,
    parts: &Parts,
    me: &SignedIn,
    org: i64,
    extra: Extra,
) -> Result<Page, Error> {
    let registry = &state.registry;
    let (name, kind, maker) = units::organisation(registry, Filer::Person(&me.person), org).await?;
    let tokens = api_tokens::list(registry.database(), &me.person, org)
        .await?
        .into_iter()
        .map(|t| TokenLine {
            id: t.id,
            name: t.name,
            role: t.role.to_string(),
            created_at: t.created_at,
            revoked_at: t.revoked_at,
        })
        .collect();
    let maker = match maker {
        None => None,
        Some(m) => {
            let models = units::models(registry, &m)
                .await?
                .into_iter()
                .map(|x| (x.code, x.name))
                .collect();
            let recalls = recalls::list(registry, &m)
                .await?
                .into_iter()
                .map(|r| RecallLine {
                    reference: r.reference,
                    model: format!("{} · {}", r.model, r.model_name),
                    serial_from: r.serial_from,
                    serial_to: r.serial_to,
                    defect: r.defect,
                    risk: r.risk,
                    remedy: r.remedy,
                    issued_on: r.issued_on,
                    closed_on: r.closed_on,
                    units: r.units,
                    remedied: r.remedied,
                })
                .collect();
            let import = query_value(parts, "import")
                .and_then(|id| units::progress(registry, &m, &id).ok())
                .map(|p| ImportLine {
                    id: p.id,
                    state: p.state.as_str().to_string(),
                    total: p.total,
                    written: p.written,
                    seconds: p.seconds,
                    problem: p.problem.map(str::to_string),
                });
            Some(MakerPart {
                code: m.code,
                models,
                recalls,
                import,
                bad_rows: extra.bad_rows,
            })
        }
    };
    let roles = me
        .person
        .memberships
        .iter()
        .filter(|m| m.org_id == org)
        .map(|m| m.role.name().to_string())
        .collect();
    Ok(Page {
        id: org,
        name,
        kind,
        roles,
        tokens,
        new_token: extra.new_token,
        maker,
        done: query_value(parts, "done").filter(|d| DONE.contains(&d.as_str())),
        registered: query_value(parts, "registered")
            .and_then(|r| domain::RobotId::parse(&r).ok())
            .map(|id| id.to_string()),
        venues: registry::venues::of_organisation(registry, org).await?,
    })
}

/// `GET /orgs/{ORG}` (`?done=`, `?import=`, `?registered=`).
pub async fn show(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let here = parts
        .uri
        .path_and_query()
        .map_or("/", |pq| pq.as_str())
        .to_string();
    let me = match signed_in(&parts, &here) {
        Ok(me) => me,
        Err(r) => return r,
    };
    let org = match org_number(&raw) {
        Ok(org) => org,
        Err(e) => return failure_page(&parts, e),
    };
    page(
        state,
        parts,
        &me,
        org,
        Extra::default(),
        FormAnswer::default(),
        StatusCode::OK,
    )
    .await
}

/// A form of the page: what it sent, its signed-in person and the organisation's number, or
/// the answer that ends the request.
async fn read_form(req: Request, raw: &str) -> Result<(Posted, SignedIn, i64), Response> {
    let (posted, me) = Posted::read_signed_in(req, &format!("/orgs/{raw}")).await?;
    let org = org_number(raw).map_err(|e| failure_page(&posted.parts, e))?;
    Ok((posted, me, org))
}

/// The status a refused form answers with, and the error beside its field.
fn refused(e: &Error, field: &'static str) -> (FieldError, StatusCode) {
    let status = match e {
        Error::Forbidden(_) => StatusCode::FORBIDDEN,
        Error::Conflict(_) => StatusCode::CONFLICT,
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        Error::TooMany { .. } => StatusCode::TOO_MANY_REQUESTS,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    };
    let problem = Problem::from_name(e.code()).unwrap_or(Problem::Unavailable);
    (error(field, problem), status)
}

/// The page again with what the form `posted` sent and what must be put right.
async fn again(
    state: AppState,
    posted: Posted,
    me: &SignedIn,
    org: i64,
    (e, status): (FieldError, StatusCode),
) -> Response {
    let answer = FormAnswer {
        values: posted.kept(),
        errors: vec![e],
    };
    page(
        state,
        posted.parts,
        me,
        org,
        Extra::default(),
        answer,
        status,
    )
    .await
}

/// `POST /orgs/{ORG}/tokens` (`name`, `role`): the page with the new token, shown this once.
pub async fn create_token(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    req: Request,
) -> Response {
    let (posted, me, org) = match read_form(req, &raw).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let role = OrgRole::from_name(posted.get("role"));
    let made = api_tokens::create(
        state.registry.database(),
        &me.person,
        org,
        role,
        posted.get("token_name"),
    )
    .await;
    match made {
        Ok(t) => {
            let extra = Extra {
                new_token: Some(t.token),
                ..Extra::default()
            };
            page(
                state,
                posted.parts,
                &me,
                org,
                extra,
                FormAnswer::default(),
                StatusCode::CREATED,
            )
            .await
        }
        Err(e) => {
            let r = refused(&e, "token_name");
            again(state, posted, &me, org, r).await
        }
    }
}

/// `POST /orgs/{ORG}/tokens/{ID}/revoke`: the token stops working at once.
pub async fn revoke_token(
    State(state): State<AppState>,
    Path((raw, id)): Path<(String, String)>,
    req: Request,
) -> Response {
    let (posted, me, org) = match read_form(req, &raw).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let id: i64 = id.parse().unwrap_or(0);
    match api_tokens::revoke(state.registry.database(), &me.person, org, id).await {
        Ok(true) => see_other(&format!("/orgs/{org}?done=token_revoked#tokens")),
        Ok(false) => failure_page(&posted.parts, Error::NotFound(Problem::NotAllowed)),
        Err(e) => failure_page(&posted.parts, e),
    }
}

/// The manufacturer the signed-in person acts for at `org`.
async fn maker_of(state: &AppState, me: &SignedIn, org: i64) -> Result<units::Maker, Error> {
    let (_, _, maker) =
        units::organisation(&state.registry, Filer::Person(&me.person), org).await?;
    maker.ok_or(Error::Forbidden(Problem::NotYourCode))
}

/// A manufacturer's form of the page: [`read_form`], and the manufacturer the person acts for.
async fn maker_form(
    state: &AppState,
    req: Request,
    raw: &str,
) -> Result<(Posted, SignedIn, i64, units::Maker), Response> {
    let (posted, me, org) = read_form(req, raw).await?;
    match maker_of(state, &me, org).await {
        Ok(maker) => Ok((posted, me, org, maker)),
        Err(e) => Err(failure_page(&posted.parts, e)),
    }
}

/// `POST /orgs/{ORG}/units` (`model`, `serial`, `produced_on`, `country`, `factory`): one unit
/// registered, back to the page saying which.
pub async fn register_unit(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    req: Request,
) -> Response {
    let (posted, me, org, maker) = match maker_form(&state, req, &raw).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let optional = |name: &str| Some(posted.get(name).to_string()).filter(|v| !v.trim().is_empty());
    let unit = Unit {
        model: posted.get("model").to_string(),
        serial: posted.get("serial").to_string(),
        produced_on: posted.get("produced_on").to_string(),
        country: optional("country"),
        factory: optional("factory"),
    };
    match units::register(&state.registry, &maker, &unit).await {
        Ok(id) => see_other(&format!(
            "/orgs/{org}?done=unit_registered&registered={id}#units"
        )),
        Err((e, field)) => {
            let r = refused(&e, field);
            again(state, posted, &me, org, r).await
        }
    }
}

/// `POST /orgs/{ORG}/units/import` (multipart: the CSV `file`): to the page following the
/// import's progress, or the page listing every bad row (nothing imported).
pub async fn import_units(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    req: Request,
) -> Response {
    use axum::extract::FromRequest as _;
    let (parts, body) = req.into_parts();
    let me = match signed_in(&parts, &format!("/orgs/{raw}")) {
        Ok(me) => me,
        Err(r) => return r,
    };
    let org = match org_number(&raw) {
        Ok(org) => org,
        Err(e) => return failure_page(&parts, e),
    };
    let maker = match maker_of(&state, &me, org).await {
        Ok(m) => m,
        Err(e) => return failure_page(&parts, e),
    };
    let bad_file = |problem| (error("file", problem), StatusCode::UNPROCESSABLE_ENTITY);
    let file = async {
        let req = Request::from_parts(parts.clone(), body);
        let mut form = Multipart::from_request(req, &state)
            .await
            .map_err(|_| bad_file(Problem::BadCsv))?;
        let mut file = None;
        while let Some(field) = form.next_field().await.map_err(|e| {
            bad_file(if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Problem::TooManyRows
            } else {
                Problem::BadCsv
            })
        })? {
            if field.name() == Some("file") && file.is_none() {
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|_| bad_file(Problem::TooManyRows))?;
                file = Some(bytes.to_vec());
            }
        }
        file.filter(|f| !f.is_empty())
            .ok_or(bad_file(Problem::BadCsv))
    }
    .await;
    let answer_with = |e: (FieldError, StatusCode)| FormAnswer {
        values: Vec::new(),
        errors: vec![e.0],
    };
    let bytes = match file {
        Ok(b) => b,
        Err(e) => {
            let status = e.1;
            return page(
                state,
                parts,
                &me,
                org,
                Extra::default(),
                answer_with(e),
                status,
            )
            .await;
        }
    };
    match units::import(&state.registry, &maker, bytes).await {
        Ok(progress) => see_other(&format!("/orgs/{org}?import={}#import", progress.id)),
        Err(Refused::Whole(e)) => {
            let r = refused(&e, "file");
            let status = r.1;
            page(
                state,
                parts,
                &me,
                org,
                Extra::default(),
                answer_with(r),
                status,
            )
            .await
        }
        Err(Refused::Rows(rows)) => {
            let extra = Extra {
                bad_rows: rows
                    .iter()
                    .map(|r| BadRow {
                        line: r.line,
                        field: r.field.to_string(),
                        problem: r.problem.as_str().to_string(),
                    })
                    .collect(),
                ..Extra::default()
            };
            let answer = answer_with((
                error("file", Problem::BadRows),
                StatusCode::UNPROCESSABLE_ENTITY,
            ));
            page(
                state,
                parts,
                &me,
                org,
                extra,
                answer,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    }
}

/// `POST /orgs/{ORG}/recalls` (`model`, `serial_from`, `serial_to`, `defect`, `risk`,
/// `remedy`): the recall issued, back to the page saying so.
pub async fn issue_recall(
    State(state): State<AppState>,
    Path(raw): Path<String>,
    req: Request,
) -> Response {
    let (posted, me, org, maker) = match maker_form(&state, req, &raw).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let optional = |name: &str| Some(posted.get(name).to_string()).filter(|v| !v.trim().is_empty());
    let notice = Notice {
        model: posted.get("recall_model").to_string(),
        serial_from: optional("serial_from"),
        serial_to: optional("serial_to"),
        defect: posted.get("defect").to_string(),
        risk: posted.get("risk").to_string(),
        remedy: posted.get("remedy").to_string(),
    };
    match recalls::issue(&state.registry, &maker, &notice).await {
        Ok(_) => see_other(&format!("/orgs/{org}?done=recall_issued#recalls")),
        Err((e, field)) => {
            let field = if field == "model" {
                "recall_model"
            } else {
                field
            };
            let r = refused(&e, field);
            again(state, posted, &me, org, r).await
        }
    }
}

/// `POST /orgs/{ORG}/recalls/{REFERENCE}/close`.
pub async fn close_recall(
    State(state): State<AppState>,
    Path((raw, reference)): Path<(String, String)>,
    req: Request,
) -> Response {
    let (posted, me, org) = match read_form(req, &raw).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let closed = async {
        let maker = maker_of(&state, &me, org).await?;
        recalls::close(&state.registry, &maker, &reference).await
    }
    .await;
    match closed {
        Ok(_) => see_other(&format!("/orgs/{org}?done=recall_closed#recalls")),
        Err(e) => failure_page(&posted.parts, e),
    }
}
