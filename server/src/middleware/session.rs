//! The signed-in visitor: the session cookie (its names and attributes) and the layer that
//! finds the person behind it. A request whose cookie names a live session carries a
//! [`SignedIn`] in its extensions (the app's pages read it from there), and its answer is never
//! stored by anyone (`Cache-Control: private, no-store`). A cookie that names no session (it
//! expired, or was ended elsewhere) is cleared in the answer.

use crate::state::AppState;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use registry::accounts::{self, SignedIn, SESSION_DAYS};

/// The session cookie over plain HTTP (a portal on this machine).
pub const SESSION_COOKIE: &str = "robopass_session";
/// The session cookie when the portal is served over HTTPS: the `__Host-` prefix makes the
/// browser refuse it unless it is `Secure`, for `Path=/`, and set by this very host.
pub const SECURE_SESSION_COOKIE: &str = "__Host-robopass_session";

/// Whether the request carries a session cookie (under either name, whatever its value):
/// such a request is a signed-in person's, and nothing answered to it may be shared.
pub fn carries_session(headers: &HeaderMap) -> bool {
    headers.contains_key(header::AUTHORIZATION)
        || [SESSION_COOKIE, SECURE_SESSION_COOKIE]
            .iter()
            .any(|name| app::request::cookie(headers, name).is_some())
}

/// The bearer token of an `Authorization: Bearer …` header, if the request has one.
pub fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// A request whose `Authorization` header names no live token: answered 401 by whatever
/// needs the token, never taken for a signed-out visitor's.
#[derive(Clone, Copy, Debug)]
pub struct BadBearer;

/// The cookie as this portal sets it: `Secure` under its `__Host-` name when served over
/// HTTPS; always `HttpOnly` (no script reads it), `SameSite=Lax` (no other site's form or
/// frame sends it) and `Path=/`.
#[derive(Clone, Copy, Debug)]
pub struct SessionCookie {
    secure: bool,
}

impl SessionCookie {
    pub fn new(https: bool) -> SessionCookie {
        SessionCookie { secure: https }
    }

    pub fn name(&self) -> &'static str {
        if self.secure {
            SECURE_SESSION_COOKIE
        } else {
            SESSION_COOKIE
        }
    }

    /// The token in the request's cookie, if any.
    pub fn read<'a>(&self, headers: &'a HeaderMap) -> Option<&'a str> {
        app::request::cookie(headers, self.name()).filter(|t| !t.is_empty())
    }

    fn header(&self, value: &str, max_age_s: i64) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        HeaderValue::from_str(&format!(
            "{}={value}; Max-Age={max_age_s}; Path=/; HttpOnly; SameSite=Lax{secure}",
            self.name()
        ))
        .unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    /// `Set-Cookie` for a session just begun (its token is URL-safe text).
    pub fn set(&self, token: &str) -> HeaderValue {
        self.header(token, SESSION_DAYS * 24 * 60 * 60)
    }

    /// `Set-Cookie` that removes the cookie.
    pub fn clear(&self) -> HeaderValue {
        self.header("", 0)
    }
}

/// Paths that are the same for everyone, whoever asks: the built site's files, label images,
/// the label keys. Browsers send the cookie with each of them; no one's session is looked up.
fn impersonal(path: &str) -> bool {
    [
        "/pkg/",
        "/qr/",
        "/robots/",
        "/.well-known/",
        "/favicon",
        "/healthz",
    ]
    .iter()
    .any(|p| path.starts_with(p))
}

/// Find the person behind the request's session cookie.
pub async fn signed_in(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let cookie = state.accounts.cookie;
    let mut stale = false;
    let token = if impersonal(req.uri().path()) {
        None
    } else {
        cookie.read(req.headers())
    };
    if let Some(token) = token {
        match accounts::person(state.registry.database(), token).await {
            Ok(Some(person)) => {
                let token = token.into();
                // What awaits them, for the count in the page header (nothing when the count
                // cannot be had: the page still answers).
                let inbox = registry::incidents::inbox_count(state.registry.database(), &person)
                    .await
                    .unwrap_or(0);
                req.extensions_mut().insert(SignedIn {
                    person,
                    token,
                    inbox,
                });
            }
            Ok(None) => stale = true,
            // The database is down: the request goes on signed out, and the cookie stays.
            Err(_) => {}
        }
    }
    if req.headers().contains_key(header::AUTHORIZATION) && !impersonal(req.uri().path()) {
        match bearer(req.headers()) {
            Some(token) => {
                match registry::api_tokens::holder(state.registry.database(), token).await {
                    Ok(Some(holder)) => {
                        req.extensions_mut().insert(holder);
                    }
                    Ok(None) => {
                        req.extensions_mut().insert(BadBearer);
                    }
                    // The database is down: whatever needs the token answers that it is.
                    Err(_) => {}
                }
            }
            None => {
                req.extensions_mut().insert(BadBearer);
            }
        }
    }
    let personal = req.extensions().get::<SignedIn>().is_some()
        || req.headers().contains_key(header::AUTHORIZATION);
    let mut response = next.run(req).await;
    if personal {
        response.headers_mut().insert(
            header::CACHE_CONTROL,
            HeaderValue::from_static("private, no-store"),
        );
    }
    if stale && !response.headers().contains_key(header::SET_COOKIE) {
        response
            .headers_mut()
            .append(header::SET_COOKIE, cookie.clear());
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::{header, HeaderValue};

    fn with_cookies(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(header::COOKIE, HeaderValue::from_str(v).unwrap());
        }
        headers
    }

    #[test]
    fn a_session_cookie_is_found_under_either_name_in_any_cookie_header() {
        assert!(carries_session(&with_cookies(&["robopass_session=abc"])));
        assert!(carries_session(&with_cookies(&[
            "lang=zh-CN; __Host-robopass_session=x"
        ])));
        assert!(carries_session(&with_cookies(&[
            "lang=en",
            " robopass_session = "
        ])));
        assert!(!carries_session(&with_cookies(&[])));
        assert!(!carries_session(&with_cookies(&["lang=en"])));
        assert!(!carries_session(&with_cookies(&[
            "robopass_session_old=1; xrobopass_session=2"
        ])));
        assert!(!carries_session(&with_cookies(&["lang=robopass_session"])));
    }

    #[test]
    fn the_cookie_is_host_only_and_secure_over_https() {
        let https = SessionCookie::new(true).set("tok");
        assert_eq!(
            https,
            "__Host-robopass_session=tok; Max-Age=2592000; Path=/; HttpOnly; SameSite=Lax; Secure"
        );
        let http = SessionCookie::new(false).clear();
        assert_eq!(
            http,
            "robopass_session=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax"
        );
        let h = with_cookies(&["robopass_session=a; __Host-robopass_session=b"]);
        assert_eq!(SessionCookie::new(true).read(&h), Some("b"));
        assert_eq!(SessionCookie::new(false).read(&h), Some("a"));
    }
}
