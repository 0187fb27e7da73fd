//! `/api`: the JSON API explained for the people who build on it (venues, insurers, app makers):
//! how to act as someone, what errors look like, caching and other websites, examples to copy,
//! and every endpoint, listed from the API's own description (`/api/v1/openapi.json`), which
//! the server hands the page (`ApiIndex`): the list cannot drift from what is served.

use crate::i18n::{tr, tr_with, use_lang};
use leptos::prelude::*;
use leptos_meta::Title;

/// One operation of the API's description.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiOperation {
    /// `GET`, `POST`, `DELETE`.
    pub method: String,
    /// The address, with its parameters in braces.
    pub path: String,
    /// Its `operationId`: what its description on this page is found by.
    pub id: String,
    /// Its tag: the group it is listed in.
    pub tag: String,
    /// Whether a session may call it, and whether an API token may.
    pub session: bool,
    pub token: bool,
}

/// What the page lists, read from the API's description once, at startup.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApiIndex {
    /// The registry's origin, for the examples.
    pub origin: String,
    /// The document's own address.
    pub document: String,
    pub operations: Vec<ApiOperation>,
}

/// The groups, in the order the page lists them (the description's tags).
pub const GROUPS: [&str; 6] = [
    "public",
    "record",
    "provenance",
    "manufacturers",
    "tokens",
    "incidents",
];

/// The demo registry's robot in service: the examples' ID (`README.md` lists it).
const EXAMPLE_ID: &str = "CNSEJ5SE027600000000000000001";

/// The examples' ID that is too short: what the API answers to it is shown as it is said.
pub const EXAMPLE_BAD_ID: &str = "CNSEJ5SE0276";

/// The API's answer to [`EXAMPLE_BAD_ID`] in `lang`, as the server writes it (its `ErrorBody`;
/// a test compares the two).
pub fn example_error(lang: crate::domain::Lang) -> String {
    let Err(e) = crate::domain::RobotId::parse(EXAMPLE_BAD_ID) else {
        return String::new();
    };
    let mut error = serde_json::Map::new();
    error.insert("code".into(), e.code().into());
    error.insert(
        "message".into(),
        crate::i18n::words::id_error_message(lang, &e).into(),
    );
    if let Some(p) = e.position() {
        error.insert("position".into(), p.into());
    }
    if let Some(s) = e.segment() {
        error.insert("segment".into(), serde_json::json!(s));
    }
    serde_json::to_string_pretty(&serde_json::json!({ "error": error })).unwrap_or_default()
}

/// Errors by HTTP status, as the page explains them.
const STATUSES: [(u16, &str); 8] = [
    (400, "400"),
    (401, "401"),
    (403, "403"),
    (404, "404"),
    (409, "409"),
    (413, "413"),
    (429, "429"),
    (503, "503"),
];

