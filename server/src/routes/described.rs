//! The API described: every `/api/v1` endpoint (and the public keys, badges and labels that
//! builders use beside it) is registered here from its own `#[utoipa::path]`, which names its
//! method, address, parameters, body, answers and errors; the route table and the OpenAPI 3.1
//! document at `/api/v1/openapi.json` are both made from those, so the one cannot drift from
//! the other. The document is written once, at startup.

use super::{api, badges, filing, incidents, labels, maker, public_cors, scan, venues};
use crate::error::ErrorBody;
use crate::state::AppState;
use app::pages::api_guide::{ApiIndex, ApiOperation};
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, MethodRouter};
use axum::{Extension, Router};
use leptos::prelude::provide_context;
use std::sync::Arc;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::server::Server;
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::{OpenApiRouter, UtoipaMethodRouter};
use utoipa_axum::routes;

/// Where the document is served.
pub const DOCUMENT: &str = "/api/v1/openapi.json";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Robot Passport API",
        version = "1",
        description = "The public registry of humanoid robots: profiles, venues and label checks for anyone; the lifecycle record, share codes, provenance reports, recalls and API tokens for the parties that file them. Explained with examples at `/api`.\n\nErrors are always `{\"error\": {\"code\", \"message\"}}` with the HTTP status that fits: programs decide on `code`, people read `message`, in the language `Accept-Language` asks for (`en` or `zh-CN`).",
        license(name = "MIT"),
    ),
    modifiers(&Security),
    components(schemas(ErrorBody)),
    tags(
        (name = "public", description = "The same for everyone, without signing in; the GETs may be read by any website's scripts (CORS)."),
        (name = "record", description = "Filing a robot's lifecycle record, by the party whose it is to file."),
        (name = "provenance", description = "Share codes and provenance reports for used-robot buyers."),
        (name = "manufacturers", description = "A manufacturer's units, imports and recalls, under its own code."),
        (name = "tokens", description = "An organisation's API tokens, managed from a signed-in session."),
        (name = "incidents", description = "Incident reports, for the signed-in person."),
    ),
)]
struct ApiDoc;

/// The two ways to act as someone: a browser's session, or an organisation's API token.
struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                "__Host-robopass_session",
                "The session a person gets by signing in at /account/sign-in.",
            ))),
        );
        components.add_security_scheme(
            "token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An organisation's API token, made on its page (/orgs/{ORG}) and shown once: it acts in one role of that organisation, and stops at once when revoked.",
                    ))
                    .build(),
            ),
        );
    }
}

/// `routed` with `layer` put on its handlers (CORS, an extension, a body limit).
fn layered(
    routed: UtoipaMethodRouter<AppState>,
    layer: impl FnOnce(MethodRouter<AppState>) -> MethodRouter<AppState>,
) -> UtoipaMethodRouter<AppState> {
    let (schemas, paths, router) = routed;
    (schemas, paths, layer(router))
}

/// The described routes and the document at [`DOCUMENT`] (naming `origin` as its server), and
/// what the page `/api` lists of it.
pub fn routes(
    venue_cache: venues::VenueCache,
    decoder: scan::Decoder,
    origin: &str,
) -> (Router<AppState>, ApiIndex) {
    let (router, mut document) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        // Public: the same for everyone; the GETs readable by any website's scripts.
        .routes(layered(routes!(api::robot), |r| r.layer(public_cors())))
        .routes(layered(routes!(venues::json), |r| {
            r.layer::<_, std::convert::Infallible>(Extension(venue_cache))
                .layer(public_cors())
        }))
        .routes(layered(routes!(scan::verify), |r| r.layer(public_cors())))
        .routes(layered(routes!(scan::api_scan), |r| {
            r.layer((
                axum::extract::DefaultBodyLimit::max(super::UPLOAD_LIMIT),
                Extension(decoder),
            ))
        }))
        .routes(routes!(labels::keys))
        .routes(layered(routes!(badges::badge), |r| {
            r.layer(Extension(badges::BadgeCache::default()))
        }))
        .routes(layered(routes!(labels::qr), |r| {
            r.layer(Extension(labels::LabelCache::default()))
        }))
        // The lifecycle record, by people and by organisations' programs.
        .routes(routes!(filing::file_entry))
        .routes(routes!(filing::engage))
        .routes(routes!(filing::disengage))
        .routes(routes!(filing::share_codes_list, filing::issue_share_code))
        .routes(routes!(filing::revoke_share_code))
        .routes(routes!(filing::provenance))
        .routes(routes!(filing::provenance_openings))
        .routes(routes!(filing::tokens, filing::create_token))
        .routes(routes!(filing::revoke_token))
        // A manufacturer's own: its models, units and recalls.
        .routes(routes!(maker::models))
        .routes(routes!(maker::register))
        .routes(routes!(maker::import))
        .routes(routes!(maker::import_progress))
        .routes(routes!(maker::recalls_list, maker::issue_recall))
        .routes(routes!(maker::close_recall))
        .routes(routes!(incidents::api_list))
        .split_for_parts();
    document.servers = Some(vec![Server::new(origin)]);
    let written = document
        .to_pretty_json()
        .expect("the API's description is plain data");
    let index = index_of(&written, origin);
    let written = bytes::Bytes::from(written);
    let served = get(move || {
        let body = written.clone();
        async move {
            (
                [
                    (header::CONTENT_TYPE, "application/json"),
                    (header::CACHE_CONTROL, "public, max-age=300"),
                ],
                body,
            )
                .into_response()
        }
    })
    .layer(public_cors());
    (router.route(DOCUMENT, served), index)
}

/// Every operation of the written description `document`, for the page.
fn index_of(document: &str, origin: &str) -> ApiIndex {
    let document: serde_json::Value = serde_json::from_str(document).unwrap_or_default();
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let names = |scheme: &str| {
                op["security"]
                    .as_array()
                    .is_some_and(|s| s.iter().any(|r| r.get(scheme).is_some()))
            };
            operations.push(ApiOperation {
                method: method.to_ascii_uppercase(),
                path: path.clone(),
                id: op["operationId"].as_str().unwrap_or_default().to_string(),
                tag: op["tags"][0].as_str().unwrap_or_default().to_string(),
                session: names("session"),
                token: names("token"),
            });
        }
    }
    ApiIndex {
        origin: origin.to_string(),
        document: DOCUMENT.to_string(),
        operations,
    }
}

/// `GET /api`: the API explained, with every operation of its description.
pub async fn page(
    State(state): State<AppState>,
    Extension(index): Extension<Arc<ApiIndex>>,
    req: Request,
) -> Response {
    let (parts, _) = req.into_parts();
    let provide = move || provide_context((*index).clone());
    super::pages::render_for(state, parts, "/api", StatusCode::OK, provide).await
}
