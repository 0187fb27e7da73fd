//! What the server reads from the request being answered and from the registry serving it, in
//! one place. Pages are rendered on the server only (islands): in the browser's build these read
//! nothing.

use crate::domain::RobotId;

#[cfg(feature = "ssr")]
use http::HeaderMap;

/// The value of the request's cookie `name` (the first, in any `Cookie` header), with the
/// spaces around name and value dropped. Headers are untrusted: anything that is not text or
/// not `name=value` is skipped.
#[cfg(feature = "ssr")]
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|c| c.split(';'))
        .find_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            (k.trim() == name).then(|| v.trim())
        })
}

/// Every value of `name` in the query of the request being rendered, each decoded exactly once.
/// The router's query map decodes values once more (`%252E` arrives as `.`), which would let
/// the lookup box read a link differently from `/verify`: a host written `robopass%2Eexample`
/// would become ours in one and stay foreign in the other.
#[cfg(feature = "ssr")]
pub fn query_values(name: &str) -> Vec<String> {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|p| p.uri.query().map(str::to_string))
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .filter(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(not(feature = "ssr"))]
pub fn query_values(_name: &str) -> Vec<String> {
    Vec::new()
}

/// The registry's own hosts: the links to these are the ones the lookup box takes as the
/// registry's. Worked out on the server and handed to the lookup island, so the browser and the
/// server agree.
#[cfg(feature = "ssr")]
pub fn our_hosts() -> Vec<String> {
    leptos::prelude::use_context::<registry::Registry>()
        .map(|r| r.hosts().names().to_vec())
        .unwrap_or_default()
}

#[cfg(not(feature = "ssr"))]
pub fn our_hosts() -> Vec<String> {
    Vec::new()
}

/// The host name printed under a label's code: where a person can check by hand.
#[cfg(feature = "ssr")]
pub fn printed_host() -> String {
    leptos::prelude::use_context::<registry::Registry>()
        .map(|r| r.hosts().printed_host().to_string())
        .unwrap_or_default()
}

#[cfg(not(feature = "ssr"))]
pub fn printed_host() -> String {
    String::new()
}

/// The portal's own origin (`https://…`), for addresses written out in full.
#[cfg(feature = "ssr")]
pub fn origin() -> String {
    leptos::prelude::use_context::<registry::Registry>()
        .map(|r| r.hosts().origin().to_string())
        .unwrap_or_default()
}

#[cfg(not(feature = "ssr"))]
pub fn origin() -> String {
    String::new()
}

/// The verdict on the label in a profile's address (`/r/{ID}/{KID}.{SIG}`), or on an unsigned
/// registry link (`?label=unsigned`, set by the scanner), as its kind and its words in `lang`.
/// `None`: not reached from a label.
#[cfg(feature = "ssr")]
pub fn label_verdict(
    id: &RobotId,
    token: Option<&str>,
    unsigned: bool,
    lang: crate::domain::Lang,
) -> Option<(&'static str, String)> {
    if token.is_none() && !unsigned {
        return None;
    }
    let registry = leptos::prelude::use_context::<registry::Registry>()?;
    let verdict = crate::domain::verdict::registry_link(id, token, |id, token| {
        registry.keys().verify(id, token)
    });
    Some((
        verdict.kind(),
        crate::i18n::verdict::message(&verdict, lang, ""),
    ))
}

#[cfg(not(feature = "ssr"))]
pub fn label_verdict(
    _id: &RobotId,
    _token: Option<&str>,
    _unsigned: bool,
    _lang: crate::domain::Lang,
) -> Option<(&'static str, String)> {
    None
}

/// Set the HTTP status of the page being rendered on the server (no-op in the browser).
pub fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let Some(resp) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(
            http::StatusCode::from_u16(code).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

/// Answer the request with a redirect to `path`. Pages render on the server only (islands),
/// so there is no browser side to this.
pub fn redirect_to(path: &str, code: u16) {
    #[cfg(feature = "ssr")]
    if let Some(resp) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(http::StatusCode::from_u16(code).unwrap_or(http::StatusCode::SEE_OTHER));
        if let Ok(v) = http::HeaderValue::from_str(path) {
            resp.insert_header(http::header::LOCATION, v);
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = (path, code);
}

/// The person signed in on the request being rendered, as pages show them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Viewer {
    pub display_name: String,
    pub email: String,
    pub confirmed: bool,
    /// Each organisation they act for (its number and name), with the role's machine name.
    pub memberships: Vec<(i64, String, &'static str)>,
    /// How many things await them in their inbox.
    pub inbox: i64,
}

/// Who is signed in, from the session the server found for this request. Pages that show it
/// are personal: the server's page cache never keeps them (it does not take requests that
/// carry a session cookie).
#[cfg(feature = "ssr")]
pub fn viewer() -> Option<Viewer> {
    leptos::prelude::use_context::<http::request::Parts>()?
        .extensions
        .get::<registry::accounts::SignedIn>()
        .map(|s| Viewer {
            display_name: s.person.display_name.clone(),
            email: s.person.email.clone(),
            confirmed: s.person.confirmed,
            memberships: s
                .person
                .memberships
                .iter()
                .map(|m| {
                    use crate::domain::vocabulary::Word;
                    (m.org_id, m.org_name.clone(), m.role.name())
                })
                .collect(),
            inbox: s.inbox,
        })
}

#[cfg(not(feature = "ssr"))]
pub fn viewer() -> Option<Viewer> {
    None
}

/// The path and query of the request being rendered (what a sign-in link comes back to).
#[cfg(feature = "ssr")]
pub fn here() -> String {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|p| p.uri.path_and_query().map(|pq| pq.as_str().to_string()))
        .unwrap_or_else(|| "/".into())
}

#[cfg(not(feature = "ssr"))]
pub fn here() -> String {
    "/".into()
}

/// `next` from the query when it is a path on this site; `/` otherwise.
pub fn next_path() -> String {
    query_values("next")
        .into_iter()
        .next()
        .filter(|n| crate::domain::link::is_local_path(n))
        .unwrap_or_else(|| "/".into())
}