#[component]
pub fn ApiGuidePage() -> impl IntoView {
    let lang = use_lang();
    let index = use_context::<ApiIndex>().unwrap_or_default();
    let origin = index.origin.clone();
    let public_get = format!("curl -s {origin}/api/v1/robots/{EXAMPLE_ID}");
    let venue_again =
        format!("curl -s -i -H 'If-None-Match: \"…\"' {origin}/api/v1/venues/{{slug}}");
    let filing = format!(
        "curl -s -X POST {origin}/api/v1/robots/{EXAMPLE_ID}/entries \\\n  \
         -H 'Authorization: Bearer rpt_…' \\\n  \
         -H 'Content-Type: application/json' \\\n  \
         -d '{{\"kind\": \"inspected\", \"occurred_at\": \"2026-12-01T09:00:00Z\",\n       \
         \"details\": {{\"result\": \"pass\", \"next_due\": \"2027-06-01\"}}}}'"
    );
    let error_call = format!(
        "curl -s -H 'Accept-Language: {}' {origin}/api/v1/robots/{EXAMPLE_BAD_ID}",
        lang.code()
    );
    let error_answer = example_error(lang);
    let document = index.document.clone();
    let groups = GROUPS
        .iter()
        .map(|group| {
            let ops: Vec<ApiOperation> = index
                .operations
                .iter()
                .filter(|o| o.tag == *group)
                .cloned()
                .collect();
            let heading = format!("api-group-{group}");
            let labelled_by = heading.clone();
            let name = tr(lang, &format!("api_guide.group.{group}"));
            let rows = ops
                .into_iter()
                .map(|o| {
                    let who = match (o.session, o.token) {
                        (false, _) => tr(lang, "api_guide.who_anyone"),
                        (true, true) => tr(lang, "api_guide.who_both"),
                        (true, false) => tr(lang, "api_guide.who_session"),
                    };
                    view! {
                        <tr>
                            <td translate="no"><code>{o.method.clone()}</code></td>
                            <th scope="row" translate="no"><code>{o.path.clone()}</code></th>
                            <td>{tr(lang, &format!("api_guide.op.{}", o.id))}</td>
                            <td>{who}</td>
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <section aria-labelledby=labelled_by>
                    <h3 id=heading>{name.clone()}</h3>
                    <p>{tr(lang, &format!("api_guide.group_about.{group}"))}</p>
                    <div class="table-scroll" tabindex="0" role="region" aria-label=name>
                        <table class="table">
                            <thead>
                                <tr>
                                    <th scope="col">{tr(lang, "api_guide.col_method")}</th>
                                    <th scope="col">{tr(lang, "api_guide.col_address")}</th>
                                    <th scope="col">{tr(lang, "api_guide.col_what")}</th>
                                    <th scope="col">{tr(lang, "api_guide.col_who")}</th>
                                </tr>
                            </thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                </section>
            }
        })
        .collect_view();
    let statuses = STATUSES
        .iter()
        .map(|(code, key)| {
            view! {
                <dt><code>{code.to_string()}</code></dt>
                <dd>{tr(lang, &format!("api_guide.status.{key}"))}</dd>
            }
        })
        .collect_view();
    view! {
        <Title text=format!("{} · {}", tr(lang, "api_guide.title"), tr(lang, "site.name")) />
        <h1>{tr(lang, "api_guide.title")}</h1>
        <p>{tr(lang, "api_guide.intro")}</p>
        <p>
            {tr(lang, "api_guide.document_before")} " "
            <a href=document.clone() translate="no">{document.clone()}</a>
            " " {tr(lang, "api_guide.document_after")}
        </p>

        <h2>{tr(lang, "api_guide.acting_heading")}</h2>
        <ul>
            <li>{tr(lang, "api_guide.acting_public")}</li>
            <li>{tr(lang, "api_guide.acting_session")}</li>
            <li>{tr(lang, "api_guide.acting_token")}</li>
        </ul>

        <h2>{tr(lang, "api_guide.errors_heading")}</h2>
        <p>{tr(lang, "api_guide.errors_intro")}</p>
        <dl class="api-statuses">{statuses}</dl>

        <h2>{tr(lang, "api_guide.caching_heading")}</h2>
        <p>{tr(lang, "api_guide.caching_public")}</p>
        <p>{tr(lang, "api_guide.caching_private")}</p>

        <h2>{tr(lang, "api_guide.examples_heading")}</h2>
        <h3>{tr(lang, "api_guide.example_public")}</h3>
        <pre class="embed" translate="no"><code>{public_get}</code></pre>
        <p>{tr(lang, "api_guide.example_public_after")}</p>
        <pre class="embed" translate="no"><code>{venue_again}</code></pre>
        <h3>{tr(lang, "api_guide.example_filing")}</h3>
        <pre class="embed" translate="no"><code>{filing}</code></pre>
        <p>{tr(lang, "api_guide.example_filing_after")}</p>
        <h3>{tr(lang, "api_guide.example_error")}</h3>
        <pre class="embed" translate="no"><code>{error_call}</code></pre>
        <p>{tr(lang, "api_guide.example_error_after")}</p>
        <pre class="embed" translate="no"><code>{error_answer}</code></pre>

        <h2>{tr(lang, "api_guide.endpoints_heading")}</h2>
        <p>
            {tr_with(
                lang,
                "api_guide.endpoints_intro",
                &[("count", &index.operations.len().to_string())],
            )}
        </p>
        {groups}
    }
}
