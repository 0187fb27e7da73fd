//! What the server reads from a request's headers, in one place (server-only).

use http::HeaderMap;

/// The value of the request's cookie `name` (the first, in any `Cookie` header), with the
/// spaces around name and value dropped. Headers are untrusted: anything that is not text or
/// not `name=value` is skipped.
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
