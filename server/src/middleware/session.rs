//! The signed-in visitor's cookie. Sessions themselves come with accounts; what is here is what
//! every layer must know already: the cookie's names, and whether a request carries one.

use axum::http::HeaderMap;

/// The session cookie over plain HTTP (a portal on this machine).
pub const SESSION_COOKIE: &str = "robopass_session";
/// The session cookie when the portal is served over HTTPS: the `__Host-` prefix makes the
/// browser refuse it unless it is `Secure`, for `Path=/`, and set by this very host.
pub const SECURE_SESSION_COOKIE: &str = "__Host-robopass_session";

/// Whether the request carries a session cookie (under either name, whatever its value):
/// such a request is a signed-in person's, and nothing answered to it may be shared.
pub fn carries_session(headers: &HeaderMap) -> bool {
    [SESSION_COOKIE, SECURE_SESSION_COOKIE]
        .iter()
        .any(|name| app::request::cookie(headers, name).is_some())
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
}
